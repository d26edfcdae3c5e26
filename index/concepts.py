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

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

MATRIX_FILE = "concepts.npy"
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

    @classmethod
    def build(
        cls, model: ConceptModel, ids: np.ndarray, texts: Sequence[str], vectors: np.ndarray, *, chunk: int = 4096
    ) -> ConceptMatrix:
        """Score every passage (in chunks, so memory stays flat on a large catalogue)."""
        parts = [model.scores(texts[i : i + chunk], vectors[i : i + chunk]) for i in range(0, len(texts), chunk)]
        matrix = np.vstack(parts) if parts else np.zeros((0, 0), dtype=np.float32)
        return cls(model.model_id, ids, matrix)

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
        order = np.lexsort((self.ids[rows], -scores[rows]))[:fetch]
        return [int(i) for i in self.ids[rows[order]]]

    def save(self, folder: Path) -> None:
        """Write the matrix and the model's name into an index generation folder."""
        np.save(folder / MATRIX_FILE, self.matrix)
        (folder / MODEL_FILE).write_text(self.model_id, encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, ids: np.ndarray, model_id: str) -> ConceptMatrix | None:
        """The saved matrix if it was made by ``model_id`` for these passages, else ``None``."""
        try:
            saved_model = (folder / MODEL_FILE).read_text(encoding="utf-8").strip()
            if saved_model != model_id:
                return None
            matrix = np.load(folder / MATRIX_FILE)
        except (OSError, ValueError):
            return None
        if matrix.ndim != 2 or matrix.shape[0] != len(ids):
            return None
        return cls(model_id, ids, matrix)
