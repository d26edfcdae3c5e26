"""Case packs: create, add with notes, reorder, remove, export to Markdown, DOCX and PDF with citations."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gwersi.context import AppContext
from tests.api.conftest import CORPUS, Seeded
from tests.api.test_errors import assert_problem


@pytest.fixture()
def pack(client: TestClient, ctx: AppContext, seeded: Seeded, as_role: Any) -> dict[str, Any]:
    """A pack holding the first passage of each seeded review, with notes and questions."""
    panel = as_role("panel")
    body = client.post("/packs", json={"title": "Hearing the child", "description": "Session 2"},
                       headers=panel).json()
    for n, review_id in enumerate(seeded.review_ids):
        passage_id = seeded.passages_of(ctx, review_id)[0]
        response = client.post(f"/packs/{body['id']}/items", headers=panel, json={
            "passage_id": passage_id, "note": f"Note {n} – Ŵ ‘quoted’", "question": f"What would you do ({n})?"})
        assert response.status_code == 201, response.text
        body = response.json()
    return body


def test_items_keep_order_and_cite_their_review(pack: dict[str, Any], seeded: Seeded) -> None:
    assert [i["position"] for i in pack["items"]] == [0, 1, 2]
    assert [i["review_id"] for i in pack["items"]] == list(seeded.review_ids)
    assert [i["reference"] for i in pack["items"]] == [s["reference"] for s in CORPUS]
    assert [i["text"] for i in pack["items"]] == [s["paragraphs"][0] for s in CORPUS]


def test_add_at_a_position_and_refuse_duplicates(client: TestClient, ctx: AppContext, seeded: Seeded,
                                                 pack: dict[str, Any], as_role: Any) -> None:
    extra = seeded.passages_of(ctx, seeded.review_ids[1])[1]
    body = client.post(f"/packs/{pack['id']}/items", json={"passage_id": extra, "position": 1},
                       headers=as_role("panel")).json()
    assert [i["passage_id"] for i in body["items"]][1] == extra
    assert [i["position"] for i in body["items"]] == [0, 1, 2, 3]
    again = client.post(f"/packs/{pack['id']}/items", json={"passage_id": extra}, headers=as_role("panel"))
    assert_problem(again, 409, "already_in_pack")
    missing = client.post(f"/packs/{pack['id']}/items", json={"passage_id": 999999}, headers=as_role("panel"))
    assert_problem(missing, 404, "not_found")


def test_reorder_edit_and_remove(client: TestClient, pack: dict[str, Any], as_role: Any) -> None:
    panel = as_role("panel")
    ids = [i["id"] for i in pack["items"]]
    reordered = client.put(f"/packs/{pack['id']}/order", json={"item_ids": ids[::-1]}, headers=panel).json()
    assert [i["id"] for i in reordered["items"]] == ids[::-1]
    assert_problem(client.put(f"/packs/{pack['id']}/order", json={"item_ids": ids[:2]}, headers=panel),
                   422, "bad_order")
    assert_problem(client.put(f"/packs/{pack['id']}/order", json={"item_ids": [ids[0]] * 3}, headers=panel),
                   422, "bad_order")
    edited = client.patch(f"/packs/{pack['id']}/items/{ids[0]}", json={"question": "Why?"}, headers=panel).json()
    item = next(i for i in edited["items"] if i["id"] == ids[0])
    assert item["question"] == "Why?" and item["note"].startswith("Note 0")
    removed = client.delete(f"/packs/{pack['id']}/items/{ids[1]}", headers=panel).json()
    assert [i["id"] for i in removed["items"]] == [ids[2], ids[0]]
    assert [i["position"] for i in removed["items"]] == [0, 1]
    assert_problem(client.delete(f"/packs/{pack['id']}/items/{ids[1]}", headers=panel), 404, "not_found")


def test_list_rename_delete(client: TestClient, pack: dict[str, Any], as_role: Any) -> None:
    listed = client.get("/packs").json()
    assert [(p["id"], p["item_count"]) for p in listed] == [(pack["id"], 3)]
    assert client.get("/packs", params={"owner": "nobody"}).json() == []
    renamed = client.patch(f"/packs/{pack['id']}", json={"title": "Voice of the child"}, headers=as_role("panel"))
    assert renamed.json()["title"] == "Voice of the child"
    assert client.delete(f"/packs/{pack['id']}", headers=as_role("panel")).status_code == 204
    assert_problem(client.get(f"/packs/{pack['id']}"), 404, "not_found")


def _citations(pack: dict[str, Any]) -> list[str]:
    return [i["reference"] for i in pack["items"]]


def test_markdown_export(client: TestClient, pack: dict[str, Any]) -> None:
    response = client.get(f"/packs/{pack['id']}/export", params={"format": "md"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/markdown")
    assert 'filename="hearing-the-child.md"' in response.headers["content-disposition"]
    text = response.text
    for item in pack["items"]:
        assert item["text"] in text and item["note"] in text and item["question"] in text
        assert f"{item['reference']}," in text and f"paragraph {item['paragraph']}" in text
    assert text.index(pack["items"][0]["text"]) < text.index(pack["items"][2]["text"])


def test_docx_export(client: TestClient, pack: dict[str, Any]) -> None:
    from docx import Document

    response = client.get(f"/packs/{pack['id']}/export", params={"format": "docx"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    for item in pack["items"]:
        assert item["text"] in text and item["note"] in text and item["reference"] in text


def test_pdf_export_keeps_every_character(client: TestClient, pack: dict[str, Any]) -> None:
    from pypdf import PdfReader

    response = client.get(f"/packs/{pack['id']}/export", params={"format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    for item in pack["items"]:
        assert item["reference"] in flat
        assert " ".join(item["note"].split()) in flat


def test_unknown_export_format_and_pack(client: TestClient, pack: dict[str, Any]) -> None:
    assert_problem(client.get(f"/packs/{pack['id']}/export", params={"format": "odt"}), 422, "validation_error")
    assert_problem(client.get("/packs/999999/export"), 404, "not_found")
