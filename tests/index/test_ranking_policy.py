"""Hybrid ranking policy: weighted RRF and the section-kind prior (pure modes stay unweighted)."""

from __future__ import annotations

import numpy as np
import pytest

from index.encoder import HashingEncoder
from index.engine import SearchEngine
from index.fusion import rrf
from index.records import PassageRecord


@pytest.mark.parametrize(
    ("weights", "expected_first"),
    [(None, 1), ((1.0, 1.0), 1), ((1.0, 3.0), 2)],
)
def test_rrf_weights_let_one_list_count_more(weights: tuple[float, float] | None, expected_first: int) -> None:
    fused = rrf([[1, 2], [2, 1]] if weights is None else [[1, 3, 2], [2, 1]], weights=weights)
    if weights is None:
        assert fused[0][1] == pytest.approx(fused[1][1]) and fused[0][0] == 1  # tie -> smaller id
    else:
        assert fused[0][0] == expected_first


def test_rrf_needs_one_weight_per_list() -> None:
    with pytest.raises(ValueError, match="one weight per ranking"):
        rrf([[1], [2]], weights=(1.0,))


def test_hybrid_prefers_a_learning_passage_over_an_identical_process_passage() -> None:
    text = "The reviewer met the health visitor about the unseen partner in the home."
    records = [
        PassageRecord(passage_id=1, review_id=1, text=text, section_kind="methodology"),
        PassageRecord(passage_id=2, review_id=1, text=text + " ", section_kind="practice_learning"),
        PassageRecord(passage_id=3, review_id=2, text="Safe sleep advice was given twice.", section_kind="analysis"),
    ]
    encoder = HashingEncoder()
    engine = SearchEngine.build(records, encoder.encode([r.text for r in records]), encoder)
    hybrid = [h.record.passage_id for h in engine.search("unseen partner", k=3)]
    assert hybrid[0] == 2 and hybrid.index(2) < hybrid.index(1)
    bm25 = engine.search("unseen partner", k=2, mode="bm25")
    assert {h.record.passage_id for h in bm25} == {1, 2}
    assert np.isclose(bm25[0].score, bm25[1].score)  # no prior in the pure modes
