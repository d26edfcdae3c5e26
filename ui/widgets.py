"""Streamlit pieces several pages share: messages that survive a rerun, passage cards, the case
pack that search results are collected into."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from ui import nav, render, state
from ui.client import ApiError
from ui.shapes import PackSummary, SearchHit

FLASH_KEY = "flash_messages"
PACK_TARGET_KEY = "pack_target"


def flash(kind: str, message: str) -> None:
    """Queue a message ('success', 'error', 'info') for the next run (used from button callbacks)."""
    st.session_state.setdefault(FLASH_KEY, []).append((kind, message))


def show_flash() -> None:
    """Show and forget queued messages."""
    for kind, message in st.session_state.pop(FLASH_KEY, []):
        {"success": st.success, "error": st.error}.get(kind, st.info)(message)


def citation(reference: str | None, title: str, paragraph: int | None = None) -> str:
    """``CPR FLINT 2 ¶8`` (or the title when the review has no reference)."""
    where = reference or title
    return f"{where} ¶{paragraph}" if paragraph else where


def _show_similar(hit: SearchHit) -> None:
    st.session_state["similar_to"] = {
        "passage_id": hit["passage_id"],
        "label": citation(hit["reference"], hit["title"]),
        "heading": hit["section_heading"],
    }


def _add_to_pack(pack_id: int, pack_title: str, passage_id: int, label: str) -> None:
    try:
        state.client().add_item(pack_id, passage_id)
    except ApiError as exc:
        flash("error", exc.message)
    else:
        flash("success", f"Added the passage from {label} to the case pack “{pack_title}”.")


def hit_card(hit: SearchHit, titles: Mapping[str, str], *, key: str, pack: PackSummary | None) -> None:
    """A search result: reference, metadata, highlighted snippet, standard chips and actions."""
    label = citation(hit["reference"], hit["title"])
    with st.container(border=True):
        header = f"<strong>{render.esc(label)}</strong> — {render.esc(hit['title'])}"
        meta = render.meta_line(
            hit["review_type"],
            hit["board"],
            hit["year"],
            f"{render.humanise(hit['section_kind'])}: {hit['section_heading']}",
            f"page {hit['page']}" if hit["page"] else None,
            "found through its standards" if render.found_through_standards(hit) else None,
        )
        snippet = render.text_block(render.safe_snippet(hit["snippet"]))
        st.html(f"<div>{header}</div>{meta}{snippet}{render.standard_chips(hit['standards'], titles)}")
        with st.container(horizontal=True, gap="small"):
            st.page_link(
                nav.REVIEW,
                label="Open in review",
                icon=":material/menu_book:",
                query_params={"review": str(hit["review_id"]), "passage": str(hit["passage_id"])},
                help=f"Read this passage in {label}",
            )
            st.button(
                "More like this",
                key=f"{key}-more-{hit['passage_id']}",
                icon=":material/manage_search:",
                help=f"Passages close in meaning to this one from {label}",
                on_click=_show_similar,
                args=(hit,),
            )
            if pack is not None:
                st.button(
                    "Add to case pack",
                    key=f"{key}-pack-{hit['passage_id']}",
                    icon=":material/bookmark_add:",
                    help=f"Add this passage to “{pack['title']}”",
                    on_click=_add_to_pack,
                    args=(pack["id"], pack["title"], hit["passage_id"], label),
                )


def _create_pack(title_key: str) -> None:
    title = (st.session_state.get(title_key) or "").strip()
    if not title:
        flash("error", "Give the new case pack a title.")
        return
    try:
        created = state.client().create_pack(title)
    except ApiError as exc:
        flash("error", exc.message)
        return
    st.session_state[PACK_TARGET_KEY] = created["id"]
    st.session_state[title_key] = ""
    flash("success", f"Created the case pack “{created['title']}”.")


def my_packs() -> list[PackSummary]:
    """Packs the signed-in user may add to (their own; every pack for an admin)."""
    me = state.who()
    if me is None or not state.can_write():
        return []
    owner = None if me["role"] == "admin" else me["name"]
    return state.attempt(lambda: state.client().packs(owner=owner)) or []


def pack_target(*, key_prefix: str) -> PackSummary | None:
    """A picker for the case pack to collect passages into, with a quick way to start one."""
    if not state.can_write():
        return None
    packs = my_packs()
    chosen: PackSummary | None = None
    if packs:
        ids = [p["id"] for p in packs]
        if st.session_state.get(PACK_TARGET_KEY) not in ids:
            st.session_state[PACK_TARGET_KEY] = ids[0]
        by_id = {p["id"]: p for p in packs}
        picked = st.selectbox(
            "Collect passages into case pack",
            ids,
            key=PACK_TARGET_KEY,
            format_func=lambda i: f"{by_id[i]['title']} ({render.plural(by_id[i]['item_count'], 'passage')})",
        )
        chosen = by_id.get(picked) if picked is not None else None
    else:
        st.caption("You have no case packs yet. Start one to collect passages.")
    with st.expander("Start a new case pack", expanded=not packs):
        title_key = f"{key_prefix}-new-pack-title"
        st.text_input("Title of the new case pack", key=title_key, max_chars=300)
        st.button("Create case pack", key=f"{key_prefix}-new-pack", on_click=_create_pack, args=(title_key,))
    return chosen
