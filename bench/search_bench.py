"""Search benchmark: build time, memory, warm query latency and HNSW recall on synthetic corpora.

Each corpus size runs in a fresh child process, so peak memory (``ru_maxrss``) belongs to that
size alone. Texts are synthetic but varied (``bench.search_corpus``); vectors are synthetic
clustered 384-d unit vectors, because embedding 1M passages with the real model would take
about seven hours here. Queries use precomputed vectors, so the dense and hybrid latencies
exclude query encoding; the real encoder is timed separately (passages/s and single queries).
``hybrid+rerank`` is hybrid with the shipped reranker's weights (``index.rerank``; the synthetic
engine has no concept list, so those features read 0): what the learned reordering of the
candidate pool adds to a query.

Run: ``python -m bench.search_bench --sizes 10000 100000`` (add ``1000000`` for the 1M run).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np

from bench import search_corpus as corpus
from index.dense import DenseIndex, HnswStorage
from index.engine import ANN_THRESHOLD, SearchEngine
from index.memory import release_free_memory
from index.records import SearchFilters
from index.rerank import load_reranker
from index.sparse import SparseIndex
from index.text import tokenize

WARM_UP = 20
FILTERS = (
    SearchFilters(standards=("S16",)),
    SearchFilters(boards=(corpus.BOARDS[0],)),
    SearchFilters(review_types=("CPR",), year_from=2020),
    SearchFilters(agencies=("Police",), section_kinds=("analysis",)),
)


class LookupEncoder:
    """Answers each benchmark query with its precomputed synthetic vector (a query the thesaurus
    widened, ``"text (expansions)"``, with the vector of its own text)."""

    def __init__(self, vectors: dict[str, np.ndarray], dimension: int) -> None:
        self.vectors = vectors
        self.dimension = dimension
        self.model_id = "synthetic"

    def encode(self, texts: list[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        return np.vstack([self.vectors[t] if t in self.vectors else self.vectors[t.split(" (")[0]] for t in texts])


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Resident memory now, in MiB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / (1024 * 1024)


def percentiles(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 of timings, in milliseconds."""
    ms = np.asarray(seconds) * 1000
    return {f"p{p}": round(float(np.percentile(ms, p)), 2) for p in (50, 95, 99)}


def timed(calls: Sequence[Callable[[], object]]) -> dict[str, Any]:
    """Warm up, then time each call once: wall-clock percentiles, plus CPU-time percentiles
    under ``cpu`` (on a shared machine the wall clock also counts time spent descheduled)."""
    for call in calls[:WARM_UP]:
        call()
    durations, cpu = [], []
    for call in calls:
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        durations.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {**percentiles(durations), "cpu": percentiles(cpu)}


def exact_top(vectors: corpus.ClusteredVectors, size: int, queries: np.ndarray, k: int) -> np.ndarray:
    """Exact top-k ids (row + 1) per query, by brute force over regenerated chunks."""
    best_ids = np.zeros((len(queries), 0), dtype=np.int64)
    best_scores = np.zeros((len(queries), 0), dtype=np.float32)
    for start, block in vectors.chunks(size):
        scores = np.hstack([best_scores, queries @ block.T])
        block_ids = np.arange(start, start + len(block)) + 1
        ids = np.hstack([best_ids, np.broadcast_to(block_ids, (len(queries), len(block)))])
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        best_scores, best_ids = np.take_along_axis(scores, top, 1), np.take_along_axis(ids, top, 1)
    return best_ids


def recall_at_10(index: DenseIndex, truth: np.ndarray, queries: np.ndarray) -> tuple[float, dict[str, float]]:
    """Mean recall@10 of ``index`` against exact ids, and its raw search latency."""
    hits, durations = [], []
    for query, exact in zip(queries, truth, strict=True):
        start = time.perf_counter()
        found, _ = index.search(query, 10)
        durations.append(time.perf_counter() - start)
        hits.append(len(set(found.tolist()) & set(exact.tolist())) / 10)
    return round(float(np.mean(hits)), 4), percentiles(durations)


def sparse_filter_methods(sparse: SparseIndex, engine: SearchEngine, query_texts: list[str]) -> dict[str, float]:
    """p50 ms of a filtered BM25 top-30: mask over all scores (ours) vs bm25s ``weight_mask``."""
    allowed = engine.allowed_ids(FILTERS[0])
    assert allowed is not None
    mask = np.isin(sparse.ids(), allowed).astype(np.float32)
    retriever = sparse._retriever  # the bm25s object, for the comparison only
    ours = timed([partial(sparse.search, q, 30, allowed) for q in query_texts])
    theirs = timed(
        [partial(retriever.retrieve, [tokenize(q)], k=30, weight_mask=mask, show_progress=False)
         for q in query_texts]
    )
    return {"mask_p50": ours["p50"], "weight_mask_p50": theirs["p50"]}


