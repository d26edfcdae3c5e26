"""Recurring lessons: learning and analysis passages that say the same thing across reviews.

How clusters are made (deterministic: same catalogue, same clusters):

1. Candidates are the embedded passages of the learning sections (practice learning, analysis,
   good practice, conclusions), sorted by text digest.
2. Each passage becomes one unit-length row joining three unit-length blocks: its stored
   embedding (weight 1), a one-hot of the standards it is tagged with, not rejected (weight 0.7),
   and TF-IDF over word stems used in at least 10% of reviews (weight 1; case-specific words drop out).
3. Average-linkage agglomerative clustering cuts where the cosine distance between clusters reaches
   0.7; a cluster is kept when its passages come from at least two reviews.

Each cluster is labelled with c-TF-IDF key phrases (see :func:`gwersi.clustering.key_phrases`) and
reported with its reviews, boards, review types, first and last year, and a **persistence score**:
``(year span of the cluster / year span of the corpus) x (boards in the cluster / boards in the
corpus)``, both spans counted inclusively, so 1.0 means "every year and every board" and a lesson
seen in one board in one year of a ten-year corpus scores near 0.

Cluster ids survive rebuilds: ``DATA_DIR/lessons.json`` keeps each cluster's member text digests;
a new cluster whose members overlap a saved one by Jaccard >= 0.5 keeps that id, any other gets an
id derived from its members' digests.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from gwersi import clustering
from gwersi.candidates import Candidate, CandidateSet, load_candidates
from gwersi.context import AppContext
from gwersi.errors import GwersiError
from index.atomic import atomic_write_text

LESSON_KINDS: tuple[str, ...] = ("practice_learning", "analysis", "good_practice", "conclusions")
LESSONS_FILE = "lessons.json"
ID_PREFIX = "lesson"
DOMINANT_SHARE = 0.3
"""A standard describes a cluster when at least this share of its passages carry it."""


@dataclass(frozen=True)
class LessonParams:
    """Knobs of the clustering (defaults measured on the sample reviews, see ``gwersi eval lessons``)."""

    threshold: float = 0.7
    embedding_weight: float = 1.0
    standards_weight: float = 0.7
    text_weight: float = 1.0
    min_reviews: int = 2
    examples: int = 5
    phrases: int = 5
    kinds: tuple[str, ...] = LESSON_KINDS


@dataclass(frozen=True)
class LessonPassage:
    """A member passage of a cluster, with its similarity to the cluster's centre."""

    passage_id: int
    review_id: int
    reference: str | None
    title: str
    review_type: str | None
    board: str | None
    year: int | None
    section_kind: str
    similarity: float
    text: str
    text_sha1: str


@dataclass(frozen=True)
class YearCount:
    """How many reviews and passages of a cluster come from one year (for a timeline)."""

    year: int | None
    reviews: int
    passages: int


@dataclass(frozen=True)
class StandardShare:
    """A standard tagged on some of a cluster's passages."""

    standard: str
    passages: int
    share: float


@dataclass(frozen=True)
class LessonCluster:
    """One recurring lesson."""

    id: str
    label: str
    key_phrases: list[str]
    passages: int
    reviews: int
    review_ids: list[int]
    references: list[str]
    boards: list[str]
    review_types: list[str]
    first_year: int | None
    last_year: int | None
    persistence: float
    standards: list[StandardShare]
    timeline: list[YearCount]
    examples: list[LessonPassage]
    members: list[LessonPassage] = field(default_factory=list)

    @property
    def dominant_standards(self) -> list[str]:
        """Standards on at least :data:`DOMINANT_SHARE` of the passages."""
        return [s.standard for s in self.standards if s.share >= DOMINANT_SHARE]


@dataclass(frozen=True)
class LessonReport:
    """All recurring lessons of the catalogue, most persistent first."""

    candidates: int
    clustered: int
    reviews: int
    model: str | None
    params: dict[str, Any]
    clusters: list[LessonCluster]


