"""A board's own labels as training data (panel or admin), and ranked suggestions for a passage."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import Ctx, Panel, Reader, ReadSession
from api.routes._router import make_router
from gwersi.learning import MAX_LINES, import_lines, require_clean
from index.training_store import list_training_examples

router = make_router("training")
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


class TrainingImportIn(BaseModel):
    """Labelled passages, each as one line of ``gwersi learn``: ``{"text", "labels"}`` or
    ``{"passage_id", "decision", "standard"}``; line numbers in problems count from 1."""

    source: str = Field(min_length=1, max_length=500, description="Name of the file or batch, kept as provenance.")
    lines: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_LINES)


class LineProblemOut(BaseModel):
    """A line that was skipped, and why."""

    line: int
    reason: str


class TrainingImportOut(BaseModel):
    """What was stored; duplicates (same passage text as before) are skipped."""

    source: str
    stored: int
    ids: list[int]
    duplicates: list[LineProblemOut]


class TrainingExampleOut(BaseModel):
    """An imported example with its provenance."""

    id: int
    text: str
    standards: list[str]
    rejected: list[str]
    polarity: str | None
    passage_id: int | None
    imported_by: str
    imported_at: datetime
    source_file: str
    source_line: int | None


class RankedSuggestionOut(BaseModel):
    """A suggested standard; ``below_line`` ones were not accepted but are shown for the panel."""

    standard: str
    score: float
    polarity: str
    evidence: str
    evidence_start: int
    evidence_end: int
    tagger: str
    below_line: bool


@router.post("/training-examples", status_code=201, summary="Import labelled passages as training data (panel)")
async def import_training_examples(body: TrainingImportIn, ctx: Ctx, who: Panel) -> TrainingImportOut:
    """Store a board's labelled passages with who, when and the source name. Any malformed line
    refuses the whole batch (422, listing line numbers); run a retrain to use them."""
    lines = [json.dumps(row) for row in body.lines]
    report = await run_in_threadpool(import_lines, ctx, lines, source=body.source, actor=who.actor)
    require_clean(report)
    return TrainingImportOut(
        source=report.source,
        stored=report.stored,
        ids=list(report.ids),
        duplicates=[LineProblemOut(line=p.line, reason=p.reason) for p in report.duplicates],
    )


@router.get("/training-examples", summary="Imported training examples with provenance (panel)")
def get_training_examples(
    session: ReadSession,
    _who: Panel,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[TrainingExampleOut]:
    """Oldest first."""
    rows = list_training_examples(session=session, limit=limit, offset=offset)
    return [
        TrainingExampleOut(
            id=r.id, text=r.text, standards=list(r.standards), rejected=list(r.rejected), polarity=r.polarity,
            passage_id=r.passage_id, imported_by=r.imported_by,
            imported_at=r.imported_at if r.imported_at.tzinfo else r.imported_at.replace(tzinfo=UTC),
            source_file=r.source_file, source_line=r.source_line,
        )
        for r in rows
    ]


@router.get("/passages/{passage_id}/suggestions", summary="Ranked suggestions, below the line included")
async def passage_suggestions(passage_id: Id, ctx: Ctx, _who: Reader) -> list[RankedSuggestionOut]:
    """The tagger's ranked suggestions for the passage now: those above the line (stored as tags)
    first, then lower-confidence ones flagged ``below_line`` that were not stored."""
    from gwersi.tagging import passage_suggestions as suggest

    found = await run_in_threadpool(suggest, ctx, passage_id)
    return [
        RankedSuggestionOut(
            standard=s.standard, score=round(s.score, 4), polarity=s.polarity, evidence=s.evidence,
            evidence_start=s.evidence_start, evidence_end=s.evidence_end, tagger=s.tagger, below_line=not s.accepted,
        )
        for s in found
    ]
