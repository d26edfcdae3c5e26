"""A tiny deterministic encoder for fast tests: hashed word unigrams, L2-normalised."""

from __future__ import annotations

import re
import zlib

import numpy as np

_WORD = re.compile(r"[a-z]+")


class FakeEncoder:
    """Implements ``taxonomy.models.TextEncoder`` without any model."""

    def __init__(self, dimension: int = 384) -> None:
        self.dimension = dimension
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                out[i, zlib.crc32(word.encode()) % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
