"""The JSON shapes the explorer reads from the API (the fields it uses), as typed dictionaries.

They mirror ``api.schemas`` and ``gwersi.schemas`` without importing the server: the explorer
only ever sees the API's JSON.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class Me(TypedDict):
    """``GET /me``."""

    name: str
    role: str
    token_id: int | None
    anonymous_read: bool


class Counts(TypedDict):
    """Passages and reviews carrying a standard."""

    passages: int
    confirmed_passages: int
    reviews: int


class Standard(TypedDict):
    """``GET /standards`` item."""

    id: str
    number: int
    slug: str
    title: str
    description: str
    must_dos: list[str]
    related: list[str]
    components: list[str]
    cue_phrases: list[str]
    counts: Counts


class SearchHit(TypedDict):
    """One search result (also ``GET /passages/{id}/similar``)."""

    passage_id: int
    review_id: int
    score: float
    snippet: str
    text: str
    reference: str | None
    title: str
    review_type: str | None
    board: str | None
    year: int | None
    page: int | None
    section_kind: str
    section_heading: str
    standards: list[str]
    matched_terms: list[str]
    bm25_rank: NotRequired[int | None]
    dense_rank: NotRequired[int | None]
    concept_rank: NotRequired[int | None]
    """Ranks in the lists hybrid search fused; null where no fusion ran ("more like this")."""


class SearchPage(TypedDict):
    """``GET /search``."""

    query: str
    mode: str
    k: int
    offset: int
    count: int
    expanded_with: list[str]
    data: list[SearchHit]


class Tag(TypedDict):
    """A tag on a passage with its provenance."""

    id: int
    standard: str
    score: float
    polarity: str
    evidence: str
    evidence_start: int | None
    evidence_end: int | None
    source: str
    tagger: str
    status: str
    taxonomy_version: str
    decided_by: str | None
    decided_at: str | None
    version: int


class Decision(TypedDict):
    """A panel decision on a tag."""

    id: int
    decision: str
    reviewer: str
    note: str | None
    decided_at: str


class TagWithHistory(Tag):
    """A tag with every decision made on it."""

    decisions: list[Decision]


class WorkbenchTag(Tag):
    """``GET /reviews/{id}/tags`` item."""

    passage_id: int
    passage_text: str


class Passage(TypedDict):
    """A passage inside a review."""

    id: int
    ordinal: int
    text: str
    page: int | None
    char_start: int
    char_end: int
    tags: list[Tag]


class Section(TypedDict):
    """A section with its passages in order."""

    kind: str
    heading: str
    level: int
    page: int | None
    passages: list[Passage]


class ReviewRef(TypedDict):
    """The review a passage belongs to."""

    id: int
    reference: str | None
    title: str
    review_type: str | None
    board: str | None
    year: int | None


class PassageDetail(TypedDict):
    """``GET /passages/{id}``."""

    id: int
    ordinal: int
    paragraph: int
    text: str
    page: int | None
    section_kind: str
    section_heading: str
    review: ReviewRef
    tags: list[TagWithHistory]


class ReviewSummary(TypedDict):
    """A review in a list."""

    id: int
    reference: str | None
    title: str
    review_type: str | None
    criteria_met: list[str]
    level: str | None
    board: str | None
    community_safety_partnership: str | None
    year: int | None
    age_band: str
    subject: str | None
    source_name: str
    media_type: str
    passage_count: int | None


class Recommendation(TypedDict):
    """A recommendation as printed."""

    id: int
    number: str
    text: str
    addressee: str | None
    scope: str | None
    status: str | None


class ActionRow(TypedDict):
    """A row of the action plan."""

    recommendation: str | None
    action: str
    lead_agency: str | None
    timescale: str | None
    status: str | None
    outcome: str | None


class Agency(TypedDict):
    """An agency the review mentions."""

    name: str
    kind: str
    mentions: int


class Review(ReviewSummary):
    """``GET /reviews/{id}``."""

    agencies: list[Agency]
    sections: list[Section]
    recommendations: list[Recommendation]
    action_plan: list[ActionRow]
    warnings: list[str]


class ReviewPage(TypedDict):
    """``GET /reviews``."""

    data: list[ReviewSummary]
    count: int
    offset: int
    limit: int


class SimilarReview(TypedDict):
    """A review like another one, with the reason."""

    review_id: int
    score: float
    reason: str
    reference: str | None
    title: str


class ThemeCell(TypedDict):
    """Passages tagged with a standard for one value of the dimension."""

    standard: str
    key: str | int | None
    passages: int
    reviews: int


class ThemeTable(TypedDict):
    """``GET /themes``."""

    by: str
    keys: list[str | int | None]
    cells: list[ThemeCell]
    totals: dict[str, int]
    confirmed_only: bool
    min_score: float


class Lesson(TypedDict):
    """``GET /standards/{id}/lessons`` item."""

    standard: str
    tag_id: int
    passage_id: int
    review_id: int
    reference: str | None
    title: str
    review_type: str | None
    board: str | None
    year: int | None
    section_kind: str
    section_heading: str
    page: int | None
    paragraph: int
    text: str
    evidence: str
    evidence_start: int | None
    evidence_end: int | None
    polarity: str
    score: float
    status: str


class PackSummary(TypedDict):
    """``GET /packs`` item."""

    id: int
    title: str
    description: str
    owner: str
    item_count: int
    created_at: str
    updated_at: str


class PackItem(TypedDict):
    """A passage in a pack with the trainer's note and question."""

    id: int
    position: int
    passage_id: int
    review_id: int
    reference: str | None
    review_title: str
    review_type: str | None
    board: str | None
    year: int | None
    section_heading: str
    section_kind: str
    paragraph: int
    page: int | None
    text: str
    note: str
    question: str


class Pack(TypedDict):
    """``GET /packs/{id}``."""

    id: int
    title: str
    description: str
    owner: str
    created_at: str
    updated_at: str
    items: list[PackItem]


class JobError(TypedDict):
    """Why a background job failed."""

    code: str
    status: int
    title: str
    detail: str


class Job(TypedDict):
    """``GET /jobs/{id}``."""

    id: str
    kind: str
    status: str
    filename: str | None
    result: dict[str, Any] | None
    error: JobError | None


class UploadResult(TypedDict):
    """What an upload did (``POST /uploads`` 201, or a finished job's ``result``)."""

    file: str
    status: str
    review_id: int | None
    passages_added: int
    passages_removed: int


class Export(TypedDict):
    """A downloaded export: the bytes, the file name the API proposes and the media type."""

    content: bytes
    filename: str
    media_type: str
