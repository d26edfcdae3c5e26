"""How much could a writer's own labels lift tagging? Bounds measured on training writers.

Issue 15 asks for +10 points of micro-F1 on an unseen review style after 100 of its labelled
passages; ``gwersi eval learning-curve`` (members refitted with the labels, fusion and policy kept)
measured about +0.8. This tool asks whether *any* cheap use of those labels could do much better. It
fits the ensemble without each fold of nine training writers (``tools/writer_folds.py``), keeps
its scores for their passages, and then, per writer and random draw, takes whole reviews as a pool
of N labelled passages (the rest of the writer's reviews are the test) and compares:

- ``base``: the fitted ensemble's decisions, the writer's labels unused;
- ``pool shift``: one logit offset for every standard, chosen on the pool (a writer who labels more
  or less generously);
- ``pool policy``: the whole decision policy (thresholds, label-count prior, floor, cap) refitted
  on the pool (:func:`taxonomy.decision.fit_policy`);
- ``pool neighbours``: each test passage's score moved by the similarity-weighted labels of its
  nearest pool passages (a kNN over the writer's own labels, on top of the members);
- ``oracle shift``: the best single offset chosen on the *test* passages themselves;
- ``oracle policy``: the whole policy fitted on all of the writer's passages and scored on the same
  passages (in-sample: an upper bound for anything that only moves thresholds).

Measured 2026-12-07 (pool of 100, five draws per writer, nine writers, pooled micro-F1): base 0.616;
pool shift 0.607; pool policy 0.618; pool neighbours 0.619 (k 10, weight 1: the best of k 5/10/20
and weight 0.5-3 tried); oracle shift 0.637. Pools of 25 and 50 move it less still. Oracle policy,
per writer in-sample: 0.614-0.704, +2.4 to +7.0 points over the base's 0.569-0.654.
So no threshold or prior learned from a writer's labels, even chosen on the test itself, reaches
+10: what the base misses is which standards a passage speaks to, not where the line is, and 100
passages add little to the four thousand or so that each fold's fit learns from about thirty other
writers.

    .venv/bin/python tools/adaptation_ceiling.py [--cache /tmp/folds.pkl]   # fits: eight minutes
"""

from __future__ import annotations

import argparse
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np

from taxonomy.decision import DecisionPolicy, fit_policy, micro_f1, word_count
from taxonomy.learning_curve import review_split

POOL_SIZES = (25, 50, 100)
DRAWS = 5
SHIFTS = np.round(np.arange(-2.0, 2.01, 0.1), 2)
NEIGHBOURS, TEMPERATURE, NEIGHBOUR_WEIGHT = 10, 0.05, 1.0


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-z)))


def fold_scores() -> list[dict[str, object]]:
    """Per fold: the held-out writers' ensemble scores, labels, word counts, writers, reviews, vectors."""
    from writer_folds import fit_folds, writer

    out = []
    for fit in fit_folds():
        ids = list(fit.tagger.taxonomy.ids)
        out.append({
            "scores": fit.tagger.score(fit.inputs()).scores,
            "labels": np.array([[s in ex.standards for s in ids] for ex in fit.held_out]),
            "words": np.array([word_count(ex.text) for ex in fit.held_out]),
            "writers": np.array([writer(ex) for ex in fit.held_out]),
            "reviews": np.array([ex.source.split(":")[2] for ex in fit.held_out]),
            "vectors": fit.vectors,
            "policy": fit.tagger.policy,
        })
    return out


def _best_shift(policy: DecisionPolicy, scores: np.ndarray, labels: np.ndarray, words: list[int]) -> float:
    ranked = [(micro_f1(policy.accept(_sigmoid(_logit(scores) + d), words), labels), -abs(d), float(d))
              for d in SHIFTS]
    return max(ranked)[2]


def _pool_split(reviews: np.ndarray, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray] | None:
    """Whole reviews into a pool of ``size`` passages (as the learning curve splits; shuffled, cut to
    size); the other reviews test. ``None`` if the writer has too few passages."""
    pool, test = review_split(list(reviews), size, rng)
    return (pool[:size], test) if len(pool) >= size else None


