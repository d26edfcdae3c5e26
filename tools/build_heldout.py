#!/usr/bin/env python3
"""Render the held-out review corpus (``data/heldout``) as Word documents and PDFs.

Each review is written in the small source markup described in ``data/heldout/FORMAT.md``
(``<part>/sources/<name>.md``) with a truth file (``<name>.truth.json``) naming one of five DOCX
house styles. This tool turns every source into ``<part>/built/<name>.docx`` the way a
safeguarding board's officer would have typed it in Word, then converts all DOCX files of a part
to PDF with one LibreOffice call, as Word's "save as PDF" would.

The renderer deliberately knows nothing about how Gwersi parses documents: it imitates real
reports (typed numbers, automatic Word numbering, plain bold "headings", board-named custom
styles), not what any parser expects.

Usage::

    python tools/build_heldout.py                    # build dev and test (DOCX + PDF)
    python tools/build_heldout.py --part dev --only cpr_cardiff_2023_a1
    python tools/build_heldout.py --check            # validate sources and truth files only
    python tools/build_heldout.py --verify           # build, then check the text survived
    python tools/build_heldout.py --no-pdf

Only the standard library, python-docx and LibreOffice (``soffice``, via subprocess) are used;
``--verify`` also calls ``pdftotext`` from poppler-utils.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from taxonomy.heldout import HELDOUT_PARTS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HELDOUT = ROOT / "data" / "heldout"

# --------------------------------------------------------------------------------------------
# Allowed values (FORMAT.md)
# --------------------------------------------------------------------------------------------

DOCX_STYLES = ("word-headings", "bold-plain", "caps-plain", "word-numbered", "custom-styles")
REVIEW_TYPES = {"CPR", "APR", "DHR", "MHHR", "OWHR", "SUSR"}
LEVELS = {"concise", "extended", None}
BOARDS = {
    "North Wales Safeguarding Board",
    "Cwm Taf Morgannwg Safeguarding Board",
    "West Glamorgan Safeguarding Board",
    "Gwent Safeguarding Board",
    "Cardiff and Vale Regional Safeguarding Board",
    "Mid and West Wales Safeguarding Board",
}
AGE_BANDS = {"unborn", "infant_<1", "1-4", "5-10", "11-15", "16-17", "18-24", "25-64", "65+", "unknown"}
SECTION_KINDS = {
    "circumstances",
    "terms_of_reference",
    "methodology",
    "family_involvement",
    "panel",
    "parallel",
    "equality",
    "timeline",
    "analysis",
    "practice_learning",
    "good_practice",
    "conclusions",
    "recommendations",
    "action_plan",
    "statements",
    "glossary",
    "wg_use_only",
    "other",
}
POLARITIES = {"shortfall", "good_practice", "recommendation", "neutral"}
STANDARD_IDS = {f"S{i:02d}" for i in range(1, 27)}
REQUIRED_TRUTH_KEYS = (
    "name",
    "writer",
    "docx_style",
    "metadata",
    "recommendations",
    "action_plan_rows",
    "sections",
    "passage_labels",
)
METADATA_KEYS = ("review_type", "level", "board", "reference", "year", "subject", "other_subjects", "age_band")
NAME_RE = re.compile(r"^(cpr|apr|dhr|mhhr|owhr|susr)_[a-z0-9]+_(\d{4}|nodate)_([a-z]{1,2})\d+$")

# Body font and look per house style (the fonts real boards' templates use).
STYLE_FONTS = {
    "word-headings": ("Calibri", 11.0),
    "bold-plain": ("Arial", 11.0),
    "caps-plain": ("Verdana", 10.0),
    "word-numbered": ("Georgia", 10.5),
    "custom-styles": ("Trebuchet MS", 10.5),
}

# --------------------------------------------------------------------------------------------
# Source markup
# --------------------------------------------------------------------------------------------

COVER_OPEN = "<!-- cover -->"
COVER_CLOSE = "<!-- /cover -->"
PAGEBREAK = "<!-- pagebreak -->"
INSTRUCTION = "<!-- instruction -->"

HEADING_RE = re.compile(r"^(#{1,6})\s+(\S.*?)\s*$")
NUMBERED_RE = re.compile(r"^(\d+)\.\s+(\S.*?)\s*$")
SUBITEM_RE = re.compile(r"^ {2,}([a-z])\)\s+(\S.*?)\s*$")
BULLET_RE = re.compile(r"^( *)- +(\S.*?)\s*$")
COMMENT_RE = re.compile(r"^<!--.*-->$")
BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
SEPARATOR_CELL_RE = re.compile(r"^:?-+:?$")


@dataclass
class Heading:
    """A heading line (``#``, ``##``, ``###``) with its text as printed."""

    level: int
    text: str


@dataclass
class Para:
    """One body paragraph; ``instruction`` marks template text left in by mistake."""

    text: str
    instruction: bool = False


@dataclass
class SubItem:
    """A lettered sub-item (``  a) text``) of a numbered list item."""

    letter: str
    text: str


@dataclass
class ListItem:
    """A numbered list item (``N. text``) with its printed number and sub-items."""

    number: int
    text: str
    subs: list[SubItem] = field(default_factory=list)


@dataclass
class NumList:
    """A run of numbered items whose printed numbers follow on from each other."""

    items: list[ListItem] = field(default_factory=list)

    @property
    def start(self) -> int:
        """The printed number of the first item."""
        return self.items[0].number


@dataclass
class Bullets:
    """Consecutive ``- text`` lines; ``level`` 0 or 1 (indented by two spaces)."""

    items: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Table:
    """A pipe table: one header row and the data rows; cells may hold line breaks (``\\n``)."""

    header: list[str]
    rows: list[list[str]]


@dataclass
class PageBreak:
    """An explicit ``<!-- pagebreak -->``."""


Block = Heading | Para | NumList | Bullets | Table | PageBreak


@dataclass
class Source:
    """A parsed source file: cover lines, body blocks and any markup problems found."""

    cover: list[str]
    blocks: list[Block]
    problems: list[str]

    def headings(self) -> list[Heading]:
        """All headings in order."""
        return [b for b in self.blocks if isinstance(b, Heading)]

    def block_texts(self) -> list[str]:
        """Texts a snippet may start: paragraphs, list items (with and without number), bullets, cells."""
        out: list[str] = []
        for b in self.blocks:
            if isinstance(b, Para):
                out.append(b.text)
            elif isinstance(b, NumList):
                for it in b.items:
                    out += [it.text, f"{it.number}. {it.text}"]
                    for s in it.subs:
                        out += [s.text, f"{s.letter}) {s.text}"]
            elif isinstance(b, Bullets):
                out += [t for _, t in b.items]
            elif isinstance(b, Table):
                for row in [b.header, *b.rows]:
                    for cell in row:
                        out += [cell, cell.replace("\n", " ")]
                        out += cell.split("\n")
        return out


def split_row(line: str) -> list[str]:
    """Split one pipe-table line into stripped cells (``\\|`` is a literal pipe)."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells = re.split(r"(?<!\\)\|", s)
    return [BR_RE.sub("\n", c.strip().replace("\\|", "|")) for c in cells]


def parse_source(text: str) -> Source:
    """Parse the source markup of FORMAT.md into cover lines and blocks.

    Numbered items continue the current list (even across blank lines) only when their printed
    number is one more than the previous item's; otherwise a new list starts, so automatic
    numbering can always reproduce the printed numbers.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    problems: list[str] = []
    cover: list[str] = []
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and lines[i].strip() == COVER_OPEN:
        i += 1
        while i < len(lines) and lines[i].strip() != COVER_CLOSE:
            if lines[i].strip():
                cover.append(lines[i].strip())
            i += 1
        if i >= len(lines):
            problems.append("cover block is not closed by <!-- /cover -->")
        i += 1
    else:
        problems.append("file does not start with a <!-- cover --> block")

    blocks: list[Block] = []
    instruction = False
    blank_since_block = False
    while i < len(lines):
        raw = lines[i].rstrip()
        stripped = raw.strip()
        lineno = i + 1
        i += 1
        if not stripped:
            blank_since_block = True
            continue
        last = blocks[-1] if blocks else None
        if stripped == PAGEBREAK:
            blocks.append(PageBreak())
        elif stripped == INSTRUCTION:
            instruction = True
            continue
        elif COMMENT_RE.match(stripped):
            problems.append(f"line {lineno}: unknown comment {stripped!r} (not printed)")
            continue
        elif m := HEADING_RE.match(raw):
            level = len(m.group(1))
            if level > 3:
                problems.append(f"line {lineno}: heading level {level} (only #, ##, ### allowed); printed as level 3")
                level = 3
            blocks.append(Heading(level, m.group(2)))
        elif m := NUMBERED_RE.match(raw):
            n = int(m.group(1))
            item = ListItem(n, m.group(2))
            if isinstance(last, NumList) and last.items[-1].number + 1 == n:
                last.items.append(item)
            else:
                blocks.append(NumList([item]))
        elif m := SUBITEM_RE.match(raw):
            if isinstance(last, NumList) and not blank_since_block:
                last.items[-1].subs.append(SubItem(m.group(1), m.group(2)))
            else:
                problems.append(f"line {lineno}: sub-item outside a numbered list; printed as a paragraph")
                blocks.append(Para(stripped, instruction))
        elif m := BULLET_RE.match(raw):
            level = 1 if len(m.group(1)) >= 2 else 0
            if isinstance(last, Bullets) and not blank_since_block:
                last.items.append((level, m.group(2)))
            else:
                blocks.append(Bullets([(level, m.group(2))]))
        elif stripped.startswith("|"):
            rows = [stripped]
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i].strip())
                i += 1
            blocks.append(parse_table(rows, lineno, problems))
        else:
            if raw != stripped and raw.startswith(" "):
                problems.append(
                    f"line {lineno}: indented line that is not a sub-item or bullet; printed as a paragraph"
                )
            blocks.append(Para(stripped, instruction))
        instruction = False
        blank_since_block = False
    if instruction:
        problems.append("<!-- instruction --> at the end of the file marks nothing")
    return Source(cover, blocks, problems)


