"""The catalogue's tables (SQLAlchemy 2.0 typed models).

Invariants live in constraints: one review per file hash, one tag per (passage, standard, source),
ordinals unique within their parent. Timestamps are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TAG_SOURCES = ("rule", "model", "panel")
TAG_STATUSES = ("suggested", "confirmed", "rejected")
ROLES = ("reader", "panel", "admin")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base with the constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class Review(Base):
    """One ingested review document."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source_name: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(16))
    identity_key: Mapped[str] = mapped_column(String(500), unique=True)
    reference: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(1000))
    review_type: Mapped[str | None] = mapped_column(String(8), index=True)
    criteria_met: Mapped[list[str]] = mapped_column(default=list)
    level: Mapped[str | None] = mapped_column(String(16))
    board: Mapped[str | None] = mapped_column(String(200), index=True)
    community_safety_partnership: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    subject: Mapped[str | None] = mapped_column(String(200))
    age_band: Mapped[str] = mapped_column(String(16), default="unknown")
    text: Mapped[str] = mapped_column(Text)
    page_count: Mapped[int | None] = mapped_column(Integer)
    warnings: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    sections: Mapped[list[Section]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Section.ordinal"
    )
    passages: Mapped[list[Passage]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Passage.ordinal"
    )
    recommendations: Mapped[list[RecommendationRow]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="RecommendationRow.ordinal"
    )
    action_rows: Mapped[list[ActionPlanRow]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ActionPlanRow.ordinal"
    )
    agencies: Mapped[list[AgencyMentionRow]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="AgencyMentionRow.agency"
    )


