"""Shared set-up for the concurrency tests: a context on the test's catalogue with suggested tags."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from gwersi.context import AppContext
from gwersi.ingesting import store_parsed
from gwersi.settings import Settings
from index.db import transaction
from index.orm import Passage, Tag
from index.tags_store import replace_suggestions
from taxonomy.models import Suggestion
from taxonomy.standards import TAXONOMY_VERSION
from tests.factories import parsed_review

STANDARDS = ("S02", "S04", "S16", "S23")


def make_context(settings: Settings) -> AppContext:
    """A context on the fixture's catalogue with the quick rule tagger."""
    return AppContext(settings.model_copy(update={"tagger": "rule"}))


def seed_suggestions(ctx: AppContext, reviews: int = 3, paragraphs: int = 4) -> list[int]:
    """Store small reviews and give every passage one machine suggestion per standard in STANDARDS."""
    for r in range(reviews):
        texts = [f"Review {r} paragraph {p}: the agencies did not share what they knew." for p in range(paragraphs)]
        store_parsed(ctx, parsed_review(texts, name=f"review-{r}.md", salt=str(r)), f"review-{r}.md")
    with transaction(ctx.sessions) as session:
        for passage_id in session.scalars(select(Passage.id).order_by(Passage.id)):
            suggestions = [Suggestion(s, 0.6, "shortfall", "agencies", 4, 12, "rule") for s in STANDARDS]
            replace_suggestions(
                session=session,
                passage_id=passage_id,
                suggestions=suggestions,
                source="rule",
                taxonomy_version=TAXONOMY_VERSION,
            )
    with ctx.sessions() as session:
        return list(session.scalars(select(Tag.id).order_by(Tag.id)))


def run_together(calls: list[Callable[[], Any]], timeout: float = 120.0) -> list[tuple[str, Any]]:
    """Start every call at the same moment, one thread each; ``("ok", value)`` or ``("error", exception)``."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, Any]] = [("pending", None)] * len(calls)

    def runner(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = ("ok", call())
        except BaseException as exc:  # collected and asserted on by the test
            results[i] = ("error", exc)

    threads = [threading.Thread(target=runner, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread did not finish (deadlock?)"
    return results
