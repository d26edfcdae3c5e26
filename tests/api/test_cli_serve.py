"""`gwersi token create|list|revoke` against a real catalogue; `gwersi serve` is registered."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gwersi.auth import verify_token
from gwersi.cli import app, register
from gwersi.context import AppContext
from gwersi.settings import Settings


def _run(data_dir: Path, *args: str) -> tuple[int, str]:
    register()
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.stdout


def test_token_lifecycle(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "token", "create", "trainer", "--role", "panel", "--json")
    assert code == 0
    made = json.loads(out)
    ctx = AppContext(Settings(data_dir=tmp_path, encoder="hashing"))
    with ctx.sessions() as session:
        who = verify_token(session, made["token"])
        assert who is not None and (who.name, who.role) == ("trainer", "panel")
    code, out = _run(tmp_path, "token", "list", "--json")
    assert [(t["id"], t["revoked_at"]) for t in json.loads(out)] == [(made["id"], None)]
    assert made["token"] not in out
    code, _ = _run(tmp_path, "token", "revoke", str(made["id"]))
    assert code == 0
    with ctx.sessions() as session:
        assert verify_token(session, made["token"]) is None
    ctx.close()


def test_bad_role_and_unknown_token_exit_1(tmp_path: Path) -> None:
    assert _run(tmp_path, "token", "create", "x", "--role", "superuser")[0] == 1
    assert _run(tmp_path, "token", "revoke", "42")[0] == 1


def test_serve_binds_loopback_by_default(tmp_path: Path) -> None:
    code, out = _run(tmp_path, "serve", "--help")
    assert code == 0 and "127.0.0.1" in out
    assert Settings().api_host == "127.0.0.1"
