"""Ingest one uploaded file: check it, parse, store, then embed/tag/index, and audit the upload.

The API saves the upload to a private temporary file first (see ``api.uploads``); this module is
the service it calls, synchronously for small files or from a background job for large ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gwersi import audit
from gwersi.context import AppContext
from gwersi.ingesting import parse_one, store_parsed
from index.db import transaction


@dataclass(frozen=True)
class UploadOutcome:
    """What happened to an uploaded file."""

    file: str
    status: str
    review_id: int | None
    passages_added: int
    passages_removed: int
    processed: dict[str, Any] | None = field(default=None)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON form (for job results)."""
        return dataclasses.asdict(self)


def check_upload(ctx: AppContext, path: Path, display_name: str) -> None:
    """Refuse an empty, oversized, unsupported or mislabelled file by its bytes (raises ``IngestError``)."""
    from ingest.sniff import sniff

    sniff(path.read_bytes(), display_name, limits=ctx.limits)


def ingest_upload(ctx: AppContext, path: Path, display_name: str, *, actor: str, process: bool = True) -> UploadOutcome:
    """Parse and store ``path``; then (if anything changed) embed, tag and re-index. Audited."""
    parsed = parse_one(ctx, path)
    result = store_parsed(ctx, parsed, display_name)
    processed: dict[str, Any] | None = None
    if process and result.status in ("ingested", "updated"):
        from gwersi.pipeline import process_new_passages

        processed = _plain(process_new_passages(ctx))
    with transaction(ctx.sessions) as session:
        audit.record(
            session,
            actor,
            "review.upload",
            f"review:{result.review_id}",
            {
                "file": display_name,
                "status": result.status,
                "passages_added": len(result.passages_added),
                "passages_removed": len(result.passages_removed),
            },
        )
    return UploadOutcome(
        file=display_name,
        status=result.status,
        review_id=result.review_id,
        passages_added=len(result.passages_added),
        passages_removed=len(result.passages_removed),
        processed=processed,
    )


def _plain(report: object) -> dict[str, Any]:
    """A service report as a JSON-friendly dict (dataclass fields, or public attributes)."""
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        raw = dataclasses.asdict(report)
    else:
        raw = {k: v for k, v in vars(report).items() if not k.startswith("_")}
    return {k: (v if isinstance(v, int | float | str | bool | type(None)) else str(v)) for k, v in raw.items()}
