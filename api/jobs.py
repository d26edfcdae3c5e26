"""Background jobs for long uploads: one worker thread and an in-memory job table.

Deliberately simple: jobs run one at a time in submission order (ingest and re-indexing are
serialised anyway), the table keeps the most recent :data:`MAX_JOBS_KEPT` jobs, and it is lost
when the server restarts (a client polling a job id after a restart gets 404). Synchronous
uploads go through the same worker, so an upload never indexes alongside another one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from gwersi.errors import GwersiError, describe

JobStatus = Literal["queued", "running", "done", "failed"]
T = TypeVar("T")
MAX_JOBS_KEPT = 500
log = logging.getLogger("gwersi.api.jobs")


@dataclass(frozen=True)
class JobError:
    """Why a job failed, in the API's error vocabulary."""

    code: str
    status: int
    title: str
    detail: str


@dataclass(frozen=True)
class Job:
    """A job's state as clients see it."""

    id: str
    kind: str
    status: JobStatus
    submitted_by: str
    filename: str | None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: dict[str, Any] | None = field(default=None)
    error: JobError | None = None


def _now() -> datetime:
    return datetime.now(UTC)


class JobRunner:
    """Runs work on one background thread and remembers recent jobs."""

    def __init__(self, max_kept: int = MAX_JOBS_KEPT) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gwersi-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._max_kept = max_kept

    def _set(self, job: Job) -> None:
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._max_kept:
                self._jobs.popitem(last=False)

    def submit(
        self,
        kind: str,
        work: Callable[[], dict[str, Any]],
        *,
        submitted_by: str,
        filename: str | None = None,
        cleanup: Callable[[], None] | None = None,
    ) -> Job:
        """Queue ``work``; its return value becomes the job's result."""
        job = Job(
            id=uuid.uuid4().hex,
            kind=kind,
            status="queued",
            submitted_by=submitted_by,
            filename=filename,
            created_at=_now(),
        )
        self._set(job)

        def run() -> None:
            current = replace(job, status="running", started_at=_now())
            self._set(current)
            try:
                result = work()
            except Exception as exc:
                info = describe(exc)
                if info.code == "internal_error":
                    log.error("job %s failed unexpectedly", job.id, exc_info=exc)
                error = JobError(code=info.code, status=info.status, title=info.title, detail=info.detail)
                self._set(replace(current, status="failed", finished_at=_now(), error=error))
            else:
                self._set(replace(current, status="done", finished_at=_now(), result=result))
            finally:
                if cleanup is not None:
                    cleanup()

        self._executor.submit(run)
        return job

    async def run_now(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the worker (after any queued jobs) and wait for it without blocking the loop.

        Everything that rebuilds the index (uploads, deletions) goes through here or :meth:`submit`,
        so two index builds never overlap.
        """
        return await asyncio.wrap_future(self._executor.submit(work))

    def get(self, job_id: str) -> Job:
        """A job by id (404 if unknown or forgotten)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise GwersiError("not_found", f"no job with id {job_id} (jobs are forgotten on restart)", 404)
        return job

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until every queued job has finished (for tests and shutdown)."""
        return self._executor.submit(lambda: None).result(timeout=timeout) is None

    def shutdown(self) -> None:
        """Finish the running job, drop queued ones."""
        self._executor.shutdown(wait=True, cancel_futures=True)
