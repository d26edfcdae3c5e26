"""How well recurring lessons and repeated recommendations recover what the sample writers planted.

Each sample's truth file lists its paragraphs that carry a recurring lesson (``lesson_groups``,
L1..L10, by the paragraph's first 60 characters) and its recommendations that repeat a theme
(``repeated_recommendations``, by printed number). Snippets are mapped to the passage containing
them (whitespace-insensitive), numbers to the recommendation with that number ("R2" = "2").

Lessons: the adjusted Rand index between the clustering and the groups over the mapped passages
(a passage in no kept cluster counts as a cluster of its own), purity over the clustered ones,
coverage (share of mapped passages in some kept cluster), and per group the share of its passages
that sit in its most common cluster.

Recommendations: a pair of truth recommendations from different reviews with the same group
should be linked. Direct precision/recall count the tracker's links between truth recommendations
(a link touching a recommendation outside every group counts against precision); "transitive"
counts pairs joined through a chain of links; "flagged" is the share of truth recommendations with
a same-group partner elsewhere that got at least one correct link.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gwersi import clustering
from gwersi.context import AppContext
from gwersi.search_eval import REPO, _squash
from index.orm import Passage, RecommendationRow, Review

TRUTH_DIR = REPO / "data" / "sample-sources"


def load_truth(folder: Path = TRUTH_DIR) -> dict[str, dict[str, Any]]:
    """Truth files by sample name."""
    out = {}
    for path in sorted(folder.glob("*.truth.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        out[data["name"]] = data
    return out


def _number(value: str) -> str:
    return re.sub(r"[^0-9a-z]", "", value.lower()).lstrip("r")


def map_lesson_truth(ctx: AppContext, truth: dict[str, dict[str, Any]]) -> tuple[dict[int, str], int]:
    """Passage id -> lesson group, and how many snippets matched no passage."""
    with ctx.sessions() as session:
        rows = session.execute(select(Passage.id, Passage.text, Review.source_name).join(Review)).all()
    by_doc: dict[str, list[tuple[int, str]]] = {}
    for passage_id, text, source in sorted(rows):
        by_doc.setdefault(Path(source).stem, []).append((passage_id, _squash(text)))
    out: dict[int, str] = {}
    missing = 0
    for name, data in truth.items():
        for item in data.get("lesson_groups", []):
            snippet = _squash(item["snippet"])
            found = next((p for p, t in by_doc.get(name, []) if snippet in t), None)
            if found is None:
                missing += 1
            else:
                out[found] = item["group"]
    return out, missing


def map_recommendation_truth(
    ctx: AppContext, truth: dict[str, dict[str, Any]]
) -> tuple[dict[int, tuple[int, str]], int]:
    """Recommendation id -> (review id, group), and how many truth numbers matched nothing."""
    with ctx.sessions() as session:
        rows = session.execute(
            select(RecommendationRow.id, RecommendationRow.number, Review.id, Review.source_name).join(Review)
        ).all()
    index = {(Path(src).stem, _number(num)): (rid, rev) for rid, num, rev, src in rows}
    out: dict[int, tuple[int, str]] = {}
    missing = 0
    for name, data in truth.items():
        for item in data.get("repeated_recommendations", []):
            hit = index.get((name, _number(item["number"])))
            if hit is None:
                missing += 1
            else:
                out[hit[0]] = (hit[1], item["group"])
    return out, missing


def lesson_scores(cluster_of: dict[int, str], truth: dict[int, str]) -> dict[str, Any]:
    """ARI, purity and coverage of a passage -> cluster map against passage -> group."""
    ids = sorted(truth)
    predicted = [cluster_of.get(pid, f"alone-{pid}") for pid in ids]
    groups = [truth[pid] for pid in ids]
    clustered = [(p, g) for p, g in zip(predicted, groups, strict=True) if not p.startswith("alone-")]
    per_group: dict[str, dict[str, Any]] = {}
    for group in sorted(set(groups), key=lambda g: (len(g), g)):
        mine = [p for p, g in zip(predicted, groups, strict=True) if g == group]
        top, n = Counter(mine).most_common(1)[0]
        per_group[group] = {
            "passages": len(mine),
            "in_main_cluster": round(n / len(mine), 3) if not top.startswith("alone-") else 0.0,
            "clusters": len({p for p in mine if not p.startswith("alone-")}),
        }
    return {
        "passages": len(ids),
        "ari": round(clustering.adjusted_rand(predicted, groups), 4),
        "purity": round(clustering.purity([p for p, _ in clustered], [g for _, g in clustered]), 4),
        "coverage": round(len(clustered) / len(ids), 4) if ids else 0.0,
        "clusters_with_truth": len({p for p, _ in clustered}),
        "per_group": per_group,
    }


def link_scores(links: Iterable[tuple[int, int]], truth: dict[int, tuple[int, str]]) -> dict[str, Any]:
    """Precision/recall of recommendation links against same-group pairs across reviews."""
    gold = {
        (a, b)
        for a, b in combinations(sorted(truth), 2)
        if truth[a][1] == truth[b][1] and truth[a][0] != truth[b][0]
    }
    found = {(min(a, b), max(a, b)) for a, b in links}
    in_scope = {p for p in found if p[0] in truth or p[1] in truth}
    tp = len(in_scope & gold)
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in found:
        parent[root(a)] = root(b)
    closure = {
        (a, b) for a, b in combinations(sorted(truth), 2) if truth[a][0] != truth[b][0] and root(a) == root(b)
    }
    closure_tp = len(closure & gold)
    partnered = {x for pair in gold for x in pair}
    flagged = {x for pair in in_scope & gold for x in pair}
    return {
        "truth_recommendations": len(truth),
        "gold_pairs": len(gold),
        "links_touching_truth": len(in_scope),
        "precision": round(tp / len(in_scope), 4) if in_scope else 0.0,
        "recall": round(tp / len(gold), 4) if gold else 0.0,
        "transitive_precision": round(closure_tp / len(closure), 4) if closure else 0.0,
        "transitive_recall": round(closure_tp / len(gold), 4) if gold else 0.0,
        "flagged": round(len(flagged) / len(partnered), 4) if partnered else 0.0,
    }


def run_lessons_eval(ctx: AppContext, *, in_place: bool = False) -> dict[str, Any]:
    """Ingest the samples (unless ``in_place``), build lessons and the tracker, and score both."""
    from gwersi.candidates import load_candidates
    from gwersi.coverage import coverage
    from gwersi.emerging import emerging_themes
    from gwersi.lessons import LessonParams, cluster_lessons
    from gwersi.recommendations import track
    from gwersi.search_eval import eval_context

    timings: dict[str, float] = {}
    start = time.perf_counter()
    ectx = ctx if in_place else eval_context(ctx)
    timings["prepare_samples_s"] = time.perf_counter() - start
    try:
        truth = load_truth()
        lesson_truth, lesson_missing = map_lesson_truth(ectx, truth)
        rec_truth, rec_missing = map_recommendation_truth(ectx, truth)
        params = LessonParams()
        start = time.perf_counter()
        with ectx.sessions() as session:
            pool = load_candidates(session, params.kinds)
        report = cluster_lessons(pool, params)
        timings["lessons_s"] = time.perf_counter() - start
        cluster_of = {m.passage_id: c.id for c in report.clusters for m in c.members}
        start = time.perf_counter()
        tracker = track(ectx)
        timings["recommendations_s"] = time.perf_counter() - start
        with ectx.sessions() as session:
            start = time.perf_counter()
            themes = emerging_themes(session)
            timings["emerging_s"] = time.perf_counter() - start
            start = time.perf_counter()
            cov = coverage(session)
            timings["coverage_s"] = time.perf_counter() - start
        links = {(t.id, link.recommendation_id) for t in tracker.recommendations for link in t.links}
        return {
            "lessons": {
                **lesson_scores(cluster_of, lesson_truth),
                "unmapped_snippets": lesson_missing,
                "candidates": report.candidates,
                "clusters": len(report.clusters),
                "clustered_passages": report.clustered,
            },
            "recommendations": {
                **link_scores(links, rec_truth),
                "unmapped_numbers": rec_missing,
                "recommendations": tracker.total,
                "repeated": tracker.repeated,
                "links": tracker.links,
            },
            "emerging": {"outliers": themes.outliers, "topics": len(themes.topics)},
            "coverage": {"untested": cov.untested},
            "timings": {k: round(v, 3) for k, v in timings.items()},
        }
    finally:
        if ectx is not ctx:
            ectx.close()


def format_lessons_eval(result: dict[str, Any]) -> str:
    """The figures as a few readable lines."""
    les, rec, tim = result["lessons"], result["recommendations"], result["timings"]
    return "\n".join(
        [
            f"Recurring lessons: {les['passages']} truth passages ({les['unmapped_snippets']} snippets unmapped), "
            f"{les['clusters']} clusters over {les['candidates']} candidate passages",
            f"  adjusted Rand index {les['ari']:.3f}   purity {les['purity']:.3f}   coverage {les['coverage']:.3f}",
            "  share of each group in its main cluster: "
            + ", ".join(f"{g} {v['in_main_cluster']:.2f}" for g, v in les["per_group"].items()),
            f"Repeated recommendations: {rec['truth_recommendations']} truth recommendations "
            f"({rec['unmapped_numbers']} unmapped), {rec['gold_pairs']} same-group pairs across reviews",
            f"  direct links      precision {rec['precision']:.3f}   recall {rec['recall']:.3f}",
            f"  through chains    precision {rec['transitive_precision']:.3f}   recall {rec['transitive_recall']:.3f}",
            f"  flagged with a correct link: {rec['flagged']:.3f}   "
            f"({rec['repeated']} of {rec['recommendations']} recommendations linked, {rec['links']} links)",
            f"Emerging themes: {result['emerging']['topics']} topics over {result['emerging']['outliers']} outliers; "
            f"untested standards: {', '.join(result['coverage']['untested']) or 'none'}",
            "Timings (s): " + ", ".join(f"{k.removesuffix('_s')} {v:.2f}" for k, v in tim.items()),
        ]
    )