_CACHE: dict[str, tuple[str, LessonReport]] = {}
_LOCK = threading.Lock()


def lessons_path(ctx: AppContext) -> Path:
    """Where cluster ids and memberships are kept between rebuilds."""
    return ctx.settings.data_dir / LESSONS_FILE


def build_lessons(ctx: AppContext, params: LessonParams = LessonParams(), *, save: bool = True) -> LessonReport:
    """Cluster the catalogue's learning passages (reuses the last result while nothing changed)."""
    with ctx.sessions() as session:
        pool = load_candidates(session, params.kinds)
    fingerprint = pool.fingerprint(params)
    key = str(ctx.settings.data_dir.resolve())
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached[0] == fingerprint and lessons_path(ctx).exists():
            return cached[1]
        path = lessons_path(ctx)
        previous = read_saved(path)
        report = cluster_lessons(pool, params, previous)
        if save:
            write_saved(path, report)
        _CACHE[key] = (fingerprint, report)
        return report


def read_saved(path: Path) -> dict[str, frozenset[str]]:
    """Saved cluster id -> member text digests (empty when there is no readable file)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {c["id"]: frozenset(c["members"]) for c in data.get("clusters", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_saved(path: Path, report: LessonReport) -> None:
    """Save ids, labels and member digests of ``report`` (atomically; untouched when unchanged)."""
    clusters = [
        {"id": c.id, "label": c.label, "members": sorted({m.text_sha1 for m in c.members})}
        for c in report.clusters
    ]
    text = json.dumps({"version": 1, "params": report.params, "clusters": clusters}, indent=1)
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    atomic_write_text(path, text)


def features(pool: CandidateSet, params: LessonParams) -> np.ndarray:
    """The clustering rows: embedding ⊕ standards one-hot ⊕ shared-vocabulary TF-IDF (see module doc)."""
    from taxonomy.standards import load_taxonomy

    ids = load_taxonomy().ids
    onehot = np.zeros((len(pool.items), len(ids)))
    column = {sid: i for i, sid in enumerate(ids)}
    for row, c in enumerate(pool.items):
        for sid in c.standards:
            if sid in column:
                onehot[row, column[sid]] = 1.0
    texts = [c.text for c in pool.items]
    tfidf = clustering.tfidf_features(texts, [c.review_id for c in pool.items])
    return clustering.combine(
        [
            (pool.vectors.astype(np.float64), params.embedding_weight),
            (onehot, params.standards_weight),
            (tfidf, params.text_weight),
        ]
    )


def cluster_rows(pool: CandidateSet, params: LessonParams) -> tuple[np.ndarray, list[list[int]]]:
    """Feature rows and the kept clusters (row lists spanning ``min_reviews`` reviews or more)."""
    if not pool.items:
        return np.zeros((0, 0)), []
    x = features(pool, params)
    labels = clustering.agglomerate(x, params.threshold)
    groups: dict[int, list[int]] = {}
    for row, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(row)
    kept = [
        rows for rows in groups.values() if len({pool.items[r].review_id for r in rows}) >= params.min_reviews
    ]
    return x, kept


def cluster_lessons(
    pool: CandidateSet, params: LessonParams, previous: dict[str, frozenset[str]] | None = None
) -> LessonReport:
    """Cluster ``pool`` and describe every kept cluster; ids carried over from ``previous``."""
    x, kept = cluster_rows(pool, params)
    items = pool.items
    texts = [c.text for c in items]
    reviews = [c.review_id for c in items]
    labels = clustering.key_phrases(kept, texts, reviews, k=params.phrases)
    members = [frozenset(items[r].text_sha1 for r in rows) for rows in kept]
    ids = clustering.carry_ids(members, previous or {}, prefix=ID_PREFIX)
    years = [c.year for c in items if c.year is not None]
    span = (max(years) - min(years) + 1) if years else 1
    boards = len({c.board for c in items if c.board}) or 1
    clusters = [
        _describe(cid, rows, phrases, items, x, params, span, boards)
        for cid, rows, phrases in zip(ids, kept, labels, strict=True)
    ]
    clusters.sort(key=lambda c: (-c.persistence, -c.reviews, -c.passages, c.id))
    return LessonReport(
        candidates=len(items),
        clustered=sum(c.passages for c in clusters),
        reviews=len(set(reviews)),
        model=pool.model,
        params={k: list(v) if isinstance(v, tuple) else v for k, v in params.__dict__.items()},
        clusters=clusters,
    )


def _passage(c: Candidate, similarity: float) -> LessonPassage:
    return LessonPassage(
        passage_id=c.passage_id,
        review_id=c.review_id,
        reference=c.reference,
        title=c.title,
        review_type=c.review_type,
        board=c.board,
        year=c.year,
        section_kind=c.section_kind,
        similarity=round(similarity, 4),
        text=c.text,
        text_sha1=c.text_sha1,
    )


def _describe(
    cid: str,
    rows: list[int],
    phrases: list[str],
    items: tuple[Candidate, ...],
    x: np.ndarray,
    params: LessonParams,
    corpus_span: int,
    corpus_boards: int,
) -> LessonCluster:
    ordered = clustering.centroid_order(x, rows)
    members = [_passage(items[r], sim) for r, sim in ordered]
    examples: list[LessonPassage] = []
    seen: set[int] = set()
    for m in members:
        if m.review_id not in seen and len(examples) < params.examples:
            examples.append(m)
            seen.add(m.review_id)
    cands = [items[r] for r in rows]
    years = sorted({c.year for c in cands if c.year is not None})
    boards = sorted({c.board for c in cands if c.board})
    span = (years[-1] - years[0] + 1) if years else 0
    persistence = round(span / corpus_span * len(boards) / corpus_boards, 4)
    standard_counts: Counter[str] = Counter(s for c in cands for s in c.standards)
    standards = [
        StandardShare(sid, n, round(n / len(cands), 3))
        for sid, n in sorted(standard_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    by_year: dict[int | None, list[Candidate]] = {}
    for c in cands:
        by_year.setdefault(c.year, []).append(c)
    timeline = [
        YearCount(year, len({c.review_id for c in group}), len(group))
        for year, group in sorted(by_year.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    ]
    review_ids = sorted({c.review_id for c in cands})
    return LessonCluster(
        id=cid,
        label=", ".join(phrases[:3]) or "(no shared phrase)",
        key_phrases=phrases,
        passages=len(cands),
        reviews=len(review_ids),
        review_ids=review_ids,
        references=sorted({c.reference or c.title for c in cands}),
        boards=boards,
        review_types=sorted({c.review_type for c in cands if c.review_type}),
        first_year=years[0] if years else None,
        last_year=years[-1] if years else None,
        persistence=persistence,
        standards=standards,
        timeline=timeline,
        examples=examples,
        members=members,
    )


def list_lessons(
    ctx: AppContext, *, standard: str | None = None, members: bool = False, limit: int | None = None
) -> LessonReport:
    """Recurring lessons, optionally only those where ``standard`` is dominant, without member lists
    unless ``members``."""
    report = build_lessons(ctx)
    clusters = report.clusters
    if standard is not None:
        from taxonomy.standards import load_taxonomy

        sid = standard.strip().upper()
        if sid not in load_taxonomy().by_id:
            raise GwersiError("not_found", f"no standard {standard!r}; ids run S01..S26", 404)
        clusters = [c for c in clusters if sid in c.dominant_standards]
    if not members:
        clusters = [replace(c, members=[]) for c in clusters]
    if limit is not None:
        clusters = clusters[:limit]
    return replace(report, clusters=clusters)


def get_lesson(ctx: AppContext, cluster_id: str) -> LessonCluster:
    """One recurring lesson with all its member passages; 404 if no current cluster has that id."""
    for c in build_lessons(ctx).clusters:
        if c.id == cluster_id:
            return c
    raise GwersiError("not_found", f"no recurring lesson {cluster_id!r} (ids change only when membership does)", 404)
