"""Sections -> paragraph-sized passages for tagging and search.

Each passage is a slice of the review text (``text[char_start:char_end] == passage.text``).
Paragraphs and list items shorter than :data:`MIN_WORDS` are merged with their neighbours in the
same section; paragraphs longer than :data:`MAX_WORDS` are split at sentence boundaries so each
passage fits a 256-token embedding window. Headings, non-content sections (Welsh Government
block, signed statements, glossary) and action-plan tables give no passages; rows of other
tables (a summary timeline) do.
"""

from __future__ import annotations

import bisect
import re

from ingest.action_plan import is_action_plan_table
from ingest.models import Passage, Section
from ingest.normalise import NormalisedDocument, NormBlock

MIN_WORDS = 30
MAX_WORDS = 180
EXCLUDED_KINDS = frozenset({"wg_use_only", "statements", "glossary"})

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])(?P<close>[”’\"')\]]*)\s+(?=[“‘\"'(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|e\.g|i\.e|etc|cf|vs|para|s)\.$", re.IGNORECASE)


def _words(text: str) -> int:
    return len(text.split())


def build_passages(doc: NormalisedDocument, sections: list[Section]) -> list[Passage]:
    """Make passages from every content section of ``doc``."""
    starts = [s.char_start for s in sections]
    units_by_section: dict[int, list[tuple[int, int, int | None]]] = {}
    for block in doc.blocks:
        if not sections:
            break
        index = max(0, bisect.bisect_right(starts, block.start) - 1)
        section = sections[index]
        if section.kind in EXCLUDED_KINDS or block.kind == "heading":
            continue
        units_by_section.setdefault(index, []).extend(_units(block, doc.text))
    passages: list[Passage] = []
    for index in sorted(units_by_section):
        for ordinal, (start, end, page) in enumerate(_merge(units_by_section[index], doc.text)):
            passages.append(
                Passage(
                    section_ordinal=sections[index].ordinal,
                    ordinal=ordinal,
                    text=doc.text[start:end],
                    char_start=start,
                    char_end=end,
                    page=page,
                )
            )
    return passages


def _units(block: NormBlock, text: str) -> list[tuple[int, int, int | None]]:
    """Spans of one block: the block itself, its sentence chunks, or its table rows."""
    if block.kind == "table":
        if block.rows is None or is_action_plan_table(block.rows) or len(block.rows) < 2:
            return []
        spans = []
        pos = block.start
        for n, line in enumerate(text[block.start : block.end].split("\n")):
            if n > 0 and line.strip(" |"):
                spans.append((pos, pos + len(line), block.page))
            pos += len(line) + 1
        return spans
    if _words(block.text) <= MAX_WORDS:
        return [(block.start, block.end, block.page)]
    return [(s, e, block.page) for s, e in split_sentences_to_chunks(text, block.start, block.end)]


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]`` (abbreviations such as "Mr." do not end one)."""
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_BREAK.finditer(text, start, end):
        if _ABBREVIATION.search(text[cursor : match.start()]):
            continue
        spans.append((cursor, match.start() + len(match.group("close"))))
        cursor = match.end()
    spans.append((cursor, end))
    return [(s, e) for s, e in spans if e > s]


def split_sentences_to_chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Greedy groups of whole sentences of at most :data:`MAX_WORDS` words each."""
    chunks: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    count = 0
    for s, e in sentence_spans(text, start, end):
        n = _words(text[s:e])
        if n > MAX_WORDS:
            if current:
                chunks.append(current)
                current, count = None, 0
            chunks.extend(_split_words(text, s, e))
            continue
        if current and count + n > MAX_WORDS:
            chunks.append(current)
            current, count = None, 0
        current = (current[0], e) if current else (s, e)
        count += n
    if current:
        chunks.append(current)
    return chunks


def _split_words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Last resort for a run-on sentence: cut at word boundaries."""
    words = [m.span() for m in re.finditer(r"\S+", text[start:end])]
    out = []
    for i in range(0, len(words), MAX_WORDS):
        group = words[i : i + MAX_WORDS]
        out.append((start + group[0][0], start + group[-1][1]))
    return out


def _merge(units: list[tuple[int, int, int | None]], text: str) -> list[tuple[int, int, int | None]]:
    """Merge short units with their neighbours, never past :data:`MAX_WORDS`."""
    out: list[tuple[int, int, int | None]] = []
    buffer: tuple[int, int, int | None] | None = None
    for start, end, page in units:
        if buffer is None:
            buffer = (start, end, page)
        elif _words(text[buffer[0] : buffer[1]]) < MIN_WORDS and _words(text[buffer[0] : end]) <= MAX_WORDS:
            buffer = (buffer[0], end, buffer[2])
        else:
            out.append(buffer)
            buffer = (start, end, page)
    if buffer is not None:
        if (
            out
            and _words(text[buffer[0] : buffer[1]]) < MIN_WORDS
            and _words(text[out[-1][0] : buffer[1]]) <= MAX_WORDS
        ):
            out[-1] = (out[-1][0], buffer[1], out[-1][2])
        else:
            out.append(buffer)
    return out
