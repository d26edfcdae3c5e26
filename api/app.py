"""The FastAPI application: ``create_app(settings)``; run it with ``gwersi serve``.

Start-up builds one :class:`~gwersi.context.AppContext` and loads the taxonomy, the encoder, the
tagger and the search index once; ``/health/ready`` says whether that worked, ``/health`` only
that the process answers. Every error is an RFC 9457 problem document (see ``api.problems``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

import gwersi
from api import problems
from api.jobs import JobRunner
from api.ratelimit import SlidingWindowLimiter
from api.routes import (
    exports,
    health,
    packs,
    passages,
    recommendations,
    recurring,
    reviews,
    search,
    standards,
    themes,
    tokens,
    training,
    uploads,
)
from api.uploads import MULTIPART_OVERHEAD, UPLOAD_PATH, UploadLimitMiddleware, clear_stale_uploads
from gwersi.context import AppContext
from gwersi.errors import describe
from gwersi.settings import Settings, get_settings

log = logging.getLogger("gwersi.api")
ROUTERS = (
    health, standards, reviews, uploads, search, passages, themes, packs, recommendations, recurring, exports, tokens,
    training,
)

DESCRIPTION = """\
Gwersi serves Welsh safeguarding practice reviews, their passages and the proposed National
Standards they touch. Read endpoints are open to anyone with a token (and to anonymous callers
when the server allows it); writing needs a `panel` or `admin` token; deleting reviews and managing
tokens needs `admin`. Send tokens as `Authorization: Bearer <token>`. Every error is
`application/problem+json` with `type`, `title`, `status`, `detail` and `code`.
"""


def warm_up(ctx: AppContext) -> dict[str, str]:
    """Load the taxonomy, encoder, tagger and search index once; report each part's state."""
    from taxonomy.standards import load_taxonomy

    checks: dict[str, str] = {"taxonomy": load_taxonomy().version}
    try:
        ctx.encoder.load()  # the model itself, so the first query does not wait for torch
        checks["encoder"] = ctx.encoder.model_id
    except Exception as exc:  # reported by readiness, not fatal: liveness stays up
        checks["encoder"] = f"error: {describe(exc).detail}"
        return checks
    try:
        from gwersi.tagging import build_tagger

        build_tagger(ctx)
        checks["tagger"] = ctx.settings.tagger
    except Exception as exc:
        checks["tagger"] = f"error: {describe(exc).detail}"
    try:
        from gwersi.indexing import get_engine

        checks["search_index"] = f"{len(get_engine(ctx))} passages"
    except Exception as exc:
        checks["search_index"] = f"error: {describe(exc).detail}"
    return checks


def ensure_configured_admin(ctx: AppContext) -> None:
    """Create the admin token given in settings, if any (idempotent)."""
    if not ctx.settings.admin_token:
        return
    from gwersi.auth import ensure_token
    from index.db import transaction

    with transaction(ctx.sessions) as session:
        ensure_token(session, ctx.settings.admin_token, name="configured admin", role="admin")


def create_app(settings: Settings | None = None, *, warm: bool = True) -> FastAPI:
    """Build the API for ``settings`` (default: from the environment).

    ``warm=False`` skips loading models and the index at start-up (they load on first use);
    readiness then reports them as not loaded.
    """
    chosen = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.startup_checks = {"models": "starting"}
        ctx = await run_in_threadpool(AppContext, chosen)
        app.state.ctx = ctx
        app.state.jobs = JobRunner()
        clear_stale_uploads(chosen.data_dir / "uploads")
        await run_in_threadpool(ensure_configured_admin, ctx)
        if warm:
            app.state.startup_checks = await run_in_threadpool(warm_up, ctx)
        else:
            app.state.startup_checks = {}
        log.info("gwersi API ready: %s", app.state.startup_checks)
        try:
            yield
        finally:
            app.state.jobs.shutdown()
            ctx.close()

    app = FastAPI(
        title="Gwersi API",
        version=gwersi.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = chosen
    app.state.auth_limiter = SlidingWindowLimiter()
    problems.install(app)
    app.add_middleware(UploadLimitMiddleware, max_body_bytes=chosen.max_upload_bytes + MULTIPART_OVERHEAD)
    for module in ROUTERS:
        app.include_router(module.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            upload = schema["paths"].get(UPLOAD_PATH, {}).get("post")
            if upload is not None:
                upload["description"] += f"\n\nLargest file accepted here: {chosen.max_upload_bytes:,} bytes."
            app.openapi_schema = problems.problem_openapi(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
