"""Recommendations across reviews, and their status updates."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from api.deps import Ctx, Panel, Reader, ReadSession
from api.routes._router import make_router
from api.schemas import MAX_PAGE_SIZE, Page, RecommendationItem, RecommendationStatusIn, ShortText
from gwersi import recommendations
from index.db import transaction

router = make_router("recommendations")
Year = Annotated[int | None, Query(ge=1900, le=2100)]


@router.get("/recommendations", summary="Recommendations, filtered and paged")
def list_recommendations(
    session: ReadSession,
    _who: Reader,
    review_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    review_type: Annotated[list[ShortText] | None, Query(alias="type", max_length=10)] = None,
    board: Annotated[list[ShortText] | None, Query(max_length=10)] = None,
    year_from: Year = None,
    year_to: Year = None,
    text: Annotated[str | None, Query(max_length=200, description="Words the recommendation contains.")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[RecommendationItem]:
    """Recommendations with their review, newest reviews first."""
    rows, total = recommendations.list_recommendations(
        session,
        review_id=review_id,
        review_types=review_type or (),
        boards=board or (),
        year_from=year_from,
        year_to=year_to,
        text=text,
        offset=offset,
        limit=limit,
    )
    return Page[RecommendationItem](
        data=[RecommendationItem.model_validate(r, from_attributes=True) for r in rows],
        count=total,
        offset=offset,
        limit=limit,
    )


@router.post("/recommendations/{recommendation_id}/status", summary="Record a recommendation's status (panel)")
def set_status(
    recommendation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: RecommendationStatusIn,
    ctx: Ctx,
    who: Panel,
) -> RecommendationItem:
    """Set the current status; every change is kept with its author and note."""
    with transaction(ctx.sessions) as session:
        view = recommendations.set_status(session, recommendation_id, status=body.status, note=body.note, by=who)
    return RecommendationItem.model_validate(view, from_attributes=True)
