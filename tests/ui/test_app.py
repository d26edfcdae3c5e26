"""The entry script: signing in with a token, roles deciding the pages, errors as sentences."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP, APP_TIMEOUT, LiveApi, free_port, html_text, no_failures, serving


def _sign_in(at: AppTest, token: str) -> AppTest:
    at.sidebar.text_input(key="sign_in_token").input(token)
    submit = next(b for b in at.sidebar.button if b.label == "Sign in")
    return submit.click().run()


def test_signing_in_with_a_panel_token_shows_the_workbench(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    at = make_app()
    no_failures(at)
    with pytest.raises(ValueError):  # anonymous readers have no workbench page
        at.switch_page("pages/workbench.py")
    _sign_in(at, live_api.panel_token)
    no_failures(at)
    assert "Signed in as <strong>panel-user</strong> (panel)" in html_text(at)
    at.switch_page("pages/workbench.py").run()
    no_failures(at)
    assert at.title[0].value == "Panel workbench"


def test_a_reader_token_does_not_open_the_workbench(make_app: Callable[..., AppTest]) -> None:
    at = make_app("reader")
    no_failures(at)
    assert "(reader)" in html_text(at)
    with pytest.raises(ValueError):
        at.switch_page("pages/workbench.py")


def test_a_wrong_token_is_refused_in_a_sentence(make_app: Callable[..., AppTest]) -> None:
    at = _sign_in(make_app(), "gw_not-a-real-token")
    assert not at.exception
    assert [e.value for e in at.sidebar.error] == [
        "The token is unknown, revoked or not a Bearer token. Check the token, or sign out to read without one."
    ]
    assert "Signed in as" not in html_text(at)


def test_signing_out_forgets_the_token(make_app: Callable[..., AppTest]) -> None:
    at = make_app("panel")
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    no_failures(at)
    assert "auth_token" not in at.session_state
    assert any(b.label == "Sign in" for b in at.sidebar.button)


def test_an_unreachable_api_is_reported_without_a_stack_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GWERSI_API_URL", f"http://127.0.0.1:{free_port()}")
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT).run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert messages and all("did not answer" in m for m in messages)
    assert not any("Traceback" in m for m in messages)


def test_a_server_closed_to_anonymous_readers_shows_only_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gwersi.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", encoder="hashing", tagger="keyword", anonymous_read=False)
    with serving(settings) as url:
        monkeypatch.setenv("GWERSI_API_URL", url)
        at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT).run()
        no_failures(at)
        assert at.title[0].value == "Sign in to Gwersi"
        assert [i.value for i in at.sidebar.info] == ["This server needs a token for reading."]
        with pytest.raises(ValueError):
            at.switch_page("pages/search.py")
