"""The sparse (BM25) index: bm25s over PyStemmer-stemmed, stopword-free tokens (``index.text``).

The index is a ``bm25s.BM25`` object (Lucene BM25, k1=1.5, b=0.75) holding bm25s's eager score
matrix: every (term, document) weight precomputed into a CSC matrix, saved and loaded with
bm25s's own format. :func:`lucene_matrix` computes that matrix with vectorised numpy (the same
numbers as ``BM25.index``, checked by a test) because bm25s's builder walks Python lists of
tokens: minutes and over a gigabyte of transient memory at 1M passages.

A query adds up the rows of its terms; here that sum is one ``np.bincount`` over the query
terms' postings, which scores every document, and a filter is a mask over those scores. That
is much faster than bm25s's ``retrieve(..., weight_mask=...)`` (which sums with ``np.add.at``
and then multiplies by the mask): a filtered top-30 took 0.3 ms against 21 ms at 100k passages
and 5.6 ms against 162 ms at 1M in ``bench/search_bench.py``. It also never returns masked-out
or non-matching documents: a filtered query returns ``k`` results whenever ``k`` allowed
documents match a query term.

bm25s has no incremental add: a changed corpus is re-indexed from its texts with :meth:`build`
(about 6 s per 100k passages of ~60 words here). Saving writes the bm25s folder plus the passage
ids, swapped in as a whole.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.atomic import atomic_directory
from index.errors import IndexMissingError
from index.filters import find_sorted, sorted_unique
from index.memory import release_free_memory
from index.text import query_terms, tokenize

SPARSE_DIR = "bm25"
IDS_FILE = "passage_ids.npy"
PARAMS_FILE = "gwersi_sparse.json"


def _bm25s() -> Any:
    try:
        import bm25s
    except ImportError as exc:  # pragma: no cover - bm25s is a core dependency
        raise ImportError("bm25s is needed for keyword search: pip install bm25s") from exc
    return bm25s


def _count_terms(
    texts: Sequence[str], start: int, vocab: dict[str, int], lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document, term, term frequency) of each distinct pair in a chunk, in document order."""
    token_ids = array("i")
    for row, text in enumerate(texts, start=start):
        tokens = tokenize(text)  # one text at a time: no chunk-sized lists of token strings
        token_ids.extend([vocab.setdefault(token, len(vocab)) for token in tokens])
        lengths[row] = len(tokens)
    terms = np.frombuffer(token_ids, dtype=np.int32).astype(np.int64)
    docs = np.repeat(np.arange(start, start + len(texts), dtype=np.int64), lengths[start : start + len(texts)])
    pairs, tf = np.unique(((docs - start) << 32) | terms, return_counts=True)
    # compact: chunk-relative document (chunk <= 65536), term id, frequency capped at 65535
    rows = (pairs >> 32).astype(np.uint16)
    return rows, (pairs & 0xFFFFFFFF).astype(np.int32), np.minimum(tf, 65535).astype(np.uint16)


def lucene_matrix(
    texts: Sequence[str], *, k1: float, b: float, chunk: int = 50_000
) -> tuple[dict[str, Any], dict[str, int]]:
    """bm25s's eager score matrix (Lucene BM25) and vocabulary, computed with vectorised numpy.

    Same numbers as ``bm25s.BM25(method="lucene").index(tokens)``, but built a chunk of
    documents at a time and never holding the corpus as Python lists of tokens: at 1M passages
    bm25s's own ``index`` takes minutes and gigabytes of transient memory. The first pass counts
    (document, term) pairs; the second weighs each chunk and scatters it into the term-major
    (CSC) arrays, documents ascending within each term. Returns (``scores``, ``vocab_dict``).
    """
    count = len(texts)
    vocab: dict[str, int] = {}
    lengths = np.zeros(count, dtype=np.int64)
    if not 0 < chunk <= 65536:
        raise ValueError("chunk must be between 1 and 65536 documents")
    parts = [_count_terms(texts[i : i + chunk], i, vocab, lengths) for i in range(0, count, chunk)]
    df = np.zeros(len(vocab), dtype=np.int64)
    for _docs, terms, _tf in parts:
        df += np.bincount(terms, minlength=len(vocab))
    idf = np.log1p((count - df + 0.5) / (df + 0.5)).astype(np.float32)
    average = float(lengths.mean()) if count else 1.0
    indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    data = np.empty(int(indptr[-1]), dtype=np.float32)
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    cursor = indptr[:-1].copy()
    for start in range(0, count, chunk):
        rows, terms, counts16 = parts.pop(0)
        docs = rows.astype(np.int32) + start
        tf = counts16.astype(np.float32)
        norm = (k1 * ((1 - b) + b * lengths[docs] / average)).astype(np.float32)
        weights = idf[terms] * (tf / (norm + tf))
        order = np.argsort(terms, kind="stable")
        sorted_terms = terms[order]
        unique, first, counts = np.unique(sorted_terms, return_index=True, return_counts=True)
        destination = cursor[sorted_terms] + (np.arange(sorted_terms.size) - np.repeat(first, counts))
        data[destination] = weights[order]
        indices[destination] = docs[order]
        cursor[unique] += counts
    return {"data": data, "indices": indices, "indptr": indptr, "num_docs": count}, vocab


