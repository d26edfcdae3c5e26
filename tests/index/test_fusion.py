"""Fusion tables: reciprocal rank fusion and weighted min-max fusion."""

from __future__ import annotations

import pytest

from index.errors import UnknownNameError
from index.fusion import FUSERS, get_fuser, min_max, rrf, weighted


@pytest.mark.parametrize(
    ("rankings", "k", "expected"),
    [
        ([[1, 2, 3]], 60, [(1, 1 / 61), (2, 1 / 62), (3, 1 / 63)]),
        ([[1, 2], [2, 1]], 60, [(1, 1 / 61 + 1 / 62), (2, 1 / 62 + 1 / 61)]),
        ([[1, 2], [3, 2]], 0, [(1, 1.0), (2, 1.0), (3, 1.0)]),
        ([[5, 6], [6]], 1, [(6, 1 / 3 + 1 / 2), (5, 1 / 2)]),
        ([[7, 7, 8]], 60, [(7, 1 / 61), (8, 1 / 63)]),
        ([[], []], 60, []),
        ([], 60, []),
    ],
)
def test_rrf(rankings: list[list[int]], k: int, expected: list[tuple[int, float]]) -> None:
    fused = rrf(rankings, k=k)
    assert [i for i, _ in fused] == [i for i, _ in expected]
    assert [s for _, s in fused] == pytest.approx([s for _, s in expected])


def test_rrf_breaks_ties_by_smaller_id() -> None:
    assert [i for i, _ in rrf([[9], [4]])] == [4, 9]


@pytest.mark.parametrize(
    ("scored", "expected"),
    [
        ([(1, 10.0), (2, 5.0), (3, 0.0)], [(1, 1.0), (2, 0.5), (3, 0.0)]),
        ([(1, 2.0), (2, 2.0)], [(1, 1.0), (2, 1.0)]),
        ([], []),
    ],
)
def test_min_max(scored: list[tuple[int, float]], expected: list[tuple[int, float]]) -> None:
    assert min_max(scored) == expected


@pytest.mark.parametrize(
    ("lists", "weights", "expected"),
    [
        ([[(1, 4.0), (2, 2.0), (3, 0.0)], [(3, 0.9), (1, 0.1)]], [0.5, 0.5], [(1, 0.5), (3, 0.5), (2, 0.25)]),
        ([[(1, 4.0), (2, 2.0)], [(2, 0.9), (1, 0.1)]], [1.0, 0.0], [(1, 1.0), (2, 0.0)]),
        ([[(1, 4.0), (2, 2.0)], [(2, 0.9), (1, 0.1)]], [0.2, 0.8], [(2, 0.8), (1, 0.2)]),
    ],
)
def test_weighted(
    lists: list[list[tuple[int, float]]], weights: list[float], expected: list[tuple[int, float]]
) -> None:
    fused = weighted(lists, weights)
    assert [i for i, _ in fused] == [i for i, _ in expected]
    assert [s for _, s in fused] == pytest.approx([s for _, s in expected])


def test_weighted_needs_one_weight_per_list() -> None:
    with pytest.raises(ValueError, match="2 score lists but 1 weights"):
        weighted([[(1, 1.0)], [(1, 1.0)]], [1.0])


def test_unknown_fuser_lists_the_registry() -> None:
    with pytest.raises(UnknownNameError) as caught:
        get_fuser("borda")
    for name in FUSERS:
        assert name in str(caught.value)
