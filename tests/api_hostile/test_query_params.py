"""Every query and path parameter of every GET endpoint, read from the app's own OpenAPI schema, fed
SQL-ish, script-ish and odd strings: each answer is a success or a 4xx problem document, never a 5xx,
and the catalogue is unchanged afterwards."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gwersi.context import AppContext
from index.orm import Passage, Review, Tag
from tests.api.conftest import Seeded
from tests.api_hostile.conftest import HOSTILE, is_problem

BAD_NUMBERS = ("abc", "-1", "1e309", "99999999999999999999999", "NaN", "", "0x10", "1.5", "١", " 7")


def _path_values(seeded: Seeded) -> dict[str, str]:
    return {
        "review_id": str(seeded.review_ids[0]),
        "passage_id": str(seeded.passage_ids[0]),
        "tag_id": str(seeded.tag_ids[0]),
        "recommendation_id": str(seeded.recommendation_ids[0]),
        "standard_id": "S16",
        "job_id": "0" * 32,
        "cluster_id": "lesson-0123456",
        "pack_id": "1",
        "item_id": "1",
        "token_id": "1",
    }


def _get_operations(client: TestClient) -> list[tuple[str, list[dict[str, Any]]]]:
    spec = client.get("/openapi.json").json()
    return [(path, item["get"].get("parameters", [])) for path, item in spec["paths"].items() if "get" in item]


def _fill(path: str, values: dict[str, str], override: dict[str, str] | None = None) -> str:
    for name, value in {**values, **(override or {})}.items():
        path = path.replace("{" + name + "}", value)
    return path


def _counts(ctx: AppContext) -> tuple[int, int, int]:
    with ctx.sessions() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(m)) or 0) for m in (Review, Passage, Tag))  # type: ignore[return-value]


def _string_like(schema: dict[str, Any]) -> bool:
    kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
    items = [schema.get("items", {})] + [s.get("items", {}) for s in schema.get("anyOf", [])]
    return "string" in kinds or any(i.get("type") == "string" for i in items)


def test_hostile_strings_in_every_query_parameter(
    client: TestClient, ctx: AppContext, seeded: Seeded, headers: dict[str, dict[str, str]]
) -> None:
    before = _counts(ctx)
    values = _path_values(seeded)
    failures: list[str] = []
    sent = 0
    for path, params in _get_operations(client):
        url = _fill(path, values)
        base = {p["name"]: "information" for p in params if p["in"] == "query" and p.get("required")}
        for param in (p for p in params if p["in"] == "query"):
            candidates = HOSTILE if _string_like(param["schema"]) else BAD_NUMBERS
            for value in candidates:
                response = client.get(url, params={**base, param["name"]: value}, headers=headers["admin"])
                sent += 1
                if response.status_code >= 500 or (
                    response.status_code >= 400
                    and not response.headers.get("content-type", "").startswith("application/problem+json")
                ):
                    shown = f"{param['name']}={value!r}"
                    failures.append(f"GET {url} {shown}: {response.status_code} {response.text[:160]}")
    assert sent > 500
    assert not failures, failures[:10]
    assert _counts(ctx) == before


def test_hostile_strings_as_repeated_filter_values(
    client: TestClient, seeded: Seeded, headers: dict[str, dict[str, str]]
) -> None:
    for name in ("type", "board", "section_kind", "agency", "standard"):
        for value in HOSTILE:
            response = client.get("/search", params=[("q", "information"), (name, value), (name, "zz-none")])
            assert response.status_code < 500, (name, value, response.text[:300])
            if response.status_code == 200:
                assert response.json()["data"] == [] or name == "standard"
            else:
                is_problem(response)


def test_hostile_strings_in_every_path_parameter(
    client: TestClient, seeded: Seeded, headers: dict[str, dict[str, str]]
) -> None:
    values = _path_values(seeded)
    failures: list[str] = []
    for path, params in _get_operations(client):
        for param in (p for p in params if p["in"] == "path"):
            odd = (*HOSTILE, *BAD_NUMBERS, "0", "2147483648", "9" * 30, "%00", "..%2f..%2fetc%2fpasswd")
            for value in (v for v in odd if v.strip() and v != " 7"):  # "" names another resource; " 7" is 7
                url = _fill(path, values, {param["name"]: quote(value, safe="%")})
                response = client.get(url, headers=headers["admin"])
                if response.status_code >= 500 or response.status_code == 200:
                    failures.append(f"GET {url}: {response.status_code} {response.text[:160]}")
                else:
                    is_problem(response)
    assert not failures, failures[:10]


def test_search_query_of_every_length_and_shape(client: TestClient, seeded: Seeded) -> None:
    from index.engine import MAX_QUERY_CHARS

    assert client.get("/search", params={"q": "x" * MAX_QUERY_CHARS}).status_code == 200
    for q in ("x" * (MAX_QUERY_CHARS + 1), "y" * 60_000, "", " ", "\t\n"):
        is_problem(client.get("/search", params={"q": q}))
    for q in ("!!!", "'", '"', "()", "OR", "AND NOT", "*:*", "\\", "%", "\x00", "ꙮ" * 50, "the of and"):
        for mode in ("hybrid", "bm25", "dense"):
            response = client.get("/search", params={"q": q, "mode": mode})
            assert response.status_code in (200, 422), (q, mode, response.text[:300])
            if response.status_code == 422:
                is_problem(response)


def test_invalid_utf8_and_raw_percent_escapes_in_the_url(client: TestClient, seeded: Seeded) -> None:
    for raw in ("/search?q=%ED%A0%80", "/search?q=%FF%FE", "/search?q=%", "/search?q=%zz", "/search?q=a&q=b",
                "/reviews?type=%C0%AF", "/packs?owner=%00", "/reviews/%31", "/reviews/1%00"):
        response = client.get(raw)
        assert response.status_code < 500, (raw, response.status_code, response.text[:300])
        if response.status_code >= 400:
            is_problem(response)
