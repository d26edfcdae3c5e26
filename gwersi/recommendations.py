"""Recommendations across reviews: listing with filters, status updates with their history, and the
tracker (normalised fields, standards, near-duplicates across reviews, counts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gwersi import audit
from gwersi.auth import Principal
from gwersi.context import AppContext
from gwersi.errors import GwersiError
from gwersi.recommendation_tracker import TrackedRecommendation, TrackerReport, track
from index.db import transaction
from index.orm import RecommendationRow, RecommendationStatusUpdate, Review, utcnow

__all__ = [
    "RecommendationView",
    "StatusChange",
    "TrackedRecommendation",
    "TrackerReport",
    "list_recommendations",
    "record_status",
    "set_status",
    "status_history",
    "track",
]


@dataclass(frozen=True)
class RecommendationView:
    """A recommendation with the review it belongs to."""

    id: int
    review_id: int
    reference: str | None
    review_title: str
    review_type: str | None
    board: str | None
    year: int | None
    number: str
    text: str
    addressee: str | None
    scope: str | None
    status: str | None


def _view(rec: RecommendationRow, review: Review) -> RecommendationView:
    return RecommendationView(
        id=rec.id,
        review_id=review.id,
        reference=review.reference,
        review_title=review.title,
        review_type=review.review_type,
        board=review.board,
        year=review.year,
        number=rec.number,
        text=rec.text,
        addressee=rec.addressee,
        scope=rec.scope,
        status=rec.status,
    )


def list_recommendations(
    session: Session,
    *,
    review_id: int | None = None,
    review_types: Sequence[str] = (),
    boards: Sequence[str] = (),
    year_from: int | None = None,
    year_to: int | None = None,
    text: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[RecommendationView], int]:
    """Recommendations matching the filters (newest reviews first), with the total before paging."""
    stmt = select(RecommendationRow, Review).join(Review, RecommendationRow.review_id == Review.id)
    if review_id is not None:
        stmt = stmt.where(Review.id == review_id)
    if review_types:
        stmt = stmt.where(Review.review_type.in_(list(review_types)))
    if boards:
        stmt = stmt.where(Review.board.in_(list(boards)))
    if year_from is not None:
        stmt = stmt.where(Review.year >= year_from)
    if year_to is not None:
        stmt = stmt.where(Review.year <= year_to)
    if text:
        stmt = stmt.where(func.lower(RecommendationRow.text).contains(text.lower(), autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = stmt.order_by(Review.year.desc().nulls_last(), Review.id, RecommendationRow.ordinal)
    rows = session.execute(stmt.offset(offset).limit(limit)).all()
    return [_view(rec, review) for rec, review in rows], int(total)


def set_status(
    session: Session, recommendation_id: int, *, status: str, note: str | None, by: Principal
) -> RecommendationView:
    """Record a new status for a recommendation (the history keeps every change)."""
    rec = session.get(RecommendationRow, recommendation_id)
    if rec is None:
        raise GwersiError("not_found", f"no recommendation with id {recommendation_id}", 404)
    status = status.strip()
    if not status:
        raise GwersiError("invalid_status", "a status must not be blank", 422)
    previous = rec.status
    rec.status = status[:40]
    session.add(
        RecommendationStatusUpdate(recommendation_id=rec.id, status=rec.status, note=note, author=by.actor, at=utcnow())
    )
    session.flush()
    audit.record(
        session, by.actor, "recommendation.status", f"recommendation:{rec.id}", {"from": previous, "to": rec.status}
    )
    return _view(rec, rec.review)


# --------------------------------------------------------------------------- tracker
# The tracker itself lives in gwersi.recommendation_tracker; status changes are recorded here.


@dataclass(frozen=True)
class StatusChange:
    """One recorded status change."""

    status: str
    note: str | None
    author: str
    at: datetime


def record_status(
    ctx: AppContext, recommendation_id: int, status: str, note: str | None, author: str
) -> RecommendationView:
    """Record a status change by ``author`` (history row, the row's status, and an audit event)."""
    with transaction(ctx.sessions) as session:
        return set_status(session, recommendation_id, status=status, note=note, by=Principal(author, "panel"))


def status_history(session: Session, recommendation_id: int) -> list[StatusChange]:
    """Every recorded status of a recommendation, oldest first; 404 if it does not exist."""
    if session.get(RecommendationRow, recommendation_id) is None:
        raise GwersiError("not_found", f"no recommendation with id {recommendation_id}", 404)
    rows = session.scalars(
        select(RecommendationStatusUpdate)
        .where(RecommendationStatusUpdate.recommendation_id == recommendation_id)
        .order_by(RecommendationStatusUpdate.at, RecommendationStatusUpdate.id)
    )
    return [StatusChange(r.status, r.note, r.author, r.at) for r in rows]


