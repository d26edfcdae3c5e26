"""Migration 0004: the training_examples table, up from 0003 with data, down and up again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, select

from index.db import current_revision, make_engine, migrate, migrate_to, session_factory, transaction
from index.orm import Review, TrainingExample
from index.store import store_review
from index.training_store import NewExample, add_training_examples
from tests.factories import parsed_review


def test_0004_adds_training_examples_and_drops_it_on_the_way_down(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    migrate_to(engine, "0003")
    assert "training_examples" not in inspect(engine).get_table_names()
    migrate_to(engine, "0004")
    assert current_revision(engine) == "0004"
    assert "training_examples" in inspect(engine).get_table_names()
    factory = session_factory(engine)
    with transaction(factory) as session:
        store_review(session=session, parsed=parsed_review())
        add_training_examples(session=session, examples=[NewExample("Text.", ("S16",), line=3)],
                              imported_by="panel-1", source_file="board.jsonl", taxonomy_version="v1")
    with factory() as session:
        row = session.scalars(select(TrainingExample)).one()
        assert (row.standards, row.source_file, row.source_line, row.imported_by) == (
            ["S16"], "board.jsonl", 3, "panel-1")
    migrate_to(engine, "0003")
    assert "training_examples" not in inspect(engine).get_table_names()
    with factory() as session:
        assert session.scalar(select(Review.reference)) == "CPR CTMSB 1/2020"  # the rest is kept
    migrate(engine)
    assert "training_examples" in inspect(engine).get_table_names()
    engine.dispose()
