"""`gwersi check-anonymisation FILE`: flag likely identifying details before a review is published."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gwersi.cli import app, echo_json, fail

FINDINGS_EXIT = 3
"""Exit code when the check found something to look at (0: nothing found, 1: the file is unreadable)."""


@app.command("check-anonymisation")
def check_anonymisation(
    file: Annotated[Path, typer.Argument(help="The review to check (PDF, DOCX, TXT or Markdown).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    no_model: Annotated[
        bool, typer.Option("--no-model", help="Rules only, even if a spaCy statistical model is installed.")
    ] = False,
) -> None:
    """Flag names that are not pseudonyms, full dates and dates of birth, addresses, postcodes, phone numbers,
    email addresses, NHS numbers, schools and rare age/place/event combinations, with their positions
    (exit 3 when anything is found)."""
    from gwersi.anonymisation import check_file
    from gwersi.settings import Settings
    from ingest.limits import Limits

    settings = Settings()
    limits = Limits(max_bytes=settings.max_upload_bytes, max_pages=settings.max_pages, max_chars=settings.max_chars)
    try:
        report = check_file(file, limits=limits, use_model=not no_model)
    except Exception as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json(report.as_json())
    else:
        for f in report.findings:
            where = f"page {f.page}, " if f.page is not None else ""
            shown = " ".join(f.text.split())
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            typer.echo(f"{f.kind:<17} {where}chars {f.start}-{f.end}: {shown!r} ({f.reason})")
        counts = ", ".join(f"{n} {k}" for k, n in report.counts().items() if n)
        pseudonyms = ", ".join(report.pseudonyms) or "none"
        typer.echo(f"{file}: {counts or 'nothing found'} (pseudonyms declared: {pseudonyms})")
    if report.findings:
        raise typer.Exit(FINDINGS_EXIT)
