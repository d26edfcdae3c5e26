"""Render a parsed sample source to PDF with reportlab platypus (Helvetica, deterministic)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sample_blocks import MdBlock, MdDocument, inline_runs, plain, title_of

rl_config.invariant = 1

# Characters outside WinAnsi (cp1252) that Helvetica cannot draw: replaced for PDF only.
PDF_REPLACEMENTS = {"ŵ": "w", "ŷ": "y", "Ŵ": "W", "Ŷ": "Y", "→": "->", "≥": ">=", "≤": "<="}

_SS = getSampleStyleSheet()
BODY = ParagraphStyle("GBody", parent=_SS["BodyText"], fontName="Helvetica", fontSize=10.5,
                      leading=14, spaceAfter=6)
CELL = ParagraphStyle("GCell", parent=BODY, fontSize=8.5, leading=10.5, spaceAfter=0)
CELL_HEAD = ParagraphStyle("GCellHead", parent=CELL, fontName="Helvetica-Bold")
HEADINGS = {
    1: ParagraphStyle("GH1", parent=BODY, fontName="Helvetica-Bold", fontSize=16, leading=20,
                      spaceBefore=10, spaceAfter=8),
    2: ParagraphStyle("GH2", parent=BODY, fontName="Helvetica-Bold", fontSize=13, leading=16,
                      spaceBefore=10, spaceAfter=6),
    3: ParagraphStyle("GH3", parent=BODY, fontName="Helvetica-Bold", fontSize=11, leading=14,
                      spaceBefore=8, spaceAfter=4),
}
BULLET = ParagraphStyle("GBullet", parent=BODY, leftIndent=16, bulletIndent=5, spaceAfter=3)
NUMBERED = ParagraphStyle("GNumbered", parent=BODY, leftIndent=18, firstLineIndent=-13, spaceAfter=3)
COVER = ParagraphStyle("GCover", parent=BODY, alignment=TA_CENTER, fontSize=12, leading=16)


def pdf_safe(text: str) -> str:
    """Replace the few characters Helvetica (WinAnsi) cannot draw."""
    for a, b in PDF_REPLACEMENTS.items():
        text = text.replace(a, b)
    return text


def _markup(text: str) -> str:
    parts = []
    for run, bold, italic in inline_runs(pdf_safe(text)):
        s = escape(run)
        if italic:
            s = f"<i>{s}</i>"
        if bold:
            s = f"<b>{s}</b>"
        parts.append(s)
    return "".join(parts)


def _col_widths(rows: tuple[tuple[str, ...], ...], total: float) -> list[float]:
    """Share ``total`` between columns by average text length, never splitting a word."""
    ncol = len(rows[0])
    pad = 7.0
    minimum, weights = [], []
    for c in range(ncol):
        words = [(w, r == 0) for r, row in enumerate(rows) for w in pdf_safe(plain(row[c])).split()]
        widest = max((stringWidth(w, "Helvetica-Bold" if head else "Helvetica", CELL.fontSize)
                      for w, head in words), default=10.0)
        minimum.append(widest + pad)
        lens = [len(r[c]) for r in rows[1:]] or [len(rows[0][c])]
        weights.append(max(min(sum(lens) / len(lens), 70.0), 5.0))
    spare = max(total - sum(minimum), 0.0)
    s = sum(weights)
    return [m + spare * w / s for m, w in zip(minimum, weights, strict=True)]


def _table(b: MdBlock, width: float) -> Table:
    data = [[Paragraph(_markup(c), CELL_HEAD if r == 0 else CELL) for c in row]
            for r, row in enumerate(b.rows)]
    t = Table(data, colWidths=_col_widths(b.rows, width), repeatRows=1, splitByRow=1)
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9D9D9")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return t


def _flowables(doc: MdDocument, width: float) -> list[Any]:
    story: list[Any] = []
    seen_heading = False
    for b in doc.blocks:
        if b.kind == "bullet":
            story.append(Paragraph(_markup(b.text), BULLET, bulletText="\u2022"))
            continue
        if b.kind == "numbered":
            story.append(Paragraph(_markup(f"{b.number}. {b.text}"), NUMBERED))
            continue
        if b.kind == "heading":
            seen_heading = True
            story.append(Paragraph(_markup(b.text), HEADINGS[min(b.level, 3)]))
            story[-1].keepWithNext = 1
        elif b.kind == "paragraph":
            story.append(Paragraph(_markup(b.text), BODY if seen_heading else COVER))
        elif b.kind == "table":
            story.append(Spacer(1, 4))
            story.append(_table(b, width))
            story.append(Spacer(1, 8))
        elif b.kind == "pagebreak":
            story.append(PageBreak())
    return story


class _NumberedCanvas(canvas.Canvas):
    """Canvas that knows the page count, so headers can say "Page N of M"."""

    header: str | None = None
    footer: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["invariant"] = 1
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab API
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        w, h = A4
        n = self._pageNumber
        self.setFont("Helvetica", 8.5)
        if self.header:
            self.drawString(20 * mm, h - 12 * mm, pdf_safe(f"{self.header} – Page {n} of {total}"))
            self.setLineWidth(0.4)
            self.line(20 * mm, h - 14 * mm, w - 20 * mm, h - 14 * mm)
        if self.footer:
            self.drawCentredString(w / 2, 10 * mm, pdf_safe(self.footer))
        elif not self.header:
            self.drawCentredString(w / 2, 10 * mm, str(n))


def render_pdf(doc: MdDocument, *, running_header: str | None, footer: str | None,
               author: str | None) -> bytes:
    """Render ``doc`` to PDF bytes; identical input gives identical bytes."""
    buf = io.BytesIO()
    canvas_cls = type("SampleCanvas", (_NumberedCanvas,), {"header": running_header, "footer": footer})
    tpl = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=22 * mm, bottomMargin=20 * mm, title=pdf_safe(title_of(doc)),
                            author=author or "", subject="Fictional sample safeguarding review",
                            creator="Gwersi tools/build_samples.py", invariant=1)
    tpl.build(_flowables(doc, A4[0] - 40 * mm), canvasmaker=canvas_cls)
    return buf.getvalue()
