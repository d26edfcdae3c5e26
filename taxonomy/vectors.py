"""Passage vectors for the embedding-based taggers, and threshold search shared by calibrations."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from taxonomy.errors import TaggerNotReadyError
from taxonomy.models import TagInput, TextEncoder


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """L2-normalise each row (zero rows stay zero)."""
    m = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return np.asarray(m / np.maximum(norms, 1e-12), dtype=np.float32)


def item_embeddings(items: Sequence[TagInput], encoder: TextEncoder | None, dimension: int) -> np.ndarray:
    """The items' stored embeddings; those missing are encoded in one batch with ``encoder``.

    Raises :class:`TaggerNotReadyError` when an embedding is missing and there is no encoder, or when
    a stored vector has the wrong dimension.
    """
    out = np.zeros((len(items), dimension), dtype=np.float32)
    missing = []
    for i, item in enumerate(items):
        if item.embedding is None:
            missing.append(i)
            continue
        vector = np.asarray(item.embedding, dtype=np.float32).reshape(-1)
        if vector.shape[0] != dimension:
            raise TaggerNotReadyError(
                f"passage {item.id!r} has a {vector.shape[0]}-dimensional embedding; "
                f"the model expects {dimension}"
            )
        out[i] = vector
    if missing:
        if encoder is None:
            raise TaggerNotReadyError("passages without embeddings need an encoder passed to the tagger")
        out[missing] = encoder.encode([items[i].text for i in missing])
    return normalise_rows(out)


def best_f1_threshold(scores: np.ndarray, labels: np.ndarray, candidates: np.ndarray) -> tuple[float, float]:
    """The candidate threshold (predict ``score >= t``) with the best F1, and that F1.

    Ties go to the higher threshold (fewer false alarms).
    """
    best_t, best_f1 = float(candidates[-1]), -1.0
    positives = labels.astype(bool)
    for t in sorted(candidates.tolist(), reverse=True):
        predicted = scores >= t
        tp = int(np.sum(predicted & positives))
        fp = int(np.sum(predicted & ~positives))
        fn = int(np.sum(~predicted & positives))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1:
            best_t, best_f1 = float(t), f1
    return best_t, best_f1
