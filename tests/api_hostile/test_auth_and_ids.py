"""Token brute force is rate limited (429 problem with Retry-After, a spoofed X-Forwarded-For does not
help); malformed Authorization headers are 401 problems; invalid ids on every write endpoint are 4xx
problems."""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ratelimit import MAX_FAILURES, SlidingWindowLimiter
from gwersi.settings import Settings
from tests.api.conftest import Seeded, bearer, make_token, seed
from tests.api_hostile.conftest import HOSTILE, is_problem

MALFORMED_AUTH: list[str | bytes] = [
    "Bearer",
    "Bearer ",
    "Bearer  spaced  token",
    "bearer gw_lowercase_scheme",
    "Basic YWRtaW46YWRtaW4=",
    "Token abc",
    "Bearer " + "A" * 10_000,
    "Bearer gw_" + "' OR '1'='1",
    "Bearer <script>alert(1)</script>",
    "Bearer \t\t",
    b"Bearer \xff\xfe\xfd",
    b"Bearer \xc3\x28",
    "Bearer null",
    "Bearer undefined",
]


def _auth(value: str | bytes) -> list[tuple[bytes, bytes]]:
    raw = value if isinstance(value, bytes) else value.encode("utf-8")
    return [(b"Authorization", raw)]


def test_token_brute_force_is_rate_limited_with_a_problem_and_retry_after(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    statuses = []
    for i in range(60):
        guess = secrets.token_urlsafe(32) if i % 3 else HOSTILE[i % len(HOSTILE)].encode("utf-8", "replace")
        value = b"Bearer " + guess if isinstance(guess, bytes) else "Bearer " + guess
        response = client.get("/reviews", headers=_auth(value))
        body = is_problem(response)
        statuses.append(body["status"])
        if body["status"] == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert body["code"] == "rate_limited"
    assert statuses[:MAX_FAILURES] == [401] * MAX_FAILURES
    assert set(statuses[MAX_FAILURES:]) == {429}
    spoofed = client.get("/reviews", headers={**headers["reader"], "X-Forwarded-For": "203.0.113.9"})
    assert is_problem(spoofed)["status"] == 429
    assert client.get("/reviews").status_code == 200  # anonymous reading sends no token and is not blocked


@pytest.mark.parametrize("value", MALFORMED_AUTH, ids=[f"auth{i}" for i in range(len(MALFORMED_AUTH))])
def test_malformed_authorization_headers_are_401_problems(client: TestClient, value: str | bytes) -> None:
    client.app.state.auth_limiter = SlidingWindowLimiter()  # type: ignore[attr-defined]
    for method, url in (("GET", "/reviews"), ("POST", "/packs"), ("GET", "/me")):
        response = client.request(method, url, headers=_auth(value), json={"title": "x"})
        assert is_problem(response)["status"] == 401, (value, response.text[:200])


BAD_IDS = ("0", "-1", "2147483648", "99999999999999999999", "abc", "1.5", "1e3", "%00", "..%2F..%2Fetc")


def test_invalid_ids_on_every_write_endpoint_are_problems(
    client: TestClient, seeded: Seeded, headers: dict[str, dict[str, str]]
) -> None:
    admin = headers["admin"]
    pack_id = client.post("/packs", json={"title": "p"}, headers=admin).json()["id"]
    writes: list[tuple[str, str, dict[str, object] | None]] = [
        ("POST", "/tags/{id}/decision", {"decision": "confirm"}),
        ("POST", "/passages/{id}/tags", {"standard": "S01"}),
        ("POST", "/recommendations/{id}/status", {"status": "done"}),
        ("DELETE", "/reviews/{id}", None),
        ("DELETE", "/tokens/{id}", None),
        ("PATCH", "/packs/{id}", {"title": "t"}),
        ("DELETE", "/packs/{id}", None),
        ("POST", "/packs/{id}/items", {"passage_id": seeded.passage_ids[0]}),
        ("PATCH", f"/packs/{pack_id}/items/{{id}}", {"note": "n"}),
        ("DELETE", f"/packs/{pack_id}/items/{{id}}", None),
        ("PUT", "/packs/{id}/order", {"item_ids": []}),
    ]
    for method, template, body in writes:
        for bad in (*BAD_IDS, "424242"):
            response = client.request(method, template.format(id=bad), headers=admin, json=body)
            assert is_problem(response)["status"] in (404, 405, 422), (method, template, bad, response.text[:200])
    bodies: tuple[dict[str, object], ...] = (
        {"passage_id": 0},
        {"passage_id": 2**40},
        {"passage_id": "1; DROP TABLE passages"},
        {"passage_id": seeded.passage_ids[0], "position": -5},
        {"passage_id": 10**9},
    )
    for body in bodies:
        is_problem(client.post(f"/packs/{pack_id}/items", json=body, headers=admin))
    is_problem(client.put(f"/packs/{pack_id}/order", json={"item_ids": [1, 1, 1]}, headers=admin))
    stale = {"decision": "confirm", "expected_version": 0}
    is_problem(client.post(f"/tags/{seeded.tag_ids[0]}/decision", json=stale, headers=admin))


def test_out_of_range_integers_in_bodies_are_problems_on_every_database(settings: Settings) -> None:
    hostile = settings.model_copy(update={"tagger": "rule"})
    with TestClient(create_app(hostile), raise_server_exceptions=False) as client:
        ctx = client.app.state.ctx  # type: ignore[attr-defined]
        seeded = seed(ctx)
        admin = bearer(make_token(ctx, "admin"))
        pack_id = client.post("/packs", json={"title": "p"}, headers=admin).json()["id"]
        statuses = []
        for value in (2**31, 2**63):
            decision = {"decision": "confirm", "expected_version": value}
            statuses += [
                client.post(f"/tags/{seeded.tag_ids[0]}/decision", json=decision, headers=admin).status_code,
                client.post(f"/packs/{pack_id}/items", json={"passage_id": value}, headers=admin).status_code,
            ]
        assert all(400 <= s < 500 for s in statuses), statuses
