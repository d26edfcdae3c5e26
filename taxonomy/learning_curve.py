"""Learning curve: how much a board's own labels help on a review style the taggers never saw.

A *style* is one held-out writer's reviews, from the parts no tagger was trained on
(:data:`~taxonomy.heldout.TAGGING_TEST_PARTS`). For each writer and random draw, the writer's reviews
are shuffled; whole reviews go to a learning pool until it holds the largest size asked for, and
the remaining reviews are the test set (so no test passage shares a review with a learned one).
The ensemble is fitted on the training data plus the first N pool passages (as imported labels,
``learned:<writer>``) and scored on the test reviews, for each N. The members are refitted with
the new passages each time (a board's labels weigh
:data:`~taxonomy.calibration.BOARD_LABEL_WEIGHT` times in the supervised member and in the
neighbours member's vote); fusion weights
and the decision policy are chosen out of fold once, on the training data without any of the
writer's passages. ``recalibrate=True`` chooses them again for each N, as ``gwersi retrain``
would, at five times the cost (measured: no better, +0.3 points at 100 passages, one draw).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from taxonomy.evaluation import score_predictions
from taxonomy.heldout import TAGGING_TEST_PARTS, HeldoutPassage, heldout_training_examples, load_heldout
from taxonomy.models import Tagger, TextEncoder
from taxonomy.ood import MemoEncoder, Progress, predict
from taxonomy.standards import load_taxonomy
from taxonomy.training import LabelledExample, training_examples

SIZES = (0, 25, 50, 100)


@dataclass(frozen=True)
class CurvePoint:
    """Micro P/R/F1 after learning ``added`` passages, averaged over writers and draws."""

    added: int
    micro_precision: float
    micro_recall: float
    micro_f1: float
    runs: int
    per_writer_f1: dict[str, float]


@dataclass(frozen=True)
class LearningCurve:
    """The curve for the ensemble and the keyword baseline (which does not learn)."""

    tagger: str
    points: tuple[CurvePoint, ...]
    baseline: tuple[CurvePoint, ...]
    writers: tuple[str, ...]
    draws: int
    test_passages: int
    """Test passages per run, summed over writers and draws."""
    skipped_writers: tuple[str, ...] = ()
    """Writers with too few passages to hold the largest size out of their other reviews."""


def review_split(reviews: Sequence[str], need: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a learning pool and a test set, split by whole review: reviews in random order
    join the pool until it holds at least ``need`` items (the last review always tests); the pool's
    indices come back shuffled, the test's in order."""
    names = sorted(set(reviews))
    order = [names[i] for i in rng.permutation(len(names))]
    chosen: list[str] = []
    count = 0
    for review in order[:-1]:
        if count >= need:
            break
        chosen.append(review)
        count += sum(1 for r in reviews if r == review)
    in_pool = np.isin(np.asarray(reviews), chosen)
    pool = np.flatnonzero(in_pool)
    return pool[rng.permutation(len(pool))], np.flatnonzero(~in_pool)


def _split(passages: Sequence[HeldoutPassage], need: int, rng: np.random.Generator) -> tuple[list[LabelledExample],
                                                                                             list[LabelledExample]]:
    pool, test = review_split([p.review for p in passages], need, rng)
    return [passages[i].example for i in pool], [passages[i].example for i in test]


def _learned(examples: Sequence[LabelledExample], writer: str) -> list[LabelledExample]:
    return [LabelledExample(ex.text, ex.standards, f"learned:{writer}", ex.polarity, ex.section_kind, (), ex.id)
            for ex in examples]


