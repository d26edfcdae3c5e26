"""Search with every filter the CLI has, modes and paging; similar passages."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import Ctx, Reader
from api.routes._router import make_router
from api.schemas import MAX_K, MAX_OFFSET, SearchHitOut, SearchOut, ShortText, StandardIdStr
from index.engine import MAX_QUERY_CHARS
from index.records import SearchFilters, SearchHit

router = make_router("search")
Year = Annotated[int | None, Query(ge=1900, le=2100)]
Many = Query(max_length=26)


def hit_out(hit: SearchHit) -> SearchHitOut:
    """Public form of a search hit."""
    r = hit.record
    return SearchHitOut(
        passage_id=r.passage_id,
        review_id=r.review_id,
        score=round(float(hit.score), 6),
        snippet=hit.snippet,
        text=r.text,
        reference=r.reference,
        title=r.title,
        review_type=r.review_type,
        board=r.board,
        year=r.year,
        page=r.page,
        section_kind=r.section_kind,
        section_heading=r.section_heading,
        standards=list(r.standards),
        matched_terms=list(hit.matched_terms),
        bm25_rank=hit.bm25_rank,
        dense_rank=hit.dense_rank,
        concept_rank=hit.concept_rank,
    )


@router.get("/search", summary="Search passages")
async def search(
    ctx: Ctx,
    _who: Reader,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="The query.")],
    mode: Literal["hybrid", "bm25", "dense"] | None = None,
    fusion: Literal["rrf", "weighted"] | None = None,
    k: Annotated[int, Query(ge=1, le=MAX_K, description="Results per page.")] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    standard: Annotated[list[StandardIdStr] | None, Many] = None,
    review_type: Annotated[list[ShortText] | None, Query(alias="type", max_length=10)] = None,
    board: Annotated[list[ShortText] | None, Query(max_length=10)] = None,
    year_from: Year = None,
    year_to: Year = None,
    section_kind: Annotated[list[ShortText] | None, Query(max_length=20)] = None,
    agency: Annotated[list[ShortText] | None, Query(max_length=10)] = None,
    expand: Annotated[
        bool | None, Query(description="Also search other names of the query's terms (default: settings).")
    ] = None,
) -> SearchOut:
    """Ranked passages with highlighted snippets; filters combine with AND, repeated values with OR."""
    from gwersi.searching import query_expansions
    from gwersi.searching import search as run_search

    filters = SearchFilters(
        standards=tuple(standard or ()),
        review_types=tuple(review_type or ()),
        boards=tuple(board or ()),
        year_from=year_from,
        year_to=year_to,
        section_kinds=tuple(section_kind or ()),
        agencies=tuple(agency or ()),
    )
    chosen = mode or ctx.settings.search_mode
    hits = await run_in_threadpool(
        run_search, ctx, q, k=k, offset=offset, mode=chosen, filters=filters, fusion=fusion, expand=expand
    )
    return SearchOut(
        query=q,
        mode=chosen,
        k=k,
        offset=offset,
        count=len(hits),
        expanded_with=list(query_expansions(ctx, q, expand)),
        data=[hit_out(h) for h in hits],
    )


@router.get("/passages/{passage_id}/similar", summary="Passages like this one")
async def similar_passages(
    ctx: Ctx,
    _who: Reader,
    passage_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
) -> list[SearchHitOut]:
    """Nearest passages by meaning (never the passage itself)."""
    from gwersi.searching import similar_passages as find

    return [hit_out(h) for h in await run_in_threadpool(find, ctx, passage_id, k=k)]
