"""Headings from typography and shape, for documents that do not mark them.

Many published reports are typed without heading styles: a heading is a short bold (or
capitalised, underlined, larger, or board-styled) line followed by body text, sometimes numbered
by Word. :func:`infer_headings` turns such paragraphs into heading blocks, whatever the format
said, so that sections, recommendations and metadata read the same from every layout.

A paragraph is a heading when it is **shaped** like one (short, one line, not ending like a
sentence or a lead-in) and **set apart** from the body text by at least one cue: bold, underline,
capitals, a larger size, a paragraph style used only for short lines, or the exact words of a
template heading. Of the lines before the first body paragraph only the last such line is
promoted (it heads the first section, perhaps above template instructions), so cover pages stay
front matter.

Levels come from printed numbering ("3" -> 1, "3.2" -> 2) when there is one, otherwise from how
strongly a line is set apart (larger, then capitals, then underline, then bold, then italic),
below any headings the document did mark with styles. An unnumbered heading that looks exactly like
the numbered section headings around it is their sub-heading.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from ingest.models import Block, RawDocument
from ingest.sections import is_template_heading, numbering_depth

MAX_HEADING_CHARS = 150
MAX_HEADING_WORDS = 20
BODY_MIN_WORDS = 20
"""A paragraph of at least this many words is body text (it ends any cover)."""
STYLE_SHORT_SHARE = 0.9
"""A paragraph style is a heading style when at least this share of its paragraphs are heading-shaped."""

Signature = tuple[float, bool, bool, bool, bool]
"""How a line is set apart: (points above body, capitals, underline, bold, italic)."""

_SENTENCE_END = re.compile(r"[.;,!:]['’\"”)]?$")
_APPENDIX = re.compile(r"^\s*(?:appendix|annex|annexe)\b", re.IGNORECASE)
_CHAPTER_START = re.compile(r"^\s*chapter\s", re.IGNORECASE)
_TOP_PREFIX = re.compile(r"^\s*(appendix|annex|annexe|chapter|part|section)\b", re.IGNORECASE)
_BODY_STYLES = frozenset({"normal", "body text", "list paragraph", "no spacing", "default", "plain text"})
_WORD = re.compile(r"[^\W\d_]{2,}")
_NUMBERED_TEXT = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*(?:\.?\s+\S|[.)][A-Za-z]{2})")


_PART_OR_CHAPTER = re.compile(
    r"^\s*(?:part|chapter)\s+(?:\d{1,2}|[a-h]|[ivx]{1,4}|one|two|three|four|five|six|seven|eight|nine|ten)\b"
    r"\s*[:.\-–—]?\s*\S",
    re.IGNORECASE,
)


def infer_headings(raw: RawDocument) -> RawDocument:
    """``raw`` with heading-shaped, set-apart paragraphs turned into heading blocks.

    DOCX gets the full treatment; PDF extraction already reads size and weight, so there only
    capitalised lines are added, lead-in lines ending in a colon are returned to the body, and
    cover lines set in heading type (all but the title and the first section's heading) are
    returned to the front matter.
    Plain text and Markdown are left as their reader made them.
    """
    if raw.media_type == "docx":
        blocks = _infer_docx(list(raw.blocks))
    elif raw.media_type == "pdf":
        blocks = _infer_pdf(list(raw.blocks))
    else:
        return raw
    return replace(raw, blocks=tuple(blocks))


def heading_shaped(text: str) -> bool:
    """Short, starting like a title, and not ending like a sentence or a lead-in."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_HEADING_CHARS or "\n" in stripped:
        return False
    if len(stripped.split()) > MAX_HEADING_WORDS or _SENTENCE_END.search(stripped):
        return False
    if " | " in stripped or "\t" in stripped:
        return False  # a form line ("REVIEWER 1 | REVIEWER 2") or a tab-aligned row
    first = next((c for c in stripped if c.isalnum()), "")
    return bool(first) and not first.islower()


def is_capitalised(text: str) -> bool:
    """All letters upper case, with enough of them to be a word rather than an acronym."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


_ENDS_SENTENCE = re.compile(r"[.!?]['’\"”)\]]?$")


def _is_body(block: Block) -> bool:
    """Body text: an uncentred paragraph or item of at least :data:`BODY_MIN_WORDS` words ending like a sentence."""
    return (
        block.kind in ("paragraph", "list_item")
        and not block.centred
        and len(block.text.split()) >= BODY_MIN_WORDS
        and bool(_ENDS_SENTENCE.search(block.text.strip()))
    )


def _body_size(blocks: list[Block]) -> float | None:
    sizes: Counter[float] = Counter()
    for block in blocks:
        if _is_body(block) and block.size is not None:
            sizes[round(block.size * 2) / 2] += len(block.text)
    return sizes.most_common(1)[0][0] if sizes else None


def _heading_styles(blocks: list[Block]) -> set[str]:
    """Paragraph styles (other than body styles) whose paragraphs are nearly all heading-shaped."""
    shaped: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for block in blocks:
        if block.kind == "table" or not block.style or block.style.lower() in _BODY_STYLES:
            continue
        if block.style.lower().startswith("list"):
            continue
        total[block.style] += 1
        shaped[block.style] += heading_shaped(block.text)
    return {s for s, n in total.items() if shaped[s] >= STYLE_SHORT_SHARE * n}


def _signature(block: Block, body_size: float | None, styled: set[str]) -> Signature:
    """How a line is set apart: (points above body, capitals, underline, bold, italic); None fields 0."""
    extra = (block.size - body_size) if (block.size is not None and body_size is not None) else 0.0
    if block.style in styled and extra <= 0:
        extra = 0.5  # a board's heading style counts as a little larger than the body
    return (round(max(extra, 0.0) * 2) / 2, is_capitalised(block.text), block.underline, block.bold, block.italic)


def _set_apart(sig: Signature) -> bool:
    extra, caps, underline, bold, _italic = sig
    return extra >= 1.0 or caps or underline or bold or extra >= 0.5


def _infer_docx(blocks: list[Block]) -> list[Block]:
    body_size = _body_size(blocks)
    styled = _heading_styles(blocks)
    first_body = next((i for i, b in enumerate(blocks) if _is_body(b) and b.kind == "paragraph"), len(blocks))
    candidates: dict[int, Signature] = {}
    for i, block in enumerate(blocks):
        if block.kind not in ("paragraph", "list_item") or i + 1 >= len(blocks):
            continue
        if not heading_shaped(block.text):
            continue
        sig = _signature(block, body_size, styled)
        template = is_template_heading(block.text)
        if not (_set_apart(sig) or template):
            continue
        weak = not (sig[0] >= 1.0 or sig[3] or template or _numbered(block.text))  # capitals/underline/style
        if weak and (len(_WORD.findall(block.text)) < 2 or _same_look(blocks[i + 1], sig, body_size, styled)):
            continue  # "REVIEWER 1" is a label; a run of capitalised lines is an address or a list
        if block.kind == "list_item" and not block.numbered and not sig[3]:
            continue  # a short typed list item ("- Police") is not a heading unless bold
        if blocks[i + 1].kind == "heading" and blocks[i + 1].level == 1 and not template:
            continue
        candidates[i] = sig
    cover = [i for i in candidates if i < first_body]
    marked = [i for i in range(first_body) if blocks[i].kind == "heading"]
    for i in cover:  # cover and contents lines stay front matter; the last one heads the first section
        later_heading = any(j > i for j in (*cover, *marked))
        if _opens_front_section(blocks, i):
            continue
        if later_heading or (i == 0 and not _is_body(blocks[1])):
            del candidates[i]
    if not candidates:
        return blocks
    styled_levels = [b.level for b in blocks if b.kind == "heading" and b.level is not None]
    base = max(styled_levels) if len(styled_levels) >= 2 else 0
    levels = assign_levels([blocks[i].text for i in candidates], list(candidates.values()), base)
    out = list(blocks)
    for (i, _sig), level in zip(candidates.items(), levels, strict=True):
        out[i] = Block("heading", blocks[i].text, page=blocks[i].page, level=level, bold=True, size=blocks[i].size,
                       style=blocks[i].style)
    return out



def assign_levels(texts: list[str], signatures: list[Signature], base: int) -> list[int]:
    """Levels for headings in document order, below ``base``.

    A printed number gives the level ("3" -> base+1, "3.2" -> base+2). An unnumbered heading that
    looks exactly like numbered ones (three or more) sits under the last numbered heading; any other
    is ranked by how strongly it is set apart (larger, capitals, underline, bold, italic).
    """
    ranks = {sig: n for n, sig in enumerate(sorted(set(signatures), key=_strength, reverse=True))}
    numbered_sigs = Counter(sig for text, sig in zip(texts, signatures, strict=True) if _numbered(text))
    levels: list[int] = []
    last_numbered_level: int | None = None
    for text, sig in zip(texts, signatures, strict=True):
        depth = numbering_depth(text) if _numbered(text) or _CHAPTER_START.match(text) else None
        if depth is not None:  # "Chapter 6: Findings" is numbered at the top, like "6. Findings"
            level = base + depth
            last_numbered_level = level
        elif numbered_sigs[sig] >= 3 and last_numbered_level is not None and not _TOP_PREFIX.match(text):
            level = last_numbered_level + 1
        elif _APPENDIX.match(text):
            level = base + 1  # an appendix sits beside the chapters, never under the last one
        else:
            level = base + 1 + ranks[sig]
        levels.append(level)
    return levels


def _same_look(block: Block, sig: Signature, body_size: float | None,
               styled: set[str]) -> bool:
    return block.kind != "table" and heading_shaped(block.text) and _signature(block, body_size, styled) == sig


def _opens_front_section(blocks: list[Block], i: int) -> bool:
    """A heading before the first body paragraph that still opens a section of its own: a part or
    chapter heading ("PART A: THE REVIEW"), or a known heading over a table ("Glossary")."""
    text = blocks[i].text
    if _PART_OR_CHAPTER.match(text):
        return True
    return is_template_heading(text) and i + 1 < len(blocks) and blocks[i + 1].kind == "table"


def _opens_content(block: Block) -> bool:
    """Body text, a list or a table: what follows a heading set apart only weakly."""
    return block.kind in ("list_item", "table") or (block.kind == "paragraph" and not heading_shaped(block.text))


def _numbered(text: str) -> bool:
    return bool(_NUMBERED_TEXT.match(text))


def _strength(sig: Signature) -> Signature:
    extra, caps, underline, bold, italic = sig
    return (extra, caps, underline, bold and not italic, bold)


_LIST_MARKER = re.compile(r"^(?:\(?[a-z]\)|\(?[ivx]{1,4}\)|\d{1,2}[.)]|R\d{1,2}[.:]?|[•·▪–-])\s+\S")


def split_list_lines(blocks: list[Block]) -> list[Block]:
    """Paragraphs whose lines each start with a list marker ("a) ...", "b) ...") as separate list items.

    PDF line grouping joins a list set without space between its items; a line starting a new
    item (marker first, every line before it belonging to the previous item) starts a new block.
    """
    out: list[Block] = []
    for block in blocks:
        lines = block.text.split("\n")
        starts = [n for n, line in enumerate(lines) if _LIST_MARKER.match(line.strip())]
        if block.kind not in ("paragraph", "list_item") or len(starts) < 2 or starts[0] != 0:
            out.append(block)
            continue
        bounds = [*starts, len(lines)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            out.append(Block("list_item", "\n".join(lines[a:b]), page=block.page, bold=block.bold, size=block.size))
    return out


def _numbered_peer_levels(blocks: list[Block]) -> dict[int, int]:
    """Printed numbering depth -> the commonest level of the numbered headings at that depth (two or more)."""
    seen: dict[int, Counter[int]] = {}
    for block in blocks:
        if block.kind == "heading" and block.level is not None and _numbered(block.text):
            depth = numbering_depth(block.text)
            if depth is not None:
                seen.setdefault(depth, Counter())[block.level] += 1
    return {d: c.most_common(1)[0][0] for d, c in seen.items() if sum(c.values()) >= 2}


def _infer_pdf(blocks: list[Block]) -> list[Block]:
    blocks = split_list_lines(blocks)
    out = list(blocks)
    levels = [b.level for b in blocks if b.kind == "heading" and b.level is not None]
    top = min(levels) if levels else 1
    first_body = next((i for i, b in enumerate(blocks) if _is_body(b) and b.kind == "paragraph"), len(blocks))
    cover = [i for i in range(first_body) if blocks[i].kind == "heading"]
    cover = [i for i in cover if not _opens_front_section(blocks, i)]
    for i in cover[1:-1]:  # cover lines set large: keep the title and the heading of the first section
        block = blocks[i]
        out[i] = Block("paragraph", block.text, page=block.page, bold=block.bold, size=block.size)
    peer_levels = _numbered_peer_levels(out)
    for i, block in enumerate(blocks):
        if i in cover[1:-1]:
            continue
        if block.kind == "heading" and _numbered(block.text):
            depth = numbering_depth(block.text)
            if depth in peer_levels and block.level != peer_levels[depth]:  # same printed depth, same level
                out[i] = replace(block, level=peer_levels[depth])
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind == "heading" and block.text.rstrip().endswith(":") and nxt is not None and nxt.kind != "heading":
            out[i] = Block("paragraph", block.text, page=block.page, bold=block.bold, size=block.size)
            continue
        if (
            block.kind != "paragraph"
            or i < first_body - 1
            or nxt is None
            or not (_opens_content(nxt) or (nxt.kind == "heading" and is_capitalised(block.text)))
            or not heading_shaped(block.text)
        ):
            continue  # (a capitalised line over a heading is a chapter over its first sub-heading)
        if is_capitalised(block.text) and (
            len(_WORD.findall(block.text)) >= 2 or _numbered(block.text) or is_template_heading(block.text)
        ):
            level = numbering_depth(block.text) or top
            out[i] = Block("heading", block.text, page=block.page, level=level, bold=block.bold, size=block.size)
        elif _numbered(block.text) and numbering_depth(block.text) in peer_levels:
            # "2.Kai": a numbered line whose number Word set in another weight, like its numbered peers
            out[i] = Block("heading", block.text, page=block.page, level=peer_levels[numbering_depth(block.text) or 0],
                           bold=block.bold, size=block.size)
        elif block.bold:  # a bold line the layout reader left in the body: a sibling of the heading before it
            before = next((b.level for b in reversed(out[:i]) if b.kind == "heading" and b.level), None)
            level = numbering_depth(block.text) or (before if before and before > top else top + 1)
            out[i] = Block("heading", block.text, page=block.page, level=level, bold=True, size=block.size)
    return _relevel(out, first_body)


def _relevel(blocks: list[Block], first_body: int) -> list[Block]:
    """PDF heading levels from printed numbering and look, as for DOCX (:func:`assign_levels`).

    A layout reader ranks headings by size alone, so a numbered section heading in body size can sit
    below its own sub-headings. The title (the first of two or more headings before the body, or a
    first heading set larger than every other) stays on top.
    """
    heads = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    if len(heads) < 2:
        return blocks
    first_level = blocks[heads[0]].level or 9
    above_all = all(first_level < (blocks[h].level or 9) for h in heads[1:])
    title = heads[0] if above_all or sum(1 for h in heads if h < first_body) >= 2 else None
    body_size = _body_size(blocks)
    rest = [i for i in heads if i != title]
    signatures = [_signature(blocks[i], body_size, set()) for i in rest]
    levels = assign_levels([blocks[i].text for i in rest], signatures, 1 if title is not None else 0)
    out = list(blocks)
    for i, level in zip(rest, levels, strict=True):
        out[i] = replace(blocks[i], level=level)
    if title is not None:
        out[title] = replace(blocks[title], level=1)
    return out
