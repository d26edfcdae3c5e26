"""The failed-attempt limiter as pure logic, with a fake clock."""

from __future__ import annotations

from api.ratelimit import SlidingWindowLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_blocks_after_the_limit_and_frees_as_the_window_slides() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(3, 60.0, clock=clock)
    for _ in range(2):
        limiter.hit("a")
        clock.now += 10
    assert limiter.retry_after("a") is None
    limiter.hit("a")
    assert limiter.retry_after("a") == 40  # the first failure (t=1000) leaves the window at t=1060
    assert limiter.retry_after("b") is None
    clock.now = 1060.5
    assert limiter.retry_after("a") is None


def test_forgets_the_least_recent_clients_beyond_its_memory() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 60.0, clock=clock, max_keys=2)
    for key in ("a", "b", "c"):
        limiter.hit(key)
    assert limiter.retry_after("a") is None
    assert limiter.retry_after("b") == 60 and limiter.retry_after("c") == 60
