"""Frozen records passed between ingest stages.

Every stage boundary is one of these dataclasses. Character offsets always refer to
``ParsedReview.text`` (the review's normalised text): ``text[p.char_start:p.char_end] == p.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table"]

SECTION_KINDS: tuple[str, ...] = (
    "front_matter",
    "circumstances",
    "terms_of_reference",
    "methodology",
    "family_involvement",
    "panel",
    "parallel",
    "equality",
    "timeline",
    "analysis",
    "practice_learning",
    "good_practice",
    "conclusions",
    "recommendations",
    "action_plan",
    "statements",
    "glossary",
    "wg_use_only",
    "other",
)
"""Canonical section kinds. ``front_matter`` is text before the first heading."""

REVIEW_TYPES: tuple[str, ...] = ("CPR", "APR", "DHR", "MHHR", "OWHR", "SUSR")

AGE_BANDS: tuple[str, ...] = (
    "unborn",
    "infant_<1",
    "1-4",
    "5-10",
    "11-15",
    "16-17",
    "18-24",
    "25-64",
    "65+",
    "unknown",
)


@dataclass(frozen=True)
class Block:
    """One normalised unit of a source document.

    ``rows`` is set for tables only (a tuple of rows of cell strings, header row first);
    ``text`` of a table is its cells joined by `` | `` per row, rows by newlines.
    ``level`` is the heading depth when known (1 = top); ``page`` is 1-based, ``None`` if unknown.
    The typography fields describe how the block is printed, where the format says so: ``bold``,
    ``italic`` and ``underline`` are true when all its text is; ``size`` is the largest font size in
    points; ``style`` is the word-processor paragraph style name; ``numbered`` is true when the
    number at its start comes from automatic list numbering rather than typed text; ``centred``
    is true for a centred paragraph (cover pages are centred, body text is not). Heading
    inference (:mod:`ingest.headings`) reads them when a document has no heading styles.
    """

    kind: BlockKind
    text: str
    page: int | None = None
    level: int | None = None
    rows: tuple[tuple[str, ...], ...] | None = None
    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None
    style: str | None = None
    numbered: bool = False
    centred: bool = False


@dataclass(frozen=True)
class RawDocument:
    """A source file turned into blocks, before any splitting."""

    path: str
    sha256: str
    media_type: Literal["pdf", "docx", "text"]
    blocks: tuple[Block, ...]
    page_count: int | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A contiguous span of the review under one heading."""

    ordinal: int
    kind: str
    heading: str
    level: int
    char_start: int
    char_end: int
    page: int | None = None
    kind_confidence: float = 1.0  # 0..1: how surely ``kind`` was read (search priors apply only when sure)


@dataclass(frozen=True)
class Passage:
    """A paragraph-sized unit of text for tagging and search."""

    section_ordinal: int
    ordinal: int
    text: str
    char_start: int
    char_end: int
    page: int | None = None


@dataclass(frozen=True)
class Recommendation:
    """A recommendation as printed (its number kept as a string: "1", "3a", "R2")."""

    number: str
    text: str
    addressee: str | None = None
    scope: str | None = None
    char_start: int | None = None
    char_end: int | None = None


@dataclass(frozen=True)
class ActionRow:
    """One row of an action plan, columns mapped to canonical names."""

    recommendation: str | None
    action: str
    lead_agency: str | None = None
    timescale: str | None = None
    status: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class AgencyMention:
    """An agency from the gazetteer and how many times the review mentions it."""

    name: str
    kind: str
    mentions: int


@dataclass(frozen=True)
class ReviewMetadata:
    """Facts about the review as a whole."""

    title: str
    review_type: str | None = None
    criteria_met: tuple[str, ...] = ()
    level: Literal["concise", "extended"] | None = None
    board: str | None = None
    community_safety_partnership: str | None = None
    reference: str | None = None
    year: int | None = None
    subject: str | None = None
    age_band: str = "unknown"
    agencies: tuple[AgencyMention, ...] = ()


@dataclass(frozen=True)
class ParsedReview:
    """Everything ingest produces for one file."""

    source_path: str
    sha256: str
    media_type: str
    text: str
    metadata: ReviewMetadata
    sections: tuple[Section, ...]
    passages: tuple[Passage, ...]
    recommendations: tuple[Recommendation, ...] = ()
    action_plan: tuple[ActionRow, ...] = ()
    page_count: int | None = None
    warnings: tuple[str, ...] = field(default=())
