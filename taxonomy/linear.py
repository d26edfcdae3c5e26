"""The supervised tagger's fitted TF-IDF and logistic models as plain arrays, scored with numpy.

scikit-learn fits them (:mod:`taxonomy.supervised`), but scoring a fitted model needs none of it:
a TF-IDF row is counts of the vocabulary's word uni- and bigrams, log-damped, times the learned
idf, L2-normalised; a one-vs-rest logistic model's probability is the sigmoid of a dot product.
Importing scikit-learn costs about 2 s per process here (it pulls in ``scipy.stats``), which every
ingest, server start and ``gwersi tag`` paid before tagging a single passage. These classes
reproduce ``TfidfVectorizer.transform`` and ``LogisticRegression.predict_proba`` (checked against
them by a test) for the settings the tagger uses, and store only arrays, so a saved model no
longer depends on the scikit-learn version that pickled it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

TOKEN = re.compile(r"(?u)\b\w\w+\b")
"""scikit-learn's default token pattern: runs of two or more word characters."""


def strip_accents(text: str) -> str:
    """Accents removed by Unicode decomposition (scikit-learn's ``strip_accents="unicode"``)."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def word_ngrams(tokens: Sequence[str], low: int, high: int) -> list[str]:
    """The ``low``..``high``-word n-grams of ``tokens``: all unigrams first, then bigrams, ..."""
    out: list[str] = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


@dataclass(frozen=True)
class TfidfFeatures:
    """A fitted TF-IDF vectorizer: vocabulary, idf and the analyser settings the tagger uses
    (lower-casing, Unicode accent stripping, sublinear tf, L2 norm)."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    ngram_range: tuple[int, int] = (1, 2)

    @classmethod
    def from_sklearn(cls, vectorizer: Any) -> TfidfFeatures:
        """The arrays of a fitted ``TfidfVectorizer``; refuses settings this class does not reproduce."""
        expected = {"lowercase": True, "strip_accents": "unicode", "sublinear_tf": True, "norm": "l2",
                    "analyzer": "word", "stop_words": None, "token_pattern": TOKEN.pattern, "use_idf": True,
                    "binary": False, "preprocessor": None, "tokenizer": None}
        for name, value in expected.items():
            actual = getattr(vectorizer, name)
            if actual != value:
                raise ValueError(f"TfidfFeatures cannot reproduce a vectorizer with {name}={actual!r}")
        vocabulary = {str(term): int(j) for term, j in vectorizer.vocabulary_.items()}
        low, high = vectorizer.ngram_range
        return cls(vocabulary, np.asarray(vectorizer.idf_, dtype=np.float64), (int(low), int(high)))

    @property
    def size(self) -> int:
        """Number of features (vocabulary terms)."""
        return int(self.idf.shape[0])

    def rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The TF-IDF rows of ``texts`` in sparse form: (row starts, term indices, values).

        Row ``i`` holds ``indices[starts[i]:starts[i + 1]]`` (ascending) and their values; a text
        with no vocabulary term is an empty row.
        """
        low, high = self.ngram_range
        vocabulary = self.vocabulary
        starts = np.zeros(len(texts) + 1, dtype=np.int64)
        all_terms: list[np.ndarray] = []
        all_values: list[np.ndarray] = []
        for i, text in enumerate(texts):
            grams = word_ngrams(TOKEN.findall(strip_accents(text.lower())), low, high)
            found = [vocabulary[g] for g in grams if g in vocabulary]
            if found:
                terms, counts = np.unique(np.asarray(found, dtype=np.int64), return_counts=True)
                values = (np.log(counts) + 1.0) * self.idf[terms]
                values /= np.sqrt(np.dot(values, values))
                all_terms.append(terms)
                all_values.append(values)
            starts[i + 1] = starts[i] + (len(all_terms[-1]) if found else 0)
        if not all_terms:
            return starts, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return starts, np.concatenate(all_terms), np.concatenate(all_values)


@dataclass(frozen=True)
class LinearModels:
    """One binary logistic model per column: ``p = sigmoid(dense @ w_dense + tfidf @ w_tfidf + b)``.

    ``weights`` has one row per feature (the dense features first, then the TF-IDF terms) and one
    column per model.
    """

    weights: np.ndarray
    intercepts: np.ndarray

    @classmethod
    def from_sklearn(cls, models: Sequence[Any]) -> LinearModels:
        """The coefficients of fitted binary ``LogisticRegression`` models, one column each."""
        if not models:
            return cls(np.zeros((0, 0)), np.zeros(0))
        weights = np.column_stack([np.asarray(m.coef_, dtype=np.float64).reshape(-1) for m in models])
        intercepts = np.array([float(np.asarray(m.intercept_).reshape(-1)[0]) for m in models])
        return cls(weights, intercepts)

    def probabilities(self, dense: np.ndarray, tfidf: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
        """Each model's positive-class probability for each row: shape (rows, models)."""
        dense = np.asarray(dense, dtype=np.float64)
        d = dense.shape[1]
        logits = dense @ self.weights[:d] + self.intercepts
        starts, terms, values = tfidf
        if terms.size:
            contributions = self.weights[d + terms] * values[:, None]
            filled = np.flatnonzero(starts[1:] > starts[:-1])
            logits[filled] += np.add.reduceat(contributions, starts[filled], axis=0)
        return 1.0 / (1.0 + np.exp(-logits))
