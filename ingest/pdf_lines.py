"""A page's text lines from its glyphs: pdfplumber's ``extract_text_lines`` at its defaults, done directly.

pdfplumber gets text lines in four passes over dictionaries: glyphs are clustered into lines and
cut into words (a dictionary per word), the words' tops are clustered again and the words laid out
into a text map (a tuple per letter), and a regular expression over the whole map finds each line
and collects its glyphs back. After the faster glyph road (``ingest.pdf_text``) that was the larger
part of reading a page of text (about three times what this module takes). This module makes the
same decisions in one pass per step, over tuples: the same tolerances (3 points across and down),
the same clustering (sorted distinct ``top`` values chained while each is within the tolerance of
the last), the same stable sorts, the same text-map lines (runs of consecutive words whose tops
fall in one cluster, in the order the words came: pdfplumber passes them as presorted), the same
word breaks (a blank glyph; a glyph left of the previous one's start, more than the tolerance
past its end, or more than the tolerance above or below it; an empty glyph is a word of its own),
the same ligature expansion and the same trimming, so the lines, their boxes and their glyphs
(a ligature's glyph once per letter, as pdfplumber lists it) are the ones pdfplumber returns.

Only upright (unrotated) glyphs are handled: a page with any other returns ``None`` and the caller
asks pdfplumber, whose rules for rotated text differ.
"""

from __future__ import annotations

import re
from itertools import groupby
from operator import itemgetter
from typing import Any

TOLERANCE = 3.0
"""pdfplumber's default x and y tolerance (points) for words and lines (a test checks they agree;
pdfplumber itself is imported only when a PDF is read)."""
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
"""pdfplumber's ligature expansions (``expand_ligatures=True``; a test checks they agree)."""
_TRIMMED = re.compile(r" *([^\n]+?) *(\n|$)")
_TOP = itemgetter("top")
_X0 = itemgetter("x0")
_TEXT = itemgetter("text")

Glyph = dict[str, Any]
_Word = tuple[float, list[Glyph]]  # top, glyphs


def text_lines(chars: list[Glyph]) -> list[dict[str, Any]] | None:
    """``page.extract_text_lines(strip=True, return_chars=True)`` for a page whose glyphs are ``chars``
    (in page order): dicts with ``text``, ``x0``, ``top``, ``x1``, ``bottom`` and ``chars``; ``None``
    if a glyph is not upright, or holds a line break among other text (pdfplumber's road is then
    the one to take)."""
    for c in chars:
        if not c["upright"] or ("\n" in c["text"] and not c["text"].isspace()):
            return None
    words: list[_Word] = []
    for line in _clusters(chars, list(map(_TOP, chars))):
        line.sort(key=_X0)
        words.extend(_words(line))
    out: list[dict[str, Any]] = []
    ids = _cluster_ids([w[0] for w in words])
    for _, run in groupby(words, key=lambda w: ids[w[0]]):
        found = _line(list(run))
        if found is not None:
            out.append(found)
    return out


def _cluster_ids(keys: list[float]) -> dict[float, int]:
    """pdfplumber's ``cluster_list``: the distinct keys sorted and chained while each is within
    :data:`TOLERANCE` of the previous; each key's cluster number."""
    cluster: dict[float, int] = {}
    last: float | None = None
    n = -1
    for value in sorted(set(keys)):
        if last is None or value > last + TOLERANCE:
            n += 1
        cluster[value] = n
        last = value
    return cluster


def _clusters(items: list[Any], keys: list[float]) -> list[list[Any]]:
    """``items`` grouped as pdfplumber's ``cluster_objects`` groups them by ``keys`` (one per item):
    groups in cluster order, items in their given order within a group."""
    cluster = _cluster_ids(keys)
    groups: list[list[Any]] = [[] for _ in range(max(cluster.values(), default=-1) + 1)]
    for item, key in zip(items, keys, strict=True):
        groups[cluster[key]].append(item)
    return groups


def _words(line: list[Glyph]) -> list[_Word]:
    """One line's glyphs (sorted by ``x0``) cut into words, each with its top."""
    out: list[_Word] = []
    current: list[Glyph] = []
    prev_x0 = prev_x1 = prev_top = 0.0
    for c in line:
        text = c["text"]
        x0, top = c["x0"], c["top"]
        if text.isspace():
            if current:
                out.append(_word(current))
            current = []
            continue
        if text == "":  # pdfplumber: an empty text is "in" the empty punctuation set
            if current:
                out.append(_word(current))
            out.append(_word([c]))
            current = []
            continue
        if current and (x0 < prev_x0 or x0 > prev_x1 + TOLERANCE or abs(top - prev_top) > TOLERANCE):
            out.append(_word(current))
            current = [c]
        else:
            current.append(c)
        prev_x0, prev_x1, prev_top = x0, c["x1"], top
    if current:
        out.append(_word(current))
    return out


def _word(glyphs: list[Glyph]) -> _Word:
    return (min(map(_TOP, glyphs)), glyphs)


def _line(words: list[_Word]) -> dict[str, Any] | None:
    """A line's text map (one space between words, ligatures expanded), trimmed as pdfplumber trims
    it; ``None`` if nothing but spaces is left."""
    texts = [[LIGATURES.get(t, t) for t in map(_TEXT, word)] for _, word in words]
    if all(len(t) == 1 for word in texts for t in word):  # one letter a glyph, never a blank (blanks
        # end words): nothing to trim, the line is every glyph
        return _found(" ".join("".join(word) for word in texts), [c for _, word in words for c in word])
    letters: list[str] = []
    owners: list[Glyph | None] = []
    for _top, word in words:
        if letters:
            letters.append(" ")
            owners.append(None)
        for c in word:
            glyph_text: str = c["text"]
            for letter in LIGATURES.get(glyph_text, glyph_text):
                letters.append(letter)
                owners.append(c)
    for match in _TRIMMED.finditer("".join(letters)):
        found = match.group(1)
        if found.strip():
            return _found(found, [c for c in owners[match.start(1) : match.end(1)] if c is not None])
    return None


def _found(text: str, chars: list[Glyph]) -> dict[str, Any]:
    return {
        "text": text,
        "x0": min(map(_X0, chars)),
        "top": min(map(_TOP, chars)),
        "x1": max(c["x1"] for c in chars),
        "bottom": max(c["bottom"] for c in chars),
        "chars": chars,
    }
