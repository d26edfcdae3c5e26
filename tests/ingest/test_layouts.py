"""Metamorphic tests: a report reads the same whatever its layout.

Every sample source is rendered in five Word layouts (heading styles; bold plain paragraphs with no
styles; capitals and underline; Word automatic numbering for sections and recommendations; the
board's own styles) and three of them are converted to PDF by LibreOffice, as a board would
publish them. Each rendering must give the sections (heading and kind), recommendation numbers and
texts, action-plan row count and metadata that the Markdown source gives, and must match the truth
file. A failure names the sample, the layout and every field that differs.

LibreOffice comes from Debian (``scripts/test.sh`` installs it); the renderings are made once per
run and shared by the xdist workers.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import sys
from functools import cache
from pathlib import Path

import pytest

from gwersi.ingest_eval import check_review, compare_signatures, load_truth, structure_signature
from ingest.models import ParsedReview
from ingest.pipeline import parse_file

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sample-sources"
sys.path.insert(0, str(REPO / "tools"))

from sample_blocks import parse  # noqa: E402
from sample_layouts import DOCX_LAYOUTS, PDF_LAYOUTS, convert_to_pdf, render_layout  # noqa: E402

NAMES = sorted(p.stem for p in SOURCES.glob("*.md") if (SOURCES / f"{p.stem}.truth.json").exists())
LAYOUTS = (*DOCX_LAYOUTS, *PDF_LAYOUTS)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted([*SOURCES.glob("*"), *(REPO / "tools").glob("sample_*.py")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def layouts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All renderings, made once under a lock in a folder the xdist workers share."""
    shared = tmp_path_factory.getbasetemp().parent / f"gwersi-layouts-{_fingerprint()}"
    shared.mkdir(parents=True, exist_ok=True)
    with (shared / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / ".done").exists():
            _render_all(shared)
            (shared / ".done").write_text("ok")
    return shared


def _render_all(out: Path) -> None:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.fail("LibreOffice is needed for the PDF layouts: apt-get install libreoffice-writer-nogui "
                    "(scripts/test.sh installs it)")
    to_pdf: list[Path] = []
    for name in NAMES:
        truth = load_truth(SOURCES / f"{name}.truth.json")
        doc = parse((SOURCES / f"{name}.md").read_text(encoding="utf-8"))
        for layout in DOCX_LAYOUTS:
            data = render_layout(doc, layout, running_header=truth.get("running_header"), footer=None,
                                 author=truth["metadata"].get("board"))
            path = out / f"{name}__{layout}.docx"
            path.write_bytes(data)
            if f"pdf-{layout.removeprefix('docx-')}" in PDF_LAYOUTS:
                to_pdf.append(path)
    convert_to_pdf(to_pdf, out)


def layout_path(folder: Path, name: str, layout: str) -> Path:
    """Where a sample's rendering in ``layout`` lies."""
    if layout.startswith("pdf-"):
        return folder / f"{name}__docx-{layout.removeprefix('pdf-')}.pdf"
    return folder / f"{name}__{layout}.docx"


@cache
def parsed(path: Path) -> ParsedReview:
    return parse_file(path)


@cache
def reference(name: str) -> dict[str, object]:
    return structure_signature(parse_file(SOURCES / f"{name}.md"))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", NAMES)
def test_layout_reads_as_the_source(layouts_dir: Path, name: str, layout: str) -> None:
    review = parsed(layout_path(layouts_dir, name, layout))
    truth = json.loads((SOURCES / f"{name}.truth.json").read_text(encoding="utf-8"))
    checks = compare_signatures(reference(name), structure_signature(review), review=name, layout=layout)
    checks += check_review(review, truth, layout=layout)
    failed = [c.describe()[:400] for c in checks if not c.ok]
    assert not failed, "\n".join(failed)


def test_every_layout_was_rendered(layouts_dir: Path) -> None:
    missing = [f"{n} {lay}" for n in NAMES for lay in LAYOUTS if not layout_path(layouts_dir, n, lay).exists()]
    assert not missing
    assert len(NAMES) >= 24
