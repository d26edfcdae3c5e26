"""Search-quality evaluation, in-distribution and out-of-distribution, with out-of-fold choices.

Every corpus in :mod:`gwersi.eval_corpora` is indexed with the configured encoder; each query's
BM25, dense and concept candidate lists and its reranking pool (:mod:`index.rerank`) are fetched
once. Hybrid ranking is then replayed: by a reranker fitted on judged pools (``hybrid``, what
search serves), and by reciprocal-rank fusion under every :class:`~index.ranking.RankingPolicy`
of a small grid (RRF k, dense weight, section-prior strength and confidence line; ``hybrid-rrf``).
Both are **out of fold** on a tunable corpus: the queries are split into folds (by query id,
shared across corpora, so a query's re-rendered twin is never in training), and each fold is
ranked by the reranker fitted on, and the policy that scored best on, the other folds. A frozen
corpus (``heldout-test10``, ``heldout-test9``) is ranked by the reranker and policy fitted on all
tunable queries and is never used to choose. ``before`` is the ranking the project served before
confidence gating (k=60, weights 1:2, the section prior on every kind). ``pool-oracle`` is not a
ranking anyone can serve: each query's reranking pool ordered by its own judgments, the ceiling of
any reranker over today's candidates (where it is low, the candidates are what is missing; where
``hybrid`` is far below it, the ordering is).

Judgments name a document (file stem) and quote a sentence from it; each quote is mapped to the
passage that contains it, so the judgments do not depend on how ingest splits passages.
"""

from __future__ import annotations

import itertools
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from gwersi.context import AppContext
from gwersi.eval_corpora import (
    HELDOUT,
    SAMPLE_QUERIES,
    EmbeddingCache,
    Prepared,
    heldout_corpora,
    prepare,
    sample_corpora,
)
from gwersi.reranking import search_reranker
from gwersi.settings import Settings
from index.fusion import rrf
from index.metrics import MetricSummary, evaluate_run
from index.ranking import DEFAULT_POLICY, RankingPolicy, fuse_hybrid
from index.rerank import CandidatePool, LinearReranker, fit_reranker, pool_ids, rerank_order

REPO = Path(__file__).resolve().parent.parent
MODES = ("bm25", "dense", "hybrid")
ROWS = (
    "bm25", "dense", "hybrid", "hybrid-shipped", "hybrid-no-thesaurus", "hybrid-rrf", "rrf-no-prior",
    "rrf-no-concepts", "hybrid-before", "pool-oracle",
)
K = 10
FETCH = 50  # what hybrid search fetches from each retriever for a first page of 10
FOLDS = 5

RRF_KS = (5, 10, 20, 40, 60, 100)
DENSE_WEIGHTS = (0.5, 1.0, 1.5, 2.0, 3.0)
PRIORS = ((0.0, 0.8), (0.5, 0.9), (0.5, 0.5), (1.0, 0.9), (1.0, 0.5))
"""(prior strength, confidence line) pairs tried; strength 0 is "no prior". On a tie the earlier
(more cautious) pair wins."""


def policy_grid() -> list[RankingPolicy]:
    """Every policy the evaluation may choose from."""
    return [
        RankingPolicy(rrf_k=k, bm25_weight=1.0, dense_weight=w, prior_strength=s, min_confidence=c,
                      concept_weight=DEFAULT_POLICY.concept_weight)
        for k, w, (s, c) in itertools.product(RRF_KS, DENSE_WEIGHTS, PRIORS)
    ]


def default_queries_path() -> Path:
    """The packaged query set."""
    return SAMPLE_QUERIES


def _squash(text: str) -> str:
    text = text.replace("\u00ad", "").replace("ﬁ", "fi").replace("ﬂ", "fl")
    return re.sub(r"\s+", " ", text).strip().lower()


def eval_context(ctx: AppContext) -> AppContext:
    """A context on ``DATA_DIR/eval-samples`` with the samples ingested, tagged and indexed (lessons eval)."""
    from gwersi.ingesting import ingest_files
    from gwersi.pipeline import process_new_passages

    settings: Settings = ctx.settings.model_copy(
        update={"data_dir": ctx.settings.data_dir / "eval-samples", "database_url": None}
    )
    ectx = AppContext(settings)
    results = ingest_files(ectx, [REPO / "data" / "samples"])
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise RuntimeError("samples failed to ingest: " + "; ".join(f"{r.path}: {r.error}" for r in failed))
    process_new_passages(ectx)
    return ectx


# ----------------------------------------------------------------- legacy ranking ("before")
_LEGACY_PRIOR = {
    **dict.fromkeys(("practice_learning", "analysis", "good_practice", "recommendations", "conclusions"), 1.0),
    **dict.fromkeys(("circumstances", "timeline", "family_involvement", "equality", "parallel", "other"), 0.8),
}


