"""Neighbours member: a passage is scored by the labels of the most similar labelled passages.

The supervised and embedding members each draw one boundary (or one prototype) per standard over
every writer's passages. Reviews written by many hands say the same thing in many ways, and a
passage often sits close to a few labelled passages that put it the same way while the boundary
runs elsewhere. This member keeps every labelled training passage (with its vector) and scores
standard ``j`` for a passage as the similarity-weighted share of its :data:`NEIGHBOURS` nearest
labelled passages that carry ``j`` (weights ``exp(cosine / TEMPERATURE)``). A board's own labelled
passages are neighbours like any other once they are in the training data (their vote weight is the
caller's choice: :func:`taxonomy.calibration.fit_neighbours` gives them four).

Each standard's threshold on that share is the one with the best F1 when every passage of the
decision pool is scored by neighbours from *other* groups only (another writer, review type or
source; :func:`neighbour_group`), so the threshold is that of a passage from an unseen hand.
Scores are mapped through a logistic so the threshold lands on 0.5, as the other members do.

Fitting is a matrix product over the training vectors (about a second for five thousand passages),
so the member is fitted when a tagger is built and never saved.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from taxonomy.models import Suggestion, TagInput, TextEncoder
from taxonomy.scoring import BatchScores, SuggestionBuilder, logistic
from taxonomy.standards import Taxonomy, load_taxonomy
from taxonomy.training import LabelledExample, label_matrix
from taxonomy.vectors import best_f1_threshold, item_embeddings

NEIGHBOURS = 20
"""How many of the most similar labelled passages vote."""
TEMPERATURE = 0.05
"""Softness of the vote: a neighbour 0.05 less similar (cosine) than the nearest counts e times less."""
WIDTH = 0.06
"""Logistic width, in vote-share units, when mapping to calibrated scores."""
THRESHOLD_GRID = np.round(np.arange(0.05, 0.9, 0.025), 3)
"""Vote shares tried as a standard's threshold."""
MIN_POSITIVES = 5
"""A standard with fewer positives in the decision pool keeps :data:`UNTUNED_THRESHOLD`."""
UNTUNED_THRESHOLD = 0.9
CHUNK = 512
"""Passages scored per matrix product (bounds memory: CHUNK x training passages floats)."""


def neighbour_group(example: LabelledExample) -> str:
    """The group a training passage is held out with when thresholds are chosen: its writer for the
    held-out corpus (``heldout:<writer>:<review>``), its review type for sample passages, else its
    source (a board's panel, an imported file; seed and taxonomy examples share one group each)."""
    source = example.source
    if source.startswith("heldout:"):
        return "heldout:" + source.split(":")[1]
    if source.startswith("sample:"):
        return "sample:" + source.split(":", 1)[1].split("_", 1)[0]
    return source


def vote_shares(queries: np.ndarray, vectors: np.ndarray, labels: np.ndarray,
                exclude: np.ndarray | None = None, neighbours: int = NEIGHBOURS,
                temperature: float = TEMPERATURE, row_weights: np.ndarray | None = None) -> np.ndarray:
    """For each query row, the similarity-weighted share of its nearest ``vectors`` rows carrying
    each label (``labels``: rows x standards, 0/1). ``exclude`` (queries x rows, bool) hides rows
    from a query; ``row_weights`` multiplies each row's vote. Vectors are L2-normalised, so the dot
    product is the cosine."""
    if len(queries) == 0 or len(vectors) == 0:
        return np.zeros((len(queries), labels.shape[1]))
    sims = np.asarray(queries @ vectors.T, dtype=np.float64)
    if exclude is not None:
        sims = np.where(exclude, -np.inf, sims)
    k = min(neighbours, vectors.shape[0])
    nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    near = np.take_along_axis(sims, nearest, axis=1)
    top = np.max(near, axis=1, keepdims=True)
    weights = np.where(np.isfinite(near), np.exp((near - np.where(np.isfinite(top), top, 0.0)) / temperature), 0.0)
    if row_weights is not None:
        weights = weights * row_weights[nearest]
    total = weights.sum(axis=1, keepdims=True)
    shares = np.einsum("qk,qks->qs", weights, labels[nearest])
    return np.asarray(shares / np.maximum(total, 1e-12), dtype=np.float64)


