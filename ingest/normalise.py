"""Blocks -> one normalised review text, with each block's character offsets into it.

Text is NFC-normalised; typographic ligatures are expanded ("ﬁ" -> "fi"); soft hyphens and
zero-width characters go; words hyphenated across a line break are rejoined; whitespace inside a
block collapses to single spaces. Curly quotes and accents are kept as printed. Page furniture
("Page 3 of 17") and template instruction text ("To include here:-") are dropped. Blocks are
separated by a blank line; table rows by newlines and cells by `` | ``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ingest.fuzzy import token_set_ratio
from ingest.models import Block, BlockKind, RawDocument

BLOCK_SEPARATOR = "\n\n"
REPEATED_FRACTION = 0.3
"""A margin line on at least this share of pages is a running header or footer."""

LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_CID = re.compile(r"\(cid:\d+\)\s*")
_SPACE = re.compile(r"\s+")
_HYPHEN_BREAK = re.compile(r"(\w+)-\n\s*([a-z]\w*)")
_HYPHEN_CAPITAL = re.compile(r"(\w)-\n\s*(?=[A-Z])")
_SHORT_WORDS = frozenset(
    [
        "a",
        "i",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "or",
        "an",
        "as",
        "is",
        "it",
        "be",
        "we",
        "do",
        "go",
        "no",
        "so",
        "up",
        "us",
        "he",
        "me",
        "my",
        "am",
        "if",
        "ok",
    ]
)
_LINE_END_WORD = re.compile(r"[A-Za-zÀ-ÿ'’]+$")
_LINE_START_WORD = re.compile(r"[ \t]*([a-zà-ÿ]+)")
_VOCAB_WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:-[A-Za-zÀ-ÿ]+)*")
_SUFFIXES = (
    "tion",
    "tions",
    "sion",
    "ment",
    "ments",
    "ness",
    "ing",
    "ity",
    "ities",
    "ance",
    "ence",
    "ally",
    "ly",
    "ed",
    "er",
    "ers",
    "ive",
    "ised",
    "ized",
    "ation",
    "ations",
    "ful",
    "ous",
)
_PAGE_LINE = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:(?:page|tudalen|p\.)\s*)?\d{1,3}(?:\s*(?:of|/|o)\s*\d{1,4})?(?:\s*[-–—])?\s*$"
    r"|^\s*\d{1,4}\s*\|\s*p\s*a\s*g\s*e\s*$",
    re.IGNORECASE,
)
_PAGE_SUFFIX = re.compile(
    r"\bpage\s+\d{1,4}\s+of\s+\d{1,4}\b|(?:^|[–—|,-]\s*)(?:page|tudalen)\s+\d{1,4}\s*$", re.IGNORECASE
)

INSTRUCTION_PHRASES: tuple[str, ...] = (
    "legal context from guidance in relation to which review is being undertaken",
    "circumstances resulting in the review being undertaken in this case",
    "time period reviewed and why",
    "summary timeline of significant events to be added as an annex",
    "identify each individual learning point arising in this case including highlighting effective "
    "practice accompanied by a brief outline of the relevant circumstances",
    "in order to promote the learning from this case the review identified the following actions "
    "for the and its member agencies and anticipated improvement outcomes",
    "the process followed by the and the services represented on the review panel",
    "a learning event was held and the services that attended",
    "family members had been informed their views sought and represented throughout the learning "
    "event and feedback had been provided to them",
)
"""Template guidance text that reports often leave in place (paraphrased keys, fuzzy-matched)."""

_INSTRUCTION_START = re.compile(r"^\s*(to include here|insert (text|details) here|\[insert)", re.IGNORECASE)


@dataclass(frozen=True)
class NormBlock:
    """A block after normalisation, located in the review text by ``start``/``end``."""

    kind: BlockKind
    text: str
    start: int
    end: int
    page: int | None = None
    level: int | None = None
    rows: tuple[tuple[str, ...], ...] | None = None
    bold: bool = False


@dataclass(frozen=True)
class NormalisedDocument:
    """The review text and its blocks; ``text[b.start:b.end] == b.text`` for every block."""

    text: str
    blocks: tuple[NormBlock, ...]


def furniture_key(line: str) -> str:
    """Key under which a margin line repeats from page to page (digits masked)."""
    return re.sub(r"\d+", "#", _SPACE.sub(" ", line.strip().lower()))


def repeated_lines(pages: list[list[str]], fraction: float = REPEATED_FRACTION) -> set[str]:
    """Keys of lines that appear on at least ``fraction`` of the pages (and on two or more)."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({furniture_key(line) for line in lines if line.strip()})
    need = max(2, int(len(pages) * fraction + 0.999))
    return {key for key, n in counts.items() if n >= need}


