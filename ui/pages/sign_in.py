"""Shown instead of the other pages when the server needs a token for reading."""

from __future__ import annotations

import streamlit as st

from ui import chrome

chrome.page_start()

st.title("Sign in to Gwersi")
st.markdown(
    "This server does not allow reading without a token. Enter your API token in the sidebar. "
    "An administrator makes tokens with `gwersi token create NAME --role reader|panel|admin`."
)
