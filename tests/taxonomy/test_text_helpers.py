"""Sentence spans and polarity: pure functions, tested by tables."""

from __future__ import annotations

import pytest

from taxonomy.polarity import classify_polarity
from taxonomy.sentences import sentence_spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two.", ["One.", "Two."]),
        ("He saw Dr. Jones. Then left.", ["He saw Dr. Jones.", "Then left."]),
        ("  Padded start.  Next one!  ", ["Padded start.", "Next one!"]),
        ("Line one\nLine two", ["Line one", "Line two"]),
        ("“Quoted.” Then more.", ["“Quoted.”", "Then more."]),
        ("Café staff noticed the ﬁrst bruise. It was reported.", ["Café staff noticed the ﬁrst bruise.",
                                                                  "It was reported."]),
        ("e.g. this stays together. Yes.", ["e.g. this stays together.", "Yes."]),
        ("", []),
        ("   ", []),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == expected


@pytest.mark.parametrize(
    ("text", "section", "expected"),
    [
        ("The school failed to share the concern.", None, "shortfall"),
        ("The child was not seen alone.", "analysis", "shortfall"),
        ("Practitioners missed the signs.", None, "shortfall"),
        ("This was good practice and the worker was commended.", None, "good_practice"),
        ("The joint visit was effective.", None, "good_practice"),
        ("The Board should seek assurance that plans are reviewed.", None, "recommendation"),
        ("Anything at all.", "recommendations", "recommendation"),
        ("The worker did not visit.", "good_practice", "good_practice"),
        ("The family moved to Cardiff in 2019.", "circumstances", "neutral"),
        ("Agencies should have shared the information.", None, "shortfall"),
    ],
)
def test_polarity(text: str, section: str | None, expected: str) -> None:
    assert classify_polarity(text, section) == expected
