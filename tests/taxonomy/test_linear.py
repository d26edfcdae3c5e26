"""The supervised tagger's models scored with numpy give what scikit-learn gives."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from taxonomy.linear import LinearModels, TfidfFeatures, strip_accents, word_ngrams

TEXTS = [
    "The health visitor never saw the baby alone during home visits.",
    "Police did not share the domestic abuse notification with the school; the school did not ask.",
    "Gwenllïan's mother spoke Welsh at home; no interpreter was offered at Ysbyty Gwynedd.",
    "Café staff noticed bruising. Café staff noticed bruising again.",
    "Strategy meetings were held promptly and agencies shared information well.",
    "The care leaver moved into independent living without any transition plan.",
    "Neglect of the children's dental and health needs went unrecognised for years.",
    "Caseloads in the social work team were unmanageable after experienced staff left.",
    "A young carer looked after his mother, who had dementia, and nobody asked him how he was.",
    "Dŵr and tân: the fire service's safe and well visit was the only visit that year.",
] * 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [("cafe", "cafe"), ("café", "cafe"), ("Gwenllïan", "Gwenllian"), ("dŵr", "dwr"), ("ﬁre", "fire")],
)
def test_accents_are_stripped_as_scikit_learn_strips_them(text: str, expected: str) -> None:
    from sklearn.feature_extraction.text import strip_accents_unicode

    assert strip_accents(text) == strip_accents_unicode(text) == expected


def test_word_ngrams() -> None:
    assert word_ngrams(["a", "b", "c"], 1, 2) == ["a", "b", "c", "a b", "b c"]
    assert word_ngrams(["a"], 1, 2) == ["a"]
    assert word_ngrams(["a", "b", "c"], 2, 3) == ["a b", "b c", "a b c"]


@pytest.fixture(scope="module")
def fitted() -> tuple[TfidfVectorizer, list[LogisticRegression], np.ndarray]:
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=20000,
                                 strip_accents="unicode")
    tfidf = vectorizer.fit_transform(TEXTS)
    rng = np.random.default_rng(0)
    dense = rng.normal(size=(len(TEXTS), 8))
    from scipy import sparse

    features = sparse.hstack([sparse.csr_matrix(dense), tfidf], format="csr")
    models = []
    for j in range(3):
        y = (np.arange(len(TEXTS)) % (j + 2) == 0).astype(int)
        models.append(LogisticRegression(C=16.0, class_weight="balanced", solver="liblinear").fit(features, y))
    return vectorizer, models, dense


NEW = [
    "The school did not ask about the notification.",
    "",  # nothing at all
    "zzz qqq",  # no vocabulary term
    "Café café CAFÉ staff staff noticed bruising at the café",  # repeats, case, accents
    "Gwenllian's mother spoke Welsh; the fire service visited.",
]


def test_tfidf_rows_are_the_vectorizers(fitted: tuple[TfidfVectorizer, list[LogisticRegression], np.ndarray]) -> None:
    vectorizer, _models, _dense = fitted
    features = TfidfFeatures.from_sklearn(vectorizer)
    starts, terms, values = features.rows(NEW + TEXTS)
    mine = np.zeros((len(NEW + TEXTS), features.size))
    for i in range(len(NEW + TEXTS)):
        mine[i, terms[starts[i] : starts[i + 1]]] = values[starts[i] : starts[i + 1]]
    theirs = vectorizer.transform(NEW + TEXTS).toarray()
    assert np.abs(mine - theirs).max() < 1e-12
    assert starts[2] == starts[1] and starts[3] == starts[2]  # the empty rows


def test_probabilities_are_predict_probas(fitted: tuple[TfidfVectorizer, list[LogisticRegression], np.ndarray]) -> None:
    vectorizer, models, dense = fitted
    from scipy import sparse

    features = TfidfFeatures.from_sklearn(vectorizer)
    linear = LinearModels.from_sklearn(models)
    rows = np.vstack([dense[:5], np.zeros((0, 8))])
    texts = NEW
    mine = linear.probabilities(rows, features.rows(texts))
    joined = sparse.hstack([sparse.csr_matrix(rows), vectorizer.transform(texts)], format="csr")
    theirs = np.column_stack([m.predict_proba(joined)[:, 1] for m in models])
    assert mine.shape == (5, 3)
    assert np.abs(mine - theirs).max() < 1e-12


def test_a_vectorizer_with_other_settings_is_refused() -> None:
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=False).fit(TEXTS)
    with pytest.raises(ValueError, match="cannot reproduce"):
        TfidfFeatures.from_sklearn(vectorizer)
