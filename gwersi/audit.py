"""The audit trail: who changed what, and when. Every write through the API or CLI records one event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from index.orm import AuditEvent

MAX_DETAIL_TEXT = 500
"""Longest string kept in an event's detail (longer values are cut with a marker)."""


@dataclass(frozen=True)
class AuditView:
    """An audit event as the API shows it."""

    id: int
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    at: datetime


def record(
    session: Session, actor: str, action: str, target: str, detail: dict[str, Any] | None = None
) -> AuditEvent:
    """Add an audit event to the caller's transaction (it commits with the change it describes)."""
    event = AuditEvent(actor=actor[:200], action=action[:80], target=target[:200], detail=_clip(detail or {}))
    session.add(event)
    session.flush()
    return event


def recent(
    session: Session,
    *,
    limit: int = 100,
    offset: int = 0,
    actor: str | None = None,
    action: str | None = None,
) -> list[AuditView]:
    """Newest events first, optionally for one actor or action."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).offset(offset).limit(limit)
    if actor is not None:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    return [
        AuditView(
            id=e.id,
            actor=e.actor,
            action=e.action,
            target=e.target,
            detail=dict(e.detail or {}),
            at=e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC),
        )
        for e in session.scalars(stmt)
    ]


def _clip(detail: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe copy of ``detail`` with long strings shortened."""
    out: dict[str, Any] = {}
    for key, value in detail.items():
        if isinstance(value, str) and len(value) > MAX_DETAIL_TEXT:
            value = value[:MAX_DETAIL_TEXT] + "…"
        elif not isinstance(value, str | int | float | bool | type(None) | list | dict):
            value = str(value)
        out[str(key)] = value
    return out
