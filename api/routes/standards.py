"""The taxonomy: standards and components, with counts of tagged passages; lessons per standard."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query

from api.deps import Reader, ReadSession
from api.routes._router import make_router
from api.schemas import STANDARD_ID_PATTERN, ComponentOut, CountsOut, StandardOut
from gwersi import themes
from gwersi.errors import GwersiError
from gwersi.themes import Lesson
from taxonomy.standards import load_taxonomy

router = make_router("standards")
StandardId = Annotated[str, Path(pattern=STANDARD_ID_PATTERN, description="Standard id, S01..S26.")]


def _counts(found: themes.StandardCount | None) -> CountsOut:
    if found is None:
        return CountsOut()
    return CountsOut(passages=found.passages, confirmed_passages=found.confirmed_passages, reviews=found.reviews)


@router.get("/standards", summary="The 26 proposed National Standards with counts")
def list_standards(session: ReadSession, _who: Reader) -> list[StandardOut]:
    """Every standard in order, with how many passages (not rejected) and reviews carry it."""
    counts = themes.standard_counts(session)
    return [
        StandardOut(
            id=s.id,
            number=s.number,
            slug=s.slug,
            title=s.title,
            description=s.description,
            must_dos=list(s.must_dos),
            related=list(s.related),
            components=list(s.components),
            cue_phrases=list(s.cue_phrases),
            counts=_counts(counts.get(s.id)),
        )
        for s in load_taxonomy().standards
    ]


@router.get("/standards/{standard_id}", summary="One standard with counts")
def get_standard(standard_id: StandardId, session: ReadSession, who: Reader) -> StandardOut:
    """One standard; 404 for an id the taxonomy does not have."""
    for s in list_standards(session, who):
        if s.id == standard_id:
            return s
    raise GwersiError("not_found", f"no standard {standard_id}", 404)


@router.get("/standards/{standard_id}/lessons", summary="Top evidence passages for a standard")
def standard_lessons(
    standard_id: StandardId,
    session: ReadSession,
    _who: Reader,
    per_review: Annotated[int, Query(ge=1, le=5, description="Most passages from one review.")] = 2,
    limit: Annotated[int, Query(ge=1, le=themes.MAX_LESSONS)] = 10,
    polarity: Annotated[Literal["shortfall", "good_practice", "recommendation", "neutral"] | None, Query()] = None,
    confirmed_only: bool = False,
) -> list[Lesson]:
    """The strongest passages for a standard across reviews (confirmed tags first, then by score)."""
    return themes.lessons(
        session, standard_id, per_review=per_review, limit=limit, polarity=polarity, confirmed_only=confirmed_only
    )


@router.get("/components", summary="The 5 multi-agency components with counts")
def list_components(session: ReadSession, _who: Reader) -> list[ComponentOut]:
    """Every component with its standards and how many passages and reviews touch it."""
    tax = load_taxonomy()
    counts = themes.component_counts(session, tax)
    return [
        ComponentOut(
            id=c.id,
            slug=c.slug,
            title=c.title,
            description=c.description,
            standards=[s.id for s in tax.standards if c.id in s.components],
            counts=_counts(counts.get(c.id)),
        )
        for c in tax.components
    ]
