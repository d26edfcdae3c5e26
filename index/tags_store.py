"""Catalogue data access for tags and the panel's decisions on them.

A decision never overwrites the machine's suggestion: it sets the tag's status and appends a
:class:`~index.orm.TagDecision`. Concurrent decisions on one tag are serialised by an optimistic
``version`` column: a caller that passes the version it saw gets :class:`TagConflictError` if
someone decided in between; a caller that passes none gets last-write-wins, with both decisions
kept in the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session, selectinload

from index.orm import Passage, Section, Tag, TagDecision, utcnow
from index.store import PassageNotFoundError
from taxonomy.models import Suggestion

Decision = Literal["confirm", "reject"]


class TagNotFoundError(LookupError):
    """No tag has that id."""

    def __init__(self, tag_id: int) -> None:
        self.tag_id = tag_id
        super().__init__(f"no tag with id {tag_id}")


class TagConflictError(RuntimeError):
    """The tag was decided by someone else since the caller read it."""

    def __init__(self, tag_id: int, expected: int, actual: int) -> None:
        self.tag_id = tag_id
        super().__init__(
            f"tag {tag_id} changed since you read it (your version {expected}, now {actual}); reload it"
        )


class UnknownStandardError(ValueError):
    """A standard id that the taxonomy does not have."""

    def __init__(self, standard_id: str, valid: Iterable[str]) -> None:
        valid_list = sorted(valid)
        super().__init__(f"unknown standard {standard_id!r}; valid ids are {valid_list[0]}..{valid_list[-1]}")


@dataclass(frozen=True)
class LabelledExample:
    """A passage with the standards a panel confirmed (positives) and rejected (negatives)."""

    passage_id: int
    text: str
    embedding: bytes | None
    positives: tuple[str, ...]
    negatives: tuple[str, ...]


def replace_suggestions(
    *,
    session: Session,
    passage_id: int,
    suggestions: Sequence[Suggestion],
    source: Literal["rule", "model"],
    taxonomy_version: str,
) -> int:
    """Store a tagger's suggestions for a passage, replacing earlier undecided ones of that source.

    Tags a panel has decided are left alone (their score and evidence are history).
    Returns the number of suggestions stored.
    """
    return replace_suggestions_many(session=session, suggestions={passage_id: suggestions}, source=source,
                                    taxonomy_version=taxonomy_version)


def replace_suggestions_many(
    *,
    session: Session,
    suggestions: Mapping[int, Sequence[Suggestion]],
    source: Literal["rule", "model"],
    taxonomy_version: str,
) -> int:
    """:func:`replace_suggestions` for many passages at once (passage id -> suggestions): one query
    for their existing tags and one flush, instead of one of each per passage."""
    existing: dict[int, dict[str, Tag]] = {pid: {} for pid in suggestions}
    ids = list(suggestions)
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        for tag in session.scalars(select(Tag).where(Tag.passage_id.in_(chunk), Tag.source == source)):
            existing[tag.passage_id][tag.standard_id] = tag
    stored = 0
    new_rows: list[dict[str, Any]] = []  # inserted in one statement: no unit-of-work per tag
    for passage_id, passage_suggestions in suggestions.items():
        known = existing[passage_id]
        keep = {s.standard for s in passage_suggestions}
        for sid, tag in known.items():
            if sid not in keep and tag.status == "suggested":
                session.delete(tag)
        for s in passage_suggestions:
            prior = known.get(s.standard)
            if prior is not None and prior.status != "suggested":
                continue
            fields = {
                "score": float(min(1.0, max(0.0, s.score))),
                "polarity": s.polarity,
                "evidence": s.evidence,
                "evidence_start": s.evidence_start,
                "evidence_end": s.evidence_end,
                "tagger": s.tagger,
                "taxonomy_version": taxonomy_version,
            }
            if prior is None:
                new_rows.append(
                    {"passage_id": passage_id, "standard_id": s.standard, "source": source, "status": "suggested"}
                    | fields
                )
            else:
                for key, value in fields.items():
                    setattr(prior, key, value)
            stored += 1
    session.flush()  # deletions first: a replaced suggestion's row must be gone before its successor
    if new_rows:
        session.execute(insert(Tag), new_rows)
    return stored


_IN_CHUNK = 500
"""Passage ids per ``IN (...)`` list (well under SQLite's and PostgreSQL's parameter limits)."""


def decide_tag(
    *,
    session: Session,
    tag_id: int,
    decision: Decision,
    reviewer: str,
    note: str | None = None,
    expected_version: int | None = None,
) -> Tag:
    """Confirm or reject a tag, recording who and when; the suggestion itself is kept."""
    tag = session.get(Tag, tag_id)
    if tag is None:
        raise TagNotFoundError(tag_id)
    new_status = "confirmed" if decision == "confirm" else "rejected"
    now = utcnow()
    stmt = update(Tag).where(Tag.id == tag_id)
    if expected_version is not None:
        stmt = stmt.where(Tag.version == expected_version)
    result = session.execute(
        stmt.values(
            status=new_status, decided_by=reviewer, decided_at=now, version=Tag.version + 1
        ).execution_options(synchronize_session=False)
    )
    if expected_version is not None and getattr(result, "rowcount", 1) == 0:
        session.refresh(tag)
        raise TagConflictError(tag_id, expected_version, tag.version)
    passage = session.get(Passage, tag.passage_id)
    session.add(
        TagDecision(
            tag_id=tag.id,
            review_id=passage.review_id if passage else None,
            passage_text_sha1=passage.text_sha1 if passage else "",
            standard_id=tag.standard_id,
            decision=decision,
            reviewer=reviewer,
            note=note,
            taxonomy_version=tag.taxonomy_version,
            decided_at=now,
        )
    )
    session.flush()
    session.refresh(tag)
    return tag


def add_panel_tag(
    *,
    session: Session,
    passage_id: int,
    standard_id: str,
    reviewer: str,
    taxonomy_version: str,
    valid_standards: Iterable[str],
    evidence: str = "",
    polarity: str = "neutral",
    note: str | None = None,
) -> Tag:
    """A panel member adds a standard the machine missed; it is confirmed at once."""
    valid = set(valid_standards)
    if standard_id not in valid:
        raise UnknownStandardError(standard_id, valid)
    passage = session.get(Passage, passage_id)
    if passage is None:
        raise PassageNotFoundError(passage_id)
    now = utcnow()
    found = session.scalar(
        select(Tag).where(Tag.passage_id == passage_id, Tag.standard_id == standard_id, Tag.source == "panel")
    )
    if found is not None:
        tag = found
    else:
        start = passage.text.find(evidence) if evidence else -1
        tag = Tag(
            passage_id=passage_id,
            standard_id=standard_id,
            source="panel",
            tagger="panel",
            score=1.0,
            polarity=polarity,
            evidence=evidence,
            evidence_start=start if start >= 0 else None,
            evidence_end=start + len(evidence) if start >= 0 else None,
            taxonomy_version=taxonomy_version,
            created_by=reviewer,
            created_at=now,
        )
        session.add(tag)
    tag.status = "confirmed"
    tag.decided_by = reviewer
    tag.decided_at = now
    session.flush()
    session.add(
        TagDecision(
            tag_id=tag.id,
            review_id=passage.review_id,
            passage_text_sha1=passage.text_sha1,
            standard_id=standard_id,
            decision="add",
            reviewer=reviewer,
            note=note,
            taxonomy_version=taxonomy_version,
            decided_at=now,
        )
    )
    session.flush()
    return tag


def review_tags(*, session: Session, review_id: int, status: str | None = None) -> list[Tag]:
    """A review's tags, most uncertain first (score nearest 0.5), for the panel workbench."""
    stmt = (
        select(Tag)
        .join(Passage, Tag.passage_id == Passage.id)
        .where(Passage.review_id == review_id)
        .options(selectinload(Tag.passage))
    )
    if status is not None:
        stmt = stmt.where(Tag.status == status)
    tags = list(session.scalars(stmt))
    tags.sort(key=lambda t: (abs(t.score - 0.5), t.id))
    return tags


