"""API tokens and roles.

A token is a random string shown once when it is made; only its sha256 is stored. Each token has a
role: ``reader`` (read and search), ``panel`` (also upload, decide tags, build case packs) or
``admin`` (also delete reviews and manage tokens). Anonymous callers get read access only when the
``anonymous_read`` setting allows it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gwersi import audit
from gwersi.errors import GwersiError
from index.orm import ROLES, ApiToken, utcnow

Role = Literal["reader", "panel", "admin"]
TOKEN_PREFIX = "gw_"
MAX_TOKEN_CHARS = 200
"""Longer bearer strings are refused without touching the database."""

_RANK = {"anonymous": 0, "reader": 1, "panel": 2, "admin": 3}


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's name and role, or the anonymous reader."""

    name: str
    role: str
    token_id: int | None = None

    @property
    def actor(self) -> str:
        """How this caller appears in the audit trail and decision history."""
        return self.name if self.token_id is None else f"{self.name}#{self.token_id}"

    def has(self, role: str) -> bool:
        """True when this caller's role is ``role`` or above."""
        return _RANK.get(self.role, -1) >= _RANK[role]


ANONYMOUS = Principal(name="anonymous", role="anonymous")


@dataclass(frozen=True)
class TokenView:
    """A token as listed: never its secret."""

    id: int
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewToken:
    """A freshly made token: ``token`` is the secret, shown this once."""

    id: int
    name: str
    role: str
    created_at: datetime
    token: str


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_role(role: str) -> Role:
    """``role`` if it is a known role, else a 422 naming the valid ones."""
    if role not in ROLES:
        raise GwersiError("invalid_role", f"unknown role {role!r}; valid roles are {', '.join(ROLES)}", 422)
    return role  # type: ignore[return-value]


def create_token(session: Session, name: str, role: str, *, actor: str) -> NewToken:
    """Make a token for ``name`` with ``role``; the returned secret is not stored anywhere."""
    role = check_role(role)
    name = name.strip()
    if not name:
        raise GwersiError("invalid_name", "a token needs a name (who or what will use it)", 422)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name[:200], role=role, token_hash=hash_token(secret), created_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor, "token.create", f"token:{row.id}", {"name": row.name, "role": role})
    return NewToken(id=row.id, name=row.name, role=row.role, created_at=_aware(row.created_at), token=secret)


def ensure_token(session: Session, secret: str, *, name: str, role: str) -> TokenView:
    """Make sure a token with this exact secret exists (for a configured first admin token)."""
    role = check_role(role)
    digest = hash_token(secret)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None:
        row = ApiToken(name=name, role=role, token_hash=digest, created_at=utcnow())
        session.add(row)
        session.flush()
        audit.record(session, "system", "token.create", f"token:{row.id}", {"name": name, "role": role})
    return _view(row)


def revoke_token(session: Session, token_id: int, *, actor: str) -> TokenView:
    """Revoke a token (idempotent); it stops working at once."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise GwersiError("not_found", f"no token with id {token_id}", 404)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
        audit.record(session, actor, "token.revoke", f"token:{row.id}", {"name": row.name})
    return _view(row)


def list_tokens(session: Session, *, include_revoked: bool = True) -> list[TokenView]:
    """Every token, oldest first, without secrets."""
    stmt = select(ApiToken).order_by(ApiToken.id)
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return [_view(t) for t in session.scalars(stmt)]


def verify_token(session: Session, secret: str) -> Principal | None:
    """The caller a bearer token stands for, or ``None`` if it is unknown or revoked."""
    if not secret or len(secret) > MAX_TOKEN_CHARS:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if row is None or row.revoked_at is not None:
        return None
    return Principal(name=row.name, role=row.role, token_id=row.id)


def _view(row: ApiToken) -> TokenView:
    return TokenView(
        id=row.id,
        name=row.name,
        role=row.role,
        created_at=_aware(row.created_at),
        revoked_at=None if row.revoked_at is None else _aware(row.revoked_at),
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
