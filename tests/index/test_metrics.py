"""Ranking metrics: hand-computed tables.

Handy logs for the hand computations: log2(2) = 1, log2(3) = 1.5849625, log2(4) = 2,
log2(5) = 2.3219281, log2(6) = 2.5849625, log2(7) = 2.8073549.
Exponential gains: grade 3 -> 7, grade 2 -> 3, grade 1 -> 1, grade 0 -> 0.
"""

from __future__ import annotations

import pytest

from index.metrics import (
    MetricSummary,
    QueryScores,
    dcg_at_k,
    evaluate_run,
    gain,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)

GRADED = {1: 3, 2: 2, 3: 1}  # gains 7, 3, 1
# Ideal DCG of GRADED = 7/1 + 3/1.5849625 + 1/2 = 7 + 1.8927893 + 0.5 = 9.3927893


@pytest.mark.parametrize(
    ("grade", "expected"),
    [(0, 0.0), (1, 1.0), (2, 3.0), (3, 7.0)],
)
def test_gain_is_exponential(grade: int, expected: float) -> None:
    assert gain(grade) == expected


def test_negative_grade_is_rejected() -> None:
    with pytest.raises(ValueError):
        gain(-1)


@pytest.mark.parametrize(
    ("gains", "k", "expected"),
    [
        # Wikipedia's example: 3 + 2/1.585 + 3/2 + 0/2.322 + 1/2.585 + 2/2.807
        #                    = 3 + 1.2618595 + 1.5 + 0 + 0.3868528 + 0.7124143 = 6.8611266
        ([3, 2, 3, 0, 1, 2], 6, 6.8611266),
        # Cut at 2: 3 + 2/1.585 = 4.2618595
        ([3, 2, 3, 0, 1, 2], 2, 4.2618595),
        # k larger than the list: missing ranks add nothing.
        ([1], 10, 1.0),
        ([], 10, 0.0),
    ],
)
def test_dcg_at_k(gains: list[float], k: int, expected: float) -> None:
    assert dcg_at_k(gains, k) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("ranked", "graded", "k", "expected"),
    [
        # Perfect order.
        ([1, 2, 3], GRADED, 10, 1.0),
        # Perfect order with unjudged passages after the judged ones.
        ([1, 2, 3, 8, 9], GRADED, 10, 1.0),
        # Nothing retrieved.
        ([], GRADED, 10, 0.0),
        # Only unjudged passages retrieved.
        ([7, 8, 9], GRADED, 10, 0.0),
        # Reversed: 1/1 + 3/1.5849625 + 7/2 = 6.3927893; / 9.3927893 = 0.6806057
        ([3, 2, 1], GRADED, 10, 0.6806057),
        # Best passage at rank 2 behind a miss: 7/1.5849625 = 4.4165084; / 9.3927893 = 0.4702022
        ([9, 1], GRADED, 10, 0.4702022),
        # Cut-off: at k=2 the ranking [5, 1, 2] scores 0 + 7/1.5849625 = 4.4165084;
        # the ideal at k=2 is 7 + 3/1.5849625 = 8.8927893; nDCG = 0.4966386
        ([5, 1, 2], GRADED, 2, 0.4966386),
        # Ideal from all judged, not only retrieved: [1] of {1:1, 2:1} scores 1;
        # the ideal is 1 + 1/1.5849625 = 1.6309298; nDCG = 0.6131472
        ([1], {1: 1, 2: 1}, 10, 0.6131472),
        # A repeated id counts once, at its best rank: [1, 1, 2] behaves as [1, 2].
        ([1, 1, 2], {1: 1, 2: 1}, 10, 1.0),
        # Grade-0 judgments add no gain and do not raise the ideal.
        ([4, 1], {1: 1, 4: 0}, 10, 0.6309298),
        # No positive judgment: nothing to find, defined as 0.
        ([1, 2], {1: 0, 2: 0}, 10, 0.0),
        ([1, 2], {}, 10, 0.0),
    ],
)
def test_ndcg_at_k(ranked: list[int], graded: dict[int, int], k: int, expected: float) -> None:
    assert ndcg_at_k(ranked, graded, k) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("ranked", "relevant", "k", "expected"),
    [
        ([1, 2, 3, 4], {1, 2, 3, 4}, 10, 1.0),
        ([1, 9, 3], {1, 2, 3, 4}, 10, 0.5),
        ([1, 9, 3], {1, 2, 3, 4}, 1, 0.25),
        ([4, 3, 2, 1], {1, 2, 3, 4}, 2, 0.5),
        ([1, 1, 1], {1, 2}, 10, 0.5),
        ([], {1, 2}, 10, 0.0),
        ([1, 2], set(), 10, 0.0),
    ],
)
def test_recall_at_k(ranked: list[int], relevant: set[int], k: int, expected: float) -> None:
    assert recall_at_k(ranked, relevant, k) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ranked", "relevant", "k", "expected"),
    [
        ([1, 2, 3], {1}, None, 1.0),
        ([9, 8, 1], {1}, None, 1 / 3),
        ([9, 8, 1], {1}, 2, 0.0),
        ([9, 2, 1], {1, 2}, None, 0.5),
        ([9, 9, 1], {1}, None, 0.5),  # the repeated 9 occupies rank 1 only
        ([], {1}, None, 0.0),
        ([7, 8], {1}, None, 0.0),
    ],
)
def test_reciprocal_rank(ranked: list[int], relevant: set[int], k: int | None, expected: float) -> None:
    assert reciprocal_rank(ranked, relevant, k) == pytest.approx(expected)


