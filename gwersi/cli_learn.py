"""CLI commands for learning from a board's own labels: ``gwersi learn`` and the learning curve."""

from __future__ import annotations

import getpass
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from gwersi.cli import app, context, echo_json, fail
from gwersi.cli_tagging import eval_app


@app.command()
def learn(
    file: Annotated[
        Path, typer.Argument(help='JSON lines: {"text","labels"} or {"passage_id","decision","standard"}.')
    ],
    by: Annotated[str | None, typer.Option(help="Who is importing (default: cli:<login name>).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Import a board's labelled passages as training data, with who, when and which file.

    Malformed lines are listed with their line numbers and nothing is stored (exit code 1);
    passages already imported are skipped as duplicates. Run `gwersi retrain` to use them.
    """
    from gwersi.learning import import_lines

    ctx = context()
    try:
        with file.open(encoding="utf-8") as handle:
            report = import_lines(ctx, handle, source=file.name, actor=by or f"cli:{getpass.getuser()}")
    except (OSError, UnicodeDecodeError) as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json(asdict(report))
    else:
        for problem in report.errors:
            typer.echo(f"{file}:{problem.line}: {problem.reason}", err=True)
        for problem in report.duplicates:
            typer.echo(f"{file}:{problem.line}: duplicate, skipped: {problem.reason}")
        if report.errors:
            typer.echo(f"nothing imported: {len(report.errors)} malformed lines", err=True)
        else:
            typer.echo(f"imported {report.stored} labelled passages from {file.name} "
                       f"({len(report.duplicates)} duplicates skipped); run `gwersi retrain` to use them")
    if report.errors:
        raise typer.Exit(1)


@eval_app.command("learning-curve")
def eval_learning_curve(
    heldout: Annotated[Path | None, typer.Option(help="Held-out corpus (parts no tagger trained on).")] = None,
    sizes: Annotated[str, typer.Option(help="Labelled passages added from the unseen style.")] = "0,25,50,100",
    draws: Annotated[int, typer.Option(min=1, help="Random draws per writer.")] = 2,
    writers: Annotated[str | None, typer.Option(help="Writers to use, e.g. ag,aj,am (default: all).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Micro-F1 on an unseen writer's other reviews after learning N of that writer's labelled passages."""
    from gwersi.tagging import heldout_path, training_for_eval
    from taxonomy.learning_curve import format_learning_curve, run_learning_curve

    ctx = context()
    counts = tuple(int(n) for n in sizes.split(",") if n.strip())
    chosen = tuple(w.strip() for w in writers.split(",")) if writers else None
    progress = None if as_json else (lambda message: typer.echo(f"... {message}", err=True))
    report = run_learning_curve(ctx.settings.training_dir, heldout or heldout_path(), ctx.encoder, sizes=counts,
                                draws=draws, writers=chosen, panel=training_for_eval(ctx), progress=progress)
    if as_json:
        echo_json(asdict(report))
    else:
        typer.echo(format_learning_curve(report))
