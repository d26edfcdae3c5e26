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
from ingest.models import Block, BlockKind, RawDocument

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
    styles = _Styles(document)
    has_title = any(_name(styles.paragraph(p)) == "Title" for p in document.paragraphs)
    context = _Context(has_title, _Numbering(document), styles)
    out: list[Block] = []
    _walk(document.element.body, document.part, context, out, depth=0)
    return out


class _Styles:
    """Style lookups memoised per document.

    python-docx resolves a paragraph's or run's style on every access, and a run with no style of
    its own costs a scan of every style in the document for the default: most of a DOCX parse went
    there. Styles and the font properties their chains give are looked up once per style here.
    """

    def __init__(self, document: Any) -> None:
        self._part = document.part
        self._styles: dict[tuple[str | None, int], Any] = {}
        self._fonts: dict[tuple[str | None, str | None, str], Any] = {}

    def _get(self, style_id: str | None, kind: Any) -> Any:
        key = (style_id, int(kind))
        if key not in self._styles:
            self._styles[key] = self._part.get_style(style_id, kind)
        return self._styles[key]

    def paragraph(self, par: Any) -> Any:
        """The paragraph's style (the document default when it names none)."""
        from docx.enum.style import WD_STYLE_TYPE

        return self._get(par._p.style, WD_STYLE_TYPE.PARAGRAPH)

    def run(self, run: Any) -> Any:
        """The run's character style (the document default when it names none)."""
        from docx.enum.style import WD_STYLE_TYPE

        return self._get(run._r.style, WD_STYLE_TYPE.CHARACTER)

    def font(self, style: Any, name: str) -> Any:
        """A font property from ``style`` or the first of its base styles that sets it."""
        if style is None:
            return None
        key = (style.element.get(f"{_W}type"), style.style_id, name)
        if key not in self._fonts:
            self._fonts[key] = _style_font(style, name)
        return self._fonts[key]


class _Context:
    """What every paragraph of one document is read against."""

    __slots__ = ("has_title", "numbering", "styles")

    def __init__(self, has_title: bool, numbering: _Numbering, styles: _Styles) -> None:
        self.has_title, self.numbering, self.styles = has_title, numbering, styles


def _name(style: Any) -> str:
    return str(style.name) if style is not None and style.name else ""


def _walk(container: Any, parent: Any, context: _Context, out: list[Block], *, depth: int) -> None:
    """Paragraphs and tables of ``container`` in order, looking inside content controls (``w:sdt``).

    A one-column table is a layout box (templates often box each section): its cells are read as
    ordinary paragraphs, so headings inside boxes still start sections.
    """
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        tag = child.tag
        if tag == f"{_W}p":
            block = _paragraph_block(Paragraph(child, parent), context)
            if block is not None:
                out.append(block)
        elif tag == f"{_W}tbl":
            table = Table(child, parent)
            if depth < 5 and _is_layout_box(table):
                for row in table.rows:
                    for cell in _distinct_cells(row):
                        _walk(cell._tc, cell, context, out, depth=depth + 1)
                continue
            rows = _table_rows(table)
            if rows:
                out.append(Block("table", "\n".join(" | ".join(r) for r in rows), rows=rows))
        elif tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                _walk(content, parent, context, out, depth=depth)


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


def _paragraph_block(par: Any, context: _Context) -> Block | None:
    text = par.text.strip()
    if not text:
        return None
    para_style = context.styles.paragraph(par)
    style = _name(para_style)
    look = _typography(par, para_style, context.styles)
    if style == "Title":
        return Block("heading", text, level=1, bold=True, size=look.size, style=style)
    match = _HEADING_STYLE.match(style)
    level = int(match.group(1)) if match else _outline_level(par)
    if level is not None:
        return Block("heading", text, level=level + (1 if context.has_title else 0), bold=True, size=look.size,
                     style=style)
    num = par._p.find(f"{_W}pPr/{_W}numPr")
    if num is None:
        num = _style_numbering(para_style)
    label = context.numbering.label(num) if num is not None else None
    numbered = bool(label) and not text.startswith(label or "")
    if numbered:
        text = f"{label} {text}"
    kind: BlockKind = "list_item" if ("List" in style or num is not None) else "paragraph"
    return Block(
        kind,
        text,
        bold=look.bold,
        italic=look.italic,
        underline=look.underline,
        size=look.size,
        style=style or None,
        numbered=numbered,
        centred=_centred(par, para_style),
    )


def _centred(par: Any, style: Any) -> bool:
    """The paragraph is centred, directly or through its style chain (``style`` is its own)."""
    alignment = par.paragraph_format.alignment
    depth = 0
    while alignment is None and style is not None and depth < 10:
        alignment = getattr(style.paragraph_format, "alignment", None)
        style = style.base_style
        depth += 1
    return alignment is not None and int(alignment) == 1  # WD_ALIGN_PARAGRAPH.CENTER


class _Look:
    """How a paragraph's text is printed: weight, slant, underline, case and size (points)."""

    __slots__ = ("bold", "italic", "underline", "size")

    def __init__(self, bold: bool, italic: bool, underline: bool, size: float | None) -> None:
        self.bold, self.italic, self.underline, self.size = bold, italic, underline, size


