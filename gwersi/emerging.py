"""Emerging themes: what the passages no standard covers well talk about (what the taxonomy misses).

A passage of a findings section (learning, analysis, good practice, conclusions, recommendations,
equality, family involvement) is an **outlier** when it has no tag a panel has not rejected, or its
best such tag scores below :data:`OUTLIER_SCORE` (a confirmed tag counts as 1). Outliers are
clustered like recurring lessons, on their stored embedding plus TF-IDF of shared word stems
(average linkage, cosine cut), and each topic is labelled with c-TF-IDF key phrases and given its
share of the outliers. This view only reads: it never writes, changes or removes a tag.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from gwersi import clustering
from gwersi.candidates import Candidate, CandidateSet, load_candidates
from gwersi.lessons import LESSON_KINDS

EMERGING_KINDS: tuple[str, ...] = (*LESSON_KINDS, "recommendations", "equality", "family_involvement")
OUTLIER_SCORE = 0.5
THRESHOLD = 0.7
ID_PREFIX = "theme"


@dataclass(frozen=True)
class ThemePassage:
    """An outlier passage in a topic."""

    passage_id: int
    review_id: int
    reference: str | None
    year: int | None
    board: str | None
    section_kind: str
    best_score: float
    similarity: float
    text: str


@dataclass(frozen=True)
class EmergingTheme:
    """A topic among the outliers."""

    id: str
    label: str
    key_phrases: list[str]
    passages: int
    reviews: int
    share: float
    """Its passages as a share of all outliers."""
    boards: list[str]
    first_year: int | None
    last_year: int | None
    examples: list[ThemePassage]
    passage_ids: list[int]


@dataclass(frozen=True)
class EmergingReport:
    """Topics over the passages the standards do not cover well."""

    candidates: int
    outliers: int
    outlier_share: float
    unassigned: int
    score_cutoff: float
    threshold: float
    topics: list[EmergingTheme]


def is_outlier(candidate: Candidate, cutoff: float = OUTLIER_SCORE) -> bool:
    """No non-rejected tag, or the best one scores below ``cutoff``."""
    return not candidate.standards or candidate.best_score < cutoff


def emerging_themes(
    session: Session,
    *,
    score_cutoff: float = OUTLIER_SCORE,
    threshold: float = THRESHOLD,
    min_passages: int = 2,
    min_reviews: int = 2,
    examples: int = 3,
    kinds: tuple[str, ...] = EMERGING_KINDS,
) -> EmergingReport:
    """Cluster the outliers of ``kinds`` into topics (largest first); reads the catalogue only."""
    pool = load_candidates(session, kinds)
    rows = [i for i, c in enumerate(pool.items) if is_outlier(c, score_cutoff)]
    outliers = CandidateSet(tuple(pool.items[i] for i in rows), pool.vectors[rows], pool.model)
    items = outliers.items
    topics: list[EmergingTheme] = []
    if len(items) >= 2:
        texts = [c.text for c in items]
        groups = [c.review_id for c in items]
        x = clustering.combine(
            [(outliers.vectors.astype(np.float64), 1.0), (clustering.tfidf_features(texts, groups), 1.0)]
        )
        labels = clustering.agglomerate(x, threshold)
        members: dict[int, list[int]] = {}
        for row, label in enumerate(labels.tolist()):
            members.setdefault(label, []).append(row)
        kept = [
            r for r in members.values() if len(r) >= min_passages and len({groups[i] for i in r}) >= min_reviews
        ]
        phrases = clustering.key_phrases(kept, texts, groups)
        for rows_, words in zip(kept, phrases, strict=True):
            topics.append(_topic(rows_, words, items, x, len(items), examples))
    topics.sort(key=lambda t: (-t.passages, -t.reviews, t.id))
    assigned = sum(t.passages for t in topics)
    return EmergingReport(
        candidates=len(pool.items),
        outliers=len(items),
        outlier_share=round(len(items) / len(pool.items), 4) if pool.items else 0.0,
        unassigned=len(items) - assigned,
        score_cutoff=score_cutoff,
        threshold=threshold,
        topics=topics,
    )


def _topic(
    rows: list[int], words: list[str], items: tuple[Candidate, ...], x: np.ndarray, total: int, examples: int
) -> EmergingTheme:
    ordered = clustering.centroid_order(x, rows)
    picked: list[ThemePassage] = []
    seen: set[int] = set()
    for r, sim in ordered:
        c = items[r]
        if c.review_id in seen or len(picked) >= examples:
            continue
        seen.add(c.review_id)
        picked.append(
            ThemePassage(c.passage_id, c.review_id, c.reference, c.year, c.board, c.section_kind,
                         round(c.best_score, 4), round(sim, 4), c.text)
        )
    cands = [items[r] for r in rows]
    years = sorted({c.year for c in cands if c.year is not None})
    return EmergingTheme(
        id=clustering.digest_id(ID_PREFIX, [c.text_sha1 for c in cands]),
        label=", ".join(words[:3]) or "(no shared phrase)",
        key_phrases=words,
        passages=len(cands),
        reviews=len({c.review_id for c in cands}),
        share=round(len(cands) / total, 4),
        boards=sorted({c.board for c in cands if c.board}),
        first_year=years[0] if years else None,
        last_year=years[-1] if years else None,
        examples=picked,
        passage_ids=sorted(c.passage_id for c in cands),
    )
