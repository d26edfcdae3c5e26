"""Query expansion from a small, versioned thesaurus of Welsh safeguarding terms.

Practitioners search in acronyms ("PPN", "DVDS") that reports spell out, and reports use acronyms
that queries spell out. :func:`expansions` returns the other members of every group a query names;
search adds them to the BM25 query at a lower weight and to the text the dense query vector is
made from. The groups live in ``index/data/query-synonyms.json`` (data, not code: a board can read
and extend them). Members match as whole words in any case ("gp", "ppn"), except the few listed as
case-sensitive because they are also ordinary words ("ED", "DASH").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

THESAURUS_FILE = Path(__file__).resolve().parent / "data" / "query-synonyms.json"


@dataclass(frozen=True)
class Thesaurus:
    """Groups of interchangeable terms, and the patterns that find each member in a query."""

    version: str
    groups: tuple[tuple[str, ...], ...]
    case_sensitive: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for group in self.groups:
            if len(group) < 2 or any(not term.strip() for term in group):
                raise ValueError(f"a thesaurus group needs two or more non-empty terms: {group!r}")

    @property
    def _patterns(self) -> tuple[tuple[re.Pattern[str], ...], ...]:
        return _compiled(self.groups, self.case_sensitive)

    def expansions(self, query: str) -> tuple[str, ...]:
        """The members of every group ``query`` names that the query does not already contain,
        in group order, each once."""
        out: dict[str, None] = {}
        for group, patterns in zip(self.groups, self._patterns, strict=True):
            named = [bool(p.search(query)) for p in patterns]
            if any(named):
                out.update((term, None) for term, hit in zip(group, named, strict=True) if not hit)
        return tuple(out)


def _pattern(term: str, case_sensitive: bool) -> re.Pattern[str]:
    flags = 0 if case_sensitive else re.IGNORECASE
    body = re.escape(term).replace("'", "['\u2019]")
    return re.compile(rf"(?<!\w){body}(?!\w)", flags)


@lru_cache(maxsize=8)
def _compiled(
    groups: tuple[tuple[str, ...], ...], case_sensitive: frozenset[str]
) -> tuple[tuple[re.Pattern[str], ...], ...]:
    return tuple(tuple(_pattern(term, term in case_sensitive) for term in group) for group in groups)


def read_thesaurus(path: Path) -> Thesaurus:
    """A thesaurus file: ``{"version": ..., "groups": [[term, ...], ...], "case_sensitive": [term, ...]}``."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Thesaurus(
        version=str(raw["version"]),
        groups=tuple(tuple(str(t) for t in g) for g in raw["groups"]),
        case_sensitive=frozenset(str(t) for t in raw.get("case_sensitive", ())),
    )


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus:
    """The packaged thesaurus (read once)."""
    return read_thesaurus(THESAURUS_FILE)
