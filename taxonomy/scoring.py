"""Calibrated score matrices and their conversion to :class:`Suggestion` lists.

Every tagger scores a batch as a matrix ``scores[i, j]`` (passage ``i``, standard ``taxonomy.ids[j]``)
in ``[0, 1]`` where **0.5 is that tagger's own decision threshold**; ``NaN`` means the tagger abstains
on that standard (for example too few training labels). Keeping one convention makes scores of
different taggers comparable, so the ensemble can average them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from taxonomy.lexicon import CueVocabulary
from taxonomy.models import Suggestion, TagInput
from taxonomy.polarity import classify_polarity
from taxonomy.sentences import sentence_spans
from taxonomy.standards import Taxonomy

DECISION = 0.5
"""Calibrated score at and above which a tagger suggests a standard."""
BELOW_LINE_MIN = 0.05
"""Lowest score of a ranked suggestion shown below the line."""


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

    def build(self, items: list[TagInput], batch: BatchScores, accepted: np.ndarray | None = None,
              ranked: int = 0, min_score: float = BELOW_LINE_MIN) -> list[list[Suggestion]]:
        """One list per item, each sorted by descending score (ties by standard id).

        Without ``accepted`` a standard is suggested at or above the threshold (at most
        ``max_suggestions``). With ``accepted`` (a boolean matrix from a decision policy) those are
        the suggestions above the line, and up to ``ranked`` suggestions in all are returned: the
        next-best standards scoring at least ``min_score`` follow with ``accepted=False``. An empty
        text gets no suggestions.
        """
        ids = self.taxonomy.ids
        out: list[list[Suggestion]] = []
        for i, item in enumerate(items):
            if not item.text.strip():
                out.append([])
                continue
            row = np.nan_to_num(batch.scores[i], nan=0.0)
            order = np.argsort(-row, kind="stable")
            if accepted is None:
                chosen = [j for j in order if row[j] >= self.threshold][: self.max_suggestions]
                above = {int(j) for j in chosen}
            else:
                above = {int(j) for j in order if accepted[i, j]}
                below = [j for j in order if int(j) not in above and row[j] >= min_score]
                chosen = [j for j in order if int(j) in above] + below[: max(0, ranked - len(above))]
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
                        accepted=int(j) in above,
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


def ranked_suggestions(tagger: Any, items: list[TagInput], taxonomy: Taxonomy,
                       ranked: int = 6) -> list[list[Suggestion]]:
    """The tagger's suggestions (above the line), followed by its next-best standards flagged
    ``accepted=False``, up to ``ranked`` in all: what a panel sees, so a standard the tagger
    nearly chose is not silently dropped. Works for any tagger with ``tag`` and ``score``."""
    rows = tagger.tag(items)
    if not items:
        return rows
    batch = tagger.score(items)
    index = {sid: j for j, sid in enumerate(taxonomy.ids)}
    accepted = np.zeros(batch.scores.shape, dtype=bool)
    for i, row in enumerate(rows):
        for s in row:
            if s.accepted:
                accepted[i, index[s.standard]] = True
    builder = SuggestionBuilder(taxonomy, str(getattr(tagger, "name", "tagger")))
    return builder.build(items, batch, accepted=accepted, ranked=ranked)
