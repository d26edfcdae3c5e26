"""Embedding tagger: cosine similarity of passage vectors to one prototype vector per standard."""

from __future__ import annotations

import json
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from taxonomy.errors import ModelFileError, TaggerNotReadyError
from taxonomy.models import Suggestion, TagInput, TextEncoder
from taxonomy.scoring import BatchScores, SuggestionBuilder, logistic
from taxonomy.standards import Taxonomy, load_taxonomy
from taxonomy.training import LabelledExample
from taxonomy.vectors import best_f1_threshold, item_embeddings, normalise_rows

FORMAT = "gwersi-embedding-tagger/1"
TRAINING_WEIGHT = 0.5
"""Share of a prototype that comes from the centroid of labelled training passages (when present)."""
WIDTH = 0.03
"""Logistic width in (centred) cosine units when mapping to calibrated scores."""


@dataclass(frozen=True)
class EmbeddingModel:
    """Prototypes and per-standard cosine thresholds, saved beside the taxonomy version."""

    taxonomy_version: str
    prototypes: np.ndarray
    thresholds: np.ndarray
    centred: bool
    width: float
    calibration: dict[str, float]
    """Per-standard F1 reached on the (cross-fitted) training data; empty when uncalibrated."""

    @property
    def dimension(self) -> int:
        """Vector dimension the prototypes were built with."""
        return int(self.prototypes.shape[1])


def _standard_texts(taxonomy: Taxonomy) -> list[list[str]]:
    texts = []
    for s in taxonomy.standards:
        cues = list(s.cue_phrases)
        chunks = [", ".join(cues[i : i + 8]) for i in range(0, len(cues), 8)]
        texts.append([f"{s.title}. {s.description}", *s.examples, *chunks])
    return texts


def _raw_scores(vectors: np.ndarray, prototypes: np.ndarray, centred: bool) -> np.ndarray:
    sims = vectors @ prototypes.T
    if centred:
        sims = sims - sims.mean(axis=1, keepdims=True)
    return np.asarray(sims, dtype=np.float64)


def _prototypes(base: np.ndarray, vectors: np.ndarray, labels: np.ndarray, weight: float) -> np.ndarray:
    protos = base.copy()
    for j in range(base.shape[0]):
        rows = labels[:, j] > 0
        if rows.any():
            centroid = normalise_rows(vectors[rows].mean(axis=0, keepdims=True))[0]
            protos[j] = (1 - weight) * base[j] + weight * centroid
    return normalise_rows(protos)


_BASES: weakref.WeakKeyDictionary[Any, dict[tuple[str, ...], np.ndarray]] = weakref.WeakKeyDictionary()


def standard_base(encoder: TextEncoder, taxonomy: Taxonomy) -> np.ndarray:
    """Each standard's encoded text (description, examples, cue phrases) averaged and normalised.

    Memoised per encoder object and taxonomy text: out-of-fold calibration builds a model per fold
    from the same texts, and encoding them is most of a build.
    """
    per_standard = _standard_texts(taxonomy)
    flat = [t for texts in per_standard for t in texts]
    key = tuple(flat) + tuple(str(len(texts)) for texts in per_standard)
    try:
        memo = _BASES.setdefault(encoder, {})
    except TypeError:  # an encoder that cannot be weakly referenced: no memo
        memo = {}
    if key in memo:
        return memo[key].copy()
    encoded = np.asarray(encoder.encode(flat), dtype=np.float32)
    base = np.zeros((len(per_standard), encoded.shape[1]), dtype=np.float32)
    pos = 0
    for j, texts in enumerate(per_standard):
        base[j] = encoded[pos : pos + len(texts)].mean(axis=0)
        pos += len(texts)
    memo[key] = normalise_rows(base)
    return memo[key].copy()


