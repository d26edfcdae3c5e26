"""The fast path for text-only PDF pages gives exactly what the full pdfplumber path gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import pdf
from ingest.limits import DEFAULT_LIMITS
from ingest.pdf_text import text_only_lines

REPO = Path(__file__).resolve().parents[2]
SAMPLE_PDFS = sorted((REPO / "data" / "samples").glob("*.pdf"))
# LibreOffice "save as PDF" output: TrueType subsets with ToUnicode maps, another producer.
OTHER_PRODUCER = sorted((REPO / "data" / "heldout" / "dev" / "built").glob("*.pdf"))[:1]
PDFS = SAMPLE_PDFS + OTHER_PRODUCER
LINE_KEYS = ("text", "x0", "x1", "top", "bottom")
CHAR_KEYS = ("text", "x0", "x1", "top", "bottom", "doctop", "size", "fontname", "upright")

pytestmark = pytest.mark.skipif(not SAMPLE_PDFS, reason="no built samples in data/samples")


@pytest.mark.parametrize("path", PDFS, ids=[p.name for p in PDFS])
def test_fast_path_gives_the_same_blocks(path: Path) -> None:
    data = path.read_bytes()
    fast = pdf.extract(data, path=path.name, sha256="x", limits=DEFAULT_LIMITS)
    full = pdf.extract(data, path=path.name, sha256="x", limits=DEFAULT_LIMITS, fast_text_pages=False)
    assert fast == full
    assert {b.kind for b in fast.blocks} >= {"heading", "paragraph"}


def test_text_pages_give_pdfplumber_lines_and_table_pages_fall_back() -> None:
    import pdfplumber

    path = next(p for p in SAMPLE_PDFS if p.name.startswith("cpr_ctmsb"))
    fast_pages = table_pages = 0
    with pdfplumber.open(str(path)) as doc:
        for page in doc.pages:
            lines = text_only_lines(doc, page)
            if lines is None:
                assert page.find_tables() or page.rects or page.curves or page.images
                table_pages += 1
                continue
            fast_pages += 1
            expected = page.extract_text_lines(return_chars=True, strip=True)
            assert [{k: ln[k] for k in LINE_KEYS} for ln in lines] == [
                {k: ln[k] for k in LINE_KEYS} for ln in expected
            ]
            assert [[{k: c[k] for k in CHAR_KEYS} for c in ln["chars"]] for ln in lines] == [
                [{k: c[k] for k in CHAR_KEYS} for c in ln["chars"]] for ln in expected
            ]
    assert fast_pages and table_pages
