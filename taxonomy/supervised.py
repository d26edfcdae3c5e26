"""Supervised tagger: one-vs-rest logistic regression on [embedding ⊕ TF-IDF] features.

scikit-learn fits the models; a fitted tagger keeps and saves only their arrays
(:mod:`taxonomy.linear`) and scores with numpy, so loading and tagging never import scikit-learn.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from taxonomy.errors import ModelFileError, TaggerNotReadyError, TrainingDataError
from taxonomy.linear import LinearModels, TfidfFeatures
from taxonomy.models import Suggestion, TagInput, TextEncoder
from taxonomy.scoring import BatchScores, SuggestionBuilder
from taxonomy.standards import Taxonomy, load_taxonomy
from taxonomy.vectors import best_f1_threshold, item_embeddings, normalise_rows

FORMAT = "gwersi-supervised-tagger/2"
MAX_FEATURES = 20000
"""TF-IDF vocabulary size: the most frequent word uni- and bigrams seen in at least two passages."""
ANALYSER: dict[str, Any] = {"ngram_range": (1, 2), "strip_accents": "unicode"}
"""How texts become terms, for choosing the vocabulary and for weighting it alike."""
FIT_RECIPE = "stable-vocabulary/1"
"""Names how a fit is made, beyond its inputs: part of the fitted members' fingerprint, so members
fitted by an earlier recipe are fitted again."""
Example = tuple[str, np.ndarray, Sequence[str]]
"""A training example: passage text, its embedding, and its standard ids."""


def stable_vocabulary(texts: Sequence[str], limit: int, *, min_df: int = 2) -> list[str]:
    """The ``limit`` most frequent terms (:data:`ANALYSER`) of ``texts`` found in at least ``min_df``
    of them, ties broken alphabetically.

    ``TfidfVectorizer(max_features=...)`` breaks ties with numpy's unstable sort, whose order
    depends on the CPU's vector instructions and the numpy build, so the same texts gave a
    vocabulary differing in about a thousand of 20,000 terms from one machine to another, and with
    it the fitted weights. Choosing the terms here makes a fit the same wherever it runs.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    counter = CountVectorizer(min_df=min_df, **ANALYSER)
    counts = counter.fit_transform(texts)
    terms = counter.get_feature_names_out()  # alphabetical
    totals = np.asarray(counts.sum(axis=0)).ravel()
    keep = np.argsort(-totals, kind="stable")[:limit]
    return sorted(str(t) for t in terms[keep])


@dataclass(frozen=True)
class FitReport:
    """What :meth:`SupervisedTagger.fit` did: sizes, thresholds and the standards it abstains on."""

    examples: int
    positives: dict[str, int]
    thresholds: dict[str, float]
    holdout_f1: dict[str, float]
    insufficient: tuple[str, ...]
    min_positives: int

    def describe(self) -> str:
        """One human-readable line about abstentions."""
        if not self.insufficient:
            return f"fitted all standards on {self.examples} examples"
        return (f"fitted on {self.examples} examples; abstaining on {', '.join(self.insufficient)} "
                f"(fewer than {self.min_positives} positive examples)")


