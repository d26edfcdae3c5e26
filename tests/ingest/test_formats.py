"""Each reader on a small real file: DOCX (styles, tables, Word numbering), Markdown, PDF."""

from __future__ import annotations

from typing import Any

from ingest.limits import Limits
from ingest.pipeline import parse_bytes, read_raw
from tests.ingest.helpers import HEADER, make_docx, make_pdf

PLAN = [
    ["Rec", "Action", "Lead agency", "Timescale", "Progress/Status"],
    [
        "1",
        "Audit contact records for a prompt to record every adult",
        "Board Business Unit",
        "March 2021",
        "In progress",
    ],
    [
        "",
        "Brief practitioners on engaging fathers and male carers",
        "Training Sub-Group",
        "June 2021",
        "Not started",
    ],
    [
        "2",
        "Launch Was Not Brought guidance",
        "Cwm Taf Morgannwg University Health Board",
        "April 2021",
        "Complete",
    ],
]


def _build_docx(document: Any) -> None:
    document.sections[0].header.paragraphs[0].text = "CPR CTMSB 8/2020 – Final Report – Page 1"
    document.add_paragraph("Cwm Taf Morgannwg Safeguarding Board")
    document.add_heading("Concise Child Practice Review re: CPR CTMSB 8/2020 (Child A)", level=0)
    document.add_heading("Brief outline of circumstances resulting in the Review", level=1)
    document.add_paragraph("Child A was two years old in January 2019 when Mother called an ambulance.")
    document.add_heading("Improving Systems and Practice", level=1)
    for text in (
        "The Board should seek assurance that records name every adult.",
        "South Wales Police should share notifications with health visitors.",
    ):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("Learning is shared across the region.", style="List Bullet")
    document.add_heading("Appendix 3: Action Plan", level=1)
    table = document.add_table(rows=0, cols=5)
    for row in PLAN:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    document.add_paragraph("Closing note after the table.")


def test_docx_headings_lists_tables_in_body_order() -> None:
    data = make_docx(_build_docx)
    raw = read_raw(data, "review.docx", limits=Limits())
    kinds = [(b.kind, b.level) for b in raw.blocks]
    assert kinds == [
        ("paragraph", None),
        ("heading", 1),
        ("heading", 2),
        ("paragraph", None),
        ("heading", 2),
        ("list_item", None),
        ("list_item", None),
        ("list_item", None),
        ("heading", 2),
        ("table", None),
        ("paragraph", None),
    ]
    numbered = [b.text for b in raw.blocks if b.kind == "list_item"]
    assert numbered[0].startswith("1. The Board should")
    assert numbered[1].startswith("2. South Wales Police")
    assert numbered[2] == "Learning is shared across the region."
    assert not any("Page 1" in b.text for b in raw.blocks)
    table = next(b for b in raw.blocks if b.kind == "table")
    assert table.rows is not None and table.rows[0] == tuple(PLAN[0])

    review = parse_bytes(data, "review.docx")
    assert [s.kind for s in review.sections] == [
        "front_matter",
        "circumstances",
        "recommendations",
        "action_plan",
    ]
    assert [(r.number, r.addressee) for r in review.recommendations] == [
        ("1", "The Board"),
        ("2", "South Wales Police"),
    ]
    assert [(a.recommendation, a.lead_agency) for a in review.action_plan] == [
        ("1", "Board Business Unit"),
        ("1", "Training Sub-Group"),
        ("2", "Cwm Taf Morgannwg University Health Board"),
    ]
    assert review.metadata.reference == "CPR CTMSB 8/2020"
    assert review.metadata.age_band == "1-4"


MARKDOWN = """Gwent Safeguarding Board

# Extended Child Practice Review re: SEWSCB 3/2022 (Child L)

Date of publication: November 2022

## 1. Brief outline of circumstances resulting in the Review

1.1 Child L was thirteen years old when she was taken to hospital by the
**Welsh Ambulance Services NHS Trust**.

## Improving Systems and Practice

### Regional recommendations

**Recommendation 1:** The Board should agree a protocol for [CAMHS](http://example) waiting lists.

**Recommendation 2:** Aneurin Bevan University Health Board should audit referrals.

## Appendix 3: Action Plan

| Rec | Action | Lead agency | Timescale |
|---|---|---|---|
| 1 | Agree the protocol | Board | *June 2023* |
| 2 | Audit twenty referrals | Aneurin Bevan UHB | 2023 |
"""


