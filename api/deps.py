"""Request dependencies: the application context, a read session, and who is calling.

Callers authenticate with ``Authorization: Bearer <token>``. Without a header they are the
anonymous reader (allowed to read only when ``anonymous_read`` is on). A wrong or revoked token is
a 401 and counts against the client's failed-attempt window (429 when it is full).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.jobs import JobRunner
from api.problems import RateLimitedError
from api.ratelimit import SlidingWindowLimiter
from gwersi.auth import ANONYMOUS, Principal, verify_token
from gwersi.context import AppContext
from gwersi.errors import GwersiError

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token made with `gwersi token create NAME --role reader|panel|admin`.",
)


def get_ctx(request: Request) -> AppContext:
    """The application context built at start-up."""
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


def get_jobs(request: Request) -> JobRunner:
    """The background job runner."""
    jobs: JobRunner = request.app.state.jobs
    return jobs


Jobs = Annotated[JobRunner, Depends(get_jobs)]


def get_session(ctx: Ctx) -> Iterator[Session]:
    """A session for reading, closed when the request is done."""
    session = ctx.sessions()
    try:
        yield session
    finally:
        session.close()


ReadSession = Annotated[Session, Depends(get_session, scope="function")]


def _client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def get_principal(
    request: Request,
    ctx: Ctx,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """Who is calling: a token's holder, or the anonymous reader when no token was sent."""
    raw_header = request.headers.get("authorization")
    if credentials is None and not raw_header:
        return ANONYMOUS
    limiter: SlidingWindowLimiter = request.app.state.auth_limiter
    client = _client_key(request)
    wait = limiter.retry_after(client)
    if wait is not None:
        raise RateLimitedError(wait)
    principal = None
    if credentials is not None:
        with ctx.sessions() as session:
            principal = verify_token(session, credentials.credentials)
    if principal is None:
        limiter.hit(client)
        raise GwersiError("invalid_token", "the token is unknown, revoked or not a Bearer token", 401)
    return principal


Caller = Annotated[Principal, Depends(get_principal)]


def require_reader(request: Request, who: Caller) -> Principal:
    """Anyone with a token; anonymous callers too when the settings allow anonymous reading."""
    if who.role == "anonymous" and not request.app.state.ctx.settings.anonymous_read:
        raise GwersiError("sign_in_required", "reading needs an API token on this server", 401)
    return who


def _require(who: Principal, role: str) -> Principal:
    if who.role == "anonymous":
        raise GwersiError("sign_in_required", f"this needs an API token with the {role} role", 401)
    if not who.has(role):
        raise GwersiError("forbidden", f"this needs the {role} role; your token has {who.role}", 403)
    return who


def require_panel(who: Caller) -> Principal:
    """A panel member or an administrator."""
    return _require(who, "panel")


def require_admin(who: Caller) -> Principal:
    """An administrator."""
    return _require(who, "admin")


Reader = Annotated[Principal, Depends(require_reader)]
Panel = Annotated[Principal, Depends(require_panel)]
Admin = Annotated[Principal, Depends(require_admin)]
