"""Two panel members deciding at once, and many deciding different tags at once, on SQLite and PostgreSQL.

With ``expected_version`` exactly one of two simultaneous decisions wins and the other is told of the
conflict; without it the last write wins and both decisions stay in the history. Nothing is lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import func, select

from gwersi.context import AppContext
from gwersi.settings import Settings
from gwersi.tagging import decide
from index.orm import Tag, TagDecision
from index.tags_store import TagConflictError
from tests.concurrency.helpers import make_context, run_together, seed_suggestions

ROUNDS = 6


def _decisions(ctx: AppContext, tag_id: int) -> list[tuple[str, str]]:
    with ctx.sessions() as session:
        rows = session.scalars(select(TagDecision).where(TagDecision.tag_id == tag_id).order_by(TagDecision.id))
        return [(d.reviewer, d.decision) for d in rows]


def _tag(ctx: AppContext, tag_id: int) -> Tag:
    with ctx.sessions() as session:
        tag = session.get(Tag, tag_id)
        assert tag is not None
        session.expunge(tag)
        return tag


def test_with_expected_version_exactly_one_of_two_simultaneous_decisions_wins(settings: Settings) -> None:
    ctx = make_context(settings)
    try:
        tag_ids = seed_suggestions(ctx)[:ROUNDS]
        for tag_id in tag_ids:
            version = _tag(ctx, tag_id).version
            calls: list[Callable[[], Any]] = [
                partial(decide, ctx, tag_id, "confirm", "panel-anna", expected_version=version),
                partial(decide, ctx, tag_id, "reject", "panel-bryn", expected_version=version),
            ]
            results = run_together(calls)
            outcomes = Counter(kind for kind, _ in results)
            assert outcomes == {"ok": 1, "error": 1}, results
            error = next(v for kind, v in results if kind == "error")
            assert isinstance(error, TagConflictError), repr(error)
            winner = next(v for kind, v in results if kind == "ok")
            tag = _tag(ctx, tag_id)
            assert tag.version == version + 1
            assert (tag.decided_by, tag.status) == (winner.decided_by, winner.status)
            history = _decisions(ctx, tag_id)
            assert history == [(winner.decided_by, "confirm" if winner.status == "confirmed" else "reject")]
    finally:
        ctx.close()


def test_without_expected_version_last_write_wins_and_both_decisions_are_kept(settings: Settings) -> None:
    ctx = make_context(settings)
    try:
        tag_ids = seed_suggestions(ctx)[:ROUNDS]
        for tag_id in tag_ids:
            version = _tag(ctx, tag_id).version
            calls: list[Callable[[], Any]] = [
                partial(decide, ctx, tag_id, "confirm", "panel-anna", note="fits S16"),
                partial(decide, ctx, tag_id, "reject", "panel-bryn", note="does not fit"),
            ]
            results = run_together(calls)
            assert [kind for kind, _ in results] == ["ok", "ok"], results
            history = _decisions(ctx, tag_id)
            assert sorted(history) == [("panel-anna", "confirm"), ("panel-bryn", "reject")]
            tag = _tag(ctx, tag_id)
            assert tag.version == version + 2
            last_reviewer, last_decision = history[-1]
            assert tag.decided_by == last_reviewer
            assert tag.status == ("confirmed" if last_decision == "confirm" else "rejected")
    finally:
        ctx.close()


def test_many_threads_deciding_different_tags_lose_nothing(settings: Settings) -> None:
    ctx = make_context(settings)
    try:
        tag_ids = seed_suggestions(ctx, reviews=4, paragraphs=5)
        threads = 8
        batches = [tag_ids[i::threads] for i in range(threads)]

        def work(batch: list[int], who: str) -> int:
            for n, tag_id in enumerate(batch):
                decide(ctx, tag_id, "confirm" if n % 2 == 0 else "reject", who, note=f"{who} #{n}", expected_version=1)
            return len(batch)

        calls: list[Callable[[], Any]] = [partial(work, b, f"panel-{i}") for i, b in enumerate(batches)]
        results = run_together(calls)
        assert all(kind == "ok" for kind, _ in results), [v for k, v in results if k == "error"][:3]
        assert sum(v for _, v in results) == len(tag_ids)
        with ctx.sessions() as session:
            assert session.scalar(select(func.count(TagDecision.id))) == len(tag_ids)
            assert session.scalar(select(func.count(Tag.id)).where(Tag.status == "suggested")) == 0
            assert set(session.scalars(select(Tag.version))) == {2}
            per_tag = Counter(session.scalars(select(TagDecision.tag_id)))
        assert set(per_tag.values()) == {1} and set(per_tag) == set(tag_ids)
    finally:
        ctx.close()