def _methods(f: dict[str, np.ndarray | DecisionPolicy], pool: np.ndarray,
             test: np.ndarray) -> dict[str, np.ndarray]:
    scores, labels, words, vectors = (np.asarray(f[k]) for k in ("scores", "labels", "words", "vectors"))
    policy = f["policy"]
    assert isinstance(policy, DecisionPolicy)
    labels = labels.astype(bool)
    s, w, pool_words = scores[test], words[test].tolist(), words[pool].tolist()
    shift = _best_shift(policy, scores[pool], labels[pool], pool_words)
    refit = fit_policy(scores[pool], labels[pool], pool_words, min_positives=5)
    similarity = vectors[test] @ vectors[pool].T
    top = np.argsort(-similarity, axis=1)[:, :NEIGHBOURS]
    weights = np.exp(np.take_along_axis(similarity, top, 1) / TEMPERATURE)
    share = (weights[:, :, None] * labels[pool][top]).sum(1) / weights.sum(1, keepdims=True)
    moved = _logit(s) + NEIGHBOUR_WEIGHT * (share - labels[pool].mean(0))
    return {
        "base": policy.accept(s, w),
        "pool shift": policy.accept(_sigmoid(_logit(s) + shift), w),
        "pool policy": refit.accept(s, w),
        "pool neighbours": policy.accept(_sigmoid(moved), w),
        "oracle shift": policy.accept(_sigmoid(_logit(s) + _best_shift(policy, s, labels[test], w)), w),
    }


def _f1(counts: list[tuple[int, int, int]]) -> float:
    tp, fp, fn = np.sum(counts, axis=0)
    return float(2 * tp / max(2 * tp + fp + fn, 1))


def report(folds: list[dict[str, object]], sizes: tuple[int, ...] = POOL_SIZES, draws: int = DRAWS,
           echo: Callable[[str], None] = print) -> None:
    """Print pooled micro-F1 per method and pool size, then each writer's in-sample oracle policy."""
    for size in sizes:
        counts: dict[str, dict[str, list[tuple[int, int, int]]]] = {}
        for f in folds:
            writers, labels = np.asarray(f["writers"]), np.asarray(f["labels"]).astype(bool)
            for name in sorted(set(writers)):
                mine = np.flatnonzero(writers == name)
                rng = np.random.default_rng(0)
                for _ in range(draws):
                    split = _pool_split(np.asarray(f["reviews"])[mine], size, rng)
                    if split is None:
                        continue
                    pool, test = mine[split[0]], mine[split[1]]
                    truth = labels[test]
                    for method, predicted in _methods(f, pool, test).items():  # type: ignore[arg-type]
                        counts.setdefault(method, {}).setdefault(name, []).append(
                            (int((predicted & truth).sum()), int((predicted & ~truth).sum()),
                             int((~predicted & truth).sum())))
        echo(f"pool of {size} labelled passages, {draws} draws per writer (pooled micro-F1, then per writer)")
        for method, per in counts.items():
            pooled = _f1([c for runs in per.values() for c in runs])
            echo(f"  {method:16s} {pooled:.3f}  " + " ".join(f"{n}:{_f1(r):.2f}" for n, r in sorted(per.items())))
    echo("oracle policy (fitted and scored on all of a writer's passages, in-sample)")
    for f in folds:
        writers, labels = np.asarray(f["writers"]), np.asarray(f["labels"]).astype(bool)
        scores, words, policy = np.asarray(f["scores"]), np.asarray(f["words"]), f["policy"]
        assert isinstance(policy, DecisionPolicy)
        for name in sorted(set(writers)):
            mine = np.flatnonzero(writers == name)
            lengths = words[mine].tolist()
            oracle = fit_policy(scores[mine], labels[mine], lengths, min_positives=5)
            echo(f"  {name}: base {micro_f1(policy.accept(scores[mine], lengths), labels[mine]):.3f}, "
                 f"oracle {micro_f1(oracle.accept(scores[mine], lengths), labels[mine]):.3f} "
                 f"({len(mine)} passages, {labels[mine].sum(1).mean():.2f} standards each)")


def main() -> None:
    """Fit (or read the cached fits), then print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="pickle of the fold scores: read if present, else written")
    args = parser.parse_args()
    if args.cache and args.cache.exists():
        folds = pickle.loads(args.cache.read_bytes())
    else:
        folds = fold_scores()
        if args.cache:
            args.cache.write_bytes(pickle.dumps(folds))
    report(folds)


if __name__ == "__main__":
    main()