def parse_table(rows: list[str], lineno: int, problems: list[str]) -> Table:
    """Turn pipe-table lines (header, separator, data rows) into a :class:`Table`."""
    cells = [split_row(r) for r in rows]
    header = cells[0]
    if len(cells) > 1 and all(SEPARATOR_CELL_RE.match(c.replace(" ", "")) for c in cells[1]):
        data = cells[2:]
    else:
        problems.append(f"line {lineno}: table has no |---| separator row after its header")
        data = cells[1:]
    width = len(header)
    fixed: list[list[str]] = []
    for k, row in enumerate(data):
        if len(row) != width:
            problems.append(f"line {lineno}: table row {k + 1} has {len(row)} cells, header has {width}")
            row = (row + [""] * width)[:width]
        fixed.append(row)
    return Table(header, fixed)


# --------------------------------------------------------------------------------------------
# Word numbering (numbering.xml)
# --------------------------------------------------------------------------------------------

HEADING_NUMBER_RE = re.compile(r"^(\d+(?:\.\d+){0,2})(\.?)\s+(\S.*)$")
HEADING_LVL_TEXT = ("%1.", "%1.%2", "%1.%2.%3")


class Numbering:
    """Adds abstract numbering definitions and list instances to the document's numbering part."""

    def __init__(self, doc: DocxDocument) -> None:
        """Bind to ``doc``'s numbering part (python-docx's template always has one)."""
        self.root = doc.part.numbering_part.element
        ids = [int(a.get(qn("w:abstractNumId"))) for a in self.root.findall(qn("w:abstractNum"))]
        self._next_abstract = max(ids, default=-1) + 1
        self._nsid = 0x2A6B1000

    def add_abstract(self, levels: Sequence[str], multilevel: bool) -> int:
        """Add an ``w:abstractNum`` from ``w:lvl`` XML snippets; return its id."""
        aid = self._next_abstract
        self._next_abstract += 1
        self._nsid += 0x1F3
        kind = "multilevel" if multilevel else "hybridMultilevel"
        xml = (
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{aid}">'
            f'<w:nsid w:val="{self._nsid:08X}"/><w:multiLevelType w:val="{kind}"/>'
            f'<w:tmpl w:val="{(self._nsid * 7) & 0xFFFFFFFF:08X}"/>' + "".join(levels) + "</w:abstractNum>"
        )
        element = parse_xml(xml)
        first_num = self.root.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(element)
        else:
            self.root.append(element)
        return aid

    def add_num(self, abstract_id: int, start_overrides: dict[int, int] | None = None) -> int:
        """Add a ``w:num`` instance of ``abstract_id`` with optional per-level ``w:startOverride``."""
        num_id = self.root._next_numId
        overrides = "".join(
            f'<w:lvlOverride w:ilvl="{lvl}"><w:startOverride w:val="{val}"/></w:lvlOverride>'
            for lvl, val in sorted((start_overrides or {}).items())
        )
        xml = f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'
        self.root.append(parse_xml(xml))
        return num_id

    def heading_abstract(self) -> int:
        """Multi-level heading numbering: ``%1.``, ``%1.%2``, ``%1.%2.%3`` (bold, number then tab)."""
        levels = []
        for lvl, text in enumerate(HEADING_LVL_TEXT):
            indent = (567, 851, 1134)[lvl]
            levels.append(
                f'<w:lvl w:ilvl="{lvl}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
                f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{indent}" w:hanging="{indent}"/></w:pPr>'
                f"<w:rPr><w:b/><w:bCs/></w:rPr></w:lvl>"
            )
        return self.add_abstract(levels, multilevel=True)

    def list_abstract(self) -> int:
        """List numbering: decimal ``%1.`` with lower-letter ``%2)`` sub-items."""
        levels = [
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl>',
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/>'
            '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="1440" w:hanging="360"/></w:pPr></w:lvl>',
        ]
        return self.add_abstract(levels, multilevel=False)


