"""Themes across the catalogue: how often each standard comes up, and its strongest lessons.

A passage counts for a standard when it has at least one tag for it that a panel has not rejected
(suggestions and confirmed tags both count, unless ``confirmed_only``). Counts are of distinct
passages, so a standard suggested by two taggers on one passage counts once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from gwersi.errors import GwersiError
from index.orm import Passage, Review, Section, Tag
from taxonomy.standards import Taxonomy, load_taxonomy

Dimension = Literal["year", "board", "review_type"]
DIMENSIONS: tuple[str, ...] = ("year", "board", "review_type")
MAX_LESSONS = 50
S = TypeVar("S", bound=Select)


@dataclass(frozen=True)
class ThemeCell:
    """Passages (and the reviews they come from) tagged with ``standard`` for one value of the dimension."""

    standard: str
    key: str | int | None
    passages: int
    reviews: int


@dataclass(frozen=True)
class ThemeTable:
    """Counts of tagged passages by standard x one review dimension (for heatmaps and trends)."""

    by: str
    keys: list[str | int | None]
    cells: list[ThemeCell]
    totals: dict[str, int]
    confirmed_only: bool
    min_score: float


@dataclass(frozen=True)
class StandardCount:
    """How much of the catalogue a standard (or a component) touches."""

    id: str
    passages: int
    confirmed_passages: int
    reviews: int


@dataclass(frozen=True)
class Lesson:
    """A passage that is strong evidence for a standard, with where it comes from."""

    standard: str
    tag_id: int
    passage_id: int
    review_id: int
    reference: str | None
    title: str
    review_type: str | None
    board: str | None
    year: int | None
    section_kind: str
    section_heading: str
    page: int | None
    paragraph: int
    text: str
    evidence: str
    evidence_start: int | None
    evidence_end: int | None
    polarity: str
    score: float
    status: str


def _tag_filter(stmt: S, *, confirmed_only: bool, min_score: float, polarity: str | None = None) -> S:
    stmt = stmt.where(Tag.status == "confirmed") if confirmed_only else stmt.where(Tag.status != "rejected")
    if min_score > 0:
        stmt = stmt.where((Tag.score >= min_score) | (Tag.status == "confirmed"))
    if polarity is not None:
        stmt = stmt.where(Tag.polarity == polarity)
    return stmt


def theme_table(
    session: Session,
    *,
    by: str = "year",
    confirmed_only: bool = False,
    min_score: float = 0.0,
    standards: Sequence[str] = (),
) -> ThemeTable:
    """Counts of tagged passages by standard x ``by`` (year, board or review type)."""
    if by not in DIMENSIONS:
        raise GwersiError(
            "bad_dimension", f"unknown dimension {by!r}; use one of {', '.join(DIMENSIONS)}", 422
        )
    column = {"year": Review.year, "board": Review.board, "review_type": Review.review_type}[by]
    stmt = (
        select(Tag.standard_id, column, func.count(distinct(Tag.passage_id)), func.count(distinct(Review.id)))
        .join(Passage, Tag.passage_id == Passage.id)
        .join(Review, Passage.review_id == Review.id)
        .group_by(Tag.standard_id, column)
    )
    stmt = _tag_filter(stmt, confirmed_only=confirmed_only, min_score=min_score)
    if standards:
        stmt = stmt.where(Tag.standard_id.in_(list(standards)))
    order = {sid: i for i, sid in enumerate(load_taxonomy().ids)}
    cells = [
        ThemeCell(standard=s, key=k, passages=int(n), reviews=int(r)) for s, k, n, r in session.execute(stmt)
    ]
    cells.sort(key=lambda c: (order.get(c.standard, 999), _key_order(c.key)))
    keys = sorted({c.key for c in cells}, key=_key_order)
    totals_stmt = select(Tag.standard_id, func.count(distinct(Tag.passage_id))).group_by(Tag.standard_id)
    totals_stmt = _tag_filter(totals_stmt, confirmed_only=confirmed_only, min_score=min_score)
    if standards:
        totals_stmt = totals_stmt.where(Tag.standard_id.in_(list(standards)))
    totals = {s: int(n) for s, n in session.execute(totals_stmt)}
    return ThemeTable(
        by=by, keys=keys, cells=cells, totals=totals, confirmed_only=confirmed_only, min_score=min_score
    )


def _key_order(key: str | int | None) -> tuple[int, str]:
    """Unknown values last; numbers (years) in numeric order."""
    if key is None:
        return (2, "")
    if isinstance(key, int):
        return (0, f"{key:08d}")
    return (1, key)


def standard_counts(session: Session) -> dict[str, StandardCount]:
    """For every standard with tags: passages tagged (not rejected), passages confirmed, reviews."""
    stmt = (
        select(
            Tag.standard_id,
            func.count(distinct(Tag.passage_id)),
            func.count(distinct(Passage.review_id)),
        )
        .join(Passage, Tag.passage_id == Passage.id)
        .where(Tag.status != "rejected")
        .group_by(Tag.standard_id)
    )
    confirmed_stmt = (
        select(Tag.standard_id, func.count(distinct(Tag.passage_id)))
        .where(Tag.status == "confirmed")
        .group_by(Tag.standard_id)
    )
    confirmed = {sid: int(n) for sid, n in session.execute(confirmed_stmt)}
    return {
        sid: StandardCount(
            id=sid, passages=int(n), confirmed_passages=int(confirmed.get(sid, 0)), reviews=int(r)
        )
        for sid, n, r in session.execute(stmt)
    }


def component_counts(session: Session, taxonomy: Taxonomy | None = None) -> dict[str, StandardCount]:
    """For every component: distinct passages and reviews tagged with any of its standards."""
    tax = taxonomy or load_taxonomy()
    out: dict[str, StandardCount] = {}
    for comp in tax.components:
        members = [s.id for s in tax.standards if comp.id in s.components]
        if not members:
            out[comp.id] = StandardCount(comp.id, 0, 0, 0)
            continue
        base = (
            select(func.count(distinct(Tag.passage_id)), func.count(distinct(Passage.review_id)))
            .join(Passage, Tag.passage_id == Passage.id)
            .where(Tag.standard_id.in_(members))
        )
        n, r = session.execute(base.where(Tag.status != "rejected")).one()
        c = session.scalar(
            select(func.count(distinct(Tag.passage_id))).where(
                Tag.standard_id.in_(members), Tag.status == "confirmed"
            )
        )
        out[comp.id] = StandardCount(comp.id, int(n or 0), int(c or 0), int(r or 0))
    return out


def lessons(
    session: Session,
    standard_id: str,
    *,
    per_review: int = 2,
    limit: int = 10,
    polarity: str | None = None,
    confirmed_only: bool = False,
) -> list[Lesson]:
    """The strongest evidence passages for a standard across reviews, at most ``per_review`` from each.

    Passages are ranked by their best tag for the standard: confirmed tags first, then by score.
    """
    tax = load_taxonomy()
    if standard_id not in tax.by_id:
        raise GwersiError(
            "not_found", f"no standard {standard_id!r}; ids run {tax.ids[0]}..{tax.ids[-1]}", 404
        )
    per_review = max(1, min(per_review, 5))
    limit = max(1, min(limit, MAX_LESSONS))
    stmt = (
        select(Tag, Passage, Section.kind, Section.heading, Review)
        .join(Passage, Tag.passage_id == Passage.id)
        .join(Section, Passage.section_id == Section.id)
        .join(Review, Passage.review_id == Review.id)
        .where(Tag.standard_id == standard_id)
    )
    stmt = _tag_filter(stmt, confirmed_only=confirmed_only, min_score=0.0, polarity=polarity)
    best: dict[int, tuple[Tag, Passage, str, str, Review]] = {}
    for tag, passage, kind, heading, review in session.execute(stmt).all():
        seen = best.get(passage.id)
        if seen is None or _rank(tag) > _rank(seen[0]):
            best[passage.id] = (tag, passage, kind, heading, review)
    ranked = sorted(best.values(), key=lambda row: (_rank(row[0]), -row[1].id), reverse=True)
    taken: dict[int, int] = {}
    out: list[Lesson] = []
    for tag, passage, kind, heading, review in ranked:
        if taken.get(review.id, 0) >= per_review:
            continue
        taken[review.id] = taken.get(review.id, 0) + 1
        out.append(
            Lesson(
                standard=standard_id,
                tag_id=tag.id,
                passage_id=passage.id,
                review_id=review.id,
                reference=review.reference,
                title=review.title,
                review_type=review.review_type,
                board=review.board,
                year=review.year,
                section_kind=kind,
                section_heading=heading,
                page=passage.page,
                paragraph=passage.ordinal + 1,
                text=passage.text,
                evidence=tag.evidence,
                evidence_start=tag.evidence_start,
                evidence_end=tag.evidence_end,
                polarity=tag.polarity,
                score=round(float(tag.score), 4),
                status=tag.status,
            )
        )
        if len(out) >= limit:
            break
    return out


def _rank(tag: Tag) -> tuple[int, float]:
    return (1 if tag.status == "confirmed" else 0, float(tag.score))
