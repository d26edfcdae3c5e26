"""Case packs: a trainer's ordered collection of passages, each with a note and a reflective question.

Passages in the catalogue are already pseudonymised by the reviews' authors; a pack reproduces them
exactly as stored and never edits or strips text. Panel members may change only the packs they
own; administrators may change any. Every change is audited in the same transaction.
Exports (Markdown, DOCX, PDF) live in :mod:`gwersi.pack_export`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from gwersi import audit
from gwersi.auth import Principal
from gwersi.errors import GwersiError
from index.orm import CasePack, CasePackItem, Passage, utcnow
from index.store import PassageNotFoundError

MAX_ITEMS = 200
"""Most passages one pack may hold."""


@dataclass(frozen=True)
class PackItemView:
    """A passage in a pack, with the trainer's words and the citation back to its review."""

    id: int
    position: int
    passage_id: int
    review_id: int
    reference: str | None
    review_title: str
    review_type: str | None
    board: str | None
    year: int | None
    section_heading: str
    section_kind: str
    paragraph: int
    page: int | None
    text: str
    note: str
    question: str


@dataclass(frozen=True)
class PackSummary:
    """A pack in a list."""

    id: int
    title: str
    description: str
    owner: str
    item_count: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PackView:
    """A pack with its items in order."""

    id: int
    title: str
    description: str
    owner: str
    created_at: datetime
    updated_at: datetime
    items: list[PackItemView]


def _not_found(pack_id: int) -> GwersiError:
    return GwersiError("not_found", f"no case pack with id {pack_id}", 404)


def _load(session: Session, pack_id: int) -> CasePack:
    pack = session.scalar(
        select(CasePack)
        .where(CasePack.id == pack_id)
        .options(
            selectinload(CasePack.items).selectinload(CasePackItem.passage).selectinload(Passage.review),
            selectinload(CasePack.items).selectinload(CasePackItem.passage).selectinload(Passage.section),
        )
    )
    if pack is None:
        raise _not_found(pack_id)
    return pack


def _editable(session: Session, pack_id: int, by: Principal) -> CasePack:
    pack = _load(session, pack_id)
    if pack.owner != by.name and not by.has("admin"):
        raise GwersiError(
            "forbidden",
            f"case pack {pack_id} belongs to {pack.owner}; only they or an admin may change it",
            403,
        )
    return pack


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _view(pack: CasePack) -> PackView:
    items = []
    for item in sorted(pack.items, key=lambda i: (i.position, i.id)):
        p = item.passage
        items.append(
            PackItemView(
                id=item.id,
                position=item.position,
                passage_id=p.id,
                review_id=p.review_id,
                reference=p.review.reference,
                review_title=p.review.title,
                review_type=p.review.review_type,
                board=p.review.board,
                year=p.review.year,
                section_heading=p.section.heading,
                section_kind=p.section.kind,
                paragraph=p.ordinal + 1,
                page=p.page,
                text=p.text,
                note=item.note,
                question=item.question,
            )
        )
    return PackView(
        id=pack.id,
        title=pack.title,
        description=pack.description,
        owner=pack.owner,
        created_at=_aware(pack.created_at),
        updated_at=_aware(pack.updated_at),
        items=items,
    )


def _touch(pack: CasePack) -> None:
    pack.updated_at = utcnow()


def _renumber(pack: CasePack) -> None:
    for i, item in enumerate(sorted(pack.items, key=lambda it: (it.position, it.id))):
        item.position = i


def list_packs(session: Session, *, owner: str | None = None) -> list[PackSummary]:
    """Packs, most recently changed first, optionally for one owner."""
    counts = (
        select(CasePackItem.pack_id, func.count(CasePackItem.id).label("n"))
        .group_by(CasePackItem.pack_id)
        .subquery()
    )
    stmt = (
        select(CasePack, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.pack_id == CasePack.id)
        .order_by(CasePack.updated_at.desc(), CasePack.id.desc())
    )
    if owner is not None:
        stmt = stmt.where(CasePack.owner == owner)
    out: list[PackSummary] = []
    for row in session.execute(stmt):
        p: CasePack = row[0]
        out.append(
            PackSummary(
                id=p.id,
                title=p.title,
                description=p.description,
                owner=p.owner,
                item_count=int(row[1] or 0),
                created_at=_aware(p.created_at),
                updated_at=_aware(p.updated_at),
            )
        )
    return out


def get_pack(session: Session, pack_id: int) -> PackView:
    """One pack with its items in order."""
    return _view(_load(session, pack_id))


