"""Passage detail with provenance, and the panel's tag decisions (confirm, reject, add, conflicts)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from gwersi.context import AppContext
from index.orm import Tag
from tests.api.conftest import Seeded, bearer, make_token
from tests.api.test_errors import assert_problem


def _tag(ctx: AppContext, tag_id: int) -> Tag:
    with ctx.sessions() as session:
        tag = session.get(Tag, tag_id)
        assert tag is not None
        return tag


def test_passage_detail_has_review_section_and_tags(client: TestClient, ctx: AppContext, seeded: Seeded) -> None:
    tag = _tag(ctx, seeded.tag_ids[0])
    body = client.get(f"/passages/{tag.passage_id}").json()
    assert body["id"] == tag.passage_id and body["paragraph"] == body["ordinal"] + 1
    assert body["review"]["id"] in seeded.review_ids and body["section_heading"]
    shown = {t["id"]: t for t in body["tags"]}
    assert shown[tag.id]["standard"] == tag.standard_id
    assert shown[tag.id]["tagger"] == tag.tagger and shown[tag.id]["taxonomy_version"] == tag.taxonomy_version
    assert shown[tag.id]["decisions"] == []
    assert_problem(client.get("/passages/999999"), 404, "not_found")


def test_confirm_then_reject_keeps_history_and_the_suggestion(client: TestClient, ctx: AppContext,
                                                              seeded: Seeded, tokens: dict[str, str]) -> None:
    tag = _tag(ctx, seeded.tag_ids[0])
    other = make_token(ctx, "panel", name="second-member")
    confirmed = client.post(f"/tags/{tag.id}/decision", json={"decision": "confirm", "note": "clear shortfall"},
                            headers=bearer(tokens["panel"])).json()
    assert confirmed["status"] == "confirmed" and confirmed["decided_by"].startswith("panel-user#")
    assert confirmed["version"] == tag.version + 1
    rejected = client.post(f"/tags/{tag.id}/decision", json={"decision": "reject"}, headers=bearer(other)).json()
    assert rejected["status"] == "rejected" and rejected["decided_by"].startswith("second-member#")
    detail = client.get(f"/passages/{tag.passage_id}").json()
    shown = next(t for t in detail["tags"] if t["id"] == tag.id)
    assert [d["decision"] for d in shown["decisions"]] == ["confirm", "reject"]
    assert shown["decisions"][0]["note"] == "clear shortfall"
    assert shown["score"] == round(tag.score, 4) and shown["evidence"] == tag.evidence


def test_expected_version_guards_against_lost_updates(client: TestClient, ctx: AppContext, seeded: Seeded,
                                                      as_role: Any) -> None:
    tag = _tag(ctx, seeded.tag_ids[1])
    ok = client.post(f"/tags/{tag.id}/decision", json={"decision": "confirm", "expected_version": tag.version},
                     headers=as_role("panel"))
    assert ok.status_code == 200
    stale = client.post(f"/tags/{tag.id}/decision", json={"decision": "reject", "expected_version": tag.version},
                        headers=as_role("panel"))
    assert_problem(stale, 409, "conflict")
    assert _tag(ctx, tag.id).status == "confirmed"


def test_add_a_missing_standard(client: TestClient, ctx: AppContext, seeded: Seeded, as_role: Any) -> None:
    passage_id = seeded.passage_ids[0]
    with ctx.sessions() as session:
        present = set(session.scalars(select(Tag.standard_id).where(Tag.passage_id == passage_id)))
    missing = next(f"S{n:02d}" for n in range(1, 27) if f"S{n:02d}" not in present)
    response = client.post(f"/passages/{passage_id}/tags", json={"standard": missing, "evidence": "the child"},
                           headers=as_role("panel"))
    assert response.status_code == 201, response.text
    added = response.json()
    assert added["standard"] == missing and added["source"] == "panel" and added["status"] == "confirmed"
    detail = client.get(f"/passages/{passage_id}").json()
    assert [d["decision"] for t in detail["tags"] if t["id"] == added["id"] for d in t["decisions"]] == ["add"]


def test_bad_decisions_are_refused(client: TestClient, seeded: Seeded, as_role: Any) -> None:
    panel = as_role("panel")
    assert_problem(client.post("/tags/999999/decision", json={"decision": "confirm"}, headers=panel), 404)
    assert_problem(client.post(f"/tags/{seeded.tag_ids[0]}/decision", json={"decision": "maybe"}, headers=panel),
                   422, "validation_error")
    assert_problem(client.post(f"/passages/{seeded.passage_ids[0]}/tags", json={"standard": "S27"}, headers=panel),
                   422, "unknown_standard")
    assert_problem(client.post("/passages/999999/tags", json={"standard": "S01"}, headers=panel), 404)
