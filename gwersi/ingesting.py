"""Ingest service: files -> parsed reviews -> catalogue, one transaction per file.

A file that fails to parse is reported and skipped; nothing is stored for it and nothing already
stored is touched. Embedding, tagging and indexing run after the batch (see ``gwersi.pipeline``).

A batch is parsed in worker processes (``settings.ingest_workers``), at most two files per worker
in flight so memory stays bounded, and stored here in the order given, one transaction per file,
exactly as a serial run would. Workers only parse: they never touch the catalogue.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from gwersi.context import AppContext
from index.db import transaction
from index.store import StoreResult, store_review
from ingest.errors import IngestError
from ingest.limits import Limits
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
    return _parse_path(path, ctx.limits, times)


def _parse_path(path: Path, limits: Limits, times: StageTimes | None) -> ParsedReview:
    from ingest.pipeline import parse_file

    if not path.exists():
        raise IngestError(str(path), "no such file")
    if path.is_dir():
        raise IngestError(str(path), "is a folder with no supported files")
    return parse_file(path, limits=limits, times=times)


Parsed = tuple[Path, ParsedReview | None, IngestError | None]
"""One file's parse: the review, or the reason it failed."""


WorkerResult = tuple[ParsedReview | None, tuple[str, str, str] | None, dict[str, float]]


def _parse_in_worker(path: str, limits: Limits) -> WorkerResult:
    """Runs in a worker process; a failure travels as plain strings (path, reason, code)."""
    times = StageTimes()
    try:
        parsed = _parse_path(Path(path), limits, times)
    except IngestError as exc:
        return None, (exc.path, exc.reason, exc.code), times.as_dict()
    return parsed, None, times.as_dict()


def _failure(path: str, reason: str, code: str) -> IngestError:
    error = IngestError(path, reason)
    error.code = code
    return error


def _parse_serially(files: Iterable[Path], limits: Limits, times: StageTimes | None) -> Iterator[Parsed]:
    for path in files:
        try:
            yield path, _parse_path(path, limits, times), None
        except IngestError as exc:
            yield path, None, exc


WORKER_NICE = 10
"""How much the parse workers lower their scheduling priority: when cores are short, the encoder
(the one unavoidable cost) and this process go first, and parsing fills the time they leave."""


_PR_SET_PDEATHSIG = 1
"""``prctl`` option: the signal this process gets when its parent dies (``<linux/prctl.h>``)."""


def _end_with_parent() -> None:
    """Have the kernel end this (child) process when the process that started it dies, even by
    ``kill -9`` (Linux ``PR_SET_PDEATHSIG``; elsewhere nothing). Without it a worker whose parent was
    killed could wait for work forever.

    The kernel sends the signal when the *thread* that started the child ends: the parse workers
    are started by the thread that iterates :func:`parse_files`, which outlives them. (The encoder
    process is started by a warm-up thread, so it must not call this; it leaves when its pipe
    closes.)"""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _yield_to_encoder() -> None:
    """Worker initializer: lower this process's priority by :data:`WORKER_NICE` (best effort), and
    end with this process if it is killed (else a worker orphaned by ``kill -9`` waits forever)."""
    _end_with_parent()
    with contextlib.suppress(OSError, AttributeError):
        os.nice(WORKER_NICE)


def _pool_context() -> Any:
    """``fork`` while this process runs one thread (a cheap start, nothing re-imported); otherwise
    ``spawn``, since forking a process with other threads can copy a lock some thread holds."""
    import multiprocessing

    return multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")


def parse_files(
    ctx: AppContext,
    files: list[Path],
    *,
    times: StageTimes | None = None,
    on_started: Callable[[], None] | None = None,
) -> Iterator[Parsed]:
    """Parse ``files``, yielding them in the order given.

    With ``settings.ingest_workers`` > 0 and more than one file, the parsing happens in that many
    worker processes with at most two files each in flight (bounded memory); ``on_started`` is
    called once the workers are running (the caller may then start threads of its own). If a
    worker dies (killed, out of memory), the files not yet parsed are parsed here instead.
    """
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    limits = ctx.limits
    workers = min(ctx.settings.ingest_workers, len(files))
    if workers < 1 or len(files) < 2:
        if on_started is not None:
            on_started()
        yield from _parse_serially(files, limits, times)
        return
    todo = deque(files)
    in_flight: deque[tuple[Path, Future[WorkerResult]]] = deque()
    rest: list[Path] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(), initializer=_yield_to_encoder) as pool:
        try:
            while todo and len(in_flight) < 2 * workers:
                path = todo.popleft()
                in_flight.append((path, pool.submit(_parse_in_worker, str(path), limits)))
            if on_started is not None:
                on_started()
            while in_flight:
                path, future = in_flight[0]
                parsed, failure, worker_times = future.result()
                in_flight.popleft()
                if todo:
                    nxt = todo.popleft()
                    in_flight.append((nxt, pool.submit(_parse_in_worker, str(nxt), limits)))
                if times is not None:
                    times.merge(worker_times)
                yield path, parsed, None if failure is None else _failure(*failure)
        except BrokenProcessPool:
            rest = [p for p, _ in in_flight] + list(todo)
    yield from _parse_serially(rest, limits, times)


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
    """Parse (in worker processes) and store every file; a failure is recorded and the batch goes on."""
    return list(ingest_iter(ctx, expand_paths(paths), on_file=on_file, times=times))


def ingest_iter(
    ctx: AppContext,
    files: list[Path],
    *,
    on_file: Callable[[FileResult], None] | None = None,
    times: StageTimes | None = None,
    on_started: Callable[[], None] | None = None,
) -> Iterator[FileResult]:
    """:func:`ingest_files` one file at a time, so a caller can work between files."""
    for path, parsed, error in parse_files(ctx, files, times=times, on_started=on_started):
        if parsed is not None:
            try:
                result = store_parsed(ctx, parsed, str(path), times=times)
            except IngestError as exc:
                error = exc
        if error is not None:
            result = FileResult(path=str(path), status="failed", error=error.reason, code=error.code)
        if on_file is not None:
            on_file(result)
        yield result
