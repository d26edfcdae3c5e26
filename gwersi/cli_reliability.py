"""CLI commands for operators: check, export, import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gwersi.cli import app, context, echo_json, fail


@app.command()
def check(
    repair: Annotated[bool, typer.Option("--repair", help="Fix what can be fixed from the catalogue.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check that the catalogue is whole and the index matches it (exit 3 if not)."""
    from gwersi.consistency import run_check

    report = run_check(context(), repair=repair)
    if as_json:
        echo_json({"ok": report.ok, "problems": report.problems, "repaired": report.repaired})
    else:
        for line in report.repaired:
            typer.echo(f"repaired: {line}")
        for line in report.problems:
            typer.echo(f"problem: {line}")
        typer.echo("consistent" if report.ok else "inconsistent: run `gwersi check --repair`")
    if not report.ok:
        raise typer.Exit(3)


@app.command("export")
def export_cmd(archive: Annotated[Path, typer.Argument(help="Archive to write (.tar.gz).")]) -> None:
    """Write the whole catalogue (reviews, passages, embeddings, tags, decisions, packs, audit) to one archive."""
    from gwersi.backup import export_archive

    try:
        manifest = export_archive(context(), archive)
    except Exception as exc:
        fail(exc)
    rows = manifest["rows"]
    typer.echo(
        f"wrote {archive}: {rows.get('reviews', 0)} reviews, {rows.get('passages', 0)} passages, "
        f"{rows.get('tag_decisions', 0)} decisions"
    )


@app.command("import")
def import_cmd(archive: Annotated[Path, typer.Argument(help="Archive made by `gwersi export`.")]) -> None:
    """Load an archive into an empty catalogue (SQLite data dir or DATABASE_URL) and rebuild the index."""
    from gwersi.backup import import_archive

    try:
        manifest = import_archive(context(), archive)
    except Exception as exc:
        fail(exc)
    typer.echo(f"imported {manifest['rows'].get('reviews', 0)} reviews from {archive}")