def create_pack(session: Session, *, title: str, description: str = "", by: Principal) -> PackView:
    """A new, empty pack owned by the caller."""
    title = title.strip()
    if not title:
        raise GwersiError("invalid_title", "a case pack needs a title", 422)
    now = utcnow()
    pack = CasePack(title=title[:300], description=description, owner=by.name, created_at=now, updated_at=now)
    session.add(pack)
    session.flush()
    audit.record(session, by.actor, "pack.create", f"pack:{pack.id}", {"title": pack.title})
    return _view(_load(session, pack.id))


def update_pack(
    session: Session, pack_id: int, *, title: str | None = None, description: str | None = None, by: Principal
) -> PackView:
    """Change a pack's title or description."""
    pack = _editable(session, pack_id, by)
    if title is not None:
        if not title.strip():
            raise GwersiError("invalid_title", "a case pack needs a title", 422)
        pack.title = title.strip()[:300]
    if description is not None:
        pack.description = description
    _touch(pack)
    session.flush()
    audit.record(
        session,
        by.actor,
        "pack.update",
        f"pack:{pack.id}",
        {"title": title, "description_changed": description is not None},
    )
    return _view(pack)


def delete_pack(session: Session, pack_id: int, *, by: Principal) -> None:
    """Delete a pack and its items (the passages themselves are untouched)."""
    pack = _editable(session, pack_id, by)
    audit.record(
        session, by.actor, "pack.delete", f"pack:{pack.id}", {"title": pack.title, "items": len(pack.items)}
    )
    session.delete(pack)
    session.flush()


def add_item(
    session: Session,
    pack_id: int,
    *,
    passage_id: int,
    note: str = "",
    question: str = "",
    position: int | None = None,
    by: Principal,
) -> PackView:
    """Add a passage with a note and a reflective question, at ``position`` (default: the end)."""
    pack = _editable(session, pack_id, by)
    if session.get(Passage, passage_id) is None:
        raise PassageNotFoundError(passage_id)
    if any(item.passage_id == passage_id for item in pack.items):
        raise GwersiError("already_in_pack", f"passage {passage_id} is already in case pack {pack_id}", 409)
    if len(pack.items) >= MAX_ITEMS:
        raise GwersiError("pack_full", f"a case pack holds at most {MAX_ITEMS} passages", 409)
    end = len(pack.items)
    where = end if position is None else max(0, min(position, end))
    for item in pack.items:
        if item.position >= where:
            item.position += 1
    pack.items.append(CasePackItem(passage_id=passage_id, position=where, note=note, question=question))
    _touch(pack)
    session.flush()
    audit.record(
        session, by.actor, "pack.add_item", f"pack:{pack.id}", {"passage_id": passage_id, "position": where}
    )
    session.expire(pack)
    return _view(_load(session, pack_id))


def update_item(
    session: Session,
    pack_id: int,
    item_id: int,
    *,
    note: str | None = None,
    question: str | None = None,
    by: Principal,
) -> PackView:
    """Change an item's note or reflective question."""
    pack = _editable(session, pack_id, by)
    item = _item(pack, item_id)
    if note is not None:
        item.note = note
    if question is not None:
        item.question = question
    _touch(pack)
    session.flush()
    audit.record(
        session,
        by.actor,
        "pack.update_item",
        f"pack:{pack.id}",
        {"item_id": item_id, "note_changed": note is not None, "question_changed": question is not None},
    )
    return _view(pack)


def remove_item(session: Session, pack_id: int, item_id: int, *, by: Principal) -> PackView:
    """Take an item out of a pack; the others close up."""
    pack = _editable(session, pack_id, by)
    item = _item(pack, item_id)
    pack.items.remove(item)
    _renumber(pack)
    _touch(pack)
    session.flush()
    audit.record(
        session,
        by.actor,
        "pack.remove_item",
        f"pack:{pack.id}",
        {"item_id": item_id, "passage_id": item.passage_id},
    )
    return _view(pack)


def reorder(session: Session, pack_id: int, item_ids: list[int], *, by: Principal) -> PackView:
    """Put the items in the order given; ``item_ids`` must name every item exactly once."""
    pack = _editable(session, pack_id, by)
    current = {item.id: item for item in pack.items}
    if sorted(item_ids) != sorted(current) or len(set(item_ids)) != len(item_ids):
        raise GwersiError(
            "bad_order",
            f"the new order must list each of the pack's {len(current)} item ids exactly once",
            422,
        )
    for position, iid in enumerate(item_ids):
        current[iid].position = position
    _touch(pack)
    session.flush()
    audit.record(session, by.actor, "pack.reorder", f"pack:{pack.id}", {"order": item_ids})
    return _view(pack)


def _item(pack: CasePack, item_id: int) -> CasePackItem:
    for item in pack.items:
        if item.id == item_id:
            return item
    raise GwersiError("not_found", f"case pack {pack.id} has no item {item_id}", 404)
