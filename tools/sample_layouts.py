"""Render one sample source in several house layouts, for the metamorphic ingest tests.

The same report must read the same whatever its layout. Layouts:

- ``md``: the Markdown source as it is;
- ``docx-styles``: Word heading styles (the sample build, :func:`sample_docx.render_docx`);
- ``docx-bold``: no heading styles at all: headings are Normal paragraphs in bold runs, sized by level;
- ``docx-caps``: section headings typed in capitals and underlined, not bold; sub-headings bold italic;
- ``docx-numbered``: bold Normal headings whose printed numbers ("3.", "3.2") come from Word
  multi-level automatic numbering, and numbered items (recommendations) numbered by Word;
- ``docx-custom``: the board's own paragraph styles ("Board Heading", "Board Sub") that are not
  based on the Heading styles; bold and size live in the style, not the runs;
- ``pdf-<docx layout>``: that DOCX converted by LibreOffice, as a board's "save as PDF" would.

Typed numbers only turn into automatic numbers when the typed sequence is one Word would print
(1, 2, 3 under one list), so the printed numbers never change.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from sample_blocks import MdBlock, MdDocument, plain, title_of
from sample_docx import _add_runs, _header_footer, _normalise_zip, _table, render_docx

DOCX_LAYOUTS = ("docx-styles", "docx-bold", "docx-caps", "docx-numbered", "docx-custom")
PDF_LAYOUTS = ("pdf-styles", "pdf-bold", "pdf-numbered")
LAYOUTS = ("md", *DOCX_LAYOUTS, *PDF_LAYOUTS)

_TYPED_NUMBER = re.compile(r"^(\d{1,2})((?:\.\d{1,2})?)\.?\s+(?=\S)")
_HEADING_SIZES = {1: 16.0, 2: 14.0, 3: 12.0}
_HEADING_NUM = "1"  # abstractNum for numbered headings
_LIST_NUM = "2"  # abstractNum for numbered items


def render_layout(doc: MdDocument, layout: str, *, running_header: str | None, footer: str | None,
                  author: str | None) -> bytes:
    """DOCX bytes of ``doc`` in one of :data:`DOCX_LAYOUTS`."""
    if layout == "docx-styles":
        return render_docx(doc, running_header=running_header, footer=footer, author=author)
    if layout not in DOCX_LAYOUTS:
        raise ValueError(f"unknown DOCX layout {layout!r}")
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = {"docx-bold": "Arial", "docx-caps": "Verdana", "docx-custom": "Georgia"}.get(layout, "Calibri")
    normal.font.size = Pt(11 if layout != "docx-caps" else 10)
    numbering = _Numbering(document) if layout in ("docx-numbered", "docx-custom") else None
    heading_numbers = _heading_numbering(doc) if layout == "docx-numbered" else {}
    custom = _custom_styles(document) if layout == "docx-custom" else {}
    list_run: list[MdBlock] = []

    def flush_list() -> None:
        if list_run:
            _numbered_items(document, list_run, numbering)
            list_run.clear()

    seen_heading = False
    for index, b in enumerate(doc.blocks):
        if b.kind == "numbered":
            list_run.append(b)
            continue
        flush_list()
        if b.kind == "heading":
            seen_heading = seen_heading or b.level > 1  # the cover runs to the first section heading
            _heading(document, b, layout, heading_numbers.get(index), numbering, custom)
            if not seen_heading:
                document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif b.kind == "paragraph":
            par = document.add_paragraph(style=custom.get("body"))
            if not seen_heading:
                par.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_runs(par, b.text)
        elif b.kind == "bullet":
            _add_runs(document.add_paragraph(style="List Bullet"), b.text)
        elif b.kind == "table":
            _table(document, b)
        elif b.kind == "pagebreak":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    flush_list()
    _header_footer(document, running_header, footer)
    props = document.core_properties
    props.title = title_of(doc)
    props.author = author or ""
    buf = __import__("io").BytesIO()
    document.save(buf)
    return _normalise_zip(buf.getvalue())


def _heading(document: Document, b: MdBlock, layout: str, number: tuple[int, str] | None,  # type: ignore[valid-type]
             numbering: _Numbering | None, custom: dict[str, str]) -> None:
    text = plain(b.text)
    level = min(b.level, 3)
    if layout == "docx-custom":
        par = document.add_paragraph(style=custom["h1" if level <= 2 else "h2"])
        if number is not None and numbering is not None:
            par.add_run(_TYPED_NUMBER.sub("", text, count=1))
            numbering.attach(par, numbering.heading_num, number[0])
        else:
            par.add_run(text)
        return
    par = document.add_paragraph()
    if layout == "docx-caps":
        run = par.add_run(text.upper() if level <= 2 else text)
        if level <= 2:
            run.underline = True
        else:
            run.bold = True
            run.italic = True
        return
    if number is not None and numbering is not None:  # docx-numbered: Word prints the number
        run = par.add_run(_TYPED_NUMBER.sub("", text, count=1))
        numbering.attach(par, numbering.heading_num, number[0])
    else:
        run = par.add_run(text)
    run.bold = True
    run.font.size = Pt(_HEADING_SIZES[level])


def _heading_numbering(doc: MdDocument) -> dict[int, tuple[int, str]]:
    """Block index -> (list level, printed number) for headings Word can number as typed.

    Typed numbers must run 1, 2, 3 at the top and n.1, n.2 under n, else the heading keeps its
    typed number (no automatic numbering would print the same).
    """
    out: dict[int, tuple[int, str]] = {}
    top, sub = 0, 0
    for index, b in enumerate(doc.blocks):
        if b.kind != "heading":
            continue
        match = _TYPED_NUMBER.match(plain(b.text))
        if not match:
            continue
        major, minor = int(match.group(1)), match.group(2)
        if not minor and major == top + 1:
            top, sub = major, 0
            out[index] = (0, f"{major}.")
        elif minor and major == top and int(minor[1:]) == sub + 1:
            sub += 1
            out[index] = (1, f"{major}.{sub}")
    return out


def _numbered_items(document: Document, items: list[MdBlock], numbering: _Numbering | None) -> None:  # type: ignore[valid-type]
    numbers = [int(b.number) for b in items]
    sequential = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    instance = numbering.new_list(numbers[0]) if numbering is not None and sequential else None
    for b in items:
        par = document.add_paragraph(style="List Paragraph")
        if instance is not None and numbering is not None:
            _add_runs(par, b.text)
            numbering.attach(par, instance, 0)
        else:
            _add_runs(par, f"{b.number}. {b.text}")


def _custom_styles(document: Document) -> dict[str, str]:  # type: ignore[valid-type]
    """Board paragraph styles based on Normal, with bold and size set on the style."""
    styles = document.styles
    for name, size in (("Board Heading", 13), ("Board Sub", 11)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.bold = True
        style.font.size = Pt(size)
        style.paragraph_format.space_before = Pt(12)
    body = styles.add_style("Board Body", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = styles["Normal"]
    return {"h1": "Board Heading", "h2": "Board Sub", "body": "Board Body"}


class _Numbering:
    """Word automatic numbering: one multi-level list for headings, one definition for item lists."""

    def __init__(self, document: Document) -> None:  # type: ignore[valid-type]
        part = document.part.numbering_part
        self._root = part.element
        self._next = 10
        self._root.append(_abstract(_HEADING_NUM, ["%1.", "%1.%2"]))
        self._root.append(_abstract(_LIST_NUM, ["%1.", "%2)"], formats=["decimal", "lowerLetter"]))
        # w:abstractNum elements must precede w:num elements
        for num in list(self._root.findall(qn("w:num"))):
            self._root.remove(num)
            self._root.append(num)
        self.heading_num = self._num(_HEADING_NUM, None)

    def new_list(self, start: int) -> str:
        """A new numbered list instance restarting at ``start``."""
        return self._num(_LIST_NUM, start)

    def _num(self, abstract: str, start: int | None) -> str:
        self._next += 1
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), str(self._next))
        ref = OxmlElement("w:abstractNumId")
        ref.set(qn("w:val"), abstract)
        num.append(ref)
        if start is not None:
            override = OxmlElement("w:lvlOverride")
            override.set(qn("w:ilvl"), "0")
            start_el = OxmlElement("w:startOverride")
            start_el.set(qn("w:val"), str(start))
            override.append(start_el)
            num.append(override)
        self._root.append(num)
        return str(self._next)

    @staticmethod
    def attach(par: Paragraph, num_id: str, level: int) -> None:
        """Number ``par`` with list ``num_id`` at ``level``."""
        ppr = par._p.get_or_add_pPr()
        numpr = OxmlElement("w:numPr")
        ilvl = OxmlElement("w:ilvl")
        ilvl.set(qn("w:val"), str(level))
        numid = OxmlElement("w:numId")
        numid.set(qn("w:val"), num_id)
        numpr.append(ilvl)
        numpr.append(numid)
        ppr.insert(0, numpr)


def _abstract(abstract_id: str, texts: list[str], formats: list[str] | None = None) -> OxmlElement:
    node = OxmlElement("w:abstractNum")
    node.set(qn("w:abstractNumId"), abstract_id)
    multi = OxmlElement("w:multiLevelType")
    multi.set(qn("w:val"), "multilevel")
    node.append(multi)
    for level, text in enumerate(texts):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(level))
        for tag, value in (("w:start", "1"), ("w:numFmt", (formats or ["decimal"] * 9)[level]), ("w:lvlText", text)):
            el = OxmlElement(tag)
            el.set(qn("w:val"), value)
            lvl.append(el)
        ppr = OxmlElement("w:pPr")
        ind = OxmlElement("w:ind")
        ind.set(qn("w:left"), str(360 * (level + 1)))
        ind.set(qn("w:hanging"), "360")
        ppr.append(ind)
        lvl.append(ppr)
        node.append(lvl)
    return node


def convert_to_pdf(docx_files: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Convert DOCX files to PDF with one LibreOffice run; {docx: pdf}. Raises if soffice is missing."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gwersi-lo-") as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, docx_files)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900,
        )
    result = {path: out_dir / f"{path.stem}.pdf" for path in docx_files}
    missing = [str(p) for p, pdf in result.items() if not pdf.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not convert: {', '.join(missing)}")
    return result
