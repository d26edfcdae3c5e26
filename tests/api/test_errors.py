"""One error shape: every 4xx/5xx is RFC 9457 problem+json with type, title, status, detail, code."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX
from tests.api.conftest import Seeded, bearer, make_token

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is a problem document with this status (and code); returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"] == TYPE_PREFIX + body["code"]
    assert body["title"] and body["detail"]
    if code is not None:
        assert body["code"] == code
    return body


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    assert_problem(client.get("/no/such/thing"), 404, "not_found")


def test_wrong_method_is_a_problem(client: TestClient) -> None:
    assert_problem(client.put("/health"), 405, "method_not_allowed")


def test_unknown_review_is_a_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/reviews/999999"), 404, "not_found")
    assert "999999" in body["detail"]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/reviews?limit=1000", "limit"),
        ("/reviews/abc", "review_id"),
        ("/search?q=" + "x" * 5000, "q"),
        ("/search?q=child&k=0", "k"),
        ("/search?q=child&mode=psychic", "mode"),
        ("/standards/S999/lessons", "standard_id"),
    ],
)
def test_request_validation_is_a_problem_with_field_errors(client: TestClient, url: str, field: str) -> None:
    body = assert_problem(client.get(url), 422, "validation_error")
    assert any(field in [str(p) for p in e["loc"]] for e in body["errors"])


def test_malformed_json_body_is_a_problem(client: TestClient) -> None:
    token = make_token(client.app.state.ctx, "panel")  # type: ignore[attr-defined]
    headers = {**bearer(token), "Content-Type": "application/json"}
    response = client.post("/packs", content=b"{not json", headers=headers)
    assert_problem(response, 422, "validation_error")


def test_stale_tag_version_is_a_409_problem(client: TestClient, seeded: Seeded, as_role: Any) -> None:
    tag_id = seeded.tag_ids[0]
    first = client.post(f"/tags/{tag_id}/decision", json={"decision": "confirm", "expected_version": 1},
                        headers=as_role("panel"))
    assert first.status_code == 200
    stale = client.post(f"/tags/{tag_id}/decision", json={"decision": "reject", "expected_version": 1},
                        headers=as_role("panel"))
    assert_problem(stale, 409, "conflict")


def test_oversized_upload_is_a_413_problem(client: TestClient, as_role: Any) -> None:
    limit = client.app.state.ctx.settings.max_upload_bytes  # type: ignore[attr-defined]
    big = b"a" * (limit + 200_000)
    response = client.post("/uploads", files={"file": ("big.md", big, "text/markdown")}, headers=as_role("panel"))
    assert_problem(response, 413)


def test_wrong_upload_type_is_a_415_problem(client: TestClient, as_role: Any) -> None:
    response = client.post("/uploads", files={"file": ("photo.png", b"\x89PNG\r\n\x1a\n....", "image/png")},
                           headers=as_role("panel"))
    assert_problem(response, 415)


def test_unexpected_error_is_a_bare_500(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from gwersi import themes

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("secret internals: /srv/db password=hunter2")

    monkeypatch.setattr(themes, "theme_table", broken)
    body = assert_problem(client.get("/themes"), 500, "internal_error")
    assert "secret" not in body["detail"] and "hunter2" not in str(body)


def test_error_outside_a_route_is_still_a_problem(client: TestClient) -> None:
    def boom() -> None:
        raise RuntimeError("kaboom internals")

    client.app.add_api_route("/test-boom", boom)  # a plain route, without the problem wrapper
    body = assert_problem(client.get("/test-boom"), 500, "internal_error")
    assert "kaboom" not in body["detail"]


def test_unauthorised_problem_asks_for_a_bearer_token(client: TestClient) -> None:
    response = client.post("/packs", json={"title": "x"})
    assert_problem(response, 401, "sign_in_required")
    assert response.headers["www-authenticate"] == "Bearer"
