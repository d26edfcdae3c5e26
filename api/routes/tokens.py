"""API tokens (admin) and the audit trail (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request

from api.deps import Admin, Caller, Ctx, ReadSession
from api.routes._router import make_router
from api.schemas import MeOut, ShortText, TokenIn
from gwersi import audit, auth
from gwersi.audit import AuditView
from gwersi.auth import NewToken, TokenView
from index.db import transaction

router = make_router("tokens and audit")


@router.get("/tokens", summary="API tokens, without secrets (admin)")
def list_tokens(session: ReadSession, _who: Admin, include_revoked: bool = True) -> list[TokenView]:
    """Every token's id, name, role and dates."""
    return auth.list_tokens(session, include_revoked=include_revoked)


@router.post("/tokens", status_code=201, summary="Make a token (admin); the secret is shown once")
def create_token(body: TokenIn, ctx: Ctx, who: Admin) -> NewToken:
    """A new token; store ``token`` now, it cannot be shown again."""
    with transaction(ctx.sessions) as session:
        return auth.create_token(session, body.name, body.role, actor=who.actor)


@router.delete("/tokens/{token_id}", summary="Revoke a token (admin)")
def revoke_token(token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], ctx: Ctx, who: Admin) -> TokenView:
    """The token stops working at once (revoking twice is harmless)."""
    with transaction(ctx.sessions) as session:
        return auth.revoke_token(session, token_id, actor=who.actor)


@router.get("/me", summary="Who is calling: name and role")
def me(request: Request, who: Caller) -> MeOut:
    """The caller's name and role (``anonymous`` without a token), and whether anonymous reading is on."""
    return MeOut(
        name=who.name,
        role=who.role,
        token_id=who.token_id,
        anonymous_read=request.app.state.ctx.settings.anonymous_read,
    )


@router.get("/audit", summary="The audit trail, newest first (admin)")
def audit_trail(
    session: ReadSession,
    _who: Admin,
    actor: Annotated[ShortText | None, Query()] = None,
    action: Annotated[ShortText | None, Query()] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditView]:
    """Who did what and when."""
    return audit.recent(session, limit=limit, offset=offset, actor=actor, action=action)
