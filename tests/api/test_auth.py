"""Roles and tokens: the auth matrix (each role x each write endpoint), anonymous reading, revoked
tokens, rate limiting of failed attempts, and the audit trail of every write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.ratelimit import SlidingWindowLimiter
from gwersi.context import AppContext
from index.orm import ApiToken, AuditEvent
from tests.api.conftest import Seeded, bearer, make_token
from tests.api.test_errors import assert_problem
from tests.conftest import SAMPLES


@dataclass(frozen=True)
class Fixture:
    """Resources a write endpoint acts on, made before each matrix row."""

    review_id: int
    passage_id: int
    tag_id: int
    recommendation_id: int
    pack_id: int
    item_id: int
    token_id: int


@pytest.fixture()
def world(client: TestClient, ctx: AppContext, seeded: Seeded, as_role: Any) -> Fixture:
    pack = client.post("/packs", json={"title": "Training day"}, headers=as_role("panel")).json()
    pack = client.post(f"/packs/{pack['id']}/items", json={"passage_id": seeded.passage_ids[0]},
                       headers=as_role("panel")).json()
    victim = client.post("/tokens", json={"name": "to revoke", "role": "reader"}, headers=as_role("admin")).json()
    return Fixture(
        review_id=seeded.review_ids[-1], passage_id=seeded.passage_ids[1], tag_id=seeded.tag_ids[0],
        recommendation_id=seeded.recommendation_ids[0], pack_id=pack["id"], item_id=pack["items"][0]["id"],
        token_id=victim["id"],
    )


Request = Callable[[TestClient, Fixture, dict[str, str]], Any]


def _upload(c: TestClient, f: Fixture, h: dict[str, str]) -> Any:
    data = (SAMPLES / "cpr_flint_2.md").read_bytes()
    return c.post("/uploads", files={"file": ("cpr_flint_2.md", data, "text/markdown")}, headers=h)


# (name, minimum role, success status, request, audited)
ENDPOINTS: list[tuple[str, str, int, Request, bool]] = [
    ("upload", "panel", 201, _upload, True),
    ("delete review", "admin", 204, lambda c, f, h: c.delete(f"/reviews/{f.review_id}", headers=h), True),
    ("decide tag", "panel", 200,
     lambda c, f, h: c.post(f"/tags/{f.tag_id}/decision", json={"decision": "confirm"}, headers=h), True),
    ("add tag", "panel", 201,
     lambda c, f, h: c.post(f"/passages/{f.passage_id}/tags", json={"standard": "S23"}, headers=h), True),
    ("create pack", "panel", 201, lambda c, f, h: c.post("/packs", json={"title": "New"}, headers=h), True),
    ("rename pack", "panel", 200,
     lambda c, f, h: c.patch(f"/packs/{f.pack_id}", json={"title": "Renamed"}, headers=h), True),
    ("delete pack", "panel", 204, lambda c, f, h: c.delete(f"/packs/{f.pack_id}", headers=h), True),
    ("add pack item", "panel", 201,
     lambda c, f, h: c.post(f"/packs/{f.pack_id}/items", json={"passage_id": f.passage_id}, headers=h), True),
    ("edit pack item", "panel", 200,
     lambda c, f, h: c.patch(f"/packs/{f.pack_id}/items/{f.item_id}", json={"note": "Discuss"}, headers=h), True),
    ("remove pack item", "panel", 200,
     lambda c, f, h: c.delete(f"/packs/{f.pack_id}/items/{f.item_id}", headers=h), True),
    ("reorder pack", "panel", 200,
     lambda c, f, h: c.put(f"/packs/{f.pack_id}/order", json={"item_ids": [f.item_id]}, headers=h), True),
    ("recommendation status", "panel", 200,
     lambda c, f, h: c.post(f"/recommendations/{f.recommendation_id}/status", json={"status": "In progress"},
                            headers=h), True),
    ("export catalogue", "panel", 200, lambda c, f, h: c.get("/export/catalogue.jsonl", headers=h), True),
    ("create token", "admin", 201,
     lambda c, f, h: c.post("/tokens", json={"name": "new", "role": "panel"}, headers=h), True),
    ("revoke token", "admin", 200, lambda c, f, h: c.delete(f"/tokens/{f.token_id}", headers=h), True),
    ("list tokens", "admin", 200, lambda c, f, h: c.get("/tokens", headers=h), False),
    ("audit trail", "admin", 200, lambda c, f, h: c.get("/audit", headers=h), False),
]

RANK = {"anonymous": 0, "reader": 1, "panel": 2, "admin": 3}


def expected_status(caller: str, minimum: str, success: int) -> int:
    if caller in ("anonymous", "bad token"):
        return 401
    return success if RANK[caller] >= RANK[minimum] else 403


def _audit_count(ctx: AppContext) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count(AuditEvent.id))) or 0)


CALLERS = ("anonymous", "bad token", "reader", "panel", "admin")


def _headers(caller: str, tokens: dict[str, str]) -> dict[str, str]:
    fixed = {"anonymous": {}, "bad token": bearer("gw_not-a-real-token")}
    return fixed[caller] if caller in fixed else bearer(tokens[caller])


@pytest.mark.parametrize(("name", "minimum", "success", "request_fn", "audited"), ENDPOINTS,
                         ids=[e[0] for e in ENDPOINTS])
def test_auth_matrix_refusals(
    client: TestClient, ctx: AppContext, tokens: dict[str, str],
    name: str, minimum: str, success: int, request_fn: Request, audited: bool,
) -> None:
    """Every caller the table refuses gets its 401/403 problem, before any resource is looked up."""
    placeholder = Fixture(1, 1, 1, 1, 1, 1, 1)
    refused = [(c, expected_status(c, minimum, success)) for c in CALLERS]
    refused = [(c, want) for c, want in refused if want >= 400]
    assert refused
    before = _audit_count(ctx)
    for caller, want in refused:
        assert_problem(request_fn(client, placeholder, _headers(caller, tokens)), want)
    assert _audit_count(ctx) == before, "a refused request must not be audited as a change"


ALLOWED = [
    pytest.param(caller, *endpoint, id=f"{endpoint[0]}-{caller}")
    for endpoint in ENDPOINTS
    for caller in CALLERS
    if expected_status(caller, endpoint[1], endpoint[2]) < 400
]


@pytest.mark.parametrize(("caller", "name", "minimum", "success", "request_fn", "audited"), ALLOWED)
def test_auth_matrix_allowed(
    client: TestClient, ctx: AppContext, world: Fixture, tokens: dict[str, str], caller: str,
    name: str, minimum: str, success: int, request_fn: Request, audited: bool,
) -> None:
    """Every caller the table allows succeeds, and the change is audited under their name."""
    before = _audit_count(ctx)
    response = request_fn(client, world, _headers(caller, tokens))
    assert response.status_code == success, response.text
    if audited:
        with ctx.sessions() as session:
            newest = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert newest is not None and newest.id > before
        assert newest.actor.startswith(f"{caller}-user#")


def test_anonymous_reading_follows_the_setting(client: TestClient, seeded: Seeded) -> None:
    assert client.get("/reviews").status_code == 200
    client.app.state.ctx.settings.anonymous_read = False  # type: ignore[attr-defined]
    assert_problem(client.get("/reviews"), 401, "sign_in_required")
    assert_problem(client.get("/search?q=child"), 401, "sign_in_required")
    assert client.get("/health").status_code == 200


def test_reader_token_reads_when_anonymous_reading_is_off(client: TestClient, seeded: Seeded, as_role: Any) -> None:
    client.app.state.ctx.settings.anonymous_read = False  # type: ignore[attr-defined]
    response = client.get("/reviews", headers=as_role("reader"))
    assert response.status_code == 200
    assert response.json()["count"] == len(seeded.review_ids)


def test_only_the_hash_of_a_token_is_stored(client: TestClient, ctx: AppContext, as_role: Any) -> None:
    made = client.post("/tokens", json={"name": "trainer", "role": "panel"}, headers=as_role("admin")).json()
    secret = made["token"]
    with ctx.sessions() as session:
        row = session.get(ApiToken, made["id"])
        assert row is not None and secret not in row.token_hash and len(row.token_hash) == 64
    listed = client.get("/tokens", headers=as_role("admin")).json()
    assert all("token" not in t for t in listed)
    assert client.get("/me", headers=bearer(secret)).json()["role"] == "panel"


def test_revoked_token_stops_working(client: TestClient, ctx: AppContext, as_role: Any) -> None:
    made = client.post("/tokens", json={"name": "leaver", "role": "panel"}, headers=as_role("admin")).json()
    assert client.post("/packs", json={"title": "x"}, headers=bearer(made["token"])).status_code == 201
    assert client.delete(f"/tokens/{made['id']}", headers=as_role("admin")).status_code == 200
    assert_problem(client.post("/packs", json={"title": "x"}, headers=bearer(made["token"])), 401, "invalid_token")


def test_non_bearer_authorization_is_refused(client: TestClient) -> None:
    assert_problem(client.get("/reviews", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)


def test_failed_token_attempts_are_rate_limited(client: TestClient, ctx: AppContext) -> None:
    client.app.state.auth_limiter = SlidingWindowLimiter(max_events=3, window_seconds=60)  # type: ignore[attr-defined]
    good = make_token(ctx, "reader")
    for _ in range(3):
        assert_problem(client.get("/reviews", headers=bearer("gw_wrong")), 401, "invalid_token")
    blocked = client.get("/reviews", headers=bearer("gw_wrong"))
    assert_problem(blocked, 429, "rate_limited")
    assert int(blocked.headers["retry-after"]) >= 1
    # while blocked, even a good token from that client waits: guessing cannot be told from using
    assert_problem(client.get("/reviews", headers=bearer(good)), 429, "rate_limited")
    # anonymous reading is not an attempt and is not blocked
    assert client.get("/reviews").status_code == 200


def test_configured_admin_token_is_created_at_start_up(api_settings: Any) -> None:
    from api.app import create_app

    settings = api_settings.model_copy(update={"admin_token": "gw_configured-admin-secret"})
    with TestClient(create_app(settings)) as c:
        assert c.get("/me", headers=bearer("gw_configured-admin-secret")).json()["role"] == "admin"
        assert c.get("/tokens", headers=bearer("gw_configured-admin-secret")).status_code == 200


def test_panel_member_cannot_change_another_members_pack(client: TestClient, ctx: AppContext, world: Fixture,
                                                          as_role: Any) -> None:
    other = make_token(ctx, "panel", name="someone-else")
    assert_problem(client.patch(f"/packs/{world.pack_id}", json={"title": "Mine now"}, headers=bearer(other)),
                   403, "forbidden")
    fixed = client.patch(f"/packs/{world.pack_id}", json={"title": "Admin fix"}, headers=as_role("admin"))
    assert fixed.status_code == 200