def run_learning_curve(sample_sources_dir: str | Path | None, heldout_dir: str | Path, encoder: TextEncoder,
                       sizes: Sequence[int] = SIZES, draws: int = 2, writers: Sequence[str] | None = None,
                       panel: Sequence[LabelledExample] = (), tagger: str = "ensemble", seed: int = 0,
                       recalibrate: bool = False, progress: Progress | None = None) -> LearningCurve:
    """Micro-F1 on each unseen writer's test reviews after adding N of their labelled passages."""
    from taxonomy.registry import make_taggers

    tax = load_taxonomy()
    memo = MemoEncoder(encoder)
    passages = [p for part in TAGGING_TEST_PARTS for p in load_heldout(Path(heldout_dir) / part / "sources")[0]]
    chosen = sorted({p.writer for p in passages} if writers is None else set(writers))
    base = training_examples(sample_sources_dir, tax, panel, heldout_training_examples(heldout_dir))
    names = ["keyword", tagger] if tagger != "keyword" else ["keyword"]

    def fit(extra: Sequence[LabelledExample], calibration: object = None) -> dict[str, Tagger]:
        training = base + list(extra)
        vectors = memo.encode([ex.text for ex in training])
        return make_taggers(names, taxonomy=tax, encoder=memo, training=training, training_vectors=vectors,
                            calibration=calibration)

    if progress:
        progress("fitting on the training data (no passages of the held-out writers)")
    fitted = fit(())
    calibration = getattr(fitted.get(tagger), "calibration", None)
    totals: dict[tuple[str, int], list[tuple[str, list[set[str]], list[set[str]]]]] = {}
    rng = np.random.default_rng(seed)
    test_passages = 0
    largest = max(sizes)
    skipped: set[str] = set()
    for writer in chosen:
        mine = [p for p in passages if p.writer == writer]
        if len({p.review for p in mine}) < 2:
            continue
        for draw in range(draws):
            pool, test = _split(mine, largest, rng)
            if len(pool) < largest:
                skipped.add(writer)
                continue
            test_passages += len(test)
            gold = [set(ex.standards) for ex in test]
            for n in sizes:
                if progress:
                    progress(f"writer {writer}, draw {draw + 1}: learning {n} passages, testing on {len(test)}")
                taggers = fitted if n == 0 else fit(_learned(pool[:n], writer), None if recalibrate else calibration)
                for name, rows in predict(taggers, test, memo).items():
                    totals.setdefault((name, n), []).append((writer, gold, rows))

    def points(name: str) -> tuple[CurvePoint, ...]:
        out = []
        for n in sizes:
            runs = totals.get((name, n), [])
            if not runs:
                continue
            reports = [(w, score_predictions(g, p, tax.ids)) for w, g, p in runs]
            per_writer: dict[str, list[float]] = {}
            for w, r in reports:
                per_writer.setdefault(w, []).append(r.micro_f1)
            out.append(CurvePoint(
                n,
                round(float(np.mean([r.micro_precision for _, r in reports])), 4),
                round(float(np.mean([r.micro_recall for _, r in reports])), 4),
                round(float(np.mean([r.micro_f1 for _, r in reports])), 4),
                len(reports),
                {w: round(float(np.mean(v)), 4) for w, v in sorted(per_writer.items())},
            ))
        return tuple(out)

    used = tuple(w for w in chosen if any(w in p.per_writer_f1 for p in points(tagger)))
    return LearningCurve(tagger, points(tagger), points("keyword"), used, draws, test_passages,
                         tuple(sorted(set(chosen) - set(used))))


def format_learning_curve(curve: LearningCurve) -> str:
    """A table: passages learned -> micro P/R/F1 (mean over writers and draws), per-writer F1."""
    lines = [
        f"Learning curve: {curve.tagger}, writers {', '.join(curve.writers)}, {curve.draws} draws each, "
        f"{curve.test_passages} test passages in all (test reviews never share a review with learned passages)",
        f"{'learned':>8} {'micro P':>8} {'micro R':>8} {'micro F1':>9} {'vs 0':>7} {'keyword F1':>11}  per writer F1",
    ]
    if curve.skipped_writers:
        lines.insert(1, f"skipped writers {', '.join(curve.skipped_writers)}: too few passages to learn "
                        "the largest size and still test on another of their reviews")
    start = curve.points[0].micro_f1 if curve.points else 0.0
    keyword = {p.added: p.micro_f1 for p in curve.baseline}
    for p in curve.points:
        writers = " ".join(f"{w}:{f:.2f}" for w, f in p.per_writer_f1.items())
        lines.append(f"{p.added:>8} {p.micro_precision:>8.3f} {p.micro_recall:>8.3f} {p.micro_f1:>9.3f} "
                     f"{(p.micro_f1 - start) * 100:>+6.1f}p {keyword.get(p.added, 0.0):>11.3f}  {writers}")
    return "\n".join(lines)
