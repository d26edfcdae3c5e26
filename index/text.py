"""Tokenising and stemming shared by the BM25 index, the hashing encoder and snippets.

Words are runs of Unicode word characters (``\\w+``), so "Ffion’s" gives "ffion" and "s", and
"café" stays one word. Each word is NFKC-normalised and case-folded (the "ﬁ" ligature becomes
"fi"), English stopwords are dropped, and the rest are Snowball-stemmed with PyStemmer.
:func:`word_spans` keeps the character offsets of every word in the original text, so snippets
can mark matches without re-typing the text.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from typing import Any, NamedTuple

WORD_RE = re.compile(r"\w+", re.UNICODE)

# A plain English stopword list (function words only; domain words such as "child" stay).
_STOPWORD_TEXT = """
    a about above after again against all am an and any are aren as at be because been before being
    below between both but by can cannot could couldn did didn do does doesn doing don down during each
    few for from further had hadn has hasn have haven having he her here hers herself him himself his
    how i if in into is isn it its itself just ll me more most my myself no nor not now of off on once
    only or other ought our ours ourselves out over own re s same shan she should shouldn so some such
    t than that the their theirs them themselves then there these they this those through to too under
    until up ve very was wasn we were weren what when where which while who whom why will with won
    would wouldn you your yours yourself yourselves d m o y also may might must shall us
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())

_local = threading.local()


def _stemmer() -> Any:
    """One PyStemmer English stemmer per thread (stemmer objects are not thread-safe)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        try:
            import Stemmer
        except ImportError as exc:  # pragma: no cover - PyStemmer is a core dependency
            raise ImportError("PyStemmer is needed for search: pip install PyStemmer") from exc
        stemmer = Stemmer.Stemmer("english", 100_000)
        _local.stemmer = stemmer
    return stemmer


def normalise_word(word: str) -> str:
    """NFKC-normalise and case-fold one word."""
    if word.isascii():
        return word.lower()
    return unicodedata.normalize("NFKC", word).casefold()


def stem_words(words: list[str]) -> list[str]:
    """Stem already-normalised words."""
    if not words:
        return []
    stems: list[str] = _stemmer().stemWords(words)
    return stems


def tokenize(text: str) -> list[str]:
    """Stemmed, stopword-free tokens of ``text`` in reading order (duplicates kept)."""
    ascii_text = text.isascii()
    words = WORD_RE.findall(text.lower()) if ascii_text else [normalise_word(w) for w in WORD_RE.findall(text)]
    return stem_words([w for w in words if w not in STOPWORDS])


def tokenize_many(texts: Iterable[str]) -> list[list[str]]:
    """:func:`tokenize` for many texts (one stemmer call per text; same result)."""
    return [tokenize(text) for text in texts]


def query_terms(query: str) -> tuple[str, ...]:
    """The distinct stems of a query, in first-seen order."""
    return tuple(dict.fromkeys(tokenize(query)))


class WordSpan(NamedTuple):
    """One word of a text: its offsets in the original text and its stem (``None`` for stopwords)."""

    start: int
    end: int
    stem: str | None


def word_spans(text: str) -> list[WordSpan]:
    """Every word of ``text`` with its character offsets and stem (stopwords get ``None``)."""
    if text.isascii():  # lower-casing ASCII keeps every offset
        matches = list(WORD_RE.finditer(text.lower()))
        normalised = [m.group() for m in matches]
    else:
        matches = list(WORD_RE.finditer(text))
        normalised = [normalise_word(m.group()) for m in matches]
    content = [w for w in normalised if w not in STOPWORDS]
    stems = iter(stem_words(content))
    spans: list[WordSpan] = []
    for match, word in zip(matches, normalised, strict=True):
        stem = None if word in STOPWORDS else next(stems)
        spans.append(WordSpan(match.start(), match.end(), stem))
    return spans
