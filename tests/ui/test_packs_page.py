"""Case packs page: create, annotate, reorder, remove and export; read-only for readers."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from tests.ui.conftest import LiveApi, html_text, no_failures

PAGE = "pages/packs.py"


def _pack_with_items(live_api: LiveApi, n: int = 3) -> dict:
    headers = {"Authorization": f"Bearer {live_api.panel_token}"}
    pack = httpx.post(f"{live_api.url}/packs", json={"title": f"Pack {uuid.uuid4().hex[:6]}"}, headers=headers).json()
    hits = live_api.get("/search", q="health visitor", k=n).json()["data"]
    for hit in hits:
        pack = httpx.post(f"{live_api.url}/packs/{pack['id']}/items", json={"passage_id": hit["passage_id"]},
                          headers=headers).json()
    return pack


def _button(at: AppTest, key: str) -> Button:
    return next(b for b in at.button if b.key == key)


def test_creating_a_pack(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    title = f"Neglect in infancy {uuid.uuid4().hex[:6]}"
    at = make_app("panel", page=PAGE)
    at.text_input(key="new_pack_title").input(title)
    at.text_area(key="new_pack_description").input("For the induction course")
    _button(at, "new_pack_create").click().run()
    no_failures(at)
    assert at.header[0].value == title
    pack_id = at.selectbox(key="packs_pick").value
    assert live_api.get(f"/packs/{pack_id}").json()["description"] == "For the induction course"
    assert at.info[0].value.startswith("This pack is empty.")


def test_notes_questions_reordering_and_removal(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    pack = _pack_with_items(live_api)
    first, second, third = (item["id"] for item in pack["items"])
    at = make_app("panel", page=PAGE)
    at.selectbox(key="packs_pick").set_value(pack["id"]).run()
    no_failures(at)
    at.text_area(key=f"note-{first}").input("Who was living in the house?")
    at.text_area(key=f"question-{first}").input("What would you have asked the mother?")
    _button(at, f"save-{first}").click().run()
    no_failures(at)
    saved = live_api.get(f"/packs/{pack['id']}").json()["items"][0]
    assert saved["note"] == "Who was living in the house?"
    assert saved["question"] == "What would you have asked the mother?"
    _button(at, f"down-{first}").click().run()
    no_failures(at)
    assert [i["id"] for i in live_api.get(f"/packs/{pack['id']}").json()["items"]] == [second, first, third]
    assert _button(at, f"up-{second}").disabled and _button(at, f"down-{third}").disabled
    _button(at, f"remove-{third}").click().run()
    no_failures(at)
    assert [i["id"] for i in live_api.get(f"/packs/{pack['id']}").json()["items"]] == [second, first]


def test_exports_offer_markdown_word_and_pdf(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    pack = _pack_with_items(live_api, 2)
    at = make_app("reader", page=PAGE)
    at.selectbox(key="packs_pick").set_value(pack["id"]).run()
    no_failures(at)
    downloads = at.get("download_button")
    assert [d.proto.label for d in downloads] == ["Export as Markdown", "Export as Word (DOCX)", "Export as PDF"]
    assert not at.text_area, "readers see notes but cannot edit them"
    assert not [b for b in at.button if b.key and b.key.startswith(("up-", "remove-"))]
    assert pack["items"][0]["text"][:40] in html_text(at).replace("&#x27;", "'")


def test_a_refused_change_is_a_sentence(make_app: Callable[..., AppTest], live_api: LiveApi) -> None:
    pack = _pack_with_items(live_api, 1)
    item_id = pack["items"][0]["id"]
    at = make_app("panel", page=PAGE)
    at.selectbox(key="packs_pick").set_value(pack["id"]).run()
    headers = {"Authorization": f"Bearer {live_api.panel_token}"}
    httpx.delete(f"{live_api.url}/packs/{pack['id']}/items/{item_id}", headers=headers).raise_for_status()
    _button(at, f"remove-{item_id}").click().run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.endswith(".")
    assert str(item_id) in at.error[0].value and "Traceback" not in at.error[0].value
