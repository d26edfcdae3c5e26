"""Session plumbing: where the API is, who is signed in, and cached look-ups shared by the pages.

The API address comes from ``--api-url`` after ``--`` on the ``streamlit run`` line, else from
``GWERSI_API_URL``, else from the settings default. The token lives only in ``st.session_state``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import TypeVar

import httpx
import streamlit as st

from ui.client import ApiClient, ApiError
from ui.shapes import Me, ReviewSummary, Standard

T = TypeVar("T")
TOKEN_KEY = "auth_token"
ME_KEY = "auth_me"
WRITER_ROLES = ("panel", "admin")
MAX_REVIEWS_LISTED = 1000


def api_url(argv: list[str] | None = None) -> str:
    """The API base URL: ``--api-url``, then ``GWERSI_API_URL``, then the settings default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--api-url", default=None)
    known, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if known.api_url:
        return str(known.api_url).rstrip("/")
    if os.environ.get("GWERSI_API_URL"):
        return os.environ["GWERSI_API_URL"].rstrip("/")
    from gwersi.settings import Settings

    return Settings.model_fields["api_url"].get_default().rstrip("/")


@st.cache_resource
def http_pool() -> httpx.Client:
    """One connection pool for the whole explorer process."""
    return httpx.Client()


def client() -> ApiClient:
    """A client for the signed-in user (anonymous without a token)."""
    return ApiClient(api_url(), st.session_state.get(TOKEN_KEY), http=http_pool())


def who() -> Me | None:
    """The signed-in user (or the anonymous reader); ``None`` when the API cannot say."""
    me: Me | None = st.session_state.get(ME_KEY)
    if me is not None:
        return me
    try:
        me = client().me()
    except ApiError as exc:
        st.session_state["auth_problem"] = exc.message
        return None
    st.session_state.pop("auth_problem", None)
    st.session_state[ME_KEY] = me
    return me


def role() -> str:
    """The current role: anonymous, reader, panel or admin."""
    me = who()
    return me["role"] if me else "anonymous"


def can_read() -> bool:
    """Whether the current user may read (a token, or anonymous reading allowed)."""
    me = who()
    if me is None:
        return True  # the API is unreachable: let the pages say so
    return me["role"] != "anonymous" or bool(me["anonymous_read"])


def can_write() -> bool:
    """Whether the current user is a panel member or an administrator."""
    return role() in WRITER_ROLES


def sign_in(token: str) -> Me:
    """Check ``token`` with ``GET /me`` and keep it for the session (raises :class:`ApiError`)."""
    me = ApiClient(api_url(), token.strip(), http=http_pool()).me()
    st.session_state[TOKEN_KEY] = token.strip()
    st.session_state[ME_KEY] = me
    return me


def sign_out() -> None:
    """Forget the token (and everything cached for it)."""
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(ME_KEY, None)


def attempt(call: Callable[[], T]) -> T | None:
    """Run an API call; on failure show its plain sentence with ``st.error`` and return ``None``."""
    try:
        return call()
    except ApiError as exc:
        st.error(exc.message)
        return None


@st.cache_data(ttl=300, show_spinner=False)
def _standards(base_url: str, token: str | None) -> list[Standard]:
    return ApiClient(base_url, token, http=http_pool()).standards()


def standards() -> list[Standard]:
    """The 26 standards (cached for a few minutes); empty when the API cannot be read."""
    try:
        return _standards(api_url(), st.session_state.get(TOKEN_KEY))
    except ApiError as exc:
        st.error(exc.message)
        return []


def standard_titles() -> dict[str, str]:
    """Standard id -> title."""
    return {s["id"]: s["title"] for s in standards()}


@st.cache_data(ttl=60, show_spinner=False)
def _reviews(base_url: str, token: str | None) -> list[ReviewSummary]:
    api = ApiClient(base_url, token, http=http_pool())
    out: list[ReviewSummary] = []
    while len(out) < MAX_REVIEWS_LISTED:
        page = api.reviews(offset=len(out), limit=100)
        out.extend(page["data"])
        if not page["data"] or len(out) >= page["count"]:
            break
    return out


def reviews(*, fresh: bool = False) -> list[ReviewSummary]:
    """Every review (newest first, up to :data:`MAX_REVIEWS_LISTED`), cached for a minute."""
    if fresh:
        _reviews.clear()
    try:
        return _reviews(api_url(), st.session_state.get(TOKEN_KEY))
    except ApiError as exc:
        st.error(exc.message)
        return []


def review_label(review: ReviewSummary) -> str:
    """``reference — title (year)`` for pickers."""
    ref = review.get("reference") or review.get("source_name") or f"review {review['id']}"
    year = f" ({review['year']})" if review.get("year") else ""
    title = review.get("title") or ""
    return f"{ref} — {title}{year}" if title and title != ref else f"{ref}{year}"


def query_int(name: str) -> int | None:
    """An integer query parameter (``?review=3``), or ``None``."""
    raw = st.query_params.get(name)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None
