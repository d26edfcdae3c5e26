"""Catalogue export as JSON Lines: one line per review with its passages, tags and panel decisions.

The export is a stream: reviews are read one at a time in id order, so memory stays flat however
big the catalogue is. Each line is a JSON object with ``format`` (:data:`EXPORT_FORMAT`), the
review in the public :class:`~gwersi.schemas.ReviewOut` shape, its source text and hash, every
decision ever made on its tags, and recommendation status updates.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gwersi.schemas import review_out
from index.orm import RecommendationRow, RecommendationStatusUpdate, Review, TagDecision
from index.store import get_review

EXPORT_FORMAT = "gwersi-catalogue/1"
MEDIA_TYPE = "application/x-ndjson"


def review_ids(session: Session, *, only: Sequence[int] = ()) -> list[int]:
    """Ids of the reviews to export, in order (all, or those in ``only`` that exist)."""
    stmt = select(Review.id).order_by(Review.id)
    if only:
        stmt = stmt.where(Review.id.in_(list(only)))
    return list(session.scalars(stmt))


def review_record(session: Session, review_id: int) -> dict[str, Any]:
    """The export record of one review."""
    review = get_review(session=session, review_id=review_id)
    decisions = session.scalars(
        select(TagDecision).where(TagDecision.review_id == review_id).order_by(TagDecision.id)
    )
    updates = session.execute(
        select(RecommendationStatusUpdate, RecommendationRow.number)
        .join(RecommendationRow, RecommendationStatusUpdate.recommendation_id == RecommendationRow.id)
        .where(RecommendationRow.review_id == review_id)
        .order_by(RecommendationStatusUpdate.id)
    ).all()
    return {
        "format": EXPORT_FORMAT,
        "review": review_out(review).model_dump(mode="json"),
        "source": {
            "sha256": review.sha256,
            "identity_key": review.identity_key,
            "page_count": review.page_count,
            "text": review.text,
        },
        "decisions": [
            {
                "tag_id": d.tag_id,
                "standard": d.standard_id,
                "decision": d.decision,
                "reviewer": d.reviewer,
                "note": d.note,
                "taxonomy_version": d.taxonomy_version,
                "passage_text_sha1": d.passage_text_sha1,
                "decided_at": _iso(d.decided_at),
            }
            for d in decisions
        ],
        "recommendation_updates": [
            {
                "recommendation": number,
                "recommendation_id": u.recommendation_id,
                "status": u.status,
                "note": u.note,
                "author": u.author,
                "at": _iso(u.at),
            }
            for u, number in updates
        ],
    }


def iter_catalogue_jsonl(sessions: sessionmaker[Session], *, only: Sequence[int] = ()) -> Iterator[str]:
    """The export, one line (ending in a newline) per review, reading one review at a time.

    The list of reviews is fixed when this is called (so a bad request fails before any line is
    sent); a review deleted while the export runs is skipped.
    """
    with sessions() as session:
        ids = review_ids(session, only=only)
    return _lines(sessions, ids)


def _lines(sessions: sessionmaker[Session], ids: list[int]) -> Iterator[str]:
    from index.store import ReviewNotFoundError

    for rid in ids:
        with sessions() as session:
            try:
                record = review_record(session, rid)
            except ReviewNotFoundError:
                continue
        yield json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()
