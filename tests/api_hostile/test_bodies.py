"""Every JSON text field fed SQL-ish, script-ish and odd strings; malformed, deeply nested, oversized and
mistyped bodies. Writes either succeed and store the string verbatim, or are refused with a problem
document; exports of a pack full of hostile text still work; nothing answers 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Seeded
from tests.api_hostile.conftest import HOSTILE, is_problem, ok_or_problem


def _pack(client: TestClient, headers: dict[str, str], title: str = "Pack", description: str = "") -> int:
    response = client.post("/packs", json={"title": title, "description": description}, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_hostile_pack_titles_descriptions_notes_and_questions_round_trip_and_export(
    client: TestClient, seeded: Seeded, headers: dict[str, dict[str, str]]
) -> None:
    panel = headers["panel"]
    export_failures: list[str] = []
    for text in HOSTILE:
        pack = client.post("/packs", json={"title": text, "description": text}, headers=panel)
        if pack.status_code != 201:
            is_problem(pack)
            assert not text.strip(), (text, pack.text)  # only a blank title may be refused
            continue
        pack_id = pack.json()["id"]
        item = client.post(
            f"/packs/{pack_id}/items",
            json={"passage_id": seeded.passage_ids[0], "note": text, "question": text},
            headers=panel,
        )
        assert item.status_code == 201, (text, item.text[:300])
        stored = client.get(f"/packs/{pack_id}").json()
        assert stored["title"] == text and stored["description"] == text
        assert stored["items"][0]["note"] == text and stored["items"][0]["question"] == text
        for fmt in ("md", "docx", "pdf"):
            exported = client.get(f"/packs/{pack_id}/export", params={"format": fmt})
            if exported.status_code != 200 or not exported.content:
                export_failures.append(f"{fmt} export of {text!r}: {exported.status_code}")
        patch = client.patch(f"/packs/{pack_id}", json={"title": text + "!", "description": text}, headers=panel)
        ok_or_problem(patch)
        item_id = stored["items"][0]["id"]
        ok_or_problem(client.patch(f"/packs/{pack_id}/items/{item_id}", json={"note": text}, headers=panel))
    ok_or_problem(client.get("/packs", params={"owner": HOSTILE[0]}))
    assert not export_failures, export_failures


@pytest.mark.parametrize("text", ["\x00nul\x00", "tab\tvertical\x0bform\x0cbell\x07escape\x1b"])
def test_docx_export_of_text_with_control_characters(
    client: TestClient, seeded: Seeded, headers: dict[str, dict[str, str]], text: str
) -> None:
    pack_id = _pack(client, headers["panel"], title=text, description=text)
    exported = client.get(f"/packs/{pack_id}/export", params={"format": "docx"})
    assert exported.status_code == 200, exported.text[:300]


def test_hostile_decision_notes_tag_evidence_and_recommendation_statuses(
    client: TestClient, seeded: Seeded, headers: dict[str, dict[str, str]]
) -> None:
    panel = headers["panel"]
    tag_id = seeded.tag_ids[0]
    for text in HOSTILE:
        decided = client.post(f"/tags/{tag_id}/decision", json={"decision": "confirm", "note": text}, headers=panel)
        assert decided.status_code == 200, (text, decided.text[:300])
        added = client.post(
            f"/passages/{seeded.passage_ids[1]}/tags",
            json={"standard": "S23", "evidence": text, "note": text},
            headers=panel,
        )
        ok_or_problem(added, ok=(201,))
        status = client.post(
            f"/recommendations/{seeded.recommendation_ids[0]}/status",
            json={"status": text, "note": text},
            headers=panel,
        )
        ok_or_problem(status)
        for field, value in (("decision", text), ("standard", text)):
            url = f"/tags/{tag_id}/decision" if field == "decision" else f"/passages/{seeded.passage_ids[1]}/tags"
            is_problem(client.post(url, json={field: value}, headers=panel))
    notes = {
        d["note"]
        for pid in seeded.passage_ids
        for t in client.get(f"/passages/{pid}").json()["tags"]
        for d in t["decisions"]
    }
    assert set(HOSTILE) <= notes
    ok_or_problem(client.get(f"/recommendations/{seeded.recommendation_ids[0]}/history"))


def test_hostile_token_names_and_audit_filters(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    admin = headers["admin"]
    for text in HOSTILE:
        made = client.post("/tokens", json={"name": text, "role": "reader"}, headers=admin)
        ok_or_problem(made, ok=(201,))
        ok_or_problem(client.post("/tokens", json={"name": "x", "role": text}, headers=admin), ok=())
        ok_or_problem(client.get("/audit", params={"actor": text, "action": text}, headers=admin))
    listed = client.get("/tokens", headers=admin)
    assert listed.status_code == 200
    assert {t["name"] for t in listed.json()} >= {t for t in HOSTILE if t.strip()}


MALFORMED: list[tuple[str, bytes, str]] = [
    ("truncated", b'{"title": "x"', "application/json"),
    ("not an object", b"[]", "application/json"),
    ("null", b"null", "application/json"),
    ("bare string", b'"title"', "application/json"),
    ("syntax error", b'{"title": }', "application/json"),
    ("trailing garbage", b'{"title": "x"} {"title": "y"}', "application/json"),
    ("invalid utf-8", b'{"title": "\xff\xfe"}', "application/json"),
    ("lone surrogate escape", b'{"title": "\\ud800"}', "application/json"),
    ("NaN", b'{"title": "x", "description": NaN}', "application/json"),
    ("huge number", b'{"passage_id": 1e400}', "application/json"),
    ("deep nesting", b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json"),
    ("deep objects", b'{"title": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}", "application/json"),
    ("duplicate keys", b'{"title": "a", "title": "b"}', "application/json"),
    ("form instead of json", b"title=x&description=y", "application/x-www-form-urlencoded"),
    ("xml", b"<pack><title>x</title></pack>", "application/xml"),
    ("text", b'{"title": "x"}', "text/plain"),
    ("no content type", b'{"title": "x"}', ""),
    ("empty", b"", "application/json"),
]


@pytest.mark.parametrize(("case", "body", "content_type"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_bodies_are_problems(
    client: TestClient, headers: dict[str, dict[str, str]], case: str, body: bytes, content_type: str
) -> None:
    hdrs = {**headers["panel"], **({"Content-Type": content_type} if content_type else {})}
    for url in ("/packs", "/tags/1/decision"):
        response = client.post(url, content=body, headers=hdrs)
        if case in ("duplicate keys", "no content type", "lone surrogate escape", "text") and url == "/packs":
            ok_or_problem(response, ok=(201,))
        else:
            is_problem(response)


def test_oversized_json_fields_and_bodies_are_problems(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    panel = headers["panel"]
    is_problem(client.post("/packs", json={"title": "t" * 301}, headers=panel))
    is_problem(client.post("/packs", json={"title": "ok", "description": "d" * 5001}, headers=panel))
    big: dict[str, Any] = {"title": "ok", "description": "x", "junk": "z" * (8 * 1024 * 1024)}
    raw = json.dumps(big).encode()
    ok_or_problem(client.post("/packs", content=raw, headers={**panel, "Content-Type": "application/json"}), ok=(201,))
    many = {"item_ids": list(range(1, 200_000))}
    pack_id = _pack(client, panel)
    is_problem(client.put(f"/packs/{pack_id}/order", json=many, headers=panel))
