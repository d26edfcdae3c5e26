"""Seconds spent per ingest stage, for ``gwersi bench ingest`` and for profiling.

A :class:`StageTimes` is handed down optionally (``parse_bytes(..., times=...)``); stages add their
wall-clock seconds under a fixed name. Parsing in worker processes sends a plain dict back, which
the parent :meth:`~StageTimes.merge`\\ s, so totals are summed over documents and processes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

STAGES: tuple[str, ...] = (
    "sniff",
    "parse",
    "structure",
    "metadata",
    "store",
    "embed",
    "tag",
    "index",
    "lessons",
)
"""The stages in pipeline order (what ``gwersi bench ingest`` prints)."""


class StageTimes:
    """Accumulated seconds per stage name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._lock = threading.Lock()  # stages are timed on several threads of one ingest

    @contextmanager
    def measure(self, stage: str) -> Iterator[None]:
        """Add the wall-clock time of the ``with`` body to ``stage``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - start)

    def add(self, stage: str, seconds: float) -> None:
        """Add ``seconds`` to ``stage``."""
        with self._lock:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def merge(self, other: Mapping[str, float]) -> None:
        """Add every stage of ``other`` (e.g. a worker's times) to these."""
        for stage, seconds in other.items():
            self.add(stage, seconds)

    def as_dict(self) -> dict[str, float]:
        """A plain copy (picklable, JSON-friendly)."""
        with self._lock:
            return dict(self.seconds)


@contextmanager
def maybe_measure(times: StageTimes | None, stage: str) -> Iterator[None]:
    """:meth:`StageTimes.measure` when ``times`` is given, else nothing."""
    if times is None:
        yield
        return
    with times.measure(stage):
        yield
