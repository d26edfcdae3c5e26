"""Importing a board's labels through the API, and ranked suggestions with the below-the-line ones."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import Seeded

LINES = [
    {"text": "The health visitor did not see the baby awake on any visit.", "labels": ["S16"]},
    {"text": "Agencies did not share the police notification with the school.", "labels": ["S23", "S04"]},
]


def test_panel_imports_labelled_passages_with_provenance(client: TestClient, as_role: Any) -> None:
    response = client.post("/training-examples", json={"source": "board-a.jsonl", "lines": LINES},
                           headers=as_role("panel"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["stored"] == 2 and body["duplicates"] == [] and len(body["ids"]) == 2
    again = client.post("/training-examples", json={"source": "board-b.jsonl", "lines": LINES[:1]},
                        headers=as_role("admin"))
    assert again.status_code == 201
    assert again.json()["stored"] == 0
    assert again.json()["duplicates"] == [{"line": 1, "reason": "already imported (same passage text)"}]
    listed = client.get("/training-examples", headers=as_role("panel")).json()
    assert [(r["source_file"], r["source_line"], r["standards"]) for r in listed] == [
        ("board-a.jsonl", 1, ["S16"]), ("board-a.jsonl", 2, ["S23", "S04"])]
    assert listed[0]["imported_by"] and listed[0]["imported_at"]


def test_a_malformed_line_refuses_the_batch_with_line_numbers(client: TestClient, as_role: Any) -> None:
    lines = [*LINES, {"text": "x", "labels": ["S99"]}, {"labels": []}]
    response = client.post("/training-examples", json={"source": "bad", "lines": lines}, headers=as_role("panel"))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "line 3: unknown standards ['S99']" in detail and "line 4:" in detail
    assert client.get("/training-examples", headers=as_role("panel")).json() == []


def test_readers_cannot_import_or_list(client: TestClient, as_role: Any) -> None:
    body = {"source": "x", "lines": LINES}
    assert client.post("/training-examples", json=body, headers=as_role("reader")).status_code == 403
    assert client.post("/training-examples", json=body).status_code == 401
    assert client.get("/training-examples", headers=as_role("reader")).status_code == 403


def test_decisions_on_stored_passages_are_imported(client: TestClient, as_role: Any, seeded: Seeded) -> None:
    pid = seeded.passage_ids[0]
    lines = [{"passage_id": pid, "decision": "confirm", "standard": "S16"},
             {"passage_id": pid, "decision": "reject", "standard": "S23"}]
    response = client.post("/training-examples", json={"source": "decisions", "lines": lines},
                           headers=as_role("panel"))
    assert response.status_code == 201, response.text
    row = client.get("/training-examples", headers=as_role("panel")).json()[0]
    assert (row["passage_id"], row["standards"], row["rejected"]) == (pid, ["S16"], ["S23"])


def test_ranked_suggestions_flag_those_below_the_line(client: TestClient, seeded: Seeded) -> None:
    response = client.get(f"/passages/{seeded.passage_ids[0]}/suggestions")
    assert response.status_code == 200
    rows = response.json()
    assert rows and {"standard", "score", "below_line", "evidence"} <= set(rows[0])
    flags = [r["below_line"] for r in rows]
    assert flags == sorted(flags)  # accepted first, then below the line
    assert client.get("/passages/999999/suggestions").status_code == 404