def measure_size(
    size: int, query_count: int, ann_threshold: int, hnsw_recall: bool, hnsw_storage: HnswStorage
) -> dict[str, Any]:
    """Everything for one corpus size (run in a fresh process)."""
    out: dict[str, Any] = {"size": size, "rss_stages_mb": {}, "load_at_start": round(os.getloadavg()[0], 1)}
    start = time.perf_counter()
    texts = corpus.texts(size)
    records = corpus.records(texts)
    out["corpus_s"] = round(time.perf_counter() - start, 1)
    release_free_memory()  # the generator's garbage is not part of what is measured
    out["rss_stages_mb"]["texts+records"] = round(current_rss_mb())
    vectors = corpus.ClusteredVectors()
    query_texts = corpus.queries(query_count)
    query_vectors = vectors.queries(query_count)
    # exact ground truth first, while little is resident, so its scratch memory is not counted
    truth = exact_top(vectors, size, query_vectors, 10)
    release_free_memory()
    ids = np.fromiter((r.passage_id for r in records), dtype=np.int64, count=size)

    start, cpu = time.perf_counter(), time.process_time()
    sparse = SparseIndex()
    sparse.build(ids, texts)
    out["bm25_build_s"] = round(time.perf_counter() - start, 1)
    out["bm25_build_cpu_s"] = round(time.process_time() - cpu, 1)
    out["rss_stages_mb"]["+bm25"] = round(current_rss_mb())
    del texts

    start, cpu = time.perf_counter(), time.process_time()
    dense = DenseIndex(
        vectors.dimension, ann_threshold=ann_threshold, hnsw_storage=hnsw_storage, size_hint=size
    )
    for first, block in vectors.chunks(size):
        dense.add(ids[first : first + len(block)], block)
    out["dense_build_s"] = round(time.perf_counter() - start, 1)
    out["dense_build_cpu_s"] = round(time.process_time() - cpu, 1)
    out["dense_kind"] = dense.description
    out["rss_stages_mb"]["+dense"] = round(current_rss_mb())

    encoder = LookupEncoder(dict(zip(query_texts, query_vectors, strict=True)), vectors.dimension)
    start = time.perf_counter()
    reranker = replace(load_reranker(), encoder=encoder.model_id, concepts=False)
    engine = SearchEngine(records, dense, sparse, encoder, reranker=reranker)
    out["engine_s"] = round(time.perf_counter() - start, 1)
    out["rss_mb"] = round(current_rss_mb())

    for mode in ("bm25", "dense", "hybrid"):
        out[mode] = timed([partial(engine.search, q, k=10, mode=mode, rerank=False) for q in query_texts])
    out["hybrid+rerank"] = timed([partial(engine.search, q, k=10) for q in query_texts])
    out["hybrid_filtered"] = timed(
        [partial(engine.search, q, k=10, filters=FILTERS[i % len(FILTERS)], rerank=False)
         for i, q in enumerate(query_texts)]
    )
    out["sparse_filter"] = sparse_filter_methods(sparse, engine, query_texts[:100])
    out["peak_mb"] = round(peak_rss_mb())  # builds and all queries; not the recall-only HNSW below

    if dense.kind == "hnsw":
        out["recall"], out["hnsw_search"] = recall_at_10(dense, truth, query_vectors)
    elif hnsw_recall:
        del engine
        start = time.perf_counter()
        ann = DenseIndex(vectors.dimension, kind="hnsw", hnsw_storage=hnsw_storage)
        for first, block in vectors.chunks(size):
            ann.add(ids[first : first + len(block)], block)
        out["hnsw_build_s"] = round(time.perf_counter() - start, 1)
        out["recall"], out["hnsw_search"] = recall_at_10(ann, truth, query_vectors)
    out["flat_recall_check"] = recall_at_10(dense, truth, query_vectors)[0] if dense.kind == "flat" else None
    out["load_at_end"] = round(os.getloadavg()[0], 1)
    return out


def measure_encoder(passages: int = 200, single: int = 50) -> dict[str, Any]:
    """The real model: load time, passages/s (batch 32) and single-query latency, with torch's
    default threads and with one thread."""
    import torch

    from index.encoder import SentenceTransformerEncoder

    start = time.perf_counter()
    model = SentenceTransformerEncoder()
    out: dict[str, Any] = {"load_s": round(time.perf_counter() - start, 1), "threads": {}}
    texts = corpus.texts(passages, seed=21, mean_words=110)
    query_texts = corpus.queries(single + WARM_UP, seed=4)
    for threads in (torch.get_num_threads(), 1):
        torch.set_num_threads(threads)
        model.encode(texts[:32])
        start = time.perf_counter()
        model.encode(texts, batch_size=32)
        rate = passages / (time.perf_counter() - start)
        out["threads"][threads] = {
            "passages_per_s": round(rate, 1),
            "query": timed([partial(model.encode, [q]) for q in query_texts]),
        }
    out["load_average"] = round(os.getloadavg()[0], 1)
    return out


