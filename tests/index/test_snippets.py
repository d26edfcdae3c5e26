"""Snippets: densest window, stemmed matches marked, everything else escaped."""

from __future__ import annotations

import pytest

from index.snippets import make_snippet, matched_terms

FILLER = "Filler words keep the window honest. " * 15


@pytest.mark.parametrize(
    ("text", "query", "marked"),
    [
        ("Ffion’s café was closed", "cafe café", ["café"]),
        ("The ﬁrst referral was late", "first", ["ﬁrst"]),
        ("Neglected needs; neglect was missed", "neglect", ["Neglected", "neglect"]),
        ("Bydd y gweithiwr cymdeithasol yn ymweld", "gweithiwr", ["gweithiwr"]),
    ],
)
def test_matches_are_marked_in_their_original_form(text: str, query: str, marked: list[str]) -> None:
    snippet = make_snippet(text, query)
    assert [part.split("</mark>")[0] for part in snippet.split("<mark>")[1:]] == marked


def test_other_text_is_escaped() -> None:
    snippet = make_snippet('<script>alert("x")</script> & the neglect', "neglect")
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet and "&amp;" in snippet
    assert "<mark>neglect</mark>" in snippet


def test_window_goes_to_the_densest_matches() -> None:
    dense_part = "The school nurse saw neglect and escalated neglect concerns. "
    text = "Neglect once. " + FILLER + dense_part + FILLER
    snippet = make_snippet(text, "school nurse neglect", words=20)
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert snippet.count("<mark>") == 4
    assert len(snippet.replace("<mark>", "").replace("</mark>", "").split()) <= 22


def test_no_match_gives_the_opening_words() -> None:
    text = "One two three four five six"
    assert make_snippet(text, "absent", words=3) == "One two three …"


def test_matched_terms_are_distinct_lower_case_words() -> None:
    assert matched_terms("Neglect and NEGLECT, neglected café", "neglect café") == (
        "neglect",
        "neglected",
        "café",
    )