def _chunked_shares(queries: np.ndarray, vectors: np.ndarray, labels: np.ndarray, row_weights: np.ndarray | None,
                    query_groups: np.ndarray | None = None, groups: np.ndarray | None = None) -> np.ndarray:
    out = np.zeros((len(queries), labels.shape[1]))
    for start in range(0, len(queries), CHUNK):
        rows = slice(start, start + CHUNK)
        exclude = None
        if query_groups is not None and groups is not None:
            exclude = query_groups[rows][:, None] == groups[None, :]
        out[rows] = vote_shares(queries[rows], vectors, labels, exclude, row_weights=row_weights)
    return out


class NeighbourTagger:
    """Scores passages by the labels of their nearest labelled training passages (see the module)."""

    name = "neighbours"

    def __init__(self, vectors: np.ndarray, labels: np.ndarray, thresholds: np.ndarray,
                 encoder: TextEncoder | None = None, taxonomy: Taxonomy | None = None,
                 row_weights: np.ndarray | None = None) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.labels = np.asarray(labels, dtype=np.float64)
        self.thresholds = np.asarray(thresholds, dtype=np.float64)
        self.row_weights = None if row_weights is None else np.asarray(row_weights, dtype=np.float64)
        self.encoder = encoder
        self._builder = SuggestionBuilder(self.taxonomy, self.name)

    @classmethod
    def fit(cls, training: Sequence[LabelledExample], vectors: np.ndarray, taxonomy: Taxonomy,
            encoder: TextEncoder | None = None, pool: Sequence[bool] | None = None,
            row_weights: Sequence[float] | None = None) -> NeighbourTagger:
        """Keep ``training`` with its ``vectors``; choose each standard's threshold on the ``pool``
        rows (default all), each scored by neighbours outside its :func:`neighbour_group`.
        ``row_weights`` multiplies each example's vote (default 1)."""
        shape = (len(training), len(taxonomy.ids))  # also for no examples
        labels = np.asarray(label_matrix(training, taxonomy.ids), dtype=np.float64).reshape(shape)
        vectors = np.asarray(vectors, dtype=np.float32)
        rows = np.arange(len(training)) if pool is None else np.flatnonzero(np.asarray(pool, dtype=bool))
        groups = np.array([neighbour_group(ex) for ex in training])
        weights = None if row_weights is None else np.asarray(row_weights, dtype=np.float64)
        thresholds = np.full(labels.shape[1], UNTUNED_THRESHOLD)
        if len(rows):
            held_out = _chunked_shares(vectors[rows], vectors, labels, weights, groups[rows], groups)
            truth = labels[rows] > 0
            for j in range(labels.shape[1]):
                if truth[:, j].sum() >= MIN_POSITIVES:
                    thresholds[j] = best_f1_threshold(held_out[:, j], truth[:, j], THRESHOLD_GRID)[0]
        return cls(vectors, labels, thresholds, encoder, taxonomy, weights)

    def score(self, items: list[TagInput]) -> BatchScores:
        """Vote shares mapped so that each standard's threshold lands on 0.5."""
        queries = item_embeddings(items, self.encoder, self.vectors.shape[1] if self.vectors.size else 0)
        shares = _chunked_shares(queries, self.vectors, self.labels, self.row_weights)
        return BatchScores(logistic(shares, self.thresholds[None, :], WIDTH))

    def tag(self, items: list[TagInput]) -> list[list[Suggestion]]:
        """Suggestions at or above each standard's threshold."""
        return self._builder.build(items, self.score(items))
