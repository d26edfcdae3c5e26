"""CLI commands for what recurs: lessons, recommendations, emerging themes, coverage, eval lessons."""

from __future__ import annotations

import textwrap
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer

from gwersi.cli import app, context, echo_json, fail
from gwersi.cli_tagging import eval_app

if TYPE_CHECKING:
    from gwersi.lessons import LessonCluster

themes_app = typer.Typer(help="Themes beyond the standards.", no_args_is_help=True)
app.add_typer(themes_app, name="themes")

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _short(text: str, width: int = 160) -> str:
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder=" …")


@app.command()
def lessons(
    standard: Annotated[
        str | None, typer.Option(help="Only lessons where this standard is dominant (e.g. S16).")
    ] = None,
    lesson_id: Annotated[str | None, typer.Option("--id", help="Show one lesson with all its passages.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Show at most this many lessons.")] = None,
    as_json: AsJson = False,
) -> None:
    """Recurring lessons: clusters of learning passages that span two or more reviews."""
    from gwersi.lessons import get_lesson, list_lessons

    ctx = context()
    try:
        if lesson_id is not None:
            cluster = get_lesson(ctx, lesson_id)
            if as_json:
                echo_json(asdict(cluster))
                return
            _print_cluster(cluster, members=True)
            return
        report = list_lessons(ctx, standard=standard, limit=limit)
    except Exception as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json(asdict(report))
        return
    typer.echo(
        f"{len(report.clusters)} recurring lessons shown; {report.clustered} of {report.candidates} learning "
        f"passages in {report.reviews} reviews belong to one"
    )
    for cluster in report.clusters:
        _print_cluster(cluster, members=False)


def _print_cluster(c: LessonCluster, *, members: bool) -> None:
    years = f"{c.first_year}–{c.last_year}" if c.first_year else "years unknown"
    typer.echo(
        f"\n{c.id}  {c.label}\n"
        f"  {c.reviews} reviews, {c.passages} passages, {years}, persistence {c.persistence:.2f}; "
        f"boards: {', '.join(c.boards) or '-'}; types: {', '.join(c.review_types) or '-'}"
    )
    typer.echo("  standards: " + ", ".join(f"{s.standard} {s.share:.0%}" for s in c.standards[:5]))
    for p in c.members if members else c.examples:
        typer.echo(f"  - [{p.reference or p.title}, {p.year}] {_short(p.text)}")


@app.command()
def recommendations(
    repeated: Annotated[
        bool, typer.Option("--repeated", help="Only recommendations made before or again elsewhere.")
    ] = False,
    standard: Annotated[str | None, typer.Option(help="Only those mapped to this standard.")] = None,
    agency: Annotated[
        str | None, typer.Option(help="Only those addressed to an agency whose name contains this.")
    ] = None,
    board: Annotated[str | None, typer.Option(help="Only those of this board (exact name).")] = None,
    status: Annotated[
        str | None, typer.Option(help="Only this status (not_started, in_progress, complete, ...).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The recommendations tracker: normalised, mapped to standards, repeated ones linked."""
    from gwersi.recommendations import track

    ctx = context()
    try:
        report = track(ctx, repeated_only=repeated, standard=standard, agency=agency, board=board, status=status)
    except Exception as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json(asdict(report))
        return
    typer.echo(
        f"{len(report.recommendations)} shown of {report.total} recommendations; {report.repeated} repeated "
        f"({report.links} links); by status: " + ", ".join(f"{k} {v}" for k, v in report.by_status.items())
    )
    for t in report.recommendations:
        standards = ",".join(s.standard for s in t.standards[:3]) or "-"
        typer.echo(
            f"\n#{t.id} {t.reference or t.review_title} ({t.year}) rec {t.number}  [{t.status}]  {standards}\n"
            f"  {_short(t.text)}\n  to: {', '.join(t.agencies) or '-'}; due: {t.due or t.timescale or '-'}"
        )
        if t.repeat_note:
            typer.echo(f"  ↺ {t.repeat_note}")


@app.command("recommendation-status")
def recommendation_status(
    recommendation_id: Annotated[int, typer.Argument(help="Recommendation id (see `gwersi recommendations`).")],
    status: Annotated[str | None, typer.Argument(help="New status; omit to show the history.")] = None,
    note: Annotated[str | None, typer.Option(help="Why, or what evidence.")] = None,
    author: Annotated[str, typer.Option(help="Who records it.")] = "cli",
    as_json: AsJson = False,
) -> None:
    """Record a recommendation's status (history kept), or show its history."""
    from gwersi.recommendations import record_status, status_history

    ctx = context()
    try:
        if status is not None:
            record_status(ctx, recommendation_id, status, note, author)
        with ctx.sessions() as session:
            history = status_history(session, recommendation_id)
    except Exception as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json([asdict(h) for h in history])
        return
    for h in history:
        typer.echo(f"{h.at:%Y-%m-%d %H:%M}  {h.status:<14} {h.author}  {h.note or ''}")
    if not history:
        typer.echo("no status recorded yet")


@themes_app.command("emerging")
def themes_emerging(
    cutoff: Annotated[float, typer.Option(min=0.0, max=1.0, help="Outlier when the best tag scores below this.")] = 0.5,
    as_json: AsJson = False,
) -> None:
    """Topics among passages no standard covers well (never changes tags)."""
    from gwersi.emerging import emerging_themes

    ctx = context()
    try:
        with ctx.sessions() as session:
            report = emerging_themes(session, score_cutoff=cutoff)
    except Exception as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json(asdict(report))
        return
    typer.echo(
        f"{report.outliers} of {report.candidates} findings passages ({report.outlier_share:.0%}) are not covered "
        f"well by any standard; {len(report.topics)} topics, {report.unassigned} passages in none"
    )
    for t in report.topics:
        typer.echo(f"\n{t.id}  {t.label}  ({t.passages} passages, {t.reviews} reviews, {t.share:.0%} of outliers)")
        for p in t.examples:
            typer.echo(f"  - [{p.reference}, {p.year}] {_short(p.text)}")


@app.command()
def coverage(
    confirmed_only: Annotated[bool, typer.Option("--confirmed-only", help="Count panel-confirmed tags only.")] = False,
    as_json: AsJson = False,
) -> None:
    """Per standard: passages evidencing a shortfall vs good practice, and standards nobody has tested."""
    from gwersi.coverage import coverage as run

    ctx = context()
    try:
        with ctx.sessions() as session:
            report = run(session, confirmed_only=confirmed_only)
    except Exception as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json(asdict(report))
        return
    typer.echo(f"{'std':<4} {'shortfall':>9} {'good':>5} {'recs':>5} {'reviews':>7}  title")
    for s in report.standards:
        typer.echo(
            f"{s.standard:<4} {s.shortfall:>9} {s.good_practice:>5} {s.recommendation:>5} {s.reviews:>7}  {s.title}"
        )
    typer.echo(f"\nuntested: {', '.join(report.untested) or 'none'}")
    typer.echo(f"no shortfall or good-practice evidence: {', '.join(report.no_practice_evidence) or 'none'}")


@eval_app.command("lessons")
def eval_lessons(
    in_place: Annotated[
        bool, typer.Option("--in-place", help="Score the catalogue in DATA_DIR (it must hold the samples).")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Recurring lessons (ARI, purity) and repeated-recommendation links (precision/recall) on the samples."""
    from gwersi.lessons_eval import format_lessons_eval, run_lessons_eval

    result = run_lessons_eval(context(), in_place=in_place)
    if as_json:
        echo_json(result)
    else:
        typer.echo(format_lessons_eval(result))