def legacy_hybrid(
    bm25: Sequence[int], dense: Sequence[int], section_of: Callable[[int], tuple[str, float]]
) -> list[int]:
    """Hybrid as served before confidence gating: RRF k=60, weights 1:2, prior on every kind."""
    fused = rrf([bm25, dense], k=60, weights=(1.0, 2.0))
    weighted = [(pid, score * _LEGACY_PRIOR.get(section_of(pid)[0], 0.5)) for pid, score in fused]
    return [pid for pid, _ in sorted(weighted, key=lambda item: (-item[1], item[0]))]


# ----------------------------------------------------------------- per corpus
class Lists:
    """Each query's BM25, dense and concept candidates on one corpus, the pool a reranker scores,
    and the section lookup."""

    def __init__(self, prepared: Prepared) -> None:
        engine = prepared.engine
        self.prepared = prepared
        self.section_of: Callable[[int], tuple[str, float]] = engine._section_of
        self.by_query: dict[str, tuple[list[int], list[int], list[int]]] = {}
        self.pools: dict[str, CandidatePool] = {}
        self.unexpanded: dict[str, tuple[list[int], list[int], list[int]]] = {}
        """The same lists without the thesaurus (the ``hybrid-no-thesaurus`` row)."""
        self.unexpanded_pools: dict[str, CandidatePool] = {}
        for q in prepared.corpus.queries:
            for expand, lists, pools in (
                (True, self.by_query, self.pools),
                (False, self.unexpanded, self.unexpanded_pools),
            ):
                found, pool = engine.candidates(q["query"], FETCH, expand=expand)
                lists[q["id"]] = found
                if pool is not None:
                    pools[q["id"]] = pool

    def run(
        self, ranker: Callable[[list[int], list[int], list[int]], list[int]], *, expand: bool = True
    ) -> dict[str, list[int]]:
        lists = self.by_query if expand else self.unexpanded
        return {qid: ranker(b, d, c)[:K] for qid, (b, d, c) in lists.items()}

    def hybrid(self, policy: RankingPolicy, *, expand: bool = True) -> dict[str, list[int]]:
        return self.run(
            lambda b, d, c: [pid for pid, _ in fuse_hybrid(b, d, policy, self.section_of, c)], expand=expand
        )

    def reranked(
        self, reranker: Callable[[str], LinearReranker], policy: RankingPolicy, *, expand: bool = True
    ) -> dict[str, list[int]]:
        """Each query's pool ordered by ``reranker(query id)``, deeper candidates in ``policy``'s RRF order."""
        lists, pools = (self.by_query, self.pools) if expand else (self.unexpanded, self.unexpanded_pools)
        runs = {}
        for qid, (b, d, c) in lists.items():
            fused = fuse_hybrid(b, d, policy, self.section_of, c)
            pool = pools.get(qid)
            ranked = rerank_order(pool, reranker(qid).score(pool), fused) if pool is not None else fused
            runs[qid] = [pid for pid, _ in ranked][:K]
        return runs

    def oracle(self, policy: RankingPolicy) -> dict[str, list[int]]:
        """Each query's pool (:func:`index.rerank.pool_ids`) ordered by its own judgments, best grade
        first (ties in ``policy``'s RRF order), deeper candidates after: what a perfect reranker of
        these candidates would show."""
        qrels = self.prepared.qrels
        runs = {}
        for qid, (b, d, c) in self.by_query.items():
            fused = [pid for pid, _ in fuse_hybrid(b, d, policy, self.section_of, c)]
            position = {pid: i for i, pid in enumerate(fused)}
            pool = set(pool_ids(b, d, c))
            grades = qrels.get(qid, {})
            ordered = sorted(pool, key=lambda pid: (-grades.get(pid, 0), position.get(pid, len(fused)), pid))
            runs[qid] = (ordered + [pid for pid in fused if pid not in pool])[:K]
        return runs

    def judged_pools(self, keep: Callable[[str], bool]) -> list[tuple[CandidatePool, dict[int, int]]]:
        """The pools of the judged queries ``keep`` accepts, with their judgments (for fitting)."""
        qrels = self.prepared.qrels
        return [(pool, qrels[qid]) for qid, pool in self.pools.items() if keep(qid) and qrels.get(qid)]

    def score(self, runs: dict[str, list[int]], ids: set[str] | None = None) -> MetricSummary:
        qrels = self.prepared.qrels
        if ids is not None:
            qrels = {q: g for q, g in qrels.items() if q in ids}
        return evaluate_run(runs, qrels, k=K)


def _figures(summary: MetricSummary) -> dict[str, float]:
    return {"ndcg@10": summary.ndcg, "recall@10": summary.recall, "mrr": summary.mrr}


