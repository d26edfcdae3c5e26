"""Uploads: a real Markdown review goes in (now or as a job), bad files are refused with a problem
document and leave nothing behind."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.uploads import safe_filename
from gwersi.context import AppContext
from gwersi.settings import Settings
from index.orm import AuditEvent, Review
from tests.api.conftest import UPLOAD_LIMIT
from tests.api.test_errors import assert_problem
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "susr_cysur_2025.md"


def _review_count(ctx: AppContext) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count(Review.id))) or 0)


def _leftover_uploads(ctx: AppContext) -> list[str]:
    folder = ctx.settings.data_dir / "uploads"
    return [p.name for p in folder.rglob("*")] if folder.exists() else []


@pytest.fixture()
def api_settings(settings: Settings) -> Settings:
    """As the shared fixture, but index rebuilds run in a child process, as in a real server."""
    return settings.model_copy(
        update={"tagger": "rule", "max_upload_bytes": UPLOAD_LIMIT, "isolated_index_builds": True}
    )


def _post(client: TestClient, name: str, data: bytes, headers: dict[str, str], **params: Any) -> Any:
    return client.post("/uploads", files={"file": (name, data, "application/octet-stream")}, headers=headers,
                       params=params)


def test_markdown_review_is_ingested_indexed_and_searchable(client: TestClient, ctx: AppContext,
                                                            as_role: Any) -> None:
    response = _post(client, SAMPLE.name, SAMPLE.read_bytes(), as_role("panel"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "ingested" and body["passages_added"] > 0
    assert body["processed"]["indexed"] == body["passages_added"]
    review = client.get(f"/reviews/{body['review_id']}").json()
    assert review["source_name"] == SAMPLE.name
    assert sum(len(s["passages"]) for s in review["sections"]) == body["passages_added"]
    first_words = " ".join(review["sections"][-1]["passages"][0]["text"].split()[:6])
    hits = client.get("/search", params={"q": first_words, "mode": "bm25"}).json()["data"]
    assert hits and hits[0]["review_id"] == body["review_id"]
    assert _leftover_uploads(ctx) == []


def test_same_file_twice_is_unchanged(client: TestClient, as_role: Any) -> None:
    first = _post(client, SAMPLE.name, SAMPLE.read_bytes(), as_role("panel")).json()
    again = _post(client, SAMPLE.name, SAMPLE.read_bytes(), as_role("panel")).json()
    assert again["status"] == "unchanged" and again["review_id"] == first["review_id"]


def test_background_upload_is_a_job_to_poll(client: TestClient, ctx: AppContext, as_role: Any) -> None:
    response = _post(client, SAMPLE.name, SAMPLE.read_bytes(), as_role("panel"), background=True)
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/jobs/{job['id']}"
    assert job["status"] in ("queued", "running", "done")
    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(f"/jobs/{job['id']}").json()
    assert job["status"] == "done", job
    assert job["result"]["status"] == "ingested"
    assert client.get(f"/reviews/{job['result']['review_id']}").status_code == 200
    assert _leftover_uploads(ctx) == []


def test_failed_background_job_reports_the_problem(client: TestClient, ctx: AppContext, as_role: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from gwersi import ingesting
    from ingest.errors import CorruptDocumentError

    def corrupt(_ctx: Any, path: Any) -> Any:
        raise CorruptDocumentError(str(path), "the file is damaged")

    monkeypatch.setattr("gwersi.uploading.parse_one", corrupt)
    assert ingesting.parse_one is not corrupt
    job = _post(client, SAMPLE.name, SAMPLE.read_bytes(), as_role("panel"), background=True).json()
    client.app.state.jobs.wait_idle()  # type: ignore[attr-defined]
    job = client.get(f"/jobs/{job['id']}").json()
    assert job["status"] == "failed"
    assert job["error"]["code"] == "corrupt" and job["error"]["status"] == 422
    assert str(ctx.settings.data_dir) not in job["error"]["detail"]
    assert _review_count(ctx) == 0


def test_unknown_job_is_404(client: TestClient) -> None:
    assert_problem(client.get("/jobs/" + "0" * 32), 404, "not_found")


BAD_FILES = [
    ("empty", "empty.md", b"", 422, "empty_file"),
    ("exe renamed pdf", "report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, 415,
     "mislabelled_file"),
    ("png renamed docx", "report.docx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, 415, "mislabelled_file"),
    ("unsupported extension", "tool.exe", b"MZ\x90\x00" + b"\x00" * 100, 415, "unsupported_format"),
    ("file just over the limit", "big.md", b"a" * (UPLOAD_LIMIT + 1), 413, "file_too_large"),
    ("body far over the limit", "huge.md", b"a" * (UPLOAD_LIMIT * 3), 413, None),
]


@pytest.mark.parametrize(("case", "name", "data", "status", "code"), BAD_FILES,
                         ids=[b[0] if isinstance(b, tuple) else b.id for b in BAD_FILES])
def test_bad_file_is_refused_and_nothing_is_stored(client: TestClient, ctx: AppContext, as_role: Any,
                                                   case: str, name: str, data: bytes, status: int,
                                                   code: str | None) -> None:
    audits_before = _audit_count(ctx)
    assert_problem(_post(client, name, data, as_role("panel")), status, code)
    assert _review_count(ctx) == 0
    assert _leftover_uploads(ctx) == []
    assert _audit_count(ctx) == audits_before


def _audit_count(ctx: AppContext) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count(AuditEvent.id))) or 0)


def test_upload_needs_multipart_with_a_file(client: TestClient, as_role: Any) -> None:
    headers = {**as_role("panel"), "Content-Type": "text/markdown"}
    assert_problem(client.post("/uploads", content=b"# hi", headers=headers), 415, "unsupported_media_type")
    assert_problem(client.post("/uploads", data={"note": "no file"}, files={"other": ("a.md", b"x")},
                               headers=as_role("panel")), 422, "missing_file")


def test_declared_oversize_is_refused_before_reading(client: TestClient, as_role: Any) -> None:
    headers = {**as_role("panel"), "Content-Type": "multipart/form-data; boundary=x",
               "Content-Length": str(UPLOAD_LIMIT * 10)}
    assert_problem(client.post("/uploads", content=b"--x--\r\n", headers=headers), 413)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("review.pdf", "review.pdf"),
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\windows\\evil.docx", "evil.docx"),
        (".hidden.md", "hidden.md"),
        ("a<script>b.md", "a_script_b.md"),
        ("", "upload"),
        ("..", "upload"),
        ("Adolygiad Ymarfer Plant – Ŵyr.md", "Adolygiad Ymarfer Plant _ Ŵyr.md"),
        ("con\x00trol\n.md", "con_trol_.md"),
    ],
)
def test_safe_filename(raw: str, expected: str) -> None:
    assert safe_filename(raw) == expected


def test_traversal_name_is_stored_under_its_safe_name(client: TestClient, as_role: Any) -> None:
    body = _post(client, "../../../" + SAMPLE.name, SAMPLE.read_bytes(), as_role("panel")).json()
    assert client.get(f"/reviews/{body['review_id']}").json()["source_name"] == SAMPLE.name


def test_searches_while_an_upload_is_indexed_never_fail(client: TestClient, seeded: Any, as_role: Any) -> None:
    import threading

    statuses: list[int] = []
    done = threading.Event()

    def search_until_done() -> None:
        while not done.is_set():
            statuses.append(client.get("/search", params={"q": "child health", "k": 5}).status_code)

    reader = threading.Thread(target=search_until_done)
    reader.start()
    try:
        for sample in ("cpr_flint_2.md", "owhr_wgsb_2025.md"):
            data = (SAMPLES / sample).read_bytes()
            assert _post(client, sample, data, as_role("panel")).status_code == 201
    finally:
        done.set()
        reader.join(timeout=60)
    assert statuses and set(statuses) == {200}
    references = {r["source_name"] for r in client.get("/reviews", params={"limit": 100}).json()["data"]}
    assert {"cpr_flint_2.md", "owhr_wgsb_2025.md"} <= references


def test_deleting_while_uploading_keeps_one_consistent_index(client: TestClient, seeded: Any,
                                                              as_role: Any) -> None:
    job = _post(client, SAMPLE.name, SAMPLE.read_bytes(), as_role("panel"), background=True).json()
    assert client.delete(f"/reviews/{seeded.review_ids[0]}", headers=as_role("admin")).status_code == 204
    client.app.state.jobs.wait_idle()  # type: ignore[attr-defined]
    job = client.get(f"/jobs/{job['id']}").json()
    assert job["status"] == "done"
    hits = client.get("/search", params={"q": "child", "k": 50, "mode": "bm25"}).json()["data"]
    review_ids = {h["review_id"] for h in hits}
    assert seeded.review_ids[0] not in review_ids and job["result"]["review_id"] in review_ids


@pytest.mark.parametrize("sample", ["cpr_wgsb_2021.pdf", "apr_nwsb_2023.docx"])
def test_pdf_and_docx_reviews_are_recognised_by_their_bytes(client: TestClient, as_role: Any, sample: str) -> None:
    data = (SAMPLES / sample).read_bytes()
    response = _post(client, sample, data, as_role("panel"))
    assert response.status_code == 201, response.text
    review = client.get(f"/reviews/{response.json()['review_id']}").json()
    assert review["media_type"] == sample.rsplit(".", 1)[1] and review["passage_count"] > 0


def test_the_documented_limit_is_the_configured_one(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert f"{UPLOAD_LIMIT:,} bytes" in doc["paths"]["/uploads"]["post"]["description"]
