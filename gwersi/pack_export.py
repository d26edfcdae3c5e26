"""Export a case pack as Markdown, DOCX (python-docx) or PDF (reportlab).

Every passage is cited back to its review (reference, title, board, year), section, paragraph and
page. Passages are printed exactly as stored: the reviews are pseudonymised by their authors and
Gwersi removes nothing. If the PDF font cannot show a character, the PDF says so on that page
instead of dropping it quietly.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

from gwersi.errors import GwersiError
from gwersi.packs import PackItemView, PackView

ExportFormat = Literal["md", "docx", "pdf"]
FORMATS: dict[str, tuple[str, str]] = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "pdf": ("application/pdf", "pdf"),
}
"""Format name -> (media type, file extension)."""

NOTICE = (
    "Passages are reproduced exactly as published in the reviews cited, which their authors "
    "pseudonymised. Gwersi has not removed or altered any text; check the pack before sharing it."
)
_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)


@dataclass(frozen=True)
class ExportedFile:
    """Bytes of an exported pack and how to serve them."""

    content: bytes
    media_type: str
    filename: str


def citation(item: PackItemView) -> str:
    """Where a passage comes from, in words."""
    source = item.reference or item.review_title
    parts = [source]
    if item.reference and item.review_title:
        parts[0] = f"{item.reference}, \u201c{item.review_title}\u201d"
    extra = ", ".join(str(x) for x in (item.board, item.year) if x)
    if extra:
        parts.append(f"({extra})")
    where = f"section \u201c{item.section_heading}\u201d, paragraph {item.paragraph}"
    if item.page is not None:
        where += f", page {item.page}"
    return " ".join(parts) + "; " + where


def export_pack(pack: PackView, fmt: str) -> ExportedFile:
    """The pack in ``fmt`` (``md``, ``docx`` or ``pdf``)."""
    if fmt not in FORMATS:
        raise GwersiError(
            "bad_format", f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}", 422
        )
    media_type, ext = FORMATS[fmt]
    builder = {"md": to_markdown_bytes, "docx": to_docx, "pdf": to_pdf}[fmt]
    return ExportedFile(content=builder(pack), media_type=media_type, filename=f"{_slug(pack.title)}.{ext}")


def _slug(title: str) -> str:
    keep = "".join(c.lower() if c.isalnum() else "-" for c in title if c.isascii())
    slug = "-".join(part for part in keep.split("-") if part)
    return (slug or "case-pack")[:60]


def _exported_on() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def to_markdown(pack: PackView) -> str:
    """The pack as Markdown."""
    lines = [f"# {pack.title}", ""]
    if pack.description:
        lines += [pack.description, ""]
    lines += [f"_Case pack by {pack.owner}, exported from Gwersi on {_exported_on()}. {NOTICE}_", ""]
    for n, item in enumerate(pack.items, start=1):
        lines += [f"## {n}. {item.section_heading}", ""]
        lines += ["> " + line if line else ">" for line in item.text.splitlines()]
        lines += ["", f"Source: {citation(item)}.", ""]
        if item.note:
            lines += [f"**Trainer's note.** {item.note}", ""]
        if item.question:
            lines += [f"**Reflective question.** {item.question}", ""]
    lines += _sources_md(pack)
    return "\n".join(lines).rstrip() + "\n"


def to_markdown_bytes(pack: PackView) -> bytes:
    """The Markdown export as UTF-8 bytes."""
    return to_markdown(pack).encode("utf-8")


def _sources(pack: PackView) -> list[str]:
    seen: dict[int, str] = {}
    for item in pack.items:
        if item.review_id not in seen:
            bits = [item.reference or "(no reference)", item.review_title]
            bits += [str(x) for x in (item.review_type, item.board, item.year) if x]
            seen[item.review_id] = " \u2014 ".join(bits)
    return list(seen.values())


def _sources_md(pack: PackView) -> list[str]:
    sources = _sources(pack)
    if not sources:
        return ["_This pack has no passages yet._"]
    return ["## Reviews cited", "", *[f"- {s}" for s in sources]]


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Text Word's XML can hold: control characters (other than tab and newlines) become U+FFFD."""
    return _XML_UNSAFE.sub("\ufffd", text)


