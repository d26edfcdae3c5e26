"""CLI commands for getting reviews in and looking at them: ingest, reviews, show, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gwersi.cli import app, context, echo_json, fail, is_terminal
from gwersi.ingesting import FileResult


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of reviews (PDF, DOCX, TXT, MD).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON result per file.")] = False,
    no_process: Annotated[
        bool, typer.Option("--no-process", help="Only parse and store: skip embedding, tagging and indexing.")
    ] = False,
) -> None:
    """Ingest review files; a failed file never stops the batch (exit 1 if any failed)."""
    from gwersi.ingesting import expand_paths
    from gwersi.pipeline import ProcessReport, ingest_and_process

    ctx = context()
    files = expand_paths(paths)
    results: list[FileResult] = []
    report: ProcessReport | None = None
    show_progress = is_terminal() and not as_json
    try:
        if show_progress:
            from rich.progress import Progress

            with Progress(transient=True) as progress:
                task = progress.add_task("Ingesting", total=len(files))
                results, report = ingest_and_process(
                    ctx, files, process=not no_process, on_file=lambda r: progress.advance(task)
                )
        else:
            results, report = ingest_and_process(ctx, files, process=not no_process)
    except Exception as exc:  # stored files stay stored; say what failed after that
        fail(exc, as_json=as_json)
    if as_json:
        echo_json([r.as_json() for r in results])
    else:
        for r in results:
            if r.status == "failed":
                typer.echo(f"failed     {r.path}: {r.error}", err=True)
            else:
                typer.echo(f"{r.status:<10} {r.path} -> review {r.review_id}")
        counts = {
            s: sum(1 for r in results if r.status == s)
            for s in ("ingested", "updated", "unchanged", "failed")
        }
        typer.echo(", ".join(f"{n} {s}" for s, n in counts.items()))
        if report is not None:
            typer.echo(
                f"{report.embedded} passages embedded, {report.tagged} tagged, {report.indexed} in the index"
            )
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


@app.command("reviews")
def list_reviews_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    review_type: Annotated[list[str] | None, typer.Option("--type", help="Filter by review type.")] = None,
    board: Annotated[list[str] | None, typer.Option("--board", help="Filter by board (full name).")] = None,
) -> None:
    """List the reviews in the catalogue."""
    from gwersi.schemas import review_summary
    from index.store import list_reviews

    ctx = context()
    with ctx.sessions() as session:
        rows, _total = list_reviews(session=session, review_types=review_type or (), boards=board or ())
        summaries = [review_summary(r) for r in rows]
    if as_json:
        echo_json([s.model_dump(mode="json") for s in summaries])
        return
    for s in summaries:
        typer.echo(
            f"{s.id:>4}  {s.review_type or '?':<4} {s.year or '----'}  {s.reference or '-':<28} {s.board or '-'}"
        )
    typer.echo(f"{len(summaries)} reviews")


@app.command()
def show(
    review_id: Annotated[int, typer.Argument(help="Review id (see `gwersi reviews`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole record as JSON.")] = False,
) -> None:
    """Show one review: metadata, sections, passages with tags, recommendations, action plan."""
    from gwersi.schemas import review_out
    from index.store import get_review

    ctx = context()
    try:
        with ctx.sessions() as session:
            out = review_out(get_review(session=session, review_id=review_id))
    except LookupError as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json(out.model_dump(mode="json"))
        return
    typer.echo(
        f"{out.title}\n{out.reference or ''}  {out.review_type} {out.level or ''}  {out.board}  {out.year}"
    )
    typer.echo(f"age band {out.age_band}; agencies: {', '.join(a.name for a in out.agencies)}")
    for section in out.sections:
        typer.echo(f"\n== {section.heading} [{section.kind}]")
        for p in section.passages:
            chips = " ".join(
                f"{t.standard}({t.score:.2f},{t.status[0]})" for t in p.tags if t.status != "rejected"
            )
            typer.echo(f"  [{p.id}] {p.text[:160]}{'…' if len(p.text) > 160 else ''}  {chips}")
    if out.recommendations:
        typer.echo("\nRecommendations:")
        for r in out.recommendations:
            typer.echo(f"  {r.number}. {r.text[:200]}")
    if out.action_plan:
        typer.echo(f"\nAction plan: {len(out.action_plan)} rows")


@app.command()
def delete(
    review_id: Annotated[int, typer.Argument(help="Review id to delete with everything under it.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a review from the catalogue and the indexes."""
    from gwersi.pipeline import delete_review_everywhere

    if not yes:
        typer.confirm(f"Delete review {review_id} and its tags?", abort=True)
    ctx = context()
    try:
        removed = delete_review_everywhere(ctx, review_id, actor="cli")
    except LookupError as exc:
        fail(exc)
    typer.echo(f"deleted review {review_id} ({removed} passages)")
