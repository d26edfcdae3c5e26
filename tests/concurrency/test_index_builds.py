"""Two index builds at once (an API upload and `gwersi index build`, or two API workers) must leave an index.

Each context below stands for a separate process: they share only the data dir and the catalogue.
"""

from __future__ import annotations

from gwersi.indexing import build_index, load_index
from gwersi.ingesting import store_parsed
from gwersi.pipeline import process_new_passages
from gwersi.settings import Settings
from tests.concurrency.helpers import make_context, run_together
from tests.factories import parsed_review

ROUNDS = 8


def test_two_simultaneous_builds_leave_a_loadable_index(settings: Settings) -> None:
    first, second = make_context(settings), make_context(settings)
    try:
        for n in range(3):
            store_parsed(first, parsed_review(name=f"r{n}.md", salt=str(n)), f"r{n}.md")
        process_new_passages(first)
        for _ in range(ROUNDS):
            results = run_together([lambda: build_index(first), lambda: build_index(second)])
            assert [kind for kind, _ in results] == ["ok", "ok"], results
            fresh = make_context(settings)
            try:
                assert len(load_index(fresh)) == len(results[0][1])
            finally:
                fresh.close()
    finally:
        first.close()
        second.close()
