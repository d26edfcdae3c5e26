"""Catalogue storage: idempotent ingest, updates in place, tags and decisions with provenance."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from index.db import current_revision, make_engine, migrate, revisions, session_factory, transaction
from index.orm import Passage, Review, Tag
from index.store import ReviewNotFoundError, delete_review, get_review, list_reviews, store_review
from index.tags_store import (
    TagConflictError,
    UnknownStandardError,
    add_panel_tag,
    decide_tag,
    labelled_examples,
    passages_with_standards,
    replace_suggestions,
    replace_suggestions_many,
    tag_history,
)
from taxonomy.models import Suggestion
from tests.factories import parsed_review


@pytest.fixture()
def factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    """A migrated catalogue on SQLite and, under `make test`, on PostgreSQL."""
    engine = make_engine(database_url)
    migrate(engine)
    assert current_revision(engine) == revisions()[-1]
    yield session_factory(engine)
    engine.dispose()


def _suggest(standard: str, score: float = 0.8) -> Suggestion:
    return Suggestion(standard, score, "shortfall", "evidence", 0, 8, "rule")


def test_same_file_twice_is_unchanged(factory: sessionmaker[Session]) -> None:
    parsed = parsed_review()
    with transaction(factory) as s:
        first = store_review(session=s, parsed=parsed)
    with transaction(factory) as s:
        second = store_review(session=s, parsed=parsed)
    assert first.status == "ingested"
    assert second.status == "unchanged" and second.review_id == first.review_id
    with factory() as s:
        assert s.query(Review).count() == 1
        assert s.query(Passage).count() == 3


def test_changed_file_same_reference_updates_and_keeps_decisions(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        res = store_review(session=s, parsed=parsed_review())
        review = get_review(session=s, review_id=res.review_id)
        kept_passage = review.passages[0]
        replace_suggestions(
            session=s,
            passage_id=kept_passage.id,
            suggestions=[_suggest("S16")],
            source="rule",
            taxonomy_version="t1",
        )
        tag = s.query(Tag).one()
        decide_tag(session=s, tag_id=tag.id, decision="confirm", reviewer="panel-1")
    changed = parsed_review(
        [
            "The health visitor did not see the child alone and the mother's partner was never assessed.",
            "A new paragraph replaced the old second one.",
        ],
        salt="v2",
    )
    with transaction(factory) as s:
        res2 = store_review(session=s, parsed=changed)
    assert res2.status == "updated" and res2.review_id == res.review_id
    assert len(res2.passage_ids_removed) == 2 and len(res2.passage_ids_added) == 1
    with factory() as s:
        tag = s.query(Tag).one()
        assert tag.passage_id == kept_passage.id and tag.status == "confirmed"
        assert [p.text for p in get_review(session=s, review_id=res.review_id).passages][1].startswith(
            "A new"
        )


def test_decisions_keep_history_and_detect_conflicts(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        res = store_review(session=s, parsed=parsed_review())
        pid = get_review(session=s, review_id=res.review_id).passages[0].id
        replace_suggestions(
            session=s,
            passage_id=pid,
            suggestions=[_suggest("S16", 0.55)],
            source="model",
            taxonomy_version="t1",
        )
        tag_id = s.query(Tag).one().id
    with transaction(factory) as s:
        tag = decide_tag(session=s, tag_id=tag_id, decision="confirm", reviewer="a", expected_version=1)
        assert tag.version == 2
    with transaction(factory) as s, pytest.raises(TagConflictError):
        decide_tag(session=s, tag_id=tag_id, decision="reject", reviewer="b", expected_version=1)
    with transaction(factory) as s:
        decide_tag(session=s, tag_id=tag_id, decision="reject", reviewer="b")
    with factory() as s:
        tag = s.get(Tag, tag_id)
        assert tag is not None and tag.status == "rejected" and tag.score == pytest.approx(0.55)
        assert [d.reviewer for d in tag_history(session=s, tag_id=tag_id)] == ["a", "b"]


def test_panel_add_rejects_unknown_standard_and_feeds_training(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        res = store_review(session=s, parsed=parsed_review())
        pid = get_review(session=s, review_id=res.review_id).passages[1].id
        with pytest.raises(UnknownStandardError):
            add_panel_tag(
                session=s,
                passage_id=pid,
                standard_id="S99",
                reviewer="a",
                taxonomy_version="t1",
                valid_standards=["S01", "S04"],
            )
        add_panel_tag(
            session=s,
            passage_id=pid,
            standard_id="S04",
            reviewer="a",
            taxonomy_version="t1",
            valid_standards=["S01", "S04"],
            evidence="police notification",
        )
    with factory() as s:
        examples = labelled_examples(session=s)
    assert [(e.passage_id, e.positives) for e in examples] == [(pid, ("S04",))]


def test_suggestions_replace_only_undecided(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        res = store_review(session=s, parsed=parsed_review())
        pid = get_review(session=s, review_id=res.review_id).passages[0].id
        replace_suggestions(
            session=s,
            passage_id=pid,
            suggestions=[_suggest("S16"), _suggest("S02")],
            source="rule",
            taxonomy_version="t1",
        )
        s16 = s.query(Tag).filter_by(standard_id="S16").one()
        decide_tag(session=s, tag_id=s16.id, decision="reject", reviewer="a")
        replace_suggestions(
            session=s,
            passage_id=pid,
            suggestions=[_suggest("S18", 0.9)],
            source="rule",
            taxonomy_version="t2",
        )
        assert sorted((t.standard_id, t.status) for t in s.query(Tag)) == [
            ("S16", "rejected"),
            ("S18", "suggested"),
        ]


def test_suggestions_for_many_passages_at_once_replace_only_undecided_ones(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        res = store_review(session=s, parsed=parsed_review())
        first, second, third = (p.id for p in get_review(session=s, review_id=res.review_id).passages[:3])
        replace_suggestions_many(session=s, suggestions={first: [_suggest("S16"), _suggest("S02")],
                                                         second: [_suggest("S02")]},
                                 source="rule", taxonomy_version="t1")
        s16 = s.query(Tag).filter_by(passage_id=first, standard_id="S16").one()
        decide_tag(session=s, tag_id=s16.id, decision="confirm", reviewer="a")
        stored = replace_suggestions_many(
            session=s, suggestions={first: [_suggest("S16", 0.1), _suggest("S18")], second: [],
                                    third: [_suggest("S04")]},
            source="rule", taxonomy_version="t2")
        assert stored == 2  # S18 on the first, S04 on the third; the confirmed S16 is history
        rows = sorted((t.passage_id, t.standard_id, t.status, t.taxonomy_version) for t in s.query(Tag))
    assert rows == [(first, "S16", "confirmed", "t1"), (first, "S18", "suggested", "t2"),
                    (third, "S04", "suggested", "t2")]


def test_passages_with_standards_reads_current_tags(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        res = store_review(session=s, parsed=parsed_review())
        first, second = (p.id for p in get_review(session=s, review_id=res.review_id).passages[:2])
        for pid, standards in ((first, ["S16", "S02"]), (second, ["S02"])):
            replace_suggestions(
                session=s,
                passage_id=pid,
                suggestions=[_suggest(x) for x in standards],
                source="rule",
                taxonomy_version="t1",
            )
        s16 = s.query(Tag).filter_by(passage_id=first, standard_id="S16").one()
        decide_tag(session=s, tag_id=s16.id, decision="reject", reviewer="a")
    engine = factory.kw["bind"]
    with engine.connect() as conn:

        def ids(*standards: str) -> list[int]:
            return passages_with_standards(connection=conn, standards=standards).tolist()

        assert ids("S02") == sorted([first, second])
        assert ids("S16") == []  # rejected
        assert ids("S16", "S02") == sorted([first, second])  # each passage once
        assert ids("S05") == [] and ids() == []


def test_list_filters_and_delete(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        store_review(session=s, parsed=parsed_review(reference="CPR CTMSB 1/2020", year=2020))
        b = store_review(
            session=s,
            parsed=parsed_review(reference="DHR Cardiff 2019/1", review_type="DHR", year=2019, name="b.md"),
        )
    with factory() as s:
        rows, total = list_reviews(session=s, review_types=["DHR"])
        assert total == 1 and rows[0].reference == "DHR Cardiff 2019/1"
        rows, total = list_reviews(session=s, year_from=2020)
        assert total == 1
    with transaction(factory) as s:
        removed = delete_review(session=s, review_id=b.review_id)
        assert len(removed) == 3
    with factory() as s, pytest.raises(ReviewNotFoundError):
        get_review(session=s, review_id=b.review_id)


def test_recommendation_status_survives_a_reingest(factory: sessionmaker[Session]) -> None:
    from index.orm import RecommendationRow, RecommendationStatusUpdate

    with transaction(factory) as s:
        res = store_review(session=s, parsed=parsed_review())
        rec = s.query(RecommendationRow).one()
        rec.status = "complete"
        s.add(RecommendationStatusUpdate(recommendation_id=rec.id, status="complete", author="panel-1"))
    with transaction(factory) as s:
        again = store_review(session=s, parsed=parsed_review(salt="v2"))
    assert again.status == "updated" and again.review_id == res.review_id
    with factory() as s:
        kept = s.query(RecommendationRow).one()
        assert (kept.id, kept.status) == (rec.id, "complete")
        assert s.query(RecommendationStatusUpdate).count() == 1
