"""Hostile-input fixtures: the API on a real SQLite file per test, tokens per role, a seeded corpus,
and the strings every text field and query parameter is fed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX
from gwersi.context import AppContext
from gwersi.settings import Settings
from tests.api.conftest import ROLES, Seeded, bearer, make_token, seed

UPLOAD_LIMIT = 256 * 1024
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}

SQLISH = (
    "' OR '1'='1",
    "'; DROP TABLE reviews; --",
    '" OR 1=1 --',
    "1; SELECT pg_sleep(5) --",
    "%' UNION SELECT token_hash, name FROM api_tokens --",
    "S01' OR 'x'='x",
    "\\'; DELETE FROM tags WHERE '1'='1",
    "%_%",
    "*",
)
SCRIPTISH = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(document.cookie)>',
    "javascript:alert(1)",
    "{{7*7}} ${7*7} #{7*7}",
    "${jndi:ldap://127.0.0.1/a}",
    "<b>bold</b> & <i>it</i> <para> </para> <br/>",
    "]]><!--",
)
ODD = (
    "../../etc/passwd",
    "C:\\Windows\\win.ini",
    "\x00nul\x00",
    "tab\tvertical\x0bform\x0cbell\x07escape\x1b",
    "\u202eright-to-left override\u202c",
    "Ŵyr ŷ – “quotes” — 😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "a" * 199,
    " ",
)
HOSTILE: tuple[str, ...] = SQLISH + SCRIPTISH + ODD


def is_problem(response: Any) -> dict[str, Any]:
    """A 4xx problem+json document (never a 5xx); returns the body."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE), response.headers
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_KEYS, body
    assert body["status"] == response.status_code
    assert body["type"] == TYPE_PREFIX + body["code"]
    assert body["title"] and body["detail"]
    return body


def ok_or_problem(response: Any, ok: tuple[int, ...] = (200, 201, 204)) -> None:
    """Either the success status or a well-formed 4xx problem; a 5xx always fails."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code not in ok:
        is_problem(response)


@pytest.fixture()
def hostile_settings(sqlite_settings: Settings) -> Settings:
    """A real SQLite file in the test's own data dir, the rule tagger and a small upload limit."""
    return sqlite_settings.model_copy(update={"tagger": "rule", "max_upload_bytes": UPLOAD_LIMIT})


@pytest.fixture()
def client(hostile_settings: Settings) -> Iterator[TestClient]:
    """The app started on that catalogue; unexpected errors come back as responses, not exceptions."""
    with TestClient(create_app(hostile_settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture()
def ctx(client: TestClient) -> AppContext:
    """The running app's context."""
    context: AppContext = client.app.state.ctx  # type: ignore[attr-defined]
    return context


@pytest.fixture()
def headers(ctx: AppContext) -> dict[str, dict[str, str]]:
    """Authorization headers per role."""
    return {role: bearer(make_token(ctx, role)) for role in ROLES}


@pytest.fixture()
def seeded(ctx: AppContext) -> Seeded:
    """The three-review corpus of the API tests, processed and indexed."""
    return seed(ctx)
