"""DOCX -> blocks with python-docx.

Paragraphs and tables come in body order. Heading levels come from the paragraph style
("Title", "Heading N", or an outline level); list items from list styles or Word numbering, with
simple decimal/letter/roman numbers rebuilt so recommendations numbered by Word keep them.
Running headers and footers live in section parts, which the body walk never reaches.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from ingest.errors import CorruptDocumentError, EmptyFileError
from ingest.limits import Limits
from ingest.models import Block, RawDocument

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def extract(data: bytes, *, path: str, sha256: str, limits: Limits) -> RawDocument:
    """Parse DOCX ``data`` (already checked by :mod:`ingest.sniff`) into a :class:`RawDocument`."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = _blocks(document)
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        KeyError,
        LxmlError,
        ValueError,
        OSError,
        EOFError,
    ) as exc:
        raise CorruptDocumentError(path, f"the DOCX is damaged and cannot be read ({_short(exc)})") from None
    if not blocks:
        raise EmptyFileError(path, "the DOCX contains no text")
    return RawDocument(path=path, sha256=sha256, media_type="docx", blocks=tuple(blocks))


def _blocks(document: Any) -> list[Block]:
    has_title = any((p.style is not None and p.style.name == "Title") for p in document.paragraphs)
    numbering = _Numbering(document)
    out: list[Block] = []
    _walk(document.element.body, document.part, has_title, numbering, out, depth=0)
    return out


def _walk(container: Any, parent: Any, has_title: bool, numbering: _Numbering, out: list[Block], *, depth: int) -> None:
    """Paragraphs and tables of ``container`` in order, looking inside content controls (``w:sdt``).

    A one-column table is a layout box (templates often box each section): its cells are read as
    ordinary paragraphs, so headings inside boxes still start sections.
    """
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        tag = child.tag
        if tag == f"{_W}p":
            block = _paragraph_block(Paragraph(child, parent), has_title, numbering)
            if block is not None:
                out.append(block)
        elif tag == f"{_W}tbl":
            table = Table(child, parent)
            if depth < 5 and _is_layout_box(table):
                for row in table.rows:
                    for cell in _distinct_cells(row):
                        _walk(cell._tc, cell, has_title, numbering, out, depth=depth + 1)
                continue
            rows = _table_rows(table)
            if rows:
                out.append(Block("table", "\n".join(" | ".join(r) for r in rows), rows=rows))
        elif tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                _walk(content, parent, has_title, numbering, out, depth=depth)


def _distinct_cells(row: Any) -> list[Any]:
    cells: list[Any] = []
    for cell in row.cells:
        if not any(cell._tc is c._tc for c in cells):
            cells.append(cell)
    return cells


def _is_layout_box(table: Any) -> bool:
    """Every row has a single cell: a box around text, not a grid of data."""
    rows = list(table.rows)
    return bool(rows) and all(len(_distinct_cells(row)) == 1 for row in rows)


def _paragraph_block(par: Any, has_title: bool, numbering: _Numbering) -> Block | None:
    text = par.text.strip()
    if not text:
        return None
    style = par.style.name if par.style is not None else ""
    bold = bool(par.runs) and all(r.bold for r in par.runs if r.text.strip())
    if style == "Title":
        return Block("heading", text, level=1, bold=True)
    match = _HEADING_STYLE.match(style)
    level = int(match.group(1)) if match else _outline_level(par)
    if level is not None:
        return Block("heading", text, level=level + (1 if has_title else 0), bold=True)
    num = par._p.find(f"{_W}pPr/{_W}numPr")
    if num is None:
        num = _style_numbering(par.style)
    if "List" in style or num is not None:
        label = numbering.label(num) if num is not None else None
        if label and not text.startswith(label):
            text = f"{label} {text}"
        return Block("list_item", text)
    return Block("paragraph", text, bold=bold)


def _style_numbering(style: Any) -> Any:
    """The ``w:numPr`` a paragraph inherits from its style chain ("List Number"), if any."""
    depth = 0
    while style is not None and depth < 10:
        node = style.element.find(f"{_W}pPr/{_W}numPr")
        if node is not None:
            return node
        style = style.base_style
        depth += 1
    return None


def _outline_level(par: Any) -> int | None:
    node = par._p.find(f"{_W}pPr/{_W}outlineLvl")
    if node is None:
        return None
    value = int(node.get(f"{_W}val", "9"))
    return value + 1 if value < 9 else None


def _table_rows(table: Any) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = []
    for row in table.rows:
        cells = [_cell_text(cell) for cell in _distinct_cells(row)]  # a merged cell repeats in row.cells
        if any(cells):
            rows.append(tuple(cells))
    width = max((len(r) for r in rows), default=0)
    return tuple(r + ("",) * (width - len(r)) for r in rows)


def _cell_text(cell: Any) -> str:
    """All text in a cell, nested tables and content controls included, one line per paragraph."""
    from docx.text.paragraph import Paragraph

    lines = [Paragraph(p, cell).text for p in cell._tc.iter(f"{_W}p")]
    return "\n".join(line for line in lines if line.strip()).strip()


class _Numbering:
    """Rebuilds simple Word list numbers ("1.", "a)", "iii.") that are not in the text."""

    def __init__(self, document: Any) -> None:
        self._formats: dict[tuple[str, str], tuple[str, str]] = {}
        self._counters: dict[tuple[str, str], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[str, tuple[str, str]]] = {}
        for node in root.iter(f"{_W}abstractNum"):
            levels = {}
            for lvl in node.iter(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                txt = lvl.find(f"{_W}lvlText")
                levels[lvl.get(f"{_W}ilvl", "0")] = (
                    fmt.get(f"{_W}val", "") if fmt is not None else "",
                    txt.get(f"{_W}val", "") if txt is not None else "",
                )
            abstract[node.get(f"{_W}abstractNumId", "")] = levels
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(f"{_W}val", ""), {}).items():
                self._formats[(num.get(f"{_W}numId", ""), ilvl)] = spec

    def label(self, num_pr: Any) -> str | None:
        num_id_node = num_pr.find(f"{_W}numId")
        ilvl_node = num_pr.find(f"{_W}ilvl")
        num_id = num_id_node.get(f"{_W}val", "0") if num_id_node is not None else "0"
        ilvl = ilvl_node.get(f"{_W}val", "0") if ilvl_node is not None else "0"
        spec = self._formats.get((num_id, ilvl))
        if num_id == "0" or spec is None:
            return None
        fmt, template = spec
        key = (num_id, ilvl)
        self._counters[key] = self._counters.get(key, 0) + 1
        for other in list(self._counters):  # deeper levels restart under a new parent item
            if other[0] == num_id and int(other[1]) > int(ilvl):
                del self._counters[other]
        value = self._counters[key]
        rendered = _render_number(fmt, value)
        if rendered is None:
            return None
        return re.sub(r"%\d", rendered, template or "%1.").strip() or None


def _render_number(fmt: str, value: int) -> str | None:
    if fmt == "decimal":
        return str(value)
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman if fmt == "lowerRoman" else roman.upper()
    return None


def _roman(value: int) -> str:
    parts = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for n, s in parts:
        while value >= n:
            out += s
            value -= n
    return out


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]
