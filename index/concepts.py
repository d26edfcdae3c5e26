"""The concept list of hybrid search: passages ranked by how well their standards match the query's.

A practitioner's paraphrase ("nobody asked who the new boyfriend was") often shares no word with
the passage that answers it and sits far from it for a small sentence encoder, yet both speak to
the same National Standard. A :class:`ConceptModel` (the supervised tagger's per-standard
probabilities, :mod:`gwersi.concepts`) gives every passage a vector over the standards once, when
the index is built; a query gets one too, and passages are ranked by the dot product of the two.
The list joins BM25 and dense in RRF at :attr:`index.ranking.RankingPolicy.concept_weight`.

This module knows nothing of taggers: it stores an ``(n, m)`` matrix aligned with the index's
records and ranks by it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from index.filters import find_sorted

MATRIX_FILE = "concepts.npy"
IDS_FILE = "concepts-ids.npy"
MODEL_FILE = "concepts-model.txt"


class ConceptModel(Protocol):
    """Per-standard scores for passages and queries."""

    model_id: str
    """Names the fitted model: a saved matrix from another model is not used."""

    def scores(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """``(len(texts), m)`` scores in [0, 1]; ``vectors`` are the texts' normalised embeddings."""
        ...


class ConceptMatrix:
    """Every indexed passage's scores over the standards, rows in record order."""

    def __init__(self, model_id: str, ids: np.ndarray, matrix: np.ndarray) -> None:
        if matrix.ndim != 2 or matrix.shape[0] != len(ids):
            raise ValueError(f"concept matrix has shape {matrix.shape}, expected ({len(ids)}, m)")
        self.model_id = model_id
        self.ids = np.asarray(ids, dtype=np.int64)
        self.matrix = np.ascontiguousarray(np.nan_to_num(matrix, nan=0.0), dtype=np.float32)
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None
        """(``ids`` sorted, the rows they sit in), worked out at the first :meth:`scores_of`."""

    @classmethod
    def build(
        cls,
        model: ConceptModel,
        ids: np.ndarray,
        texts: Sequence[str],
        vectors_at: Callable[[np.ndarray], np.ndarray],
        *,
        reuse: ConceptMatrix | None = None,
        chunk: int = 4096,
    ) -> ConceptMatrix:
        """Rows for passages ``ids`` (texts in the same order): copied from ``reuse`` where it holds
        the passage and was made by the same model, else scored (in chunks, so memory stays flat).

        ``vectors_at(positions)`` gives the stored vectors of the passages at those positions; it
        is called only for passages that must be scored. Reuse makes the rebuild after one upload
        score only the new passages (about 0.2 ms each).
        """
        ids = np.asarray(ids, dtype=np.int64)
        known = np.zeros(len(ids), dtype=bool)
        matrix: np.ndarray | None = None
        if reuse is not None and reuse.model_id == model.model_id and len(reuse.ids):
            order = np.argsort(reuse.ids)
            at = np.clip(np.searchsorted(reuse.ids[order], ids), 0, len(order) - 1)
            known = reuse.ids[order][at] == ids
            matrix = np.zeros((len(ids), reuse.matrix.shape[1]), dtype=np.float32)
            matrix[known] = reuse.matrix[order[at[known]]]
        todo = np.flatnonzero(~known)
        for start in range(0, len(todo), chunk):
            positions = todo[start : start + chunk]
            rows = model.scores([texts[i] for i in positions], vectors_at(positions))
            if matrix is None:
                matrix = np.zeros((len(ids), rows.shape[1]), dtype=np.float32)
            matrix[positions] = rows
        return cls(model.model_id, ids, matrix if matrix is not None else np.zeros((len(ids), 0), dtype=np.float32))

    def scores_of(self, ids: np.ndarray, query_scores: np.ndarray) -> np.ndarray:
        """How well each of the passages ``ids`` matches ``query_scores`` (the score :meth:`rank`
        orders by; 0 for a passage the matrix does not hold)."""
        wanted = np.asarray(ids, dtype=np.int64).reshape(-1)
        out = np.zeros(wanted.size, dtype=np.float32)
        if not wanted.size or not len(self.ids):
            return out
        if self._sorted is None:
            order = np.argsort(self.ids, kind="stable")
            self._sorted = (self.ids[order], order)
        known, order = self._sorted
        found, rows = find_sorted(known, order, wanted)
        query = np.nan_to_num(np.asarray(query_scores, dtype=np.float32).reshape(-1), nan=0.0)
        out[found] = self.matrix[rows] @ query
        return out

    def rank(self, query_scores: np.ndarray, fetch: int, allowed: np.ndarray | None = None) -> list[int]:
        """Passage ids best first by ``matrix @ query_scores`` (ties to the smaller id), only
        ``allowed`` ids if given; passages scoring 0 are left out."""
        if not len(self.ids) or fetch < 1:
            return []
        query = np.nan_to_num(np.asarray(query_scores, dtype=np.float32).reshape(-1), nan=0.0)
        if query.shape[0] != self.matrix.shape[1]:
            raise ValueError(f"query has {query.shape[0]} concept scores, the index {self.matrix.shape[1]}")
        scores = self.matrix @ query
        rows = np.arange(len(self.ids)) if allowed is None else np.flatnonzero(np.isin(self.ids, allowed))
        rows = rows[scores[rows] > 0]
        if not rows.size:
            return []
        if rows.size > 4 * fetch:  # a large catalogue: sort only the best ``fetch`` (about 1 ms at 100k)
            rows = rows[np.argpartition(-scores[rows], fetch - 1)[:fetch]]
        order = np.lexsort((self.ids[rows], -scores[rows]))[:fetch]
        return [int(i) for i in self.ids[rows[order]]]

    def save(self, folder: Path) -> None:
        """Write the matrix, its passage ids and the model's name into an index generation folder."""
        np.save(folder / MATRIX_FILE, self.matrix)
        np.save(folder / IDS_FILE, self.ids)
        (folder / MODEL_FILE).write_text(self.model_id, encoding="utf-8")

    @classmethod
    def read(cls, folder: Path) -> ConceptMatrix | None:
        """The matrix saved in ``folder``, or ``None`` if there is none or it is damaged."""
        try:
            model_id = (folder / MODEL_FILE).read_text(encoding="utf-8").strip()
            return cls(model_id, np.load(folder / IDS_FILE), np.load(folder / MATRIX_FILE))
        except (OSError, ValueError):
            return None
