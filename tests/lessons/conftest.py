"""A tiny catalogue where two lessons recur across three reviews, and one stays in one review.

The hashing encoder and the rule tagger keep it fast and model-free; paraphrases share enough
words that the hashing vectors and the TF-IDF block bring them together.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import pytest

from gwersi.context import AppContext
from gwersi.ingesting import store_parsed
from gwersi.pipeline import process_new_passages
from gwersi.settings import Settings
from ingest.models import ActionRow, Recommendation
from tests.factories import parsed_review

UNSEEN = (
    "The mother's new partner lived in the household but was never seen or assessed by any agency.",
    "The partner of the mother lived in the household and was never seen or assessed by the agencies.",
    "Nobody assessed the mother's partner, who lived in the household, and he was never seen by any agency.",
    "The mother's partner lived in the household yet no agency ever saw or assessed him.",
)
NOT_BROUGHT = (
    "Missed health appointments were recorded as did not attend rather than as a child not brought.",
    "Health appointments the child missed were recorded as did not attend, not as a child not brought.",
    "The child missed health appointments, recorded as did not attend instead of child not brought.",
)
ONE_OFF = (
    "The school bus escort noticed bruising on the boy's arm and told the head teacher the same day.",
    "The school bus escort noticed bruising on the boy's arm and told the head teacher on the same day.",
)

REVIEWS: tuple[dict[str, Any], ...] = (
    dict(
        paragraphs=[UNSEEN[0], NOT_BROUGHT[0], *ONE_OFF],
        reference="CPR NWSB 1/2019", review_type="CPR", board="North Wales Safeguarding Board", year=2019,
        name="cpr_nwsb_2019.md",
        recommendations=(
            Recommendation("1", "The Board should seek assurance that the partners of mothers are seen and "
                           "assessed by health visitors.", "The Board"),
            Recommendation("2", "Betsi Cadwaladr University Health Board should audit interpreter bookings.",
                           "Betsi Cadwaladr University Health Board"),
        ),
        actions=(
            ActionRow("1", "Audit of assessments", "North Wales Safeguarding Board", "June 2020", "Complete"),
            ActionRow("2", "Interpreter audit", "Betsi Cadwaladr University Health Board", "March 2020", "Not started"),
        ),
    ),
    dict(
        paragraphs=[UNSEEN[1], NOT_BROUGHT[1],
                    "The family held a memorial walk along the canal, organised by the football club."],
        reference="CPR SEWSCB 2/2021", review_type="CPR", board="Gwent Safeguarding Board", year=2021,
        name="cpr_sewscb_2021.md",
        recommendations=(
            Recommendation("1", "The Safeguarding Board should seek assurance that mothers' partners are seen "
                           "and assessed by health visitors and social workers.", "The Safeguarding Board"),
            Recommendation("2", "Gwent Police should train call handlers to recognise stalking.", "Gwent Police"),
        ),
        actions=(ActionRow("1", "Briefing for health visitors", "Aneurin Bevan University Health Board",
                           "Q2 2022", "In progress"),),
    ),
    dict(
        paragraphs=[UNSEEN[2], NOT_BROUGHT[2],
                    "A memorial walk along the canal was organised by the football club for the family."],
        reference="DHR CARDIFF 1/2023", review_type="DHR", board="Cardiff and Vale Regional Safeguarding Board",
        year=2023, name="dhr_cardiff_2023.md",
        recommendations=(
            Recommendation("1", "Cardiff Council should publish its housing allocation policy in Welsh.",
                           "Cardiff Council"),
        ),
        actions=(),
    ),
)
EXTRA = dict(
    paragraphs=[UNSEEN[3]],
    reference="APR CTMSB 4/2024", review_type="APR", board="Cwm Taf Morgannwg Safeguarding Board", year=2024,
    name="apr_ctmsb_2024.md", recommendations=(), actions=(),
)


def add_review(ctx: AppContext, spec: dict[str, Any]) -> int:
    """Store one factory review with its own recommendations and action plan."""
    parsed = parsed_review(
        spec["paragraphs"], reference=spec["reference"], review_type=spec["review_type"], board=spec["board"],
        year=spec["year"], name=spec["name"],
    )
    parsed = replace(parsed, recommendations=spec["recommendations"], action_plan=spec["actions"])
    result = store_parsed(ctx, parsed, spec["name"])
    assert result.review_id is not None
    return result.review_id


def build(settings: Settings, specs: Sequence[dict[str, Any]] = REVIEWS, *, process: bool = True) -> AppContext:
    """A context on ``settings`` with ``specs`` stored (and embedded, tagged, indexed)."""
    ctx = AppContext(settings)
    for spec in specs:
        add_review(ctx, spec)
    if process:
        process_new_passages(ctx)
    return ctx


@pytest.fixture()
def rule_settings(settings: Settings) -> Settings:
    """The shared per-test settings (hashing encoder) with the rule tagger."""
    return settings.model_copy(update={"tagger": "rule"})


@pytest.fixture()
def corpus(rule_settings: Settings) -> Iterator[AppContext]:
    """The three-review catalogue, processed."""
    ctx = build(rule_settings)
    yield ctx
    ctx.close()
