"""The learning curve's split: whole reviews to the learning pool, the rest to the test."""

from __future__ import annotations

import numpy as np
import pytest

from taxonomy.learning_curve import review_split


@pytest.mark.parametrize("need", [1, 3, 5, 8, 50])
def test_no_review_is_in_both_and_the_pool_is_big_enough_when_it_can_be(need: int) -> None:
    reviews = ["a", "a", "b", "c", "c", "c", "d", "b", "e"]
    pool, test = review_split(reviews, need, np.random.default_rng(7))
    assert sorted([*pool.tolist(), *test.tolist()]) == list(range(len(reviews)))
    assert not {reviews[i] for i in pool} & {reviews[i] for i in test}
    assert len(test) > 0  # the last review in the random order always tests
    assert len(pool) >= need or len({reviews[i] for i in test}) == 1
    assert test.tolist() == sorted(test.tolist())


def test_the_same_seed_gives_the_same_split() -> None:
    reviews = [f"r{i % 6}" for i in range(40)]
    first = review_split(reviews, 10, np.random.default_rng(1))
    again = review_split(reviews, 10, np.random.default_rng(1))
    assert all(np.array_equal(x, y) for x, y in zip(first, again, strict=True))