def tag_history(*, session: Session, tag_id: int) -> list[TagDecision]:
    """Every decision ever made on a tag, oldest first."""
    if session.get(Tag, tag_id) is None:
        raise TagNotFoundError(tag_id)
    return list(
        session.scalars(select(TagDecision).where(TagDecision.tag_id == tag_id).order_by(TagDecision.id))
    )


def labelled_examples(*, session: Session) -> list[LabelledExample]:
    """Passages with at least one panel decision, as training examples for the supervised tagger."""
    stmt = (
        select(Passage)
        .join(Tag, Tag.passage_id == Passage.id)
        .where(Tag.status.in_(("confirmed", "rejected")))
        .options(selectinload(Passage.tags))
        .distinct()
        .order_by(Passage.id)
    )
    out: list[LabelledExample] = []
    for p in session.scalars(stmt):
        pos = tuple(sorted({t.standard_id for t in p.tags if t.status == "confirmed"}))
        neg = tuple(sorted({t.standard_id for t in p.tags if t.status == "rejected"} - set(pos)))
        out.append(LabelledExample(p.id, p.text, p.embedding, pos, neg))
    return out


def passage_section_kinds(*, session: Session, passage_ids: Sequence[int]) -> dict[int, str]:
    """Section kind of each passage (taggers use it for polarity)."""
    if not passage_ids:
        return {}
    stmt = (
        select(Passage.id, Section.kind)
        .join(Section, Passage.section_id == Section.id)
        .where(Passage.id.in_(list(passage_ids)))
    )
    return {pid: kind for pid, kind in session.execute(stmt)}


def passages_with_standards(*, connection: Connection, standards: Sequence[str]) -> np.ndarray:
    """Sorted unique ids of passages carrying any of ``standards`` (suggested or confirmed, not rejected).

    Search filters call this on every query, so it reads through the DB-API cursor (an index-only
    scan of ``ix_tags_standard_status_passage``): about 8 ms for 15k ids at 100k passages on SQLite,
    where building SQLAlchemy rows took five times as long.
    """
    if not standards:
        return np.empty(0, dtype=np.int64)
    query = select(Tag.passage_id).where(Tag.standard_id.in_(list(standards)), Tag.status != "rejected")
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args: Any = tuple(params[name] for name in compiled.positiontup or ()) if compiled.positional else params
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return np.unique(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
