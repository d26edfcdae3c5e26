"""Review-to-review similarity.

A review's vector is the mean of its passage embeddings, re-normalised; two reviews score
``dense_weight * cosine + (1 - dense_weight) * jaccard(standards)``, where the standards of a
review are the union of its passages' standards. The reason names the shared standards and the
shared distinctive terms (each review's top terms by summed BM25 weight, which already favours
words rare in the corpus).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from index.text import word_spans

DENSE_WEIGHT = 0.7
TOP_TERMS = 30
REASON_TERMS = 6


class SimilarReview(NamedTuple):
    """One similar review: its id, the combined score and a sentence saying why."""

    review_id: int
    score: float
    reason: str


@dataclass(frozen=True)
class ReviewProfiles:
    """Per-review vectors, standards and distinctive terms, row ``i`` for ``review_ids[i]``."""

    review_ids: np.ndarray
    vectors: np.ndarray
    standards: tuple[frozenset[str], ...]
    terms: tuple[dict[str, float], ...]

    def row(self, review_id: int) -> int:
        """Row of ``review_id``; ``KeyError`` when the review has no passages."""
        where = int(np.searchsorted(self.review_ids, review_id))
        if where >= self.review_ids.size or int(self.review_ids[where]) != review_id:
            raise KeyError(f"review {review_id} has no indexed passages")
        return where


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """|a ∩ b| / |a ∪ b|, and 0.0 when both are empty."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _top_terms(weights: Any, vocabulary: Sequence[str], top: int) -> tuple[dict[str, float], ...]:
    """Top ``top`` terms of each row of a (reviews x vocabulary) scipy sparse matrix."""
    rows: list[dict[str, float]] = []
    csr = weights.tocsr()
    for r in range(csr.shape[0]):
        start, end = csr.indptr[r], csr.indptr[r + 1]
        cols, vals = csr.indices[start:end], csr.data[start:end]
        keep = np.argsort(-vals, kind="stable")[:top]
        rows.append({vocabulary[int(cols[i])]: float(vals[i]) for i in keep if vocabulary[int(cols[i])]})
    return tuple(rows)


def build_profiles(
    review_id_by_row: np.ndarray,
    standards_by_row: Sequence[Sequence[str]],
    vectors_of_rows: Callable[[np.ndarray], np.ndarray],
    term_weights: Any = None,
    vocabulary: Sequence[str] = (),
    *,
    top_terms: int = TOP_TERMS,
) -> ReviewProfiles:
    """Profiles of every review present in ``review_id_by_row``.

    ``vectors_of_rows(rows)`` returns the embeddings of those rows; ``term_weights`` is a scipy
    sparse matrix with one row per review in ascending review-id order (or ``None``).
    """
    reviews, codes = np.unique(np.asarray(review_id_by_row, dtype=np.int64), return_inverse=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(reviews.size + 1))
    vectors: list[np.ndarray] = []
    standards: list[frozenset[str]] = []
    for r in range(reviews.size):
        rows = order[bounds[r] : bounds[r + 1]]
        mean = vectors_of_rows(rows).mean(axis=0)
        norm = float(np.linalg.norm(mean))
        vectors.append(mean / norm if norm > 0 else mean)
        standards.append(frozenset(s for row in rows.tolist() for s in standards_by_row[row]))
    dimension = vectors[0].shape[0] if vectors else 0
    matrix = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, dimension), np.float32)
    terms = (
        _top_terms(term_weights, vocabulary, top_terms)
        if term_weights is not None
        else tuple({} for _ in range(reviews.size))
    )
    return ReviewProfiles(reviews, matrix, tuple(standards), terms)


def surface_forms(texts: Sequence[str]) -> dict[str, str]:
    """The most frequent (lower-cased) word seen for each stem in ``texts``."""
    counts: dict[str, Counter[str]] = {}
    for text in texts:
        for span in word_spans(text):
            if span.stem:
                counts.setdefault(span.stem, Counter())[text[span.start : span.end].lower()] += 1
    return {stem: words.most_common(1)[0][0] for stem, words in counts.items()}


def _reason(shared_standards: list[str], shared_terms: list[str]) -> str:
    parts = []
    if shared_standards:
        parts.append("shared standards: " + ", ".join(shared_standards))
    if shared_terms:
        parts.append("shared distinctive terms: " + ", ".join(shared_terms))
    return "; ".join(parts) if parts else "similar wording overall (no shared standards or distinctive terms)"


def similar_reviews(
    profiles: ReviewProfiles,
    review_id: int,
    *,
    k: int = 5,
    dense_weight: float = DENSE_WEIGHT,
    surface: Callable[[int], dict[str, str]] | None = None,
) -> list[SimilarReview]:
    """The ``k`` reviews most similar to ``review_id`` (never itself), best first.

    ``surface(review_id)`` may map stems to readable words for the reason.
    """
    target = profiles.row(review_id)
    cosine = profiles.vectors @ profiles.vectors[target]
    mine = profiles.standards[target]
    overlap = np.asarray([jaccard(mine, theirs) for theirs in profiles.standards], dtype=np.float32)
    scores = dense_weight * cosine + (1.0 - dense_weight) * overlap
    scores[target] = -np.inf
    ranked = [int(i) for i in np.lexsort((profiles.review_ids, -scores)) if i != target][:k]
    words = surface(review_id) if surface else {}
    results = []
    for row in ranked:
        other_id = int(profiles.review_ids[row])
        theirs = profiles.terms[row]
        shared = sorted(
            set(profiles.terms[target]) & set(theirs),
            key=lambda t: -(profiles.terms[target][t] + theirs[t]),
        )[:REASON_TERMS]
        other_words = surface(other_id) if surface else {}
        readable = [words.get(t) or other_words.get(t) or t for t in shared]
        reason = _reason(sorted(mine & profiles.standards[row]), readable)
        results.append(SimilarReview(other_id, float(scores[row]), reason))
    return results
