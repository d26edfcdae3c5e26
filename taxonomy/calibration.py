"""Fitting the learned taggers from labelled examples, and calibrating the ensemble out of fold.

Everything here uses training data only. The ensemble's fusion (a stacker, :mod:`taxonomy.stacking`,
beside the weighted mean's weights) and decision policy are chosen on *out-of-fold* member scores:
each training passage is scored by rule, embedding, supervised and neighbours members fitted
without its review type or review, so the choice is not fooled by members that have memorised their training
set, nor by the house style of the reviews they were trained on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from taxonomy.decision import DecisionPolicy, fit_policy, word_count
from taxonomy.embedding import EmbeddingTagger
from taxonomy.ensemble import DEFAULT_WEIGHTS, NON_FINDING_SECTIONS, EnsembleTagger, combine
from taxonomy.models import TagInput, TextEncoder
from taxonomy.neighbours import NeighbourTagger, neighbour_group
from taxonomy.rule import RuleTagger
from taxonomy.scoring import BatchScores, Scorer
from taxonomy.stacking import STACK_MEMBERS, Stacker, fit_stacker, out_of_group_probabilities, stack_features
from taxonomy.standards import Taxonomy, load_taxonomy
from taxonomy.supervised import SupervisedTagger
from taxonomy.training import LabelledExample, label_matrix

SAMPLE_SOURCE_WEIGHT = 0.5
"""Weight of sample-review passages in supervised fitting: their labels are denser (2-3 standards a
passage) than the focused labels suggestions are judged by."""


BOARD_LABEL_WEIGHT = 4.0
"""Weight of a board's own labels (panel decisions, imported examples) in supervised fitting: a few
dozen of them must be able to move a model fitted on a thousand passages written elsewhere."""


def is_board_label(example: LabelledExample) -> bool:
    """Labels from the board using Gwersi: its panel's decisions and the passages it imported."""
    return example.source == "panel" or example.source.startswith("learned:")


def in_calibration_pool(example: LabelledExample) -> bool:
    """Examples labelled with focused labels (taxonomy, seed and panel); sample passages are not."""
    return not example.source.startswith("sample:")


def fit_supervised(training: Sequence[LabelledExample], vectors: np.ndarray, taxonomy: Taxonomy,
                   encoder: TextEncoder | None = None, min_positives: int = 5) -> SupervisedTagger:
    """A supervised tagger fitted on all examples, thresholds tuned on the calibration pool."""
    tagger = SupervisedTagger(taxonomy=taxonomy, encoder=encoder, min_positives=min_positives, holdout=0.4)
    weights = [BOARD_LABEL_WEIGHT if is_board_label(ex) else 1.0 if in_calibration_pool(ex) else SAMPLE_SOURCE_WEIGHT
               for ex in training]
    pool = [in_calibration_pool(ex) for ex in training]
    tagger.fit([(ex.text, vectors[i], ex.standards) for i, ex in enumerate(training)], weights, pool)
    return tagger


def fit_embedding(training: Sequence[LabelledExample], vectors: np.ndarray, taxonomy: Taxonomy,
                  encoder: TextEncoder) -> EmbeddingTagger:
    """An embedding tagger with prototypes from all examples, thresholds from the calibration pool."""
    pool = [in_calibration_pool(ex) for ex in training]
    return EmbeddingTagger.build(encoder, taxonomy, training, vectors, calibration_pool=pool)


BASE_WEIGHTS: tuple[dict[str, float], ...] = (
    DEFAULT_WEIGHTS,
    {"rule": 1.0, "embedding": 1.0, "supervised": 1.0},
    {"rule": 0.5, "embedding": 1.0, "supervised": 3.0},
    {"rule": 0.0, "embedding": 1.0, "supervised": 2.0},
    {"rule": 0.0, "embedding": 0.0, "supervised": 1.0},
)
NEIGHBOUR_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
WEIGHT_GRID: tuple[dict[str, float], ...] = tuple(
    {**base, "neighbours": w} for base in BASE_WEIGHTS for w in NEIGHBOUR_WEIGHTS
)
"""Fusion weights the ensemble chooses among out of fold: each base weighting of the rule, embedding
and supervised members (the last is the supervised member alone) with each neighbours weight (0:
without that member)."""
CALIBRATION_RECIPE = "rule+embedding+supervised+neighbours/3-stacked-rule-oof"
"""Names what a calibration was chosen among; part of its fingerprint, so a calibration chosen for
other members (an older release's, cached in a data folder) is never reused."""


def in_decision_pool(example: LabelledExample) -> bool:
    """Passages from reviews (samples, panel decisions, a board's imported labels): the decision
    policy is fitted on these, not on the short single-label seed and taxonomy examples."""
    return example.source not in ("taxonomy", "seed")


@dataclass(frozen=True)
class EnsembleCalibration:
    """The fusion chosen out of fold (a :class:`~taxonomy.stacking.Stacker`, else weights for the
    weighted mean), the decision policy on its scores, and the micro-F1 they reached."""

    weights: dict[str, float]
    policy: DecisionPolicy
    micro_f1: float
    passages: int
    candidates: tuple[tuple[str, float], ...] = ()
    """Every fusion tried, as (description, out-of-fold micro-F1)."""
    stacker: Stacker | None = None
    """When set, the ensemble's scores are its probabilities and ``weights`` are not used."""


