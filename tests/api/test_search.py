"""Search over the API: filters, modes, paging, bounds, similar passages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from gwersi.context import AppContext
from index.orm import Tag
from tests.api.conftest import CORPUS, Seeded
from tests.api.test_errors import assert_problem


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_modes_find_the_passage_asked_for(client: TestClient, seeded: Seeded, mode: str) -> None:
    wanted = CORPUS[1]["paragraphs"][1]
    body = _search(client, q=wanted, mode=mode, k=3)
    assert body["mode"] == mode
    assert body["data"][0]["text"] == wanted
    assert "<mark>" in body["data"][0]["snippet"] or mode == "dense"


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"board": "Gwent Safeguarding Board"}, lambda h: h["board"] == "Gwent Safeguarding Board"),
        ({"type": ["CPR", "SUSR"]}, lambda h: h["review_type"] in ("CPR", "SUSR")),
        ({"year_from": 2021, "year_to": 2022}, lambda h: 2021 <= h["year"] <= 2022),
        ({"section_kind": "practice_learning"}, lambda h: h["section_kind"] == "practice_learning"),
        ({"agency": "South Wales Police"}, lambda h: True),
    ],
)
def test_filters_hold_for_every_hit(client: TestClient, seeded: Seeded, params: dict[str, Any], check: Any) -> None:
    hits = _search(client, q="child health information shared", k=50, **params)["data"]
    assert hits
    assert all(check(h) for h in hits)


def test_standard_filter_uses_current_tags(client: TestClient, ctx: AppContext, seeded: Seeded) -> None:
    with ctx.sessions() as session:
        tag = session.get(Tag, seeded.tag_ids[0])
        assert tag is not None
        standard, passage_id = tag.standard_id, tag.passage_id
    hits = _search(client, q="child", standard=standard, k=50)["data"]
    assert hits and all(standard in h["standards"] for h in hits)
    assert passage_id in {h["passage_id"] for h in _search(client, q="the", standard=standard, k=50)["data"]}


def test_pages_do_not_overlap(client: TestClient, seeded: Seeded) -> None:
    everything = [h["passage_id"] for h in _search(client, q="the child", mode="bm25", k=6)["data"]]
    first = [h["passage_id"] for h in _search(client, q="the child", mode="bm25", k=3)["data"]]
    second = [h["passage_id"] for h in _search(client, q="the child", mode="bm25", k=3, offset=3)["data"]]
    assert first + second == everything


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "x" * 1001}, {"q": "child", "k": 51}, {"q": "child", "offset": -1},
     {"q": "child", "standard": "X1"}, {"q": "child", "year_from": 1066}, {}],
)
def test_out_of_bounds_queries_are_422(client: TestClient, params: dict[str, Any]) -> None:
    assert_problem(client.get("/search", params=params), 422)


def test_blank_query_is_422_from_the_engine(client: TestClient, seeded: Seeded) -> None:
    assert_problem(client.get("/search", params={"q": "   "}), 422, "bad_query")


def test_similar_passages_come_from_other_reviews(client: TestClient, ctx: AppContext, seeded: Seeded) -> None:
    source = seeded.passages_of(ctx, seeded.review_ids[0])[0]
    found = client.get(f"/passages/{source}/similar", params={"k": 4}).json()
    assert found and source not in {h["passage_id"] for h in found}
    assert all(h["review_id"] != seeded.review_ids[0] for h in found)


@pytest.mark.parametrize("url", ["/passages/999999/similar", "/reviews/999999/similar"])
def test_similar_to_something_not_indexed_is_404(client: TestClient, seeded: Seeded, url: str) -> None:
    assert_problem(client.get(url), 404)


def test_a_query_is_widened_by_the_thesaurus_and_says_so(client: TestClient, seeded: Seeded) -> None:
    wanted = "Domestic abuse disclosures to the GP were not shared with the MARAC."
    body = _search(client, q="multi-agency risk assessment conference", mode="bm25", k=10)
    assert "MARAC" in body["expanded_with"]
    assert wanted in [h["text"] for h in body["data"]]
    plain = _search(client, q="multi-agency risk assessment conference", mode="bm25", k=10, expand=False)
    assert plain["expanded_with"] == []
    assert wanted not in [h["text"] for h in plain["data"]]
