"""Catalogue export as JSON Lines (panel or admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import StreamingResponse

from api.deps import Ctx, Panel
from api.routes._router import make_router
from api.schemas import DbId
from gwersi import audit
from gwersi.exporting import MEDIA_TYPE, iter_catalogue_jsonl
from index.db import transaction

router = make_router("export")


@router.get(
    "/export/catalogue.jsonl",
    summary="The catalogue as JSON Lines (panel)",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "One JSON object per line, one line per review",
            "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    },
)
def export_catalogue(
    ctx: Ctx,
    who: Panel,
    review_id: Annotated[list[DbId] | None, Query(max_length=1000)] = None,
) -> StreamingResponse:
    """Every review (or those named) with passages, tags, decisions and recommendation updates."""
    lines = iter_catalogue_jsonl(ctx.sessions, only=review_id or ())
    with transaction(ctx.sessions) as session:
        audit.record(session, who.actor, "catalogue.export", "catalogue", {"reviews": review_id or "all"})
    return StreamingResponse(
        lines,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="gwersi-catalogue.jsonl"'},
    )
