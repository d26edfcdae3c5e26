"""Near-duplicate recommendations across reviews, and the model-derived facts they need.

Two recommendations from different reviews are linked when what they ask for (the words after
"should" / "must", so the addressee does not dominate) is close in meaning, cosine of the
embeddings >= :data:`LINK_COSINE`, and shares words, Jaccard of word stems >= :data:`LINK_OVERLAP`.

Vectors and suggested standards are cached in ``DATA_DIR/recommendations-cache.npz`` by text
digest, under a key naming the encoder, tagger, taxonomy version and the number of panel
decisions (a retrain changes what the tagger suggests); only texts missing from the cache go
through the models.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gwersi.context import AppContext
from gwersi.recommendation_fields import action_part
from index.atomic import atomic_path
from index.store import text_sha1
from index.text import tokenize
from taxonomy.standards import TAXONOMY_VERSION

LINK_COSINE = 0.55
LINK_OVERLAP = 0.2
CACHE_FILE = "recommendations-cache.npz"

Link = tuple[int, int, float, float]
"""Row ``i``, row ``j`` (``i < j``), cosine, stem overlap."""


def cache_key(ctx: AppContext, decisions: int) -> str:
    """What the cached vectors and standards depend on."""
    s = ctx.settings
    return json.dumps([s.encoder, s.embedding_model, s.tagger, TAXONOMY_VERSION, decisions])


def _read_cache(path: Path, key: str) -> tuple[dict[str, np.ndarray], dict[str, list[tuple[str, float]]]]:
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key:
                return {}, {}
            digests = [str(d) for d in data["digests"]]
            vectors = {d: np.asarray(v, dtype=np.float32) for d, v in zip(digests, data["vectors"], strict=True)}
            raw = json.loads(str(data["standards"]))
    except (OSError, KeyError, ValueError):
        return {}, {}
    standards = {d: [(str(s), float(v)) for s, v in pairs] for d, pairs in raw.items()}
    return vectors, standards


def _write_cache(
    path: Path, key: str, vectors: dict[str, np.ndarray], standards: dict[str, list[tuple[str, float]]]
) -> None:
    digests = sorted(vectors)
    matrix = np.vstack([vectors[d] for d in digests]) if digests else np.zeros((0, 0), np.float32)
    with atomic_path(path) as tmp, tmp.open("wb") as handle:
        np.savez(
            handle,
            key=np.array(key),
            digests=np.array(digests),
            vectors=matrix.astype(np.float32),
            standards=np.array(json.dumps({d: standards.get(d, []) for d in digests})),
        )


def derived(
    ctx: AppContext, texts: Sequence[str], decisions: int
) -> tuple[dict[str, np.ndarray], dict[str, list[tuple[str, float]]]]:
    """For each distinct text (by digest): the vector of what it asks for, and suggested standards."""
    from gwersi.tagging import tag_text

    path = ctx.settings.data_dir / CACHE_FILE
    key = cache_key(ctx, decisions)
    vectors, standards = _read_cache(path, key)
    wanted = {text_sha1(t): t for t in texts}
    missing = sorted(d for d in wanted if d not in vectors or d not in standards)
    if missing:
        batch = [wanted[d] for d in missing]
        encoded = ctx.encoder.encode(
            [action_part(t) for t in batch], batch_size=ctx.settings.embed_batch_size
        )
        suggestions = tag_text(ctx, batch)
        for i, d in enumerate(missing):
            vectors[d] = np.asarray(encoded[i], dtype=np.float32)
            standards[d] = sorted(
                ((s.standard, round(float(s.score), 4)) for s in suggestions[i]), key=lambda p: (-p[1], p[0])
            )
        keep = set(wanted)
        _write_cache(
            path, key, {d: v for d, v in vectors.items() if d in keep}, {d: standards[d] for d in keep}
        )
    return vectors, standards


def near_duplicates(
    items: Sequence[tuple[int, str]],
    vectors: Sequence[np.ndarray],
    *,
    cosine: float = LINK_COSINE,
    overlap: float = LINK_OVERLAP,
) -> list[Link]:
    """Pairs of rows from different groups (reviews) whose texts are near-duplicates, sorted."""
    if len(items) < 2:
        return []
    matrix = np.vstack([np.asarray(v, dtype=np.float64) for v in vectors])
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    matrix = matrix / norms
    sims = matrix @ matrix.T
    stems = [set(tokenize(action_part(text))) for _group, text in items]
    links: list[Link] = []
    for i, j in zip(*np.nonzero(np.triu(sims >= cosine, k=1)), strict=True):
        a, b = int(i), int(j)
        if items[a][0] == items[b][0]:
            continue
        union = len(stems[a] | stems[b])
        jac = len(stems[a] & stems[b]) / union if union else 0.0
        if jac >= overlap:
            links.append((a, b, round(float(sims[a, b]), 4), round(jac, 4)))
    return links
