"""HTML pieces for the explorer: escaped text with highlights, and standard/tag chips.

Everything that comes from a review is escaped here; the only markup that survives from the API
is ``<mark>`` in search snippets. Colours keep at least 4.5:1 contrast, and every chip says in
words what its colour means.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ui.shapes import Tag

CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
.gw-text { line-height: 1.55; font-size: 1rem; margin: 0.25rem 0 0.5rem 0; }
.gw-text mark { background: #ffe066; color: #1b1b1b; padding: 0 0.1em; border-radius: 2px; }
.gw-meta { color: #4a4a4a; font-size: 0.88rem; margin-bottom: 0.2rem; }
.gw-chips { display: flex; flex-wrap: wrap; gap: 0.3rem; margin: 0.2rem 0 0.4rem 0; }
.gw-chip { display: inline-block; border-radius: 999px; padding: 0.08rem 0.6rem; font-size: 0.82rem;
  border: 1px solid #9fb3e6; background: #eaf0fd; color: #17326e; white-space: nowrap; }
.gw-chip.confirmed { border-color: #6fb585; background: #e4f5e9; color: #124d26; }
.gw-chip.suggested { border-style: dashed; }
.gw-chip.rejected { border-color: #bbbbbb; background: #f3f3f3; color: #555555; text-decoration: line-through; }
.gw-gap { display: block; height: 0.45em; }
.gw-passage { margin-top: 0.9rem; }
.gw-target { border-left: 4px solid #c2410c; padding-left: 0.6rem; }
</style>
"""

_MARK = re.compile(r"(<mark>|</mark>)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
CHIP_TITLE_CHARS = 34


def esc(text: object) -> str:
    """HTML-escape anything."""
    return html.escape("" if text is None else str(text))


def paragraphs(escaped: str) -> str:
    """Keep the text's line breaks visible; a blank line becomes a small gap, not an empty line."""
    return _BLANK_LINE.sub('<span class="gw-gap"></span>', escaped).replace("\n", "<br>")


def safe_snippet(snippet: str) -> str:
    """A snippet with only ``<mark>``/``</mark>`` kept as markup; everything else escaped again.

    The API already escapes snippets; unescaping then escaping each piece keeps it correct even if
    it did not, and never lets other tags through.
    """
    out: list[str] = []
    depth = 0
    for part in _MARK.split(snippet):
        if part == "<mark>":
            if depth == 0:
                out.append(part)
            depth += 1
        elif part == "</mark>":
            if depth == 1:
                out.append(part)
            depth = max(0, depth - 1)
        else:
            out.append(esc(html.unescape(part)))
    if depth:
        out.append("</mark>")
    return paragraphs("".join(out))


def merge_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Clip spans to ``[0, length]``, drop empty ones and merge overlaps, in order."""
    clipped = sorted((max(0, a), min(length, b)) for a, b in spans if b > a)
    merged: list[tuple[int, int]] = []
    for a, b in clipped:
        if a >= b:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def evidence_span(text: str, evidence: str, start: int | None, end: int | None) -> tuple[int, int] | None:
    """Where the evidence sentence sits in ``text``: the API's offsets when they fit, else a search."""
    if start is not None and end is not None and 0 <= start < end <= len(text):
        return (start, end)
    if evidence:
        found = text.find(evidence)
        if found >= 0:
            return (found, found + len(evidence))
    return None


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` escaped, with each span wrapped in ``<mark>``."""
    out: list[str] = []
    pos = 0
    for a, b in merge_spans(spans, len(text)):
        out.append(esc(text[pos:a]))
        out.append(f"<mark>{esc(text[a:b])}</mark>")
        pos = b
    out.append(esc(text[pos:]))
    return paragraphs("".join(out))


def tag_spans(text: str, tags: Sequence[Tag]) -> list[tuple[int, int]]:
    """Evidence spans of the tags a panel has not rejected."""
    spans = []
    for tag in tags:
        if tag.get("status") == "rejected":
            continue
        span = evidence_span(text, tag.get("evidence") or "", tag.get("evidence_start"), tag.get("evidence_end"))
        if span:
            spans.append(span)
    return spans


def short(title: str, limit: int = CHIP_TITLE_CHARS) -> str:
    """A title cut to ``limit`` characters with an ellipsis."""
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def chip(label: str, *, tooltip: str = "", kind: str = "") -> str:
    """One chip; ``kind`` is '', 'confirmed', 'suggested' or 'rejected'."""
    cls = f"gw-chip {kind}".strip()
    return f'<span class="{cls}" title="{esc(tooltip)}">{esc(label)}</span>'


def standard_chips(ids: Sequence[str], titles: Mapping[str, str]) -> str:
    """Chips for standard ids, each with its short title (full title on hover)."""
    if not ids:
        return ""
    chips = [chip(f"{sid} {short(titles.get(sid, ''))}".strip(), tooltip=f"{sid} {titles.get(sid, '')}") for sid in ids]
    return f'<div class="gw-chips" aria-label="Standards">{"".join(chips)}</div>'


STATUS_WORDS = {"confirmed": "confirmed", "suggested": "suggested", "rejected": "rejected"}


def tag_chips(tags: Sequence[Tag], titles: Mapping[str, str]) -> str:
    """Chips for a passage's tags, saying the status in words as well as by style."""
    if not tags:
        return ""
    chips = []
    for tag in tags:
        sid = tag["standard"]
        status = tag.get("status", "suggested")
        word = STATUS_WORDS.get(status, status)
        tooltip = (
            f"{sid} {titles.get(sid, '')} — {word}, score {tag.get('score', 0):.2f}, "
            f"{tag.get('polarity', '')}, by {tag.get('decided_by') or tag.get('tagger', '')}"
        )
        chips.append(chip(f"{sid} {short(titles.get(sid, ''), 26)} · {word}", tooltip=tooltip, kind=status))
    return f'<div class="gw-chips" aria-label="Tags">{"".join(chips)}</div>'


def meta_line(*parts: object) -> str:
    """A muted line of metadata, empty parts left out."""
    shown = [esc(p) for p in parts if p not in (None, "")]
    return f'<div class="gw-meta">{" · ".join(shown)}</div>'


def found_through_standards(hit: Mapping[str, Any]) -> bool:
    """Only the concept list found this result: it shares no word or close meaning with the query
    that search could rank, but it is tagged with the standards the query speaks to."""
    return hit.get("concept_rank") is not None and hit.get("bm25_rank") is None and hit.get("dense_rank") is None


def text_block(inner_html: str, *, target: bool = False) -> str:
    """A passage's text block (already escaped/highlighted)."""
    cls = "gw-text gw-target" if target else "gw-text"
    return f'<div class="{cls}">{inner_html}</div>'


def plural(n: int, word: str) -> str:
    """``1 passage``, ``3 passages``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def humanise(value: str | None) -> str:
    """``practice_learning`` -> ``Practice learning``."""
    if not value:
        return ""
    text = value.replace("_", " ")
    return text[0].upper() + text[1:]
