"""The processing chain after ingest: embed new passages, suggest standards, refresh the index."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from gwersi.context import AppContext
from gwersi.embedding import embed_pending
from gwersi.indexing import rebuild_index
from gwersi.ingesting import FileResult, ingest_files
from gwersi.tagging import tag_passages
from index.db import transaction
from index.store import delete_review
from ingest.timing import StageTimes, maybe_measure


@dataclass(frozen=True)
class ProcessReport:
    """How many passages each step handled."""

    embedded: int
    tagged: int
    indexed: int


def process_new_passages(
    ctx: AppContext, *, show_progress: bool = False, times: StageTimes | None = None
) -> ProcessReport:
    """Embed passages without vectors, tag untagged passages, rebuild the search index."""
    if show_progress:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            embed_task = progress.add_task("Embedding", total=None)
            with maybe_measure(times, "embed"):
                embedded = embed_pending(
                    ctx, on_batch=lambda d, t: progress.update(embed_task, completed=d, total=t)
                )
            tag_task = progress.add_task("Tagging", total=None)
            with maybe_measure(times, "tag"):
                tagged = tag_passages(
                    ctx, on_batch=lambda d, t: progress.update(tag_task, completed=d, total=t)
                )
    else:
        with maybe_measure(times, "embed"):
            embedded = embed_pending(ctx)
        with maybe_measure(times, "tag"):
            tagged = tag_passages(ctx)
    with maybe_measure(times, "index"):
        engine = rebuild_index(ctx)
    return ProcessReport(embedded=embedded, tagged=tagged, indexed=len(engine))


def ingest_and_process(
    ctx: AppContext,
    paths: Iterable[str | Path],
    *,
    process: bool = True,
    show_progress: bool = False,
    on_file: Callable[[FileResult], None] | None = None,
    times: StageTimes | None = None,
) -> tuple[list[FileResult], ProcessReport | None]:
    """The whole ingest: parse and store every file, then (if anything changed and ``process``)
    embed, tag and index. A failed file never stops the batch. ``times`` collects stage seconds."""
    results = ingest_files(ctx, paths, on_file=on_file, times=times)
    if not process or not any(r.status in ("ingested", "updated") for r in results):
        return results, None
    return results, process_new_passages(ctx, show_progress=show_progress, times=times)


def delete_review_everywhere(ctx: AppContext, review_id: int, *, actor: str) -> int:
    """Delete a review from the catalogue, then rebuild the index without it; returns passages removed."""
    from gwersi.audit import record

    with transaction(ctx.sessions) as session:
        removed = delete_review(session=session, review_id=review_id)
        record(session, actor, "review.delete", f"review:{review_id}", {"passages": len(removed)})
    rebuild_index(ctx)
    return len(removed)


def ensure_first_admin_token(ctx: AppContext) -> str | None:
    """On a catalogue with no tokens, create an admin token, save it (mode 600) and return it."""
    from gwersi.auth import create_token, list_tokens

    with transaction(ctx.sessions) as session:
        if list_tokens(session):
            return None
        token = create_token(session, "first admin (gwersi up)", "admin", actor="system").token
    path = ctx.settings.data_dir / "admin-token.txt"
    path.write_text(token + "\n", encoding="utf-8")
    path.chmod(0o600)
    return token
