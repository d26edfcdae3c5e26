"""Deterministic clustering helpers shared by recurring lessons and emerging themes.

Everything here is pure (numpy, scipy, scikit-learn; no database): feature building, average-linkage
agglomerative clustering with a cosine distance cut, c-TF-IDF key phrases, stable cluster ids and the
agreement measures the evaluation reports. Same input in the same order gives the same output: no
random state is involved anywhere.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence

import numpy as np

from index.text import STOPWORDS, tokenize

MONTHS = frozenset(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october")
    + ("november", "december")
)
PHRASE_STOPWORDS = STOPWORDS | frozenset(
    ("whose", "however", "along", "among", "towards", "near", "although", "though", "whether", "within")
    + ("without", "across", "upon", "one")
    + ("two", "three", "four", "made", "make", "many", "much", "well", "even", "still", "yet", "every")
    + ("each", "another", "others", "since", "already", "including", "used", "use", "say", "said", "way")
    + ("found", "became", "become", "given", "took", "take", "taken", "time", "times", "place")
)
"""Words never used in key phrases: function words and vague verbs or nouns."""
_CLAUSE_SPLIT = re.compile(r"[.;:,()!?\"“”\[\]–—/]+|\s-\s")
_WORD = re.compile(r"[a-z][a-z’'-]*[a-z]|[a-z]")
BIGRAM_BOOST = 2.5
"""Bigrams score this much more than single words, so labels read as phrases where they can."""


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (all-zero rows stay zero)."""
    out = np.asarray(matrix, dtype=np.float64)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


def min_groups(n_groups: int, share: float = 0.1) -> int:
    """How many groups (reviews) a term must occur in to count: ``share`` of them, and at least two."""
    return max(2, math.ceil(share * n_groups))


def tfidf_features(texts: Sequence[str], groups: Sequence[Hashable], *, share: float = 0.1) -> np.ndarray:
    """Unit-length TF-IDF rows (sublinear tf, smoothed idf) over word stems used in at least :func:`min_groups` groups.

    Restricting the vocabulary to stems that several reviews use drops names, places and other
    case-specific words, so the lexical part of the features speaks about shared practice.
    """
    tokens = [[t for t in tokenize(text) if not t.isdigit()] for text in texts]
    spread: dict[str, set[Hashable]] = {}
    for toks, group in zip(tokens, groups, strict=True):
        for t in set(toks):
            spread.setdefault(t, set()).add(group)
    need = min_groups(len(set(groups)), share)
    vocabulary = {t: i for i, t in enumerate(sorted(t for t, g in spread.items() if len(g) >= need))}
    matrix = np.zeros((len(texts), len(vocabulary)))
    if not vocabulary:
        return matrix
    for row, toks in enumerate(tokens):
        for term, n in Counter(t for t in toks if t in vocabulary).items():
            matrix[row, vocabulary[term]] = 1.0 + math.log(n)
    df = np.count_nonzero(matrix, axis=0)
    idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
    return normalise_rows(matrix * idf)


def combine(blocks: Sequence[tuple[np.ndarray, float]]) -> np.ndarray:
    """Concatenate unit-length feature blocks, each scaled by its weight, then unit-length rows."""
    parts = [weight * normalise_rows(block) for block, weight in blocks if block.shape[1] and weight > 0]
    if not parts:
        raise ValueError("no feature block has columns and a positive weight")
    return normalise_rows(np.hstack(parts))


def agglomerate(features: np.ndarray, threshold: float) -> np.ndarray:
    """Cluster labels (0..k-1, numbered by first row) from average-linkage clustering of the rows,
    cut where the cosine distance between clusters reaches ``threshold``."""
    n = features.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    distances = np.clip(pdist(features, metric="cosine"), 0.0, 2.0)
    raw = fcluster(linkage(distances, method="average"), t=threshold, criterion="distance")
    renumber: dict[int, int] = {}
    return np.array([renumber.setdefault(int(x), len(renumber)) for x in raw], dtype=np.int64)


def centroid_order(features: np.ndarray, rows: Sequence[int]) -> list[tuple[int, float]]:
    """``rows`` ordered by cosine similarity to their centroid (closest first, ties by row)."""
    sub = features[list(rows)]
    centre = sub.mean(axis=0)
    norm = float(np.linalg.norm(centre)) or 1.0
    sims = sub @ (centre / norm)
    return sorted(((int(r), float(s)) for r, s in zip(rows, sims, strict=True)), key=lambda x: (-x[1], x[0]))


def phrases(text: str) -> list[str]:
    """Candidate key phrases of a text: content words and pairs of adjacent content words.

    A pair never spans punctuation or a stopword; numbers, month names and one-letter words
    (pseudonyms like "Child A") are left out.
    """
    out: list[str] = []
    for clause in _CLAUSE_SPLIT.split(text.lower().replace("’", "'")):
        run: list[str] = []
        for match in re.finditer(r"\S+", clause):
            word = match.group().strip("'-")
            if not _WORD.fullmatch(word) or word in PHRASE_STOPWORDS or word in MONTHS or len(word) < 3:
                run = []
                continue
            word = word.removesuffix("'s")
            out.append(word)
            if run:
                out.append(f"{run[-1]} {word}")
            run.append(word)
    return out


