"""Public JSON shapes shared by the CLI (`--json`) and the API. Built from ORM rows here only."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from index.orm import Passage, Review, Tag


class TagOut(BaseModel):
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
    decided_by: str | None = None
    decided_at: datetime | None = None
    version: int


class PassageOut(BaseModel):
    """A passage with its tags."""

    id: int
    ordinal: int
    text: str
    page: int | None
    char_start: int
    char_end: int
    tags: list[TagOut] = Field(default_factory=list)


class SectionOut(BaseModel):
    """A section and its passages in order."""

    kind: str
    heading: str
    level: int
    page: int | None
    passages: list[PassageOut]


class RecommendationOut(BaseModel):
    """A recommendation as printed."""

    id: int
    number: str
    text: str
    addressee: str | None = None
    scope: str | None = None
    status: str | None = None


class ActionRowOut(BaseModel):
    """A row of the action plan."""

    recommendation: str | None
    action: str
    lead_agency: str | None
    timescale: str | None
    status: str | None
    outcome: str | None = None


class AgencyOut(BaseModel):
    """An agency the review mentions."""

    name: str
    kind: str
    mentions: int


class ReviewSummary(BaseModel):
    """A review in a list."""

    id: int
    reference: str | None
    title: str
    review_type: str | None
    criteria_met: list[str]
    level: str | None
    board: str | None
    community_safety_partnership: str | None = None
    year: int | None
    age_band: str
    subject: str | None = None
    source_name: str
    media_type: str
    passage_count: int | None = None


class ReviewOut(ReviewSummary):
    """A review in full."""

    agencies: list[AgencyOut]
    sections: list[SectionOut]
    recommendations: list[RecommendationOut]
    action_plan: list[ActionRowOut]
    warnings: list[str] = Field(default_factory=list)


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def tag_out(tag: Tag) -> TagOut:
    """Public form of a tag."""
    return TagOut(
        id=tag.id,
        standard=tag.standard_id,
        score=round(tag.score, 4),
        polarity=tag.polarity,
        evidence=tag.evidence,
        evidence_start=tag.evidence_start,
        evidence_end=tag.evidence_end,
        source=tag.source,
        tagger=tag.tagger,
        status=tag.status,
        taxonomy_version=tag.taxonomy_version,
        decided_by=tag.decided_by,
        decided_at=_aware(tag.decided_at),
        version=tag.version,
    )


def passage_out(passage: Passage) -> PassageOut:
    """Public form of a passage with its tags (rejected ones included, marked)."""
    return PassageOut(
        id=passage.id,
        ordinal=passage.ordinal,
        text=passage.text,
        page=passage.page,
        char_start=passage.char_start,
        char_end=passage.char_end,
        tags=[tag_out(t) for t in sorted(passage.tags, key=lambda t: -t.score)],
    )


def review_summary(review: Review, passage_count: int | None = None) -> ReviewSummary:
    """Public summary of a review."""
    return ReviewSummary(
        id=review.id,
        reference=review.reference,
        title=review.title,
        review_type=review.review_type,
        criteria_met=list(review.criteria_met or []),
        level=review.level,
        board=review.board,
        community_safety_partnership=review.community_safety_partnership,
        year=review.year,
        age_band=review.age_band,
        subject=review.subject,
        source_name=review.source_name,
        media_type=review.media_type,
        passage_count=passage_count,
    )


def review_out(review: Review) -> ReviewOut:
    """Public form of a whole review (load it with ``index.store.get_review``)."""
    summary = review_summary(review, passage_count=len(review.passages))
    return ReviewOut(
        **summary.model_dump(),
        agencies=[AgencyOut(name=a.agency, kind=a.kind, mentions=a.mentions) for a in review.agencies],
        sections=[
            SectionOut(
                kind=s.kind,
                heading=s.heading,
                level=s.level,
                page=s.page,
                passages=[passage_out(p) for p in s.passages],
            )
            for s in review.sections
        ],
        recommendations=[
            RecommendationOut(
                id=r.id, number=r.number, text=r.text, addressee=r.addressee, scope=r.scope, status=r.status
            )
            for r in review.recommendations
        ],
        action_plan=[
            ActionRowOut(
                recommendation=a.recommendation,
                action=a.action,
                lead_agency=a.lead_agency,
                timescale=a.timescale,
                status=a.status,
                outcome=a.outcome,
            )
            for a in review.action_rows
        ],
        warnings=list(review.warnings or []),
    )
