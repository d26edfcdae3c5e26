"""The learned reranker: its features on a pool with known answers, its file, its fit, and how the
engine orders hybrid results with it (the hashing encoder; the shipped weights' figures come from
``gwersi eval search``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from index.concepts import ConceptMatrix
from index.encoder import HashingEncoder
from index.engine import SearchEngine
from index.ranking import DEFAULT_POLICY, fuse_hybrid
from index.records import PassageRecord, SearchFilters
from index.rerank import (
    FEATURES,
    NO_NEIGHBOUR_GAP,
    POOL_DEPTH,
    SHIPPED,
    CandidatePool,
    LinearReranker,
    features,
    fit_reranker,
    load_reranker,
    pool_ids,
    rank_positions,
    rerank_order,
)
from index.sparse import SparseIndex
from tests.index.conftest import make_records

COL = {name: i for i, name in enumerate(FEATURES)}


def _pool(**overrides: object) -> CandidatePool:
    """Four candidates: 10 and 11 adjacent in review 1, 13 alone in review 1, 20 in review 2."""
    base: dict[str, object] = dict(
        ids=np.array([10, 11, 13, 20]),
        bm25_rank=np.array([1.0, 0.0, 2.0, 3.0]),
        dense_rank=np.array([2.0, 1.0, 0.0, 0.0]),
        concept_rank=np.array([0.0, 0.0, 0.0, 1.0]),
        bm25=np.array([4.0, 0.0, 2.0, 1.0]),
        cosine=np.array([0.5, 0.7, 0.1, 0.3]),
        concept=np.array([0.0, 0.0, 0.0, 2.0]),
        review=np.array([1, 1, 1, 2]),
        prior=np.array([1.0, 0.5, 1.0, 1.0]),
        unclassified=np.array([False, False, True, False]),
        words=np.array([9, 99, 0, 20]),
        heading_overlap=np.array([0.5, 0.0, 0.0, 1.0]),
    )
    base.update(overrides)
    return CandidatePool(**base)  # type: ignore[arg-type]


def _weights(**named: float) -> tuple[float, ...]:
    return tuple(named.get(name, 0.0) for name in FEATURES)


def test_features_of_a_pool_with_known_answers() -> None:
    x = features(_pool())
    assert x.shape == (4, len(FEATURES))
    np.testing.assert_allclose(x[:, COL["bm25_rank"]], [10 / 11, 0, 10 / 12, 10 / 13])
    np.testing.assert_allclose(x[:, COL["concept_rank"]], [0, 0, 0, 10 / 11])
    np.testing.assert_allclose(x[:, COL["bm25_vs_best"]], [1.0, 0.0, 0.5, 0.25])
    np.testing.assert_allclose(x[:, COL["concept_vs_best"]], [0, 0, 0, 1.0])
    np.testing.assert_allclose(x[:, COL["review_share"]], [0.75, 0.75, 0.75, 0.25])
    # review 1's best cosine is the pool's best (0.7); review 2's is 0.4 behind it
    np.testing.assert_allclose(x[:, COL["review_best_cosine_gap"]], [0.0, 0.0, 0.0, -0.4])
    top3 = (0.5 + 0.7 + 0.1) / 3 - 0.7
    np.testing.assert_allclose(x[:, COL["review_top3_cosine_gap"]], [top3, top3, top3, -0.4])
    np.testing.assert_allclose(x[:, COL["review_best_bm25"]], [1.0, 1.0, 1.0, 0.25])
    # 10 and 11 are neighbours in review 1; 13 is not adjacent; 20 has no neighbour
    np.testing.assert_allclose(x[:, COL["neighbour_cosine_gap"]], [0.0, -0.2, NO_NEIGHBOUR_GAP, NO_NEIGHBOUR_GAP])
    np.testing.assert_allclose(x[:, COL["log_words"]], np.log1p([9, 99, 0, 20]) / 5)
    np.testing.assert_allclose(x[:, COL["unclassified_section"]], [0, 0, 1, 0])


def test_adjacent_ids_in_another_review_are_not_neighbours() -> None:
    x = features(_pool(review=np.array([1, 2, 1, 2])))
    assert x[0, COL["neighbour_cosine_gap"]] == NO_NEIGHBOUR_GAP


def test_a_pool_with_no_bm25_or_concept_match_has_zero_relative_scores() -> None:
    x = features(_pool(bm25=np.zeros(4), concept=np.zeros(4)))
    assert not x[:, COL["bm25_vs_best"]].any() and not x[:, COL["concept_vs_best"]].any()
    assert features(_pool(**{k: np.zeros(0) for k in CandidatePool.__dataclass_fields__})).shape == (0, len(FEATURES))


def test_the_pool_is_the_head_of_each_list_and_ranks_count_only_there() -> None:
    bm25 = list(range(1, 80))
    dense = [200, 1, *range(300, 400)]
    ids = pool_ids(bm25, dense, [500])
    assert len(ids) == POOL_DEPTH + (POOL_DEPTH - 1) + 1 and ids[:3] == [1, 2, 3] and 200 in ids and 500 in ids
    assert 51 not in ids  # BM25's 51st is deeper than the pool
    np.testing.assert_array_equal(rank_positions([1, 200, 51], bm25), [1, 0, 0])


def test_rerank_order_puts_the_pool_first_by_score_then_the_deeper_rrf_candidates() -> None:
    pool = _pool()
    ranked = rerank_order(pool, np.array([0.0, 2.0, 0.0, -1.0]), [(99, 0.9), (10, 0.8), (98, 0.7)])
    assert [pid for pid, _ in ranked] == [11, 10, 13, 20, 99, 98]  # 10 and 13 tie: smaller id first
    assert ranked[0][1] == 1.0 and ranked[1][1] == pytest.approx(math.exp(-2)) and ranked[-1][1] == 0.0
    assert all(0.0 <= score <= 1.0 for _, score in ranked)


def test_a_reranker_round_trips_through_json_and_refuses_other_features(tmp_path: Path) -> None:
    reranker = LinearReranker(_weights(cosine=2.0, bm25_rank=-0.5), encoder="m@1", concepts=False, fitted_on="x")
    reranker.save(tmp_path / "r.json")
    assert load_reranker(tmp_path / "r.json") == reranker
    data = json.loads((tmp_path / "r.json").read_text())
    data["features"] = data["features"][:-1]
    with pytest.raises(ValueError, match="other features"):
        LinearReranker.from_json(data)
    with pytest.raises(ValueError, match="weights"):
        LinearReranker((1.0,), encoder="m")
    with pytest.raises(ValueError, match="finite"):
        LinearReranker(_weights(cosine=math.nan), encoder="m")


def test_the_shipped_reranker_reads_and_was_fitted_for_the_packaged_encoder_with_concepts() -> None:
    shipped = load_reranker(SHIPPED)
    assert shipped.concepts and shipped.encoder.startswith("all-MiniLM-L6-v2@53aa51172d14")
    assert "judged queries" in shipped.fitted_on and "test10" not in shipped.fitted_on  # frozen sets left out
    assert shipped.weights[COL["cosine"]] > 0 and shipped.weights[COL["bm25_vs_best"]] > 0


def _judged_pools(seed: int, queries: int = 30) -> list[tuple[CandidatePool, dict[int, int]]]:
    """Pools where relevance follows cosine and a strong review, while BM25 rank is noise."""
    rng = np.random.default_rng(seed)
    out = []
    for q in range(queries):
        n = 20
        cosine = rng.random(n)
        review = rng.integers(0, 4, n)
        ids = np.arange(n) * 10 + q * 1000
        pool = _pool(
            ids=ids, bm25_rank=rng.permutation(n).astype(float) + 1, dense_rank=np.zeros(n), concept_rank=np.zeros(n),
            bm25=rng.random(n), cosine=cosine, concept=np.zeros(n), review=review, prior=np.ones(n),
            unclassified=np.zeros(n, dtype=bool), words=np.full(n, 50), heading_overlap=np.zeros(n),
        )
        graded = {int(ids[i]): int(3 * cosine[i]) for i in range(n)}
        out.append((pool, graded))
    return out


def test_a_fitted_reranker_learns_what_the_judgments_reward() -> None:
    reranker = fit_reranker(_judged_pools(1), encoder="m@1", concepts=False, fitted_on="synthetic")
    assert reranker.weights[COL["cosine"]] > 5 * abs(reranker.weights[COL["bm25_rank"]])
    pool, graded = _judged_pools(2, queries=1)[0]
    order = rerank_order(pool, reranker.score(pool), [])
    grades = [graded[pid] for pid, _ in order]
    assert grades == sorted(grades, reverse=True)
    again = fit_reranker(_judged_pools(1), encoder="m@1", concepts=False)
    assert again.weights == reranker.weights  # seeded pair sampling: the same fit twice


def test_fitting_without_any_judged_pair_is_refused() -> None:
    pool, _ = _judged_pools(3, queries=1)[0]
    with pytest.raises(ValueError, match="no judged pairs"):
        fit_reranker([(pool, {})], encoder="m")


# ----------------------------------------------------------------- in the engine
QUERY = "neglect of the children's health"


def _engine(reranker: LinearReranker | None, records: list[PassageRecord] | None = None) -> SearchEngine:
    records = records or make_records()
    encoder = HashingEncoder()
    return SearchEngine.build(records, encoder.encode([r.text for r in records]), encoder, reranker=reranker)


def test_scores_of_agree_with_the_full_scores() -> None:
    records = make_records()
    sparse = SparseIndex()
    sparse.build([r.passage_id for r in records], [r.text for r in records])
    all_scores = sparse.scores("neglect health")
    full = dict(zip(sparse.ids().tolist(), all_scores.tolist(), strict=True))
    got = sparse.scores_of(np.array([31, 999, 11]), all_scores)
    np.testing.assert_allclose(got, [full[31], 0.0, full[11]])
    ids, top = sparse.top(all_scores, 3)
    np.testing.assert_array_equal(ids, sparse.search("neglect health", 3)[0])
    np.testing.assert_allclose(top, sparse.search("neglect health", 3)[1])
    matrix = ConceptMatrix("m", np.array([5, 3, 9]), np.array([[1, 0], [1, 1], [0, 1]], dtype=float))
    np.testing.assert_allclose(matrix.scores_of(np.array([9, 4, 3]), np.array([1.0, 0.5])), [0.5, 0.0, 1.5])


def test_the_engine_orders_hybrid_results_by_its_reranker() -> None:
    prefer_short = LinearReranker(_weights(log_words=-1.0), encoder=HashingEncoder().model_id, concepts=False)
    engine = _engine(prefer_short)
    hits = engine.search(QUERY, k=10)
    words = [len(h.record.text.split()) for h in hits]
    assert words == sorted(words)
    assert engine.search(QUERY, k=10, mode="bm25") == _engine(None).search(QUERY, k=10, mode="bm25")
    plain = _engine(None)
    bm25, dense, concepts = plain.ranked_lists(QUERY, 50)
    fused = fuse_hybrid(bm25, dense, DEFAULT_POLICY, lambda pid: (plain.record(pid).section_kind, 1.0), concepts)
    unranked = [h.record.passage_id for h in engine.search(QUERY, k=10, rerank=False)]
    assert unranked == [pid for pid, _ in fused][:10] == [h.record.passage_id for h in plain.search(QUERY, k=10)]


def test_pages_of_reranked_results_follow_on_from_each_other() -> None:
    records = [
        PassageRecord(
            passage_id=i, review_id=i % 7, text=f"neglect case {i} " + "word " * (i % 13), section_kind="analysis"
        )
        for i in range(1, 200)
    ]
    reranker = LinearReranker(_weights(log_words=-1.0, cosine=1.0), encoder=HashingEncoder().model_id, concepts=False)
    engine = _engine(reranker, records)
    whole = [h.record.passage_id for h in engine.search("neglect case", k=60)]
    pages = [h.record.passage_id for offset in (0, 20, 40) for h in engine.search("neglect case", k=20, offset=offset)]
    assert pages == whole and len(set(whole)) == 60


def test_the_engine_scores_the_candidates_a_filter_allows() -> None:
    reranker = LinearReranker(_weights(cosine=1.0), encoder=HashingEncoder().model_id, concepts=False)
    hits = _engine(reranker).search(QUERY, k=10, filters=SearchFilters(boards=("Gwent Safeguarding Board",)))
    assert hits and {h.record.board for h in hits} == {"Gwent Safeguarding Board"}


def test_an_engine_refuses_a_reranker_fitted_for_another_encoder_or_concept_list() -> None:
    with pytest.raises(ValueError, match="fitted for encoder"):
        _engine(LinearReranker(_weights(cosine=1.0), encoder="another@1", concepts=False))
    with pytest.raises(ValueError, match="concept list"):
        _engine(LinearReranker(_weights(cosine=1.0), encoder=HashingEncoder().model_id, concepts=True))
