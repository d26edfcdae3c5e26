"""Fixed vocabularies for the search filters, taken from ingest's own lists (one source of truth).

Only names are imported here; the explorer never parses or reads reviews itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from ingest.gazetteer import BOARDS
from ingest.models import REVIEW_TYPES, SECTION_KINDS

BOARD_NAMES: tuple[str, ...] = tuple(board.name for board in BOARDS)
SEARCH_MODES: dict[str, str] = {
    "hybrid": "Words and meaning (hybrid)",
    "bm25": "Exact words (BM25)",
    "dense": "Meaning (embeddings)",
}
POLARITIES: dict[str, str] = {
    "shortfall": "Shortfall in practice",
    "good_practice": "Good practice",
    "recommendation": "Recommendation",
    "neutral": "Neutral",
}
DIMENSIONS: dict[str, str] = {"year": "Year", "board": "Board", "review_type": "Review type"}

__all__ = ["BOARD_NAMES", "DIMENSIONS", "POLARITIES", "REVIEW_TYPES", "SEARCH_MODES", "SECTION_KINDS", "with_extra"]


def with_extra(canonical: Iterable[str], seen: Iterable[str | None]) -> list[str]:
    """The canonical values first, then any other value the catalogue holds."""
    out = list(canonical)
    out.extend(sorted({v for v in seen if v and v not in out}))
    return out
