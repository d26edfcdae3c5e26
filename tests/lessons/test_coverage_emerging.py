"""Standards coverage from hand-placed tags, and emerging themes that never touch tags."""

from __future__ import annotations

from sqlalchemy import select

from gwersi.candidates import load_candidates
from gwersi.context import AppContext
from gwersi.coverage import coverage
from gwersi.emerging import EMERGING_KINDS, emerging_themes, is_outlier
from gwersi.settings import Settings
from index.db import transaction
from index.orm import Passage, Review, Tag
from taxonomy.standards import TAXONOMY_VERSION
from tests.lessons.conftest import REVIEWS, build


def _tag(passage_id: int, standard: str, polarity: str, *, score: float = 0.8, status: str = "suggested",
         source: str = "model") -> Tag:
    return Tag(passage_id=passage_id, standard_id=standard, score=score, polarity=polarity, source=source,
               tagger="test", status=status, taxonomy_version=TAXONOMY_VERSION)


def _passages(ctx: AppContext) -> list[tuple[int, int | None, str | None]]:
    with ctx.sessions() as session:
        rows = session.execute(
            select(Passage.id, Review.year, Review.board).join(Review).order_by(Review.year, Passage.ordinal)
        ).all()
    return [(pid, year, board) for pid, year, board in rows]


def test_coverage_counts_each_passage_once_with_its_strongest_tag(rule_settings: Settings) -> None:
    ctx = build(rule_settings, process=False)  # no tagger: only the tags placed here
    (p1, y1, b1), (p2, _y2, _b2), *_rest, (p_last, y_last, b_last) = _passages(ctx)
    with transaction(ctx.sessions) as session:
        session.add_all([
            _tag(p1, "S16", "shortfall", score=0.9),
            _tag(p1, "S16", "good_practice", score=0.4, source="rule"),  # weaker: ignored
            _tag(p2, "S16", "recommendation", score=0.3),
            _tag(p2, "S16", "good_practice", status="confirmed", source="panel", score=0.2),  # confirmed wins
            _tag(p_last, "S16", "shortfall"),
            _tag(p_last, "S02", "shortfall", status="rejected"),  # rejected: not counted
            _tag(p_last, "S18", "recommendation"),
        ])
    with ctx.sessions() as session:
        report = coverage(session)
        confirmed = coverage(session, confirmed_only=True)
        strong = coverage(session, min_score=0.5)
    ctx.close()
    s16 = next(s for s in report.standards if s.standard == "S16")
    assert (s16.shortfall, s16.good_practice, s16.passages, s16.reviews) == (2, 1, 3, 2)
    assert [(c.key, c.shortfall, c.good_practice) for c in s16.by_year] == [(y1, 1, 1), (y_last, 1, 0)]
    assert {c.key: c.passages for c in s16.by_board} == {b1: 2, b_last: 1}
    assert "S02" in report.untested and "S16" not in report.untested and "S18" not in report.untested
    assert "S18" in report.no_practice_evidence and "S16" not in report.no_practice_evidence
    assert len(report.standards) == 26 and report.reviews == len(REVIEWS)
    assert [s.standard for s in confirmed.standards if s.passages] == ["S16"]
    assert next(s for s in strong.standards if s.standard == "S16").passages == 3  # confirmed ignores min_score


def _tag_snapshot(ctx: AppContext) -> list[tuple[object, ...]]:
    with ctx.sessions() as session:
        return [
            (t.id, t.passage_id, t.standard_id, t.score, t.status, t.polarity, t.version)
            for t in session.scalars(select(Tag).order_by(Tag.id))
        ]


def test_emerging_themes_group_uncovered_passages_and_never_write_tags(corpus: AppContext) -> None:
    before = _tag_snapshot(corpus)
    with corpus.sessions() as session:
        report = emerging_themes(session)
        pool = load_candidates(session, EMERGING_KINDS)
    assert _tag_snapshot(corpus) == before
    outliers = [c for c in pool.items if is_outlier(c)]
    assert report.outliers == len(outliers) and report.candidates == len(pool.items)
    members = {pid for t in report.topics for pid in t.passage_ids}
    assert members <= {c.passage_id for c in outliers}
    assert report.unassigned == report.outliers - len(members)
    memorial = [c.passage_id for c in outliers if "memorial walk" in c.text]
    assert len(memorial) == 2  # no standard speaks to a memorial walk
    topic = next(t for t in report.topics if set(memorial) <= set(t.passage_ids))
    assert topic.reviews == 2 and topic.share == round(topic.passages / report.outliers, 4)
    assert "memorial walk" in topic.key_phrases


def test_a_stricter_cutoff_finds_at_least_as_many_outliers(corpus: AppContext) -> None:
    with corpus.sessions() as session:
        loose = emerging_themes(session, score_cutoff=0.0)
        strict = emerging_themes(session, score_cutoff=1.0)
    assert loose.outliers <= strict.outliers == strict.candidates
