"""Factories for small real documents made in a test's tmp_path (reportlab PDFs, python-docx files)."""

from __future__ import annotations

import io
from collections.abc import Sequence

HEADER = "CPR TEST 1/2024 – Final Report"


def make_pdf(
    paragraphs: Sequence[tuple[str, str]],
    *,
    table: Sequence[Sequence[str]] | None = None,
    running_header: str | None = HEADER,
) -> bytes:
    """A reportlab PDF: ``paragraphs`` are (style, text) with style h1 | h2 | body; optional table last.

    Every page carries ``running_header`` with "Page N" so furniture removal can be tested.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    body = ParagraphStyle("b", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=6)
    styles = {
        "h1": ParagraphStyle("h1", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=body, fontName="Helvetica-Bold", fontSize=13, leading=16, spaceAfter=6),
        "body": body,
    }
    story: list[object] = [Paragraph(text, styles[style]) for style, text in paragraphs]
    if table:
        cell = ParagraphStyle("c", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0)
        data = [[Paragraph(c, cell) for c in row] for row in table]
        grid = Table(data, repeatRows=1)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story.append(grid)

    def decorate(canvas: object, doc: object) -> None:
        if running_header:
            canvas.setFont("Helvetica", 8.5)  # type: ignore[attr-defined]
            canvas.drawString(20 * mm, A4[1] - 12 * mm, f"{running_header} – Page {doc.page}")  # type: ignore[attr-defined]

    buf = io.BytesIO()
    template = SimpleDocTemplate(buf, pagesize=A4, topMargin=22 * mm, bottomMargin=20 * mm)
    template.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()


def make_docx(build: object) -> bytes:
    """Run ``build(document)`` on a fresh python-docx Document and return the saved bytes."""
    import docx

    document = docx.Document()
    build(document)  # type: ignore[operator]
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
