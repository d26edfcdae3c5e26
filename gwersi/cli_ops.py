"""CLI commands for running the whole thing and for operators: up, ui, bench."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

from gwersi.cli import app, context, fail, is_terminal

bench_app = typer.Typer(help="Benchmarks that print speed and memory figures.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")

UI_SCRIPT = Path(__file__).resolve().parent.parent / "ui" / "app.py"


def ui_command(api_url: str, port: int) -> list[str]:
    """The command line that starts the Streamlit explorer headless on 127.0.0.1."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(UI_SCRIPT),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--",
        "--api-url",
        api_url,
    ]


def api_command(host: str, port: int) -> list[str]:
    """The command line that starts the API with uvicorn."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:create_app",
        "--factory",
        "--host",
        host,
        "--port",
        str(port),
    ]


def wait_for(url: str, seconds: float = 120.0) -> bool:
    """Poll ``url`` until it answers 200 or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


@app.command()
def up(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Review files or folders to ingest first.")
    ] = None,
    api_port: Annotated[int | None, typer.Option(help="API port (default: settings).")] = None,
    ui_port: Annotated[int | None, typer.Option(help="Explorer port (default: settings).")] = None,
    no_ui: Annotated[bool, typer.Option("--no-ui", help="Start only the API.")] = False,
) -> None:
    """The main job: ingest, embed, tag and index the given reviews, then serve API + explorer."""
    from gwersi.pipeline import ensure_first_admin_token, ingest_and_process, process_new_passages

    ctx = context()
    settings = ctx.settings
    try:  # as `gwersi ingest`: parsing, embedding and tagging overlap
        results, report = ingest_and_process(ctx, paths or [])
    except Exception as exc:  # stored files stay stored
        fail(exc)
    failed = [r for r in results if r.status == "failed"]
    typer.echo(f"ingest: {len(results) - len(failed)} reviews ready, {len(failed)} failed")
    for r in failed:
        typer.echo(f"  failed {r.path}: {r.error}", err=True)
    if report is None:  # nothing new or left unfinished: (re)build the index to serve
        try:
            report = process_new_passages(ctx, show_progress=is_terminal())
        except Exception as exc:
            fail(exc)
    typer.echo(
        f"index: {report.indexed} passages indexed ({report.embedded} embedded, {report.tagged} tagged now)"
    )
    token = ensure_first_admin_token(ctx)
    ctx.close()

    host = settings.api_host
    a_port = api_port or settings.api_port
    u_port = ui_port or settings.ui_port
    api_url = f"http://{host}:{a_port}"
    env = {**os.environ, "GWERSI_DATA_DIR": str(settings.data_dir.resolve()), "GWERSI_API_URL": api_url}
    children = [subprocess.Popen(api_command(host, a_port), env=env)]
    try:
        if not wait_for(f"{api_url}/health/ready"):
            typer.echo("error: the API did not become ready; see its log above", err=True)
            raise typer.Exit(4)
        typer.echo(f"API:      {api_url}   (docs at {api_url}/docs)")
        if not no_ui:
            children.append(subprocess.Popen(ui_command(api_url, u_port), env=env))
            ui_url = f"http://127.0.0.1:{u_port}"
            if wait_for(f"{ui_url}/_stcore/health", 60):
                typer.echo(f"Explorer: {ui_url}")
        if token:
            typer.echo(f"Admin token (also saved in {settings.data_dir / 'admin-token.txt'}): {token}")
        typer.echo("Press Ctrl-C to stop.")
        while all(c.poll() is None for c in children):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


@app.command()
def ui(
    port: Annotated[int | None, typer.Option(help="Port (default: settings ui_port).")] = None,
    api_url: Annotated[str | None, typer.Option(help="API base URL (default: settings api_url).")] = None,
) -> None:
    """Start the Streamlit explorer on 127.0.0.1 (headless), pointed at the API."""
    from gwersi.settings import get_settings

    settings = get_settings()
    url = api_url or settings.api_url
    env = {**os.environ, "GWERSI_API_URL": url}
    raise typer.Exit(subprocess.call(ui_command(url, port or settings.ui_port), env=env))


@bench_app.command("ingest")
def bench_ingest(
    docs: Annotated[
        int | None, typer.Option(help="Documents to ingest: the samples replicated (default: the samples once).")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Parse worker processes (default: settings).")] = None,
    repeat: Annotated[
        int, typer.Option(min=1, help="Runs, one after the other; then the median ratio and the spread.")
    ] = 1,
) -> None:
    """The whole ingest stage by stage, beside the encoder alone on the same passages (ratio), peak memory."""
    from bench.ingest_bench import report

    typer.echo(report(docs, workers=workers, repeat=repeat))
