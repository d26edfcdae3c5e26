"""The multi-label decision rule: per-standard thresholds, the label-count prior, floor and cap."""

from __future__ import annotations

import numpy as np
import pytest

from taxonomy.decision import DecisionPolicy, count_prior, decide, fit_policy, micro_f1, word_count
from taxonomy.models import TagInput
from taxonomy.scoring import BatchScores, SuggestionBuilder
from taxonomy.standards import load_taxonomy

K = 26


def _row(values: dict[int, float]) -> np.ndarray:
    row = np.zeros((1, K))
    for j, v in values.items():
        row[0, j] = v
    return row


@pytest.mark.parametrize(
    ("scores", "expected", "floor", "cap", "accepted"),
    [
        ({0: 0.9, 1: 0.3, 2: 0.2}, 1, 0.25, 4, {0}),  # prior met by the threshold alone
        ({0: 0.9, 1: 0.3, 2: 0.2}, 2, 0.25, 4, {0, 1}),  # filled to the prior with the next in rank
        ({0: 0.9, 1: 0.3, 2: 0.2}, 3, 0.25, 4, {0, 1}),  # ... but never below the floor
        ({0: 0.9, 1: 0.3, 2: 0.2}, 3, 0.1, 4, {0, 1, 2}),
        ({0: 0.2, 1: 0.1}, 2, 0.3, 4, set()),  # nothing reaches the floor: abstain
        ({0: 0.9, 1: 0.8, 2: 0.7, 3: 0.6}, 0, 0.0, 2, {0, 1}),  # the cap keeps the best
        ({0: 0.55, 5: 0.45}, 0, 0.0, 4, {0}),  # thresholds are per standard: 5's is 0.5
    ],
)
def test_decision_rule(scores: dict[int, float], expected: int, floor: float, cap: int, accepted: set[int]) -> None:
    thresholds = np.full(K, 0.5)
    result = decide(_row(scores), thresholds, [expected], floor, cap)
    assert set(np.flatnonzero(result[0]).tolist()) == accepted


def test_per_standard_threshold_applies_to_its_standard_only() -> None:
    thresholds = np.full(K, 0.5)
    thresholds[3] = 0.2
    result = decide(_row({3: 0.25, 4: 0.25}), thresholds, [0], 1.0, 4)
    assert set(np.flatnonzero(result[0]).tolist()) == {3}


@pytest.mark.parametrize(
    ("words", "expected"),
    [(10, 1), (39, 1), (40, 2), (100, 3), (139, 3), (500, 2)],
)
def test_label_count_prior_by_length(words: int, expected: int) -> None:
    policy = DecisionPolicy(tuple([0.5] * K), (1.2, 2.4, 2.6, 2.2), 0.2, 4)
    assert policy.expected_count(words) == expected


def test_count_prior_is_the_mean_label_count_per_length_bucket() -> None:
    labels = np.zeros((12, K))
    labels[:6, :1] = 1  # six short passages with one label
    labels[6:, :3] = 1  # six long ones with three
    words = [10] * 6 + [200] * 6
    prior = count_prior(labels, words, buckets=(0, 40))
    assert prior == (1.0, 3.0)
    assert count_prior(labels[:6], [10] * 6, buckets=(0, 40)) == (1.0, 1.0)  # empty bucket: overall mean


def test_fitted_policy_learns_multi_label_passages_out_of_noisy_scores() -> None:
    rng = np.random.default_rng(0)
    n = 300
    labels = np.zeros((n, K), dtype=bool)
    for i in range(n):
        labels[i, rng.choice(K, size=2, replace=False)] = True
    scores = np.clip(rng.normal(0.2, 0.1, (n, K)) + labels * rng.normal(0.25, 0.1, (n, K)), 0, 1)
    words = [60] * n
    policy = fit_policy(scores, labels, words)
    assert policy.count_prior[1] == pytest.approx(2.0)
    assert policy.expected_count(60) == 2
    plain = micro_f1(scores >= 0.5, labels)
    assert policy.micro_f1 > plain
    assert micro_f1(policy.accept(scores, words), labels) == pytest.approx(policy.micro_f1, abs=1e-3)


def test_word_count() -> None:
    assert word_count("  The  health visitor\nvisited. ") == 4


def test_builder_ranks_below_the_line_after_accepted_ones() -> None:
    builder = SuggestionBuilder(load_taxonomy(), "ensemble")
    text = "The health visitor did not see the child alone."
    scores = _row({0: 0.2, 1: 0.9, 2: 0.4, 3: 0.01})
    accepted = np.zeros((1, K), dtype=bool)
    accepted[0, 1] = True
    out = builder.build([TagInput("p", text)], BatchScores(scores), accepted=accepted, ranked=6)[0]
    assert [(s.standard, s.accepted) for s in out] == [("S02", True), ("S03", False), ("S01", False)]
