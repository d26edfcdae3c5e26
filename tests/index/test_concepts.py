"""The concept list: passages ranked by how well their standards match the query's, fused as a
third RRF list, saved with the index and rebuilt when the model changes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.concepts import ConceptMatrix
from index.encoder import HashingEncoder
from index.engine import SearchEngine
from index.ranking import RankingPolicy, fuse_hybrid
from index.records import PassageRecord, SearchFilters

CUES = {0: ("partner", "boyfriend", "father"), 1: ("school", "education"), 2: ("capacity",)}


class CueConcepts:
    """A stand-in concept model: standard ``j`` scores 1 when one of its cue words is in the text.

    A real one (the supervised tagger, ``gwersi.concepts``) is exercised by the search evaluation
    and the API tests; here the answers must be known exactly.
    """

    def __init__(self, model_id: str = "cues@1") -> None:
        self.model_id = model_id
        self.calls = 0

    def scores(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        assert vectors.shape[0] == len(texts)
        self.calls += len(texts)
        return np.array(
            [[1.0 if any(w in t.lower() for w in CUES[j]) else 0.0 for j in range(3)] for t in texts],
            dtype=np.float32,
        )


def test_rank_orders_by_dot_product_then_id_and_drops_zero_scores() -> None:
    matrix = ConceptMatrix("m", np.array([5, 3, 9, 7]), np.array([[1, 0], [1, 1], [0, 1], [0, 0]], dtype=float))
    assert matrix.rank(np.array([1.0, 0.5]), 10) == [3, 5, 9]  # 1.5, 1.0, 0.5; id 7 scores 0
    assert matrix.rank(np.array([1.0, 1.0]), 10) == [3, 5, 9]  # 5 and 9 tie at 1.0: smaller id first
    assert matrix.rank(np.array([1.0, 0.5]), 1) == [3]
    assert matrix.rank(np.array([1.0, 0.5]), 10, allowed=np.array([9, 7])) == [9]


def test_rank_on_a_large_matrix_is_the_full_sort() -> None:
    rng = np.random.default_rng(7)
    ids = rng.permutation(5000) + 1
    matrix = ConceptMatrix("m", ids, rng.random((5000, 26)))
    query = rng.random(26)
    scores = matrix.matrix @ query.astype(np.float32)
    expected = [int(ids[i]) for i in np.lexsort((ids, -scores))[:50]]
    assert matrix.rank(query, 50) == expected


def test_rank_refuses_a_query_of_another_width() -> None:
    matrix = ConceptMatrix("m", np.array([1]), np.ones((1, 2)))
    with pytest.raises(ValueError, match="concept scores"):
        matrix.rank(np.ones(3), 5)


def test_fuse_hybrid_adds_the_concept_list_only_with_a_weight() -> None:
    sections = {i: ("analysis", 1.0) for i in range(1, 5)}.__getitem__
    off = RankingPolicy(rrf_k=10)
    on = RankingPolicy(rrf_k=10, concept_weight=3.0)
    assert [p for p, _ in fuse_hybrid([1, 2], [1, 3], off, sections, [2, 4])] == [1, 2, 3]
    # 1: 1/11 + 1/11; 2: 1/12 + 3/11; 4: 3/12; 3: 1/12
    assert [p for p, _ in fuse_hybrid([1, 2], [1, 3], on, sections, [2, 4])] == [2, 4, 1, 3]
    assert on.describe().endswith(" concepts=3") and "concepts" not in off.describe()


RECORDS = [
    PassageRecord(passage_id=1, review_id=1, text="Nobody asked who the new boyfriend was.", section_kind="analysis"),
    PassageRecord(passage_id=2, review_id=1, text="The panel met four times.", section_kind="analysis"),
    PassageRecord(passage_id=3, review_id=2, text="He stopped going to school in Year 9.", section_kind="analysis"),
    PassageRecord(passage_id=4, review_id=2, text="Mental capacity was assumed.", section_kind="analysis"),
]
QUERY = "hidden male partner"  # shares no word with passage 1; its concepts do


def _engine(concepts: CueConcepts | None) -> SearchEngine:
    encoder = HashingEncoder(64)
    return SearchEngine.build(RECORDS, encoder.encode([r.text for r in RECORDS]), encoder, concepts=concepts)


def test_hybrid_finds_a_paraphrase_through_its_standards() -> None:
    policy = RankingPolicy(rrf_k=10, concept_weight=1.0)
    with_concepts = _engine(CueConcepts())
    assert with_concepts.concept_model_id == "cues@1"
    assert with_concepts.ranked_lists(QUERY, 5)[2] == [1]
    top = with_concepts.search(QUERY, k=1, policy=policy)[0]
    assert top.record.passage_id == 1 and top.concept_rank == 1 and top.bm25_rank is None
    without = _engine(None)
    assert without.concept_model_id is None and without.ranked_lists(QUERY, 5)[2] == []
    # the pure modes never use it, and filters apply to it
    assert with_concepts.search(QUERY, k=4, mode="bm25") == []
    filtered = with_concepts.ranked_lists(QUERY, 5, SearchFilters(review_ids=(2,)))
    assert filtered[2] == []


def test_the_matrix_is_saved_with_the_index_and_scored_again_for_another_model(tmp_path: Path) -> None:
    engine = _engine(CueConcepts())
    engine.save(tmp_path)
    encoder = HashingEncoder(64)
    same = CueConcepts()
    loaded = SearchEngine.load(tmp_path, RECORDS, encoder, concepts=same)
    assert same.calls == 0  # the passages' rows came from the file
    assert loaded.ranked_lists(QUERY, 5)[2] == [1] and same.calls == 1  # the query is scored
    other = CueConcepts("cues@2")
    SearchEngine.load(tmp_path, RECORDS, encoder, concepts=other)
    assert other.calls == len(RECORDS)  # another model: every passage scored again from its vector
    assert SearchEngine.load(tmp_path, RECORDS, encoder).concept_model_id is None


def test_a_rebuild_scores_only_the_passages_the_previous_index_did_not_hold(tmp_path: Path) -> None:
    first = _engine(CueConcepts())
    first.save(tmp_path)
    before = ConceptMatrix.read(tmp_path)
    assert before is not None and before.ids.tolist() == [1, 2, 3, 4]
    added = PassageRecord(passage_id=9, review_id=3, text="The father was never seen.", section_kind="analysis")
    records = [added, *RECORDS[1:]]  # passage 1 deleted, 9 added, order changed
    encoder = HashingEncoder(64)
    model = CueConcepts()
    engine = SearchEngine.build(
        records, encoder.encode([r.text for r in records]), encoder, concepts=model, concepts_before=before
    )
    assert model.calls == 1  # only passage 9
    assert engine.ranked_lists(QUERY, 5)[2] == [9]
    other = CueConcepts("cues@2")
    SearchEngine.build(records, encoder.encode([r.text for r in records]), encoder, concepts=other,
                       concepts_before=before)
    assert other.calls == len(records)  # rows of another model are never reused
