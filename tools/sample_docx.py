"""Render a parsed sample source to DOCX with python-docx (real styles, deterministic bytes)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from sample_blocks import MdBlock, MdDocument, inline_runs, plain, title_of

FIXED_DATE = dt.datetime(2026, 1, 1, 9, 0, 0)
_ZIP_DATE = (2026, 1, 1, 9, 0, 0)


def _add_runs(par: Paragraph, text: str, *, force_bold: bool = False) -> None:
    for run_text, bold, italic in inline_runs(text):
        run = par.add_run(run_text)
        run.bold = bold or force_bold or None
        run.italic = italic or None


def _suppress_numbering(par: Paragraph) -> None:
    """Keep the "List Number" style but switch off Word's automatic number.

    The printed number stays in the text, so no number is lost or doubled.
    """
    ppr = par._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    numid = OxmlElement("w:numId")
    numid.set(qn("w:val"), "0")
    numpr.append(ilvl)
    numpr.append(numid)
    ppr.append(numpr)


def _field(par: Paragraph, instr: str) -> None:
    """Append a simple field (PAGE, NUMPAGES) with a placeholder result."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    inner = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    inner.append(t)
    fld.append(inner)
    par._p.append(fld)


def _table(document: Document, b: MdBlock) -> None:  # type: ignore[valid-type]
    ncol = len(b.rows[0])
    table = document.add_table(rows=0, cols=ncol)
    table.style = "Table Grid"
    for r, row in enumerate(b.rows):
        cells = table.add_row().cells
        for c, text in enumerate(row):
            par = cells[c].paragraphs[0]
            _add_runs(par, text, force_bold=(r == 0))
        if r == 0:
            trpr = table.rows[0]._tr.get_or_add_trPr()
            hdr = OxmlElement("w:tblHeader")
            hdr.set(qn("w:val"), "true")
            trpr.append(hdr)


def _header_footer(document: Document, running_header: str | None,  # type: ignore[valid-type]
                   footer: str | None) -> None:
    section = document.sections[0]
    if running_header:
        par = section.header.paragraphs[0]
        par.add_run(f"{running_header} – Page ")
        _field(par, "PAGE")
        par.add_run(" of ")
        _field(par, "NUMPAGES")
    if footer:
        fpar = section.footer.paragraphs[0]
        fpar.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fpar.add_run(footer)


def render_docx(doc: MdDocument, *, running_header: str | None, footer: str | None,
                author: str | None) -> bytes:
    """Render ``doc`` to DOCX bytes; identical input gives identical bytes."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    seen_heading = False
    for b in doc.blocks:
        if b.kind == "heading":
            seen_heading = True
            document.add_heading(plain(b.text), level=min(b.level, 3))
        elif b.kind == "paragraph":
            par = document.add_paragraph()
            if not seen_heading:
                par.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_runs(par, b.text)
        elif b.kind == "bullet":
            _add_runs(document.add_paragraph(style="List Bullet"), b.text)
        elif b.kind == "numbered":
            par = document.add_paragraph(style="List Number")
            _suppress_numbering(par)
            _add_runs(par, f"{b.number}. {b.text}")
        elif b.kind == "table":
            _table(document, b)
        elif b.kind == "pagebreak":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _header_footer(document, running_header, footer)
    props = document.core_properties
    props.title = title_of(doc)
    props.author = author or ""
    props.last_modified_by = "Gwersi tools/build_samples.py"
    props.subject = "Fictional sample safeguarding review"
    props.created = FIXED_DATE
    props.modified = FIXED_DATE
    props.last_printed = FIXED_DATE
    props.revision = 1
    buf = io.BytesIO()
    document.save(buf)
    return _normalise_zip(buf.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps so rebuilding gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()
