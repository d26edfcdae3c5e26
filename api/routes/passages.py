"""Passages with their tags and provenance, and the panel's tag decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path
from fastapi.concurrency import run_in_threadpool

from api.deps import Ctx, Panel, Reader, ReadSession
from api.routes._router import make_router
from api.schemas import DecisionIn, DecisionOut, PassageDetail, PassageReviewRef, TagAddIn, TagWithHistory
from gwersi.schemas import TagOut, tag_out
from index import store
from index.orm import Tag

router = make_router("passages")
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _with_history(tag: Tag) -> TagWithHistory:
    return TagWithHistory(
        **tag_out(tag).model_dump(),
        decisions=[
            DecisionOut(
                id=d.id,
                decision=d.decision,
                reviewer=d.reviewer,
                note=d.note,
                taxonomy_version=d.taxonomy_version,
                decided_at=_aware(d.decided_at),
            )
            for d in tag.decisions
        ],
    )


@router.get("/passages/{passage_id}", summary="A passage with tags, provenance and decision history")
def get_passage(passage_id: Id, session: ReadSession, _who: Reader) -> PassageDetail:
    """The passage, where it sits in its review, and every tag with who decided what and when."""
    p = store.get_passage(session=session, passage_id=passage_id)
    r = p.review
    return PassageDetail(
        id=p.id,
        ordinal=p.ordinal,
        paragraph=p.ordinal + 1,
        text=p.text,
        page=p.page,
        char_start=p.char_start,
        char_end=p.char_end,
        section_kind=p.section.kind,
        section_heading=p.section.heading,
        review=PassageReviewRef(
            id=r.id, reference=r.reference, title=r.title, review_type=r.review_type, board=r.board, year=r.year
        ),
        tags=[_with_history(t) for t in sorted(p.tags, key=lambda t: -t.score)],
    )


@router.post("/tags/{tag_id}/decision", summary="Confirm or reject a tag (panel)")
async def decide_tag(tag_id: Id, body: DecisionIn, ctx: Ctx, who: Panel) -> TagOut:
    """Record the caller's decision. With ``expected_version``, a tag changed since is a 409."""
    from gwersi.tagging import decide

    tag = await run_in_threadpool(decide, ctx, tag_id, body.decision, who.actor, body.note, body.expected_version)
    return tag_out(tag)


@router.post("/passages/{passage_id}/tags", status_code=201, summary="Add a standard to a passage (panel)")
async def add_tag(passage_id: Id, body: TagAddIn, ctx: Ctx, who: Panel) -> TagOut:
    """A standard the machine missed; it is confirmed at once and recorded as the caller's."""
    from gwersi.tagging import add_tag as add

    tag = await run_in_threadpool(add, ctx, passage_id, body.standard, who.actor, body.evidence, body.note)
    return tag_out(tag)
