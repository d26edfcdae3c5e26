"""The query cache in front of the encoder: same vectors, fewer model calls, batches untouched."""

from __future__ import annotations

import numpy as np

from gwersi.context import QueryCachingEncoder
from index.encoder import HashingEncoder


class CountingEncoder(HashingEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    def encode(self, texts: list[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        self.calls.append(len(texts))
        return super().encode(texts, batch_size, show_progress)


def test_single_queries_are_cached_and_identical() -> None:
    inner = CountingEncoder()
    cached = QueryCachingEncoder(inner, size=2)
    first = cached.encode(["return home interview"])
    again = cached.encode(["return home interview"])
    assert np.array_equal(first, again) and np.array_equal(first, inner.encode(["return home interview"]))
    assert inner.calls == [1, 1]  # one through the cache, one direct comparison
    assert not again.flags.writeable


def test_batches_pass_through_and_the_cache_is_bounded() -> None:
    inner = CountingEncoder()
    cached = QueryCachingEncoder(inner, size=2)
    cached.encode(["a", "b", "c"])
    cached.encode(["a", "b", "c"])
    for q in ("q1", "q2", "q3", "q1"):
        cached.encode([q])
    assert inner.calls == [3, 3, 1, 1, 1, 1]  # q1 was evicted by q3, so it is encoded again
