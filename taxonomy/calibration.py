"""Fitting the learned taggers from labelled examples, and calibrating the ensemble out of fold.

Everything here uses training data only. The ensemble's abstention threshold is chosen on
*out-of-fold* member scores: each training passage is scored by embedding and supervised members
fitted without it, so the threshold is not fooled by members that have memorised their training set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from taxonomy.embedding import EmbeddingTagger
from taxonomy.ensemble import DEFAULT_WEIGHTS, EnsembleTagger, combine
from taxonomy.models import TagInput, TextEncoder
from taxonomy.rule import RuleTagger
from taxonomy.scoring import BatchScores, Scorer
from taxonomy.standards import Taxonomy, load_taxonomy
from taxonomy.supervised import SupervisedTagger
from taxonomy.training import LabelledExample

SAMPLE_SOURCE_WEIGHT = 0.5
"""Weight of sample-review passages in supervised fitting: their labels are denser (2-3 standards a
passage) than the focused labels suggestions are judged by."""
THRESHOLD_GRID = np.round(np.arange(0.2, 0.71, 0.025), 3)


def in_calibration_pool(example: LabelledExample) -> bool:
    """Examples labelled with focused labels (taxonomy, seed and panel); sample passages are not."""
    return not example.source.startswith("sample:")


def fit_supervised(training: Sequence[LabelledExample], vectors: np.ndarray, taxonomy: Taxonomy,
                   encoder: TextEncoder | None = None, min_positives: int = 5) -> SupervisedTagger:
    """A supervised tagger fitted on all examples, thresholds tuned on the calibration pool."""
    tagger = SupervisedTagger(taxonomy=taxonomy, encoder=encoder, min_positives=min_positives, holdout=0.4)
    weights = [1.0 if in_calibration_pool(ex) else SAMPLE_SOURCE_WEIGHT for ex in training]
    pool = [in_calibration_pool(ex) for ex in training]
    tagger.fit([(ex.text, vectors[i], ex.standards) for i, ex in enumerate(training)], weights, pool)
    return tagger


def fit_embedding(training: Sequence[LabelledExample], vectors: np.ndarray, taxonomy: Taxonomy,
                  encoder: TextEncoder) -> EmbeddingTagger:
    """An embedding tagger with prototypes from all examples, thresholds from the calibration pool."""
    pool = [in_calibration_pool(ex) for ex in training]
    return EmbeddingTagger.build(encoder, taxonomy, training, vectors, calibration_pool=pool)


@dataclass(frozen=True)
class EnsembleCalibration:
    """The chosen threshold and the out-of-fold micro-F1 it reached on the calibration pool."""

    threshold: float
    max_suggestions: int
    micro_f1: float
    passages: int


def _micro_f1(scores: np.ndarray, labels: np.ndarray, threshold: float, max_suggestions: int) -> float:
    order = np.argsort(-scores, axis=1, kind="stable")[:, :max_suggestions]
    predicted = np.zeros_like(labels, dtype=bool)
    rows = np.arange(scores.shape[0])[:, None]
    predicted[rows, order] = scores[rows, order] >= threshold
    truth = labels.astype(bool)
    tp = int(np.sum(predicted & truth))
    fp = int(np.sum(predicted & ~truth))
    fn = int(np.sum(~predicted & truth))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def out_of_fold_scores(training: Sequence[LabelledExample], vectors: np.ndarray, taxonomy: Taxonomy,
                       encoder: TextEncoder, folds: int = 4, seed: int = 0) -> dict[str, BatchScores]:
    """Member scores for every training passage from members fitted on the other folds."""
    n, k = len(training), len(taxonomy.standards)
    items = [TagInput(ex.id or str(i), ex.text, vectors[i], ex.section_kind) for i, ex in enumerate(training)]
    fold_of = np.random.default_rng(seed).integers(0, folds, size=n)
    embedding = np.zeros((n, k))
    supervised = np.full((n, k), np.nan)
    for f in range(folds):
        inside = np.flatnonzero(fold_of != f)
        outside = np.flatnonzero(fold_of == f)
        if not len(outside):
            continue
        part = [training[int(i)] for i in inside]
        held = [items[int(i)] for i in outside]
        embedding[outside] = fit_embedding(part, vectors[inside], taxonomy, encoder).score(held).scores
        supervised[outside] = fit_supervised(part, vectors[inside], taxonomy).score(held).scores
    rule = RuleTagger(taxonomy).score(items)
    return {"rule": rule, "embedding": BatchScores(embedding), "supervised": BatchScores(supervised)}


def calibrate_ensemble(training: Sequence[LabelledExample], vectors: np.ndarray, encoder: TextEncoder,
                       taxonomy: Taxonomy | None = None, weights: dict[str, float] | None = None,
                       folds: int = 4) -> EnsembleCalibration:
    """Choose the ensemble's abstention threshold and suggestion cap on out-of-fold training scores."""
    tax = taxonomy or load_taxonomy()
    members = out_of_fold_scores(training, vectors, tax, encoder, folds)
    sections = [ex.section_kind for ex in training]
    combined = combine(members, weights or DEFAULT_WEIGHTS, sections).scores
    pool = np.array([in_calibration_pool(ex) for ex in training])
    index = {sid: j for j, sid in enumerate(tax.ids)}
    labels = np.zeros((len(training), len(tax.ids)))
    for i, ex in enumerate(training):
        for sid in ex.standards:
            labels[i, index[sid]] = 1
    best = EnsembleCalibration(0.5, 2, -1.0, int(pool.sum()))
    for cap in (1, 2, 3):
        for t in THRESHOLD_GRID:
            f1 = _micro_f1(combined[pool], labels[pool], float(t), cap)
            if f1 > best.micro_f1 + 1e-9:
                best = EnsembleCalibration(float(t), cap, round(f1, 4), int(pool.sum()))
    return best


def build_ensemble(training: Sequence[LabelledExample], vectors: np.ndarray, encoder: TextEncoder,
                   taxonomy: Taxonomy | None = None, members: dict[str, Scorer] | None = None,
                   weights: dict[str, float] | None = None, calibrate: bool = False) -> EnsembleTagger:
    """Fit the members on all training data; optionally choose the ensemble threshold out of fold.

    By default the ensemble decides at 0.5, the point where the weighted members, each calibrated on
    training data, agree. Out-of-fold calibration (``calibrate=True``) was measured to pick a lower
    threshold and one suggestion per passage, which scored worse on the development set: the seed
    passages resemble each other more than real review passages do.
    """
    tax = taxonomy or load_taxonomy()
    if members is None:
        pool = [ex for ex in training if in_calibration_pool(ex)]
        rule = RuleTagger(tax)
        rule.fit_cue_weights([ex.text for ex in pool], [set(ex.standards) for ex in pool])
        members = {
            "rule": rule,
            "embedding": fit_embedding(training, vectors, tax, encoder),
            "supervised": fit_supervised(training, vectors, tax, encoder),
        }
    calibration = calibrate_ensemble(training, vectors, encoder, tax, weights) if calibrate else None
    return EnsembleTagger(
        members, weights=weights, taxonomy=tax,
        threshold=calibration.threshold if calibration else 0.5,
        max_suggestions=calibration.max_suggestions if calibration else 2,
        calibration=calibration,
    )
