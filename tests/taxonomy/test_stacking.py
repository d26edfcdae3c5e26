"""Stacked fusion: features, fitting, out-of-group probabilities, and the ensemble using it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from taxonomy.decision import DecisionPolicy
from taxonomy.ensemble import EnsembleTagger
from taxonomy.models import TagInput
from taxonomy.scoring import BatchScores
from taxonomy.stacking import (
    MIN_POSITIVES,
    STACK_C,
    STACK_MEMBERS,
    Stacker,
    fit_stacker,
    group_folds,
    out_of_group_probabilities,
    stack_features,
)


def _members(rng: np.random.Generator, n: int, k: int) -> dict[str, BatchScores]:
    out = {name: BatchScores(rng.random((n, k))) for name in STACK_MEMBERS}
    out["rule"] = BatchScores(out["rule"].scores, {}, rng.random((n, k)) < 0.1)
    return out


def test_features_hold_each_member_the_flags_and_the_context_member() -> None:
    rng = np.random.default_rng(0)
    members = _members(rng, 3, 4)
    members["supervised"].scores[1, 2] = np.nan
    x = stack_features(members, [False, True, False])
    assert x.shape == (3, 4, len(STACK_MEMBERS) + 2 + 4)
    assert x[0, 1, 0] == members["rule"].scores[0, 1]
    assert x[2, 3, 3] == members["neighbours"].scores[2, 3]
    assert x[1, 2, 2] == members["embedding"].scores[1, 2], "an abstention takes the embedding member's score"
    assert x[0, 1, 4] == float(members["rule"].negated[0, 1])
    assert list(x[:, 0, 5]) == [0.0, 1.0, 0.0]
    assert list(x[0, 1, 6:]) == list(x[0, 3, 6:]) == list(members["supervised"].scores[0])


def test_a_fitted_stacker_scores_as_scikit_learn_does() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((200, 3, 5))
    y = x[:, :, 0] + 0.3 * rng.random((200, 3)) > 0.8
    stacker = fit_stacker(x, y)
    for j in range(3):
        model = LogisticRegression(C=STACK_C, max_iter=2000).fit(x[:, j, :], y[:, j])
        assert stacker.probabilities(x)[:, j] == pytest.approx(model.predict_proba(x[:, j, :])[:, 1], abs=1e-9)


def test_a_standard_with_too_few_positives_gets_its_base_rate() -> None:
    x = np.random.default_rng(2).random((50, 2, 3))
    y = np.zeros((50, 2), dtype=bool)
    y[: MIN_POSITIVES - 1, 0] = True
    y[:25, 1] = True
    stacker = fit_stacker(x, y)
    assert stacker.coefficients[0] == (0.0, 0.0, 0.0)
    assert stacker.probabilities(x)[:, 0] == pytest.approx(np.full(50, (MIN_POSITIVES - 1 + 0.5) / 51))


def test_the_stacker_learns_what_other_standards_say() -> None:
    # standard 0 is present exactly when the context member is sure of standard 1; its own scores are noise
    rng = np.random.default_rng(3)
    members = _members(rng, 400, 2)
    y = np.zeros((400, 2), dtype=bool)
    y[:, 0] = members["supervised"].scores[:, 1] > 0.7
    y[:, 1] = members["supervised"].scores[:, 1] > 0.5
    x = stack_features(members, [False] * 400)
    p = fit_stacker(x, y, c=10.0).probabilities(x)[:, 0]
    assert p[y[:, 0]].mean() > 0.6 > 0.2 > p[~y[:, 0]].mean()


def test_out_of_group_probabilities_never_see_their_own_group() -> None:
    rng = np.random.default_rng(4)
    x = rng.random((120, 2, 4))
    y = x[:, :, 0] > 0.5
    groups = [f"writer{i % 6}" for i in range(120)]
    folds = group_folds(groups, 3)
    assert len({(g, f) for g, f in zip(groups, folds, strict=True)}) == 6, "a group stays in one fold"
    before = out_of_group_probabilities(x, y, groups, folds=3)
    flipped = y.copy()
    mine = folds == 0
    flipped[mine] = ~flipped[mine]
    after = out_of_group_probabilities(x, flipped, groups, folds=3)
    assert after[mine] == pytest.approx(before[mine]), "a fold's labels never reach its own probabilities"
    assert not np.allclose(after[~mine], before[~mine])


def test_the_ensemble_scores_with_the_calibration_s_stacker() -> None:
    class Fixed:
        def __init__(self, batch: BatchScores) -> None:
            self.batch = batch

        def score(self, items: list[TagInput]) -> BatchScores:
            return self.batch

    class Calibration:
        stacker = Stacker(tuple((1.0,) + (0.0,) * 31 for _ in range(26)), (-0.5,) * 26)

    rng = np.random.default_rng(5)
    batches = _members(rng, 1, 26)
    policy = DecisionPolicy(tuple([0.5] * 26), (1.0, 1.0, 1.0, 1.0), 1.0, 3)
    ensemble = EnsembleTagger({n: Fixed(b) for n, b in batches.items()}, calibration=Calibration(), policy=policy)
    scores = ensemble.score([TagInput("p", "The father was never seen.", None, "analysis")]).scores
    assert scores[0] == pytest.approx(1 / (1 + np.exp(-(batches["rule"].scores[0] - 0.5))))
    without = EnsembleTagger({n: Fixed(b) for n, b in batches.items() if n != "neighbours"},
                             calibration=Calibration(), policy=policy)
    assert not np.allclose(without.score([TagInput("p", "x", None, None)]).scores, scores), \
        "an ensemble without every stacked member falls back to the weighted mean"
