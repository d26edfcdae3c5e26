"""Records the search side works on, independent of the ORM.

The services layer turns catalogue rows into :class:`PassageRecord` objects (plus one embedding row
each) and hands them to the search engine; the engine never touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PassageRecord:
    """A searchable passage and the metadata filters and results need."""

    passage_id: int
    review_id: int
    text: str
    section_kind: str
    reference: str | None = None
    title: str = ""
    review_type: str | None = None
    board: str | None = None
    year: int | None = None
    page: int | None = None
    section_heading: str = ""
    agencies: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()
    section_confidence: float = 1.0
    """How surely ingest read ``section_kind`` (0..1); hybrid ranking keys its prior on the kind only
    when this reaches the engine's confidence line."""


@dataclass(frozen=True)
class SearchFilters:
    """Filters a query may carry; empty tuples and ``None`` mean "no filter"."""

    standards: tuple[str, ...] = ()
    review_types: tuple[str, ...] = ()
    boards: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    section_kinds: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    review_ids: tuple[int, ...] = ()
    passage_ids: tuple[int, ...] | None = None
    """Restrict to these passages (``None``: no restriction; empty: nothing passes). The services
    layer fills it from the catalogue, e.g. for standards decided after the index was built."""

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not (
            self.standards
            or self.review_types
            or self.boards
            or self.year_from is not None
            or self.year_to is not None
            or self.section_kinds
            or self.agencies
            or self.review_ids
            or self.passage_ids is not None
        )


@dataclass(frozen=True)
class SearchHit:
    """One ranked result. ``snippet`` marks query terms with ``<mark>…</mark>``."""

    record: PassageRecord
    score: float
    snippet: str
    bm25_rank: int | None = None
    dense_rank: int | None = None
    matched_terms: tuple[str, ...] = field(default=())
    concept_rank: int | None = None
    """Rank in the concept list (passages whose standards match the query's), when hybrid used one."""


@dataclass(frozen=True)
class ReviewGroup:
    """Hits of one review, in rank order; ``best_score`` is the score of its first hit."""

    review_id: int
    title: str
    reference: str | None
    best_score: float
    hits: tuple[SearchHit, ...]
