"""Pack exports as pure functions: citations, exact text, and no silent loss of characters."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from gwersi.pack_export import citation, export_pack, to_markdown
from gwersi.packs import PackItemView, PackView


def _item(text: str, *, page: int | None = 4, reference: str | None = "CPR CTMSB 1/2020") -> PackItemView:
    return PackItemView(
        id=1, position=0, passage_id=10, review_id=3, reference=reference, review_title="Child A",
        review_type="CPR", board="Cwm Taf Morgannwg Safeguarding Board", year=2020,
        section_heading="Learning", section_kind="practice_learning", paragraph=7, page=page, text=text,
        note="Discuss", question="What next?",
    )


def _pack(*items: PackItemView) -> PackView:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return PackView(id=1, title="Pecyn / Pack", description="", owner="trainer", created_at=now, updated_at=now,
                    items=list(items))


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (_item("x"), "CPR CTMSB 1/2020, \u201cChild A\u201d (Cwm Taf Morgannwg Safeguarding Board, 2020); "
                     "section \u201cLearning\u201d, paragraph 7, page 4"),
        (_item("x", page=None), "CPR CTMSB 1/2020, \u201cChild A\u201d (Cwm Taf Morgannwg Safeguarding Board, "
                                "2020); section \u201cLearning\u201d, paragraph 7"),
        (_item("x", reference=None), "Child A (Cwm Taf Morgannwg Safeguarding Board, 2020); "
                                     "section \u201cLearning\u201d, paragraph 7, page 4"),
    ],
)
def test_citation(item: PackItemView, expected: str) -> None:
    assert citation(item) == expected


def test_markdown_keeps_text_exactly_including_line_breaks() -> None:
    text = "Mam A said: \u2018nobody listened\u2019.\nThe ﬁle was closed – twice."
    md = to_markdown(_pack(_item(text)))
    assert "> Mam A said: \u2018nobody listened\u2019.\n> The ﬁle was closed – twice." in md


def test_pdf_names_characters_its_font_cannot_show() -> None:
    from pypdf import PdfReader

    exported = export_pack(_pack(_item("The child drew \U0001f642 and wrote \U0001d504.")), "pdf")
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(exported.content)).pages)
    assert "U+1F642" in text and "U+1D504" in text


def test_pdf_shows_welsh_letters() -> None:
    from pypdf import PdfReader

    exported = export_pack(_pack(_item("Adolygiad: Ŵyr a ŷd")), "pdf")
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(exported.content)).pages)
    assert "Ŵyr a ŷd" in text and "U+0174" not in text


def test_empty_pack_exports_in_every_format() -> None:
    for fmt in ("md", "docx", "pdf"):
        exported = export_pack(_pack(), fmt)
        assert exported.content and exported.filename == f"pecyn-pack.{fmt}"