class SupervisedTagger:
    """Per-standard logistic regression on L2-normalised passage embeddings joined to TF-IDF of
    word uni- and bigrams.

    Thresholds are tuned per standard on a held-out share of the training data (averaged over
    ``repeats`` random splits), then each model is refitted on all of it. Standards with fewer
    than ``min_positives`` positive examples get no model: the tagger abstains on them (``NaN``
    scores), and :attr:`report` says so.
    """

    name = "supervised"

    def __init__(self, taxonomy: Taxonomy | None = None, encoder: TextEncoder | None = None,
                 min_positives: int = 5, holdout: float = 0.25, c: float = 16.0,
                 embedding_weight: float = 1.0, seed: int = 0, repeats: int = 3) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self.encoder = encoder
        self.min_positives = min_positives
        self.holdout = holdout
        self.c = c
        self.embedding_weight = embedding_weight
        self.seed = seed
        self.repeats = repeats
        self.dimension = 0
        self.report: FitReport | None = None
        self._vectorizer: Any = None  # scikit-learn's, only while fitting
        self._tfidf: TfidfFeatures | None = None
        self._linear = LinearModels(np.zeros((0, 0)), np.zeros(0))
        self._columns: tuple[int, ...] = ()
        """The standard index of each column of ``_linear`` (standards with a model)."""
        self._thresholds = np.full(len(self.taxonomy.standards), 0.5)
        self._builder = SuggestionBuilder(self.taxonomy, self.name)

    # -- features -------------------------------------------------------------------------------
    def _features(self, texts: Sequence[str], vectors: np.ndarray, fit: bool = False) -> Any:
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer

        if fit:
            self._vectorizer = TfidfVectorizer(sublinear_tf=True, vocabulary=stable_vocabulary(texts, MAX_FEATURES),
                                               **ANALYSER)
            tfidf = self._vectorizer.fit_transform(texts)
        else:
            tfidf = self._vectorizer.transform(texts)
        dense = sparse.csr_matrix(normalise_rows(vectors) * self.embedding_weight)
        return sparse.hstack([dense, tfidf], format="csr")

    def _classifier(self) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.c, class_weight="balanced", solver="liblinear", max_iter=1000,
                                  random_state=self.seed)

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, examples: Sequence[Example], weights: Sequence[float] | None = None,
            calibration_pool: Sequence[bool] | None = None) -> FitReport:
        """Fit from ``(text, embedding, standards)`` examples and tune thresholds on a held-out part.

        ``weights`` (one per example, default 1) let less reliable sources count for less.
        ``calibration_pool`` marks the examples the held-out part may be drawn from (default: all),
        so thresholds can be tuned on examples labelled the way suggestions will be judged.
        """
        if not examples:
            raise TrainingDataError("the supervised tagger needs labelled examples")
        ids = self.taxonomy.ids
        index = {sid: j for j, sid in enumerate(ids)}
        texts = [text for text, _, _ in examples]
        vectors = np.vstack([np.asarray(v, dtype=np.float32).reshape(1, -1) for _, v, _ in examples])
        self.dimension = int(vectors.shape[1])
        labels = np.zeros((len(examples), len(ids)), dtype=int)
        for i, (_, _, standards) in enumerate(examples):
            for sid in standards:
                if sid not in index:
                    raise TrainingDataError(f"unknown standard {sid!r} in training example {i}")
                labels[i, index[sid]] = 1
        w = np.ones(len(examples)) if weights is None else np.asarray(weights, dtype=float)
        positives = labels.sum(axis=0)
        fit_cols = [j for j in range(len(ids)) if positives[j] >= self.min_positives]
        pool = np.ones(len(examples), dtype=bool) if calibration_pool is None else np.asarray(calibration_pool)
        found: dict[int, list[tuple[float, float]]] = {}
        for repeat in range(self.repeats):
            candidates = np.random.default_rng(self.seed + repeat).permutation(np.flatnonzero(pool))
            held_rows = np.sort(candidates[: int(round(len(candidates) * self.holdout))])
            train_rows = np.setdiff1d(np.arange(len(examples)), held_rows)
            if not len(held_rows) or not len(train_rows):
                continue
            features = self._features([texts[i] for i in train_rows], vectors[train_rows], fit=True)
            held = self._features([texts[i] for i in held_rows], vectors[held_rows])
            for j in fit_cols:
                y = labels[train_rows, j]
                if y.sum() == 0 or y.sum() == len(y) or labels[held_rows, j].sum() == 0:
                    continue
                model = self._classifier().fit(features, y, sample_weight=w[train_rows])
                proba = model.predict_proba(held)[:, 1]
                found.setdefault(j, []).append(
                    best_f1_threshold(proba, labels[held_rows, j], np.linspace(0.1, 0.9, 33)))
        thresholds = np.full(len(ids), 0.5)
        holdout_f1: dict[str, float] = {}
        for j, results in found.items():
            thresholds[j] = float(np.mean([t for t, _ in results]))
            holdout_f1[ids[j]] = round(float(np.mean([f for _, f in results])), 4)
        features = self._features(texts, vectors, fit=True)
        models = {j: self._classifier().fit(features, labels[:, j], sample_weight=w) for j in fit_cols}
        self._tfidf = TfidfFeatures.from_sklearn(self._vectorizer)
        self._vectorizer = None
        self._columns = tuple(sorted(models))
        self._linear = LinearModels.from_sklearn([models[j] for j in self._columns])
        self._thresholds = thresholds
        insufficient = tuple(ids[j] for j in range(len(ids)) if j not in models)
        self.report = FitReport(
            examples=len(examples),
            positives={ids[j]: int(positives[j]) for j in range(len(ids))},
            thresholds={ids[j]: float(thresholds[j]) for j in models},
            holdout_f1=holdout_f1,
            insufficient=insufficient,
            min_positives=self.min_positives,
        )
        return self.report

    # -- tagging --------------------------------------------------------------------------------
    def score(self, items: list[TagInput]) -> BatchScores:
        """Calibrated scores (each standard's tuned threshold maps to 0.5); ``NaN`` where abstaining."""
        if self._tfidf is None:
            raise TaggerNotReadyError("the supervised tagger has not been fitted or loaded")
        k = len(self.taxonomy.standards)
        scores = np.full((len(items), k), np.nan)
        if not items or not self._columns:
            return BatchScores(scores)
        vectors = item_embeddings(items, self.encoder, self.dimension)
        dense = normalise_rows(vectors) * self.embedding_weight
        proba = np.clip(self._linear.probabilities(dense, self._tfidf.rows([item.text for item in items])),
                        1e-6, 1 - 1e-6)
        columns = list(self._columns)
        t = np.clip(self._thresholds[columns], 1e-6, 1 - 1e-6)
        logit = np.log(proba / (1 - proba)) - np.log(t / (1 - t))
        scores[:, columns] = 1.0 / (1.0 + np.exp(-logit))
        return BatchScores(scores)

    def tag(self, items: list[TagInput]) -> list[list[Suggestion]]:
        """One list of suggestions per input, each sorted by descending score."""
        return self._builder.build(items, self.score(items))

    def fingerprint(self) -> str:
        """A digest of the fitted state (vocabulary, idf, weights, thresholds): equal fits, equal digests."""
        import hashlib

        if self._tfidf is None:
            raise TaggerNotReadyError("the supervised tagger has not been fitted or loaded")
        digest = hashlib.sha256()
        digest.update(json.dumps(sorted(self._tfidf.vocabulary.items())).encode("utf-8"))
        for array in (self._tfidf.idf, self._linear.weights, self._linear.intercepts, self._thresholds):
            digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
        digest.update(json.dumps([list(self._columns), self.embedding_weight]).encode("utf-8"))
        return digest.hexdigest()

    # -- persistence ----------------------------------------------------------------------------
    def to_payload(self) -> dict[str, Any]:
        """The fitted state as plain data (a manifest, the TF-IDF vocabulary and idf, the models'
        weights, the thresholds): what :meth:`save` writes and :meth:`from_payload` reads."""
        if self._tfidf is None or self.report is None:
            raise TaggerNotReadyError("nothing to save: fit the supervised tagger first")
        manifest = {
            "format": FORMAT,
            "taxonomy_version": self.taxonomy.version,
            "dimension": self.dimension,
            "embedding_weight": self.embedding_weight,
            "report": asdict(self.report),
        }
        return {
            "manifest": manifest,
            "vocabulary": dict(self._tfidf.vocabulary),
            "idf": self._tfidf.idf,
            "ngram_range": list(self._tfidf.ngram_range),
            "columns": list(self._columns),
            "weights": self._linear.weights,
            "intercepts": self._linear.intercepts,
            "thresholds": self._thresholds,
        }

    def save(self, path: str | Path) -> None:
        """Write the fitted model with joblib, plus a JSON manifest beside it (``<path>.json``)."""
        import joblib

        payload = self.to_payload()
        joblib.dump(payload, Path(path))
        Path(str(path) + ".json").write_text(json.dumps(payload["manifest"], indent=2), encoding="utf-8")

    @classmethod
    def from_payload(cls, payload: dict[str, Any], taxonomy: Taxonomy | None = None,
                     encoder: TextEncoder | None = None, source: str = "the payload") -> SupervisedTagger:
        """A tagger from :meth:`to_payload`'s state; refuses another format or taxonomy version."""
        try:
            manifest = payload["manifest"]
            tagger = cls(taxonomy=taxonomy, encoder=encoder, embedding_weight=manifest["embedding_weight"])
            if manifest.get("format") != FORMAT:
                raise ModelFileError(f"{source} is in format {manifest.get('format')!r}, not {FORMAT}; refit it")
            if manifest["taxonomy_version"] != tagger.taxonomy.version:
                raise ModelFileError(f"{source} was made for taxonomy {manifest.get('taxonomy_version')}; refit it")
            report = dict(manifest["report"])
            report["insufficient"] = tuple(report["insufficient"])
            tagger.report = FitReport(**report)
            tagger.min_positives = tagger.report.min_positives
            tagger.dimension = int(manifest["dimension"])
            low, high = payload["ngram_range"]
            tagger._tfidf = TfidfFeatures(
                {str(t): int(j) for t, j in payload["vocabulary"].items()},
                np.asarray(payload["idf"], dtype=np.float64),
                (int(low), int(high)),
            )
            tagger._columns = tuple(int(j) for j in payload["columns"])
            tagger._linear = LinearModels(
                np.asarray(payload["weights"], dtype=np.float64), np.asarray(payload["intercepts"], dtype=np.float64)
            )
            tagger._thresholds = np.asarray(payload["thresholds"], dtype=np.float64)
            wanted = (tagger.dimension + tagger._tfidf.size, len(tagger._columns))
            if tagger._columns and tagger._linear.weights.shape != wanted:
                raise ValueError(f"model weights have shape {tagger._linear.weights.shape}, expected {wanted}")
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"cannot read supervised tagger model {source}: {exc}") from exc
        return tagger

    @classmethod
    def load(cls, path: str | Path, taxonomy: Taxonomy | None = None,
             encoder: TextEncoder | None = None) -> SupervisedTagger:
        """Read a model written by :meth:`save` (a trusted local file: joblib unpickles it).

        Refuses a model in another format or made for another taxonomy version.
        """
        import joblib

        try:
            payload = joblib.load(Path(path))
        except (OSError, KeyError, TypeError, ValueError, EOFError) as exc:
            raise ModelFileError(f"cannot read supervised tagger model {path}: {exc}") from exc
        return cls.from_payload(payload, taxonomy, encoder, source=str(path))
