"""Decompression bombs and other resource attacks end in a documented IngestError, with memory bounded.

Each file is parsed in a child process with an address-space cap; the child reports the outcome
and its peak resident memory. A parser that inflates a bomb in full would either use far more
than :data:`PEAK_RSS_MIB` or die with a MemoryError (which must not hide behind a "corrupt file"
message), so both are checked. The child's time limit only guards against a hang.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.fuzz import bombs

PEAK_RSS_MIB = 400
"""Peak memory allowed for parsing one hostile file (a normal sample needs about 100-200 MiB)."""
ADDRESS_SPACE_MIB = 2560
HANG_GUARD_SECONDS = 180
BOMB = 512 << 20
"""Inflated size of most bombs in the suite (a few use 1 GiB)."""
XOBJECT_BOMB = 256 << 20

CHILD = """
import json, resource, sys, time
cap = int(sys.argv[3]) << 20
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from ingest.errors import IngestError
from ingest.pipeline import parse_bytes
data = open(sys.argv[1], "rb").read()
t0 = time.perf_counter()
out = {}
try:
    parsed = parse_bytes(data, sys.argv[2])
    out = {"outcome": "parsed", "chars": len(parsed.text)}
except IngestError as exc:
    out = {"outcome": "ingest_error", "code": exc.code, "reason": exc.reason}
except BaseException as exc:
    out = {"outcome": "other", "error": type(exc).__name__, "detail": str(exc)[:300]}
out["seconds"] = round(time.perf_counter() - t0, 2)
# VmHWM is this process image's own high-water mark; ru_maxrss would carry over the parent's
# (Linux keeps it across fork and execve), i.e. the pytest worker's size.
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
ru_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
out["peak_rss_mib"] = int(hwm[0].split()[1]) // 1024 if hwm else ru_mib
print(json.dumps(out))
"""


def parse_in_child(tmp_path: Path, data: bytes, name: str) -> dict[str, object]:
    """Parse ``data`` as ``name`` in a capped child process; its JSON report."""
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), name, str(ADDRESS_SPACE_MIB)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def assert_refused_with_bounded_memory(report: dict[str, object], codes: set[str]) -> None:
    assert report["outcome"] == "ingest_error", report
    assert report["code"] in codes, report
    assert "MemoryError" not in str(report["reason"]), report
    assert int(str(report["peak_rss_mib"])) < PEAK_RSS_MIB, report


def _page_count_bomb() -> bytes:
    kids = " ".join("3 0 R" for _ in range(5000))
    return bombs.build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count 5000 >>".encode(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def _deep_nesting_pdf() -> bytes:
    depth = 200_000
    return bombs.build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * depth + b"]" * depth + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def _billion_laughs_docx() -> bytes:
    entities = '<!ENTITY l0 "ha">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>Child A &l9;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    parts = bombs.docx_parts()
    parts["word/document.xml"] = xml
    return bombs.build_zip([(name, *bombs.deflated(data)) for name, data in parts.items()])


REFUSED: list[tuple[str, Callable[[], bytes], str, set[str]]] = [
    ("docx-bomb-media", lambda: bombs.docx_zip_bomb(BOMB), "bomb.docx", {"too_complex"}),
    ("docx-bomb-document", lambda: bombs.docx_zip_bomb(BOMB, member="word/document.xml"), "bomb.docx",
     {"too_complex"}),
    ("pdf-object-stream-bomb-1gib", lambda: bombs.pdf_object_stream_bomb(1 << 30), "bomb.pdf",
     {"corrupt", "too_complex"}),
    ("pdf-page-count", _page_count_bomb, "pages.pdf", {"too_complex"}),
    ("pdf-content-stream-bomb", lambda: bombs.pdf_content_bomb(BOMB), "content.pdf", {"too_complex", "corrupt"}),
    ("pdf-content-stream-bomb-1gib", lambda: bombs.pdf_content_bomb(1 << 30), "content.pdf",
     {"too_complex", "corrupt"}),
    ("pdf-content-array-bomb", lambda: bombs.pdf_content_array_bomb(64 << 20, 32), "array.pdf",
     {"too_complex", "corrupt"}),
    ("pdf-form-xobject-bomb", lambda: bombs.pdf_xobject_bomb(XOBJECT_BOMB), "xobject.pdf", {"too_complex", "corrupt"}),
    ("pdf-form-xobject-bomb-1gib", lambda: bombs.pdf_xobject_bomb(1 << 30), "xobject.pdf", {"too_complex", "corrupt"}),
    ("docx-lying-sizes-bomb", lambda: bombs.docx_zip_bomb(BOMB, member="word/document.xml", declared=5000),
     "lying.docx", {"too_complex", "corrupt"}),
    ("docx-lying-sizes-unused-member", lambda: bombs.docx_zip_bomb(BOMB, member="word/styles.xml", declared=5000),
     "lying.docx", {"too_complex", "corrupt"}),
]


@pytest.mark.parametrize(("label", "make", "name", "codes"), REFUSED, ids=[r[0] for r in REFUSED])
def test_bomb_is_refused_with_bounded_memory(
    tmp_path: Path, label: str, make: Callable[[], bytes], name: str, codes: set[str]
) -> None:
    assert_refused_with_bounded_memory(parse_in_child(tmp_path, make(), name), codes)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: bombs.pdf_object_stream_bomb(32 << 20), "objstm.pdf"),
        (lambda: bombs.pdf_font_bomb(BOMB), "font.pdf"),
        (lambda: bombs.pdf_xobject_bomb(BOMB, image=True), "image.pdf"),
        (_deep_nesting_pdf, "deep.pdf"),
        (_billion_laughs_docx, "laughs.docx"),
    ],
    ids=[
        "pdf-object-stream-under-pypdf-cap",
        "pdf-font-program-bomb",
        "pdf-image-bomb",
        "pdf-deep-nesting",
        "docx-billion-laughs",
    ],
)
def test_hostile_structure_parses_or_is_refused_with_bounded_memory(
    tmp_path: Path, make: Callable[[], bytes], name: str
) -> None:
    report = parse_in_child(tmp_path, make(), name)
    assert report["outcome"] in ("parsed", "ingest_error"), report
    assert "MemoryError" not in str(report.get("reason", "")), report
    assert int(str(report["peak_rss_mib"])) < PEAK_RSS_MIB, report