def describe_weights(weights: dict[str, float]) -> str:
    """``rule 1, embedding 1, supervised 2``."""
    return ", ".join(f"{k} {v:g}" for k, v in weights.items())


def fold_assignment(training: Sequence[LabelledExample], folds: int, seed: int = 0) -> np.ndarray:
    """Folds for out-of-fold scoring: passages of one review type (samples) or one source (panel,
    imported labels) stay together, so scores are those of an unseen kind of review; seed and
    taxonomy examples are spread at random."""
    rng = np.random.default_rng(seed)
    keys = sorted({_group(ex) for ex in training if _group(ex)})
    fold_of_key = {key: n % folds for n, key in enumerate(keys)}
    return np.array([fold_of_key[_group(ex)] if _group(ex) else int(rng.integers(0, folds)) for ex in training])


def _group(example: LabelledExample) -> str:
    if example.source.startswith("sample:"):
        return neighbour_group(example)  # its review type
    return example.source if in_decision_pool(example) else ""


def fit_neighbours(training: Sequence[LabelledExample], vectors: np.ndarray, taxonomy: Taxonomy,
                   encoder: TextEncoder | None = None) -> NeighbourTagger:
    """A neighbours member over all examples, thresholds chosen on the decision pool; a board's own
    labels vote :data:`BOARD_LABEL_WEIGHT` times (measured on nine training writers, each held out of
    a full fit, 100 of their passages learned: micro-F1 on their other reviews +0.8 points over no
    labels with weight 4, +0.4 with weight 1)."""
    return NeighbourTagger.fit(training, vectors, taxonomy, encoder, pool=[in_decision_pool(ex) for ex in training],
                               row_weights=[BOARD_LABEL_WEIGHT if is_board_label(ex) else 1.0 for ex in training])


def out_of_fold_scores(training: Sequence[LabelledExample], vectors: np.ndarray, taxonomy: Taxonomy,
                       encoder: TextEncoder, folds: int = 4, seed: int = 0) -> dict[str, BatchScores]:
    """Member scores for every training passage from members fitted on the other folds (the rule
    tagger's cue weights too, as :func:`fit_rule` learns them for the fitted ensemble)."""
    n, k = len(training), len(taxonomy.standards)
    items = [TagInput(ex.id or str(i), ex.text, vectors[i], ex.section_kind) for i, ex in enumerate(training)]
    fold_of = fold_assignment(training, folds, seed)
    rule = np.zeros((n, k))
    negated = np.zeros((n, k), dtype=bool)
    embedding = np.zeros((n, k))
    supervised = np.full((n, k), np.nan)
    neighbours = np.zeros((n, k))
    for f in range(folds):
        inside = np.flatnonzero(fold_of != f)
        outside = np.flatnonzero(fold_of == f)
        if not len(outside):
            continue
        part = [training[int(i)] for i in inside]
        held = [items[int(i)] for i in outside]
        rule_scores = fit_rule(part, taxonomy).score(held)
        rule[outside] = rule_scores.scores
        if rule_scores.negated is not None:
            negated[outside] = rule_scores.negated
        embedding[outside] = fit_embedding(part, vectors[inside], taxonomy, encoder).score(held).scores
        supervised[outside] = fit_supervised(part, vectors[inside], taxonomy).score(held).scores
        neighbours[outside] = fit_neighbours(part, vectors[inside], taxonomy).score(held).scores
    return {"rule": BatchScores(rule, {}, negated), "embedding": BatchScores(embedding),
            "supervised": BatchScores(supervised), "neighbours": BatchScores(neighbours)}


