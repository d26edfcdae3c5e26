"""Markdown and plain text -> blocks.

Understands ``#`` headings (and setext underlines), numbered headings on a line of their own
("3.2 Analysis"), upper-case headings, bullet and numbered list items, pipe tables and blank-line
separated paragraphs. Inline Markdown markup is removed; HTML comments are ignored.
"""

from __future__ import annotations

import re

from ingest.errors import CorruptDocumentError, EmptyFileError
from ingest.limits import Limits
from ingest.models import Block, RawDocument
from ingest.sections import is_template_heading

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_BULLET = re.compile(r"^\s*[-*+•●▪]\s+(.*)$")
_NUMBERED_ITEM = re.compile(r"^\s*((?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+(.*)$")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+([A-Z][^.!?]{1,90})$")
_TABLE_SEP = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_ITALIC = re.compile(r"(?<![*\w])([*_])(?!\s)(.+?)(?<!\s)\1(?![*\w])")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_CODE = re.compile(r"`([^`]*)`")


def extract(data: bytes, *, path: str, sha256: str, encoding: str, limits: Limits) -> RawDocument:
    """Decode ``data`` with ``encoding`` and split it into blocks."""
    try:
        source = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        detail = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        raise CorruptDocumentError(path, f"the text cannot be decoded as {encoding} ({detail})") from None
    blocks = parse_text(source)
    if not blocks:
        raise EmptyFileError(path, "the file contains no text")
    return RawDocument(path=path, sha256=sha256, media_type="text", blocks=tuple(blocks))


def strip_inline(text: str) -> str:
    """Remove inline Markdown markup (bold, italic, code, links) but keep the words."""
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _BOLD.sub(r"\2", text)
    return _ITALIC.sub(r"\2", text)


def _is_bold_line(line: str) -> bool:
    return bool(re.fullmatch(r"(\*\*|__)[^*_]+\1:?", line.strip()))


def _split_row(line: str) -> tuple[str, ...]:
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") and not s.endswith("\\|") else s
    return tuple(strip_inline(c.strip()) for c in re.split(r"(?<!\\)\|", s))


def parse_text(source: str) -> list[Block]:
    """Split Markdown or plain text into heading, paragraph, list-item and table blocks."""
    source = _COMMENT.sub("", source.replace("\r\n", "\n").replace("\r", "\n"))
    lines = source.split("\n")
    marked = any(_ATX.match(line) for line in lines)  # Markdown headings: no guessing from layout
    blocks: list[Block] = []
    para: list[str] = []
    item: list[str] | None = None

    def flush() -> None:
        nonlocal item
        if item is not None:
            blocks.append(Block("list_item", strip_inline("\n".join(item))))
            item = None
        if para:
            for lines_of_one in [[line] for line in para] if _is_line_block(para) else [para]:
                blocks.append(_paragraph_or_heading(lines_of_one, guess=not marked))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.strip():
            flush()
            continue
        atx = _ATX.match(line)
        if atx:
            flush()
            title = strip_inline(atx.group(2))
            if title:
                blocks.append(Block("heading", title, level=len(atx.group(1)), bold=True))
            continue
        if para and not item and len(para) == 1 and _SETEXT.match(line.strip()) and len(line.strip()) >= 3:
            title = strip_inline(para[0])
            para.clear()
            blocks.append(Block("heading", title, level=1 if line.strip()[0] == "=" else 2, bold=True))
            continue
        if "|" in line and i < len(lines) and _TABLE_SEP.match(lines[i].strip()):
            flush()
            rows = [_split_row(line)]
            i += 1
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(_split_row(lines[i]))
                i += 1
            width = len(rows[0])
            cells = tuple(tuple((list(r) + [""] * width)[:width]) for r in rows)
            blocks.append(Block("table", "\n".join(" | ".join(r) for r in cells), rows=cells))
            continue
        bullet = _BULLET.match(line)
        numbered = _NUMBERED_ITEM.match(line) if not bullet else None
        if bullet or (numbered and (marked or not _looks_like_numbered_heading(line, lines, i))):
            flush()
            item = [bullet.group(1)] if bullet else [line.strip()]
            continue
        if item is not None and lines[i - 1].startswith((" ", "\t")):
            item.append(line.strip())
            continue
        if item is not None:
            flush()
        para.append(line.strip())
    flush()
    return blocks


def _looks_like_numbered_heading(line: str, lines: list[str], i: int) -> bool:
    """A numbered line standing alone, short and unpunctuated, is a heading, not a list item."""
    text = strip_inline(line.strip())
    next_blank = i >= len(lines) or not lines[i].strip()
    return bool(_NUMBERED_HEADING.match(text)) and next_blank and len(text) <= 90


def _is_line_block(para: list[str]) -> bool:
    """Three or more lines, at least three in four starting with a capital or a digit, most of them
    unpunctuated at the end: a cover ("... Board" / "in partnership with ..." / "Final report, 2024"),
    an address or a signature block whose lines are separate items, not prose wrapped at a width
    (whose lines mostly go on mid-sentence in lower case) or written a sentence a line."""
    if len(para) < 3 or sum(line[:1].isupper() or line[:1].isdigit() for line in para) * 4 < len(para) * 3:
        return False
    return sum(line.rstrip().endswith((".", "!", "?", ";", ":", ",")) for line in para) * 2 <= len(para)


def _paragraph_or_heading(para: list[str], *, guess: bool) -> Block:
    """A paragraph, or (in text without Markdown headings) a heading guessed from its shape."""
    text = "\n".join(para)
    plain = strip_inline(text)
    if guess and len(para) == 1:
        line = para[0]
        numbered = _NUMBERED_HEADING.match(plain)
        if numbered and len(plain) <= 90:
            return Block("heading", plain, level=numbered.group(1).count(".") + 1, bold=True)
        letters = [c for c in plain if c.isalpha()]
        if (
            letters
            and len(plain) <= 90
            and all(c.isupper() for c in letters)
            and len(letters) > 3
            and not plain.rstrip().endswith(".")
        ):
            return Block("heading", plain, level=1, bold=True)
        if _is_bold_line(line) and len(plain) <= 100:
            return Block("heading", plain.rstrip(":"), level=None, bold=True)
        if is_template_heading(plain):
            return Block("heading", plain, level=None)
    return Block("paragraph", plain)
