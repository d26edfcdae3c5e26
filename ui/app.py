"""Gwersi explorer: the Streamlit entry script.

Run it with ``gwersi ui`` (or ``gwersi up``), which calls
``streamlit run ui/app.py -- --api-url URL``; without ``--api-url`` it reads ``GWERSI_API_URL``.
It talks only to the Gwersi API. Signing in (a token in the sidebar) decides which pages show;
each page draws the shared sidebar itself (``ui.chrome.page_start``).
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # `streamlit run ui/app.py` puts only ui/ on the path
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from ui import nav, state  # noqa: E402


def main() -> None:
    """Configure the page, choose the pages this user may see, then run the chosen one."""
    st.set_page_config(page_title="Gwersi explorer", page_icon=":material/menu_book:", layout="wide")
    specs = nav.visible_pages(can_read=state.can_read(), can_write=state.can_write())
    pages = [
        st.Page(spec.path, title=spec.title, icon=spec.icon, default=(i == 0)) for i, spec in enumerate(specs)
    ]
    st.navigation(pages).run()


main()
