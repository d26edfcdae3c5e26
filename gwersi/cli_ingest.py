"""CLI command for ingest quality: eval ingest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gwersi.cli import echo_json
from gwersi.cli_tagging import eval_app

REPO = Path(__file__).resolve().parent.parent


@eval_app.command("ingest")
def eval_ingest(
    corpus: Annotated[
        list[str] | None,
        typer.Option("--corpus", help="samples or heldout-<part> for a held-out part (heldout-dev, heldout-test, "
                     "heldout-test2, ...; repeatable; default all)."),
    ] = None,
    failures: Annotated[bool, typer.Option("--failures", help="List every field read wrongly.")] = False,
    root: Annotated[Path, typer.Option("--root", help="Repository folder holding data/.")] = REPO,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Metadata, recommendations, action plans and section kinds against truth, per corpus and format."""
    from gwersi.ingest_eval import format_ingest_eval, run_ingest_eval

    report = run_ingest_eval(root, corpora=corpus)
    if as_json:
        echo_json(report.as_json())
    else:
        typer.echo(format_ingest_eval(report, show_failures=failures))