def key_phrases(
    clusters: Sequence[Sequence[int]],
    texts: Sequence[str],
    groups: Sequence[Hashable],
    *,
    k: int = 5,
) -> list[list[str]]:
    """c-TF-IDF key phrases for each cluster of text rows, against all of ``texts`` as the corpus.

    A phrase's weight in a cluster is its frequency there (per phrase of the cluster) times
    ``log(1 + A / f)``, where ``A`` is the average number of phrases per cluster and ``f`` the
    phrase's frequency in the whole corpus. Only phrases found in at least two groups (reviews) of
    the cluster qualify, bigrams get :data:`BIGRAM_BOOST`, and a word already inside a chosen bigram
    is not chosen again
    (nor is a bigram sharing a word with a chosen one).
    """
    per_text = [phrases(t) for t in texts]
    corpus: Counter[str] = Counter()
    for items in per_text:
        corpus.update(items)
    counts: list[Counter[str]] = []
    spread: list[dict[str, set[Hashable]]] = []
    for rows in clusters:
        c: Counter[str] = Counter()
        s: dict[str, set[Hashable]] = {}
        for r in rows:
            c.update(per_text[r])
            for p in set(per_text[r]):
                s.setdefault(p, set()).add(groups[r])
        counts.append(c)
        spread.append(s)
    average = sum(sum(c.values()) for c in counts) / max(1, len(counts))
    out: list[list[str]] = []
    for c, s in zip(counts, spread, strict=True):
        total = sum(c.values()) or 1
        need = 2 if len({g for g_set in s.values() for g in g_set}) >= 2 else 1
        scored = []
        for phrase, n in c.items():
            if len(s[phrase]) < need:
                continue
            weight = n / total * math.log(1 + average / corpus[phrase])
            if " " in phrase:
                weight *= BIGRAM_BOOST
            scored.append((-weight, phrase))
        chosen: list[str] = []
        for _w, phrase in sorted(scored):
            words = phrase.split()
            if any(word in other.split() for word in words for other in chosen if " " in other):
                continue
            chosen = [other for other in chosen if other not in words]
            chosen.append(phrase)
            if len(chosen) >= k:
                break
        out.append(chosen)
    return out


def digest_id(prefix: str, members: Collection[str]) -> str:
    """A short id from the sorted member digests (same members, same id)."""
    joined = "\n".join(sorted(members)).encode("utf-8")
    return f"{prefix}-{hashlib.sha1(joined).hexdigest()[:10]}"


def jaccard(a: Collection[Hashable], b: Collection[Hashable]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    sa, sb = set(a), set(b)
    union = len(sa | sb)
    return len(sa & sb) / union if union else 0.0


def carry_ids(
    new: Sequence[frozenset[str]],
    previous: Mapping[str, frozenset[str]],
    *,
    prefix: str,
    min_jaccard: float = 0.5,
) -> list[str]:
    """An id for each new cluster: the id of the previous cluster it overlaps most (Jaccard of
    members >= ``min_jaccard``, each old id used once, best overlaps first), else a fresh digest id."""
    pairs = []
    for i, members in enumerate(new):
        for old_id, old_members in previous.items():
            score = jaccard(members, old_members)
            if score >= min_jaccard:
                pairs.append((-score, i, old_id))
    ids: list[str | None] = [None] * len(new)
    used: set[str] = set()
    for _score, i, old_id in sorted(pairs):
        if ids[i] is None and old_id not in used:
            ids[i] = old_id
            used.add(old_id)
    out = []
    for i, members in enumerate(new):
        fresh = ids[i] or digest_id(prefix, members)
        if ids[i] is None and fresh in used:
            fresh = digest_id(prefix, [*members, str(i)])
        used.add(fresh)
        out.append(fresh)
    return out


def purity(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Share of items whose cluster's most common true group is their own group."""
    if not predicted:
        return 0.0
    by_cluster: dict[Hashable, Counter[Hashable]] = {}
    for p, t in zip(predicted, truth, strict=True):
        by_cluster.setdefault(p, Counter())[t] += 1
    return sum(max(c.values()) for c in by_cluster.values()) / len(predicted)


def adjusted_rand(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Adjusted Rand index of two labellings of the same items (1 = identical, ~0 = chance)."""
    if len(predicted) != len(truth):
        raise ValueError("both labellings must cover the same items")
    n = len(predicted)
    if n < 2:
        return 1.0
    table = Counter(zip(predicted, truth, strict=True))
    rows = Counter(predicted)
    cols = Counter(truth)
    index = sum(math.comb(v, 2) for v in table.values())
    sum_rows = sum(math.comb(v, 2) for v in rows.values())
    sum_cols = sum(math.comb(v, 2) for v in cols.values())
    expected = sum_rows * sum_cols / math.comb(n, 2)
    maximum = (sum_rows + sum_cols) / 2
    if maximum == expected:
        return 1.0
    return float((index - expected) / (maximum - expected))
