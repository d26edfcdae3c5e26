"""Parse the small Markdown dialect of ``data/sample-sources/*.md`` into blocks.

Supported (see data/sample-sources conventions in the samples spec):

- ``#``/``##``/``###`` headings;
- paragraphs separated by blank lines (consecutive lines are joined with a space);
- ``- item`` bullets and ``1. item`` numbered items (one line each, continuation lines joined);
- GitHub pipe tables (header row, ``|---|`` separator, body rows);
- ``<!-- pagebreak -->`` on its own line; ``<!-- footer: text -->`` sets the printed footer;
  any other ``<!-- ... -->`` line is ignored;
- inline ``**bold**`` and ``*italic*``.

``plain()`` gives the text a reader (and a parser) sees, with inline markup removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^(#{1,3})\s+(.*\S)\s*$")
_BULLET = re.compile(r"^[-*]\s+(.*\S)\s*$")
_NUMBERED = re.compile(r"^(\d{1,2})\.\s+(.*\S)\s*$")
_COMMENT = re.compile(r"^<!--\s*(.*?)\s*-->\s*$")
_TABLE_SEP = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


@dataclass(frozen=True)
class MdBlock:
    """One block of a sample source.

    ``kind`` is heading | paragraph | bullet | numbered | table | pagebreak.
    ``text`` keeps inline markup; ``number`` is the printed number of a numbered item;
    ``rows`` holds table cells (header row first), markup kept.
    """

    kind: str
    text: str = ""
    level: int = 0
    number: str = ""
    rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class MdDocument:
    """A parsed source: its blocks and the optional printed footer."""

    blocks: tuple[MdBlock, ...]
    footer: str | None


def plain(text: str) -> str:
    """Return ``text`` without inline ``**bold**`` / ``*italic*`` markers."""
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))


def inline_runs(text: str) -> list[tuple[str, bool, bool]]:
    """Split ``text`` into ``(text, bold, italic)`` runs."""
    runs: list[tuple[str, bool, bool]] = []
    pos = 0
    for m in _BOLD.finditer(text):
        runs.extend(_italic_runs(text[pos : m.start()], bold=False))
        runs.extend(_italic_runs(m.group(1), bold=True))
        pos = m.end()
    runs.extend(_italic_runs(text[pos:], bold=False))
    return [r for r in runs if r[0]]


def _italic_runs(text: str, *, bold: bool) -> list[tuple[str, bool, bool]]:
    out: list[tuple[str, bool, bool]] = []
    pos = 0
    for m in _ITALIC.finditer(text):
        out.append((text[pos : m.start()], bold, False))
        out.append((m.group(1), bold, True))
        pos = m.end()
    out.append((text[pos:], bold, False))
    return out


def _split_row(line: str) -> tuple[str, ...]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return tuple(c.strip() for c in s.split("|"))


def parse(source: str) -> MdDocument:
    """Parse Markdown ``source`` into an :class:`MdDocument`."""
    lines = source.splitlines()
    blocks: list[MdBlock] = []
    footer: str | None = None
    para: list[str] = []
    i = 0

    def flush() -> None:
        if para:
            blocks.append(MdBlock("paragraph", " ".join(para)))
            para.clear()

    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        i += 1
        if not line:
            flush()
            continue
        cm = _COMMENT.match(line)
        if cm:
            flush()
            body = cm.group(1)
            if body.lower() == "pagebreak":
                blocks.append(MdBlock("pagebreak"))
            elif body.lower().startswith("footer:"):
                footer = body.split(":", 1)[1].strip()
            continue
        hm = _HEADING.match(line)
        if hm:
            flush()
            blocks.append(MdBlock("heading", hm.group(2), level=len(hm.group(1))))
            continue
        if line.startswith("|") and i < len(lines) and _TABLE_SEP.match(lines[i].strip()):
            flush()
            rows = [_split_row(line)]
            i += 1
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(_split_row(lines[i]))
                i += 1
            width = len(rows[0])
            norm = tuple(tuple((list(r) + [""] * width)[:width]) for r in rows)
            blocks.append(MdBlock("table", rows=norm))
            continue
        bm = _BULLET.match(line)
        nm = _NUMBERED.match(line)
        if bm or nm:
            flush()
            item = [bm.group(1) if bm else nm.group(2)]  # type: ignore[union-attr]
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                item.append(lines[i].strip())
                i += 1
            if bm:
                blocks.append(MdBlock("bullet", " ".join(item)))
            else:
                blocks.append(MdBlock("numbered", " ".join(item), number=nm.group(1)))  # type: ignore[union-attr]
            continue
        para.append(line)
    flush()
    return MdDocument(tuple(blocks), footer)


def block_texts(doc: MdDocument) -> list[str]:
    """Plain text of every text-bearing block, in order (table cells one per entry).

    Numbered items appear as ``"1. text"`` (the number is printed in every format).
    """
    out: list[str] = []
    for b in doc.blocks:
        if b.kind == "table":
            out.extend(plain(c) for row in b.rows for c in row)
        elif b.kind == "numbered":
            out.append(f"{b.number}. {plain(b.text)}")
        elif b.kind != "pagebreak":
            out.append(plain(b.text))
    return out


def title_of(doc: MdDocument) -> str:
    """The document title: first level-1 heading, else the first paragraph."""
    for b in doc.blocks:
        if b.kind == "heading" and b.level == 1:
            return plain(b.text)
    for b in doc.blocks:
        if b.kind == "paragraph":
            return plain(b.text)
    return "Sample review"