def set_numpr(paragraph: Paragraph, num_id: int, ilvl: int) -> None:
    """Attach ``w:numPr`` (``w:ilvl`` and ``w:numId``) to a paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    numpr = parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
    # numPr follows pStyle/keepNext/keepLines/pageBreakBefore/framePr/widowControl in CT_PPr.
    anchor = None
    for tag in ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl"):
        found = ppr.find(qn(tag))
        if found is not None:
            anchor = found
    if anchor is not None:
        anchor.addnext(numpr)
    else:
        ppr.insert(0, numpr)


def mark_run_props(paragraph: Paragraph, bold: bool, size: float | None, italic: bool = False) -> None:
    """Give the paragraph mark the run formatting (Word draws the list number with it)."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = parse_xml(f"<w:rPr {nsdecls('w')}/>")
        ppr.append(rpr)
    if bold:
        rpr.append(parse_xml(f"<w:b {nsdecls('w')}/>"))
    if italic:
        rpr.append(parse_xml(f"<w:i {nsdecls('w')}/>"))
    if size:
        rpr.append(parse_xml(f'<w:sz {nsdecls("w")} w:val="{int(size * 2)}"/>'))


class HeadingCounter:
    """Simulates Word's counters for the multi-level heading list to decide which headings it can number."""

    def __init__(self) -> None:
        """Start with no heading numbered."""
        self.counters = [0, 0, 0]
        self.started = False
        self.start_override: int | None = None

    def accept(self, parts: tuple[int, ...]) -> bool:
        """Return True (and advance) if Word would print exactly ``parts`` for the next heading at its level."""
        depth = len(parts)
        if not self.started:
            if depth != 1 or parts[0] < 1:
                return False
            self.started = True
            self.start_override = parts[0] if parts[0] != 1 else None
            self.counters = [parts[0], 0, 0]
            return True
        if any(self.counters[k] == 0 for k in range(depth - 1)):
            return False
        expected = tuple(self.counters[: depth - 1]) + (self.counters[depth - 1] + 1,)
        if parts != expected:
            return False
        self.counters[depth - 1] += 1
        for k in range(depth, 3):
            self.counters[k] = 0
        return True


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def board_abbreviation(board: str) -> str:
    """Initials of the board's name ("Cwm Taf Morgannwg Safeguarding Board" -> "CTMSB")."""
    words = [w for w in re.split(r"[\s-]+", board) if w and w[0].isupper()]
    return "".join(w[0] for w in words) or "RSB"


def cover_title(cover: list[str], truth: dict[str, Any]) -> str:
    """Pick the report title from the cover lines (the first line naming a review or report)."""
    for words in (r"review|report", r"adolygiad|adroddiad"):  # English title first, Welsh if none
        for line in cover[1:]:
            low = line.lower()
            if re.search(rf"\b({words})\b", low) and not re.match(r"^(ref|reference|published|date|cyhoeddwyd)\b", low):
                return line
    meta = truth.get("metadata") or {}
    return " ".join(str(x) for x in (meta.get("review_type"), meta.get("subject")) if x) or (cover[0] if cover else "")


def add_field(paragraph: Paragraph, instr: str, placeholder: str) -> None:
    """Append a complex field (``PAGE``, ``NUMPAGES``) to a paragraph."""
    runs = [
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> {instr} \\* MERGEFORMAT </w:instrText></w:r>',
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {nsdecls('w')}><w:t>{placeholder}</w:t></w:r>",
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>',
    ]
    for r in runs:
        paragraph._p.append(parse_xml(r))


def set_cell_shading(cell: Any, fill: str) -> None:
    """Shade a table cell (header rows in some house styles)."""
    tcpr = cell._tc.get_or_add_tcPr()
    tcpr.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def set_style_font(style: Any, name: str) -> None:
    """Set a style's font for all scripts (ascii, hAnsi, cs, eastAsia)."""
    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is not None:
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rfonts.set(qn(attr), name)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            if rfonts.get(qn(attr)) is not None:
                del rfonts.attrib[qn(attr)]


