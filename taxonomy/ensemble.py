"""Ensemble tagger: a weighted average of members' calibrated scores, boosted by rule evidence."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from taxonomy.models import Suggestion, TagInput
from taxonomy.scoring import DECISION, BatchScores, Scorer, SuggestionBuilder
from taxonomy.standards import Taxonomy, load_taxonomy

DEFAULT_WEIGHTS: dict[str, float] = {"rule": 1.0, "embedding": 1.0, "supervised": 1.5}
RULE_BOOST = 0.08
"""Added when the rule tagger found non-negated cues for the standard."""
NEGATION_PENALTY = 0.15
"""Subtracted when the rule tagger found the standard's cues only under negation."""


class EnsembleTagger:
    """Combines member taggers' calibrated scores (0.5 = each member's own threshold).

    The score is the weighted mean over members that do not abstain (``NaN``), plus
    :data:`RULE_BOOST` where the rule member matched the standard's cues, minus
    :data:`NEGATION_PENALTY` where it saw them only negated. Below ``threshold`` the ensemble
    abstains. Evidence is the rule member's best sentence, else the sentence with the strongest cue
    wording.
    """

    name = "ensemble"

    def __init__(self, members: Mapping[str, Scorer], weights: Mapping[str, float] | None = None,
                 taxonomy: Taxonomy | None = None, threshold: float = DECISION,
                 rule_boost: float = RULE_BOOST, negation_penalty: float = NEGATION_PENALTY,
                 max_suggestions: int = 4) -> None:
        if not members:
            raise ValueError("the ensemble needs at least one member tagger")
        self.taxonomy = taxonomy or load_taxonomy()
        self.members = dict(members)
        base = DEFAULT_WEIGHTS if weights is None else weights
        self.weights = {name: float(base.get(name, 1.0)) for name in self.members}
        self.threshold = threshold
        self.rule_boost = rule_boost
        self.negation_penalty = negation_penalty
        self._builder = SuggestionBuilder(self.taxonomy, self.name, threshold=threshold,
                                          max_suggestions=max_suggestions)

    def score(self, items: list[TagInput]) -> BatchScores:
        """Combined scores in [0, 1]; evidence carried over from the rule member."""
        k = len(self.taxonomy.standards)
        total = np.zeros((len(items), k))
        weight = np.zeros((len(items), k))
        evidence: dict[tuple[int, int], tuple[int, int]] = {}
        rule: BatchScores | None = None
        for name, member in self.members.items():
            batch = member.score(items)
            present = ~np.isnan(batch.scores)
            total += np.where(present, batch.scores, 0.0) * self.weights[name]
            weight += present * self.weights[name]
            if batch.negated is not None:
                rule = batch
        with np.errstate(invalid="ignore", divide="ignore"):
            combined = np.where(weight > 0, total / np.maximum(weight, 1e-12), 0.0)
        if rule is not None:
            matched = rule.scores > 0
            combined = combined + self.rule_boost * matched
            if rule.negated is not None:
                combined = combined - self.negation_penalty * (rule.negated & ~matched)
            evidence = dict(rule.evidence)
        return BatchScores(np.clip(combined, 0.0, 1.0), evidence)

    def tag(self, items: list[TagInput]) -> list[list[Suggestion]]:
        """One list of suggestions per input, each sorted by descending score."""
        return self._builder.build(items, self.score(items))
