"""Themes: counts of tagged passages by standard x year, board or review type."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from api.deps import Reader, ReadSession
from api.routes._router import make_router
from api.schemas import StandardIdStr
from gwersi import themes
from gwersi.themes import ThemeTable

router = make_router("themes")


@router.get("/themes", summary="Tagged passages by standard x year / board / review type")
def theme_table(
    session: ReadSession,
    _who: Reader,
    by: Literal["year", "board", "review_type"] = "year",
    confirmed_only: Annotated[bool, Query(description="Count only panel-confirmed tags.")] = False,
    min_score: Annotated[float, Query(ge=0.0, le=1.0, description="Ignore suggestions scored lower.")] = 0.0,
    standard: Annotated[list[StandardIdStr] | None, Query(max_length=26, description="Only these standards.")] = None,
) -> ThemeTable:
    """Cells of (standard, value, passages, reviews) for charts, with totals per standard."""
    return themes.theme_table(
        session, by=by, confirmed_only=confirmed_only, min_score=min_score, standards=standard or ()
    )
