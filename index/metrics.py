"""Ranking-quality metrics for the search evaluation. Pure functions; no index access.

Conventions shared by every function here:

* Ranks start at 1. A ranked list may repeat an id; only its first (best) position counts, so a
  retriever cannot earn credit twice for the same passage.
* ``k`` is a cut-off and must be at least 1.
* nDCG uses exponential gain ``2**grade - 1`` with a ``log2(rank + 1)`` discount; the ideal ranking
  is built from *all* judged passages of the query, not only the retrieved ones.
* A passage is relevant when its grade is at least 1; grade 0 means "judged, not relevant".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"cut-off k must be at least 1, got {k}")


def _first_occurrences(ranked_ids: Iterable[int]) -> list[int]:
    """The ranking with repeated ids removed, keeping each id at its best rank."""
    seen: set[int] = set()
    unique: list[int] = []
    for item in ranked_ids:
        if item not in seen:
            seen.add(item)
            unique.append(item)
    return unique


def gain(grade: int) -> float:
    """Exponential gain of a relevance grade: ``2**grade - 1`` (grade 0 gives 0).

    Raises ValueError for a negative grade.
    """
    if grade < 0:
        raise ValueError(f"relevance grade must be non-negative, got {grade}")
    return float(2**grade - 1)


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first ``k`` gains, in rank order.

    ``gains[i]`` is the gain of the item at rank ``i + 1`` and is divided by ``log2(i + 2)``.
    Fewer than ``k`` gains is fine (missing ranks contribute nothing).
    """
    _check_k(k)
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(gains[:k]))


def ndcg_at_k(ranked_ids: Sequence[int], graded: Mapping[int, int], k: int = 10) -> float:
    """Normalised DCG at ``k``: DCG of the ranking divided by the DCG of the ideal ranking.

    ``graded`` maps passage id to relevance grade; ids absent from it have grade 0. The ideal
    ranking sorts every judged grade in descending order. Returns 0.0 when no judged passage has
    a positive grade (there is nothing to find), so the result is always in ``[0, 1]``.
    """
    _check_k(k)
    ideal = dcg_at_k(sorted((gain(g) for g in graded.values()), reverse=True), k)
    if ideal == 0.0:
        return 0.0
    ranked = _first_occurrences(ranked_ids)[:k]
    actual = dcg_at_k([gain(graded.get(pid, 0)) for pid in ranked], k)
    return actual / ideal


def recall_at_k(ranked_ids: Sequence[int], relevant: set[int], k: int = 10) -> float:
    """Share of the relevant ids that appear in the first ``k`` ranks.

    Returns 0.0 when ``relevant`` is empty.
    """
    _check_k(k)
    if not relevant:
        return 0.0
    found = set(_first_occurrences(ranked_ids)[:k]) & relevant
    return len(found) / len(relevant)


def reciprocal_rank(ranked_ids: Sequence[int], relevant: set[int], k: int | None = None) -> float:
    """``1 / rank`` of the first relevant id, or 0.0 when none is ranked.

    With ``k`` given, only the first ``k`` ranks are looked at (MRR@k).
    """
    ranked = _first_occurrences(ranked_ids)
    if k is not None:
        _check_k(k)
        ranked = ranked[:k]
    for rank, pid in enumerate(ranked, start=1):
        if pid in relevant:
            return 1.0 / rank
    return 0.0


@dataclass(frozen=True)
class QueryScores:
    """The metrics of one query."""

    ndcg: float
    recall: float
    reciprocal_rank: float


@dataclass(frozen=True)
class MetricSummary:
    """Mean metrics over the evaluated queries, plus each query's own scores (by query id)."""

    ndcg: float
    recall: float
    mrr: float
    per_query: Mapping[str, QueryScores]


def evaluate_run(
    runs: Mapping[str, Sequence[int]], qrels: Mapping[str, Mapping[int, int]], k: int = 10
) -> MetricSummary:
    """Mean nDCG@k, Recall@k and MRR@k of a run against graded judgments.

    ``runs`` maps query id to its ranked passage ids; ``qrels`` maps query id to
    ``{passage_id: grade}``. Every query in ``qrels`` with at least one relevant passage
    (grade >= 1) is evaluated; a query missing from ``runs`` counts as an empty ranking and
    scores 0. Queries only in ``runs`` are ignored. Raises ValueError when no query can be
    evaluated.
    """
    _check_k(k)
    per_query: dict[str, QueryScores] = {}
    for qid in sorted(qrels):
        graded = qrels[qid]
        relevant = {pid for pid, grade in graded.items() if grade >= 1}
        if not relevant:
            continue
        ranked = runs.get(qid, [])
        per_query[qid] = QueryScores(
            ndcg=ndcg_at_k(ranked, graded, k),
            recall=recall_at_k(ranked, relevant, k),
            reciprocal_rank=reciprocal_rank(ranked, relevant, k),
        )
    if not per_query:
        raise ValueError("no query has a relevant judgment; nothing to evaluate")
    n = len(per_query)
    return MetricSummary(
        ndcg=sum(s.ndcg for s in per_query.values()) / n,
        recall=sum(s.recall for s in per_query.values()) / n,
        mrr=sum(s.reciprocal_rank for s in per_query.values()) / n,
        per_query=per_query,
    )
