"""Factory functions that build domain records for tests (no files, no models)."""

from __future__ import annotations

import hashlib

from ingest.models import (
    ActionRow,
    AgencyMention,
    ParsedReview,
    Passage,
    Recommendation,
    ReviewMetadata,
    Section,
)


def parsed_review(
    paragraphs: list[str] | None = None,
    *,
    reference: str | None = "CPR CTMSB 1/2020",
    review_type: str = "CPR",
    board: str = "Cwm Taf Morgannwg Safeguarding Board",
    year: int = 2020,
    name: str = "sample.md",
    salt: str = "",
) -> ParsedReview:
    """A small ParsedReview whose offsets are exact: one 'analysis' section holding the paragraphs."""
    paragraphs = paragraphs or [
        "The health visitor did not see the child alone and the mother's partner was never assessed.",
        "Information from the police notification was not shared with the school.",
        "Good practice: the school nurse escalated her concern promptly.",
    ]
    heading = "Practice and organisational learning"
    text = heading + "\n\n" + "\n\n".join(paragraphs)
    passages = []
    pos = len(heading) + 2
    for i, para in enumerate(paragraphs):
        passages.append(
            Passage(section_ordinal=0, ordinal=i, text=para, char_start=pos, char_end=pos + len(para))
        )
        pos += len(para) + 2
    sha = hashlib.sha256((text + salt + name).encode()).hexdigest()
    return ParsedReview(
        source_path=name,
        sha256=sha,
        media_type="text",
        text=text,
        metadata=ReviewMetadata(
            title="Concise Child Practice Review re: Child A",
            review_type=review_type,
            level="concise",
            board=board,
            reference=reference,
            year=year,
            subject="Child A",
            age_band="1-4",
            agencies=(AgencyMention("South Wales Police", "police", 3),),
        ),
        sections=(Section(0, "practice_learning", heading, 1, 0, len(text)),),
        passages=tuple(passages),
        recommendations=(Recommendation("1", "The Board should seek assurance that men are assessed."),),
        action_plan=(ActionRow("1", "Audit assessments", "Children's Services", "6 months", "Not started"),),
    )
