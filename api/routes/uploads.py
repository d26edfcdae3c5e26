"""Uploading a review (panel): checked by its bytes, ingested and indexed now or as a job to poll."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import Ctx, Jobs, Panel, Reader
from api.jobs import Job
from api.routes._router import make_router
from api.schemas import UploadOut
from api.uploads import SYNC_MAX_BYTES, UPLOAD_BODY_DOC, UPLOAD_PATH, receive_upload
from gwersi.uploading import check_upload, ingest_upload

router = make_router("uploads")


@router.post(
    UPLOAD_PATH,
    status_code=201,
    summary="Upload a review (panel)",
    openapi_extra=UPLOAD_BODY_DOC,
    responses={202: {"model": Job, "description": "Accepted as a background job; poll its Location"}},
)
async def upload(
    request: Request,
    response: Response,
    ctx: Ctx,
    jobs: Jobs,
    who: Panel,
    background: Annotated[
        bool | None,
        Query(
            description=f"Run as a job (202) instead of in the request (201). Default: only files "
            f"over {SYNC_MAX_BYTES:,} bytes."
        ),
    ] = None,
) -> UploadOut | Job:
    """Ingest a PDF, DOCX, TXT or Markdown review, then embed, tag and index it.

    The size limit is checked while the request streams in (413); the type is read from the bytes
    (415 when they are not a supported format or do not match the extension); an unreadable file
    is 422. Nothing is stored for a refused file.
    """
    limit = ctx.settings.max_upload_bytes
    saved = await receive_upload(request, ctx.settings.data_dir / "uploads", limit)
    try:
        await run_in_threadpool(check_upload, ctx, saved.path, saved.name)
    except BaseException:
        saved.remove()
        raise
    if background if background is not None else saved.size > SYNC_MAX_BYTES:
        job = jobs.submit(
            "upload",
            lambda: ingest_upload(ctx, saved.path, saved.name, actor=who.actor).as_json(),
            submitted_by=who.actor,
            filename=saved.name,
            cleanup=saved.remove,
        )
        response.status_code = 202
        response.headers["Location"] = f"/jobs/{job.id}"
        return job
    try:
        outcome = await jobs.run_now(lambda: ingest_upload(ctx, saved.path, saved.name, actor=who.actor).as_json())
    finally:
        saved.remove()
    return UploadOut(**outcome)


@router.get("/jobs/{job_id}", summary="A background job's status")
def get_job(job_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")], jobs: Jobs, _who: Reader) -> Job:
    """``queued``, ``running``, ``done`` (with ``result``) or ``failed`` (with ``error``)."""
    return jobs.get(job_id)