class Renderer:
    """Renders one parsed source into a python-docx document in one house style."""

    def __init__(self, source: Source, truth: dict[str, Any], warn: list[str]) -> None:
        """Prepare a blank A4 document with the house style's fonts, styles and page furniture."""
        self.source = source
        self.truth = truth
        self.warn = warn
        self.style: str = truth.get("docx_style", "word-headings")
        if self.style not in DOCX_STYLES:
            warn.append(f"unknown docx_style {self.style!r}; using word-headings")
            self.style = "word-headings"
        meta = truth.get("metadata") or {}
        self.board: str = meta.get("board") or (source.cover[0] if source.cover else "Safeguarding Board")
        self.abbr = board_abbreviation(self.board)
        self.font, self.size = STYLE_FONTS[self.style]
        self.doc: DocxDocument = Document()
        self.numbering = Numbering(self.doc)
        self.heading_num_id: int | None = None
        self.heading_counter = HeadingCounter()
        self.list_abstract: int | None = None
        self.last_break = False
        self._setup()

    # -- document setup --------------------------------------------------------------------
    def _setup(self) -> None:
        doc = self.doc
        for section in doc.sections:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = Mm(210), Mm(297)
            margin = Cm(2.54) if self.style in ("word-headings", "bold-plain") else Cm(2.2)
            section.left_margin = section.right_margin = margin
            section.top_margin = section.bottom_margin = Cm(2.5)
            section.header_distance = section.footer_distance = Cm(1.25)
        normal = doc.styles["Normal"]
        set_style_font(normal, self.font)
        normal.font.size = Pt(self.size)
        pf = normal.paragraph_format
        pf.space_after = Pt(8 if self.style != "caps-plain" else 10)
        pf.line_spacing = 1.15 if self.style in ("word-headings", "custom-styles") else 1.0
        if self.style == "word-headings":
            for lvl, size in ((1, 16), (2, 13), (3, 12)):
                st = doc.styles[f"Heading {lvl}"]
                set_style_font(st, self.font)
                st.font.size = Pt(size)
                st.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
                st.paragraph_format.space_before = Pt(18 if lvl == 1 else 12)
                st.paragraph_format.space_after = Pt(6)
        for name in ("List Bullet", "List Bullet 2", "List Paragraph"):
            doc.styles[name].paragraph_format.space_after = Pt(4)
        if self.style == "custom-styles":
            self._custom_styles()
        if self.style in ("word-numbered", "custom-styles"):
            self.list_abstract = self.numbering.list_abstract()
        if self.style == "word-numbered":
            self.heading_abstract = self.numbering.heading_abstract()
        self._header_footer()
        props = doc.core_properties
        props.title = cover_title(self.source.cover, self.truth)
        props.author = self.board
        props.last_modified_by = self.board
        props.subject = ""
        props.keywords = ""
        props.comments = ""
        props.category = ""
        props.revision = 1

    def _custom_styles(self) -> None:
        """Board-named paragraph styles, based on Normal (never on Heading styles), no outline level."""
        styles = self.doc.styles
        spec = (
            (f"{self.abbr} Heading", 13.0, False, 16, 6),
            (f"{self.abbr} Subheading", 11.0, False, 12, 4),
            (f"{self.abbr} Minor Heading", 11.0, True, 10, 4),
        )
        for name, size, italic, before, after in spec:
            st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            st.base_style = styles["Normal"]
            st.next_paragraph_style = None
            st.font.bold = True
            st.font.italic = italic
            st.font.size = Pt(size)
            st.font.color.rgb = RGBColor(0x00, 0x5A, 0x70)
            st.paragraph_format.space_before = Pt(before)
            st.paragraph_format.space_after = Pt(after)
            st.paragraph_format.keep_with_next = True
            st.quick_style = True
        body = styles.add_style(f"{self.abbr} Body", WD_STYLE_TYPE.PARAGRAPH)
        body.base_style = styles["Normal"]
        body.font.size = Pt(self.size)
        body.paragraph_format.space_after = Pt(6)
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        body.quick_style = True
        for name, _, _, _, _ in spec:
            styles[name].next_paragraph_style = body

    def _header_footer(self) -> None:
        header_text = (self.truth.get("running_header") or "").strip()
        footer_text = (self.truth.get("footer") or "").strip()
        page_numbers = bool(self.truth.get("page_numbers"))
        section = self.doc.sections[0]
        hp = section.header.paragraphs[0]
        if header_text:
            run = hp.add_run(header_text)
            run.font.size = Pt(8)
            run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
            hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT if self.style != "caps-plain" else WD_ALIGN_PARAGRAPH.CENTER
        fp = section.footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if footer_text:
            run = fp.add_run(footer_text)
            run.font.size = Pt(8)
            run.bold = self.style in ("bold-plain", "caps-plain")
        if page_numbers:
            pp = section.footer.add_paragraph() if footer_text else fp
            pp.alignment = WD_ALIGN_PARAGRAPH.CENTER if self.style != "word-headings" else WD_ALIGN_PARAGRAPH.RIGHT
            pp.add_run("Page ").font.size = Pt(8)
            add_field(pp, "PAGE", "1")
            pp.add_run(" of ").font.size = Pt(8)
            add_field(pp, "NUMPAGES", "1")
            for r in pp._p.iter(qn("w:r")):
                rpr = r.find(qn("w:rPr"))
                if rpr is None:
                    rpr = parse_xml(f'<w:rPr {nsdecls("w")}><w:sz w:val="16"/></w:rPr>')
                    r.insert(0, rpr)

    # -- body --------------------------------------------------------------------------------
    @property
    def body_style(self) -> str:
        """Paragraph style for body text."""
        return f"{self.abbr} Body" if self.style == "custom-styles" else "Normal"

    def render(self) -> DocxDocument:
        """Render the cover and every block; return the document."""
        self._cover()
        for block in self.source.blocks:
            if isinstance(block, PageBreak):
                self._page_break()
                continue
            self.last_break = False
            if isinstance(block, Heading):
                self._heading(block)
            elif isinstance(block, Para):
                self._para(block)
            elif isinstance(block, NumList):
                self._numlist(block)
            elif isinstance(block, Bullets):
                self._bullets(block)
            elif isinstance(block, Table):
                self._table(block)
        return self.doc

    def _page_break(self) -> None:
        if self.last_break:
            return
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.last_break = True

    def _cover(self) -> None:
        title = cover_title(self.source.cover, self.truth)
        for k, line in enumerate(self.source.cover):
            p = self.doc.add_paragraph(style="Normal")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(10)
            if k == 0:
                p.paragraph_format.space_before = Pt(110)
            run = p.add_run(line)
            if line == title:
                run.bold = True
                run.font.size = Pt(22)
                p.paragraph_format.space_before = Pt(36)
                p.paragraph_format.space_after = Pt(24)
            elif k == 0:
                run.bold = True
                run.font.size = Pt(18)
            elif k == 1:
                run.font.size = Pt(15)
                run.italic = True
            else:
                run.font.size = Pt(14)
        if self.source.cover:
            self._page_break()

    def _heading(self, h: Heading) -> None:
        doc, style, level = self.doc, self.style, h.level
        if style == "word-headings":
            doc.add_paragraph(h.text, style=f"Heading {level}")
            return
        if style == "custom-styles":
            name = (f"{self.abbr} Heading", f"{self.abbr} Subheading", f"{self.abbr} Minor Heading")[level - 1]
            doc.add_paragraph(h.text, style=name)
            return
        p = doc.add_paragraph(style="Normal")
        pf = p.paragraph_format
        pf.keep_with_next = True
        pf.space_before = Pt((18, 12, 10)[level - 1])
        pf.space_after = Pt(6)
        if style == "bold-plain":
            run = p.add_run(h.text)
            run.bold = True
            run.font.size = Pt((14, 12, 11)[level - 1])
        elif style == "caps-plain":
            run = p.add_run(h.text)
            if level == 1:
                run.underline = True
                run.bold = False
                run.font.size = Pt(11)
            else:
                run.bold = True
                run.italic = True
        else:  # word-numbered
            size = (13.0, 12.0, 11.0)[level - 1]
            text = h.text
            m = HEADING_NUMBER_RE.match(h.text)
            if m:
                parts = tuple(int(x) for x in m.group(1).split("."))
                dotted = bool(m.group(2))
                form_ok = (len(parts) == 1) == dotted  # "3." at level 1, "3.2"/"3.2.1" without final dot
                if form_ok and self.heading_counter.accept(parts):
                    if self.heading_num_id is None:
                        over = self.heading_counter.start_override
                        self.heading_num_id = self.numbering.add_num(self.heading_abstract, {0: over} if over else None)
                    set_numpr(p, self.heading_num_id, len(parts) - 1)
                    mark_run_props(p, bold=True, size=size)
                    text = m.group(3)
                else:
                    printed = m.group(1) + m.group(2)
                    self.warn.append(
                        f"heading {h.text!r}: Word's list would not print {printed!r} here; kept as typed text"
                    )
            run = p.add_run(text)
            run.bold = True
            run.font.size = Pt(size)

    def _para(self, para: Para) -> None:
        p = self.doc.add_paragraph(para.text, style=self.body_style)
        if self.style == "word-numbered":
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    def _numlist(self, lst: NumList) -> None:
        doc = self.doc
        if self.style in ("word-numbered", "custom-styles"):
            assert self.list_abstract is not None
            # Word continues a list that shares an abstractNum unless the instance restarts it,
            # so every list instance carries a startOverride (as Word writes for "Restart at").
            num_id = self.numbering.add_num(self.list_abstract, {0: lst.start})
            style = "List Paragraph" if self.style == "word-numbered" else self.body_style
            for item in lst.items:
                p = doc.add_paragraph(item.text, style=style)
                set_numpr(p, num_id, 0)
                p.paragraph_format.space_after = Pt(4)
                for k, sub in enumerate(item.subs):
                    sp = doc.add_paragraph(sub.text, style=style)
                    sp.paragraph_format.space_after = Pt(3)
                    if sub.letter == chr(ord("a") + k):
                        set_numpr(sp, num_id, 1)
                    else:
                        self.warn.append(f"sub-item '{sub.letter})' out of sequence; kept as typed text")
                        sp.text = ""
                        sp.add_run(f"{sub.letter})\t{sub.text}")
                        sp.paragraph_format.left_indent = Cm(2.54)
                        sp.paragraph_format.first_line_indent = Cm(-0.63)
            return
        typed_style = "List Paragraph" if self.style == "word-headings" else "Normal"
        sep = " " if self.style == "bold-plain" else "\t"
        for item in lst.items:
            p = doc.add_paragraph(f"{item.number}.{sep}{item.text}", style=typed_style)
            pf = p.paragraph_format
            pf.left_indent, pf.first_line_indent = Cm(1.0), Cm(-0.75)
            pf.space_after = Pt(4)
            for sub in item.subs:
                sp = doc.add_paragraph(f"{sub.letter}){sep}{sub.text}", style=typed_style)
                sp.paragraph_format.left_indent, sp.paragraph_format.first_line_indent = Cm(1.75), Cm(-0.75)
                sp.paragraph_format.space_after = Pt(3)

    def _bullets(self, bl: Bullets) -> None:
        for level, text in bl.items:
            self.doc.add_paragraph(text, style="List Bullet" if level == 0 else "List Bullet 2")

    def _table(self, tb: Table) -> None:
        doc = self.doc
        ncols = len(tb.header)
        table: DocxTable = doc.add_table(rows=1 + len(tb.rows), cols=ncols)
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        cell_size = Pt(max(self.size - 1.5, 8.5))
        fill = {"word-headings": "D9E2F3", "word-numbered": "E7E6E6", "custom-styles": "CCE5EA"}.get(self.style)
        for r, row in enumerate([tb.header, *tb.rows]):
            tr = table.rows[r]
            if r == 0:
                trpr = tr._tr.get_or_add_trPr()
                trpr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))
            for c, text in enumerate(row):
                cell = tr.cells[c]
                p = cell.paragraphs[0]
                p.paragraph_format.space_after = Pt(2)
                p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
                for k, piece in enumerate(text.split("\n")):
                    if k:
                        p.runs[-1].add_break() if p.runs else p.add_run().add_break()
                    run = p.add_run(piece)
                    run.font.size = cell_size
                    if r == 0:
                        run.bold = True
                if r == 0 and fill:
                    set_cell_shading(cell, fill)
        # Widths as an officer would drag them: every column wide enough for its longest word,
        # the rest shared by how much text each column holds.
        section = doc.sections[-1]
        usable = int((section.page_width or Mm(210)) - (section.left_margin or 0) - (section.right_margin or 0))
        char = int(cell_size * 0.62)  # average bold character width in EMU, roughly
        padding = int(Cm(0.35))
        minimum: list[int] = []
        share: list[float] = []
        for c in range(ncols):
            column = [row[c] for row in [tb.header, *tb.rows]]
            longest_word = max((len(w) for cell in column for w in cell.split()), default=1)
            minimum.append(longest_word * char + padding)
            share.append(min(sum(len(cell) for cell in column) / len(column), 80.0) + 2)
        spare = usable - sum(minimum)
        if spare >= 0:
            widths = [m + int(spare * w / sum(share)) for m, w in zip(minimum, share, strict=True)]
        else:
            widths = [int(usable * m / sum(minimum)) for m in minimum]
        table.autofit = False
        for c, width in enumerate(widths):
            table.columns[c].width = width
            for cell in table.columns[c].cells:
                cell.width = width
        spacer = doc.add_paragraph(style="Normal")
        spacer.paragraph_format.space_after = Pt(6)


