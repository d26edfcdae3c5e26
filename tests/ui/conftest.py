"""Explorer fixtures: the real API on loopback over a small catalogue, and AppTest runners.

The API runs in this process (uvicorn in a background thread) on a free 127.0.0.1 port, with the
hashing encoder and the keyword tagger so nothing loads a model. It is built once per test
session (per xdist worker): tests that write (decide tags, build packs) use their own objects
or tolerate earlier writes.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, SAMPLES

SAMPLE_FILES = ("cpr_flint_2.md", "dhr_cardiff_2019_1.md", "susr_gwent_2026.md")
UPLOAD_SAMPLE = SAMPLES / "owhr_wgsb_2025.md"
APP = REPO / "ui" / "app.py"
APP_TIMEOUT = 60.0


@dataclass(frozen=True)
class LiveApi:
    """A running API: its URL, tokens per role and the ids of the seeded reviews."""

    url: str
    panel_token: str
    reader_token: str
    admin_token: str
    review_ids: tuple[int, ...]

    def get(self, path: str, token: str | None = None, **params: str | int) -> httpx.Response:
        """A GET against the live API (as ``token``, or the panel member)."""
        headers = {"Authorization": f"Bearer {token or self.panel_token}"}
        return httpx.get(self.url + path, params=params, headers=headers, timeout=30)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ok(url: str, seconds: float = 60.0) -> None:
    """Poll ``url`` until it answers 200; fail the test run if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")


def _seed(data_dir: Path) -> tuple[object, tuple[int, ...], dict[str, str]]:
    from gwersi.auth import create_token
    from gwersi.context import AppContext
    from gwersi.ingesting import ingest_files
    from gwersi.pipeline import process_new_passages
    from gwersi.settings import Settings
    from index.db import transaction

    settings = Settings(data_dir=data_dir, encoder="hashing", tagger="keyword")
    ctx = AppContext(settings)
    try:
        results = ingest_files(ctx, [SAMPLES / name for name in SAMPLE_FILES])
        assert all(r.status == "ingested" for r in results), [r.error for r in results]
        process_new_passages(ctx)
        with transaction(ctx.sessions) as session:
            tokens = {role: create_token(session, f"{role}-user", role, actor="test").token
                      for role in ("reader", "panel", "admin")}
    finally:
        ctx.close()
    return settings, tuple(r.review_id for r in results if r.review_id is not None), tokens


@contextmanager
def serving(settings: object) -> Iterator[str]:
    """The API for ``settings`` served by uvicorn in a background thread; yields its base URL."""
    import uvicorn

    from api.app import create_app

    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"ui-test-api-{port}", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ok(url + "/health/ready")
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    """The API on a free loopback port over three sample reviews, with a token per role."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    settings, review_ids, tokens = _seed(tmp_path_factory.mktemp("ui-api") / "data")
    with serving(settings) as url:
        yield LiveApi(url, tokens["panel"], tokens["reader"], tokens["admin"], review_ids)


@pytest.fixture()
def make_app(live_api: LiveApi, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """``make_app(role=None, page=None, **query)``: an AppTest of the explorer, signed in as ``role``,
    run once on the main script, then on ``page`` (a path such as ``pages/search.py``) if given."""
    monkeypatch.setenv("GWERSI_API_URL", live_api.url)
    tokens = {"reader": live_api.reader_token, "panel": live_api.panel_token, "admin": live_api.admin_token}

    def build(role: str | None = None, page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
        if role is not None:
            at.session_state["auth_token"] = tokens[role]
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        if page is not None:
            at.switch_page(page).run()
        return at

    return build


def no_failures(at: AppTest) -> None:
    """Assert the run raised nothing and showed no error box."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def html_text(at: AppTest) -> str:
    """All ``st.html`` bodies of the last run, joined."""
    return "\n".join(h.proto.body for h in at.get("html"))
