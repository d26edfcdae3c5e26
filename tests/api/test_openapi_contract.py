"""The app against its own OpenAPI document, with schemathesis: generated requests (valid and
invalid) must never get a 5xx, and every answer must match the documented status codes, media
types and schemas (problem+json for errors).

A handful of central operations run in every test run; the sweep over every operation is marked
``slow``. Examples per operation are bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from gwersi.settings import Settings
from tests.api.conftest import UPLOAD_LIMIT, make_token, seed

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

MAX_EXAMPLES = 25
CORE = [
    ("GET", "/reviews"),
    ("GET", "/search"),
    ("GET", "/themes"),
    ("GET", "/standards/{standard_id}/lessons"),
    ("POST", "/packs"),
    ("POST", "/tags/{tag_id}/decision"),
]


def _all_operations() -> list[tuple[str, str]]:
    doc = create_app(Settings(data_dir=Path("unused"), encoder="hashing"), warm=False).openapi()
    return [(m.upper(), p) for p, item in doc["paths"].items() for m in item if m in ("get", "post", "put",
                                                                                      "patch", "delete")]


ALL = _all_operations()


@pytest.fixture()
def contract_app(tmp_path: Path) -> Iterator[tuple[FastAPI, str]]:
    """A seeded app (SQLite) and an admin token, so every operation is reachable."""
    settings = Settings(data_dir=tmp_path / "data", encoder="hashing", tagger="rule", max_upload_bytes=UPLOAD_LIMIT)
    app = create_app(settings)
    with TestClient(app) as client:
        ctx = client.app.state.ctx  # type: ignore[attr-defined]
        seed(ctx)
        token = make_token(ctx, "admin")
    fresh = create_app(settings)  # schemathesis runs this one's lifespan itself
    yield fresh, token


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def run_contract(app: FastAPI, token: str, method: str, path: str) -> None:
    """Generate up to MAX_EXAMPLES cases for one operation and validate every response."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = schema[path][method]
    checks = _checks()
    auth = {"Authorization": f"Bearer {token}"}
    strategy = st.one_of(*(operation.as_strategy(mode, headers=auth)
                           for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)))

    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def exercise(case: Any) -> None:
        case.call_and_validate(checks=checks)

    exercise()


@pytest.mark.parametrize(("method", "path"), CORE, ids=[f"{m} {p}" for m, p in CORE])
def test_core_operations_keep_their_contract(contract_app: tuple[FastAPI, str], method: str, path: str) -> None:
    run_contract(*contract_app, method, path)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path"), [pytest.param(m, p, id=f"{m} {p}") for m, p in ALL if (m, p) not in CORE]
)
def test_every_operation_keeps_its_contract(contract_app: tuple[FastAPI, str], method: str, path: str) -> None:
    run_contract(*contract_app, method, path)


def test_the_document_describes_errors_as_problems() -> None:
    doc = create_app(Settings(data_dir=Path("unused"), encoder="hashing"), warm=False).openapi()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for item in doc["paths"].values():
        for operation in item.values():
            responses = operation["responses"]
            assert {"4XX", "5XX"} <= set(responses)
            assert all(not code.startswith(("4", "5")) or code in ("4XX", "5XX") for code in responses)
            assert "application/problem+json" in responses["4XX"]["content"]
