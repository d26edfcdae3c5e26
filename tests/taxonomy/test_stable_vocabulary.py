"""The supervised tagger's TF-IDF vocabulary is chosen the same way on every machine."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from taxonomy.supervised import stable_vocabulary

TEXTS = [
    "The health visitor did not see the father.",
    "The school nurse did not see the child alone.",
    "Police shared the report with the school.",
    "The father was not seen by the health visitor.",
    "Zebra crossings near the school.",
]


def test_terms_below_the_document_frequency_are_left_out() -> None:
    vocabulary = stable_vocabulary(TEXTS, 1000)
    assert "zebra" not in vocabulary and "health visitor" in vocabulary
    assert vocabulary == sorted(vocabulary)


def test_ties_at_the_limit_are_broken_alphabetically() -> None:
    texts = ["alpha beta gamma", "gamma beta alpha", "delta alpha", "delta beta"]
    # unigram totals: alpha 3, beta 3, gamma 2, delta 2; the limit cuts through the tie at 2
    assert stable_vocabulary(texts, 3) == ["alpha", "beta", "delta"]


def test_without_ties_it_is_the_vocabulary_max_features_keeps() -> None:
    texts = ["a1 b1 b1 c1 c1 c1", "a1 b1 b1 c1 c1 c1 d1 d1 d1 d1", "d1 c1"]  # c1 7, d1 5, b1 4
    ours = stable_vocabulary(texts, 2)
    theirs = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=2, strip_accents="unicode").fit(texts)
    assert ours == sorted(theirs.vocabulary_) == ["c1", "d1"]


def test_the_same_texts_in_the_same_order_give_the_same_vocabulary_and_idf() -> None:
    texts = TEXTS * 3
    fits = [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, vocabulary=stable_vocabulary(texts, 8)).fit(texts)
        for _ in range(2)
    ]
    assert fits[0].vocabulary_ == fits[1].vocabulary_
    assert np.array_equal(fits[0].idf_, fits[1].idf_)
