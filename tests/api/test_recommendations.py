"""Recommendations listing with filters, and status updates with history."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from gwersi.context import AppContext
from index.orm import RecommendationStatusUpdate
from tests.api.conftest import CORPUS, Seeded
from tests.api.test_errors import assert_problem


def test_listing_filters_and_pages(client: TestClient, seeded: Seeded) -> None:
    everything = client.get("/recommendations").json()
    assert everything["count"] == len(seeded.recommendation_ids) == len(CORPUS)
    gwent = client.get("/recommendations", params={"board": "Gwent Safeguarding Board"}).json()
    assert [r["reference"] for r in gwent["data"]] == ["DHR GWENT 1/2021"]
    one = client.get("/recommendations", params={"review_id": seeded.review_ids[0]}).json()
    assert {r["review_id"] for r in one["data"]} == {seeded.review_ids[0]}
    words = client.get("/recommendations", params={"text": "SEEK ASSURANCE"}).json()
    assert words["count"] == len(CORPUS)
    page = client.get("/recommendations", params={"limit": 1, "offset": 1}).json()
    assert page["count"] == len(CORPUS) and page["data"] == everything["data"][1:2]


def test_status_update_is_kept_with_its_author(client: TestClient, ctx: AppContext, seeded: Seeded,
                                               as_role: Any) -> None:
    rec_id = seeded.recommendation_ids[0]
    for status in ("In progress", "Complete"):
        response = client.post(f"/recommendations/{rec_id}/status", json={"status": status, "note": "board minutes"},
                               headers=as_role("panel"))
        assert response.status_code == 200 and response.json()["status"] == status
    with ctx.sessions() as session:
        history = list(session.scalars(select(RecommendationStatusUpdate)
                                       .where(RecommendationStatusUpdate.recommendation_id == rec_id)
                                       .order_by(RecommendationStatusUpdate.id)))
    assert [h.status for h in history] == ["In progress", "Complete"]
    assert all(h.author.startswith("panel-user#") for h in history)
    assert_problem(client.post("/recommendations/999999/status", json={"status": "x"}, headers=as_role("panel")),
                   404, "not_found")
