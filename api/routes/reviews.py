"""Reviews: list with filters, one in full, delete (admin), similar reviews, the panel's tag queue."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query, Response

from api.deps import Admin, Ctx, Jobs, Reader, ReadSession
from api.routes._router import make_router
from api.schemas import MAX_PAGE_SIZE, Page, ShortText, SimilarReviewOut, WorkbenchTag
from gwersi.schemas import ReviewOut, ReviewSummary, review_out, review_summary, tag_out
from index import store, tags_store

router = make_router("reviews")
ReviewId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Year = Annotated[int | None, Query(ge=1900, le=2100)]


@router.get("/reviews", summary="Reviews, filtered and paged")
def list_reviews(
    session: ReadSession,
    _who: Reader,
    review_type: Annotated[list[ShortText] | None, Query(alias="type", max_length=10)] = None,
    board: Annotated[list[ShortText] | None, Query(max_length=10)] = None,
    year_from: Year = None,
    year_to: Year = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> Page[ReviewSummary]:
    """Newest first; ``type`` and ``board`` may repeat; ``count`` is the total before paging."""
    rows, total = store.list_reviews(
        session=session,
        review_types=review_type or (),
        boards=board or (),
        year_from=year_from,
        year_to=year_to,
        offset=offset,
        limit=limit,
    )
    return Page[ReviewSummary](data=[review_summary(r) for r in rows], count=total, offset=offset, limit=limit)


@router.get("/reviews/{review_id}", summary="One review in full")
def get_review(review_id: ReviewId, session: ReadSession, _who: Reader) -> ReviewOut:
    """Metadata, sections with passages and tags, recommendations, action plan."""
    return review_out(store.get_review(session=session, review_id=review_id))


@router.delete("/reviews/{review_id}", status_code=204, summary="Delete a review (admin)")
async def delete_review(review_id: ReviewId, ctx: Ctx, jobs: Jobs, who: Admin) -> Response:
    """Remove the review and everything under it from the catalogue and the index (audited).

    It waits for any upload being indexed, so two index builds never overlap.
    """
    from gwersi.pipeline import delete_review_everywhere

    await jobs.run_now(lambda: delete_review_everywhere(ctx, review_id, actor=who.actor))
    return Response(status_code=204)


@router.get("/reviews/{review_id}/similar", summary="Reviews like this one, with the reason")
def similar_reviews(
    review_id: ReviewId, ctx: Ctx, _who: Reader, k: Annotated[int, Query(ge=1, le=20)] = 5
) -> list[SimilarReviewOut]:
    """Reviews nearest by content and shared standards."""
    from gwersi.searching import similar_reviews as find

    return [
        SimilarReviewOut(
            review_id=s.review_id, score=round(float(s.score), 4), reason=s.reason, reference=s.reference, title=s.title
        )
        for s in find(ctx, review_id, k=k)
    ]


@router.get("/reviews/{review_id}/tags", summary="A review's tags for the panel, most uncertain first")
def review_tags(
    review_id: ReviewId,
    session: ReadSession,
    _who: Reader,
    status: Literal["suggested", "confirmed", "rejected"] | None = None,
) -> list[WorkbenchTag]:
    """Tags ordered by how near their score is to 0.5 (the panel's most useful decisions first)."""
    _exists(session, review_id)
    return [
        WorkbenchTag(**tag_out(t).model_dump(), passage_id=t.passage_id, passage_text=t.passage.text)
        for t in tags_store.review_tags(session=session, review_id=review_id, status=status)
    ]


def _exists(session: ReadSession, review_id: int) -> None:
    from index.orm import Review

    if session.get(Review, review_id) is None:
        raise store.ReviewNotFoundError(review_id)