class Section(Base):
    """A section of a review under one heading."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("review_id", "ordinal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    kind_confidence: Mapped[float] = mapped_column(Float, default=1.0, server_default="1.0")
    """How surely ``kind`` was read, 0..1 (search applies its section prior only above a line)."""
    heading: Mapped[str] = mapped_column(String(1000))
    level: Mapped[int] = mapped_column(Integer, default=1)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)

    review: Mapped[Review] = relationship(back_populates="sections")
    passages: Mapped[list[Passage]] = relationship(back_populates="section", order_by="Passage.ordinal")


class Passage(Base):
    """A paragraph-sized unit of a review: what is tagged and searched."""

    __tablename__ = "passages"
    __table_args__ = (
        UniqueConstraint("review_id", "ordinal"),
        CheckConstraint("char_end >= char_start", name="offsets"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    text_sha1: Mapped[str] = mapped_column(String(40), index=True)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    tagged_with: Mapped[str | None] = mapped_column(String(120))

    review: Mapped[Review] = relationship(back_populates="passages")
    section: Mapped[Section] = relationship(back_populates="passages")
    tags: Mapped[list[Tag]] = relationship(
        back_populates="passage", cascade="all, delete-orphan", order_by="Tag.id"
    )


class RecommendationRow(Base):
    """A recommendation as printed in a review, with a tracked status."""

    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("review_id", "ordinal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    addressee: Mapped[str | None] = mapped_column(String(300))
    scope: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str | None] = mapped_column(String(40))

    review: Mapped[Review] = relationship(back_populates="recommendations")


class ActionPlanRow(Base):
    """One row of a review's action plan."""

    __tablename__ = "action_rows"
    __table_args__ = (UniqueConstraint("review_id", "ordinal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    recommendation: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(Text)
    lead_agency: Mapped[str | None] = mapped_column(String(300))
    timescale: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(Text)

    review: Mapped[Review] = relationship(back_populates="action_rows")


class AgencyMentionRow(Base):
    """An agency named in a review, with its mention count."""

    __tablename__ = "agency_mentions"
    __table_args__ = (UniqueConstraint("review_id", "agency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    mentions: Mapped[int] = mapped_column(Integer)

    review: Mapped[Review] = relationship(back_populates="agencies")


class Tag(Base):
    """A standard attached to a passage: a machine suggestion or a panel's own tag.

    A panel decision changes ``status`` and is recorded in :class:`TagDecision`; the machine's
    original score, evidence and tagger are never overwritten.
    """

    __tablename__ = "tags"
    __table_args__ = (
        UniqueConstraint("passage_id", "standard_id", "source"),
        CheckConstraint("source IN ('rule', 'model', 'panel')", name="source"),
        CheckConstraint("status IN ('suggested', 'confirmed', 'rejected')", name="status"),
        CheckConstraint("score >= 0 AND score <= 1", name="score"),
        Index("ix_tags_standard_status_passage", "standard_id", "status", "passage_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    passage_id: Mapped[int] = mapped_column(ForeignKey("passages.id", ondelete="CASCADE"), index=True)
    standard_id: Mapped[str] = mapped_column(String(8))
    score: Mapped[float] = mapped_column(Float)
    polarity: Mapped[str] = mapped_column(String(20), default="neutral")
    evidence: Mapped[str] = mapped_column(Text, default="")
    evidence_start: Mapped[int | None] = mapped_column(Integer)
    evidence_end: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))
    tagger: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="suggested")
    taxonomy_version: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    passage: Mapped[Passage] = relationship(back_populates="tags")
    decisions: Mapped[list[TagDecision]] = relationship(back_populates="tag", order_by="TagDecision.id")


class TagDecision(Base):
    """One panel decision on a tag, kept for ever (the tag may later be re-decided)."""

    __tablename__ = "tag_decisions"
    __table_args__ = (CheckConstraint("decision IN ('confirm', 'reject', 'add')", name="decision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id", ondelete="SET NULL"), index=True)
    review_id: Mapped[int | None] = mapped_column(Integer, index=True)
    passage_text_sha1: Mapped[str] = mapped_column(String(40))
    standard_id: Mapped[str] = mapped_column(String(8))
    decision: Mapped[str] = mapped_column(String(10))
    reviewer: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    taxonomy_version: Mapped[str] = mapped_column(String(40))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    tag: Mapped[Tag | None] = relationship(back_populates="decisions")


class ApiToken(Base):
    """An API token (only its sha256 is stored) with a role."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("role IN ('reader', 'panel', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Who did what, when: every write through the API or CLI."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class CasePack(Base):
    """A trainer's collection of anonymised passages with notes."""

    __tablename__ = "case_packs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    items: Mapped[list[CasePackItem]] = relationship(
        back_populates="pack", cascade="all, delete-orphan", order_by="CasePackItem.position"
    )


class CasePackItem(Base):
    """A passage in a case pack, with the trainer's note and reflective question."""

    __tablename__ = "case_pack_items"
    __table_args__ = (UniqueConstraint("pack_id", "passage_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("case_packs.id", ondelete="CASCADE"), index=True)
    passage_id: Mapped[int] = mapped_column(ForeignKey("passages.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")

    pack: Mapped[CasePack] = relationship(back_populates="items")
    passage: Mapped[Passage] = relationship()


class RecommendationStatusUpdate(Base):
    """A status change recorded against a recommendation by a panel member (history kept)."""

    __tablename__ = "recommendation_status_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TrainingExample(Base):
    """A passage a board labelled, imported as training data (``gwersi learn``, ``POST /training-examples``).

    Provenance is kept with each row: who imported it, when, from which file and line. One row per
    passage text (``text_sha1``): importing the same text again is a duplicate and is skipped.
    """

    __tablename__ = "training_examples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    text_sha1: Mapped[str] = mapped_column(String(40), unique=True)
    standards: Mapped[list[str]] = mapped_column(default=list)
    rejected: Mapped[list[str]] = mapped_column(default=list)
    polarity: Mapped[str | None] = mapped_column(String(20))
    section_kind: Mapped[str | None] = mapped_column(String(40))
    passage_id: Mapped[int | None] = mapped_column(ForeignKey("passages.id", ondelete="SET NULL"), index=True)
    taxonomy_version: Mapped[str] = mapped_column(String(40))
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source_file: Mapped[str] = mapped_column(String(500))
    source_line: Mapped[int | None] = mapped_column(Integer)
