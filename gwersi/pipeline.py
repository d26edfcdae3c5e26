"""The processing chain after ingest: embed new passages, suggest standards, refresh the index."""

from __future__ import annotations

from dataclasses import dataclass

from gwersi.context import AppContext
from gwersi.embedding import embed_pending
from gwersi.indexing import rebuild_index
from gwersi.tagging import tag_passages
from index.db import transaction
from index.store import delete_review


@dataclass(frozen=True)
class ProcessReport:
    """How many passages each step handled."""

    embedded: int
    tagged: int
    indexed: int


def process_new_passages(ctx: AppContext, *, show_progress: bool = False) -> ProcessReport:
    """Embed passages without vectors, tag untagged passages, rebuild the search index."""
    if show_progress:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            embed_task = progress.add_task("Embedding", total=None)
            embedded = embed_pending(
                ctx, on_batch=lambda d, t: progress.update(embed_task, completed=d, total=t)
            )
            tag_task = progress.add_task("Tagging", total=None)
            tagged = tag_passages(ctx, on_batch=lambda d, t: progress.update(tag_task, completed=d, total=t))
    else:
        embedded = embed_pending(ctx)
        tagged = tag_passages(ctx)
    engine = rebuild_index(ctx)
    return ProcessReport(embedded=embedded, tagged=tagged, indexed=len(engine))


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
