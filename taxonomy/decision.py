"""Multi-label decisions on calibrated scores: per-standard thresholds and a label-count prior.

A passage's standards are accepted ("above the line") when

1. its score reaches that standard's own threshold, or
2. the passage has fewer accepted standards than passages of its length usually carry (the
   *label-count prior*) and the standard is next in rank with a score of at least ``floor``;

and at most ``max_accepted`` are accepted, best first. Everything else stays a ranked suggestion
below the line, so the panel can still see it. :func:`fit_policy` chooses every number here on
scores the taggers gave passages they were not trained on (out of fold); nothing is chosen on the
figures that are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LENGTH_BUCKETS = (0, 40, 80, 140)
"""Lower bounds (in words) of the passage-length buckets the label-count prior is kept for."""
THRESHOLD_GRID = tuple(float(t) for t in np.round(np.arange(0.15, 0.86, 0.025), 3))
FLOOR_GRID = tuple(float(t) for t in np.round(np.arange(0.0, 0.51, 0.025), 3))
CAPS = (2, 3, 4)
MIN_POSITIVES = 8
"""Standards with fewer positive passages than this keep the global threshold."""
MAX_RANKED = 6
"""Suggestions kept per passage, above and below the line together."""


def word_count(text: str) -> int:
    """Whitespace-separated words: the length measure of the label-count prior."""
    return len(text.split())


@dataclass(frozen=True)
class DecisionPolicy:
    """Per-standard thresholds, a label-count prior by passage length, a floor and a cap."""

    thresholds: tuple[float, ...]
    count_prior: tuple[float, ...]
    """Mean number of standards per passage in each :attr:`buckets` length bucket."""
    floor: float
    max_accepted: int
    buckets: tuple[int, ...] = LENGTH_BUCKETS
    micro_f1: float = 0.0
    """Out-of-fold micro-F1 this policy reached where it was fitted."""
    passages: int = 0

    def expected_count(self, words: int) -> int:
        """Standards a passage of ``words`` words usually carries (the prior, rounded)."""
        bucket = max(i for i, low in enumerate(self.buckets) if words >= low)
        return int(np.floor(self.count_prior[bucket] + 0.5))

    def accept(self, scores: np.ndarray, word_counts: Sequence[int]) -> np.ndarray:
        """Boolean matrix (passages x standards) of accepted standards; ``NaN`` scores count as 0."""
        s = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0)
        return decide(s, np.asarray(self.thresholds), [self.expected_count(w) for w in word_counts],
                      self.floor, self.max_accepted)


def decide(scores: np.ndarray, thresholds: np.ndarray, expected: Sequence[int], floor: float,
           max_accepted: int) -> np.ndarray:
    """The decision rule of :class:`DecisionPolicy` on plain arrays."""
    accepted = scores >= thresholds[None, :]
    order = np.argsort(-scores, axis=1, kind="stable")
    for i in range(scores.shape[0]):
        need = int(expected[i]) - int(accepted[i].sum())
        for j in order[i]:
            if need <= 0 or scores[i, j] < floor:
                break
            if not accepted[i, j]:
                accepted[i, j] = True
                need -= 1
        if accepted[i].sum() > max_accepted:
            keep = [j for j in order[i] if accepted[i, j]][:max_accepted]
            accepted[i] = False
            accepted[i, keep] = True
    return accepted


def _counts(predicted: np.ndarray, truth: np.ndarray) -> tuple[int, int, int]:
    return (int(np.sum(predicted & truth)), int(np.sum(predicted & ~truth)), int(np.sum(~predicted & truth)))


def micro_f1(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Micro-averaged F1 of two boolean matrices."""
    tp, fp, fn = _counts(predicted, truth.astype(bool))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def count_prior(labels: np.ndarray, word_counts: Sequence[int],
                buckets: tuple[int, ...] = LENGTH_BUCKETS) -> tuple[float, ...]:
    """Mean label count per length bucket; an empty bucket borrows the overall mean."""
    per_row = labels.sum(axis=1)
    words = np.asarray(word_counts)
    overall = float(per_row.mean()) if len(per_row) else 1.0
    bounds = [*buckets[1:], 10**9]
    out = []
    for low, high in zip(buckets, bounds, strict=True):
        rows = (words >= low) & (words < high)
        out.append(round(float(per_row[rows].mean()), 3) if rows.sum() >= 5 else round(overall, 3))
    return tuple(out)


def fit_policy(scores: np.ndarray, labels: np.ndarray, word_counts: Sequence[int],
               min_positives: int = MIN_POSITIVES) -> DecisionPolicy:
    """Choose thresholds, prior, floor and cap to maximise micro-F1 on out-of-fold ``scores``.

    1. the prior: mean label count by passage length;
    2. a global threshold, then each standard with at least ``min_positives`` positives gets the
       threshold that maximises its own F1 under the rule (others keep the global one);
    3. the floor and the cap, by micro-F1 of the whole rule.
    """
    s = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0)
    truth = np.asarray(labels).astype(bool)
    k = s.shape[1]
    prior = count_prior(truth.astype(float), word_counts)
    probe = DecisionPolicy(tuple([0.5] * k), prior, 1.0, max(CAPS))
    expected = [probe.expected_count(w) for w in word_counts]

    def rule_f1(thresholds: np.ndarray, floor: float, cap: int) -> float:
        return micro_f1(decide(s, thresholds, expected, floor, cap), truth)

    best_global = max(THRESHOLD_GRID, key=lambda t: (micro_f1(s >= t, truth), t))
    thresholds = np.full(k, best_global)
    positives = truth.sum(axis=0)
    for j in range(k):
        if positives[j] < min_positives:
            continue
        col = truth[:, j]
        best_t, best = thresholds[j], -1.0
        for t in THRESHOLD_GRID:
            predicted = s[:, j] >= t
            tp, fp, fn = _counts(predicted, col)
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            if f1 > best + 1e-9:
                best_t, best = t, f1
        thresholds[j] = best_t
    best_rule = (-1.0, 1.0, max(CAPS))
    for cap in CAPS:
        for floor in FLOOR_GRID:
            f1 = rule_f1(thresholds, floor, cap)
            if f1 > best_rule[0] + 1e-9:
                best_rule = (f1, floor, cap)
    f1, floor, cap = best_rule
    return DecisionPolicy(tuple(float(t) for t in thresholds), prior, float(floor), int(cap),
                          micro_f1=round(f1, 4), passages=int(s.shape[0]))
