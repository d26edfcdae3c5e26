"""The fast road to a PDF page's objects gives exactly what the full pdfplumber path gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import pdf
from ingest.limits import DEFAULT_LIMITS
from ingest.pdf_text import page_objects

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
    full = pdf.extract(data, path=path.name, sha256="x", limits=DEFAULT_LIMITS, fast_objects=False)
    assert fast == full
    assert {b.kind for b in fast.blocks} >= {"heading", "paragraph"}


def test_pages_give_pdfplumber_objects_glyphs_with_the_keys_text_work_reads() -> None:
    import pdfplumber

    path = next(p for p in SAMPLE_PDFS if p.name.startswith("cpr_ctmsb"))
    text_pages = ruled_pages = 0
    glyphs: dict[object, object] = {}
    with pdfplumber.open(str(path)) as doc, pdfplumber.open(str(path)) as reference:
        for page, expected in zip(doc.pages, reference.pages, strict=True):
            objects = page_objects(doc, page, glyphs)
            assert objects is not None  # the samples draw no pictures
            assert set(objects) == set(expected.objects)
            for kind in set(objects) - {"char"}:  # rules, boxes and curves: the same dictionaries
                assert objects[kind] == expected.objects[kind]
            assert [{k: c[k] for k in CHAR_KEYS} for c in objects["char"]] == [
                {k: c[k] for k in CHAR_KEYS} for c in expected.chars
            ]
            if expected.find_tables():
                ruled_pages += 1
            else:
                text_pages += 1
    assert text_pages and ruled_pages


def test_a_page_with_a_picture_takes_the_full_path(tmp_path: Path) -> None:
    import pdfplumber
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    picture = tmp_path / "dot.png"
    Image.new("RGB", (4, 4), "red").save(picture)
    target = tmp_path / "pictured.pdf"
    c = canvas.Canvas(str(target))
    c.drawString(72, 720, "Learning from the review")
    c.drawImage(ImageReader(str(picture)), 72, 600, 40, 40)
    c.showPage()
    c.drawString(72, 720, "A page of text only")
    c.save()
    with pdfplumber.open(str(target)) as doc:
        first, second = doc.pages
        assert page_objects(doc, first) is None
        objects = page_objects(doc, second)
        assert objects is not None
        assert "".join(ch["text"] for ch in objects["char"]) == "A page of text only"


def test_table_cells_read_from_the_glyphs_in_the_tables_box_are_pdfplumbers() -> None:
    import pdfplumber

    from ingest.pdf import _cells, _is_real_table

    tables = 0
    for path in SAMPLE_PDFS:
        with pdfplumber.open(str(path)) as doc:
            for page in doc.pages:
                for table in page.find_tables():
                    if _is_real_table(table):
                        assert _cells(table) == table.extract(), f"{path.name} page {page.page_number}"
                        tables += 1
    assert tables >= 3  # the samples' action plans