# --------------------------------------------------------------------------------------------
# Corpus walking
# --------------------------------------------------------------------------------------------


@dataclass
class Review:
    """One review: its part, name, source path and truth path."""

    part: str
    name: str
    md: Path
    truth: Path


def find_reviews(heldout: Path, parts: Iterable[str], only: Sequence[str]) -> tuple[list[Review], list[str]]:
    """List reviews with both files; return them and problems for unpaired files."""
    wanted = {Path(o).name.removesuffix(".truth.json").removesuffix(".md").removesuffix(".docx") for o in only}
    reviews: list[Review] = []
    problems: list[str] = []
    for part in parts:
        src = heldout / part / "sources"
        if not src.is_dir():
            continue
        names = {p.name.removesuffix(".md") for p in src.glob("*.md")}
        names |= {p.name.removesuffix(".truth.json") for p in src.glob("*.truth.json")}
        for name in sorted(names):
            if wanted and name not in wanted:
                continue
            md, truth = src / f"{name}.md", src / f"{name}.truth.json"
            if not md.exists():
                problems.append(f"{part}/sources/{name}.truth.json: no {name}.md beside it")
            elif not truth.exists():
                problems.append(f"{part}/sources/{name}.md: no {name}.truth.json beside it")
            else:
                reviews.append(Review(part, name, md, truth))
    missing = wanted - {r.name for r in reviews}
    for name in sorted(missing):
        if not any(name in p for p in problems):
            problems.append(f"--only {name}: no such review in {', '.join(parts)}")
    return reviews, problems


