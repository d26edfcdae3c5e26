"""Ensemble tagger: a weighted average of members' calibrated scores, adjusted by rule evidence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from taxonomy.decision import MAX_RANKED, DecisionPolicy, word_count
from taxonomy.models import Suggestion, TagInput
from taxonomy.scoring import DECISION, BatchScores, Scorer, SuggestionBuilder
from taxonomy.stacking import STACK_MEMBERS, stack_features
from taxonomy.standards import Taxonomy, load_taxonomy

DEFAULT_WEIGHTS: dict[str, float] = {"rule": 1.0, "embedding": 1.0, "supervised": 2.0}
RULE_BOOST = 0.0
"""Added where the rule member matched the standard's cues (kept as a knob; 0 measured best)."""
NEGATION_PENALTY = 0.15
"""Subtracted where the rule member saw the standard's cues only under negation."""
SECTION_PENALTY = 0.3
"""Subtracted in sections that record process or background rather than findings."""
NON_FINDING_SECTIONS = frozenset({
    "front_matter", "terms_of_reference", "methodology", "family_involvement", "panel", "parallel",
    "timeline", "statements", "glossary", "wg_use_only",
})
"""Section kinds (``ingest.models.SECTION_KINDS``) whose passages rarely carry a finding."""


def combine(members: Mapping[str, BatchScores], weights: Mapping[str, float],
            sections: Sequence[str | None], rule_boost: float = RULE_BOOST,
            negation_penalty: float = NEGATION_PENALTY, section_penalty: float = SECTION_PENALTY) -> BatchScores:
    """Weighted mean of member scores (``NaN`` = abstain), rule adjustments and the section penalty.

    The member whose batch carries ``negated`` flags is treated as the rule member; its evidence
    spans are kept.
    """
    first = next(iter(members.values()))
    total = np.zeros(first.scores.shape)
    weight = np.zeros(first.scores.shape)
    rule: BatchScores | None = None
    for name, batch in members.items():
        w = float(weights.get(name, 1.0))
        present = ~np.isnan(batch.scores)
        total += np.where(present, batch.scores, 0.0) * w
        weight += present * w
        if batch.negated is not None:
            rule = batch
    combined = np.where(weight > 0, total / np.maximum(weight, 1e-12), 0.0)
    evidence: dict[tuple[int, int], tuple[int, int]] = {}
    if rule is not None:
        matched = rule.scores > 0
        combined = combined + rule_boost * matched
        if rule.negated is not None:
            combined = combined - negation_penalty * (rule.negated & ~matched)
        evidence = dict(rule.evidence)
    penalised = np.array([s in NON_FINDING_SECTIONS for s in sections], dtype=bool)
    combined = combined - section_penalty * penalised[:, None]
    return BatchScores(np.clip(combined, 0.0, 1.0), evidence)


class EnsembleTagger:
    """Combines member taggers' calibrated scores (0.5 = each member's own threshold).

    With a calibration holding a :class:`~taxonomy.stacking.Stacker` (the default since it was
    measured better on unseen writers), the score is its probability. Otherwise it is the weighted
    mean over members that do not abstain, minus
    :data:`NEGATION_PENALTY` where the rule member saw the standard's cues only negated and
    :data:`SECTION_PENALTY` in process/background sections. With a :class:`DecisionPolicy`
    (per-standard thresholds and a label-count prior, chosen out of fold by
    :func:`taxonomy.calibration.calibrate_ensemble`) the policy decides what is above the line and
    up to :data:`~taxonomy.decision.MAX_RANKED` ranked suggestions are returned, those below the
    line flagged ``accepted=False``. Without one, standards at or above ``threshold`` are
    suggested, at most ``max_suggestions``. Evidence is the rule member's best sentence, else the
    sentence with the strongest cue wording.
    """

    name = "ensemble"

    def __init__(self, members: Mapping[str, Scorer], weights: Mapping[str, float] | None = None,
                 taxonomy: Taxonomy | None = None, threshold: float = DECISION,
                 rule_boost: float = RULE_BOOST, negation_penalty: float = NEGATION_PENALTY,
                 section_penalty: float = SECTION_PENALTY, max_suggestions: int = 2,
                 calibration: Any = None, policy: DecisionPolicy | None = None) -> None:
        if not members:
            raise ValueError("the ensemble needs at least one member tagger")
        self.taxonomy = taxonomy or load_taxonomy()
        self.members = dict(members)
        base = DEFAULT_WEIGHTS if weights is None else weights
        self.weights = {name: float(base.get(name, 1.0)) for name in self.members}
        self.threshold = threshold
        self.rule_boost = rule_boost
        self.negation_penalty = negation_penalty
        self.section_penalty = section_penalty
        self.calibration = calibration
        self.policy = policy
        self._builder = SuggestionBuilder(self.taxonomy, self.name, threshold=threshold,
                                          max_suggestions=max_suggestions)

    def score(self, items: list[TagInput]) -> BatchScores:
        """Combined scores in [0, 1] (the calibration's stacker's probabilities when it has one, else
        the weighted mean); evidence carried over from the rule member."""
        if not items:
            return BatchScores(np.zeros((0, len(self.taxonomy.standards))))
        batches = {name: member.score(items) for name, member in self.members.items()}
        sections = [item.section_kind for item in items]
        stacker = getattr(self.calibration, "stacker", None)
        if stacker is None or not all(name in batches for name in STACK_MEMBERS):
            return combine(batches, self.weights, sections, self.rule_boost, self.negation_penalty,
                           self.section_penalty)
        features = stack_features(batches, [kind in NON_FINDING_SECTIONS for kind in sections])
        return BatchScores(stacker.probabilities(features), dict(batches["rule"].evidence))

    def tag(self, items: list[TagInput]) -> list[list[Suggestion]]:
        """One list of suggestions per input: above the line first, then ranked ones below it."""
        batch = self.score(items)
        if self.policy is None:
            return self._builder.build(items, batch)
        accepted = self.policy.accept(batch.scores, [word_count(item.text) for item in items])
        return self._builder.build(items, batch, accepted=accepted, ranked=MAX_RANKED)