def _child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.search_bench", *args], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _row(result: dict[str, Any]) -> str:
    def lat(name: str) -> str:
        return "/".join(f"{result[name][p]:g}" for p in ("p50", "p95", "p99"))

    recall = result.get("recall")
    return (
        f"| {result['size']:>9,} | {result['dense_kind']:<4} | {result['bm25_build_s']:>6} | "
        f"{result['dense_build_s']:>6} | {result['engine_s']:>5} | {result['rss_mb']:>6} | {result['peak_mb']:>6} | "
        f"{lat('bm25'):>17} | {lat('dense'):>17} | {lat('hybrid'):>17} | {result['hybrid_filtered']['p95']:>7} | "
        f"{'-' if recall is None else recall:>6} | {result['sparse_filter']['mask_p50']:>5} / "
        f"{result['sparse_filter']['weight_mask_p50']:<5} |"
    )


HEADER = (
    "|      size | kind | bm25 s | dense s | cols s | RSS MB | peak MB | bm25 ms p50/95/99 | "
    "dense ms p50/95/99 | hybrid ms p50/95/99 | hyb+flt p95 | R@10 | bm25 filter p50 mask / weight_mask |"
)


def run(
    sizes: Sequence[int] = (10_000, 100_000, 1_000_000),
    queries: int = 200,
    *,
    ann_threshold: int = ANN_THRESHOLD,
    hnsw_recall: bool = True,
    hnsw_storage: HnswStorage = "fp16",
    encoder: bool = True,
) -> dict[str, Any]:
    """Benchmark each size in its own process, then the real encoder; print a table."""
    results = []
    print(HEADER, flush=True)
    for size in sizes:
        flags = ["--child", str(size), "--queries", str(queries), "--ann-threshold", str(ann_threshold),
                 "--hnsw-storage", hnsw_storage]
        result = _child(flags + ([] if hnsw_recall else ["--no-hnsw-recall"]))
        results.append(result)
        print(_row(result), flush=True)
        print(f"|           | RSS by stage (MiB): {result['rss_stages_mb']}; build CPU s: bm25 "
              f"{result['bm25_build_cpu_s']}, dense {result['dense_build_cpu_s']}; load average "
              f"{result['load_at_start']} -> {result['load_at_end']}", flush=True)
        cpu = " | ".join(
            f"{mode} {result[mode]['cpu']['p50']}/{result[mode]['cpu']['p95']}"
            for mode in ("bm25", "dense", "hybrid", "hybrid+rerank")
        )
        print(f"|           | CPU ms per query p50/p95: {cpu}", flush=True)
        rerank = result["hybrid+rerank"]
        print(f"|           | hybrid+rerank ms p50/95/99: {rerank['p50']}/{rerank['p95']}/{rerank['p99']}", flush=True)
        if "hnsw_build_s" in result:
            print(f"|           | (HNSW built only for recall: {result['hnsw_build_s']} s, "
                  f"search p50/p95 {result['hnsw_search']['p50']}/{result['hnsw_search']['p95']} ms)", flush=True)
    report: dict[str, Any] = {"sizes": results}
    if encoder:
        report["encoder"] = _child(["--child-encoder"])
        enc = report["encoder"]
        print(f"\nreal encoder (all-MiniLM-L6-v2, CPU): load {enc['load_s']} s; load average {enc['load_average']}")
        for threads, figures in enc["threads"].items():
            query = figures["query"]
            print(
                f"  torch threads {threads}: {figures['passages_per_s']} passages/s (batch 32, ~110-word "
                f"synthetic passages); single query p50/p95/p99 {query['p50']}/{query['p95']}/{query['p99']} ms",
                flush=True,
            )
    return report


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ann-threshold", type=int, default=ANN_THRESHOLD)
    parser.add_argument("--no-hnsw-recall", action="store_true", help="skip the extra HNSW at exact sizes")
    parser.add_argument("--hnsw-storage", choices=["float32", "fp16"], default="fp16")
    parser.add_argument("--no-encoder", action="store_true", help="skip timing the real model")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-encoder", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        recall = not args.no_hnsw_recall
        print(json.dumps(measure_size(args.child, args.queries, args.ann_threshold, recall, args.hnsw_storage)))
        return
    if args.child_encoder:
        print(json.dumps(measure_encoder()))
        return
    report = run(
        args.sizes, args.queries, ann_threshold=args.ann_threshold,
        hnsw_recall=not args.no_hnsw_recall, hnsw_storage=args.hnsw_storage, encoder=not args.no_encoder,
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