def load_truth(path: Path) -> dict[str, Any]:
    """Read a truth file (raises ValueError on bad JSON or a non-object)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("truth file is not a JSON object")
    return data


# --------------------------------------------------------------------------------------------
# --check
# --------------------------------------------------------------------------------------------


def action_plan_counts(source: Source, kinds: list[str]) -> tuple[int, int]:
    """Data rows of tables in action-plan sections, counted two ways.

    Strict: tables under an ``action_plan`` heading and its sub-headings (until the next heading of
    the same or a higher level). Loose: all tables after an ``action_plan`` heading until the next
    level-1 heading.
    """
    strict = loose = 0
    strict_level: int | None = None
    loose_on = False
    h_index = -1
    for b in source.blocks:
        if isinstance(b, Heading):
            h_index += 1
            kind = kinds[h_index] if h_index < len(kinds) else "other"
            if strict_level is not None and b.level <= strict_level:
                strict_level = None
            if kind == "action_plan" and strict_level is None:
                strict_level = b.level
            if b.level == 1:
                loose_on = False
            if kind == "action_plan":
                loose_on = True
        elif isinstance(b, Table):
            if strict_level is not None:
                strict += len(b.rows)
            if loose_on:
                loose += len(b.rows)
    return strict, loose


def check_review(rv: Review) -> tuple[list[str], list[str]]:
    """Validate one source+truth pair; return (problems, warnings), each line naming file and field."""
    tf = f"{rv.part}/sources/{rv.name}.truth.json"
    mf = f"{rv.part}/sources/{rv.name}.md"
    problems: list[str] = []
    warnings: list[str] = []
    text = rv.md.read_text(encoding="utf-8")
    source = parse_source(text)
    problems += [f"{mf}: markup: {p}" for p in source.problems]
    try:
        truth = load_truth(rv.truth)
    except (ValueError, json.JSONDecodeError) as exc:
        return problems + [f"{tf}: not valid JSON: {exc}"], warnings

    for key in REQUIRED_TRUTH_KEYS:
        if key not in truth:
            problems.append(f"{tf}: {key}: missing")
    if truth.get("name") not in (None, rv.name):
        problems.append(f"{tf}: name: {truth.get('name')!r} differs from the file name {rv.name!r}")
    m = NAME_RE.match(rv.name)
    if not m:
        problems.append(f"{tf}: name: {rv.name!r} is not <type>_<boardtoken>_<year|nodate>_<writer><n>")
    elif "writer" in truth and truth["writer"] != m.group(3):
        problems.append(f"{tf}: writer: {truth['writer']!r} but the name's writer letter is {m.group(3)!r}")
    if "docx_style" in truth and truth["docx_style"] not in DOCX_STYLES:
        problems.append(f"{tf}: docx_style: {truth['docx_style']!r} not one of {', '.join(DOCX_STYLES)}")
    for key in ("running_header", "footer"):
        if truth.get(key) is not None and not isinstance(truth[key], str):
            problems.append(f"{tf}: {key}: must be a string or null")
    if "page_numbers" in truth and not isinstance(truth["page_numbers"], bool):
        problems.append(f"{tf}: page_numbers: must be true or false")
    if "features" in truth and not (
        isinstance(truth["features"], list) and all(isinstance(f, str) for f in truth["features"])
    ):
        problems.append(f"{tf}: features: must be a list of strings")

    meta = truth.get("metadata")
    if isinstance(meta, dict):
        for key in METADATA_KEYS:
            if key not in meta:
                problems.append(f"{tf}: metadata.{key}: missing")
        if "review_type" in meta and meta["review_type"] not in REVIEW_TYPES:
            problems.append(f"{tf}: metadata.review_type: {meta['review_type']!r} not allowed")
        elif m and "review_type" in meta and meta["review_type"].lower() != m.group(1):
            problems.append(f"{tf}: metadata.review_type: {meta['review_type']!r} but the name says {m.group(1)!r}")
        if "level" in meta and meta["level"] not in LEVELS:
            problems.append(f"{tf}: metadata.level: {meta['level']!r} not concise, extended or null")
        if "board" in meta and meta["board"] not in BOARDS:
            problems.append(f"{tf}: metadata.board: {meta['board']!r} is not one of the six board names")
        ref = meta.get("reference")
        if ref is not None and not (isinstance(ref, str) and ref.strip()):
            problems.append(f"{tf}: metadata.reference: must be a non-empty string or null")
        elif isinstance(ref, str) and ref not in text:
            problems.append(f"{tf}: metadata.reference: {ref!r} is not printed verbatim in the source")
        year = meta.get("year")
        if "year" in meta and not (isinstance(year, int) and not isinstance(year, bool) and 1990 <= year <= 2035):
            problems.append(f"{tf}: metadata.year: {year!r} is not a year")
        elif m and m.group(2) != "nodate" and isinstance(year, int) and int(m.group(2)) != year:
            problems.append(f"{tf}: metadata.year: {year} but the name says {m.group(2)}")
        if "subject" in meta and not (isinstance(meta["subject"], str) and meta["subject"].strip()):
            problems.append(f"{tf}: metadata.subject: must be a non-empty string")
        others = meta.get("other_subjects")
        if "other_subjects" in meta and not (isinstance(others, list) and all(isinstance(o, str) for o in others)):
            problems.append(f"{tf}: metadata.other_subjects: must be a list of strings")
        if "age_band" in meta and meta["age_band"] not in AGE_BANDS:
            problems.append(f"{tf}: metadata.age_band: {meta['age_band']!r} not allowed")
    elif "metadata" in truth:
        problems.append(f"{tf}: metadata: must be an object")

    recs = truth.get("recommendations")
    if isinstance(recs, list):
        for k, rec in enumerate(recs):
            where = f"{tf}: recommendations[{k}]"
            if not isinstance(rec, dict) or not isinstance(rec.get("number"), str) or not rec.get("number"):
                problems.append(f"{where}.number: missing or not a string")
            sw = rec.get("starts_with") if isinstance(rec, dict) else None
            if not isinstance(sw, str) or not sw.strip():
                problems.append(f"{where}.starts_with: missing or empty")
            elif sw not in text:
                problems.append(f"{where}.starts_with: {sw!r} does not occur verbatim in the source")
    elif "recommendations" in truth:
        problems.append(f"{tf}: recommendations: must be a list")

    headings = source.headings()
    sections = truth.get("sections")
    kinds: list[str] = []
    if isinstance(sections, list):
        for k, sec in enumerate(sections):
            kind = sec.get("kind") if isinstance(sec, dict) else None
            kinds.append(kind if isinstance(kind, str) else "other")
            if kind not in SECTION_KINDS:
                problems.append(f"{tf}: sections[{k}].kind: {kind!r} not allowed")
        truth_heads = [s.get("heading") if isinstance(s, dict) else None for s in sections]
        src_heads = [h.text for h in headings]
        for k in range(max(len(truth_heads), len(src_heads))):
            th = truth_heads[k] if k < len(truth_heads) else None
            sh = src_heads[k] if k < len(src_heads) else None
            if th != sh:
                if th is None:
                    problems.append(f"{tf}: sections[{k}].heading: missing; source heading {k + 1} is {sh!r}")
                elif sh is None:
                    problems.append(f"{tf}: sections[{k}].heading: {th!r} but the source has only {len(src_heads)}")
                else:
                    problems.append(f"{tf}: sections[{k}].heading: {th!r} but source heading {k + 1} is {sh!r}")
                break  # later lines would only repeat the shift
    elif "sections" in truth:
        problems.append(f"{tf}: sections: must be a list")

    apr = truth.get("action_plan_rows")
    if "action_plan_rows" in truth and not (isinstance(apr, int) and not isinstance(apr, bool) and apr >= 0):
        problems.append(f"{tf}: action_plan_rows: {apr!r} is not a count")
    elif isinstance(apr, int) and isinstance(sections, list) and len(kinds) == len(headings):
        strict, loose = action_plan_counts(source, kinds)
        if apr not in (strict, loose):
            counted = f"{strict}" if strict == loose else f"{strict} (own section) or {loose} (to next level-1 heading)"
            problems.append(f"{tf}: action_plan_rows: {apr} but the action-plan tables have {counted} data rows")

    labels = truth.get("passage_labels")
    if isinstance(labels, list):
        starts = source.block_texts()
        seen: dict[str, int] = {}
        for k, lab in enumerate(labels):
            where = f"{tf}: passage_labels[{k}]"
            if not isinstance(lab, dict):
                problems.append(f"{where}: not an object")
                continue
            snip = lab.get("snippet")
            if not isinstance(snip, str) or not snip.strip():
                problems.append(f"{where}.snippet: missing or empty")
            else:
                if snip in seen:
                    problems.append(f"{where}.snippet: same snippet as passage_labels[{seen[snip]}]")
                seen.setdefault(snip, k)
                if len(snip) > 60:
                    problems.append(f"{where}.snippet: {len(snip)} characters (at most 60)")
                if snip not in text:
                    problems.append(f"{where}.snippet: {snip!r} does not occur verbatim in the source")
                elif not any(s.startswith(snip) for s in starts):
                    problems.append(f"{where}.snippet: {snip!r} does not start a paragraph or list item")
            stds = lab.get("standards")
            if not isinstance(stds, list):
                problems.append(f"{where}.standards: must be a list")
            else:
                for s in stds:
                    if s not in STANDARD_IDS:
                        problems.append(f"{where}.standards: {s!r} is not S01-S26")
                if len(set(stds)) != len(stds):
                    problems.append(f"{where}.standards: repeated id")
            if lab.get("polarity") not in POLARITIES:
                problems.append(f"{where}.polarity: {lab.get('polarity')!r} not allowed")
    elif "passage_labels" in truth:
        problems.append(f"{tf}: passage_labels: must be a list")

    if truth.get("docx_style") == "word-numbered":
        warn: list[str] = []
        Renderer(source, truth, warn).render()
        warnings += [f"{mf}: word-numbered: {w}" for w in warn]
    return problems, warnings


# --------------------------------------------------------------------------------------------
# --verify
# --------------------------------------------------------------------------------------------


def _format_number(value: int, fmt: str) -> str:
    """Format one list counter as Word would (decimal, letters, roman)."""
    if fmt in ("lowerLetter", "upperLetter"):
        s = ""
        n = value
        while n > 0:
            n, r = divmod(n - 1, 26)
            s = chr(ord("a") + r) + s
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        table = (
            (1000, "m"),
            (900, "cm"),
            (500, "d"),
            (400, "cd"),
            (100, "c"),
            (90, "xc"),
            (50, "l"),
            (40, "xl"),
            (10, "x"),
            (9, "ix"),
            (5, "v"),
            (4, "iv"),
            (1, "i"),
        )
        s, n = "", value
        for v, sym in table:
            while n >= v:
                s, n = s + sym, n - v
        return s.upper() if fmt == "upperRoman" else s
    if fmt == "bullet":
        return ""
    return str(value)


def docx_text(path: Path) -> str:
    """Text of a DOCX body in reading order, with directly attached list numbers rendered."""
    doc = Document(str(path))
    numbering = doc.part.numbering_part.element
    abstracts: dict[str, dict[int, tuple[int, str, str]]] = {}
    for a in numbering.findall(qn("w:abstractNum")):
        lvls: dict[int, tuple[int, str, str]] = {}
        for lvl in a.findall(qn("w:lvl")):
            start = lvl.find(qn("w:start"))
            fmt = lvl.find(qn("w:numFmt"))
            txt = lvl.find(qn("w:lvlText"))
            lvls[int(lvl.get(qn("w:ilvl")))] = (
                int(start.get(qn("w:val"))) if start is not None else 1,
                fmt.get(qn("w:val")) if fmt is not None else "decimal",
                txt.get(qn("w:val")) if txt is not None else "",
            )
        abstracts[a.get(qn("w:abstractNumId"))] = lvls
    nums: dict[str, tuple[str, dict[int, int]]] = {}
    for n in numbering.findall(qn("w:num")):
        over: dict[int, int] = {}
        for o in n.findall(qn("w:lvlOverride")):
            so = o.find(qn("w:startOverride"))
            if so is not None:
                over[int(o.get(qn("w:ilvl")))] = int(so.get(qn("w:val")))
        nums[n.get(qn("w:numId"))] = (n.find(qn("w:abstractNumId")).get(qn("w:val")), over)
    counters: dict[str, dict[int, int]] = {}

    def label(p: BaseOxmlElement) -> str:
        numpr = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if numpr is None:
            return ""
        nid = numpr.find(qn("w:numId"))
        il = numpr.find(qn("w:ilvl"))
        if nid is None or nid.get(qn("w:val")) not in nums:
            return ""
        num_id = nid.get(qn("w:val"))
        ilvl = int(il.get(qn("w:val"))) if il is not None else 0
        aid, over = nums[num_id]
        lvls = abstracts.get(aid, {})
        if ilvl not in lvls:
            return ""
        state = counters.setdefault(num_id, {})
        state[ilvl] = state[ilvl] + 1 if ilvl in state else over.get(ilvl, lvls[ilvl][0])
        for deeper in [k for k in state if k > ilvl]:
            del state[deeper]
        text = lvls[ilvl][2]
        for k in range(ilvl, -1, -1):
            if k in lvls:
                value = state.get(k, over.get(k, lvls[k][0]))
                text = text.replace(f"%{k + 1}", _format_number(value, lvls[k][1]))
        return text + " " if text else ""

    out: list[str] = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            out.append(label(child) + Paragraph(child, doc).text)
        elif child.tag == qn("w:tbl"):
            for row in DocxTable(child, doc).rows:
                for cell in row.cells:
                    out += [p.text for p in cell.paragraphs]
    return "\n".join(out)


def pdf_text(path: Path, truth: dict[str, Any]) -> str:
    """Text of a PDF by ``pdftotext``, without running header, footer and "Page N of M" lines."""
    raw = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    furniture = {(truth.get("running_header") or "").strip(), (truth.get("footer") or "").strip()} - {""}
    keep = [
        line
        for line in raw.replace("\f", "\n").split("\n")
        if line.strip() not in furniture and not re.fullmatch(r"\s*Page \d+ of \d+\s*", line)
    ]
    return "\n".join(keep)


def normal_forms(text: str) -> tuple[str, str]:
    """Whitespace-collapsed text, with a line-break hyphen kept and with it removed."""
    keep = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1-\2", text)
    drop = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", keep), re.sub(r"\s+", " ", drop)


def found(needle: str, forms: tuple[str, str]) -> bool:
    """Whether a whitespace-normalised needle occurs in either normal form.

    A hyphen inside a word may also be missing or followed by a space: ``pdftotext`` drops a hyphen
    it takes for line-break hyphenation when it joins the lines ("Dyfed-Powys" -> "DyfedPowys").
    """
    n = re.sub(r"\s+", " ", needle).strip()
    if any(n in f for f in forms):
        return True
    if "-" not in n:
        return False
    loose = re.compile(r"-?\ ?".join(re.escape(part) for part in re.split(r"(?<=\w)-(?=\w)", n)))
    return any(loose.search(f) for f in forms)


NUMBER_PREFIX_RE = re.compile(r"^\(?[A-Za-z]{0,3}\d+[a-z]?(?:\.\d+)*[.):]?\s+")


def verify_review(rv: Review, built: Path, with_pdf: bool) -> list[str]:
    """Report recommendation starts and snippets missing from the built DOCX and PDF text."""
    truth = load_truth(rv.truth)
    problems: list[str] = []
    targets: list[tuple[str, str]] = [(f"{rv.name}.docx", docx_text(built / f"{rv.name}.docx"))]
    if with_pdf:
        pdf = built / f"{rv.name}.pdf"
        if pdf.exists():
            targets.append((f"{rv.name}.pdf", pdf_text(pdf, truth)))
        else:
            problems.append(f"{rv.part}/built/{rv.name}.pdf: missing")
    for fname, text in targets:
        forms = normal_forms(text)
        for k, rec in enumerate(truth.get("recommendations") or []):
            sw = rec.get("starts_with") or ""
            if not sw or found(sw, forms):
                continue
            bare = NUMBER_PREFIX_RE.sub("", sw, count=1)
            if bare != sw and found(bare, forms):
                continue
            problems.append(f"{rv.part}/built/{fname}: recommendations[{k}].starts_with {sw!r} not found")
        for k, lab in enumerate(truth.get("passage_labels") or []):
            snip = lab.get("snippet") or ""
            if snip and not found(snip, forms):
                problems.append(f"{rv.part}/built/{fname}: passage_labels[{k}].snippet {snip!r} not found")
    return problems


# --------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------


def build_docx(rv: Review, built: Path) -> list[str]:
    """Render one review to ``built/<name>.docx``; return warnings."""
    warn: list[str] = []
    source = parse_source(rv.md.read_text(encoding="utf-8"))
    truth = load_truth(rv.truth)
    warn += [f"markup: {p}" for p in source.problems]
    doc = Renderer(source, truth, warn).render()
    doc.save(str(built / f"{rv.name}.docx"))
    return warn


def convert_pdfs(docx_files: list[Path], outdir: Path) -> list[str]:
    """Convert DOCX files to PDF in ``outdir`` with one LibreOffice call; return problems."""
    if not docx_files:
        return []
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return ["soffice not found: PDFs not made"]
    profile = Path(tempfile.mkdtemp(prefix="gwersi-heldout-lo-"))
    try:
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *[str(f) for f in docx_files],
        ]
        started = time.time()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60 + 30 * len(docx_files))
        problems = []
        if proc.returncode != 0:
            problems.append(f"soffice exited {proc.returncode}: {proc.stderr.strip()[:500]}")
        for f in docx_files:
            pdf = outdir / f"{f.stem}.pdf"
            if not pdf.exists() or pdf.stat().st_mtime < started - 1:
                problems.append(f"{pdf}: not written by soffice")
        return problems
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--part", choices=(*HELDOUT_PARTS, "all"), default="all", help="which part to process")
    ap.add_argument("--only", action="append", default=[], metavar="NAME", help="only this review (repeatable)")
    ap.add_argument("--check", action="store_true", help="validate sources and truth files; build nothing")
    ap.add_argument("--no-pdf", action="store_true", help="build DOCX only")
    ap.add_argument("--verify", action="store_true", help="after building, check the text survived in DOCX/PDF")
    ap.add_argument("--no-build", action="store_true", help="with --verify: verify the existing built files")
    ap.add_argument("--root", type=Path, default=DEFAULT_HELDOUT, help="held-out corpus directory")
    args = ap.parse_args(argv)

    parts = HELDOUT_PARTS if args.part == "all" else (args.part,)
    reviews, problems = find_reviews(args.root, parts, args.only)

    if args.check:
        warnings: list[str] = []
        for rv in reviews:
            p, w = check_review(rv)
            problems += p
            warnings += w
        for line in problems:
            print(line)
        for line in warnings:
            print(f"warning: {line}")
        print(
            f"checked {len(reviews)} review(s): {len(problems)} problem(s), {len(warnings)} warning(s)", file=sys.stderr
        )
        return 1 if problems else 0

    for line in problems:
        print(f"skipped: {line}", file=sys.stderr)
    status = 0
    for part in parts:
        part_reviews = [r for r in reviews if r.part == part]
        if not part_reviews:
            continue
        built = args.root / part / "built"
        built.mkdir(parents=True, exist_ok=True)
        if not args.no_build:
            t0 = time.time()
            made: list[Path] = []
            for rv in part_reviews:
                try:
                    for note in build_docx(rv, built):
                        print(f"warning: {part}/{rv.name}: {note}", file=sys.stderr)
                    made.append(built / f"{rv.name}.docx")
                except (ValueError, json.JSONDecodeError, KeyError, TypeError) as exc:
                    print(f"error: {part}/{rv.name}: {exc}", file=sys.stderr)
                    status = 1
            t1 = time.time()
            print(f"{part}: {len(made)} DOCX in {t1 - t0:.1f}s", file=sys.stderr)
            if not args.no_pdf:
                for line in convert_pdfs(made, built):
                    print(f"error: {part}: {line}", file=sys.stderr)
                    status = 1
                print(f"{part}: {len(made)} PDF by LibreOffice in {time.time() - t1:.1f}s", file=sys.stderr)
        if args.verify:
            missing: list[str] = []
            for rv in part_reviews:
                if (built / f"{rv.name}.docx").exists():
                    missing += verify_review(rv, built, with_pdf=not args.no_pdf)
                else:
                    missing.append(f"{part}/built/{rv.name}.docx: missing")
            for line in missing:
                print(line)
            print(f"{part}: verified {len(part_reviews)} review(s), {len(missing)} missing text(s)", file=sys.stderr)
            if missing:
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
