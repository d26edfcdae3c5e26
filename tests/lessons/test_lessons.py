"""Recurring lessons on a tiny catalogue: what clusters, determinism, stable ids, report fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gwersi import lessons
from gwersi.candidates import CandidateSet, load_candidates
from gwersi.context import AppContext
from gwersi.errors import GwersiError
from gwersi.lessons import LessonReport
from gwersi.pipeline import process_new_passages
from gwersi.settings import Settings
from tests.lessons.conftest import EXTRA, NOT_BROUGHT, ONE_OFF, REVIEWS, UNSEEN, add_review, build


def _memberships(report: LessonReport) -> dict[str, frozenset[str]]:
    return {c.id: frozenset(m.text for m in c.members) for c in report.clusters}


def _cluster_with(report: LessonReport, text: str) -> lessons.LessonCluster:
    found = [c for c in report.clusters if any(m.text == text for m in c.members)]
    assert len(found) == 1, f"{text!r} is in {len(found)} clusters"
    return found[0]


def test_paraphrased_lessons_cluster_across_reviews(corpus: AppContext) -> None:
    report = lessons.build_lessons(corpus)
    unseen = _cluster_with(report, UNSEEN[0])
    assert {m.text for m in unseen.members} == set(UNSEEN[:3])
    brought = _cluster_with(report, NOT_BROUGHT[0])
    assert {m.text for m in brought.members} == set(NOT_BROUGHT)
    assert unseen.id != brought.id


def test_a_lesson_found_in_one_review_only_is_not_recurring(corpus: AppContext) -> None:
    report = lessons.build_lessons(corpus)
    clustered = {m.text for c in report.clusters for m in c.members}
    assert not clustered & set(ONE_OFF)
    assert all(c.reviews >= 2 for c in report.clusters)


def test_report_fields_follow_the_members(corpus: AppContext) -> None:
    cluster = _cluster_with(lessons.build_lessons(corpus), UNSEEN[0])
    specs = [s for s in REVIEWS if set(s["paragraphs"]) & set(UNSEEN)]
    years = sorted(s["year"] for s in specs)
    assert cluster.reviews == len(specs) == len(cluster.examples)  # one example per review
    assert cluster.boards == sorted(s["board"] for s in specs)
    assert cluster.review_types == sorted({s["review_type"] for s in specs})
    assert (cluster.first_year, cluster.last_year) == (years[0], years[-1])
    corpus_years = [s["year"] for s in REVIEWS]
    span = (years[-1] - years[0] + 1) / (max(corpus_years) - min(corpus_years) + 1)
    assert cluster.persistence == pytest.approx(span * len(cluster.boards) / len({s["board"] for s in REVIEWS}))
    assert [t.year for t in cluster.timeline] == years
    assert cluster.examples[0].similarity >= cluster.examples[-1].similarity
    assert cluster.key_phrases and cluster.label.startswith(cluster.key_phrases[0])


def test_same_catalogue_gives_the_same_clusters_whatever_the_ingest_order(
    rule_settings: Settings, tmp_path: Path
) -> None:
    first = build(rule_settings)
    other_settings = rule_settings.model_copy(update={"data_dir": tmp_path / "reversed", "database_url": None})
    second = build(other_settings, list(reversed(REVIEWS)))
    try:
        a = lessons.build_lessons(first)
        again = lessons.cluster_lessons(*_pool(first))
        b = lessons.build_lessons(second)
    finally:
        first.close()
        second.close()
    assert _memberships(a) == _memberships(again)
    assert sorted(_memberships(a).values(), key=sorted) == sorted(_memberships(b).values(), key=sorted)
    assert sorted(_memberships(a)) == sorted(_memberships(b))  # ids come from member digests


def _pool(ctx: AppContext) -> tuple[CandidateSet, lessons.LessonParams]:
    params = lessons.LessonParams()
    with ctx.sessions() as session:
        return load_candidates(session, params.kinds), params


def test_cluster_ids_survive_a_rebuild_with_a_new_member(corpus: AppContext) -> None:
    before = _cluster_with(lessons.build_lessons(corpus), UNSEEN[0])
    saved = json.loads(lessons.lessons_path(corpus).read_text(encoding="utf-8"))
    assert before.id in {c["id"] for c in saved["clusters"]}
    add_review(corpus, EXTRA)
    process_new_passages(corpus)
    after = _cluster_with(lessons.build_lessons(corpus), UNSEEN[0])
    assert {m.text for m in after.members} == set(UNSEEN)  # membership changed ...
    assert after.id == before.id  # ... the id did not (Jaccard 3/4)


def test_without_the_saved_file_ids_are_member_digests(corpus: AppContext) -> None:
    report = lessons.build_lessons(corpus, save=False)
    assert not lessons.lessons_path(corpus).exists()
    for cluster in report.clusters:
        assert cluster.id == lessons.clustering.digest_id("lesson", [m.text_sha1 for m in cluster.members])


def test_filter_by_standard_and_get_one(corpus: AppContext) -> None:
    everything = lessons.list_lessons(corpus, members=True)
    some = everything.clusters[0]
    for sid in some.dominant_standards:
        filtered = lessons.list_lessons(corpus, standard=sid.lower())
        assert some.id in {c.id for c in filtered.clusters}
        assert all(sid in c.dominant_standards for c in filtered.clusters)
        assert all(c.members == [] for c in filtered.clusters)
    assert lessons.get_lesson(corpus, some.id).members == some.members
    with pytest.raises(GwersiError) as missing:
        lessons.get_lesson(corpus, "lesson-0000000000")
    assert missing.value.status == 404
    with pytest.raises(GwersiError):
        lessons.list_lessons(corpus, standard="S99")


def test_empty_catalogue_has_no_lessons(rule_settings: Settings) -> None:
    ctx = AppContext(rule_settings)
    try:
        report = lessons.build_lessons(ctx)
    finally:
        ctx.close()
    assert (report.candidates, report.clusters) == (0, [])
