"""CLI commands for search: index build|check, search, similar, eval search, bench search."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Annotated

import typer

from gwersi.cli import app, context, echo_json, fail
from gwersi.cli_ops import bench_app
from gwersi.cli_tagging import eval_app
from index.records import SearchHit

index_app = typer.Typer(help="Build or check the search index.", no_args_is_help=True)
app.add_typer(index_app, name="index")


@index_app.command("build")
def index_build() -> None:
    """Embed any passages still without a vector, then rebuild FAISS + BM25 from the catalogue."""
    from gwersi.embedding import embed_pending
    from gwersi.indexing import build_index

    ctx = context()
    try:
        embedded = embed_pending(ctx)
        engine = build_index(ctx)
    except Exception as exc:
        fail(exc)
    typer.echo(
        f"indexed {len(engine)} passages ({embedded} newly embedded; dense index: {engine.dense_kind})"
    )


@index_app.command("check")
def index_check() -> None:
    """Say whether the saved index matches the catalogue (exit 3 if not)."""
    from gwersi.indexing import check_index

    result = check_index(context())
    typer.echo(("ok: " if result.ok else "stale: ") + result.message)
    if not result.ok:
        raise typer.Exit(3)


def hit_json(hit: SearchHit) -> dict[str, object]:
    """The CLI's JSON form of a search hit."""
    rec = hit.record
    return {
        "passage_id": rec.passage_id,
        "review_id": rec.review_id,
        "reference": rec.reference,
        "review_type": rec.review_type,
        "board": rec.board,
        "year": rec.year,
        "section": rec.section_kind,
        "text": rec.text,
        "snippet": hit.snippet,
        "score": round(float(hit.score), 6),
        "standards": list(rec.standards),
    }


def hit_line(rank: int, hit: SearchHit) -> str:
    """One result as the CLI prints it: where it is from, its standards and score, then the snippet
    with matched terms in brackets; a result only the concept list found says so."""
    rec = hit.record
    snippet = html.unescape(hit.snippet.replace("<mark>", "[").replace("</mark>", "]"))
    found_by_standards = hit.concept_rank is not None and hit.bm25_rank is None and hit.dense_rank is None
    via = " (found through its standards)" if found_by_standards else ""
    return (
        f"{rank:>2}. {rec.reference or rec.title} ({rec.review_type}, {rec.year}) "
        f"§{rec.section_kind} p{rec.page or '-'} [{', '.join(rec.standards)}] {hit.score:.3f}{via}\n    {snippet}"
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in your own words.")],
    k: Annotated[int, typer.Option("--k", help="How many results.")] = 10,
    mode: Annotated[str | None, typer.Option(help="hybrid, bm25 or dense (default: settings).")] = None,
    standard: Annotated[
        list[str] | None, typer.Option("--standard", help="Only passages tagged with it.")
    ] = None,
    review_type: Annotated[
        list[str] | None, typer.Option("--type", help="CPR, APR, DHR, MHHR, OWHR, SUSR.")
    ] = None,
    board: Annotated[list[str] | None, typer.Option("--board", help="Board (full name).")] = None,
    section: Annotated[
        list[str] | None, typer.Option("--section", help="Section kind, e.g. practice_learning.")
    ] = None,
    agency: Annotated[
        list[str] | None, typer.Option("--agency", help="Agency mentioned in the review.")
    ] = None,
    year_from: Annotated[int | None, typer.Option("--year-from")] = None,
    year_to: Annotated[int | None, typer.Option("--year-to")] = None,
    expand: Annotated[
        bool | None,
        typer.Option("--expand/--no-expand", help="Also search other names of the query's terms (default: settings)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search passages by meaning and words, with filters."""
    from gwersi.searching import query_expansions
    from gwersi.searching import search as run_search
    from index.records import SearchFilters

    ctx = context()
    filters = SearchFilters(
        standards=tuple(standard or ()),
        review_types=tuple(t.upper() for t in review_type or ()),
        boards=tuple(board or ()),
        section_kinds=tuple(section or ()),
        agencies=tuple(agency or ()),
        year_from=year_from,
        year_to=year_to,
    )
    try:
        hits = run_search(ctx, query, k=k, mode=mode, filters=filters, expand=expand)
    except Exception as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json([hit_json(h) for h in hits])
        return
    also = query_expansions(ctx, query, expand)
    if also:
        typer.echo("also searched: " + "; ".join(also))
    for rank, h in enumerate(hits, start=1):
        typer.echo(hit_line(rank, h))
    if not hits:
        typer.echo("no results")


@app.command()
def similar(
    review_id: Annotated[int, typer.Argument(help="Review id.")],
    k: Annotated[int, typer.Option("--k")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Reviews most like this one, with the reason."""
    from dataclasses import asdict

    from gwersi.searching import similar_reviews

    ctx = context()
    try:
        found = similar_reviews(ctx, review_id, k=k)
    except Exception as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json([asdict(f) for f in found])
        return
    for f in found:
        typer.echo(f"{f.review_id:>4} {f.score:.3f} {f.reference or f.title}\n     {f.reason}")


@eval_app.command("search")
def eval_search(
    queries: Annotated[Path | None, typer.Option(help="Query set with graded judgments (JSONL).")] = None,
    heldout: Annotated[
        Path | None,
        typer.Option(help="Held-out corpus folder (dev/built, test/built, queries.jsonl); default data/heldout."),
    ] = None,
    heldout_format: Annotated[
        list[str] | None,
        typer.Option(help="Built held-out formats to ingest, each its own corpus (default: docx and pdf)."),
    ] = None,
    folds: Annotated[int, typer.Option(min=2, help="Query folds for the out-of-fold hybrid figures.")] = 5,
    frozen: Annotated[
        bool,
        typer.Option(
            "--frozen/--no-frozen",
            help="Report the frozen held-out query set (test10); leave it out while choosing.",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """nDCG@10, Recall@10 and MRR for bm25, dense and hybrid: in-distribution (the samples) and
    out-of-distribution (the samples re-rendered so ingest misreads them, the held-out corpus),
    with hybrid's fitted choices made out of fold."""
    from gwersi.search_eval import HELDOUT, default_queries_path, format_search_eval, run_search_eval

    ctx = context()
    try:
        result = run_search_eval(
            ctx,
            queries or default_queries_path(),
            heldout=heldout or HELDOUT,
            heldout_formats=tuple(heldout_format or ("docx", "pdf")),
            folds=folds,
            frozen=frozen,
        )
    except Exception as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json(result)
    else:
        typer.echo(format_search_eval(result))


@bench_app.command("search")
def bench_search(
    sizes: Annotated[list[int] | None, typer.Option("--sizes", help="Corpus sizes.")] = None,
    queries: Annotated[int, typer.Option(help="Queries per mode and size.")] = 200,
) -> None:
    """Index build time, peak memory and warm query latency p50/p95/p99 on synthetic corpora."""
    from bench.search_bench import run

    run(sizes=tuple(sizes or (10_000, 100_000, 1_000_000)), queries=queries)
