"""The recurring-lessons endpoints through the HTTP API (read only, problem documents on errors)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes import recurring
from gwersi.auth import create_token
from gwersi.context import AppContext
from gwersi.settings import Settings
from index.db import transaction
from tests.lessons.conftest import NOT_BROUGHT, build


def _app(settings: Settings) -> FastAPI:
    app = create_app(settings, warm=False)
    if not any(getattr(route, "path", None) == "/coverage" for route in app.routes):
        app.include_router(recurring.router)  # until api.app lists the router itself
    return app


@pytest.fixture()
def client(rule_settings: Settings) -> Iterator[TestClient]:
    build(rule_settings).close()
    with TestClient(_app(rule_settings), raise_server_exceptions=False) as c:
        yield c


def _ctx(client: TestClient) -> AppContext:
    ctx: AppContext = client.app.state.ctx  # type: ignore[attr-defined]
    return ctx


def test_lessons_list_and_one_lesson(client: TestClient) -> None:
    listed = client.get("/lessons")
    assert listed.status_code == 200
    body = listed.json()
    assert body["clusters"] and all(c["members"] == [] for c in body["clusters"])
    brought = next(c for c in body["clusters"] if any(e["text"] == NOT_BROUGHT[0] for e in c["examples"]))
    one = client.get(f"/lessons/{brought['id']}")
    assert one.status_code == 200
    assert {m["text"] for m in one.json()["members"]} == set(NOT_BROUGHT)
    with_members = client.get("/lessons", params={"members": "true", "limit": 1}).json()
    assert len(with_members["clusters"]) == 1 and with_members["clusters"][0]["members"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/lessons/lesson-0000000000", {}, 404),
        ("/lessons/not an id", {}, 422),
        ("/lessons", {"standard": "S99x"}, 422),
        ("/lessons", {"standard": "S99"}, 404),
        ("/recommendations/999999/history", {}, 404),
        ("/themes/emerging", {"cutoff": 2}, 422),
    ],
)
def test_bad_requests_are_problem_documents(
    client: TestClient, path: str, params: dict[str, str | int], status: int
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


def test_repeated_recommendations_and_tracker(client: TestClient) -> None:
    repeated = client.get("/recommendations/repeated").json()
    assert repeated["repeated"] == len(repeated["recommendations"]) == 2
    assert any(r["repeat_note"].startswith("recommended before in") for r in repeated["recommendations"])
    tracker = client.get("/recommendations/tracker").json()
    assert len(tracker["recommendations"]) == tracker["total"] > repeated["repeated"]
    only = client.get("/recommendations/tracker", params={"agency": "gwent police"}).json()
    assert [r["agencies"] for r in only["recommendations"]] == [["Gwent Police"]]


def test_status_change_through_the_existing_endpoint_shows_in_history(client: TestClient) -> None:
    with transaction(_ctx(client).sessions) as session:
        token = create_token(session, "panel member", "panel", actor="test").token
    rec_id = client.get("/recommendations/tracker").json()["recommendations"][0]["id"]
    posted = client.post(
        f"/recommendations/{rec_id}/status",
        json={"status": "Complete", "note": "audit done"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert posted.status_code == 200
    history = client.get(f"/recommendations/{rec_id}/history").json()
    assert [(h["status"], h["note"]) for h in history] == [("Complete", "audit done")]
    tracked = next(r for r in client.get("/recommendations/tracker").json()["recommendations"] if r["id"] == rec_id)
    assert (tracked["status"], tracked["status_source"]) == ("complete", "panel")


def test_emerging_themes_and_coverage(client: TestClient) -> None:
    themes = client.get("/themes/emerging").json()
    assert themes["outliers"] >= sum(t["passages"] for t in themes["topics"])
    cov = client.get("/coverage").json()
    assert [s["standard"] for s in cov["standards"]] == [f"S{i:02d}" for i in range(1, 27)]
    assert set(cov["untested"]) == {s["standard"] for s in cov["standards"] if s["passages"] == 0}


def test_read_endpoints_need_a_token_when_anonymous_reading_is_off(rule_settings: Settings) -> None:
    closed = rule_settings.model_copy(update={"anonymous_read": False})
    with TestClient(_app(closed), raise_server_exceptions=False) as c:
        for path in ("/lessons", "/recommendations/repeated", "/themes/emerging", "/coverage"):
            assert c.get(path).status_code == 401
