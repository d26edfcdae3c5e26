"""Stacked fusion: a small logistic model per standard over the members' scores.

The weighted mean (:func:`taxonomy.ensemble.combine`) gives every standard the same mix of members
and looks at one standard at a time. The stacker learns, per standard, how far to trust each member
and what the passage's other likely standards say about this one (a passage about a father who was
never seen often also speaks to information sharing; one about a return-home interview rarely speaks
to advocacy). Its inputs are member scores the members gave passages they were not fitted on
(:func:`taxonomy.calibration.out_of_fold_scores`), so it learns how members behave on unseen writing.

Chosen on nine training writers held out of a full fit (``tools/writer_folds.py``): pooled micro-F1
0.604 with the weighted mean, 0.612 stacked (fold 1 0.605 -> 0.613, fold 2 0.601 -> 0.611). The
writers the stacker's own out-of-fold probabilities are grouped by move it by a few thousandths
(0.609 to 0.614 over five random groupings). On the same folds, from saved member scores: without
the other standards' scores about 0.607; ``C`` 0.03 / 0.1 / 0.3 about 0.612 / 0.617 / 0.617.

Fitting uses scikit-learn; a fitted stacker is plain numbers and scores with numpy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from taxonomy.scoring import BatchScores

STACK_MEMBERS = ("rule", "embedding", "supervised", "neighbours")
"""The members the stacker reads, in feature order; an ensemble without all of them is not stacked."""
CONTEXT_MEMBER = "supervised"
"""The member whose scores for every standard are given to each standard's model as context."""
STACK_C = 0.1
"""Inverse regularisation strength of each standard's logistic model."""
STACK_FOLDS = 4
"""Groups of writers the stacker's own out-of-fold probabilities are computed over."""
MIN_POSITIVES = 3
"""A standard with fewer positive passages gets no model: its probability is its base rate."""


def stack_features(members: Mapping[str, BatchScores], penalised: Sequence[bool]) -> np.ndarray:
    """Features ``(passages, standards, F)``: each of :data:`STACK_MEMBERS`' scores for the standard
    (an abstention takes the embedding member's score), the rule member's negation flag, whether the
    passage sits in a process or background section (``penalised``), then the
    :data:`CONTEXT_MEMBER`'s scores for every standard."""
    embedding = members["embedding"].scores
    columns = [np.where(np.isnan(members[name].scores), embedding, members[name].scores) for name in STACK_MEMBERS]
    n, k = embedding.shape
    negated = members["rule"].negated
    columns.append(np.zeros((n, k)) if negated is None else negated.astype(float))
    columns.append(np.repeat(np.asarray(penalised, dtype=float).reshape(n, 1), k, axis=1))
    per_standard = np.stack(columns, axis=2)
    context = columns[STACK_MEMBERS.index(CONTEXT_MEMBER)]
    return np.concatenate([per_standard, np.repeat(context[:, None, :], k, axis=1)], axis=2)


@dataclass(frozen=True)
class Stacker:
    """One logistic model per standard over :func:`stack_features` (coefficients ``k x F``)."""

    coefficients: tuple[tuple[float, ...], ...]
    intercepts: tuple[float, ...]

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """``(passages, standards)`` probabilities for features from :func:`stack_features`."""
        weights = np.asarray(self.coefficients, dtype=np.float64)
        if features.shape[1:] != weights.shape:
            raise ValueError(f"stacker expects features of shape (n, {weights.shape}), got {features.shape}")
        z = np.einsum("nkf,kf->nk", features, weights) + np.asarray(self.intercepts)[None, :]
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0))), dtype=np.float64)


def fit_stacker(features: np.ndarray, labels: np.ndarray, c: float = STACK_C) -> Stacker:
    """Fit each standard's model on ``features`` and boolean ``labels`` (passages x standards)."""
    from sklearn.linear_model import LogisticRegression

    n, k, f = features.shape
    y = np.asarray(labels).astype(int)
    coefficients: list[tuple[float, ...]] = []
    intercepts: list[float] = []
    for j in range(k):
        positives = int(y[:, j].sum())
        if positives < MIN_POSITIVES or positives == n:
            rate = (positives + 0.5) / (n + 1.0)
            coefficients.append((0.0,) * f)
            intercepts.append(float(np.log(rate / (1 - rate))))
            continue
        model = LogisticRegression(C=c, max_iter=2000).fit(features[:, j, :], y[:, j])
        coefficients.append(tuple(float(w) for w in model.coef_[0]))
        intercepts.append(float(model.intercept_[0]))
    return Stacker(tuple(coefficients), tuple(intercepts))


def group_folds(groups: Sequence[str], folds: int = STACK_FOLDS) -> np.ndarray:
    """A fold per passage: groups (writers, review types, a board's labels) sorted and dealt round."""
    keys = {key: n % folds for n, key in enumerate(sorted(set(groups)))}
    return np.array([keys[g] for g in groups], dtype=int)


def out_of_group_probabilities(features: np.ndarray, labels: np.ndarray, groups: Sequence[str],
                               folds: int = STACK_FOLDS, c: float = STACK_C) -> np.ndarray:
    """Each passage's stacked probabilities from a stacker fitted without its fold of groups, so a
    decision policy can be chosen on them without the stacker having seen the passage's writer."""
    fold_of = group_folds(groups, folds)
    out = np.zeros(np.asarray(labels).shape, dtype=np.float64)
    for f in range(folds):
        held = fold_of == f
        if not held.any():
            continue
        if held.all():  # one group only: nothing to fit on without it
            return fit_stacker(features, labels, c).probabilities(features)
        out[held] = fit_stacker(features[~held], labels[~held], c).probabilities(features[held])
    return out
