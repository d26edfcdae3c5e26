"""Reviews: list with filters and bounded pages, one in full, delete, similar reviews, the tag queue."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.schemas import MAX_PAGE_SIZE
from gwersi.context import AppContext
from tests.api.conftest import CORPUS, Seeded
from tests.api.test_errors import assert_problem


def _refs(body: dict[str, Any]) -> list[str]:
    return [r["reference"] for r in body["data"]]


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({}, lambda s: True),
        ({"type": "CPR"}, lambda s: s["review_type"] == "CPR"),
        ({"type": ["CPR", "DHR"]}, lambda s: s["review_type"] in ("CPR", "DHR")),
        ({"board": "North Wales Safeguarding Board"}, lambda s: s["board"] == "North Wales Safeguarding Board"),
        ({"year_from": 2021}, lambda s: s["year"] >= 2021),
        ({"year_from": 2020, "year_to": 2021}, lambda s: 2020 <= s["year"] <= 2021),
        ({"type": "SUSR", "year_to": 2020}, lambda s: False),
    ],
)
def test_list_filters(client: TestClient, seeded: Seeded, params: dict[str, Any], keep: Any) -> None:
    body = client.get("/reviews", params=params).json()
    expected = sorted((s for s in CORPUS if keep(s)), key=lambda s: -int(s["year"]))
    assert _refs(body) == [s["reference"] for s in expected]
    assert body["count"] == len(expected)


def test_pages_cover_the_list_once(client: TestClient, seeded: Seeded) -> None:
    everything = _refs(client.get("/reviews").json())
    pages = [client.get("/reviews", params={"limit": 2, "offset": o}).json() for o in (0, 2, 4)]
    assert [r for p in pages for r in _refs(p)] == everything
    assert all(p["count"] == len(everything) for p in pages)
    assert_problem(client.get("/reviews", params={"limit": MAX_PAGE_SIZE + 1}), 422, "validation_error")


def test_one_review_in_full(client: TestClient, seeded: Seeded) -> None:
    review_id = seeded.review_ids[1]
    body = client.get(f"/reviews/{review_id}").json()
    spec = CORPUS[1]
    assert body["reference"] == spec["reference"] and body["board"] == spec["board"]
    assert [p["text"] for s in body["sections"] for p in s["passages"]] == spec["paragraphs"]
    assert body["recommendations"] and body["action_plan"] and body["agencies"]
    assert body["passage_count"] == len(spec["paragraphs"])


def test_delete_review_removes_it_from_catalogue_and_search(client: TestClient, seeded: Seeded,
                                                             as_role: Any) -> None:
    victim = seeded.review_ids[0]
    query = {"q": CORPUS[0]["paragraphs"][0], "mode": "bm25", "k": 50}
    assert any(h["review_id"] == victim for h in client.get("/search", params=query).json()["data"])
    assert client.delete(f"/reviews/{victim}", headers=as_role("admin")).status_code == 204
    assert_problem(client.get(f"/reviews/{victim}"), 404, "not_found")
    assert all(h["review_id"] != victim for h in client.get("/search", params=query).json()["data"])
    assert_problem(client.delete(f"/reviews/{victim}", headers=as_role("admin")), 404, "not_found")


def test_similar_reviews_name_a_reason(client: TestClient, seeded: Seeded) -> None:
    found = client.get(f"/reviews/{seeded.review_ids[0]}/similar", params={"k": 5}).json()
    others = set(seeded.review_ids) - {seeded.review_ids[0]}
    assert found and {f["review_id"] for f in found} <= others
    assert all(f["reason"] and f["title"] for f in found)
    assert [f["score"] for f in found] == sorted((f["score"] for f in found), reverse=True)


def test_tag_queue_is_most_uncertain_first(client: TestClient, ctx: AppContext, seeded: Seeded) -> None:
    review_id = seeded.review_ids[1]
    queue = client.get(f"/reviews/{review_id}/tags", params={"status": "suggested"}).json()
    assert queue, "the rule tagger suggests standards for this review"
    distances = [abs(t["score"] - 0.5) for t in queue]
    assert distances == sorted(distances)
    own = set(seeded.passages_of(ctx, review_id))
    assert all(t["passage_id"] in own and t["status"] == "suggested" for t in queue)
    assert_problem(client.get("/reviews/999999/tags"), 404, "not_found")
