"""Shared fixtures: settings on a fresh data dir per test, and catalogue URLs for SQLite and PostgreSQL.

PostgreSQL tests run when the test command started a server (``GWERSI_TEST_PG_URL``); each test
gets its own database, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
SAMPLE_SOURCES = REPO / "data" / "sample-sources"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="Rewrite tests/golden/*.json from the current ingest output instead of comparing.",
    )


@pytest.fixture()
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _offline_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a model hub."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


def _postgres_database() -> Iterator[str]:
    base = os.environ.get("GWERSI_TEST_PG_URL")
    if not base:
        pytest.skip("no PostgreSQL server: run the suite with `make test`, which starts one")
    from sqlalchemy import create_engine, text

    name = "gw_" + uuid.uuid4().hex[:12]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty catalogue database: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalogue.sqlite3'}"
    else:
        yield from _postgres_database()


@pytest.fixture()
def settings(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    """Settings on a fresh data dir, the deterministic hashing encoder, and the fixture's database.

    Index rebuilds run in-process here (quicker); the upload API tests and `tests/concurrency`
    cover the child-process builds that are the default."""
    from gwersi.settings import Settings

    return Settings(
        data_dir=tmp_path / "data", encoder="hashing", database_url=database_url, isolated_index_builds=False
    )


@pytest.fixture()
def sqlite_settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings on a fresh SQLite data dir with the hashing encoder (for tests that need one backend)."""
    from gwersi.settings import Settings

    return Settings(data_dir=tmp_path / "data", encoder="hashing")
