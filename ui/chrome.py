"""What every page shows first: the explorer's styles and the sidebar's sign-in box.

Each page calls :func:`page_start` itself (rather than the entry script drawing it) so the box is
part of the page's own output on every run. Signing in and out happen in widget callbacks, before
the entry script decides which pages the user may see.
"""

from __future__ import annotations

import streamlit as st

from ui import render, state
from ui.client import ApiError


def _sign_in() -> None:
    """Form callback: check the typed token with the API and keep it, or keep the reason it failed."""
    token = (st.session_state.get("sign_in_token") or "").strip()
    if not token:
        st.session_state["sign_in_problem"] = "Enter a token to sign in."
        return
    try:
        state.sign_in(token)
    except ApiError as exc:
        st.session_state["sign_in_problem"] = exc.message


def sign_in_box() -> None:
    """The sidebar's sign-in form, or who is signed in with a sign-out button."""
    me = state.who()
    with st.sidebar:
        if state.TOKEN_KEY in st.session_state and me is not None:
            st.html(f"<div>Signed in as <strong>{render.esc(me['name'])}</strong> ({render.esc(me['role'])})</div>")
            st.button("Sign out", key="sign_out", on_click=state.sign_out)
        else:
            with st.form("sign_in_form", clear_on_submit=True, border=False):
                st.text_input(
                    "API token",
                    type="password",
                    help="A token made with `gwersi token create NAME --role reader|panel|admin`.",
                    key="sign_in_token",
                )
                st.form_submit_button("Sign in", on_click=_sign_in)
            problem = st.session_state.pop("sign_in_problem", None) or (
                st.session_state.get("auth_problem") if me is None else None
            )
            if problem:
                st.error(problem)
            elif me is not None and not me["anonymous_read"]:
                st.info("This server needs a token for reading.")
            else:
                st.caption("Reading without a token. Panel members sign in to decide tags and build case packs.")
        st.caption(f"API: {state.api_url()}")


def page_start() -> None:
    """Styles and the sign-in box; call first on every page."""
    st.html(render.CSS)
    sign_in_box()
