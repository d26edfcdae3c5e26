"""Calibrated score matrices and their conversion to :class:`Suggestion` lists.

Every tagger scores a batch as a matrix ``scores[i, j]`` (passage ``i``, standard ``taxonomy.ids[j]``)
in ``[0, 1]`` where **0.5 is that tagger's own decision threshold**; ``NaN`` means the tagger abstains
on that standard (for example too few training labels). Keeping one convention makes scores of
different taggers comparable, so the ensemble can average them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from taxonomy.lexicon import CueVocabulary
from taxonomy.models import Suggestion, TagInput
from taxonomy.polarity import classify_polarity
from taxonomy.sentences import sentence_spans
from taxonomy.standards import Taxonomy

DECISION = 0.5
"""Calibrated score at and above which a tagger suggests a standard."""


@dataclass(frozen=True)
class BatchScores:
    """Scores of one batch, with optional evidence spans keyed by ``(item index, standard index)``."""

    scores: np.ndarray
    evidence: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    negated: np.ndarray | None = None
    """Boolean (n, k): the standard's cues were found only under negation (rule-based taggers)."""


def logistic(x: np.ndarray, centre: np.ndarray | float, width: float) -> np.ndarray:
    """Map raw scores to ``[0, 1]`` so that ``centre`` lands on :data:`DECISION`."""
    z = np.clip((x - centre) / max(width, 1e-6), -30.0, 30.0)
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


class SuggestionBuilder:
    """Turns :class:`BatchScores` into sorted suggestions with evidence and polarity."""

    def __init__(self, taxonomy: Taxonomy, tagger: str, threshold: float = DECISION,
                 max_suggestions: int = 6) -> None:
        self.taxonomy = taxonomy
        self.tagger = tagger
        self.threshold = threshold
        self.max_suggestions = max_suggestions
        self.vocabulary = CueVocabulary.build(taxonomy)

    def build(self, items: list[TagInput], batch: BatchScores) -> list[list[Suggestion]]:
        """One list per item, each sorted by descending score (ties by standard id)."""
        ids = self.taxonomy.ids
        out: list[list[Suggestion]] = []
        for i, item in enumerate(items):
            row = np.nan_to_num(batch.scores[i], nan=0.0)
            chosen = [j for j in np.argsort(-row, kind="stable") if row[j] >= self.threshold]
            chosen = chosen[: self.max_suggestions]
            spans: list[tuple[int, int]] | None = None
            suggestions = []
            for j in chosen:
                span = batch.evidence.get((i, int(j)))
                if span is None:
                    if spans is None:
                        spans = sentence_spans(item.text)
                    span = self.vocabulary.best_sentence(item.text, spans, int(j))
                start, end = span
                sentence = item.text[start:end]
                suggestions.append(
                    Suggestion(
                        standard=ids[int(j)],
                        score=float(min(1.0, max(0.0, row[j]))),
                        polarity=classify_polarity(sentence, item.section_kind),
                        evidence=sentence,
                        evidence_start=start,
                        evidence_end=end,
                        tagger=self.tagger,
                    )
                )
            out.append(suggestions)
        return out


class Scorer(Protocol):
    """A tagger that can also return its full calibrated score matrix (all taggers here can)."""

    name: str

    def score(self, items: list[TagInput]) -> BatchScores:
        """Calibrated scores for a batch (0.5 = the tagger's own decision threshold)."""
        ...
