"""BM25 over stemmed tokens: ranking, filters inside the search, save and load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.errors import IndexMissingError
from index.sparse import SparseIndex
from tests.index.conftest import make_records


@pytest.fixture()
def sparse() -> SparseIndex:
    records = make_records()
    index = SparseIndex()
    index.build([r.passage_id for r in records], [r.text for r in records])
    return index


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("domestic abuse notification", 12),
        ("transition plan for a care leaver", 22),
        ("unmanageable caseloads", 32),
        ("exploitation of missing teenagers", 42),
    ],
)
def test_known_answers(sparse: SparseIndex, query: str, best: int) -> None:
    assert int(sparse.search(query, 3)[0][0]) == best


def test_stemming_matches_word_forms(sparse: SparseIndex) -> None:
    found, _ = sparse.search("neglected", 10)
    assert sorted(found.tolist()) == [23, 31]


def test_only_matching_documents_come_back(sparse: SparseIndex) -> None:
    assert sparse.search("zebra crossing", 5)[0].size == 0


def test_filter_keeps_k_allowed_matches(sparse: SparseIndex) -> None:
    found, _ = sparse.search("police school meetings health", 2, np.array([13, 21, 42, 11]))
    assert len(found) == 2 and set(found.tolist()) <= {13, 21, 11}


def test_save_and_load(sparse: SparseIndex, tmp_path: Path) -> None:
    sparse.save(tmp_path)
    sparse.save(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["bm25"]
    loaded = SparseIndex.load(tmp_path)
    for query in ("neglect", "police school", "voice of the young person"):
        a, b = sparse.search(query, 5), loaded.search(query, 5)
        assert a[0].tolist() == b[0].tolist() and np.allclose(a[1], b[1])


def test_empty_corpus_saves_and_searches(tmp_path: Path) -> None:
    empty = SparseIndex()
    empty.build([], [])
    empty.save(tmp_path)
    assert SparseIndex.load(tmp_path).search("anything", 3)[0].size == 0


def test_loading_nothing_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="gwersi index build"):
        SparseIndex.load(tmp_path)


def test_vectorised_matrix_scores_like_bm25s_own_index() -> None:
    import bm25s

    from index.text import query_terms, tokenize_many

    texts = [r.text for r in make_records()] + ["", "the and of", "neglect neglect neglect of the baby"]
    reference = bm25s.BM25(method="lucene")
    reference.index(tokenize_many(texts), show_progress=False)
    ours = SparseIndex()
    ours.build(list(range(len(texts))), texts)
    for query in ("neglect baby", "police school meetings", "health visitor home visits", "zebra"):
        terms = [t for t in query_terms(query) if t in reference.vocab_dict]
        expected = reference.get_scores(terms) if terms else np.zeros(len(texts), dtype=np.float32)
        assert np.allclose(ours.scores(query), expected, atol=1e-6)


def test_matrix_does_not_depend_on_the_chunk_size() -> None:
    from index.sparse import lucene_matrix

    texts = [r.text for r in make_records()]
    whole, vocab = lucene_matrix(texts, k1=1.5, b=0.75)
    pieces, vocab_pieces = lucene_matrix(texts, k1=1.5, b=0.75, chunk=3)
    assert vocab == vocab_pieces
    assert np.array_equal(whole["indptr"], pieces["indptr"])
    assert np.array_equal(whole["indices"], pieces["indices"])
    assert np.allclose(whole["data"], pieces["data"])
