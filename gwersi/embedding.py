"""Embed passages once and store the vectors in the catalogue (resumable in batches)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

import numpy as np
from sqlalchemy import select

from gwersi.context import AppContext
from index.db import transaction
from index.encoder import length_order, load_now, thread_intra_op_threads
from index.encoder_process import EncoderProcess
from index.orm import Passage
from index.store import passages_without_embedding, set_embeddings

COMMIT_EVERY = 256
ROUND_MAX = 2048
"""Most passages one :class:`EncodeRounds` round encodes: parsing can outrun the encoder, and
without a cap each round would grow on what piled up during the last, leaving tagging for the end."""
TAIL_ROUND = 256
"""Fewest passages a round started with ``tail`` encodes (see :meth:`EncodeRounds.start`)."""


def embed_pending(ctx: AppContext, *, on_batch: Callable[[int, int], None] | None = None) -> int:
    """Embed every passage that has no vector from the current model; returns how many.

    Commits every ``COMMIT_EVERY`` passages, so an interrupted run resumes where it stopped.
    Passages go to the encoder longest first, so each chunk (and each encoder batch in it) holds
    texts of about one length: batches are padded to their longest text, and this keeps the
    padding as small as when the encoder sorts the whole list itself.
    """
    encoder = ctx.encoder
    with ctx.sessions() as session:
        pending_ids = [pid for pid, _ in passages_without_embedding(session=session, model_id=encoder.model_id)]
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


class EncodeRounds:
    """Embeds new passages one round at a time on a thread, while the caller stores and tags.

    :meth:`start` reads the passages still without a vector (longest first, as
    :func:`embed_pending` orders them) and hands their texts to the encoder on a thread;
    :meth:`finish` waits for that round and stores its vectors in one transaction. Only the encoding
    runs on the thread: the catalogue is read and written by the caller's thread alone. A round is
    stored before the next is read, so no passage is encoded twice. ``on_seconds`` receives the
    seconds each round spends encoding (on the thread) and storing its vectors.

    With ``own_process`` the model runs in a child process (:class:`~index.encoder_process.EncoderProcess`,
    started by :meth:`load`), so the caller's Python work does not hold up the encoding through the
    interpreter lock; otherwise the context's encoder runs on the thread.
    """

    def __init__(
        self, ctx: AppContext, on_seconds: Callable[[float], None] | None = None, *, own_process: bool = False
    ) -> None:
        self._ctx = ctx
        self._on_seconds = on_seconds
        self._own_process = own_process
        self._process: EncoderProcess | None = None
        self._loading = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gwersi-encode")
        self._round: tuple[list[int], Future[np.ndarray]] | None = None
        self._default_threads: int | None = None  # the encoding thread's own, read before any change
        self._threads: int | None = None
        self._closing = False

    def load(self) -> None:
        """Load the model: start the encoder process, or the context's encoder (once, from any
        thread; :meth:`start` calls it too). A model that cannot be loaded raises here."""
        if not self._own_process:
            load_now(self._ctx.encoder)
            return
        with self._loading:
            if self._process is None and not self._closing:
                settings = self._ctx.settings
                self._process = EncoderProcess(
                    settings.encoder, settings.embedding_model, threads=settings.torch_threads
                )

    def _model_id(self) -> str:
        return self._process.model_id if self._process is not None else self._ctx.encoder.model_id

    def in_flight(self) -> bool:
        """Whether a round has been started and not yet stored."""
        return self._round is not None

    def busy(self) -> bool:
        """Whether the encoder is still working on the current round."""
        return self._round is not None and not self._round[1].done()

    def set_threads(self, threads: int | None) -> None:
        """Torch intra-op threads for the encoding from the next encoder batch on, including the
        round in flight (``None``: the encoding thread's default)."""
        self._threads = threads

    def start(self, limit: int | None = None, *, tail: bool = False) -> int:
        """Start encoding the passages without a vector from the current model (at most ``limit``,
        by default :data:`ROUND_MAX`, longest first); returns how many (0: nothing to do, no round
        started). The previous round must have been finished.

        ``tail`` (no more passages will arrive): at most half of those waiting, and at least
        :data:`TAIL_ROUND`, so rounds shrink towards the end and the last round's tagging, which no
        encoding overlaps, is short."""
        if self._round is not None:
            raise RuntimeError("finish the round in flight before starting another")
        self.load()
        with self._ctx.sessions() as session:
            rows = passages_without_embedding(session=session, model_id=self._model_id())
        cap = ROUND_MAX if limit is None else limit
        if tail:
            cap = min(cap, max(TAIL_ROUND, (len(rows) + 1) // 2))
        rows = rows[:cap]
        if not rows:
            return 0
        self._round = ([pid for pid, _ in rows], self._executor.submit(self._encode, [text for _, text in rows]))
        return len(rows)

    def _encode(self, texts: list[str]) -> np.ndarray:
        process = self._process
        if self._default_threads is None and process is None:
            self._default_threads = thread_intra_op_threads()
        began = time.perf_counter()
        order = length_order(self._ctx.encoder, texts)
        dimension = process.dimension if process is not None else self._ctx.encoder.dimension
        vectors = np.zeros((len(texts), dimension), dtype=np.float32)
        batch = self._ctx.settings.embed_batch_size
        # One batch per call, longest in tokens first: between any two batches the thread count can
        # change and a closing caller can stop the round.
        for start in range(0, len(order), batch):
            if self._closing:
                raise RuntimeError("embedding stopped: the ingest was interrupted")
            rows = order[start : start + batch]
            threads = self._threads
            if process is not None:
                vectors[rows] = process.encode([texts[i] for i in rows], batch_size=batch, threads=threads)
                continue
            thread_intra_op_threads(threads if threads is not None else self._default_threads)
            vectors[rows] = self._ctx.encoder.encode([texts[i] for i in rows], batch_size=batch)
        if self._on_seconds is not None:
            self._on_seconds(time.perf_counter() - began)
        return vectors

    def wait(self) -> None:
        """Block until the round in flight (if any) is encoded; its vectors are stored by :meth:`finish`."""
        if self._round is not None:
            wait([self._round[1]])

    def finish(self) -> int:
        """Wait for the round in flight and store its vectors; returns how many were stored. A
        passage deleted meanwhile is skipped; an encoder error is raised here."""
        if self._round is None:
            return 0
        ids, future = self._round
        self._round = None
        vectors = future.result()
        began = time.perf_counter()
        with transaction(self._ctx.sessions) as session:
            by_id = {
                p.id: p
                for start in range(0, len(ids), COMMIT_EVERY)
                for p in session.scalars(select(Passage).where(Passage.id.in_(ids[start : start + COMMIT_EVERY])))
            }
            kept = [i for i, pid in enumerate(ids) if pid in by_id]
            set_embeddings(
                session=session,
                passages=[by_id[ids[i]] for i in kept],
                vectors=vectors[kept],
                model_id=self._model_id(),
            )
        if self._on_seconds is not None:
            self._on_seconds(time.perf_counter() - began)
        return len(kept)

    def close(self) -> None:
        """Let the thread (and the encoder process) go. A round still encoding (the caller failed or
        was interrupted) stops after its current batch, and its vectors are not stored: the next
        run embeds them."""
        self._closing = True
        self._executor.shutdown(wait=True)
        with self._loading:
            if self._process is not None:
                self._process.close()
                self._process = None
