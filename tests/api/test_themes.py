"""Themes and lessons per standard, checked against counts made independently from the catalogue."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gwersi.context import AppContext
from index.orm import Passage, Review, Tag
from tests.api.conftest import Seeded
from tests.api.test_errors import assert_problem


def _expected(ctx: AppContext, by: str, confirmed_only: bool = False) -> dict[tuple[str, Any], set[int]]:
    out: dict[tuple[str, Any], set[int]] = defaultdict(set)
    with ctx.sessions() as session:
        rows = session.execute(select(Tag, Passage.id, Review).join(Passage, Tag.passage_id == Passage.id)
                               .join(Review, Passage.review_id == Review.id)).all()
        for tag, pid, review in rows:
            if tag.status == "rejected" or (confirmed_only and tag.status != "confirmed"):
                continue
            out[(tag.standard_id, getattr(review, by))].add(pid)
    return out


@pytest.mark.parametrize("by", ["year", "board", "review_type"])
def test_theme_cells_match_the_catalogue(client: TestClient, ctx: AppContext, seeded: Seeded, by: str) -> None:
    body = client.get("/themes", params={"by": by}).json()
    got = {(c["standard"], c["key"]): c["passages"] for c in body["cells"]}
    assert got == {k: len(v) for k, v in _expected(ctx, by).items()}
    assert set(body["keys"]) == {k for _s, k in got}
    for standard, total in body["totals"].items():
        assert total == len(set().union(*(v for (s, _k), v in _expected(ctx, by).items() if s == standard)))


def test_rejected_tags_leave_the_counts(client: TestClient, ctx: AppContext, seeded: Seeded, as_role: Any) -> None:
    tag_id = seeded.tag_ids[0]
    client.post(f"/tags/{tag_id}/decision", json={"decision": "reject"}, headers=as_role("panel"))
    body = client.get("/themes", params={"by": "year"}).json()
    got = {(c["standard"], c["key"]): c["passages"] for c in body["cells"]}
    assert got == {k: len(v) for k, v in _expected(ctx, "year").items()}
    confirmed = client.get("/themes", params={"by": "year", "confirmed_only": True}).json()
    assert confirmed["cells"] == []


def test_standards_and_components_carry_counts(client: TestClient, ctx: AppContext, seeded: Seeded) -> None:
    standards = client.get("/standards").json()
    assert [s["id"] for s in standards] == [f"S{n:02d}" for n in range(1, 27)]
    expected = _expected(ctx, "year")
    for s in standards:
        passages = set().union(*(v for (sid, _y), v in expected.items() if sid == s["id"]))
        assert s["counts"]["passages"] == len(passages)
    components = client.get("/components").json()
    assert [c["id"] for c in components] == ["C1", "C2", "C3", "C4", "C5"]
    for c in components:
        members = set(c["standards"])
        passages = set().union(*(v for (sid, _y), v in expected.items() if sid in members))
        assert c["counts"]["passages"] == len(passages)
    assert client.get("/standards/S16").json()["id"] == "S16"


def test_lessons_rank_by_score_and_cap_per_review(client: TestClient, ctx: AppContext, seeded: Seeded) -> None:
    body = client.get("/themes", params={"by": "year"}).json()
    standard = max(body["totals"], key=lambda s: body["totals"][s])
    lessons = client.get(f"/standards/{standard}/lessons", params={"per_review": 1, "limit": 50}).json()
    assert lessons and all(le["standard"] == standard for le in lessons)
    assert len({le["review_id"] for le in lessons}) == len(lessons)
    assert [le["score"] for le in lessons] == sorted((le["score"] for le in lessons), reverse=True)
    assert all(le["reference"] and le["paragraph"] >= 1 and le["text"] for le in lessons)


def test_confirmed_lessons_come_first(client: TestClient, ctx: AppContext, seeded: Seeded, as_role: Any) -> None:
    with ctx.sessions() as session:
        weakest = session.scalars(select(Tag).order_by(Tag.score, Tag.id)).first()
        assert weakest is not None
        standard, tag_id = weakest.standard_id, weakest.id
    client.post(f"/tags/{tag_id}/decision", json={"decision": "confirm"}, headers=as_role("panel"))
    lessons = client.get(f"/standards/{standard}/lessons", params={"per_review": 5}).json()
    assert lessons[0]["tag_id"] == tag_id and lessons[0]["status"] == "confirmed"


def test_unknown_standard_has_no_lessons(client: TestClient) -> None:
    assert_problem(client.get("/standards/S99/lessons"), 404, "not_found")
    assert_problem(client.get("/standards/S99"), 404, "not_found")
    assert_problem(client.get("/themes", params={"by": "colour"}), 422, "validation_error")
