"""Hybrid ranking policy: weighted RRF, the confidence-gated section-kind prior, and a tiny corpus
whose layout ingest misread (the right passage must not sink)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.encoder import HashingEncoder
from index.engine import SearchEngine
from index.fusion import rrf
from index.ranking import (
    DEFAULT_POLICY,
    PROCESS_SECTION_PRIOR,
    RankingPolicy,
    fuse_hybrid,
    section_prior,
)
from index.records import PassageRecord

FULL = RankingPolicy(rrf_k=60, bm25_weight=1.0, dense_weight=2.0, prior_strength=1.0, min_confidence=0.8)


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


@pytest.mark.parametrize(
    ("kind", "confidence", "strength", "line", "expected"),
    [
        ("practice_learning", 1.0, 1.0, 0.8, 1.0),
        ("circumstances", 1.0, 1.0, 0.8, 0.8),
        ("methodology", 1.0, 1.0, 0.8, PROCESS_SECTION_PRIOR),
        ("methodology", 0.8, 1.0, 0.8, PROCESS_SECTION_PRIOR),  # at the line: applies
        ("methodology", 0.79, 1.0, 0.8, 1.0),  # below the line: neutral
        ("methodology", 0.0, 1.0, 0.0, PROCESS_SECTION_PRIOR),  # a line of 0 trusts every kind
        ("methodology", 1.0, 0.5, 0.8, 0.75),  # half strength: half way to 1.0
        ("methodology", 1.0, 0.0, 0.8, 1.0),  # prior off
        ("front_matter", 1.0, 1.0, 0.0, 1.0),  # unclassified text is never penalised ...
        ("other", 1.0, 1.0, 0.0, 1.0),  # ... whatever confidence was recorded
        ("a_kind_nobody_knows", 1.0, 1.0, 0.8, PROCESS_SECTION_PRIOR),
    ],
)
def test_section_prior_is_keyed_on_kind_only_when_the_kind_is_sure(
    kind: str, confidence: float, strength: float, line: float, expected: float
) -> None:
    assert section_prior(kind, confidence, strength=strength, min_confidence=line) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("sections", "policy", "expected"),
    [
        # no prior: plain weighted RRF (dense list counts double)
        ({1: ("methodology", 1.0), 2: ("analysis", 1.0)}, RankingPolicy(dense_weight=2.0), [2, 1]),
        # a sure process section sinks below a learning passage it tied with
        ({1: ("analysis", 1.0), 2: ("methodology", 1.0)}, FULL, [1, 2]),
        # the same section read with low confidence keeps its place
        ({1: ("analysis", 1.0), 2: ("methodology", 0.3)}, FULL, [2, 1]),
        # a misread layout ("other") is not penalised
        ({1: ("analysis", 1.0), 2: ("other", 0.0)}, FULL, [2, 1]),
    ],
)
def test_fuse_hybrid(sections: dict[int, tuple[str, float]], policy: RankingPolicy, expected: list[int]) -> None:
    fused = fuse_hybrid([1, 2], [2, 1], policy, sections.__getitem__)
    assert [pid for pid, _ in fused] == expected


@pytest.mark.parametrize(
    "bad",
    [
        {"rrf_k": -1},
        {"bm25_weight": -0.1},
        {"prior_strength": 1.5},
        {"min_confidence": -0.1},
    ],
)
def test_policy_rejects_values_out_of_range(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RankingPolicy(**bad)  # type: ignore[arg-type]


def test_default_policy_describes_itself() -> None:
    assert DEFAULT_POLICY.describe().startswith(f"rrf k={DEFAULT_POLICY.rrf_k} ")


# ----------------------------------------------------------------- engines over tiny corpora
def _engine(records: list[PassageRecord]) -> SearchEngine:
    encoder = HashingEncoder()
    return SearchEngine.build(records, encoder.encode([r.text for r in records]), encoder)


def test_hybrid_prefers_a_learning_passage_over_an_identical_sure_process_passage() -> None:
    text = "The reviewer met the health visitor about the unseen partner in the home."
    records = [
        PassageRecord(passage_id=1, review_id=1, text=text, section_kind="methodology"),
        PassageRecord(passage_id=2, review_id=1, text=text + " ", section_kind="practice_learning"),
        PassageRecord(passage_id=3, review_id=2, text="Safe sleep advice was given twice.", section_kind="analysis"),
    ]
    engine = _engine(records)
    hybrid = [h.record.passage_id for h in engine.search("unseen partner", k=3, policy=FULL)]
    assert hybrid[0] == 2 and hybrid.index(2) < hybrid.index(1)
    bm25 = engine.search("unseen partner", k=2, mode="bm25", policy=FULL)
    assert {h.record.passage_id for h in bm25} == {1, 2}
    assert np.isclose(bm25[0].score, bm25[1].score)  # no prior in the pure modes


ANSWER = "Nobody identified the mother's new partner, although he lived in the home and cared for the baby."
MISREAD = [  # (id, text, kind, confidence): ingest missed the heading of the learning section
    (1, ANSWER, "other", 0.0),
    (2, "The panel met four times and agreed the terms of reference for the partner agencies.", "panel", 1.0),
    (3, "The health visitor recorded the new address and the home conditions.", "circumstances", 1.0),
    (4, "Agencies knew that a new partner had moved into the home with the baby.", "analysis", 1.0),
    (5, "Mother was supported by her family and the baby was well cared for.", "practice_learning", 1.0),
]
QUERY = "new partner living in the home not identified"


def _misread_records(confidence_of_answer: float | None = None) -> list[PassageRecord]:
    return [
        PassageRecord(
            passage_id=pid,
            review_id=1,
            text=text,
            section_kind=kind,
            section_confidence=confidence if pid != 1 or confidence_of_answer is None else confidence_of_answer,
        )
        for pid, text, kind, confidence in MISREAD
    ]


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_a_misread_layout_does_not_sink_the_right_passage(mode: str) -> None:
    engine = _engine(_misread_records())
    assert engine.search(QUERY, k=3, mode=mode)[0].record.passage_id == 1
    assert engine.search(QUERY, k=3, mode=mode, policy=FULL)[0].record.passage_id == 1


def test_a_kind_read_with_low_confidence_is_not_penalised() -> None:
    records = [
        PassageRecord(
            passage_id=pid,
            review_id=1,
            text=text,
            section_kind="methodology" if pid == 1 else kind,
            section_confidence=0.4 if pid == 1 else conf,
        )
        for pid, text, kind, conf in MISREAD
    ]
    engine = _engine(records)
    assert engine.search(QUERY, k=3, policy=FULL)[0].record.passage_id == 1


def test_the_misread_answer_survives_save_and_load(tmp_path: Path) -> None:
    records = _misread_records()
    engine = _engine(records)
    engine.save(tmp_path / "index")
    loaded = SearchEngine.load(tmp_path / "index", records, engine.encoder)
    assert [h.record.passage_id for h in loaded.search(QUERY, k=5, policy=FULL)] == [
        h.record.passage_id for h in engine.search(QUERY, k=5, policy=FULL)
    ]
    assert loaded.search(QUERY, k=1, policy=FULL)[0].record.passage_id == 1


def test_ranked_lists_are_what_hybrid_fuses() -> None:
    engine = _engine(_misread_records())
    bm25, dense, _concepts = engine.ranked_lists(QUERY, 5)
    fused = fuse_hybrid(
        bm25,
        dense,
        DEFAULT_POLICY,
        lambda pid: (engine.record(pid).section_kind, engine.record(pid).section_confidence),
    )
    assert [h.record.passage_id for h in engine.search(QUERY, k=5)] == [pid for pid, _ in fused][:5]


def test_the_ranking_served_before_confidence_gating_sank_the_misread_answer() -> None:
    from gwersi.search_eval import legacy_hybrid

    engine = _engine(_misread_records())
    bm25, dense, _concepts = engine.ranked_lists(QUERY, 5)
    before = legacy_hybrid(bm25, dense, lambda pid: (engine.record(pid).section_kind, 1.0))
    assert before[0] != 1  # the failure this policy guards against


@pytest.mark.model
def test_with_the_real_model_a_misread_layout_does_not_sink_the_right_passage() -> None:
    from index.encoder import SentenceTransformerEncoder

    records = _misread_records()
    encoder = SentenceTransformerEncoder()
    engine = SearchEngine.build(records, encoder.encode([r.text for r in records]), encoder)
    ranks = {
        mode: [h.record.passage_id for h in engine.search(QUERY, k=5, mode=mode)].index(1) + 1
        for mode in ("bm25", "dense", "hybrid")
    }
    assert ranks["hybrid"] <= min(ranks["bm25"], ranks["dense"]) <= 2, ranks
