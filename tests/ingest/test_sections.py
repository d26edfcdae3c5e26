"""Heading -> canonical section kind, numbering depth, and section spans."""

from __future__ import annotations

import pytest

from ingest.models import SECTION_KINDS
from ingest.pipeline import parse_bytes
from ingest.sections import SYNONYMS, classify_heading, clean_heading, numbering_depth


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Brief outline of circumstances resulting in the Review", "circumstances"),
        ("1. Brief Outline of Circumstances Resulting in the Review", "circumstances"),
        ("2. Circumstances leading to the review", "circumstances"),
        ("Introduction", "circumstances"),
        ("Background Information (The Facts)", "circumstances"),
        ("Appendix 1: Terms of Reference", "terms_of_reference"),
        ("3. Scope and period under review", "terms_of_reference"),
        ("Key lines of enquiry", "terms_of_reference"),
        ("Child Practice Review process", "methodology"),
        ("Adult Practice Review Process", "methodology"),
        ("Methodology", "methodology"),
        ("Arrangements for the Investigation", "methodology"),
        ("Learning event", "methodology"),
        (
            "6. Involvement of family, friends, work colleagues, neighbours and wider community",
            "family_involvement",
        ),
        ("Family involvement", "family_involvement"),
        ("Preface", "family_involvement"),
        ("8. The Review Panel Members", "panel"),
        ("Contributors to the Review", "panel"),
        ("10. Parallel Reviews", "parallel"),
        ("Equality and Diversity", "equality"),
        ("Appendix 2: Summary Timeline", "timeline"),
        ("14. Chronology", "timeline"),
        ("Chapter Two: The Evidence", "timeline"),
        ("16. Analysis", "analysis"),
        ("Chapter Three: The Findings", "analysis"),
        ("Key issues arising", "analysis"),
        ("Practice and organisational learning", "practice_learning"),
        ("18. Lessons to be Learnt", "practice_learning"),
        ("Learning points", "practice_learning"),
        ("Areas of good practice", "good_practice"),
        ("Effective practice", "good_practice"),
        ("17. Conclusions", "conclusions"),
        ("Improving Systems and Practice", "recommendations"),
        ("Single agency recommendations", "recommendations"),
        ("19. Recommendations", "recommendations"),
        ("Statement by Reviewer(s)", "statements"),
        ("Statement by Chair of the Review Panel", "statements"),
        ("Appendix 3: Action Plan", "action_plan"),
        ("Appendix E – Action plan", "action_plan"),
        ("For Welsh Government use only", "wg_use_only"),
        ("Glossary", "glossary"),
        ("Abbreviations", "glossary"),
    ],
)
def test_heading_variants_map_to_their_kind(heading: str, kind: str) -> None:
    assert classify_heading(heading) == kind


@pytest.mark.parametrize("heading", ["The weather", "Stakeholder information", "Mother's employment history"])
def test_unrelated_headings_match_nothing(heading: str) -> None:
    assert classify_heading(heading) is None


@pytest.mark.parametrize(
    ("heading", "cleaned"),
    [
        ("3.2 Analysis:", "analysis"),
        ("Appendix 1: Terms of Reference", "terms of reference"),
        ("Chapter One: Executive Summary", "executive summary"),
        ("(a) Good practice", "good practice"),
    ],
)
def test_clean_heading_strips_numbering_and_prefixes(heading: str, cleaned: str) -> None:
    assert clean_heading(heading) == cleaned


@pytest.mark.parametrize(
    ("heading", "depth"), [("3 Analysis", 1), ("3.2 Themes", 2), ("1.4.2 X", 3), ("Analysis", None)]
)
def test_numbering_depth(heading: str, depth: int | None) -> None:
    assert numbering_depth(heading) == depth


def test_synonym_table_uses_only_canonical_kinds() -> None:
    assert set(SYNONYMS) <= set(SECTION_KINDS)


def test_sections_of_a_small_markdown_review() -> None:
    source = (
        "Gwent Safeguarding Board\n\n"
        "# Concise Child Practice Review re: Child A\n\n"
        "Published: May 2023\n\n"
        "## Brief outline of circumstances resulting in the Review\n\nChild A was two years old.\n\n"
        "## Practice and organisational learning\n\n"
        "### Learning point 1: Unseen men\n\nNobody asked who the man in the house was.\n\n"
        "## Weather notes\n\nIt rained.\n"
    )
    review = parse_bytes(source.encode(), "mini.md")
    kinds = [(s.kind, s.heading) for s in review.sections]
    assert kinds == [
        ("front_matter", "Concise Child Practice Review re: Child A"),
        ("circumstances", "Brief outline of circumstances resulting in the Review"),
        ("practice_learning", "Practice and organisational learning"),
        ("practice_learning", "Learning point 1: Unseen men"),
        ("other", "Weather notes"),
    ]
    for section in review.sections:
        assert review.text[section.char_start : section.char_end].strip()
    assert review.sections[-1].char_end == len(review.text)