def is_page_number_line(line: str) -> bool:
    """True for a bare page marker: "3", "Page 3 of 17", "- 3 -", "3 | P a g e"."""
    return bool(_PAGE_LINE.match(line)) or bool(_PAGE_SUFFIX.search(line) and len(line) < 120 and line.count(" ") < 16)


def clean_text(text: str, vocabulary: frozenset[str] = frozenset()) -> str:
    """Normalise one block's text: NFC, ligatures, invisible characters, hyphenation, spaces."""
    text = _CID.sub("", text)
    for lig, plain in LIGATURES.items():
        text = text.replace(lig, plain)
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE))

    def rejoin(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        joined = head + tail
        if joined.lower() in vocabulary and f"{head}-{tail}".lower() not in vocabulary:
            return joined
        low = tail.lower()
        if low in _SUFFIXES or low.startswith(tuple(x for x in _SUFFIXES if len(x) >= 4)):
            return joined
        return f"{head}-{tail}"

    text = _HYPHEN_BREAK.sub(rejoin, text)

    text = _HYPHEN_CAPITAL.sub(r"\1-", text)
    if vocabulary and "\n" in text:
        text = _join_cut_words(text, vocabulary)
    return _SPACE.sub(" ", text).strip()


def _join_cut_words(text: str, vocabulary: frozenset[str]) -> str:
    """Rejoin words a narrow table column cut without a hyphen ("Recom|mendat|ion")."""
    words = _sorted_words(vocabulary)
    out = [text.split("\n")[0]]
    for line in text.split("\n")[1:]:
        head_match = _LINE_END_WORD.search(out[-1])
        tail_match = _LINE_START_WORD.match(line)
        if head_match and tail_match:
            head, tail = head_match.group(0), tail_match.group(1)
            whole, first = (head + tail).lower(), head.lower()
            index = bisect.bisect_left(words, whole)
            known = index < len(words) and words[index].startswith(whole)
            short_tail = len(tail) <= 2 and tail.lower() not in _SHORT_WORDS and len(head) >= 3
            if first not in vocabulary and (known or short_tail):
                out[-1] += line.lstrip()
                continue
        out.append(line)
    return "\n".join(out)


@lru_cache(maxsize=8)
def _sorted_words(vocabulary: frozenset[str]) -> list[str]:
    return sorted(vocabulary)


def is_instruction(text: str) -> bool:
    """True when ``text`` is template guidance left in the report rather than content."""
    if _INSTRUCTION_START.match(text):
        return True
    if len(text) > 400:
        return False
    return any(
        token_set_ratio(text, phrase, 92) >= 92
        for phrase in INSTRUCTION_PHRASES
        if abs(len(text) - len(phrase)) < 60 and len(text) >= 0.7 * len(phrase)
    )


def document_vocabulary(blocks: tuple[Block, ...]) -> frozenset[str]:
    """Lowercase words (and hyphenated compounds) printed whole somewhere in the document.

    Paragraph text counts in full; in table cells, whose narrow columns can cut a word without a
    hyphen, only words inside a line count.
    """
    words: set[str] = set()
    for block in blocks:
        if not block.rows:  # paragraph lines wrap between words, never inside one without a hyphen
            # the two halves of a word broken at a line-end hyphen are not evidence for either spelling
            words.update(w.lower() for w in _VOCAB_WORD.findall(block.text.replace("-\n", " ")))
            continue
        for cell in (c for row in block.rows for c in row):
            for line in cell.split("\n"):
                found = _VOCAB_WORD.findall(line)
                words.update(w.lower() for w in found[1:-1])
    return frozenset(words)


def normalise(raw: RawDocument) -> NormalisedDocument:
    """Join ``raw.blocks`` into one text, cleaning each block and recording its offsets."""
    vocabulary = document_vocabulary(raw.blocks)
    pieces: list[str] = []
    blocks: list[NormBlock] = []
    pos = 0
    for block in raw.blocks:
        rows: tuple[tuple[str, ...], ...] | None = None
        if block.kind == "table" and block.rows:
            rows = tuple(tuple(clean_text(c, vocabulary) for c in row) for row in block.rows)
            rows = tuple(r for r in rows if any(r))
            if not rows:
                continue
            text = "\n".join(" | ".join(r) for r in rows)
        else:
            text = clean_text(block.text, vocabulary)
            if not text or is_page_number_line(text) or (block.kind != "heading" and is_instruction(text)):
                continue
        if pieces:
            pieces.append(BLOCK_SEPARATOR)
            pos += len(BLOCK_SEPARATOR)
        pieces.append(text)
        blocks.append(NormBlock(block.kind, text, pos, pos + len(text), block.page, block.level, rows, block.bold))
        pos += len(text)
    return NormalisedDocument("".join(pieces), tuple(blocks))