def test_markdown_headings_pipe_tables_and_inline_markup() -> None:
    review = parse_bytes(MARKDOWN.encode(), "review.md")
    assert review.media_type == "text"
    assert "**" not in review.text and "](" not in review.text
    assert [s.kind for s in review.sections] == [
        "front_matter",
        "circumstances",
        "recommendations",
        "recommendations",
        "action_plan",
    ]
    assert [(r.number, r.scope, r.addressee) for r in review.recommendations] == [
        ("1", "regional", "The Board"),
        ("2", "regional", "Aneurin Bevan University Health Board"),
    ]
    assert [(a.recommendation, a.action, a.timescale) for a in review.action_plan] == [
        ("1", "Agree the protocol", "June 2023"),
        ("2", "Audit twenty referrals", "2023"),
    ]
    meta = review.metadata
    assert (
        meta.review_type,
        meta.level,
        meta.board,
        meta.reference,
        meta.year,
        meta.subject,
        meta.age_band,
    ) == ("CPR", "extended", "Gwent Safeguarding Board", "SEWSCB 3/2022", 2022, "Child L", "11-15")


def test_plain_text_in_cp1252_and_utf16() -> None:
    source = "INTRODUCTION\n\nThe café visit was “brief”.\n\n2. Analysis\n\nNobody asked.\n"
    for encoding in ("cp1252", "utf-16"):
        review = parse_bytes(source.encode(encoding), "notes.txt")
        assert "The café visit was “brief”." in review.text
        assert [s.kind for s in review.sections] == ["circumstances", "analysis"]


def test_pdf_headings_running_header_and_table_split_over_pages() -> None:
    paragraphs = [
        ("h1", "Concise Child Practice Review re: Child A"),
        ("h2", "Practice and organisational learning"),
    ]
    paragraphs += [("body", f"3.{n} The health visitor did not know about the partner. " * 4) for n in range(1, 25)]
    paragraphs += [("h2", "Appendix 3: Action Plan")]
    plan = [PLAN[0]] + [
        [str(n // 2 + 1), f"Action number {n} for the board", "Board", "2021", "Open"] for n in range(40)
    ]
    data = make_pdf(paragraphs, table=plan)
    review = parse_bytes(data, "review.pdf")
    assert review.page_count is not None and review.page_count >= 3
    assert HEADER.split(" – ")[0] not in review.text
    assert [s.kind for s in review.sections] == ["front_matter", "practice_learning", "action_plan"]
    assert review.sections[0].heading == "Concise Child Practice Review re: Child A"
    assert len(review.action_plan) == 40
    assert review.action_plan[-1].recommendation == "20"
    assert all(p.page is not None for p in review.passages)
    for passage in review.passages:
        assert review.text[passage.char_start : passage.char_end] == passage.text


def _boxed_template(document: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document.add_heading("Concise Child Practice Review re: Child A", level=0)
    box = document.add_table(rows=2, cols=1)
    box.rows[0].cells[0].paragraphs[0].text = "Brief outline of circumstances resulting in the Review"
    box.rows[0].cells[0].paragraphs[0].style = "Heading 1"
    box.rows[0].cells[0].add_paragraph("Child A was two years old when the ambulance was called.")
    box.rows[1].cells[0].paragraphs[0].text = "Improving Systems and Practice"
    box.rows[1].cells[0].paragraphs[0].style = "Heading 1"
    box.rows[1].cells[0].add_paragraph("1. The Board should seek assurance about unseen adults.")
    # a content control (w:sdt) wrapping a paragraph, as Word templates use
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    inner = document.add_paragraph("2. South Wales Police should share notifications.")._p
    content.append(inner)
    sdt.append(content)
    document.element.body.insert(len(document.element.body) - 1, sdt)
    assert qn("w:sdt") == sdt.tag


def test_docx_boxed_template_and_content_controls_are_read() -> None:
    review = parse_bytes(make_docx(_boxed_template), "boxed.docx")
    assert [s.kind for s in review.sections] == ["front_matter", "circumstances", "recommendations"]
    assert [(r.number, r.addressee) for r in review.recommendations] == [
        ("1", "The Board"),
        ("2", "South Wales Police"),
    ]
    assert review.metadata.age_band == "1-4"


def test_template_headings_in_body_type_start_sections() -> None:
    text = "Report\n\nPractice and organisational learning\n\nNobody asked who lived there.\n\nRecommendations\n\n"
    text += "1. The Board should ask.\n"
    assert [s.kind for s in parse_bytes(text.encode(), "plain.txt").sections] == [
        "front_matter",
        "practice_learning",
        "recommendations",
    ]
    pdf = make_pdf(
        [("body", "Report for the Board"), ("body", "Practice and organisational learning")]
        + [("body", "The health visitor did not know about the partner. " * 3)]
        + [("body", "Improving Systems and Practice"), ("body", "1. The Board should ask partners to report.")]
    )
    review = parse_bytes(pdf, "plain.pdf")
    assert [s.kind for s in review.sections] == ["front_matter", "practice_learning", "recommendations"]
    assert [r.number for r in review.recommendations] == ["1"]