def build_model(
    encoder: TextEncoder,
    taxonomy: Taxonomy | None = None,
    training: Sequence[LabelledExample] = (),
    training_vectors: np.ndarray | None = None,
    centred: bool = True,
    folds: int = 5,
    min_positives: int = 3,
    seed: int = 0,
    calibration_pool: Sequence[bool] | None = None,
) -> EmbeddingModel:
    """Build prototypes from the taxonomy text (and training centroids), then calibrate thresholds.

    Thresholds are chosen per standard to maximise F1 on the training passages, scoring each
    passage against prototypes built without its fold; ``calibration_pool`` limits the threshold
    search to some training passages (default all). Standards with fewer than ``min_positives``
    positive passages in the pool get the median threshold of the others.
    """
    tax = taxonomy or load_taxonomy()
    base = standard_base(encoder, tax)
    k = len(tax.standards)
    thresholds = np.full(k, 0.05 if centred else 0.4)
    calibration: dict[str, float] = {}
    if not training:
        return EmbeddingModel(tax.version, base, thresholds, centred, WIDTH, calibration)

    vectors = (
        normalise_rows(training_vectors)
        if training_vectors is not None
        else normalise_rows(encoder.encode([ex.text for ex in training]))
    )
    index = {sid: j for j, sid in enumerate(tax.ids)}
    labels = np.zeros((len(training), k))
    for i, ex in enumerate(training):
        for sid in ex.standards:
            labels[i, index[sid]] = 1
    fold_of = np.random.default_rng(seed).integers(0, folds, size=len(training))
    held_out = np.zeros_like(labels)
    for f in range(folds):
        inside = fold_of != f
        protos = _prototypes(base, vectors[inside], labels[inside], TRAINING_WEIGHT)
        held_out[~inside] = _raw_scores(vectors[~inside], protos, centred)
    pool = np.ones(len(training), dtype=bool) if calibration_pool is None else np.asarray(calibration_pool)
    chosen: dict[int, float] = {}
    for j in range(k):
        if labels[pool, j].sum() < min_positives:
            continue
        candidates = np.unique(np.quantile(held_out[pool, j], np.linspace(0.5, 0.995, 60)))
        t, f1 = best_f1_threshold(held_out[pool, j], labels[pool, j], candidates)
        chosen[j] = t
        calibration[tax.ids[j]] = round(f1, 4)
    fallback = float(np.median(list(chosen.values()))) if chosen else float(thresholds[0])
    thresholds = np.array([chosen.get(j, fallback) for j in range(k)])
    protos = _prototypes(base, vectors, labels, TRAINING_WEIGHT)
    return EmbeddingModel(tax.version, protos, thresholds, centred, WIDTH, calibration)


class EmbeddingTagger:
    """Cosine similarity of ``TagInput.embedding`` to each standard's prototype.

    The prototype mixes the encoded description, examples and cue phrases with the centroid of
    labelled training passages; per-standard thresholds come from :func:`build_model`. Evidence is
    the sentence with the strongest cue wording (no extra encoding at tag time).
    """

    name = "embedding"

    def __init__(self, model: EmbeddingModel, encoder: TextEncoder | None = None,
                 taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        if model.taxonomy_version != self.taxonomy.version:
            raise ModelFileError(
                f"embedding model was built for taxonomy {model.taxonomy_version}, "
                f"this is {self.taxonomy.version}; rebuild it"
            )
        if encoder is not None and encoder.dimension != model.dimension:
            raise TaggerNotReadyError(
                f"encoder dimension {encoder.dimension} does not match the model's {model.dimension}"
            )
        self.model = model
        self.encoder = encoder
        self._builder = SuggestionBuilder(self.taxonomy, self.name)

    @classmethod
    def build(cls, encoder: TextEncoder, taxonomy: Taxonomy | None = None,
              training: Sequence[LabelledExample] = (), training_vectors: np.ndarray | None = None,
              **options: object) -> EmbeddingTagger:
        """Build and calibrate a model with ``encoder`` (see :func:`build_model`)."""
        model = build_model(encoder, taxonomy, training, training_vectors, **options)  # type: ignore[arg-type]
        return cls(model, encoder, taxonomy)

    def raw(self, items: list[TagInput]) -> np.ndarray:
        """Uncalibrated (centred) cosine scores, shape ``(len(items), 26)``."""
        vectors = item_embeddings(items, self.encoder, self.model.dimension)
        return _raw_scores(vectors, self.model.prototypes, self.model.centred)

    def score(self, items: list[TagInput]) -> BatchScores:
        """Calibrated scores: each standard's threshold maps to 0.5."""
        if not items:
            return BatchScores(np.zeros((0, len(self.taxonomy.standards))))
        return BatchScores(logistic(self.raw(items), self.model.thresholds, self.model.width))

    def tag(self, items: list[TagInput]) -> list[list[Suggestion]]:
        """One list of suggestions per input, each sorted by descending score."""
        return self._builder.build(items, self.score(items))

    def save(self, path: str | Path) -> None:
        """Write the model to one ``.npz`` file (no pickles)."""
        meta = {
            "format": FORMAT,
            "taxonomy_version": self.model.taxonomy_version,
            "centred": self.model.centred,
            "width": self.model.width,
            "calibration": self.model.calibration,
        }
        with Path(path).open("wb") as handle:
            np.savez(handle, prototypes=self.model.prototypes, thresholds=self.model.thresholds,
                     meta=np.array(json.dumps(meta)))

    @classmethod
    def load(cls, path: str | Path, encoder: TextEncoder | None = None,
             taxonomy: Taxonomy | None = None) -> EmbeddingTagger:
        """Read a model written by :meth:`save`; refuses other formats or taxonomy versions."""
        try:
            with np.load(Path(path), allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                prototypes, thresholds = data["prototypes"], data["thresholds"]
        except (OSError, KeyError, ValueError) as exc:
            raise ModelFileError(f"cannot read embedding tagger model {path}: {exc}") from exc
        if meta.get("format") != FORMAT:
            raise ModelFileError(f"{path} is not an embedding tagger model ({meta.get('format')})")
        model = EmbeddingModel(meta["taxonomy_version"], prototypes, thresholds, bool(meta["centred"]),
                               float(meta["width"]), dict(meta.get("calibration", {})))
        return cls(model, encoder, taxonomy)