@pytest.mark.parametrize("k", [0, -1])
def test_non_positive_cut_off_is_rejected(k: int) -> None:
    with pytest.raises(ValueError):
        ndcg_at_k([1], {1: 1}, k)
    with pytest.raises(ValueError):
        recall_at_k([1], {1}, k)
    with pytest.raises(ValueError):
        reciprocal_rank([1], {1}, k)
    with pytest.raises(ValueError):
        dcg_at_k([1.0], k)


def test_evaluate_run_means_over_judged_queries() -> None:
    qrels = {
        "perfect": {1: 2, 2: 1},
        "reversed": {1: 2, 2: 1},
        "missing_from_run": {5: 1},
        "nothing_relevant": {6: 0},  # skipped: no grade >= 1
    }
    runs = {
        "perfect": [1, 2],
        # [2, 1]: 1/1 + 3/1.5849625 = 2.8927893; ideal 3 + 1/1.5849625 = 3.6309298; nDCG 0.7967075
        "reversed": [2, 1],
        "not_in_qrels": [1, 2],  # ignored
    }
    summary = evaluate_run(runs, qrels, k=10)
    assert isinstance(summary, MetricSummary)
    assert set(summary.per_query) == {"perfect", "reversed", "missing_from_run"}
    assert summary.per_query["perfect"] == QueryScores(ndcg=1.0, recall=1.0, reciprocal_rank=1.0)
    assert summary.per_query["reversed"].ndcg == pytest.approx(0.7967075, abs=1e-6)
    assert summary.per_query["missing_from_run"] == QueryScores(ndcg=0.0, recall=0.0, reciprocal_rank=0.0)
    # Means over three queries.
    assert summary.ndcg == pytest.approx((1.0 + 0.7967075 + 0.0) / 3, abs=1e-6)
    assert summary.recall == pytest.approx(2 / 3)
    assert summary.mrr == pytest.approx(2 / 3)


def test_evaluate_run_respects_cut_off() -> None:
    # The only relevant passage sits at rank 3: found at k=3, missed at k=2.
    qrels = {"q": {1: 1}}
    runs = {"q": [8, 9, 1]}
    at_three = evaluate_run(runs, qrels, k=3)
    at_two = evaluate_run(runs, qrels, k=2)
    # At k=3: DCG = 1/log2(4) = 0.5, ideal 1 -> nDCG 0.5; recall 1; RR 1/3.
    assert (at_three.ndcg, at_three.recall, at_three.mrr) == pytest.approx((0.5, 1.0, 1 / 3))
    assert (at_two.ndcg, at_two.recall, at_two.mrr) == (0.0, 0.0, 0.0)


def test_evaluate_run_without_judged_queries_is_an_error() -> None:
    with pytest.raises(ValueError):
        evaluate_run({"q": [1]}, {"q": {1: 0}})
