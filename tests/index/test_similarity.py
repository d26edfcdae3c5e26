"""Review-to-review similarity: passage vectors and shared standards, with a reason."""

from __future__ import annotations

import numpy as np
import pytest

from index.encoder import HashingEncoder
from index.engine import SearchEngine
from index.errors import NotIndexedError
from index.records import PassageRecord
from index.similarity import build_profiles, jaccard, similar_reviews


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({"S01"}, {"S01"}, 1.0),
        ({"S01", "S02"}, {"S02", "S03"}, 1 / 3),
        (set(), set(), 0.0),
        ({"S01"}, set(), 0.0),
    ],
)
def test_jaccard(a: set[str], b: set[str], expected: float) -> None:
    assert jaccard(a, b) == pytest.approx(expected)


def test_standards_break_a_tie_in_vectors() -> None:
    vectors = np.eye(3, dtype=np.float32)[[0, 1, 1, 1]]
    profiles = build_profiles(
        np.array([1, 2, 3, 3]), [("S01", "S02"), ("S01",), ("S05",), ("S01",)], lambda rows: vectors[rows]
    )
    ranked = similar_reviews(profiles, 1, k=2)
    assert [r.review_id for r in ranked] == [2, 3]
    assert "S01" in ranked[0].reason


def _corpus() -> list[PassageRecord]:
    texts = {
        1: ["Dental neglect of the toddler went unrecognised by the health visitor.",
            "The health visitor did not escalate the neglect concerns."],
        2: ["Neglect of the children's dental care was missed by universal health services.",
            "The school nurse saw dental neglect but nobody escalated it."],
        3: ["The budget for the youth offending team was reduced.",
            "Court reports about the young man were late."],
    }
    standards = {1: ("S16", "S15"), 2: ("S16",), 3: ("S24",)}
    return [
        PassageRecord(passage_id=rid * 10 + i, review_id=rid, text=text, section_kind="analysis",
                      standards=standards[rid])
        for rid, paragraphs in texts.items()
        for i, text in enumerate(paragraphs)
    ]


def test_engine_similar_reviews_explains_itself() -> None:
    records = _corpus()
    encoder = HashingEncoder()
    engine = SearchEngine.build(records, encoder.encode([r.text for r in records]), encoder)
    ranked = engine.similar_reviews(1, k=2)
    assert [r.review_id for r in ranked] == [2, 3]
    assert ranked[0].score > ranked[1].score
    assert "shared standards: S16" in ranked[0].reason
    assert "dental" in ranked[0].reason and "neglect" in ranked[0].reason
    with pytest.raises(NotIndexedError):
        engine.similar_reviews(99)
