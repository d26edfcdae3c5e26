"""Schema migrations on SQLite and PostgreSQL: from empty, from the previous release's schema with
data in it, back down and up again, and the ORM models matching what the migrations create."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect, select

from index.db import current_revision, make_engine, migrate, migrate_to, revisions, session_factory, transaction
from index.orm import Base, Passage, Review, Section, Tag, TagDecision
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


def _catalogue_with_data(url: str) -> None:
    """A review, a tag and a panel decision written through the ORM at the head schema."""
    engine = make_engine(url)
    migrate(engine)
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
    engine.dispose()


def _at_old_revision_with_data(database_url: str, revision: str, tmp_path: Path) -> Engine:
    """The database at ``revision`` holding the rows :func:`_catalogue_with_data` writes, copied
    column by column (the ORM models describe the head schema, not the old one)."""
    source_url = f"sqlite:///{tmp_path / 'head-source.sqlite3'}"
    _catalogue_with_data(source_url)
    source = make_engine(source_url)
    engine = make_engine(database_url)
    migrate_to(engine, revision)
    old = MetaData()
    old.reflect(engine)
    with source.connect() as read, engine.begin() as write:
        for table in Base.metadata.sorted_tables:
            if table.name not in old.tables:
                continue
            target = old.tables[table.name]
            rows = [dict(row._mapping) for row in read.execute(table.select())]
            if rows:
                write.execute(target.insert(), [{k: v for k, v in r.items() if k in target.c} for r in rows])
    source.dispose()
    return engine


def _assert_data_kept(engine: Engine) -> None:
    with session_factory(engine)() as session:
        assert session.scalar(select(Review.reference)) == "CPR CTMSB 1/2020"
        assert session.scalars(select(Tag.status)).one() == "confirmed"
        assert [d.note for d in session.scalars(select(TagDecision))] == ["seen at the panel"]


def test_a_catalogue_from_the_previous_release_upgrades_with_its_data(database_url: str, tmp_path: Path) -> None:
    engine = _at_old_revision_with_data(database_url, PREVIOUS, tmp_path)
    assert current_revision(engine) == PREVIOUS
    migrate(engine)
    assert current_revision(engine) == revisions()[-1]
    _assert_data_kept(engine)
    engine.dispose()


def test_0002_replaces_the_tag_index_and_keeps_the_data(database_url: str, tmp_path: Path) -> None:
    engine = _at_old_revision_with_data(database_url, "0001", tmp_path)
    assert "ix_tags_standard_status" in _tag_indexes(engine)
    migrate_to(engine, "0002")
    assert "ix_tags_standard_status_passage" in _tag_indexes(engine)
    assert "ix_tags_standard_status" not in _tag_indexes(engine)
    migrate(engine)
    _assert_data_kept(engine)
    engine.dispose()


def test_0003_adds_section_kind_confidence_sure_for_classified_kinds_only(database_url: str, tmp_path: Path) -> None:
    engine = _at_old_revision_with_data(database_url, "0002", tmp_path)
    with engine.begin() as conn:
        review_id = conn.exec_driver_sql("SELECT id FROM reviews").scalar_one()
        section_id = conn.exec_driver_sql("SELECT MAX(id) + 1 FROM sections").scalar_one()  # copied ids
        conn.exec_driver_sql(
            "INSERT INTO sections (id, review_id, ordinal, kind, heading, level, char_start, char_end) "
            f"VALUES ({section_id}, {review_id}, 7, 'other', 'Contents', 1, 0, 0)"
        )
    migrate_to(engine, "0003")
    with engine.connect() as conn:
        rows = dict(conn.exec_driver_sql("SELECT kind, kind_confidence FROM sections").all())
    assert rows == {"practice_learning": 1.0, "other": 0.0}
    migrate_to(engine, "0002")
    assert "kind_confidence" not in {c["name"] for c in inspect(engine).get_columns("sections")}
    migrate(engine)
    _assert_data_kept(engine)
    engine.dispose()


def test_store_review_keeps_the_section_kind_confidence(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    base = parsed_review()
    parsed = replace(base, sections=tuple(replace(s, kind_confidence=0.4) for s in base.sections))
    factory = session_factory(engine)
    with transaction(factory) as session:
        store_review(session=session, parsed=parsed)
    with factory() as session:
        assert session.scalars(select(Section.kind_confidence)).all() == [0.4]
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
