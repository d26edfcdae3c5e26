"""Standards coverage: how often each standard is evidenced as a shortfall or as good practice,
by year and by board, and which standards no review has tested yet.

Each (passage, standard) pair counts once, with the polarity of its strongest tag that a panel
has not rejected (a confirmed tag beats any suggestion, then the higher score). A standard is
**untested** when no passage carries it at all, and **without practice evidence** when nothing
tags it as a shortfall or as good practice (only recommendations or neutral mentions).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from index.orm import Passage, Review, Tag
from taxonomy.standards import load_taxonomy

POLARITIES: tuple[str, ...] = ("shortfall", "good_practice", "recommendation", "neutral")


@dataclass(frozen=True)
class CoverageCell:
    """Shortfall and good-practice passages for one year or one board."""

    key: str | int | None
    shortfall: int
    good_practice: int
    passages: int


@dataclass(frozen=True)
class StandardCoverage:
    """How one standard is evidenced across the catalogue."""

    standard: str
    title: str
    shortfall: int
    good_practice: int
    recommendation: int
    neutral: int
    passages: int
    reviews: int
    by_year: list[CoverageCell]
    by_board: list[CoverageCell]


@dataclass(frozen=True)
class CoverageReport:
    """Coverage of every standard, in S01..S26 order."""

    reviews: int
    confirmed_only: bool
    min_score: float
    standards: list[StandardCoverage]
    untested: list[str]
    no_practice_evidence: list[str]


def coverage(session: Session, *, confirmed_only: bool = False, min_score: float = 0.0) -> CoverageReport:
    """Per standard: passages by polarity, by year and board; plus the standards nobody evidenced."""
    tax = load_taxonomy()
    stmt = (
        select(
            Tag.passage_id, Tag.standard_id, Tag.polarity, Tag.status, Tag.score,
            Review.id, Review.year, Review.board,
        )
        .join(Passage, Tag.passage_id == Passage.id)
        .join(Review, Passage.review_id == Review.id)
    )
    stmt = stmt.where(Tag.status == "confirmed") if confirmed_only else stmt.where(Tag.status != "rejected")
    best: dict[tuple[int, str], tuple[tuple[int, float], str, int, int | None, str | None]] = {}
    for pid, sid, polarity, status, score, rid, year, board in session.execute(stmt):
        if status != "confirmed" and float(score) < min_score:
            continue
        rank = (1 if status == "confirmed" else 0, float(score))
        seen = best.get((pid, sid))
        if seen is None or rank > seen[0]:
            best[(pid, sid)] = (rank, polarity, rid, year, board)
    total_reviews = len(set(session.scalars(select(Review.id))))
    per: dict[str, list[tuple[str, int, int | None, str | None]]] = {}
    for (_pid, sid), (_rank, polarity, rid, year, board) in sorted(best.items()):
        per.setdefault(sid, []).append((polarity, rid, year, board))
    rows = [_standard(s.id, s.title, per.get(s.id, [])) for s in tax.standards]
    return CoverageReport(
        reviews=total_reviews,
        confirmed_only=confirmed_only,
        min_score=min_score,
        standards=rows,
        untested=[r.standard for r in rows if r.passages == 0],
        no_practice_evidence=[r.standard for r in rows if r.shortfall + r.good_practice == 0],
    )


def _cells(items: list[tuple[str, str | int | None]]) -> list[CoverageCell]:
    keys: dict[str | int | None, Counter[str]] = {}
    for polarity, key in items:
        keys.setdefault(key, Counter())[polarity] += 1
    ordered = sorted(keys, key=lambda k: (k is None, str(k)))
    return [
        CoverageCell(k, keys[k]["shortfall"], keys[k]["good_practice"], sum(keys[k].values())) for k in ordered
    ]


def _standard(sid: str, title: str, items: list[tuple[str, int, int | None, str | None]]) -> StandardCoverage:
    counts = Counter(polarity for polarity, _rid, _year, _board in items)
    return StandardCoverage(
        standard=sid,
        title=title,
        shortfall=counts["shortfall"],
        good_practice=counts["good_practice"],
        recommendation=counts["recommendation"],
        neutral=sum(n for p, n in counts.items() if p not in POLARITIES[:3]),
        passages=len(items),
        reviews=len({rid for _p, rid, _y, _b in items}),
        by_year=_cells([(p, y) for p, _rid, y, _b in items]),
        by_board=_cells([(p, b) for p, _rid, _y, b in items]),
    )
