"""Embed passages once and store the vectors in the catalogue (resumable in batches)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from gwersi.context import AppContext
from index.db import transaction
from index.orm import Passage
from index.store import passages_without_embedding, set_embeddings

COMMIT_EVERY = 256


def embed_pending(ctx: AppContext, *, on_batch: Callable[[int, int], None] | None = None) -> int:
    """Embed every passage that has no vector from the current model; returns how many.

    Commits every ``COMMIT_EVERY`` passages, so an interrupted run resumes where it stopped.
    Passages go to the encoder longest first, so each chunk (and each encoder batch in it) holds
    texts of about one length: batches are padded to their longest text, and this keeps the
    padding as small as when the encoder sorts the whole list itself.
    """
    encoder = ctx.encoder
    with ctx.sessions() as session:
        pending = passages_without_embedding(session=session, model_id=encoder.model_id)
        pending_ids = [p.id for p in sorted(pending, key=lambda p: (-len(p.text), p.id))]
    total = len(pending_ids)
    done = 0
    for start in range(0, total, COMMIT_EVERY):
        chunk = pending_ids[start : start + COMMIT_EVERY]
        with transaction(ctx.sessions) as session:
            by_id = {p.id: p for p in session.scalars(select(Passage).where(Passage.id.in_(chunk)))}
            passages = [by_id[pid] for pid in chunk if pid in by_id]
            vectors = encoder.encode([p.text for p in passages], batch_size=ctx.settings.embed_batch_size)
            set_embeddings(session=session, passages=passages, vectors=vectors, model_id=encoder.model_id)
        done += len(chunk)
        if on_batch is not None:
            on_batch(done, total)
    return total
