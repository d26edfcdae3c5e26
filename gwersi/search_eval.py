"""Search-quality evaluation: the query set's graded judgments over the sample reviews.

Judgments name a sample and quote a sentence from its source; each quote is mapped to the
passage of the ingested sample that contains it (whitespace-insensitive), so the judgments do not
depend on how ingest splits passages. The samples are ingested into a dedicated data folder
(``DATA_DIR/eval-samples``), reused across runs (unchanged files and stored embeddings are kept).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gwersi.context import AppContext
from gwersi.settings import Settings
from index.orm import Passage, Review

REPO = Path(__file__).resolve().parent.parent
MODES = ("bm25", "dense", "hybrid")
K = 10


def default_queries_path() -> Path:
    """The packaged query set."""
    return REPO / "data" / "eval" / "search_queries.jsonl"


def _squash(text: str) -> str:
    text = text.replace("\u00ad", "").replace("ﬁ", "fi").replace("ﬂ", "fl")
    return re.sub(r"\s+", " ", text).strip().lower()


def eval_context(ctx: AppContext) -> AppContext:
    """A context on the evaluation data folder with the samples ingested, tagged and indexed."""
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


def map_judgments(ctx: AppContext, queries: list[dict[str, Any]]) -> tuple[dict[str, dict[int, int]], int]:
    """``{query id: {passage id: grade}}`` plus the number of quotes no passage contains."""
    with ctx.sessions() as session:
        rows = session.execute(select(Passage.id, Passage.text, Review.source_name).join(Review)).all()
    by_doc: dict[str, list[tuple[int, str]]] = {}
    for passage_id, text, source in rows:
        by_doc.setdefault(Path(source).stem, []).append((passage_id, _squash(text)))
    qrels: dict[str, dict[int, int]] = {}
    unmapped = 0
    for q in queries:
        graded: dict[int, int] = {}
        for j in q["judgments"]:
            quote = _squash(j["quote"])
            candidates = by_doc.get(j["doc"], [])
            pid: int | None = next((p for p, t in candidates if quote in t), None)
            if pid is None:  # the quote may straddle a passage split: try its halves
                half = len(quote) // 2
                pid = next((p for p, t in candidates if quote[:half] in t or quote[half:] in t), None)
            if pid is None:
                unmapped += 1
                continue
            graded[pid] = max(graded.get(pid, 0), int(j["grade"]))
        qrels[q["id"]] = graded
    return qrels, unmapped


def run_search_eval(ctx: AppContext, queries_path: Path) -> dict[str, Any]:
    """Metrics per mode (and per query kind) for the query set."""
    from gwersi.searching import search
    from index.metrics import evaluate_run

    queries = [
        json.loads(line) for line in queries_path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    ectx = eval_context(ctx)
    qrels, unmapped = map_judgments(ectx, queries)
    out: dict[str, Any] = {"queries": len(queries), "unmapped_judgments": unmapped, "k": K, "modes": {}}
    kinds = sorted({q.get("kind", "all") for q in queries})
    for mode in MODES:
        runs = {
            q["id"]: [h.record.passage_id for h in search(ectx, q["query"], k=K, mode=mode)] for q in queries
        }
        summary = evaluate_run(runs, qrels, k=K)
        by_kind = {}
        for kind in kinds:
            ids = {q["id"] for q in queries if q.get("kind", "all") == kind}
            sub = evaluate_run({i: runs[i] for i in ids}, {i: qrels[i] for i in ids}, k=K)
            by_kind[kind] = {
                "ndcg@10": sub.ndcg,
                "recall@10": sub.recall,
                "mrr": sub.mrr,
                "queries": len(ids),
            }
        out["modes"][mode] = {
            "ndcg@10": summary.ndcg,
            "recall@10": summary.recall,
            "mrr": summary.mrr,
            "by_kind": by_kind,
        }
    ectx.close()
    return out


def format_search_eval(result: dict[str, Any]) -> str:
    """A table of the metrics per mode and per query kind."""
    lines = [
        f"{result['queries']} queries, k={result['k']}, {result['unmapped_judgments']} unmapped judgments",
        f"{'mode':<8} {'subset':<11} {'nDCG@10':>8} {'R@10':>7} {'MRR':>7}",
    ]
    for mode, m in result["modes"].items():
        lines.append(f"{mode:<8} {'all':<11} {m['ndcg@10']:>8.3f} {m['recall@10']:>7.3f} {m['mrr']:>7.3f}")
        for kind, s in m["by_kind"].items():
            lines.append(f"{'':<8} {kind:<11} {s['ndcg@10']:>8.3f} {s['recall@10']:>7.3f} {s['mrr']:>7.3f}")
    return "\n".join(lines)
