"""Case packs: a trainer's passages with notes and reflective questions, reordered and exported."""

from __future__ import annotations

import streamlit as st

from ui import chrome, render, state, widgets
from ui.client import ApiClient, ApiError
from ui.shapes import Export, Pack, PackItem

PICK_KEY = "packs_pick"
FORMATS = {"md": "Markdown", "docx": "Word (DOCX)", "pdf": "PDF"}


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def _export(base_url: str, token: str | None, pack_id: int, updated_at: str, fmt: str) -> Export:
    """An export, cached until the pack changes (``updated_at`` is part of the key)."""
    return ApiClient(base_url, token, http=state.http_pool()).export_pack(pack_id, fmt)


def _create(title_key: str, description_key: str) -> None:
    title = (st.session_state.get(title_key) or "").strip()
    if not title:
        widgets.flash("error", "Give the new case pack a title.")
        return
    try:
        pack = state.client().create_pack(title, (st.session_state.get(description_key) or "").strip())
    except ApiError as exc:
        widgets.flash("error", exc.message)
        return
    st.session_state[PICK_KEY] = pack["id"]
    st.session_state[widgets.PACK_TARGET_KEY] = pack["id"]
    st.session_state[title_key] = st.session_state[description_key] = ""
    widgets.flash("success", f"Created the case pack “{pack['title']}”. Add passages from Search.")


def _call(action: str, fn: object, *args: object, **kwargs: object) -> None:
    """Run a pack change from a button; report failure (or ``action`` done) on the next run."""
    try:
        fn(*args, **kwargs)  # type: ignore[operator]
    except ApiError as exc:
        widgets.flash("error", exc.message)
    else:
        if action:
            widgets.flash("success", action)


def _move(pack: Pack, index: int, step: int) -> None:
    ids = [item["id"] for item in pack["items"]]
    j = index + step
    ids[index], ids[j] = ids[j], ids[index]
    _call("", state.client().reorder, pack["id"], ids)


def _save_item(pack_id: int, item_id: int) -> None:
    _call(
        "Saved the note and question.",
        state.client().update_item,
        pack_id,
        item_id,
        note=st.session_state.get(f"note-{item_id}", ""),
        question=st.session_state.get(f"question-{item_id}", ""),
    )


def _delete(pack_id: int) -> None:
    _call("Deleted the case pack.", state.client().delete_pack, pack_id)
    st.session_state.pop(PICK_KEY, None)


def create_form(expanded: bool) -> None:
    """Start a new pack (panel members and administrators)."""
    with st.expander("Create a case pack", expanded=expanded):
        st.text_input("Title", key="new_pack_title", max_chars=300)
        st.text_area("What the pack is for (optional)", key="new_pack_description", max_chars=5000, height=80)
        st.button("Create case pack", key="new_pack_create", on_click=_create,
                  args=("new_pack_title", "new_pack_description"))


def exports(pack: Pack) -> None:
    """Download buttons for Markdown, DOCX and PDF."""
    if not pack["items"]:
        st.caption("Add passages to export the pack.")
        return
    token = st.session_state.get(state.TOKEN_KEY)
    with st.container(horizontal=True):
        for fmt, name in FORMATS.items():
            try:
                exported = _export(state.api_url(), token, pack["id"], pack["updated_at"], fmt)
            except ApiError as exc:
                st.error(f"{name}: {exc.message}")
                continue
            st.download_button(
                f"Export as {name}",
                data=exported["content"],
                file_name=exported["filename"],
                mime=exported["media_type"],
                key=f"export-{fmt}",
                icon=":material/download:",
                on_click="ignore",
            )