def to_docx(pack: PackView) -> bytes:
    """The pack as a Word document (characters XML cannot hold are shown as U+FFFD, never dropped silently)."""
    from docx import Document

    pack = _safe_pack(pack)
    doc = Document()
    doc.core_properties.title = pack.title
    doc.core_properties.author = pack.owner
    doc.add_heading(pack.title, level=0)
    if pack.description:
        doc.add_paragraph(pack.description)
    doc.add_paragraph().add_run(
        f"Case pack by {pack.owner}, exported from Gwersi on {_exported_on()}. {NOTICE}"
    ).italic = True
    for n, item in enumerate(pack.items, start=1):
        doc.add_heading(f"{n}. {item.section_heading}", level=1)
        for line in item.text.splitlines() or [""]:
            doc.add_paragraph(line, style="Quote")
        doc.add_paragraph(f"Source: {citation(item)}.")
        if item.note:
            p = doc.add_paragraph()
            p.add_run("Trainer's note. ").bold = True
            p.add_run(item.note)
        if item.question:
            p = doc.add_paragraph()
            p.add_run("Reflective question. ").bold = True
            p.add_run(item.question)
    sources = _sources(pack)
    doc.add_heading("Reviews cited", level=1)
    if not sources:
        doc.add_paragraph("This pack has no passages yet.")
    for s in sources:
        doc.add_paragraph(s, style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pdf_font() -> tuple[str, set[int] | None]:
    """Register a Unicode TTF font once; returns its name and the code points it covers."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    candidates = [*_FONT_CANDIDATES, Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"]
    for path in candidates:
        if not path.exists():
            continue
        name = "GwersiSans"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        font = pdfmetrics.getFont(name)
        covered = set(getattr(font.face, "charToGlyph", {}) or {}) or None
        return name, covered
    return "Helvetica", None


def _missing_chars(text: str, covered: set[int] | None) -> list[str]:
    if covered is None:
        return []
    return sorted({c for c in text if not c.isspace() and ord(c) not in covered})


def _safe_pack(pack: PackView) -> PackView:
    items = [
        replace(i, text=_xml_safe(i.text), note=_xml_safe(i.note), question=_xml_safe(i.question),
                section_heading=_xml_safe(i.section_heading))
        for i in pack.items
    ]
    return replace(pack, title=_xml_safe(pack.title), description=_xml_safe(pack.description),
                   owner=_xml_safe(pack.owner), items=items)


def to_pdf(pack: PackView) -> bytes:
    """The pack as a PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font, covered = _pdf_font()
    base = getSampleStyleSheet()
    body = ParagraphStyle("GwBody", parent=base["BodyText"], fontName=font, fontSize=10, leading=14)
    quote = ParagraphStyle("GwQuote", parent=body, leftIndent=8 * mm, textColor="#333333")
    small = ParagraphStyle("GwSmall", parent=body, fontSize=8.5, leading=11, textColor="#555555")
    h1 = ParagraphStyle("GwH1", parent=base["Title"], fontName=font)
    h2 = ParagraphStyle("GwH2", parent=base["Heading2"], fontName=font)

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    story: list[object] = [para(pack.title, h1)]
    if pack.description:
        story.append(para(pack.description, body))
    story += [
        para(f"Case pack by {pack.owner}, exported from Gwersi on {_exported_on()}. {NOTICE}", small),
        Spacer(1, 4 * mm),
    ]
    for n, item in enumerate(pack.items, start=1):
        story.append(para(f"{n}. {item.section_heading}", h2))
        story.append(para(item.text, quote))
        story.append(para(f"Source: {citation(item)}.", small))
        if item.note:
            story.append(Paragraph(f"<b>Trainer's note.</b> {escape(item.note)}", body))
        if item.question:
            story.append(Paragraph(f"<b>Reflective question.</b> {escape(item.question)}", body))
        missing = _missing_chars(item.text + item.note + item.question, covered)
        if missing:
            story.append(
                para(
                    "Note: this PDF's font cannot show these characters, which appear in the "
                    f"original text: {' '.join(f'U+{ord(c):04X}' for c in missing)}. "
                    "Use the DOCX or Markdown export for an exact copy.",
                    small,
                )
            )
    story.append(para("Reviews cited", h2))
    sources = _sources(pack) or ["This pack has no passages yet."]
    story += [para(f"\u2022 {s}", body) for s in sources]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=pack.title,
        author=pack.owner,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story)
    return out.getvalue()
