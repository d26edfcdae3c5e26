"""Hostile uploads: traversal and odd file names never write outside the data dir; wrong content types,
broken multipart bodies and oversized files are refused with a problem document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gwersi.context import AppContext
from tests.api_hostile.conftest import UPLOAD_LIMIT, is_problem, ok_or_problem
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "cpr_flint_2.md"
NAMES = [
    "../../etc/passwd.md",
    "../../../../../../../../tmp/escape.md",
    "..\\..\\..\\windows\\system32\\evil.md",
    "/etc/passwd.md",
    "....//....//....//escape.md",
    "%2e%2e%2f%2e%2e%2fescape.md",
    "..／..／fullwidth.md",
    "..%c0%afoverlong.md",
    "nul\x00byte.md",
    "new\nline.md",
    "-rf .md",
    ".md",
    "~/.ssh/authorized_keys.md",
    "CON.md",
    "a" * 5000 + ".md",
    "review.md" + "\u202e" + "dm.exe",
    "<script>alert(1)</script>.md",
    "' OR 1=1 --.md",
]


def _post(client: TestClient, name: str, data: bytes, headers: dict[str, str], **kw: Any) -> Any:
    return client.post("/uploads", files={"file": (name, data, "text/markdown")}, headers=headers, **kw)


def test_upload_file_names_never_reach_outside_the_data_dir(
    client: TestClient, ctx: AppContext, headers: dict[str, dict[str, str]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api.uploads import SavedUpload

    written: list[Path] = []
    original_open = Path.open

    def spy_open(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "w" in mode or "a" in mode or "x" in mode:
            written.append(self.resolve())
        return original_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy_open)
    monkeypatch.setattr(SavedUpload, "remove", lambda self: None)  # keep the files to look at them
    before = {p for p in tmp_path.rglob("*")}
    data_dir = ctx.settings.data_dir.resolve()
    for i, name in enumerate(NAMES):
        body = SAMPLE.read_bytes() + f"\n\nUpload {i}.\n".encode()
        response = _post(client, name, body, headers["panel"])
        ok_or_problem(response, ok=(201,))
        if response.status_code == 201:
            stored = client.get(f"/reviews/{response.json()['review_id']}").json()["source_name"]
            assert "/" not in stored and "\\" not in stored and "\x00" not in stored
            assert stored not in ("", ".", "..") and not stored.startswith(".") and len(stored) <= 120
    uploads = data_dir / "uploads"
    outside = [p for p in written if not p.is_relative_to(data_dir)]
    assert not outside, outside
    saved = [p for p in written if p.parent.name.startswith("up-")]
    assert len(saved) >= len(NAMES) - 2 and all(p.parent.parent == uploads for p in saved), saved
    for path in {p for p in tmp_path.rglob("*")} - before:
        assert path.resolve().is_relative_to(data_dir), path
    assert not Path("/tmp/escape.md").exists() or Path("/tmp/escape.md").stat().st_mtime < 0


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"file": "x"}'),
        ("text/plain", b"# review"),
        ("application/octet-stream", SAMPLE.read_bytes()[:500]),
        ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nhi\r\n--x--\r\n"),
        ("multipart/form-data; boundary=", b"----\r\n"),
        ("multipart/form-data; boundary=abc", b"no boundary anywhere in this body"),
        ("multipart/form-data; boundary=abc", b"--abc\r\nContent-Disposition: form-data; name=\"file\"; "
         b"filename=\"a.md\"\r\n\r\nunterminated"),
        ("multipart/form-data; boundary=abc", b"--abc\r\nContent-Disposition: form-data; name=\"file\"; "
         b"filename=\"a.md\"\r\n\r\nx\r\n--abc\r\nContent-Disposition: form-data; name=\"file\"; "
         b"filename=\"b.md\"\r\n\r\ny\r\n--abc--\r\n"),
        ("multipart/form-data; boundary=abc", b"".join(
            b"--abc\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n" % i for i in range(2000)
        ) + b"--abc--\r\n"),
        ("multipart/form-data; boundary=abc", b"--abc\r\nContent-Disposition: form-data; name=\"file\"; "
         b"filename=\"a.md\"\r\n" + b"X-Header: " + b"h" * 100_000 + b"\r\n\r\nx\r\n--abc--\r\n"),
        ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("", b"raw bytes"),
    ],
    ids=["json", "text", "octet-stream", "multipart-no-boundary", "empty-boundary", "boundary-missing",
         "unterminated", "two-files", "2000-fields", "100k-part-header", "png", "no-content-type"],
)
def test_wrong_content_types_and_broken_multipart_are_problems(
    client: TestClient, headers: dict[str, dict[str, str]], content_type: str, body: bytes
) -> None:
    hdrs = {**headers["panel"], **({"Content-Type": content_type} if content_type else {})}
    is_problem(client.post("/uploads", content=body, headers=hdrs))


def test_oversized_and_hostile_files_are_problems_and_leave_nothing(
    client: TestClient, ctx: AppContext, headers: dict[str, dict[str, str]]
) -> None:
    panel = headers["panel"]
    cases = [
        ("big.md", b"a" * (UPLOAD_LIMIT + 1), 413),
        ("huge.md", b"a" * (UPLOAD_LIMIT * 4), 413),
        ("evil.pdf", b"%PDF-1.7\n" + b"\x00" * 1000, 422),
        ("evil.docx", b"PK\x03\x04" + b"\xff" * 1000, 422),
        ("script.md.exe", b"MZ" + b"\x00" * 100, 415),
        ("shell.sh", b"#!/bin/sh\nrm -rf /\n", 415),
        ("svg.md", b"<svg onload=alert(1)>" + b"\x00" * 10, 415),
    ]
    for name, data, status in cases:
        body = is_problem(_post(client, name, data, panel))
        assert body["status"] == status, (name, body)
    declared = {**panel, "Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(10**12)}
    is_problem(client.post("/uploads", content=b"--x--\r\n", headers=declared))
    uploads = ctx.settings.data_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
    assert client.get("/reviews").json()["count"] == 0