def _fold_of(query_id: str, folds: int) -> int:
    digits = re.sub(r"\D", "", query_id)
    return (int(digits) if digits else sum(map(ord, query_id))) % folds


def _choose(
    grid: Sequence[RankingPolicy], table: dict[str, list[dict[str, float]]], keep: Callable[[str], bool]
) -> int:
    """Index of the policy with the best mean (over corpora) nDCG on the queries ``keep`` accepts.

    ``table[corpus][i]`` holds policy ``i``'s nDCG per query id. Ties go to the earlier policy.
    """
    best, best_score = 0, -1.0
    for i in range(len(grid)):
        means = []
        for per_query in table.values():
            chosen = [v for q, v in per_query[i].items() if keep(q)]
            if chosen:
                means.append(sum(chosen) / len(chosen))
        score = sum(means) / len(means) if means else 0.0
        if score > best_score + 1e-12:
            best, best_score = i, score
    return best


def _out_of_fold(
    lists: dict[str, Lists], grid: Sequence[RankingPolicy], table: dict[str, list[dict[str, float]]], folds: int
) -> tuple[dict[str, dict[str, list[int]]], list[str]]:
    """Each tunable corpus's hybrid run with every query ranked by a policy fitted without its fold."""
    runs: dict[str, dict[str, list[int]]] = {name: {} for name in table}
    chosen: list[str] = []
    for fold in range(folds):

        def training(query_id: str, held_out: int = fold) -> bool:
            return _fold_of(query_id, folds) != held_out

        pick = grid[_choose(grid, table, training)]
        chosen.append(pick.describe())
        for name in table:
            held = {q for q in lists[name].by_query if _fold_of(q, folds) == fold}
            hybrid = lists[name].hybrid(pick)
            runs[name].update({q: hybrid[q] for q in held})
    return runs, chosen


def _fit_rerankers(
    lists: dict[str, Lists], tunable: Sequence[str], folds: int, encoder: str, concepts: bool
) -> tuple[list[LinearReranker], LinearReranker]:
    """A reranker per query fold, fitted on the tunable corpora's other folds, and one fitted on all."""

    def fit(keep: Callable[[str], bool], label: str) -> LinearReranker:
        pools = [pair for name in tunable for pair in lists[name].judged_pools(keep)]
        return fit_reranker(pools, encoder=encoder, concepts=concepts, fitted_on=label)

    per_fold = [
        fit(lambda q, f=fold: _fold_of(q, folds) != f, f"tunable queries outside fold {fold} of {folds}")
        for fold in range(folds)
    ]
    queries = sum(len(lists[name].judged_pools(lambda _q: True)) for name in tunable)
    every = fit(lambda _q: True, f"{queries} judged queries of the tunable corpora: " + ", ".join(tunable))
    return per_fold, every


def _encoder_speed(ctx: AppContext, prepared: Sequence[Prepared], queries: Sequence[str]) -> dict[str, float | None]:
    encoder = getattr(ctx.encoder, "inner", ctx.encoder)
    encoded = sum(p.encoded.passages_encoded for p in prepared)
    seconds = sum(p.encoded.seconds for p in prepared)
    timings = []
    for text in list(queries)[:30]:
        started = time.perf_counter()
        encoder.encode([text])
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "passages_encoded": encoded,
        "passages_per_s": encoded / seconds if seconds > 0 else None,
        "query_ms_median": statistics.median(timings) if timings else None,
    }


