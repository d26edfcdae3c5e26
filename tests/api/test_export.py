"""Catalogue export: one JSON line per review, with passages, tags and panel decisions."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from gwersi.exporting import EXPORT_FORMAT
from tests.api.conftest import CORPUS, Seeded


def _lines(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = client.get("/export/catalogue.jsonl", headers=headers, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_one_line_per_review_with_passages_tags_and_decisions(client: TestClient, seeded: Seeded,
                                                              as_role: Any) -> None:
    tag_id = seeded.tag_ids[0]
    client.post(f"/tags/{tag_id}/decision", json={"decision": "confirm", "note": "agreed"}, headers=as_role("panel"))
    lines = _lines(client, as_role("panel"))
    assert [r["review"]["reference"] for r in lines] == [s["reference"] for s in CORPUS]
    assert all(r["format"] == EXPORT_FORMAT and r["source"]["sha256"] for r in lines)
    for record, spec in zip(lines, CORPUS, strict=True):
        texts = [p["text"] for s in record["review"]["sections"] for p in s["passages"]]
        assert texts == spec["paragraphs"]
        assert all(record["source"]["text"].find(t) >= 0 for t in texts)
    decisions = [d for r in lines for d in r["decisions"]]
    assert [(d["tag_id"], d["decision"], d["note"]) for d in decisions] == [(tag_id, "confirm", "agreed")]
    tags = [t for r in lines for s in r["review"]["sections"] for p in s["passages"] for t in p["tags"]]
    assert len(tags) == len(seeded.tag_ids)


def test_export_of_chosen_reviews(client: TestClient, seeded: Seeded, as_role: Any) -> None:
    chosen = seeded.review_ids[1]
    lines = _lines(client, as_role("admin"), review_id=chosen)
    assert [r["review"]["id"] for r in lines] == [chosen]


def test_export_of_an_empty_catalogue_is_empty(client: TestClient, as_role: Any) -> None:
    assert _lines(client, as_role("panel")) == []
