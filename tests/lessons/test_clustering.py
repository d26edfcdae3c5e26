"""Pure clustering helpers: agreement measures, id carrying, key phrases, agglomeration."""

from __future__ import annotations

import numpy as np
import pytest

from gwersi import clustering


@pytest.mark.parametrize(
    ("predicted", "truth", "expected"),
    [
        (["a", "a", "b", "b"], [1, 1, 2, 2], 1.0),  # identical up to names
        (["a", "b", "c", "d"], [1, 1, 2, 2], 0.0),  # all singletons: no pair agreement beyond chance
        # 6 items; contingency [[2,1],[0,3]]: index 1+3=4, rows C(3,2)*2=6, cols C(2,2)+C(4,2)=7,
        # expected 6*7/15=2.8, max 6.5 -> (4-2.8)/(6.5-2.8)
        (["x", "x", "x", "y", "y", "y"], ["p", "p", "q", "q", "q", "q"], (4 - 2.8) / (6.5 - 2.8)),
    ],
)
def test_adjusted_rand(predicted: list[str], truth: list[object], expected: float) -> None:
    assert clustering.adjusted_rand(predicted, truth) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("predicted", "truth", "expected"),
    [
        (["a", "a", "b", "b"], [1, 1, 2, 2], 1.0),
        (["a", "a", "a", "b"], [1, 1, 2, 2], 3 / 4),
        (["a", "a", "a", "a"], [1, 2, 3, 3], 2 / 4),
    ],
)
def test_purity(predicted: list[str], truth: list[int], expected: float) -> None:
    assert clustering.purity(predicted, truth) == pytest.approx(expected)


def test_carry_ids_keeps_old_id_at_half_overlap_and_mints_new_otherwise() -> None:
    previous = {"lesson-old1": frozenset({"a", "b", "c"}), "lesson-old2": frozenset({"x", "y"})}
    new = [frozenset({"a", "b", "c", "d"}), frozenset({"x", "p", "q"}), frozenset({"m", "n"})]
    ids = clustering.carry_ids(new, previous, prefix="lesson")
    assert ids[0] == "lesson-old1"  # Jaccard 3/4
    assert ids[1] == clustering.digest_id("lesson", new[1])  # Jaccard 1/4: a new id
    assert ids[2] == clustering.digest_id("lesson", new[2])
    assert len(set(ids)) == 3


def test_carry_ids_gives_an_old_id_to_one_cluster_only() -> None:
    previous = {"lesson-old": frozenset({"a", "b", "c", "d"})}
    new = [frozenset({"a", "b", "c"}), frozenset({"a", "b", "c", "d", "e"})]
    ids = clustering.carry_ids(new, previous, prefix="lesson")
    assert ids[1] == "lesson-old"  # 4/5 beats 3/4
    assert ids[0] != "lesson-old"


def test_digest_id_ignores_member_order() -> None:
    assert clustering.digest_id("t", ["b", "a"]) == clustering.digest_id("t", ["a", "b"])


def test_agglomerate_cuts_at_the_threshold() -> None:
    rows = np.array([[1.0, 0.0], [0.99, 0.14], [0.0, 1.0], [0.1, 0.99]])
    labels = clustering.agglomerate(clustering.normalise_rows(rows), 0.3)
    assert labels[0] == labels[1] != labels[2] == labels[3]
    assert clustering.agglomerate(clustering.normalise_rows(rows), 1.5).tolist() == [0, 0, 0, 0]


def test_phrases_skip_stopwords_numbers_months_and_pseudonyms() -> None:
    found = clustering.phrases("In June 2019 Child A was not brought to 3 appointments; professional curiosity.")
    assert "professional curiosity" in found
    assert not any(w in found for w in ("june", "2019", "a", "3"))
    assert "brought appointments" not in found  # "to" (a stopword) separates them


def test_key_phrases_prefer_shared_bigrams() -> None:
    texts = [
        "Professional curiosity was missing when Ffion spoke of home.",
        "There was no professional curiosity about Rhys and the bruises.",
        "The health visitor showed professional curiosity.",
        "A different matter about housing repairs entirely.",
    ]
    groups = ["r1", "r2", "r3", "r4"]
    phrases = clustering.key_phrases([[0, 1, 2]], texts, groups, k=3)[0]
    assert phrases[0] == "professional curiosity"
    assert "ffion" not in phrases and "rhys" not in phrases  # each named in one review only


def test_tfidf_keeps_only_terms_shared_by_enough_groups() -> None:
    texts = ["unseen partner household", "partner never seen", "bicycle lane"]
    matrix = clustering.tfidf_features(texts, ["r1", "r2", "r3"])
    assert matrix.shape == (3, 1)  # only "partner" occurs in two reviews
    assert matrix[2].sum() == 0
