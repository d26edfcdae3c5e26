"""API fixtures: an app on a fresh catalogue per test, tokens per role, and a small seeded corpus.

The app uses the hashing encoder and the rule tagger, so no model loads and start-up is quick.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from gwersi.auth import create_token
from gwersi.context import AppContext
from gwersi.ingesting import store_parsed
from gwersi.pipeline import process_new_passages
from gwersi.settings import Settings
from index.db import transaction
from index.orm import Passage, RecommendationRow, Tag
from tests.factories import parsed_review

ROLES = ("reader", "panel", "admin")
UPLOAD_LIMIT = 256 * 1024
"""Upload limit in API tests: above every sample review, small enough to exceed cheaply."""

CORPUS = (
    dict(
        paragraphs=[
            "The health visitor did not see the child alone and the mother's partner was never assessed.",
            "Information from the police notification was not shared with the school.",
            "Good practice: the school nurse escalated her concern promptly.",
        ],
        reference="CPR CTMSB 1/2020", review_type="CPR", board="Cwm Taf Morgannwg Safeguarding Board",
        year=2020, name="cpr_ctmsb_2020.md",
    ),
    dict(
        paragraphs=[
            "Professionals did not hear the voice of the child; her wishes and feelings were not recorded.",
            "Supervision of the social worker was infrequent and caseloads were unmanageable.",
            "The strategy meeting did not include the GP, so health information was missing.",
            "Transitions between children's and adult services left the young person without support.",
        ],
        reference="SUSR NWSB 2/2023", review_type="SUSR", board="North Wales Safeguarding Board",
        year=2023, name="susr_nwsb_2023.md",
    ),
    dict(
        paragraphs=[
            "Domestic abuse disclosures to the GP were not shared with the MARAC.",
            "Agencies worked well together after the referral and the risk assessment was thorough.",
        ],
        reference="DHR GWENT 1/2021", review_type="DHR", board="Gwent Safeguarding Board",
        year=2021, name="dhr_gwent_2021.md",
    ),
)


@pytest.fixture()
def api_settings(settings: Settings) -> Settings:
    """The shared per-test settings with the quick rule tagger and a small upload limit."""
    return settings.model_copy(update={"tagger": "rule", "max_upload_bytes": UPLOAD_LIMIT})


@pytest.fixture()
def app(api_settings: Settings) -> FastAPI:
    """A fresh app on the test's own catalogue."""
    return create_app(api_settings)


@pytest.fixture()
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client with the app started (lifespan run); unexpected errors come back as 500s."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture()
def ctx(client: TestClient) -> AppContext:
    """The running app's context."""
    context: AppContext = client.app.state.ctx  # type: ignore[attr-defined]
    return context


def make_token(ctx: AppContext, role: str, name: str | None = None) -> str:
    """A new token secret for ``role``."""
    with transaction(ctx.sessions) as session:
        return create_token(session, name or f"{role}-user", role, actor="test").token


def bearer(token: str | None) -> dict[str, str]:
    """Headers carrying ``token`` (none for anonymous)."""
    return {} if token is None else {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def tokens(ctx: AppContext) -> dict[str, str]:
    """One token per role."""
    return {role: make_token(ctx, role) for role in ROLES}


@pytest.fixture()
def as_role(tokens: dict[str, str]) -> Any:
    """``as_role("panel")`` -> headers for that role (``None`` -> anonymous)."""
    return lambda role: bearer(tokens[role]) if role else {}


@dataclass(frozen=True)
class Seeded:
    """Ids of the seeded corpus, read back from the catalogue."""

    review_ids: tuple[int, ...]
    passage_ids: tuple[int, ...]
    tag_ids: tuple[int, ...]
    recommendation_ids: tuple[int, ...]

    def passages_of(self, ctx: AppContext, review_id: int) -> list[int]:
        """Passage ids of one review, in order."""
        with ctx.sessions() as session:
            return list(session.scalars(
                select(Passage.id).where(Passage.review_id == review_id).order_by(Passage.ordinal)))


def seed(ctx: AppContext, specs: tuple[dict[str, Any], ...] = CORPUS) -> Seeded:
    """Store the factory reviews, then embed, tag and index them."""
    review_ids = []
    for spec in specs:
        result = store_parsed(ctx, parsed_review(**spec), spec["name"])
        review_ids.append(result.review_id)
    process_new_passages(ctx)
    with ctx.sessions() as session:
        passages = tuple(session.scalars(select(Passage.id).order_by(Passage.id)))
        tags = tuple(session.scalars(select(Tag.id).order_by(Tag.id)))
        recs = tuple(session.scalars(select(RecommendationRow.id).order_by(RecommendationRow.id)))
    return Seeded(tuple(r for r in review_ids if r is not None), passages, tags, recs)


@pytest.fixture()
def seeded(ctx: AppContext) -> Seeded:
    """The three-review corpus, processed and indexed."""
    return seed(ctx)
