"""Passages with their stored vectors and tag facts, as input for clustering (lessons, themes).

Rows come back in a fixed order (text digest, then passage id), so clustering them is independent
of the order reviews were ingested in. Only vectors of one embedding model are used: the model most
candidates were embedded with (a half-finished re-embedding never mixes two vector spaces).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from index.orm import Passage, Review, Section, Tag


@dataclass(frozen=True)
class Candidate:
    """A passage that may join a cluster, with where it comes from and its (non-rejected) tags."""

    passage_id: int
    review_id: int
    text: str
    text_sha1: str
    section_kind: str
    reference: str | None
    title: str
    review_type: str | None
    board: str | None
    year: int | None
    standards: tuple[str, ...] = ()
    best_score: float = 0.0
    """Highest score among its non-rejected tags (a confirmed tag counts 1.0); 0 with no tag."""
    polarities: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class CandidateSet:
    """Candidates and their vectors (row ``i`` of ``vectors`` belongs to ``items[i]``)."""

    items: tuple[Candidate, ...]
    vectors: np.ndarray
    model: str | None

    def fingerprint(self, params: object) -> str:
        """A digest of everything clustering depends on: passages, tags, review facts, model, params."""
        digest = hashlib.sha256(json.dumps([repr(params), self.model], default=str).encode())
        for c in self.items:
            digest.update(
                json.dumps(
                    [c.passage_id, c.review_id, c.text_sha1, c.section_kind, c.reference, c.review_type,
                     c.board, c.year, c.standards, round(c.best_score, 4)]
                ).encode()
            )
        return digest.hexdigest()


def load_candidates(session: Session, kinds: Sequence[str]) -> CandidateSet:
    """Embedded passages of the given section kinds, with review facts and tag summaries."""
    stmt = (
        select(Passage, Section.kind, Review)
        .join(Section, Passage.section_id == Section.id)
        .join(Review, Passage.review_id == Review.id)
        .where(Section.kind.in_(list(kinds)), Passage.embedding.is_not(None))
    )
    rows = [(p, k, r) for p, k, r in session.execute(stmt).all()]
    models = Counter(p.embedding_model or "" for p, _k, _r in rows)
    if not models:
        return CandidateSet((), np.zeros((0, 0), np.float32), None)
    model = sorted(models.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    kept = [(p, k, r) for p, k, r in rows if (p.embedding_model or "") == model]
    tags = _tag_summary(session, [p.id for p, _k, _r in kept])
    dimension = len(kept[0][0].embedding or b"") // 4
    kept.sort(key=lambda row: (row[0].text_sha1, row[0].id))
    items: list[Candidate] = []
    vectors: list[np.ndarray] = []
    for p, kind, review in kept:
        blob = p.embedding or b""
        if len(blob) != dimension * 4:
            continue
        standards, best, polarities = tags.get(p.id, ((), 0.0, ()))
        items.append(
            Candidate(
                passage_id=p.id,
                review_id=review.id,
                text=p.text,
                text_sha1=p.text_sha1,
                section_kind=kind,
                reference=review.reference,
                title=review.title,
                review_type=review.review_type,
                board=review.board,
                year=review.year,
                standards=standards,
                best_score=best,
                polarities=polarities,
            )
        )
        vectors.append(np.frombuffer(blob, dtype=np.float32))
    matrix = np.vstack(vectors) if vectors else np.zeros((0, dimension), np.float32)
    return CandidateSet(tuple(items), matrix, model)


def _tag_summary(
    session: Session, passage_ids: Sequence[int]
) -> dict[int, tuple[tuple[str, ...], float, tuple[str, ...]]]:
    wanted = set(passage_ids)
    standards: dict[int, set[str]] = {}
    best: dict[int, float] = {}
    polarities: dict[int, set[str]] = {}
    stmt = select(Tag.passage_id, Tag.standard_id, Tag.score, Tag.status, Tag.polarity).where(
        Tag.status != "rejected"
    )
    for pid, sid, score, status, polarity in session.execute(stmt):
        if pid not in wanted:
            continue
        standards.setdefault(pid, set()).add(sid)
        polarities.setdefault(pid, set()).add(polarity)
        value = 1.0 if status == "confirmed" else float(score)
        best[pid] = max(best.get(pid, 0.0), value)
    return {
        pid: (tuple(sorted(s)), best.get(pid, 0.0), tuple(sorted(polarities.get(pid, set()))))
        for pid, s in standards.items()
    }
