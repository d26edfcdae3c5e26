"""Learned re-ranking of hybrid search's candidates: a linear model over what the three lists know.

Hybrid search fetches candidates from BM25, the dense index and the concept list. Reciprocal-rank
fusion keeps only each candidate's *ranks*; this module scores every candidate from its ranks, its
raw scores (BM25, cosine, concept match, each against the best in the pool), its section's
confidence-gated prior, and what the pool says about its *review*: a passage whose review holds
several strong candidates, or whose neighbouring passage is strong, is more often the one a reader
wants (lessons span paragraphs and a review about a theme keeps returning to it).

The model is a weight per feature (:class:`LinearReranker`), fitted pairwise (a logistic model on
differences between a better and a worse judged candidate of the same query) by
:func:`fit_reranker`. Fitting needs scikit-learn and is done by ``gwersi eval search`` (out of
fold) and ``tools/ship_reranker.py`` (on every tunable query, written to
``index/data/reranker.json``); scoring is one matrix product in numpy.

The features are pool-relative, and the pool is always the first :data:`POOL_DEPTH` of each list,
so a passage's score does not depend on how deep a page asks: deeper candidates follow in RRF
order (:func:`rerank_order`).

Measured 2026-12-07 (``gwersi eval search``, five query folds over the tunable corpora): the linear
model's out-of-fold mean nDCG@10 0.701; pairwise on all products of two features 0.689-0.697 (C 1
to 0.01); a pointwise gradient-boosted model on the grades 0.682. The pool itself ordered by the
judgments (the ``pool-oracle`` row) reaches 0.93-0.97: the features, not the model's shape, limit
the ordering. More lexical evidence does not supply it either: the share of the query's terms in
the passage, in its best sentence, and of the thesaurus expansions' terms, added as features, gave
0.702-0.704. What is missing is semantic (paraphrase), which the encoder, not the reranker, holds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

POOL_DEPTH = 50
"""Candidates re-ranked: the first this many of each list (what a first page fetches)."""
RANK_K = 10
"""Reciprocal-rank features are ``RANK_K / (RANK_K + rank)``: 1 at the head, 0 when absent."""
PRIOR_CONFIDENCE = 0.5
"""The ``section_prior`` feature keys on a section's kind only when ingest read it with this confidence
(as the shipped RRF policy does)."""
SHIPPED = Path(__file__).resolve().parent / "data" / "reranker.json"
FORMAT = 1

FEATURES: tuple[str, ...] = (
    "bm25_rank",
    "dense_rank",
    "concept_rank",
    "bm25_vs_best",
    "cosine",
    "concept_vs_best",
    "section_prior",
    "unclassified_section",
    "log_words",
    "heading_overlap",
    "review_share",
    "review_best_cosine_gap",
    "review_top3_cosine_gap",
    "neighbour_cosine_gap",
    "review_best_bm25",
)
"""What each candidate is described by, in column order (see :func:`features`)."""
NO_NEIGHBOUR_GAP = -0.5
"""``neighbour_cosine_gap`` of a candidate with no adjacent passage of its review in the pool."""


@dataclass(frozen=True)
class CandidatePool:
    """One query's candidates and what is known of each; arrays are aligned with ``ids``.

    Ranks are 1-based positions in each list, 0 when the candidate is not in that list.
    """

    ids: np.ndarray
    bm25_rank: np.ndarray
    dense_rank: np.ndarray
    concept_rank: np.ndarray
    bm25: np.ndarray
    cosine: np.ndarray
    concept: np.ndarray
    review: np.ndarray
    prior: np.ndarray
    """The section prior at full strength, confidence-gated (1.0 when the kind is not known)."""
    unclassified: np.ndarray
    words: np.ndarray
    heading_overlap: np.ndarray
    """Share of the query's terms found in the candidate's section heading."""

    def __len__(self) -> int:
        return int(self.ids.size)


def pool_ids(bm25: Sequence[int], dense: Sequence[int], concepts: Sequence[int]) -> list[int]:
    """The pool: the first :data:`POOL_DEPTH` of each list, in first-seen order (BM25, dense, concepts)."""
    return list(dict.fromkeys([*bm25[:POOL_DEPTH], *dense[:POOL_DEPTH], *concepts[:POOL_DEPTH]]))


def rank_positions(ids: Sequence[int] | np.ndarray, ranked: Sequence[int]) -> np.ndarray:
    """1-based rank of each of ``ids`` in the first :data:`POOL_DEPTH` of ``ranked`` (0 if absent)."""
    position = {pid: rank for rank, pid in enumerate(ranked[:POOL_DEPTH], start=1)}
    return np.array([position.get(int(pid), 0) for pid in ids], dtype=np.float64)


def _reciprocal(rank: np.ndarray) -> np.ndarray:
    return np.where(rank > 0, RANK_K / (RANK_K + np.maximum(rank, 1)), 0.0)


def _relative(values: np.ndarray) -> np.ndarray:
    best = float(values.max()) if values.size else 0.0
    return values / best if best > 0 else np.zeros_like(values)


def features(pool: CandidatePool) -> np.ndarray:
    """The ``(len(pool), len(FEATURES))`` feature matrix of a pool, columns as :data:`FEATURES`."""
    n = len(pool)
    if not n:
        return np.zeros((0, len(FEATURES)))
    cosine = pool.cosine.astype(np.float64)
    best_cos = float(cosine.max())
    bm25 = _relative(pool.bm25.astype(np.float64))
    share = np.zeros(n)
    review_best = np.zeros(n)
    review_top3 = np.zeros(n)
    review_bm25 = np.zeros(n)
    for review in np.unique(pool.review):
        rows = np.flatnonzero(pool.review == review)
        ordered = np.sort(cosine[rows])[::-1]
        share[rows] = rows.size / n
        review_best[rows] = ordered[0] - best_cos
        review_top3[rows] = float(ordered[:3].mean()) - best_cos
        review_bm25[rows] = float(bm25[rows].max())
    neighbour = np.full(n, NO_NEIGHBOUR_GAP)
    at = {int(pid): i for i, pid in enumerate(pool.ids)}
    for i, pid in enumerate(pool.ids.tolist()):
        near = [
            cosine[j]
            for j in (at.get(pid - 1), at.get(pid + 1))
            if j is not None and pool.review[j] == pool.review[i]
        ]
        if near:
            neighbour[i] = max(near) - best_cos
    columns = (
        _reciprocal(pool.bm25_rank),
        _reciprocal(pool.dense_rank),
        _reciprocal(pool.concept_rank),
        bm25,
        cosine,
        _relative(pool.concept.astype(np.float64)),
        pool.prior.astype(np.float64),
        pool.unclassified.astype(np.float64),
        np.log1p(pool.words.astype(np.float64)) / 5.0,
        pool.heading_overlap.astype(np.float64),
        share,
        review_best,
        review_top3,
        neighbour,
        review_bm25,
    )
    return np.column_stack(columns)


@dataclass(frozen=True)
class LinearReranker:
    """A weight per feature; a candidate's score is the dot product of its features and the weights.

    ``encoder`` names the embedding model whose cosines it was fitted on and ``concepts`` whether
    the concept list was there: an engine with another encoder, or without the concept list, must
    not use it (its scores would be on another scale).
    """

    weights: tuple[float, ...]
    encoder: str
    concepts: bool = True
    fitted_on: str = ""
    """What it was fitted on, for people (query sets and counts)."""

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"a reranker needs {len(FEATURES)} weights, got {len(self.weights)}")
        if not all(math.isfinite(w) for w in self.weights):
            raise ValueError("reranker weights must be finite")

    def score(self, pool: CandidatePool) -> np.ndarray:
        """One score per candidate (higher is better)."""
        return features(pool) @ np.asarray(self.weights)

    def suits(self, encoder: str, concepts: bool) -> bool:
        """Whether this reranker was fitted for an engine with ``encoder`` and the concept list or not."""
        return self.encoder == encoder and self.concepts == concepts

    def to_json(self) -> dict[str, Any]:
        """The reranker as plain data (``index/data/reranker.json``)."""
        return {
            "format": FORMAT,
            "features": list(FEATURES),
            "weights": [round(w, 10) for w in self.weights],
            "encoder": self.encoder,
            "concepts": self.concepts,
            "fitted_on": self.fitted_on,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearReranker:
        """Read :meth:`to_json`'s output; refuses another format or another feature list."""
        if data.get("format") != FORMAT or tuple(data.get("features", ())) != FEATURES:
            raise ValueError("the reranker file was written for other features; refit it (tools/ship_reranker.py)")
        return cls(
            weights=tuple(float(w) for w in data["weights"]),
            encoder=str(data["encoder"]),
            concepts=bool(data.get("concepts", True)),
            fitted_on=str(data.get("fitted_on", "")),
        )

    def save(self, path: Path) -> None:
        """Write the reranker as JSON."""
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")