def _typography(par: Any, para_style: Any, styles: _Styles) -> _Look:
    """Effective typography of a paragraph's visible runs, resolving run, character and paragraph styles.

    A property counts when every run with visible text has it; the size is the largest run size.
    Word documents often set bold or size on the paragraph style rather than the runs (custom
    "heading" styles not based on Heading N), so each run's unset properties are looked up in its
    character style, then the paragraph style chain.
    """
    runs = [r for r in par.runs if r.text.strip()]
    if not runs:
        return _Look(False, False, False, None)

    def resolved(run: Any, name: str) -> Any:
        value = getattr(run.font, name)
        if value is None:
            value = styles.font(styles.run(run), name)
        if value is None:
            value = styles.font(para_style, name)
        return value

    bold = all(bool(resolved(r, "bold")) for r in runs)
    italic = all(bool(resolved(r, "italic")) for r in runs)
    underline = all(bool(resolved(r, "underline")) for r in runs)
    sizes = [v.pt for v in (resolved(r, "size") for r in runs) if v is not None]
    return _Look(bold, italic, underline, max(sizes) if sizes else None)


def _style_font(style: Any, name: str) -> Any:
    """A font property from a style or the first of its base styles that sets it (None if none does)."""
    depth = 0
    while style is not None and depth < 10:
        try:
            value = getattr(style.font, name)
        except AttributeError:  # a numbering or table style has no font
            return None
        if value is not None:
            return value
        style = style.base_style
        depth += 1
    return None


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
    """Rebuilds the numbers Word prints from automatic list numbering ("1.", "3.2", "a)", "iii.").

    Word keeps one set of counters per abstract list definition: list instances (``w:num``) that
    share a definition continue each other's numbering unless an instance restarts a level with a
    ``w:startOverride``, applied when the instance is first used. A level's text template refers to
    the counters of its parent levels ("%1.%2"), each printed in its own level's format (decimal
    throughout when the level is "legal" numbering).
    """

    def __init__(self, document: Any) -> None:
        self._levels: dict[str, dict[int, tuple[str, str, int, bool]]] = {}  # abstract -> ilvl -> spec
        self._nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstract id, start overrides)
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for node in root.iter(f"{_W}abstractNum"):
            levels: dict[int, tuple[str, str, int, bool]] = {}
            for lvl in node.iter(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                txt = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                levels[_int(lvl.get(f"{_W}ilvl"), 0)] = (
                    fmt.get(f"{_W}val", "") if fmt is not None else "decimal",
                    txt.get(f"{_W}val", "") if txt is not None else "",
                    _int(start.get(f"{_W}val") if start is not None else None, 1),
                    lvl.find(f"{_W}isLgl") is not None,
                )
            self._levels[node.get(f"{_W}abstractNumId", "")] = levels
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            overrides: dict[int, int] = {}
            for override in num.iter(f"{_W}lvlOverride"):
                start = override.find(f"{_W}startOverride")
                if start is not None:
                    overrides[_int(override.get(f"{_W}ilvl"), 0)] = _int(start.get(f"{_W}val"), 1)
            self._nums[num.get(f"{_W}numId", "")] = (ref.get(f"{_W}val", ""), overrides)

    def label(self, num_pr: Any) -> str | None:
        """The printed number of the next paragraph numbered by ``num_pr`` (None for bullets/none)."""
        num_id_node = num_pr.find(f"{_W}numId")
        ilvl_node = num_pr.find(f"{_W}ilvl")
        num_id = num_id_node.get(f"{_W}val", "0") if num_id_node is not None else "0"
        ilvl = _int(ilvl_node.get(f"{_W}val") if ilvl_node is not None else None, 0)
        if num_id == "0" or num_id not in self._nums:
            return None
        abstract, overrides = self._nums[num_id]
        levels = self._levels.get(abstract, {})
        if ilvl not in levels:
            return None
        counters = self._counters.setdefault(abstract, {})
        if num_id not in self._started:
            self._started.add(num_id)
            for level, start in overrides.items():
                counters[level] = start - 1
                for deeper in [k for k in counters if k > level]:
                    del counters[deeper]
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else levels[ilvl][2]
        for deeper in [k for k in counters if k > ilvl]:  # deeper levels restart under a new parent item
            del counters[deeper]
        fmt, template, _start, legal = levels[ilvl]
        if fmt in ("bullet", "none"):
            return None
        template = template or f"%{ilvl + 1}."
        failed = False

        def number(match: re.Match[str]) -> str:
            nonlocal failed
            level = int(match.group(1)) - 1
            spec = levels.get(level)
            value = counters.get(level, spec[2] if spec else 1)
            level_fmt = "decimal" if (legal and level < ilvl) or spec is None else spec[0]
            rendered = _render_number(level_fmt, value)
            if rendered is None:
                failed = True
                return ""
            return rendered

        text = re.sub(r"%(\d)", number, template).strip()
        return None if failed or not text else text


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _render_number(fmt: str, value: int) -> str | None:
    if fmt == "decimal":
        return str(value)
    if fmt == "decimalZero":
        return f"{value:02d}"
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
