"""Search: a query box, filters in the sidebar, result cards, "more like this" and case packs."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import chrome, render, state, vocab, widgets
from ui.shapes import SearchHit

PAGE_SIZE = 10


def filters() -> dict[str, Any]:
    """The sidebar filters, as keyword arguments for ``ApiClient.search``."""
    titles = state.standard_titles()
    reviews = state.reviews()
    years = sorted({year for r in reviews if (year := r["year"]) is not None})
    with st.sidebar:
        st.subheader("Filters")
        chosen_standards = st.multiselect(
            "Standard",
            list(titles),
            format_func=lambda sid: f"{sid} {titles.get(sid, '')}",
            key="f_standards",
            persist_state="session",
            placeholder="Any standard",
        )
        review_types = st.multiselect(
            "Review type", list(vocab.REVIEW_TYPES), key="f_types", persist_state="session", placeholder="Any type"
        )
        boards = st.multiselect(
            "Board",
            vocab.with_extra(vocab.BOARD_NAMES, (r.get("board") for r in reviews)),
            key="f_boards",
            persist_state="session",
            placeholder="Any board",
        )
        year_from = year_to = None
        if len(years) >= 2:
            low, high = st.slider(
                "Year range", min_value=years[0], max_value=years[-1], value=(years[0], years[-1]),
                key="f_years", persist_state="session",
            )
            # The full range means "any year", which also keeps reviews whose year is unknown.
            if (low, high) != (years[0], years[-1]):
                year_from, year_to = low, high
        kinds = st.multiselect(
            "Section kind",
            list(vocab.SECTION_KINDS),
            format_func=render.humanise,
            key="f_kinds",
            persist_state="session",
            placeholder="Any section",
        )
        mode = st.selectbox(
            "Search by",
            list(vocab.SEARCH_MODES),
            format_func=vocab.SEARCH_MODES.__getitem__,
            key="f_mode",
            persist_state="session",
        )
    return {
        "standards": chosen_standards,
        "review_types": review_types,
        "boards": boards,
        "year_from": year_from,
        "year_to": year_to,
        "section_kinds": kinds,
        "mode": mode,
    }


def _clear_similar() -> None:
    st.session_state.pop("similar_to", None)


def show_similar(pack: Any) -> None:
    """Passages like the one the user picked with "More like this"."""
    similar = st.session_state["similar_to"]
    st.subheader(f"More like this: {similar['label']}")
    st.caption(f"Passages closest in meaning to the one from “{similar['heading']}”.")
    st.button("Back to search results", key="similar_back", icon=":material/arrow_back:", on_click=_clear_similar)
    hits = state.attempt(lambda: state.client().similar_passages(similar["passage_id"], k=PAGE_SIZE))
    if hits is None:
        return
    if not hits:
        st.info("No other passages are close to this one yet.")
    titles = state.standard_titles()
    for hit in hits:
        widgets.hit_card(hit, titles, key="similar", pack=pack)


def _page(delta: int) -> None:
    st.session_state["search_offset"] = max(0, st.session_state.get("search_offset", 0) + delta)


def show_results(query: str, chosen: dict[str, Any], pack: Any) -> None:
    """One page of results for ``query`` with the chosen filters."""
    signature = (query, repr(sorted(chosen.items())))
    if st.session_state.get("search_signature") != signature:
        st.session_state["search_signature"] = signature
        st.session_state["search_offset"] = 0
    offset = st.session_state.get("search_offset", 0)
    with st.spinner("Searching…"):
        found = state.attempt(lambda: state.client().search(query, k=PAGE_SIZE, offset=offset, **chosen))
    if found is None:
        return
    hits: list[SearchHit] = found["data"]
    if not hits:
        st.info("No passages match. Try other words, or loosen the filters in the sidebar.")
        return
    also = found.get("expanded_with") or []
    st.caption(
        f"Results {offset + 1}–{offset + len(hits)} for “{query}” ({vocab.SEARCH_MODES[found['mode']]})"
        + (f"; also searched: {'; '.join(also)}." if also else ".")
    )
    titles = state.standard_titles()
    for hit in hits:
        widgets.hit_card(hit, titles, key="hit", pack=pack)
    with st.container(horizontal=True):
        st.button("Previous results", key="prev_page", disabled=offset == 0, on_click=_page, args=(-PAGE_SIZE,))
        st.button("Next results", key="next_page", disabled=len(hits) < PAGE_SIZE, on_click=_page, args=(PAGE_SIZE,))


def main() -> None:
    """The Search page."""
    chrome.page_start()
    st.title("Search the reviews")
    chosen = filters()
    with st.sidebar:
        pack = widgets.pack_target(key_prefix="search")
    widgets.show_flash()
    query = st.text_input(
        "What are you looking for?",
        key="search_q",
        persist_state="session",
        on_change=_clear_similar,
        max_chars=500,
        placeholder="e.g. voice of the child not heard",
        help="Words or a question. Matching words are highlighted in each passage.",
    )
    if st.session_state.get("similar_to"):
        show_similar(pack)
        return
    if not query.strip():
        st.caption(
            "Search passages across the reviews. Filter by standard, review type, board, year or section in "
            "the sidebar; open a passage in its review, find more like it, or collect it into a case pack."
        )
        return
    show_results(query.strip(), chosen, pack)


main()
