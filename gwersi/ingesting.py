"""Ingest service: files -> parsed reviews -> catalogue, one transaction per file.

A file that fails to parse is reported and skipped; nothing is stored for it and nothing already
stored is touched. Embedding, tagging and indexing run after the batch (see ``gwersi.pipeline``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gwersi.context import AppContext
from index.db import transaction
from index.store import StoreResult, store_review
from ingest.errors import IngestError
from ingest.models import ParsedReview
from ingest.timing import StageTimes, maybe_measure

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".md", ".markdown")

FileStatus = Literal["ingested", "updated", "unchanged", "failed"]


@dataclass(frozen=True)
class FileResult:
    """The outcome for one file, in the CLI's JSON contract."""

    path: str
    status: FileStatus
    review_id: int | None = None
    error: str | None = None
    code: str | None = None
    passages_added: tuple[int, ...] = ()
    passages_removed: tuple[int, ...] = ()

    def as_json(self) -> dict[str, object]:
        """The public JSON form: ``{"path","status","review_id","error"}`` (+ ``code`` on failure)."""
        out: dict[str, object] = {
            "path": self.path,
            "status": self.status,
            "review_id": self.review_id,
            "error": self.error,
        }
        if self.code:
            out["code"] = self.code
        return out


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus supported files found under named folders (sorted, no hidden)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel_parts = child.relative_to(path).parts
                if (
                    child.is_file()
                    and child.suffix.lower() in SUPPORTED_SUFFIXES
                    and not any(part.startswith(".") for part in rel_parts)
                ):
                    out.append(child)
        else:
            out.append(path)
    return out


def parse_one(ctx: AppContext, path: Path, *, times: StageTimes | None = None) -> ParsedReview:
    """Parse a file with the context's limits (raises :class:`IngestError`)."""
    from ingest.pipeline import parse_file

    if not path.exists():
        raise IngestError(str(path), "no such file")
    if path.is_dir():
        raise IngestError(str(path), "is a folder with no supported files")
    return parse_file(path, limits=ctx.limits, times=times)


def store_parsed(
    ctx: AppContext, parsed: ParsedReview, display_path: str, *, times: StageTimes | None = None
) -> FileResult:
    """Store one parsed review in its own transaction."""
    with maybe_measure(times, "store"), transaction(ctx.sessions) as session:
        result: StoreResult = store_review(session=session, parsed=parsed)
    return FileResult(
        path=display_path,
        status=result.status,
        review_id=result.review_id,
        passages_added=result.passage_ids_added,
        passages_removed=result.passage_ids_removed,
    )


def ingest_files(
    ctx: AppContext,
    paths: Iterable[str | Path],
    *,
    on_file: Callable[[FileResult], None] | None = None,
    times: StageTimes | None = None,
) -> list[FileResult]:
    """Parse and store every file; a failure is recorded and the batch goes on."""
    results: list[FileResult] = []
    for path in expand_paths(paths):
        try:
            parsed = parse_one(ctx, path, times=times)
            result = store_parsed(ctx, parsed, str(path), times=times)
        except IngestError as exc:
            result = FileResult(path=str(path), status="failed", error=exc.reason, code=exc.code)
        results.append(result)
        if on_file is not None:
            on_file(result)
    return results
