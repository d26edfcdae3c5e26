"""The engine over the tiny corpus: known answers per mode, before and after save and load."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from index.encoder import HashingEncoder
from index.engine import MAX_QUERY_CHARS, SearchEngine
from index.errors import IndexMismatchError, IndexMissingError, NotIndexedError, QueryError
from index.records import PassageRecord, SearchFilters
from tests.index.conftest import GWENT, make_records

# (mode, query, passage that must rank first)
KNOWN = [
    ("bm25", "domestic abuse notification", 12),
    ("bm25", "unmanageable caseloads", 32),
    ("dense", "care leaver transition plan", 22),
    ("dense", "supervision of practitioners", 41),
    ("hybrid", "missing teenager exploitation", 42),
    ("hybrid", "the young person's voice", 21),
]


def _top_ids(engine: SearchEngine, query: str, mode: str, **kwargs: object) -> list[int]:
    return [h.record.passage_id for h in engine.search(query, mode=mode, **kwargs)]  # type: ignore[arg-type]


def _reload(engine: SearchEngine, folder: Path, records: list[PassageRecord]) -> SearchEngine:
    engine.save(folder)
    return SearchEngine.load(folder, list(reversed(records)), engine.encoder, taxonomy_version="test-1")


@pytest.mark.parametrize(("mode", "query", "best"), KNOWN)
def test_known_answers_before_and_after_save_and_load(
    engine: SearchEngine, records: list[PassageRecord], tmp_path: Path, mode: str, query: str, best: int
) -> None:
    before = engine.search(query, mode=mode, k=5)
    assert before[0].record.passage_id == best
    loaded = _reload(engine, tmp_path / "index", records)
    after = loaded.search(query, mode=mode, k=5)
    assert [h.record.passage_id for h in after] == [h.record.passage_id for h in before]
    assert [h.score for h in after] == pytest.approx([h.score for h in before], abs=1e-5)
    assert loaded.dense_kind == engine.dense_kind


def test_hybrid_hit_carries_ranks_snippet_and_terms(engine: SearchEngine) -> None:
    hit = engine.search("neglect of dental health", k=3)[0]
    assert hit.record.passage_id == 31
    assert hit.bm25_rank == 1 and hit.dense_rank == 1
    assert "<mark>Neglect</mark>" in hit.snippet and "<mark>dental</mark>" in hit.snippet
    assert hit.matched_terms == ("neglect", "dental", "health")


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
@pytest.mark.parametrize(
    ("filters", "expected_ids"),
    [
        (SearchFilters(standards=("S16",)), {11, 23, 31}),
        (SearchFilters(boards=(GWENT.upper(),), section_kinds=("analysis",)), {21, 22, 31, 32}),
        (SearchFilters(review_types=("CPR",), year_from=2020), {31, 32}),
        (SearchFilters(agencies=("police",), year_to=2020), {12, 13}),
        (SearchFilters(review_ids=(4,)), {41, 42}),
        (SearchFilters(passage_ids=(11, 21, 31, 999)), {11, 21, 31}),
        (SearchFilters(passage_ids=(11, 12, 13, 21), review_ids=(1,)), {11, 12, 13}),
    ],
)
def test_filters_return_k_results_when_k_exist(
    engine: SearchEngine, mode: str, filters: SearchFilters, expected_ids: set[int]
) -> None:
    # every passage of the corpus shares one of these words, so BM25 can fill k too
    query = "the health visitor police school neglect care caseloads voice supervision missing"
    query += " strategy children dental"
    k = len(expected_ids) - 1
    page = _top_ids(engine, query, mode, k=k, filters=filters)
    assert len(page) == k and set(page) <= expected_ids
    everything = _top_ids(engine, query, mode, k=10, filters=filters)
    assert set(everything) == expected_ids


@pytest.mark.parametrize("filters", [SearchFilters(boards=("Nowhere Board",)), SearchFilters(passage_ids=())])
def test_a_filter_nothing_passes_gives_no_hits(engine: SearchEngine, filters: SearchFilters) -> None:
    assert engine.search("neglect", filters=filters) == []


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_pages_are_slices_of_one_ranking(engine: SearchEngine, mode: str) -> None:
    query = "health police school neglect meetings"
    whole = _top_ids(engine, query, mode, k=6)
    assert _top_ids(engine, query, mode, k=3) + _top_ids(engine, query, mode, k=3, offset=3) == whole


@pytest.mark.parametrize("query", ["", "   \n\t", "x" * (MAX_QUERY_CHARS + 1)])
def test_bad_queries_are_refused(engine: SearchEngine, query: str) -> None:
    with pytest.raises(QueryError):
        engine.search(query)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "fuzzy"}, "hybrid"),
        ({"fusion": "borda"}, "rrf"),
        ({"k": 0}, "k"),
        ({"offset": -1}, "offset"),
    ],
)
def test_bad_options_are_refused_with_the_valid_ones(
    engine: SearchEngine, options: dict[str, object], message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        engine.search("neglect", **options)  # type: ignore[arg-type]


def test_weighted_fusion_also_finds_the_known_answer(engine: SearchEngine) -> None:
    assert _top_ids(engine, "domestic abuse notification", "hybrid", fusion="weighted")[0] == 12


def test_more_like_this_never_returns_the_passage_and_honours_filters(engine: SearchEngine) -> None:
    similar = engine.more_like_this(31, k=3)
    assert len(similar) == 3 and 31 not in [h.record.passage_id for h in similar]
    assert similar[0].score >= similar[-1].score
    others = engine.more_like_this(31, k=9, other_reviews_only=True)
    assert {h.record.review_id for h in others} == {1, 2, 4}
    filtered = engine.more_like_this(31, k=5, filters=SearchFilters(standards=("S16",)))
    assert {h.record.passage_id for h in filtered} == {11, 23}
    with pytest.raises(NotIndexedError):
        engine.more_like_this(999)


def test_group_by_review_keeps_rank_order(engine: SearchEngine) -> None:
    hits = engine.search("neglect health police school", k=6)
    groups = SearchEngine.group_by_review(hits)
    assert [g.review_id for g in groups] == list(dict.fromkeys(h.record.review_id for h in hits))
    assert sum(len(g.hits) for g in groups) == len(hits)
    assert all(g.best_score == g.hits[0].score for g in groups)


def test_update_adds_replaces_and_removes(
    engine: SearchEngine, records: list[PassageRecord], tmp_path: Path
) -> None:
    encoder = engine.encoder
    new = PassageRecord(passage_id=51, review_id=5, text="Interpreters were not booked for the mother.",
                        section_kind="analysis", standards=("S23",))
    changed = dataclasses.replace(records[0], text="The GP surgery lost the referral letter.")
    engine.update([new, changed], encoder.encode([new.text, changed.text]), removed_ids=[32])
    assert len(engine) == len(records)
    assert _top_ids(engine, "interpreters booked", "bm25")[0] == 51
    assert _top_ids(engine, "GP referral letter", "hybrid")[0] == 11
    assert 32 not in _top_ids(engine, "unmanageable caseloads", "hybrid")
    assert _top_ids(engine, "interpreter", "bm25", filters=SearchFilters(standards=("S23",))) == [51]
    current = [r for r in records if r.passage_id not in (11, 32)] + [new, changed]
    loaded = _reload(engine, tmp_path / "index", current)
    assert _top_ids(loaded, "interpreters booked", "hybrid")[0] == 51


def test_load_refuses_a_changed_catalogue_or_model(
    engine: SearchEngine, records: list[PassageRecord], tmp_path: Path
) -> None:
    folder = tmp_path / "index"
    engine.save(folder)
    edited = [dataclasses.replace(records[0], text="Edited text.")] + records[1:]
    with pytest.raises(IndexMismatchError, match="corpus_hash.*run `gwersi index build`"):
        SearchEngine.load(folder, edited, engine.encoder, taxonomy_version="test-1")
    with pytest.raises(IndexMismatchError, match="model_id"):
        SearchEngine.load(folder, records, HashingEncoder(dimension=64), taxonomy_version="test-1")
    with pytest.raises(IndexMismatchError, match="taxonomy_version"):
        SearchEngine.load(folder, records, engine.encoder, taxonomy_version="test-2")
    with pytest.raises(IndexMissingError, match="gwersi index build"):
        SearchEngine.load(tmp_path / "empty", records, engine.encoder)


def test_build_checks_embeddings_align_with_records(records: list[PassageRecord]) -> None:
    with pytest.raises(ValueError, match="expected"):
        SearchEngine.build(records, np.zeros((2, 384), dtype=np.float32), HashingEncoder())


def test_records_are_checked_on_update_before_anything_changes(engine: SearchEngine) -> None:
    new = make_records()[0]
    with pytest.raises(ValueError, match="embeddings"):
        engine.update([new], np.zeros((0, 384), dtype=np.float32))
    assert len(engine) == len(make_records())
