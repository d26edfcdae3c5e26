"""Action-plan column mapping and row merging; recommendation numbering, addressee and scope."""

from __future__ import annotations

import pytest

from ingest.action_plan import is_action_plan_table, map_header, table_rows
from ingest.pipeline import parse_bytes
from ingest.recommendations import addressee_of, scope_of


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ("Rec", "Action", "Lead agency", "Timescale", "Progress/Status"),
            {"rec_no": 0, "action": 1, "lead_agency": 2, "timescale": 3, "status": 4},
        ),
        (
            (
                "Recommendation",
                "Scope of recommendation",
                "Action to take",
                "Lead Agency",
                "Key milestones achieved in enacting recommendation",
                "Target Date",
                "Date of completion and Outcome",
            ),
            {
                "recommendation": 0,
                "scope": 1,
                "action": 2,
                "lead_agency": 3,
                "milestones": 4,
                "timescale": 5,
                "outcome": 6,
            },
        ),
        (
            ("No.", "Learning point", "Actions required", "Responsible agency", "By when", "Evidence of impact", "RAG"),
            {
                "rec_no": 0,
                "recommendation": 1,
                "action": 2,
                "lead_agency": 3,
                "timescale": 4,
                "outcome": 5,
                "status": 6,
            },
        ),
        (
            ("Recommendation number", "Local/Regional/National", "Action", "Lead officer/agency", "Intended outcome"),
            {"rec_no": 0, "scope": 1, "action": 2, "lead_agency": 3, "outcome": 4},
        ),
    ],
)
def test_header_wording_maps_to_canonical_columns(header: tuple[str, ...], expected: dict[str, int]) -> None:
    assert map_header(header) == expected
    assert is_action_plan_table((header,))


@pytest.mark.parametrize("header", [("Month/year", "Event"), ("Agencies", "Yes", "No", "Reason"), ("Name", "Role")])
def test_other_tables_are_not_action_plans(header: tuple[str, ...]) -> None:
    assert not is_action_plan_table((header,))


def test_rows_carry_the_recommendation_down_and_merge_page_continuations() -> None:
    rows = (
        ("Rec", "Action", "Lead agency", "Timescale", "Status"),
        ("1", "Audit records for a prompt to name every", "Board", "March 2021", "Open"),
        ("", "adult in the household", "", "", ""),
        ("", "Brief practitioners on male carers.", "Training Group", "June 2021", "Open"),
        ("Rec", "Action", "Lead agency", "Timescale", "Status"),
        ("2", "Launch guidance.", "Health Board", "2021", "Complete"),
    )
    plan = table_rows(rows)
    assert [(r.recommendation, r.action, r.lead_agency) for r in plan] == [
        ("1", "Audit records for a prompt to name every adult in the household", "Board"),
        ("1", "Brief practitioners on male carers.", "Training Group"),
        ("2", "Launch guidance.", "Health Board"),
    ]
    assert plan[2].status == "Complete"


def test_an_unlabelled_first_column_of_numbers_is_the_recommendation_number() -> None:
    rows = (("", "Action", "Lead agency", "Timescale"), ("1", "Audit", "Board", "2021"), ("R2", "Train", "HB", "2022"))
    assert [r.recommendation for r in table_rows(rows)] == ["1", "R2"]


def test_recommendation_text_column_is_carried_when_there_is_no_number() -> None:
    rows = (
        ("Recommendation", "Action to take", "Lead Agency", "Target Date"),
        ("Share notifications", "Agree protocol", "Police", "2020"),
        ("", "Audit compliance", "Board", "2021"),
    )
    assert [r.recommendation for r in table_rows(rows)] == ["Share notifications", "Share notifications"]


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("The Board should seek assurance that records name every adult.", "The Board"),
        ("That South Wales Police must share notifications.", "South Wales Police"),
        (
            "Cwm Taf Morgannwg University Health Board is asked to audit referrals.",
            "Cwm Taf Morgannwg University Health Board",
        ),
        ("All agencies to ensure that supervision is recorded.", "All agencies"),
        ("Supervision should be recorded.", "Supervision"),
        ("A regional protocol for exploitation.", None),
    ],
)
def test_addressee(text: str, who: str | None) -> None:
    assert addressee_of(text) == who


@pytest.mark.parametrize(
    ("heading", "scope"),
    [
        ("Regional recommendations", "regional"),
        ("Single agency recommendations", "single_agency"),
        ("Single-agency recommendations", "single_agency"),
        ("National recommendation", "national"),
        ("Multi-agency recommendations", "multi_agency"),
        ("Recommendations", None),
    ],
)
def test_scope_from_headings(heading: str, scope: str | None) -> None:
    assert scope_of(heading) == scope


RECOMMENDATION_STYLES = {
    "labelled": "**Recommendation 1:** The Board should act.\n\n**Recommendation 2:** Police should share.",
    "numbered": "1. The Board should act.\n2. Police should share.",
    "r-numbered": "R1. The Board should act.\n\nR2 Police should share.",
    "lettered": "(a) The Board should act.\n\n(b) Police should share.",
    "bullets": "In order to promote the learning the review identified the following actions:-\n\n"
    "- The Board should act.\n- Police should share.",
    "headed": "### Recommendation 1\n\nThe Board should act.\n\n### Recommendation 2\n\nPolice should share.",
    "intro": "19.1 The review makes the following recommendations:\n\n"
    "1. The Board should act.\n2. Police should share.",
}


@pytest.mark.parametrize(
    ("style", "numbers"),
    [
        ("labelled", ["1", "2"]),
        ("numbered", ["1", "2"]),
        ("r-numbered", ["R1", "R2"]),
        ("lettered", ["a", "b"]),
        ("bullets", ["1", "2"]),
        ("headed", ["1", "2"]),
        ("intro", ["1", "2"]),
    ],
)
def test_recommendation_styles(style: str, numbers: list[str]) -> None:
    source = (
        f"# Review\n\n## Recommendations\n\n{RECOMMENDATION_STYLES[style]}\n\n## Statement by Reviewer\n\nSigned.\n"
    )
    review = parse_bytes(source.encode(), "recs.md")
    recs = review.recommendations
    assert [r.number for r in recs] == numbers
    assert [r.addressee for r in recs] == ["The Board", "Police"]
    assert recs[0].text == "The Board should act."
    for rec in recs:
        assert rec.char_start is not None and rec.char_end is not None
        assert review.text[rec.char_start : rec.char_end] == rec.text


def test_sub_bullets_stay_with_their_numbered_recommendation() -> None:
    source = (
        "# Review\n\n## Recommendations\n\n### Regional recommendations\n\n"
        "Recommendation 1: The Board should ensure that:\n\n- health visitors are told;\n- GPs are told.\n\n"
        "Recommendation 2: Police should share.\n"
    )
    recs = parse_bytes(source.encode(), "sub.md").recommendations
    assert [(r.number, r.scope) for r in recs] == [("1", "regional"), ("2", "regional")]
    assert recs[0].text.endswith("GPs are told.")
