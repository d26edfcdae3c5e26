"""Schema migrations on SQLite and PostgreSQL: from empty, from the previous release's schema with
data in it, back down and up again, and the ORM models matching what the migrations create."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from index.db import current_revision, make_engine, migrate, migrate_to, revisions, session_factory, transaction
from index.orm import Base, Passage, Review, Tag, TagDecision
from index.store import store_review
from index.tags_store import decide_tag, replace_suggestions
from taxonomy.models import Suggestion
from tests.factories import parsed_review

PREVIOUS = revisions()[-2]


def _tag_indexes(engine) -> set[str]:  # type: ignore[no-untyped-def]
    return {ix["name"] for ix in inspect(engine).get_indexes("tags") if ix["name"]}


def test_revisions_form_one_line_ending_at_the_head() -> None:
    order = revisions()
    assert order[0] == "0001" and len(order) == len(set(order)) >= 2


def test_empty_database_migrates_to_a_schema_matching_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    assert current_revision(engine) == revisions()[-1]
    with engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert drift == []


def test_a_catalogue_from_the_previous_release_upgrades_with_its_data(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate_to(engine, PREVIOUS)
    assert current_revision(engine) == PREVIOUS
    assert "ix_tags_standard_status" in _tag_indexes(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        result = store_review(session=session, parsed=parsed_review())
        passage_id = session.scalars(select(Passage.id).where(Passage.review_id == result.review_id)).first()
        assert passage_id is not None
        replace_suggestions(
            session=session,
            passage_id=passage_id,
            suggestions=[Suggestion("S16", 0.8, "shortfall", "evidence", 0, 8, "rule")],
            source="rule",
            taxonomy_version="v1",
        )
    with transaction(factory) as session:
        tag = session.scalars(select(Tag)).one()
        decide_tag(session=session, tag_id=tag.id, decision="confirm", reviewer="panel-1", note="seen at the panel")

    migrate(engine)

    assert current_revision(engine) == revisions()[-1]
    assert "ix_tags_standard_status_passage" in _tag_indexes(engine)
    assert "ix_tags_standard_status" not in _tag_indexes(engine)
    with factory() as session:
        assert session.scalar(select(Review.reference)) == "CPR CTMSB 1/2020"
        assert session.scalars(select(Tag.status)).one() == "confirmed"
        assert [d.note for d in session.scalars(select(TagDecision))] == ["seen at the panel"]
    engine.dispose()


def test_downgrade_to_the_previous_release_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    migrate_to(engine, PREVIOUS)
    assert current_revision(engine) == PREVIOUS
    migrate(engine)
    assert current_revision(engine) == revisions()[-1]
    engine.dispose()


def test_an_unknown_revision_is_refused(database_url: str) -> None:
    engine = make_engine(database_url)
    with pytest.raises(ValueError):
        migrate_to(engine, "9999")
    engine.dispose()
