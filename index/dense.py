"""The dense (vector) index: FAISS with stable int64 passage ids.

Exact search (``IndexIDMap2`` over ``IndexFlatIP``) is the default; above ``ann_threshold``
vectors, or when ``kind="hnsw"``, the index is HNSW (inner product) inside the same id map.
HNSW stores vectors as float16 by default (``IndexHNSWSQ`` with ``QT_fp16``,
``hnsw_storage="fp16"``) or as float32 (``IndexHNSWFlat``, ``hnsw_storage="float32"``).
Float16 halves the largest block of memory (1.5 GB -> 0.77 GB at 1M x 384) for a cosine error
around 1e-3; at 1M synthetic passages the whole benchmark process peaked at 2.4 GB with it and
held 3.1 GB with float32, at the same recall@10 (``bench/search_bench.py``). HNSW defaults:
M=32, efConstruction=64, efSearch=128 (recall@10 0.95 against exact search at 1M clustered
vectors, 0.4 ms per query; 96 gave 0.94, 256 gave 0.96). Vectors must be L2-normalised, so inner
product is cosine similarity.

Filtered search passes an ``IDSelector`` through FAISS ``SearchParameters``, so a filter never
needs a post-filter that could starve the result list. HNSW may still stop short under a very
selective filter; then (and whenever the allowed set is small) the allowed vectors are scored
exactly, so a filtered query returns ``k`` results whenever ``k`` allowed vectors exist.

HNSW cannot remove vectors: :meth:`DenseIndex.remove` rebuilds it, chunk by chunk, from the
vectors the index itself holds (``reconstruct``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np

from index.atomic import atomic_path
from index.errors import IndexMissingError
from index.filters import find_sorted, sorted_unique
from index.memory import release_free_memory

DenseKind = Literal["auto", "flat", "hnsw"]
HnswStorage = Literal["float32", "fp16"]
DENSE_FILE = "dense.faiss"
BITMAP_MAX_ID = 200_000_000  # above this an id bitmap would be too big; use a hash set instead
EXACT_FILTER_LIMIT = 20_000  # HNSW: allowed sets this small are scanned exactly
EF_FILTER_MAX = 1024  # HNSW: a filter needing a wider search than this is scanned exactly
REBUILD_CHUNK = 50_000
# One query is searched on one thread: waking an OpenMP team costs more than it saves for a
# single vector, and on a busy 2-core machine a descheduled team member stalls the query
# (measured: flat 10k p50 56 ms with 2 threads under load, 0.4 ms with 1).
SEARCH_THREADS = 1


def _faiss() -> Any:
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - faiss-cpu is a core dependency
        raise ImportError("faiss is needed for dense search: pip install faiss-cpu") from exc
    return faiss


def _as_ids(ids: np.ndarray | list[int]) -> np.ndarray:
    array = np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))
    if array.size and int(array.min()) < 0:
        raise ValueError("passage ids must be non-negative")
    return array


class DenseIndex:
    """A FAISS inner-product index keyed by passage id."""

    def __init__(
        self,
        dimension: int,
        *,
        kind: DenseKind = "auto",
        ann_threshold: int = 200_000,
        hnsw_storage: HnswStorage = "fp16",
        hnsw_m: int = 32,
        ef_construction: int = 64,
        ef_search: int = 128,
        size_hint: int = 0,
    ) -> None:
        """``size_hint``: how many vectors are about to be added, so that the structure (flat or
        HNSW) is chosen once up front instead of switching midway through chunked adds."""
        if kind not in ("auto", "flat", "hnsw"):
            raise ValueError(f"unknown dense index kind {kind!r}; valid: auto, flat, hnsw")
        if hnsw_storage not in ("float32", "fp16"):
            raise ValueError(f"unknown HNSW storage {hnsw_storage!r}; valid: float32, fp16")
        self.dimension = dimension
        self.requested_kind: DenseKind = kind
        self.ann_threshold = ann_threshold
        self.hnsw_storage: HnswStorage = hnsw_storage
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self._size_hint = size_hint
        self._index = self._new_index(self._wanted_kind(size_hint))
        self._reserve(self._index, size_hint)
        self._lookup_cache: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    # ----------------------------------------------------------------- structure
    def _new_index(self, kind: Literal["flat", "hnsw"]) -> Any:
        faiss = _faiss()
        if kind == "hnsw":
            if self.hnsw_storage == "fp16":
                quantizer = faiss.ScalarQuantizer.QT_fp16
                inner = faiss.IndexHNSWSQ(self.dimension, quantizer, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            else:
                inner = faiss.IndexHNSWFlat(self.dimension, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = self.ef_construction
            inner.hnsw.efSearch = self.ef_search
        else:
            inner = faiss.IndexFlatIP(self.dimension)
        return faiss.IndexIDMap2(inner)  # the Python wrapper keeps ``inner`` alive

    @staticmethod
    def _reserve(index: Any, count: int) -> None:
        """Allocate the vector storage for ``count`` vectors once, before chunked adds.

        FAISS appends to a growing buffer, and each doubling briefly holds the old and the new
        copy (about +400 MB at 1M fp16 vectors). Resizing the empty buffer up and back down keeps
        its capacity, so the adds that follow never reallocate it.
        """
        faiss = _faiss()
        inner = faiss.downcast_index(index.index)
        storage = faiss.downcast_index(inner.storage) if hasattr(inner, "storage") else inner
        codes = getattr(storage, "codes", None)
        if count <= 0 or storage.ntotal or codes is None or not hasattr(codes, "resize"):
            return
        codes.resize(count * int(storage.code_size))
        codes.resize(0)

    def _inner(self) -> Any:
        return _faiss().downcast_index(self._index.index)

    @property
    def kind(self) -> Literal["flat", "hnsw"]:
        """The structure in use now: ``flat`` (exact) or ``hnsw`` (approximate)."""
        return "hnsw" if "HNSW" in type(self._inner()).__name__ else "flat"

    @property
    def description(self) -> str:
        """``flat``, ``hnsw`` or ``hnsw-fp16``: what the manifest records as the index kind."""
        inner = self._inner()
        return "hnsw-fp16" if "HNSWSQ" in type(inner).__name__ else self.kind

    def _wanted_kind(self, size: int) -> Literal["flat", "hnsw"]:
        if self.requested_kind == "auto":
            return "hnsw" if size > self.ann_threshold else "flat"
        return self.requested_kind

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """All passage ids, in FAISS position order."""
        return _faiss().vector_to_array(self._index.id_map).astype(np.int64, copy=False)

    def _lookup(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sorted ids, each one's position inside the FAISS index, and the ids by position."""
        if self._lookup_cache is None:
            ids = self.ids()
            order = np.argsort(ids, kind="stable")
            self._lookup_cache = (ids[order], order, ids)
        return self._lookup_cache

    def _positions(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, positions of the found ids) for ``ids``."""
        known, order, _ids = self._lookup()
        return find_sorted(known, order, ids)

    def contains(self, ids: np.ndarray | list[int]) -> np.ndarray:
        """Boolean array: which of ``ids`` are in the index."""
        return self._positions(_as_ids(ids))[0]

    def _float32_view(self) -> np.ndarray | None:
        """A zero-copy (ntotal, dimension) view of float32 storage (``None`` for fp16).

        Valid only until the index next changes.
        """
        faiss = _faiss()
        inner = self._inner()
        flat = faiss.downcast_index(inner.storage) if hasattr(inner, "storage") else inner
        if not hasattr(flat, "get_xb"):
            return None
        count = int(flat.ntotal)
        if not count:
            return np.zeros((0, self.dimension), dtype=np.float32)
        view: np.ndarray = faiss.rev_swig_ptr(flat.get_xb(), count * self.dimension)
        return view.reshape(count, self.dimension)

    def _vectors_at(self, positions: np.ndarray) -> np.ndarray:
        """Stored vectors (float32 copies) at FAISS positions."""
        view = self._float32_view()
        if view is not None:
            return view[positions]
        if not positions.size:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors: np.ndarray = self._inner().reconstruct_batch(np.ascontiguousarray(positions, dtype=np.int64))
        return vectors

    def _stored_chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(ids, vectors) of everything stored, in position order, a chunk at a time."""
        ids = self.ids()
        for start in range(0, ids.size, REBUILD_CHUNK):
            positions = np.arange(start, min(start + REBUILD_CHUNK, ids.size), dtype=np.int64)
            yield ids[positions], self._vectors_at(positions)

    def _rebuild(self, drop: np.ndarray, extra_ids: np.ndarray, extra_vectors: np.ndarray) -> None:
        """Replace the index by one holding the kept vectors plus the extra ones."""
        size = len(self) - drop.size + extra_ids.size
        index = self._new_index(self._wanted_kind(max(size, self._size_hint)))
        self._reserve(index, size)
        for ids, vectors in self._stored_chunks():
            keep = ~np.isin(ids, drop)
            if keep.any():
                index.add_with_ids(np.ascontiguousarray(vectors[keep]), ids[keep])
        if extra_ids.size:
            index.add_with_ids(extra_vectors, extra_ids)
        self._index = index
        self._lookup_cache = None
        release_free_memory()

    # ----------------------------------------------------------------- changes
    def add(self, ids: np.ndarray | list[int], vectors: np.ndarray) -> None:
        """Add vectors under passage ids (ids must be new; vectors L2-normalised rows)."""
        new_ids = _as_ids(ids)
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] != self.dimension:
            raise ValueError(f"vectors must have shape (n, {self.dimension}), got {matrix.shape}")
        if matrix.shape[0] != new_ids.size:
            raise ValueError(f"{new_ids.size} ids but {matrix.shape[0]} vectors")
        if np.unique(new_ids).size != new_ids.size or self.contains(new_ids).any():
            raise ValueError("passage ids added to the dense index must be unique and new")
        if not new_ids.size:
            return
        if self._wanted_kind(max(len(self) + new_ids.size, self._size_hint)) != self.kind:
            self._rebuild(np.zeros(0, dtype=np.int64), new_ids, matrix)
        else:
            self._index.add_with_ids(matrix, new_ids)
            self._lookup_cache = None
        if len(self) >= self._size_hint:
            self._size_hint = 0  # the announced vectors have arrived

    def remove(self, ids: np.ndarray | list[int]) -> int:
        """Remove passage ids (unknown ids are ignored); returns how many were removed."""
        gone = _as_ids(ids)
        gone = np.unique(gone[self.contains(gone)])
        if not gone.size:
            return 0
        if self.kind == "flat" and self._wanted_kind(len(self) - gone.size) == "flat":
            removed = int(self._index.remove_ids(_faiss().IDSelectorBatch(gone)))
            self._lookup_cache = None
            return removed
        self._rebuild(gone, np.zeros(0, dtype=np.int64), np.zeros((0, self.dimension), dtype=np.float32))
        return int(gone.size)

    def reconstruct(self, ids: np.ndarray | list[int]) -> np.ndarray:
        """The stored vectors of ``ids`` (all must be present), shape (len(ids), dimension)."""
        wanted = _as_ids(ids)
        found, positions = self._positions(wanted)
        if not found.all():
            missing = wanted[~found][:5].tolist()
            raise KeyError(f"passage ids not in the dense index: {missing}")
        return self._vectors_at(positions)

    # ----------------------------------------------------------------- search
    @staticmethod
    def _bitmap_selector(members: np.ndarray) -> tuple[Any, Any]:
        """An IDSelector over non-negative integers, plus the buffer it reads (keep both alive)."""
        faiss = _faiss()
        top = int(members.max()) if members.size else 0
        if top < BITMAP_MAX_ID:
            mask = np.zeros(top + 1, dtype=bool)
            mask[members] = True
            bitmap = np.packbits(mask, bitorder="little")
            return faiss.IDSelectorBitmap(bitmap), bitmap
        return faiss.IDSelectorBatch(members), members

    @staticmethod
    def _search_one(index: Any, query: np.ndarray, k: int, params: Any) -> tuple[np.ndarray, np.ndarray]:
        """Search one query on one thread; (labels, scores) of the valid results."""
        faiss = _faiss()
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(SEARCH_THREADS)  # affects this thread only (OpenMP ICV)
        try:
            scores, labels = index.search(query, k, params=params)
        finally:
            faiss.omp_set_num_threads(threads)
        valid = labels[0] >= 0
        return labels[0][valid].astype(np.int64), scores[0][valid]

    def _exact(self, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact scan of the stored vectors (float32 or fp16), restricted to ``allowed`` ids.

        The scan runs in FAISS over the storage in place, selecting by position: no copies.
        """
        faiss = _faiss()
        _found, positions = self._positions(allowed)
        inner = self._inner()
        storage = faiss.downcast_index(inner.storage) if hasattr(inner, "storage") else inner
        selector, _buffer = self._bitmap_selector(positions)
        labels, scores = self._search_one(
            storage, query, min(k, positions.size), faiss.SearchParameters(sel=selector)
        )
        return self._lookup()[2][labels], scores

    def search(
        self, vector: np.ndarray, k: int, allowed_ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest passage ids and their cosine scores, best first.

        With ``allowed_ids``, only those ids are candidates, and ``min(k, allowed present)``
        results come back. HNSW under a filter widens ``efSearch`` by the inverse of the
        filter's selectivity; when that would pass ``EF_FILTER_MAX`` (or the allowed set is at
        most ``EXACT_FILTER_LIMIT``, or HNSW still comes back short) the allowed vectors are
        scanned exactly instead.
        """
        query = np.ascontiguousarray(np.asarray(vector, dtype=np.float32).reshape(1, -1))
        if query.shape[1] != self.dimension:
            raise ValueError(f"query vector has {query.shape[1]} dimensions, index has {self.dimension}")
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        if k <= 0 or len(self) == 0:
            return empty
        faiss = _faiss()
        hnsw = self.kind == "hnsw"
        if allowed_ids is None:
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k)) if hnsw else None
            labels, scores = self._search_one(self._index, query, min(k, len(self)), params)
            return labels, scores
        allowed = sorted_unique(_as_ids(allowed_ids))
        allowed = allowed[self.contains(allowed)]
        if not allowed.size:
            return empty
        selector, _buffer = self._bitmap_selector(allowed)
        if not hnsw:
            return self._search_one(self._index, query, min(k, allowed.size), faiss.SearchParameters(sel=selector))
        ef = int(np.ceil(max(self.ef_search, k) * len(self) / allowed.size))
        if allowed.size <= EXACT_FILTER_LIMIT or ef > EF_FILTER_MAX:
            return self._exact(query, k, allowed)
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=ef)
        labels, scores = self._search_one(self._index, query, min(k, allowed.size), params)
        if labels.size < min(k, allowed.size):
            return self._exact(query, k, allowed)
        return labels, scores

    # ----------------------------------------------------------------- files
    def save(self, directory: Path | str) -> Path:
        """Write the index to ``directory/dense.faiss`` atomically; returns the file path."""
        target = Path(directory) / DENSE_FILE
        with atomic_path(target) as tmp:
            _faiss().write_index(self._index, str(tmp))
        return target

    @classmethod
    def load(cls, directory: Path | str, *, ann_threshold: int = 200_000) -> DenseIndex:
        """Read ``directory/dense.faiss`` (flat or HNSW, and the HNSW storage, come from the file)."""
        path = Path(directory) / DENSE_FILE
        if not path.is_file():
            raise IndexMissingError(f"no dense index at {path}; run `gwersi index build`")
        faiss = _faiss()
        index = faiss.read_index(str(path))
        inner = faiss.downcast_index(index.index)
        self = cls(int(index.d), kind="auto", ann_threshold=ann_threshold)
        if "HNSW" in type(inner).__name__:
            self.hnsw_storage = "fp16" if "HNSWSQ" in type(inner).__name__ else "float32"
            self.hnsw_m = int(inner.hnsw.nb_neighbors(1))
            self.ef_construction = int(inner.hnsw.efConstruction)
            self.ef_search = int(inner.hnsw.efSearch)
            if int(index.ntotal) <= ann_threshold:
                self.requested_kind = "hnsw"  # it was forced when saved; keep it
        self._index = index
        return self
