"""Readers searching while another thread ingests reviews and rebuilds the index, on SQLite and PostgreSQL.

The writer stores a review, then embeds, tags and rebuilds (a new index generation each time). The
reader searches in a loop meanwhile. Every search must succeed and be answered by a complete
generation: one whose size is a size the writer finished building, whose hits are its own passages,
and which finds a new review's unique word as soon as it holds that review's passages.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from gwersi.indexing import get_engine, load_index
from gwersi.ingesting import store_parsed
from gwersi.pipeline import process_new_passages
from gwersi.searching import search
from gwersi.settings import Settings
from tests.concurrency.helpers import make_context
from tests.factories import parsed_review

NEW_REVIEWS = 4
QUERIES = ("information was not shared", "voice of the child", "supervision and caseloads")


def marker(n: int) -> str:
    """A word only review ``n`` contains."""
    return f"quokkamarker{n}"


def review(n: int) -> object:
    texts = [
        f"Review {n}: the {marker(n)} strategy meeting did not include the GP.",
        f"Review {n}: information was not shared with the school before the incident.",
        f"Review {n}: supervision was infrequent and caseloads were unmanageable.",
    ]
    return parsed_review(texts, name=f"new-{n}.md", salt=f"new-{n}", reference=f"CPR TEST {n}/2024")


@dataclass
class Observed:
    """What the reader saw."""

    searches: int = 0
    errors: list[BaseException] = field(default_factory=list)
    sizes: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def _read_loop(ctx: object, stop: threading.Event, seen: Observed, sizes_per_marker: dict[int, int]) -> None:
    from gwersi.context import AppContext

    assert isinstance(ctx, AppContext)
    i = 0
    while not stop.is_set():
        try:
            engine = get_engine(ctx)
            size = len(engine)
            query = QUERIES[i % len(QUERIES)]
            hits = engine.search(query, k=5, mode=("hybrid", "bm25", "dense")[i % 3])
            for hit in hits:
                engine.record(hit.record.passage_id)  # raises if the hit is not this generation's passage
            for n, size_with in dict(sizes_per_marker).items():
                if size >= size_with:
                    found = engine.search(marker(n), k=3, mode="bm25")
                    if not any(marker(n) in h.record.text for h in found):
                        seen.problems.append(f"generation of {size} passages misses review {n}")
            search(ctx, query, k=5)  # the service path (catalogue-fresh standards) as the API uses it
            seen.sizes.add(size)
            seen.searches += 1
        except BaseException as exc:  # recorded: the test fails on any
            seen.errors.append(exc)
        i += 1


def test_searching_while_ingesting_and_rebuilding_never_errors_or_sees_a_half_index(settings: Settings) -> None:
    ctx = make_context(settings)
    try:
        for n in range(3):
            store_parsed(ctx, parsed_review(name=f"base-{n}.md", salt=f"base-{n}"), f"base-{n}.md")
        built = {process_new_passages(ctx).indexed}
        sizes_per_marker: dict[int, int] = {}
        seen = Observed()
        stop = threading.Event()
        reader = threading.Thread(target=_read_loop, args=(ctx, stop, seen, sizes_per_marker), daemon=True)
        reader.start()
        for n in range(NEW_REVIEWS):
            store_parsed(ctx, review(n), f"new-{n}.md")  # type: ignore[arg-type]
            report = process_new_passages(ctx)
            built.add(report.indexed)
            sizes_per_marker[n] = report.indexed
            time.sleep(0.05)
        deadline = time.monotonic() + 30
        while seen.searches < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        reader.join(60)
        assert not reader.is_alive()
        assert not seen.errors, [repr(e) for e in seen.errors[:5]]
        assert seen.searches >= 20
        assert seen.sizes <= built, (seen.sizes, built)
        assert not seen.problems, seen.problems[:5]
    finally:
        ctx.close()


def test_a_second_process_searching_while_the_index_is_rebuilt_never_errors(settings: Settings) -> None:
    """A CLI search (a fresh process: nothing loaded) while this process ingests and writes new generations.

    The second context drops its engine before each search, as a new process would start without one,
    so every search opens the saved index from disk (or rebuilds it if the catalogue moved on).
    """
    writer = make_context(settings)
    reader = make_context(settings)
    try:
        for n in range(3):
            store_parsed(writer, parsed_review(name=f"base-{n}.md", salt=f"base-{n}"), f"base-{n}.md")
        process_new_passages(writer)
        stop = threading.Event()
        errors: list[BaseException] = []
        searches = 0

        def loop() -> None:
            nonlocal searches
            while not stop.is_set():
                reader.set_search_engine(None)
                try:
                    search(reader, "information was not shared", k=5)
                    searches += 1
                except BaseException as exc:  # recorded: the test fails on any
                    errors.append(exc)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        for n in range(NEW_REVIEWS):
            store_parsed(writer, review(n), f"new-{n}.md")  # type: ignore[arg-type]
            process_new_passages(writer)
        stop.set()
        thread.join(60)
        assert searches > 0
        assert not errors, [repr(e) for e in errors[:5]]
        assert len(load_index(writer)) == len(get_engine(writer))
    finally:
        writer.close()
        reader.close()