def run_search_eval(
    ctx: AppContext,
    queries_path: Path,
    *,
    heldout: Path | None = HELDOUT,
    heldout_formats: Sequence[str] = ("docx", "pdf"),
    folds: int = FOLDS,
    frozen: bool = True,
) -> dict[str, Any]:
    """Metrics per corpus and mode: bm25, dense, hybrid (out of fold), hybrid as shipped, before.

    ``frozen=False`` leaves out the frozen held-out query sets (work in progress must not see them).
    """
    cache_dir = ctx.settings.data_dir / "eval-cache"
    corpora = sample_corpora(queries_path, cache_dir / "rendered")
    if heldout is not None:
        corpora += heldout_corpora(heldout, formats=heldout_formats, frozen=frozen)
    cache = EmbeddingCache(cache_dir / "embeddings", ctx.encoder.model_id)
    prepared = [prepare(ctx, corpus, cache) for corpus in corpora]
    lists = {p.corpus.name: Lists(p) for p in prepared}
    grid = policy_grid()
    tunable = [p.corpus.name for p in prepared if p.corpus.tunable]
    table = {
        name: [
            {q: s.ndcg for q, s in lists[name].score(lists[name].hybrid(policy)).per_query.items()} for policy in grid
        ]
        for name in tunable
    }
    oof_runs, fold_choices = _out_of_fold(lists, grid, table, folds)
    fitted = grid[_choose(grid, table, lambda _q: True)]
    concepts = all(p.engine.concept_model_id is not None for p in prepared)
    fold_rerankers, reranker = _fit_rerankers(lists, tunable, folds, ctx.encoder.model_id, concepts)
    shipped = search_reranker(ctx, concepts=concepts)
    out: dict[str, Any] = {
        "k": K,
        "encoder": ctx.encoder.model_id,
        "fitted_policy": fitted.describe(),
        "shipped_policy": DEFAULT_POLICY.describe() + (" + shipped reranker" if shipped else ""),
        "reranker": reranker.to_json(),
        "fold_policies": fold_choices,
        "speed": _encoder_speed(ctx, prepared, [q["query"] for q in corpora[0].queries]),
        "corpora": {},
    }
    for p in prepared:
        name, ls = p.corpus.name, lists[p.corpus.name]
        modes = {
            "bm25": ls.run(lambda b, _d, _c: b),
            "dense": ls.run(lambda _b, d, _c: d),
            "hybrid": ls.reranked(
                (lambda q: fold_rerankers[_fold_of(q, folds)]) if p.corpus.tunable else (lambda _q: reranker), fitted
            ),
            "hybrid-shipped": (
                ls.reranked(lambda _q: shipped, DEFAULT_POLICY) if shipped is not None else ls.hybrid(DEFAULT_POLICY)
            ),
            "hybrid-no-thesaurus": ls.reranked(lambda _q: reranker, fitted, expand=False),
            "hybrid-rrf": oof_runs[name] if name in oof_runs else ls.hybrid(fitted),
            "rrf-no-prior": ls.hybrid(replace(fitted, prior_strength=0.0)),
            "rrf-no-concepts": ls.hybrid(replace(fitted, concept_weight=0.0)),
            "hybrid-before": ls.run(lambda b, d, _c, of=ls.section_of: legacy_hybrid(b, d, of), expand=False),
            "pool-oracle": ls.oracle(fitted),
        }
        out["corpora"][name] = {
            "in_distribution": p.corpus.in_distribution,
            "tunable": p.corpus.tunable,
            "documents": len(p.corpus.files),
            "passages": p.passages,
            "unclassified_share": p.sections_unclassified,
            "queries": len(ls.score(modes["bm25"]).per_query),
            "unmapped_judgments": p.unmapped,
            "modes": {mode: _figures(ls.score(run)) for mode, run in modes.items()},
        }
    return out


def format_search_eval(result: dict[str, Any]) -> str:
    """One column per corpus (nDCG@10 / Recall@10 / MRR), one row per mode."""
    corpora = result["corpora"]
    names = list(corpora)
    labels = [n + (" [ID]" if corpora[n]["in_distribution"] else " [OOD]") for n in names]
    width = max(20, *(len(label) + 2 for label in labels))
    head = f"{'':<20}" + "".join(f"{label:>{width}}" for label in labels)
    lines = [
        f"encoder {result['encoder']}; hybrid = out of fold ({len(result['fold_policies'])} query folds) on tunable "
        f"corpora, fitted on all of them for frozen ones",
        f"shipped: {result['shipped_policy']}; fitted on all tunable: {result['fitted_policy']}",
        head,
        f"{'':<20}" + "".join(f"{'nDCG  R@10   MRR':>{width}}" for _ in names),
    ]
    for mode in ROWS:
        cells = []
        for n in names:
            m = corpora[n]["modes"][mode]
            cells.append(f"{m['ndcg@10']:.3f} {m['recall@10']:.3f} {m['mrr']:.3f}".rjust(width))
        lines.append(f"{mode:<20}" + "".join(cells))
    facts = [
        f"{n}: {c['documents']} docs, {c['passages']} passages ({c['unclassified_share']:.0%} unclassified), "
        f"{c['queries']} queries, {c['unmapped_judgments']} unmapped judgments"
        + ("" if c["tunable"] else ", frozen (report only)")
        for n, c in corpora.items()
    ]
    guard = []
    for n, c in corpora.items():
        m = c["modes"]
        best_single = max(m["bm25"]["ndcg@10"], m["dense"]["ndcg@10"])
        verdict = "ok" if m["hybrid"]["ndcg@10"] >= best_single else "WORSE than the better single mode"
        guard.append(f"{n}: hybrid {m['hybrid']['ndcg@10']:.3f} vs best single {best_single:.3f}: {verdict}")
    speed = result["speed"]
    rate = speed["passages_per_s"]
    lines += [*facts, *guard]
    lines.append(
        f"encoder speed: {speed['passages_encoded']} passages encoded"
        + (f" at {rate:.1f}/s" if rate else " (all cached)")
        + (f"; single query {speed['query_ms_median']:.1f} ms (median)" if speed["query_ms_median"] else "")
    )
    lines.append("fold policies: " + "; ".join(result["fold_policies"]))
    return "\n".join(lines)