def load_reranker(path: Path = SHIPPED) -> LinearReranker:
    """The reranker saved at ``path`` (default: the shipped one)."""
    return LinearReranker.from_json(json.loads(path.read_text(encoding="utf-8")))


def rerank_order(
    pool: CandidatePool, scores: np.ndarray, fused: Sequence[tuple[int, float]]
) -> list[tuple[int, float]]:
    """The pool by score (ties to the smaller id), then every other candidate of ``fused`` (RRF
    order, the deeper candidates of a later page). A pool candidate's score is shown relative to the
    best one's, ``exp(score - best)``: 1 for the first hit, falling towards 0; later candidates get 0."""
    order = sorted(range(len(pool)), key=lambda i: (-scores[i], int(pool.ids[i])))
    best = float(scores[order[0]]) if order else 0.0
    ranked = [(int(pool.ids[i]), math.exp(float(scores[i]) - best)) for i in order]
    seen = {pid for pid, _ in ranked}
    return ranked + [(pid, 0.0) for pid, _ in fused if pid not in seen]


# ----------------------------------------------------------------- fitting
MAX_PAIRS = 200
"""Judged pairs sampled per query (seeded), so long judgment lists do not dominate."""


def fit_reranker(
    pools: Sequence[tuple[CandidatePool, dict[int, int]]],
    *,
    encoder: str,
    concepts: bool = True,
    fitted_on: str = "",
    c: float = 1.0,
    seed: int = 0,
) -> LinearReranker:
    """Fit weights on judged pools (``{passage id: grade}``; unjudged candidates are grade 0).

    Every pair of candidates of one query with different grades is an example (up to
    :data:`MAX_PAIRS` a query, sampled with ``seed``): the better minus the worse is labelled 1,
    the reverse 0, and an L2-regularised logistic model without intercept learns the weights.
    """
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    rows: list[np.ndarray] = []
    for pool, graded in pools:
        if not len(pool):
            continue
        x = features(pool)
        grades = np.array([graded.get(int(pid), 0) for pid in pool.ids])
        better, worse = np.nonzero(grades[:, None] > grades[None, :])
        if not better.size:
            continue
        if better.size > MAX_PAIRS:
            pick = rng.choice(better.size, MAX_PAIRS, replace=False)
            better, worse = better[pick], worse[pick]
        rows.append(x[better] - x[worse])
    if not rows:
        raise ValueError("no judged pairs to fit a reranker on")
    diffs = np.vstack(rows)
    model = LogisticRegression(C=c, max_iter=5000, fit_intercept=False)
    model.fit(np.vstack([diffs, -diffs]), np.r_[np.ones(len(diffs)), np.zeros(len(diffs))])
    return LinearReranker(
        weights=tuple(float(w) for w in model.coef_[0]), encoder=encoder, concepts=concepts, fitted_on=fitted_on
    )