class SparseIndex:
    """BM25 over passages keyed by passage id."""

    def __init__(self, *, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._retriever: Any = None
        self._ids = np.zeros(0, dtype=np.int64)
        self._lookup = (self._ids, self._ids)

    def __len__(self) -> int:
        return int(self._ids.size)

    def ids(self) -> np.ndarray:
        """Passage ids in document order."""
        return self._ids

    def _set_ids(self, ids: np.ndarray) -> None:
        self._ids = ids
        order = np.argsort(ids, kind="stable")
        self._lookup = (ids[order], order)

    def build(self, ids: Sequence[int] | np.ndarray, texts: Sequence[str]) -> None:
        """(Re)index the whole corpus: ``ids[i]`` is the passage id of ``texts[i]``."""
        id_array = np.asarray(ids, dtype=np.int64).reshape(-1)
        if id_array.size != len(texts):
            raise ValueError(f"{id_array.size} ids but {len(texts)} texts")
        if np.unique(id_array).size != id_array.size:
            raise ValueError("passage ids in the sparse index must be unique")
        if not len(texts):
            self._retriever = None
            self._set_ids(id_array)
            return
        retriever = _bm25s().BM25(k1=self.k1, b=self.b, method="lucene")
        retriever.scores, retriever.vocab_dict = lucene_matrix(texts, k1=self.k1, b=self.b)
        retriever.vocab_dict[""] = len(retriever.vocab_dict)  # bm25s's placeholder token, as index() adds
        retriever.nonoccurrence_array = None
        retriever.unique_token_ids_set = set(retriever.vocab_dict.values())
        self._retriever = retriever
        self._set_ids(id_array)
        release_free_memory()

    def _find(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which of ``ids`` are indexed, the document positions of those that are)."""
        return find_sorted(*self._lookup, ids)

    def scores(self, query: str, extra: str = "", extra_weight: float = 0.0) -> np.ndarray:
        """BM25 score of every document (document order) for ``query``; zeros if nothing matches.

        ``extra`` (e.g. a query's thesaurus expansions) adds its terms that are not already
        query terms, each weighted ``extra_weight``.
        """
        count = len(self)
        if self._retriever is None:
            return np.zeros(count, dtype=np.float32)
        vocab = self._retriever.vocab_dict
        own = query_terms(query)
        weighted = [(vocab[t], 1.0) for t in own if t in vocab]
        if extra and extra_weight > 0:
            seen = set(own)
            weighted += [(vocab[t], extra_weight) for t in query_terms(extra) if t in vocab and t not in seen]
        if not weighted:
            return np.zeros(count, dtype=np.float32)
        matrix = self._retriever.scores
        indptr, indices, data = matrix["indptr"], matrix["indices"], matrix["data"]
        spans = [(int(indptr[t]), int(indptr[t + 1]), w) for t, w in weighted]
        if len(spans) == 1 and spans[0][2] == 1.0:
            docs, weights = indices[spans[0][0] : spans[0][1]], data[spans[0][0] : spans[0][1]]
        else:
            docs = np.concatenate([indices[a:b] for a, b, _ in spans])
            weights = np.concatenate([data[a:b] * np.float32(w) if w != 1.0 else data[a:b] for a, b, w in spans])
        return np.bincount(docs, weights=weights, minlength=count).astype(np.float32)

    def scores_of(self, ids: np.ndarray, all_scores: np.ndarray) -> np.ndarray:
        """The entries of ``all_scores`` (:meth:`scores`' output) for the passages ``ids`` (0 for an
        id not indexed), so a reranker reads the scores the search already computed."""
        wanted = np.asarray(ids, dtype=np.int64).reshape(-1)
        out = np.zeros(wanted.size, dtype=np.float32)
        found, positions = self._find(wanted)
        out[found] = all_scores[positions]
        return out

    def search(
        self,
        query: str,
        k: int,
        allowed_ids: np.ndarray | None = None,
        *,
        extra: str = "",
        extra_weight: float = 0.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best-scoring passage ids (score > 0) and their scores, best first.

        With ``allowed_ids`` only those passages are candidates; ties keep document order.
        ``extra`` and ``extra_weight`` are as in :meth:`scores`.
        """
        if k <= 0 or not len(self):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return self.top(self.scores(query, extra, extra_weight), k, allowed_ids)

    def top(
        self, all_scores: np.ndarray, k: int, allowed_ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`search` on scores already computed by :meth:`scores`."""
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        if k <= 0 or not len(self):
            return empty
        if allowed_ids is None:
            candidates = np.flatnonzero(all_scores > 0)
        else:
            allowed = sorted_unique(np.asarray(allowed_ids, dtype=np.int64).reshape(-1))
            positions = self._find(allowed)[1]
            candidates = positions[all_scores[positions] > 0]
        if not candidates.size:
            return empty
        cand_scores = all_scores[candidates]
        if candidates.size > k:
            top = np.argpartition(-cand_scores, k - 1)[:k]
            candidates, cand_scores = candidates[top], cand_scores[top]
        order = np.lexsort((candidates, -cand_scores))
        return self._ids[candidates[order]], cand_scores[order]

    def vocabulary(self) -> list[str]:
        """Stems by term id (the empty string is bm25s's placeholder token)."""
        if self._retriever is None:
            return []
        vocab: dict[str, int] = self._retriever.vocab_dict
        terms = [""] * len(vocab)
        for term, term_id in vocab.items():
            terms[term_id] = term
        return terms

    def grouped_term_weights(self, ids: np.ndarray, groups: np.ndarray, group_count: int) -> Any:
        """Summed BM25 term weights per group: a scipy CSR matrix (group_count x vocabulary).

        ``groups[i]`` (0-based) is the group of passage ``ids[i]``; ids not in the index are skipped.
        """
        from scipy import sparse as sp

        if self._retriever is None:
            return sp.csr_matrix((group_count, 0), dtype=np.float32)
        found, docs = self._find(np.asarray(ids, dtype=np.int64).reshape(-1))
        selector = sp.csr_matrix(
            (np.ones(docs.size, dtype=np.float32), (np.asarray(groups)[found], docs)),
            shape=(group_count, len(self)),
        )
        matrix = self._retriever.scores
        vocab_size = len(matrix["indptr"]) - 1  # bm25s's placeholder "" token has no column
        doc_term = sp.csc_matrix(
            (matrix["data"], matrix["indices"], matrix["indptr"]), shape=(len(self), vocab_size)
        )
        return (selector @ doc_term).tocsr()

    def save(self, directory: Path | str) -> Path:
        """Write the bm25s files and the ids to ``directory/bm25`` (swapped in as a whole)."""
        target = Path(directory) / SPARSE_DIR
        with atomic_directory(target) as tmp:
            np.save(tmp / IDS_FILE, self._ids)
            params = {"k1": self.k1, "b": self.b, "empty": self._retriever is None}
            (tmp / PARAMS_FILE).write_text(json.dumps(params), encoding="utf-8")
            if self._retriever is not None:
                self._retriever.save(str(tmp), show_progress=False)
        return target

    @classmethod
    def load(cls, directory: Path | str) -> SparseIndex:
        """Read an index written by :meth:`save`."""
        folder = Path(directory) / SPARSE_DIR
        if not (folder / IDS_FILE).is_file() or not (folder / PARAMS_FILE).is_file():
            raise IndexMissingError(f"no BM25 index at {folder}; run `gwersi index build`")
        params = json.loads((folder / PARAMS_FILE).read_text(encoding="utf-8"))
        self = cls(k1=float(params["k1"]), b=float(params["b"]))
        if not params["empty"]:
            self._retriever = _bm25s().BM25.load(str(folder), show_progress=False)
        self._set_ids(np.load(folder / IDS_FILE).astype(np.int64))
        return self
