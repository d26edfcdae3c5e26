"""Liveness, readiness and version."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import text

import gwersi
from api.deps import Ctx
from api.routes._router import make_router
from api.schemas import Health, VersionOut
from gwersi.errors import GwersiError
from taxonomy.standards import load_taxonomy

router = make_router("health")


@router.get("/health", summary="Liveness: the process answers")
def health() -> Health:
    """Always ``ok`` while the process runs."""
    return Health(status="ok")


@router.get("/health/ready", summary="Readiness: catalogue, models and index loaded")
def ready(request: Request, ctx: Ctx) -> Health:
    """``ready`` when the catalogue answers and start-up loaded the models and the index; else 503."""
    checks: dict[str, str] = dict(request.app.state.startup_checks)
    try:
        with ctx.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means not ready
        checks["database"] = f"error: {type(exc).__name__}"
    failing = {k: v for k, v in checks.items() if v.startswith(("error", "missing", "starting"))}
    if failing:
        detail = "; ".join(f"{k}: {v}" for k, v in failing.items())
        raise GwersiError("not_ready", f"not ready: {detail}", 503)
    return Health(status="ready", checks=checks)


@router.get("/version", summary="Software, taxonomy and encoder versions")
def version(ctx: Ctx) -> VersionOut:
    """What is running."""
    return VersionOut(
        version=gwersi.__version__,
        taxonomy_version=load_taxonomy().version,
        encoder=ctx.settings.encoder if "encoder" not in ctx.__dict__ else ctx.encoder.model_id,
    )
