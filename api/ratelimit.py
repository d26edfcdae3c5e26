"""A small in-memory sliding-window limiter for failed token attempts, per client address.

It lives in one process: behind several workers each has its own window (documented limitation).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_FAILURES = 10
"""Failed token attempts a client may make within :data:`WINDOW_SECONDS` before it gets 429."""
WINDOW_SECONDS = 60.0
MAX_CLIENTS = 10_000
"""Most client addresses remembered; the least recently seen are forgotten first."""


class SlidingWindowLimiter:
    """Counts events per key within a moving time window."""

    def __init__(
        self,
        max_events: int = MAX_FAILURES,
        window_seconds: float = WINDOW_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_CLIENTS,
    ) -> None:
        self.max_events = max_events
        self.window = window_seconds
        self._clock = clock
        self._max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float] | None:
        events = self._events.get(key)
        if events is None:
            return None
        while events and events[0] <= now - self.window:
            events.popleft()
        if not events:
            del self._events[key]
            return None
        return events

    def retry_after(self, key: str) -> int | None:
        """Seconds until ``key`` may try again, or ``None`` when it is not blocked."""
        with self._lock:
            now = self._clock()
            events = self._prune(key, now)
            if events is None or len(events) < self.max_events:
                return None
            return max(1, math.ceil(events[0] + self.window - now))

    def hit(self, key: str) -> None:
        """Record one event (a failed attempt) for ``key``."""
        with self._lock:
            now = self._clock()
            events = self._prune(key, now) or deque()
            events.append(now)
            self._events[key] = events
            self._events.move_to_end(key)
            while len(self._events) > self._max_keys:
                self._events.popitem(last=False)
