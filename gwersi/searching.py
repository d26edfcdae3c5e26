"""Search service: queries, "more like this" and similar reviews, over the live engine.

Standard filters are answered from the catalogue at query time (tags a panel confirmed or
rejected a minute ago count at once); every other filter is applied inside the engine, before
ranking, so a filtered query still returns k results when k exist.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import select

from gwersi.context import AppContext
from gwersi.indexing import get_engine
from index.orm import Review, Tag
from index.records import SearchFilters, SearchHit
from index.tags_store import passages_with_standards


@dataclass(frozen=True)
class SimilarReviewOut:
    """A review similar to another, with the reason in words."""

    review_id: int
    score: float
    reason: str
    reference: str | None
    title: str


def _with_standard_filter(ctx: AppContext, filters: SearchFilters) -> SearchFilters:
    """Turn standard filters into the passage ids carrying them now (an index-only lookup on
    ``ix_tags_standard_status_passage``; duplicates are dropped here, not by the database)."""
    if not filters.standards:
        return filters
    with ctx.engine.connect() as conn:
        ids = passages_with_standards(connection=conn, standards=filters.standards)
    if filters.passage_ids is not None:
        ids = np.intersect1d(ids, np.asarray(filters.passage_ids, dtype=np.int64))
    return replace(filters, standards=(), passage_ids=tuple(ids.tolist()))


def _fresh_standards(ctx: AppContext, hits: list[SearchHit]) -> list[SearchHit]:
    """Hits with their standards as the catalogue has them now (not as at index build)."""
    if not hits:
        return hits
    with ctx.sessions() as session:
        rows = session.execute(
            select(Tag.passage_id, Tag.standard_id).where(
                Tag.passage_id.in_([h.record.passage_id for h in hits]), Tag.status != "rejected"
            )
        ).all()
    current: dict[int, set[str]] = {}
    for pid, sid in rows:
        current.setdefault(pid, set()).add(sid)
    return [
        replace(h, record=replace(h.record, standards=tuple(sorted(current.get(h.record.passage_id, set())))))
        for h in hits
    ]


def search(
    ctx: AppContext,
    query: str,
    *,
    k: int = 10,
    offset: int = 0,
    mode: str | None = None,
    filters: SearchFilters = SearchFilters(),
    fusion: str | None = None,
    expand: bool | None = None,
) -> list[SearchHit]:
    """One page of hits for ``query`` (mode, fusion and thesaurus expansion default to settings)."""
    engine = get_engine(ctx)
    hits = engine.search(
        query,
        k=k,
        offset=offset,
        mode=mode or ctx.settings.search_mode,
        filters=_with_standard_filter(ctx, filters),
        fusion=fusion or ctx.settings.fusion,
        expand=ctx.settings.query_expansion if expand is None else expand,
    )
    return _fresh_standards(ctx, hits)


def query_expansions(ctx: AppContext, query: str, expand: bool | None = None) -> tuple[str, ...]:
    """The other names search adds to ``query`` (empty when expansion is off; default: settings)."""
    from index.engine import query_expansions as expansions

    return expansions(query, ctx.settings.query_expansion if expand is None else expand)


def similar_passages(
    ctx: AppContext, passage_id: int, k: int = 10, filters: SearchFilters = SearchFilters()
) -> list[SearchHit]:
    """Passages most like one passage, from other reviews first."""
    engine = get_engine(ctx)
    hits = engine.more_like_this(passage_id, k, _with_standard_filter(ctx, filters), other_reviews_only=True)
    return _fresh_standards(ctx, hits)


def similar_reviews(ctx: AppContext, review_id: int, k: int = 5) -> list[SimilarReviewOut]:
    """Reviews most like one review, with the reason (shared standards and distinctive terms)."""
    engine = get_engine(ctx)
    found = engine.similar_reviews(review_id, k=k)
    with ctx.sessions() as session:
        reviews = {
            r.id: r for r in session.scalars(select(Review).where(Review.id.in_([f[0] for f in found])))
        }
    out = []
    for rid, score, reason in found:
        review = reviews.get(int(rid))
        out.append(
            SimilarReviewOut(
                review_id=int(rid),
                score=float(score),
                reason=reason,
                reference=review.reference if review else None,
                title=review.title if review else "",
            )
        )
    return out
