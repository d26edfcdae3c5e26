"""End to end in a real browser: API and explorer on loopback, Debian's headless Chromium driven by
Playwright through sign in -> search -> open a review -> confirm a tag -> collect a passage into a
case pack -> export it as Markdown. Screenshots (1280x800) go to ``test-artifacts/ui/``.

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``; the test command installs it). When
it is missing the test fails and says so: it never passes without having run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.ui.conftest import APP, LiveApi, free_port, wait_until_ok

if TYPE_CHECKING:  # Playwright is imported where used, so a missing install fails the test clearly
    from playwright.sync_api import Browser, Locator, Page, ViewportSize

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = APP.parent.parent / "test-artifacts" / "ui"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def explorer(live_api: LiveApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Streamlit explorer, headless on a free loopback port, pointed at the live API."""
    port = free_port()
    log = (tmp_path_factory.mktemp("ui-log") / "streamlit.log").open("w")
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--", "--api-url", live_api.url,
    ]
    env = {**os.environ, "GWERSI_API_URL": live_api.url}
    proc = subprocess.Popen(command, cwd=APP.parent.parent, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        wait_until_ok(f"http://127.0.0.1:{port}/_stcore/health")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright (a clear failure when it is missing)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get update && apt-get install -y "
            "chromium` (scripts/test.sh does this when run as root)."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: install the dev extra (`pip install -e .[dev]`).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def wait_idle(page: Page) -> None:
    """Let Streamlit finish the current script run."""
    time.sleep(0.25)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=WAIT_MS)


def shot(page: Page, name: str) -> Path:
    """Save a screenshot of what a 1280x800 screen shows."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    wait_idle(page)
    page.screenshot(path=str(path))
    return path


def field(page: Page, label: str) -> Locator:
    """A text field by its exact label (not the help button beside it)."""
    return page.locator(f'input[aria-label="{label}"], textarea[aria-label="{label}"]')


def sign_in(page: Page, token: str) -> None:
    """Type the token and sign in; retried because the first page load may run the script twice."""
    for _attempt in range(3):
        wait_idle(page)
        field(page, "API token").fill(token)
        page.get_by_role("button", name="Sign in").click()
        try:
            page.get_by_role("button", name="Sign out").wait_for(timeout=8_000)
            return
        except Exception:  # Playwright's TimeoutError: try again
            continue
    raise AssertionError("signing in with the panel token did not work")


def nav(page: Page, title: str) -> None:
    """Open a page from the sidebar navigation."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_idle(page)


def search(page: Page, query: str) -> None:
    """Type a query and wait for marked results."""
    box = field(page, "What are you looking for?")
    box.fill(query)
    box.press("Enter")
    page.locator("mark").first.wait_for(timeout=WAIT_MS)
    wait_idle(page)


def test_search_review_confirm_collect_export(browser: Browser, explorer: str, live_api: LiveApi) -> None:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(explorer)
        page.get_by_role("heading", name="Search the reviews").wait_for(timeout=WAIT_MS)
        sign_in(page, live_api.panel_token)
        shot(page, "01-signed-in")

        search(page, "father")
        assert page.locator(".gw-text mark").first.inner_text().lower() == "father"
        shot(page, "02-search")

        page.get_by_role("link", name="Open in review").first.click()
        page.locator(".gw-target").wait_for(timeout=WAIT_MS)
        review_id = int(page.url.split("review=")[1].split("&")[0])
        assert page.get_by_role("heading", name="Review reader").is_visible()
        shot(page, "03-review")

        decided_before = _decided(live_api, review_id)
        page.get_by_role("link", name="Decide this review's tags in the panel workbench").click()
        question = page.get_by_role("heading", name="Does this passage show")
        question.wait_for(timeout=WAIT_MS)
        standard = question.inner_text().split("show ", 1)[1].split(" ", 1)[0]
        shot(page, "04-workbench")
        page.get_by_role("button", name="Confirm").click()
        page.get_by_text(f"Confirmed {standard} on").wait_for(timeout=WAIT_MS)
        assert _decided(live_api, review_id) == decided_before + 1
        shot(page, "05-confirmed")

        nav(page, "Search")
        search(page, "father")
        title = f"Browser pack {uuid.uuid4().hex[:6]}"
        new_title = field(page, "Title of the new case pack")
        if not new_title.is_visible():
            page.get_by_text("Start a new case pack").click()
        new_title.fill(title)
        new_title.press("Enter")
        wait_idle(page)
        page.get_by_role("button", name="Create case pack").click()
        page.get_by_text(f"Created the case pack “{title}”.").wait_for(timeout=WAIT_MS)
        wait_idle(page)
        page.get_by_role("button", name="Add to case pack").first.click()
        page.get_by_text(f"to the case pack “{title}”.").wait_for(timeout=WAIT_MS)
        shot(page, "06-collected")

        nav(page, "Case packs")
        page.get_by_role("heading", name=title).wait_for(timeout=WAIT_MS)
        shot(page, "07-case-pack")
        with page.expect_download(timeout=WAIT_MS) as download:
            page.get_by_role("button", name="Export as Markdown").click()
        saved = ARTIFACTS / "case-pack.md"
        download.value.save_as(str(saved))
        exported = saved.read_text(encoding="utf-8")
        assert title in exported
        assert "Father" in exported
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "failure.png"))
        raise
    finally:
        context.close()


def _decided(live_api: LiveApi, review_id: int) -> int:
    tags = live_api.get(f"/reviews/{review_id}/tags").json()
    return sum(1 for t in tags if t["status"] != "suggested")

