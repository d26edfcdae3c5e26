"""What recurs across reviews: recurring lessons, repeated recommendations, emerging themes and
standards coverage. Read only (status changes go through ``POST /recommendations/{id}/status``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import Depends, Path, Query

from api.deps import Ctx, Reader, ReadSession
from api.routes._router import make_router
from api.schemas import STANDARD_ID_PATTERN, ShortText
from gwersi import coverage as coverage_service
from gwersi import emerging, lessons, recommendations
from gwersi.coverage import CoverageReport
from gwersi.emerging import EmergingReport
from gwersi.lessons import LessonCluster, LessonReport
from gwersi.recommendations import StatusChange, TrackerReport

router = make_router("recurring")
StandardQuery = Annotated[str | None, Query(pattern=STANDARD_ID_PATTERN, description="Standard id, S01..S26.")]


@router.get("/lessons", summary="Recurring lessons across reviews")
def list_lessons(
    ctx: Ctx,
    _who: Reader,
    standard: StandardQuery = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    members: Annotated[bool, Query(description="Include every member passage, not only examples.")] = False,
) -> LessonReport:
    """Clusters of learning passages spanning two or more reviews, most persistent first."""
    return lessons.list_lessons(ctx, standard=standard, members=members, limit=limit)


@router.get("/lessons/{cluster_id}", summary="One recurring lesson with all its passages")
def get_lesson(
    cluster_id: Annotated[str, Path(pattern=r"^[a-z]+-[0-9a-f]{6,40}$", max_length=60)], ctx: Ctx, _who: Reader
) -> LessonCluster:
    """A recurring lesson by id (ids stay while its membership stays largely the same)."""
    return lessons.get_lesson(ctx, cluster_id)


@dataclass(frozen=True)
class TrackerFilters:
    """Query filters shared by the two recommendation listings."""

    standard: StandardQuery = None
    agency: Annotated[ShortText | None, Query(description="Part of an agency name.")] = None
    board: Annotated[ShortText | None, Query()] = None
    status: Annotated[ShortText | None, Query(description="not_started, in_progress, complete, ...")] = None


Filters = Annotated[TrackerFilters, Depends()]


@router.get("/recommendations/repeated", summary="Recommendations made before (or again) in other reviews")
def repeated_recommendations(ctx: Ctx, _who: Reader, filters: Filters) -> TrackerReport:
    """Near-duplicate recommendations across reviews, each with "recommended before in ..." notes."""
    return recommendations.track(ctx, repeated_only=True, **asdict(filters))


@router.get("/recommendations/tracker", summary="Every recommendation, normalised and linked")
def recommendation_tracker(ctx: Ctx, _who: Reader, filters: Filters) -> TrackerReport:
    """Recommendations with agencies, due dates, statuses, standards and links, plus counts."""
    return recommendations.track(ctx, repeated_only=False, **asdict(filters))


@router.get("/recommendations/{recommendation_id}/history", summary="A recommendation's status history")
def recommendation_history(
    recommendation_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: ReadSession, _who: Reader
) -> list[StatusChange]:
    """Every status recorded for the recommendation, oldest first."""
    return recommendations.status_history(session, recommendation_id)


@router.get("/themes/emerging", summary="Topics the standards do not cover well")
def emerging_themes(
    session: ReadSession,
    _who: Reader,
    cutoff: Annotated[float, Query(ge=0.0, le=1.0, description="Outlier when its best tag scores below.")] = 0.5,
) -> EmergingReport:
    """Clusters of passages with no tag, or only weak ones; a side view that never changes tags."""
    return emerging.emerging_themes(session, score_cutoff=cutoff)


@router.get("/coverage", summary="Standards evidenced as shortfall vs good practice")
def standards_coverage(
    session: ReadSession,
    _who: Reader,
    confirmed_only: Annotated[bool, Query(description="Count panel-confirmed tags only.")] = False,
    min_score: Annotated[float, Query(ge=0.0, le=1.0, description="Ignore suggestions scored lower.")] = 0.0,
) -> CoverageReport:
    """Per standard, by year and board; with the standards no review has tested yet."""
    return coverage_service.coverage(session, confirmed_only=confirmed_only, min_score=min_score)
