"""Fusing ranked lists from several retrievers into one. Pure functions; no index access.

Every fused list is sorted by descending score; ties go to the smaller id, so results are
deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from index.errors import UnknownNameError

ScoredList = Sequence[tuple[int, float]]
Fuser = Callable[[Sequence[ScoredList]], list[tuple[int, float]]]

RRF_K = 60


def _sorted(scores: dict[int, float]) -> list[tuple[int, float]]:
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def rrf(
    rankings: Sequence[Sequence[int]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each id scores ``sum(w / (k + rank))`` over the lists it is in.

    Ranks start at 1; ``weights`` (one per list, default all 1) let one retriever count more.
    An id repeated within one list counts at its best rank only.
    """
    if k < 0:
        raise ValueError("rrf k must be non-negative")
    if weights is not None and len(weights) != len(rankings):
        raise ValueError("rrf needs one weight per ranking")
    scores: dict[int, float] = {}
    for position, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else float(weights[position])
        seen: set[int] = set()
        for rank, item in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return _sorted(scores)


def min_max(scored: ScoredList) -> list[tuple[int, float]]:
    """Scale scores to [0, 1]; a list whose scores are all equal maps to 1.0 each."""
    if not scored:
        return []
    values = [score for _, score in scored]
    low, high = min(values), max(values)
    span = high - low
    return [(item, (score - low) / span if span > 0 else 1.0) for item, score in scored]


def weighted(score_lists: Sequence[ScoredList], weights: Sequence[float]) -> list[tuple[int, float]]:
    """Weighted sum of min-max-normalised scores; an id missing from a list gets 0 there."""
    if len(score_lists) != len(weights):
        raise ValueError(f"{len(score_lists)} score lists but {len(weights)} weights")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    fused: dict[int, float] = {}
    for scored, weight in zip(score_lists, weights, strict=True):
        best: dict[int, float] = {}
        for item, score in min_max(scored):
            best[item] = max(score, best.get(item, 0.0))
        for item, score in best.items():
            fused[item] = fused.get(item, 0.0) + weight * score
    return _sorted(fused)


def _rrf_fuser(score_lists: Sequence[ScoredList]) -> list[tuple[int, float]]:
    return rrf([[item for item, _ in scored] for scored in score_lists])


def _equal_weights_fuser(score_lists: Sequence[ScoredList]) -> list[tuple[int, float]]:
    count = len(score_lists)
    return weighted(score_lists, [1.0 / count] * count) if count else []


FUSERS: dict[str, Fuser] = {"rrf": _rrf_fuser, "weighted": _equal_weights_fuser}


def get_fuser(name: str) -> Fuser:
    """The fuser registered as ``name`` (``rrf`` or ``weighted`` with equal weights)."""
    try:
        return FUSERS[name]
    except KeyError:
        raise UnknownNameError("fusion", name, list(FUSERS)) from None
