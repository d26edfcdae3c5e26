"""The ``gwersi`` command line. Every command is a thin shell over the services layer."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from gwersi.errors import describe, exit_code

app = typer.Typer(
    name="gwersi",
    help="Gwersi: a learning repository for Welsh safeguarding practice reviews.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class State:
    """Options given before the command."""

    data_dir: Path | None = None


STATE = State()


@app.callback()
def main_options(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="GWERSI_DATA_DIR", help="Folder for the catalogue and indexes."),
    ] = None,
) -> None:
    """Gwersi: ingest, tag, index and search safeguarding practice reviews."""
    STATE.data_dir = data_dir


def context() -> Any:
    """The application context for this run (settings from env, ``--data-dir`` applied)."""
    from gwersi.context import AppContext
    from gwersi.settings import Settings

    overrides: dict[str, Any] = {}
    if STATE.data_dir is not None:
        overrides["data_dir"] = STATE.data_dir
    return AppContext(Settings(**overrides))


def fail(exc: BaseException, *, as_json: bool = False) -> NoReturn:
    """Print one clean error line (or JSON) and exit with the fitting code."""
    info = describe(exc)
    if info.code == "internal_error":
        # The operator is at the terminal: say what broke (the API never shows internals).
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
        info = replace(info, detail=f"{type(exc).__name__}: {exc}")
    if as_json:
        typer.echo(json.dumps({"error": {"code": info.code, "status": info.status, "detail": info.detail}}))
    else:
        typer.echo(f"error [{info.code}]: {info.detail}", err=True)
    raise typer.Exit(exit_code(info))


def echo_json(data: Any) -> None:
    """Print data as JSON (UTF-8, not ASCII-escaped)."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def is_terminal() -> bool:
    """True when stderr is a terminal (progress bars only then)."""
    return sys.stderr.isatty()


def register() -> None:
    """Attach every command module to the app."""
    from gwersi import cli_reviews  # noqa: F401  (modules register commands on import)

    for name in ("cli_ops", "cli_tagging", "cli_search", "cli_serve", "cli_lessons", "cli_reliability", "cli_ingest"):
        try:
            __import__(f"gwersi.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"gwersi.{name}":
                raise


def main() -> None:
    """Console entry point."""
    register()
    app()