def calibrate_ensemble(training: Sequence[LabelledExample], vectors: np.ndarray, encoder: TextEncoder,
                       taxonomy: Taxonomy | None = None, weights: dict[str, float] | None = None,
                       folds: int = 4, stack: bool = True) -> EnsembleCalibration:
    """Choose the fusion and the decision policy on out-of-fold member scores of the review passages
    in the training data.

    The weighted mean's weights are chosen from :data:`WEIGHT_GRID` (or are ``weights``). Unless
    ``weights`` is given or ``stack`` is off, the calibration then stacks: a
    :class:`~taxonomy.stacking.Stacker` is fitted on the same scores and the policy is chosen on its
    probabilities for passages whose writer (review type, board) it was fitted without.
    """
    tax = taxonomy or load_taxonomy()
    members = out_of_fold_scores(training, vectors, tax, encoder, folds)
    pool = np.array([in_decision_pool(ex) for ex in training])
    if not pool.any():
        pool = np.ones(len(training), dtype=bool)
    # a board's own labels count BOARD_LABEL_WEIGHT times: the policy should fit the board's style
    repeats = np.array([int(BOARD_LABEL_WEIGHT) if is_board_label(ex) else 1 for ex in training]) * pool
    rows = [int(i) for i in np.repeat(np.arange(len(training)), repeats)]
    sections = [training[i].section_kind for i in rows]
    pooled = {name: BatchScores(batch.scores[rows], {}, None if batch.negated is None else batch.negated[rows])
              for name, batch in members.items()}
    labels = np.asarray(label_matrix([training[i] for i in rows], tax.ids)) > 0
    words = [word_count(training[i].text) for i in rows]
    best: EnsembleCalibration | None = None
    tried: list[tuple[str, float]] = []
    for candidate in (weights,) if weights is not None else WEIGHT_GRID:
        combined = combine(pooled, candidate, sections).scores
        policy = fit_policy(combined, labels, words)
        tried.append((describe_weights(candidate), policy.micro_f1))
        if best is None or policy.micro_f1 > best.micro_f1 + 1e-9:
            best = EnsembleCalibration(dict(candidate), policy, policy.micro_f1, int(pool.sum()))
    assert best is not None
    if stack and weights is None and all(name in pooled for name in STACK_MEMBERS):
        features = stack_features(pooled, [kind in NON_FINDING_SECTIONS for kind in sections])
        groups = [neighbour_group(training[i]) for i in rows]
        policy = fit_policy(out_of_group_probabilities(features, labels, groups), labels, words)
        tried.append(("stacked", policy.micro_f1))
        return EnsembleCalibration(best.weights, policy, policy.micro_f1, best.passages, tuple(tried),
                                   fit_stacker(features, labels))
    return EnsembleCalibration(best.weights, best.policy, best.micro_f1, best.passages, tuple(tried))


def fit_rule(training: Sequence[LabelledExample], taxonomy: Taxonomy | None = None) -> RuleTagger:
    """A rule tagger whose cue weights are learned on the calibration pool of ``training`` (none to
    learn from leaves every cue at full weight)."""
    rule = RuleTagger(taxonomy)
    pool = [ex for ex in training if in_calibration_pool(ex)]
    if pool:
        rule.fit_cue_weights([ex.text for ex in pool], [set(ex.standards) for ex in pool])
    return rule


def fit_members(training: Sequence[LabelledExample], vectors: np.ndarray, taxonomy: Taxonomy,
                encoder: TextEncoder) -> dict[str, Scorer]:
    """The ensemble's members fitted on all training data (rule cue weights from the calibration pool)."""
    return {
        "rule": fit_rule(training, taxonomy),
        "embedding": fit_embedding(training, vectors, taxonomy, encoder),
        "supervised": fit_supervised(training, vectors, taxonomy, encoder),
        "neighbours": fit_neighbours(training, vectors, taxonomy, encoder),
    }


def build_ensemble(training: Sequence[LabelledExample], vectors: np.ndarray, encoder: TextEncoder,
                   taxonomy: Taxonomy | None = None, members: dict[str, Scorer] | None = None,
                   weights: dict[str, float] | None = None, calibrate: bool = True,
                   calibration: EnsembleCalibration | None = None) -> EnsembleTagger:
    """Fit the members on all training data; choose fusion weights and the decision policy out of fold.

    Out of fold, each training review passage is scored by members fitted without its review
    type; weights and the :class:`~taxonomy.decision.DecisionPolicy` are chosen on those scores.
    ``calibration`` reuses one chosen earlier (for example with fewer extra examples);
    ``calibrate=False`` keeps the old rule (0.5, at most two suggestions).
    """
    tax = taxonomy or load_taxonomy()
    if members is None:
        members = fit_members(training, vectors, tax, encoder)
    elif "neighbours" not in members:  # saved members hold the three slow fits; this one takes a second
        members = {**members, "neighbours": fit_neighbours(training, vectors, tax, encoder)}
    if calibration is None and calibrate:
        calibration = calibrate_ensemble(training, vectors, encoder, tax, weights)
    if calibration is None:
        return EnsembleTagger(members, weights=weights, taxonomy=tax)
    return EnsembleTagger(members, weights=calibration.weights, taxonomy=tax, calibration=calibration,
                          policy=calibration.policy)


def calibration_to_json(calibration: EnsembleCalibration) -> dict[str, Any]:
    """A JSON-ready form of a calibration (to cache it beside the training vectors)."""
    return asdict(calibration)


def calibration_from_json(data: dict[str, Any]) -> EnsembleCalibration:
    """The calibration :func:`calibration_to_json` wrote."""
    policy = dict(data["policy"])
    for key in ("thresholds", "count_prior", "buckets"):
        policy[key] = tuple(policy[key])
    stacker = data.get("stacker")
    return EnsembleCalibration(
        weights={str(k): float(v) for k, v in data["weights"].items()},
        policy=DecisionPolicy(**policy),
        micro_f1=float(data["micro_f1"]),
        passages=int(data["passages"]),
        candidates=tuple((str(a), float(b)) for a, b in data.get("candidates", ())),
        stacker=None if stacker is None else Stacker(
            coefficients=tuple(tuple(float(w) for w in row) for row in stacker["coefficients"]),
            intercepts=tuple(float(b) for b in stacker["intercepts"]),
        ),
    )
