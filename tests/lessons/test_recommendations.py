"""The recommendations tracker: normalising, near-duplicate links, counts, status with history."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from gwersi import recommendations
from gwersi.context import AppContext
from gwersi.errors import GwersiError
from gwersi.recommendation_fields import (
    action_part,
    addressee_part,
    canonical_agencies,
    combine_statuses,
    due_date,
    normalise_status,
)
from gwersi.recommendation_links import near_duplicates
from index.orm import AuditEvent, RecommendationRow, RecommendationStatusUpdate

BOARD = "North Wales Safeguarding Board"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Complete", "complete"),
        ("Achieved: audit reported March 2023", "complete"),
        ("In progress", "in_progress"),
        ("Partially complete", "in_progress"),
        ("Not yet complete", "not_started"),
        ("Not started", "not_started"),
        ("Overdue – revised date agreed", "overdue"),
        ("Not accepted by the Board", "not_accepted"),
        ("", "unknown"),
        (None, "unknown"),
        ("See minutes", "unknown"),
    ],
)
def test_normalise_status(text: str | None, expected: str) -> None:
    assert normalise_status(text) == expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["complete", "complete"], "complete"),
        (["complete", "not_started"], "in_progress"),
        (["not_started", "unknown"], "not_started"),
        (["in_progress", "overdue"], "overdue"),
        (["unknown"], "unknown"),
        ([], "unknown"),
    ],
)
def test_combine_statuses(statuses: list[str], expected: str) -> None:
    assert combine_statuses(statuses) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("June 2023", "2023-06"),
        ("Sept. 2022, reviewed March 2023", "2023-03"),
        ("06/2023", "2023-06"),
        ("Q3 2024", "2024-09"),
        ("By the end of 2025", "2025"),
        ("Within six months", None),
        (None, None),
    ],
)
def test_due_date(text: str | None, expected: str | None) -> None:
    assert due_date(text) == expected


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["The Board"], [BOARD]),
        (["CWMPAS"], ["Mid and West Wales Safeguarding Board"]),
        (["Betsi Cadwaladr University Health Board"], ["Betsi Cadwaladr University Health Board"]),
        (["South Wales Police and the MASH"], ["Multi-Agency Safeguarding Hub", "South Wales Police"]),
        (["Partner agencies"], ["Partner agencies"]),
        ([None, ""], []),
    ],
)
def test_canonical_agencies(texts: list[str | None], expected: list[str]) -> None:
    assert canonical_agencies(texts, BOARD) == expected


def test_addressee_and_action_parts() -> None:
    text = "Gwent Police should train call handlers."
    assert addressee_part(text) == "Gwent Police "
    assert action_part(text) == "train call handlers."
    assert action_part("Train call handlers.") == "Train call handlers."


def test_near_duplicates_need_both_meaning_and_words_and_other_reviews() -> None:
    items = [
        (1, "The Board should audit return home interviews."),
        (2, "The Board should audit return home interviews for children."),
        (1, "The Board should audit return home interviews again."),  # same review as row 0
        (3, "The Board should reorganise unrelated things entirely."),  # vector close, no shared words
    ]
    v = np.array([[1.0, 0.0], [0.95, 0.05], [1.0, 0.0], [1.0, 0.0]])
    links = near_duplicates(items, list(v), cosine=0.9, overlap=0.5)
    assert [(a, b) for a, b, _cos, _jac in links] == [(0, 1), (1, 2)]
    assert near_duplicates(items[:1], list(v[:1])) == []


def test_tracker_links_the_planted_pair_and_says_where_it_was_made_before(corpus: AppContext) -> None:
    report = recommendations.track(corpus)
    by_text = {t.text[:30]: t for t in report.recommendations}
    older = by_text["The Board should seek assuranc"]
    newer = by_text["The Safeguarding Board should "]
    assert [link.recommendation_id for link in newer.links] == [older.id]
    assert newer.links[0].relation == "before"
    assert newer.repeat_note == f"recommended before in {older.reference}, {older.year}"
    assert older.links[0].relation == "after"
    assert (older.repeat_note or "").startswith("recommended again in")
    unrelated = [t for t in report.recommendations if t.id not in (older.id, newer.id)]
    assert all(not t.links for t in unrelated)
    assert (report.repeated, report.links) == (2, 1)
    repeated = recommendations.track(corpus, repeated_only=True)
    assert {t.id for t in repeated.recommendations} == {older.id, newer.id}
    assert repeated.total == report.total  # counts cover everything, the list is filtered


def test_tracker_normalises_fields_and_counts(corpus: AppContext) -> None:
    report = recommendations.track(corpus)
    older = next(t for t in report.recommendations if t.text.startswith("The Board should seek"))
    assert older.agencies == [BOARD]
    assert (older.status, older.status_source, older.due) == ("complete", "action_plan", "2020-06")
    assert [a.status_normalised for a in older.actions] == ["complete"]
    no_plan = next(t for t in report.recommendations if t.reference == "DHR CARDIFF 1/2023")
    assert (no_plan.status, no_plan.status_source, no_plan.actions) == ("unknown", "none", [])
    assert sum(report.by_board.values()) == report.total == len(report.recommendations)
    assert sum(report.by_status.values()) == report.total
    assert report.by_agency[BOARD] == sum(1 for t in report.recommendations if BOARD in t.agencies)
    for sid, n in report.by_standard.items():
        assert n == sum(1 for t in report.recommendations if sid in {s.standard for s in t.standards})
    only_gwent = recommendations.track(corpus, board="Gwent Safeguarding Board")
    assert {t.board for t in only_gwent.recommendations} == {"Gwent Safeguarding Board"}


def test_record_status_keeps_history_and_overrides_the_action_plan(corpus: AppContext) -> None:
    with corpus.sessions() as session:
        rec_id = session.scalars(select(RecommendationRow.id).order_by(RecommendationRow.id)).first()
    assert rec_id is not None
    recommendations.record_status(corpus, rec_id, "In progress", "re-opened after audit", "panel-member-1")
    view = recommendations.record_status(corpus, rec_id, "Not accepted", None, "panel-member-2")
    assert view.status == "Not accepted"
    with corpus.sessions() as session:
        history = recommendations.status_history(session, rec_id)
        stored = session.scalars(
            select(RecommendationStatusUpdate).where(RecommendationStatusUpdate.recommendation_id == rec_id)
        ).all()
        audits = session.scalars(select(AuditEvent).where(AuditEvent.target == f"recommendation:{rec_id}")).all()
    assert [(h.status, h.author, h.note) for h in history] == [
        ("In progress", "panel-member-1", "re-opened after audit"),
        ("Not accepted", "panel-member-2", None),
    ]
    assert len(stored) == len(audits) == 2
    tracked = next(t for t in recommendations.track(corpus).recommendations if t.id == rec_id)
    assert (tracked.status, tracked.status_raw, tracked.status_source) == ("not_accepted", "Not accepted", "panel")


def test_status_of_a_missing_recommendation_is_not_found(corpus: AppContext) -> None:
    with pytest.raises(GwersiError) as exc:
        recommendations.record_status(corpus, 999_999, "Complete", None, "x")
    assert exc.value.status == 404
    with corpus.sessions() as session, pytest.raises(GwersiError):
        recommendations.status_history(session, 999_999)


def test_derived_facts_are_cached_and_reused(corpus: AppContext) -> None:
    first = recommendations.track(corpus)
    cache = corpus.settings.data_dir / "recommendations-cache.npz"
    assert cache.exists()
    stamp = cache.stat().st_mtime_ns
    second = recommendations.track(corpus)
    assert cache.stat().st_mtime_ns == stamp
    assert [(t.id, t.standards, t.links) for t in first.recommendations] == [
        (t.id, t.standards, t.links) for t in second.recommendations
    ]
