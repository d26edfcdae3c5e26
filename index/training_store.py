"""Catalogue data access for training examples a board imported (``gwersi learn``, the API)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from index.orm import Passage, TrainingExample, utcnow


def text_sha1(text: str) -> str:
    """The key an imported passage is stored under (its text, whitespace-trimmed)."""
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewExample:
    """One labelled passage to store, with the file line it came from."""

    text: str
    standards: tuple[str, ...]
    rejected: tuple[str, ...] = ()
    polarity: str | None = None
    section_kind: str | None = None
    passage_id: int | None = None
    line: int | None = None


def stored_hashes(*, session: Session, hashes: Iterable[str]) -> set[str]:
    """Which of ``hashes`` are already stored."""
    wanted = list(set(hashes))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(session.scalars(select(TrainingExample.text_sha1).where(TrainingExample.text_sha1.in_(chunk))))
    return found


def passage_texts(*, session: Session, passage_ids: Sequence[int]) -> dict[int, str]:
    """Text of each existing passage among ``passage_ids``."""
    if not passage_ids:
        return {}
    rows = session.execute(select(Passage.id, Passage.text).where(Passage.id.in_(list(set(passage_ids)))))
    return {pid: text for pid, text in rows}


def add_training_examples(*, session: Session, examples: Sequence[NewExample], imported_by: str,
                          source_file: str, taxonomy_version: str) -> list[TrainingExample]:
    """Store examples with their provenance (the caller has removed duplicates)."""
    now = utcnow()
    rows = [
        TrainingExample(
            text=ex.text,
            text_sha1=text_sha1(ex.text),
            standards=list(ex.standards),
            rejected=list(ex.rejected),
            polarity=ex.polarity,
            section_kind=ex.section_kind,
            passage_id=ex.passage_id,
            taxonomy_version=taxonomy_version,
            imported_by=imported_by[:200],
            imported_at=now,
            source_file=source_file[:500],
            source_line=ex.line,
        )
        for ex in examples
    ]
    session.add_all(rows)
    session.flush()
    return rows


def list_training_examples(*, session: Session, limit: int | None = None, offset: int = 0) -> list[TrainingExample]:
    """Imported examples, oldest first."""
    stmt = select(TrainingExample).order_by(TrainingExample.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))
