"""Tokenising: stemming, stopwords, Unicode normalisation and offsets."""

from __future__ import annotations

import pytest

from index.text import query_terms, tokenize, word_spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The children were neglected", ["children", "neglect"]),
        ("Neglect, NEGLECTED; neglecting!", ["neglect", "neglect", "neglect"]),
        ("the and of to", []),
        ("Ffion’s café", ["ffion", "café"]),
        ("ﬁrst referral", ["first", "referr"]),
        ("", []),
    ],
)
def test_tokenize(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_query_terms_are_distinct_in_first_seen_order() -> None:
    assert query_terms("neglect of neglected children") == ("neglect", "children")


def test_word_spans_point_into_the_original_text() -> None:
    text = "Ffion’s ﬁrst café visit"
    spans = word_spans(text)
    assert [text[s.start : s.end] for s in spans] == ["Ffion", "s", "ﬁrst", "café", "visit"]
    assert [s.stem for s in spans] == ["ffion", None, "first", "café", "visit"]
