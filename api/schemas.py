"""Request and response shapes that only the API uses (shared ones live in ``gwersi.schemas``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, StringConstraints

from gwersi.packs import MAX_ITEMS
from gwersi.schemas import TagOut

T = TypeVar("T")

MAX_PAGE_SIZE = 100
"""Largest page any list endpoint returns."""
MAX_K = 50
"""Most search results per page."""
MAX_OFFSET = 1000
"""Deepest search page offset."""
MAX_NOTE_CHARS = 5000
STANDARD_ID_PATTERN = r"^S\d{2}$"
StandardIdStr = Annotated[str, StringConstraints(pattern=STANDARD_ID_PATTERN)]
DbId = Annotated[int, Field(ge=1, le=2**31 - 1)]
"""A database id: positive and within a 32-bit integer (SQLite and PostgreSQL both take it)."""
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total count before paging."""

    data: list[T]
    count: int
    offset: int
    limit: int


class Health(BaseModel):
    """Liveness or readiness."""

    status: Literal["ok", "ready", "not_ready"]
    checks: dict[str, str] = Field(default_factory=dict)


class VersionOut(BaseModel):
    """What is running."""

    version: str
    taxonomy_version: str
    encoder: str
    api: str = "1"


class CountsOut(BaseModel):
    """How many passages (and reviews) carry a standard, counting tags not rejected."""

    passages: int = 0
    confirmed_passages: int = 0
    reviews: int = 0


class StandardOut(BaseModel):
    """A proposed National Standard with its counts."""

    id: str
    number: int
    slug: str
    title: str
    description: str
    must_dos: list[str]
    related: list[str]
    components: list[str]
    cue_phrases: list[str]
    counts: CountsOut


class ComponentOut(BaseModel):
    """A multi-agency component with its standards and counts."""

    id: str
    slug: str
    title: str
    description: str
    standards: list[str]
    counts: CountsOut


class SearchHitOut(BaseModel):
    """One search result."""

    passage_id: int
    review_id: int
    score: float
    """BM25 score (bm25), cosine similarity (dense), or in hybrid search the reranker's score relative
    to the first hit's (1 for it, towards 0 below; the fused RRF score when no reranker is used)."""
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
    bm25_rank: int | None = None
    dense_rank: int | None = None
    concept_rank: int | None = None
    """Rank among passages whose standards match the query's (hybrid search with the concept list)."""


class SearchOut(BaseModel):
    """A page of search results."""

    query: str
    mode: str
    k: int
    offset: int
    count: int
    expanded_with: list[str] = []
    """Other names of the query's terms that were searched too (the thesaurus)."""
    data: list[SearchHitOut]


class SimilarReviewOut(BaseModel):
    """A review like another one, with the reason."""

    review_id: int
    score: float
    reason: str
    reference: str | None
    title: str


class DecisionOut(BaseModel):
    """A panel decision on a tag (kept for ever)."""

    id: int
    decision: str
    reviewer: str
    note: str | None
    taxonomy_version: str
    decided_at: datetime


class TagWithHistory(TagOut):
    """A tag with every decision made on it."""

    decisions: list[DecisionOut] = Field(default_factory=list)


class PassageReviewRef(BaseModel):
    """The review a passage belongs to."""

    id: int
    reference: str | None
    title: str
    review_type: str | None
    board: str | None
    year: int | None


class PassageDetail(BaseModel):
    """A passage with its tags, their provenance and decision history, and where it comes from."""

    id: int
    ordinal: int
    paragraph: int
    text: str
    page: int | None
    char_start: int
    char_end: int
    section_kind: str
    section_heading: str
    review: PassageReviewRef
    tags: list[TagWithHistory]


class WorkbenchTag(TagOut):
    """A tag for the panel workbench, with its passage."""

    passage_id: int
    passage_text: str


class DecisionIn(BaseModel):
    """Confirm or reject a suggested tag."""

    decision: Literal["confirm", "reject"]
    note: str | None = Field(default=None, max_length=2000)
    expected_version: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The tag version you saw; a newer one gives 409 instead of overwriting.",
    )


class TagAddIn(BaseModel):
    """Add a standard the machine missed."""

    standard: str = Field(pattern=STANDARD_ID_PATTERN, description="Standard id, S01..S26.")
    evidence: str = Field(default="", max_length=2000)
    note: str | None = Field(default=None, max_length=2000)


class PackIn(BaseModel):
    """A new case pack."""

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=MAX_NOTE_CHARS)


class PackPatch(BaseModel):
    """Changes to a case pack."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)


class PackItemIn(BaseModel):
    """A passage to add to a pack."""

    passage_id: DbId
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)
    question: str = Field(default="", max_length=MAX_NOTE_CHARS, description="A reflective question.")
    position: int | None = Field(default=None, ge=0, le=MAX_ITEMS)


class PackItemPatch(BaseModel):
    """Changes to a pack item."""

    note: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)
    question: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)


class PackOrderIn(BaseModel):
    """The pack's item ids in their new order."""

    item_ids: list[int] = Field(max_length=MAX_ITEMS)


class TokenIn(BaseModel):
    """A token to make."""

    name: str = Field(min_length=1, max_length=200)
    role: Literal["reader", "panel", "admin"] = "reader"


class MeOut(BaseModel):
    """Who a token belongs to."""

    name: str
    role: str
    token_id: int | None
    anonymous_read: bool


class UploadOut(BaseModel):
    """What an upload did."""

    file: str
    status: str
    review_id: int | None
    passages_added: int
    passages_removed: int
    processed: dict[str, Any] | None = None


class RecommendationItem(BaseModel):
    """A recommendation with the review it comes from."""

    id: int
    review_id: int
    reference: str | None
    review_title: str
    review_type: str | None
    board: str | None
    year: int | None
    number: str
    text: str
    addressee: str | None
    scope: str | None
    status: str | None


class RecommendationStatusIn(BaseModel):
    """A status change on a recommendation."""

    status: str = Field(min_length=1, max_length=40)
    note: str | None = Field(default=None, max_length=2000)
