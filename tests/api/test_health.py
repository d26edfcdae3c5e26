"""Liveness, readiness and version."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.test_errors import assert_problem


def test_liveness_and_readiness(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    ready = client.get("/health/ready").json()
    assert ready["status"] == "ready"
    assert {"database", "encoder", "taxonomy", "tagger", "search_index"} <= set(ready["checks"])


def test_version_names_the_taxonomy_and_encoder(client: TestClient) -> None:
    import gwersi
    from taxonomy.standards import TAXONOMY_VERSION

    body = client.get("/version").json()
    assert body["version"] == gwersi.__version__ and body["taxonomy_version"] == TAXONOMY_VERSION
    assert body["encoder"] == client.app.state.ctx.encoder.model_id  # type: ignore[attr-defined]


def test_not_ready_is_a_503_problem_naming_the_part(client: TestClient) -> None:
    client.app.state.startup_checks = {"search_index": "error: the index files are damaged"}  # type: ignore[attr-defined]
    body = assert_problem(client.get("/health/ready"), 503, "not_ready")
    assert "search_index" in body["detail"]
    assert client.get("/health").status_code == 200


def test_a_failing_model_leaves_the_process_alive_but_not_ready(api_settings: Any, tmp_path: Any) -> None:
    settings = api_settings.model_copy(update={"encoder": "sentence-transformers",
                                               "embedding_model": str(tmp_path / "no-such-model")})
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        assert c.get("/health").status_code == 200
        body = assert_problem(c.get("/health/ready"), 503, "not_ready")
        assert "encoder" in body["detail"]
