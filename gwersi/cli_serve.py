"""CLI commands for serving the API and managing its tokens: ``serve`` and ``token create|revoke|list``."""

from __future__ import annotations

from typing import Annotated

import typer

from gwersi.cli import STATE, app, context, echo_json, fail

token_app = typer.Typer(help="API tokens: create (shown once), revoke, list.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default: settings api_host, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings api_port).")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Start the HTTP API with uvicorn (models and the index load once at start-up)."""
    import uvicorn

    from api.app import create_app
    from gwersi.settings import Settings

    overrides = {"data_dir": STATE.data_dir} if STATE.data_dir is not None else {}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    bind_host = host or settings.api_host
    bind_port = port or settings.api_port
    typer.echo(f"Gwersi API on http://{bind_host}:{bind_port} (docs at /docs)", err=True)
    uvicorn.run(create_app(settings), host=bind_host, port=bind_port, log_level=log_level)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Who or what will use the token.")],
    role: Annotated[str, typer.Option(help="reader, panel or admin.")] = "reader",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create a token and print it once (only its hash is stored)."""
    from gwersi.auth import create_token
    from index.db import transaction

    ctx = context()
    try:
        with transaction(ctx.sessions) as session:
            made = create_token(session, name, role, actor="cli")
    except Exception as exc:
        fail(exc, as_json=as_json)
    if as_json:
        echo_json({"id": made.id, "name": made.name, "role": made.role, "token": made.token})
        return
    typer.echo(f"token {made.id} for {made.name} ({made.role}); copy it now, it is not shown again:", err=True)
    typer.echo(made.token)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Token id (see `gwersi token list`).")]) -> None:
    """Revoke a token; it stops working at once."""
    from gwersi.auth import revoke_token
    from index.db import transaction

    ctx = context()
    try:
        with transaction(ctx.sessions) as session:
            view = revoke_token(session, token_id, actor="cli")
    except Exception as exc:
        fail(exc)
    typer.echo(f"revoked token {view.id} ({view.name}, {view.role})")


@token_app.command("list")
def token_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List tokens (never their secrets)."""
    from gwersi.auth import list_tokens

    ctx = context()
    with ctx.sessions() as session:
        views = list_tokens(session)
    if as_json:
        echo_json(
            [
                {
                    "id": v.id,
                    "name": v.name,
                    "role": v.role,
                    "created_at": v.created_at.isoformat(),
                    "revoked_at": v.revoked_at.isoformat() if v.revoked_at else None,
                }
                for v in views
            ]
        )
        return
    for v in views:
        state = f"revoked {v.revoked_at:%Y-%m-%d}" if v.revoked_at else "active"
        typer.echo(f"{v.id:>4}  {v.role:<6} {state:<18} {v.name}")
    typer.echo(f"{len(views)} tokens")