def item_card(pack: Pack, index: int, item: PackItem, editable: bool) -> None:
    """One passage with its citation, note and reflective question, and controls to change them."""
    where = f"{item['reference'] or item['review_title']} ¶{item['paragraph']}"
    with st.container(border=True):
        st.html(
            f"<div><strong>{index + 1}. {render.esc(where)}</strong> — {render.esc(item['review_title'])}</div>"
            + render.meta_line(item["review_type"], item["board"], item["year"], item["section_heading"],
                               f"page {item['page']}" if item["page"] else None)
            + render.text_block(render.highlight(item["text"], []))
        )
        if not editable:
            for label, text in (("Note", item["note"]), ("Reflective question", item["question"])):
                if text:
                    st.html(render.text_block(f"<strong>{label}:</strong> {render.paragraphs(render.esc(text))}"))
            return
        iid = item["id"]
        st.session_state.setdefault(f"note-{iid}", item["note"])
        st.session_state.setdefault(f"question-{iid}", item["question"])
        st.text_area(f"Trainer's note on passage {index + 1}", key=f"note-{iid}", max_chars=5000, height=80)
        st.text_area(f"Reflective question for passage {index + 1}", key=f"question-{iid}", max_chars=5000, height=80)
        last = len(pack["items"]) - 1
        with st.container(horizontal=True):
            st.button("Save note and question", key=f"save-{iid}", on_click=_save_item, args=(pack["id"], iid))
            st.button("Move up", key=f"up-{iid}", icon=":material/arrow_upward:", disabled=index == 0,
                      on_click=_move, args=(pack, index, -1), help=f"Move passage {index + 1} up")
            st.button("Move down", key=f"down-{iid}", icon=":material/arrow_downward:", disabled=index == last,
                      on_click=_move, args=(pack, index, 1), help=f"Move passage {index + 1} down")
            st.button("Remove", key=f"remove-{iid}", icon=":material/delete:",
                      on_click=_call, args=("Removed the passage.", state.client().remove_item, pack["id"], iid),
                      help=f"Take passage {index + 1} out of the pack")


def pack_settings(pack: Pack) -> None:
    """Rename, describe or delete a pack."""
    with st.expander("Rename, describe or delete this pack"):
        st.text_input("Title", value=pack["title"], key=f"title-{pack['id']}", max_chars=300)
        st.text_area("Description", value=pack["description"], key=f"description-{pack['id']}", max_chars=5000)
        st.button(
            "Save title and description", key=f"rename-{pack['id']}",
            on_click=lambda: _call(
                "Saved the pack's title and description.", state.client().update_pack, pack["id"],
                title=st.session_state.get(f"title-{pack['id']}") or pack["title"],
                description=st.session_state.get(f"description-{pack['id']}", ""),
            ),
        )
        sure = st.checkbox("Yes, delete this pack (its passages stay in the reviews)", key=f"sure-{pack['id']}")
        st.button("Delete pack", key=f"delete-{pack['id']}", disabled=not sure, on_click=_delete, args=(pack["id"],))


def main() -> None:
    """The Case packs page."""
    chrome.page_start()
    st.title("Case packs")
    st.caption("Passages collected for training, each with a note and a reflective question, exported with "
               "citations back to the review and paragraph.")
    widgets.show_flash()
    packs = state.attempt(lambda: state.client().packs())
    if packs is None:
        return
    me = state.who()
    if state.can_write():
        create_form(expanded=not packs)
    if not packs:
        st.info("There are no case packs yet." + ("" if state.can_write() else " Panel members can create them."))
        return
    by_id = {p["id"]: p for p in packs}
    if st.session_state.get(PICK_KEY) not in by_id:
        target = st.session_state.get(widgets.PACK_TARGET_KEY)
        st.session_state[PICK_KEY] = target if target in by_id else packs[0]["id"]
    pack_id = st.selectbox(
        "Case pack",
        list(by_id),
        key=PICK_KEY,
        format_func=lambda i: f"{by_id[i]['title']} — {by_id[i]['owner']} "
        f"({render.plural(by_id[i]['item_count'], 'passage')})",
    )
    pack = state.attempt(lambda: state.client().pack(pack_id))
    if pack is None:
        return
    editable = me is not None and state.can_write() and (me["role"] == "admin" or me["name"] == pack["owner"])
    st.header(pack["title"])
    changed = pack["updated_at"][:16].replace("T", " ")
    st.caption(f"By {pack['owner']} · {render.plural(len(pack['items']), 'passage')} · changed {changed}")
    if pack["description"]:
        st.html(render.text_block(render.paragraphs(render.esc(pack["description"]))))
    exports(pack)
    if not pack["items"]:
        st.info("This pack is empty. Use “Add to case pack” on search results to collect passages.")
    for index, item in enumerate(pack["items"]):
        item_card(pack, index, item, editable)
    if editable:
        pack_settings(pack)


main()
