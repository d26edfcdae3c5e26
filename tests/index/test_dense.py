"""The FAISS index: stable ids, filters that still fill k, removal, HNSW, atomic save and load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import dense as dense_module
from index.dense import DENSE_FILE, DenseIndex, DenseKind
from tests.index.conftest import unit_rows

DIM = 16


KINDS = ["flat", "hnsw", "hnsw-fp16"]


def _index(kind: str, count: int = 600, seed: int = 1) -> tuple[DenseIndex, np.ndarray, np.ndarray]:
    vectors = unit_rows(count, DIM, seed)
    ids = np.arange(count, dtype=np.int64) * 7 + 1000  # ids unrelated to positions
    structure: DenseKind = "flat" if kind == "flat" else "hnsw"
    index = DenseIndex(DIM, kind=structure, hnsw_storage="fp16" if kind.endswith("fp16") else "float32")
    index.add(ids, vectors)
    return index, ids, vectors


def _exact(ids: np.ndarray, vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return [int(i) for i in ids[np.argsort(-(vectors @ query), kind="stable")[:k]]]


@pytest.mark.parametrize("kind", KINDS)
def test_search_returns_ids_not_positions(kind: str) -> None:
    index, ids, vectors = _index(kind)
    found, scores = index.search(vectors[5], 3)
    assert int(found[0]) == int(ids[5])
    assert float(scores[0]) == pytest.approx(1.0, abs=1e-3)
    assert index.description == kind


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("exact_limit", "ef_max"),
    [(20_000, 1024), (0, 1024), (0, 10**9)],  # small-set scan, wide-search scan, HNSW + IDSelector
)
def test_filtered_search_fills_k_when_k_exist(
    kind: str, exact_limit: int, ef_max: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dense_module, "EXACT_FILTER_LIMIT", exact_limit)
    monkeypatch.setattr(dense_module, "EF_FILTER_MAX", ef_max)
    index, ids, vectors = _index(kind)
    allowed = ids[::37]  # 17 scattered ids, far from most queries
    query = vectors[1]
    found, scores = index.search(query, 10, allowed)
    assert len(found) == 10
    assert set(found.tolist()) <= set(allowed.tolist())
    assert list(scores) == sorted(scores, reverse=True)
    if kind != "hnsw-fp16":  # float16 storage may swap near-ties
        assert found.tolist() == _exact(allowed, vectors[::37], query, 10)


def test_filter_with_fewer_allowed_than_k_returns_all_of_them() -> None:
    index, ids, vectors = _index("flat")
    found, _ = index.search(vectors[0], 10, np.array([ids[3], ids[4], 999_999_999]))
    assert sorted(found.tolist()) == sorted([int(ids[3]), int(ids[4])])


@pytest.mark.parametrize("kind", KINDS)
def test_remove_drops_ids_and_keeps_the_rest(kind: str) -> None:
    index, ids, vectors = _index(kind)
    assert index.remove(ids[:5].tolist() + [123_456]) == 5
    assert len(index) == len(ids) - 5
    assert not index.contains(ids[:5]).any()
    found, _ = index.search(vectors[0], 5)
    assert int(ids[0]) not in found.tolist()
    assert np.allclose(index.reconstruct(ids[10:12]), vectors[10:12], atol=1e-3)
    assert index.description == kind


def test_auto_switches_to_hnsw_above_the_threshold_and_back() -> None:
    vectors = unit_rows(300, DIM, 2)
    index = DenseIndex(DIM, ann_threshold=200)
    index.add(np.arange(150), vectors[:150])
    assert index.kind == "flat"
    index.add(np.arange(150, 300), vectors[150:])
    assert index.kind == "hnsw" and len(index) == 300
    index.remove(np.arange(200))
    assert index.kind == "flat" and len(index) == 100


def test_adding_an_existing_id_is_refused() -> None:
    index, ids, vectors = _index("flat", count=10)
    with pytest.raises(ValueError, match="unique and new"):
        index.add(ids[:1], vectors[:1])


@pytest.mark.parametrize("kind", KINDS)
def test_save_and_load_round_trip(kind: str, tmp_path: Path) -> None:
    index, ids, vectors = _index(kind)
    index.save(tmp_path)
    index.save(tmp_path)  # overwriting is atomic and leaves no temporary files
    assert sorted(p.name for p in tmp_path.iterdir()) == [DENSE_FILE]
    loaded = DenseIndex.load(tmp_path)
    assert loaded.description == kind
    for row in (0, 17, 300):
        assert loaded.search(vectors[row], 5)[0].tolist() == index.search(vectors[row], 5)[0].tolist()


def test_size_hint_picks_the_structure_up_front() -> None:
    index = DenseIndex(DIM, ann_threshold=200, size_hint=300)
    assert index.kind == "hnsw"
    index.add(np.arange(100), unit_rows(100, DIM, 3))  # a first chunk does not switch it back
    assert index.kind == "hnsw"
