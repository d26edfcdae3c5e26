"""The processing chain after ingest: embed new passages, suggest standards, refresh the index."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from gwersi.context import AppContext
from gwersi.embedding import EncodeRounds, embed_pending
from gwersi.indexing import build_index, rebuild_index
from gwersi.ingesting import FileResult, expand_paths, ingest_iter
from gwersi.tagging import build_tagger, tag_passages
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


EMBED_EVERY = 512
"""During a batch ingest, start an embedding round once the encoder is free and this many new
passages wait (the workers keep parsing and this process keeps storing meanwhile)."""


PARSING_THREADS = 1
"""Torch threads for the encoding while the workers still parse, or while this thread tags. Torch's
threads wait for each other at every layer, so on cores shared with other work two of them ran
slower than one. Otherwise the encoder uses the configured count (``torch_threads``, else one per
core); the count changes between two encoder batches of a round."""


class _Warmup:
    """Loads the encoder for ``rounds`` (torch and the model, in the encoder process when it has
    one), then builds the tagger (spaCy, the fitted members, and this process's encoder, which the
    tagger holds), on a thread while the workers parse. Embedding may start as soon as the encoder is
    loaded (:meth:`encoder_ready`); tagging waits for the whole warm-up (:meth:`ready`)."""

    def __init__(self, ctx: AppContext, rounds: EncodeRounds, times: StageTimes | None) -> None:
        self._ctx = ctx
        self._rounds = rounds
        self._times = times
        self._error: BaseException | None = None
        self._encoder_loaded = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gwersi-warmup", daemon=True)

    def _run(self) -> None:
        try:
            with maybe_measure(self._times, "encoder load"):
                self._rounds.load()
            self._encoder_loaded.set()
            with maybe_measure(self._times, "tagger build"):
                build_tagger(self._ctx)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread by wait()
            self._error = exc

    def start(self) -> None:
        self._thread.start()

    def started(self) -> bool:
        return self._thread.ident is not None

    def encoder_ready(self) -> bool:
        return self._encoder_loaded.is_set()

    def ready(self) -> bool:
        return self._thread.ident is not None and not self._thread.is_alive()

    def wait(self) -> None:
        if self._thread.ident is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error


def ingest_and_process(
    ctx: AppContext,
    paths: Iterable[str | Path],
    *,
    process: bool = True,
    on_file: Callable[[FileResult], None] | None = None,
    times: StageTimes | None = None,
) -> tuple[list[FileResult], ProcessReport | None]:
    """The whole ingest (what ``gwersi ingest`` runs): parse, store, embed, tag and index.

    Files are parsed in worker processes and stored here in order (one transaction each; a failed
    file never stops the batch). From the first new file on, a thread loads the encoder and builds
    the tagger (the workers are already running, so they were forked from a one-thread process).
    Once the encoder is loaded, new passages are embedded in rounds on a thread of their own
    (:class:`~gwersi.embedding.EncodeRounds`: a round starts when the encoder is free and
    :data:`EMBED_EVERY` new passages wait; with ``settings.ingest_encoder_process`` the model runs in
    a process of its own, which that thread feeds), while this thread goes on storing parsed files and
    tagging the passages of the last round (once the tagger is built). So the encoder is busy from
    early on and parsing, storing and tagging hide behind it. The index is built once at the end, in
    this process: a command line run serves no searches a child build would protect. Without
    ``process`` only parsing and storing happen. ``times`` collects stage seconds. When no file is
    new, the report is ``None`` unless passages an earlier, stopped run stored still wait for a
    vector or suggestions: then they are finished (:func:`process_new_passages`).
    """
    files = expand_paths(paths)
    if not process:
        return list(ingest_iter(ctx, files, on_file=on_file, times=times)), None
    rounds = EncodeRounds(
        ctx,
        on_seconds=None if times is None else (lambda s: times.add("embed", s)),
        own_process=ctx.settings.ingest_encoder_process and ctx.settings.encoder != "hashing",
    )
    warmup = _Warmup(ctx, rounds, times)
    results: list[FileResult] = []
    embedded = tagged = waiting = 0
    rounds.set_threads(PARSING_THREADS)
    try:
        for result in ingest_iter(ctx, files, on_file=on_file, times=times):
            results.append(result)
            if result.status in ("ingested", "updated") and not warmup.started():
                warmup.start()  # only now: a batch of unchanged files never loads the model
            waiting += len(result.passages_added)
            if warmup.encoder_ready() and not rounds.busy() and (rounds.in_flight() or waiting >= EMBED_EVERY):
                embedded += rounds.finish()
                if waiting >= EMBED_EVERY:
                    waiting = max(0, waiting - rounds.start())
                if warmup.ready():  # else the tagger is still being built: these are tagged later
                    warmup.wait()
                    tagged += _tag_embedded(ctx, times)
        rounds.set_threads(ctx.settings.torch_threads)  # parsing is over: the encoder takes every core
        if not any(r.status in ("ingested", "updated") for r in results):
            warmup.wait()
            if not _unfinished(ctx):
                return results, None
            return results, process_new_passages(ctx, times=times)  # what a stopped run left
        with maybe_measure(times, "waiting for warm-up"):
            warmup.wait()
        while True:  # the rest: each round encodes while the last one's passages are tagged (the
            # rounds shrink, so the last round's tagging, which nothing overlaps, is short)
            with maybe_measure(times, "waiting for the encoder"):
                rounds.wait()
            embedded += rounds.finish()
            started = rounds.start(tail=True)
            rounds.set_threads(PARSING_THREADS)  # this thread tags meanwhile: leave it a core
            tagged += _tag_embedded(ctx, times)
            rounds.set_threads(ctx.settings.torch_threads)
            if not started:
                break
    finally:
        rounds.close()
    with maybe_measure(times, "index"):
        engine = build_index(ctx)
    return results, ProcessReport(embedded=embedded, tagged=tagged, indexed=len(engine))


def _unfinished(ctx: AppContext) -> bool:
    """Whether stored passages still wait for a vector or for the current tagger's suggestions.

    A batch stopped mid-way (Ctrl-C, a killed process) leaves its stored files so; the next
    ingest finds them unchanged, so it must finish their passages itself. Passages embedded by a
    different model are not counted: re-embedding a catalogue is ``gwersi index build``'s call.
    """
    from sqlalchemy import or_, select

    from gwersi.tagging import not_tagged_by
    from index.orm import Passage

    with ctx.sessions() as session:
        first = session.scalar(
            select(Passage.id).where(or_(Passage.embedding.is_(None), not_tagged_by(ctx.settings.tagger))).limit(1)
        )
    return first is not None


def _tag_embedded(ctx: AppContext, times: StageTimes | None) -> int:
    with maybe_measure(times, "tag"):
        return tag_passages(ctx, embedded_only=True)  # the tagger was built on the warm-up thread


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
