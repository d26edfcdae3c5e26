"""Result snippets: a window of about 40 words around the densest run of query-term matches.

A word matches when its stem is one of the query's stems ("neglected" matches "neglect").
Matches are wrapped in ``<mark>…</mark>``; everything else is HTML-escaped, so the snippet can be
shown as HTML as it is.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Collection

from index.text import WordSpan, query_terms, word_spans

SNIPPET_WORDS = 40
ELLIPSIS = "…"


def _best_window(stems: list[str | None], terms: set[str], size: int) -> int:
    """Start of the ``size``-word window with the most distinct, then most total, matches."""
    count = len(stems)
    if count <= size:
        return 0
    hits: Counter[str] = Counter()
    total = 0
    for stem in stems[:size]:
        if stem in terms:
            hits[stem] += 1
            total += 1
    best, best_key = 0, (len(hits), total)
    for start in range(1, count - size + 1):
        leaving, entering = stems[start - 1], stems[start + size - 1]
        if leaving in terms:
            hits[leaving] -= 1
            total -= 1
            if not hits[leaving]:
                del hits[leaving]
        if entering in terms:
            hits[entering] += 1
            total += 1
        key = (len(hits), total)
        if key > best_key:
            best, best_key = start, key
    return best


def _centre(stems: list[str | None], terms: set[str], start: int, size: int) -> int:
    """Shift the window so its matches sit in the middle (all of them stay inside)."""
    inside = [i for i in range(start, min(start + size, len(stems))) if stems[i] in terms]
    if not inside:
        return start
    middle = (inside[0] + inside[-1]) // 2
    return max(0, min(middle - size // 2, len(stems) - size))


def _render(text: str, spans: list[WordSpan], terms: set[str], first: int, last: int) -> str:
    begin = spans[first].start if first > 0 else 0
    end = spans[last].end if last < len(spans) - 1 else len(text)
    out: list[str] = [ELLIPSIS + " "] if first > 0 else []
    cursor = begin
    for span in spans[first : last + 1]:
        if span.stem in terms:
            out.append(html.escape(text[cursor : span.start]))
            out.append(f"<mark>{html.escape(text[span.start : span.end])}</mark>")
            cursor = span.end
    out.append(html.escape(text[cursor:end]))
    if last < len(spans) - 1:
        out.append(" " + ELLIPSIS)
    return "".join(out).strip()


def highlight(text: str, terms: Collection[str], *, words: int = SNIPPET_WORDS) -> tuple[str, tuple[str, ...]]:
    """The snippet of ``text`` for query stems ``terms``, and the distinct matched words.

    Matched words are lower-cased, in first-seen order. Without any match (or without terms) the
    snippet is the first ``words`` words. Use :func:`index.text.query_terms` to get ``terms``.
    """
    spans = word_spans(text)
    if not spans:
        return html.escape(text.strip()), ()
    wanted = set(terms)
    stems = [span.stem for span in spans]
    size = max(1, words)
    start = _centre(stems, wanted, _best_window(stems, wanted, size), size)
    last = min(start + size, len(spans)) - 1
    found = (text[s.start : s.end].lower() for s in spans if s.stem in wanted)
    return _render(text, spans, wanted, start, last), tuple(dict.fromkeys(found))


def make_snippet(text: str, query: str, *, words: int = SNIPPET_WORDS) -> str:
    """An HTML-safe snippet of ``text`` with the query's stemmed matches marked."""
    return highlight(text, query_terms(query), words=words)[0]


def matched_terms(text: str, query: str) -> tuple[str, ...]:
    """The distinct words of ``text`` (lower-cased, first-seen order) that match the query."""
    return highlight(text, query_terms(query))[1]
