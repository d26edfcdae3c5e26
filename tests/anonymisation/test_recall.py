"""Recall on planted identifiers (44 per kind, in copies of four sample sources) and findings on the
unmodified, pseudonymised samples. Figures and the misses are in tests/anonymisation/RESULTS.md;
``python -m tests.anonymisation.planting`` prints them."""

from __future__ import annotations

import pytest

from gwersi.anonymisation import KINDS
from tests.anonymisation.planting import (
    DEV_POOLS,
    HELD_OUT_POOLS,
    PER_KIND,
    Pools,
    findings_on_samples,
    measure_recall,
    planted_items,
)

MIN_RECALL = {"development": 0.9, "held-out": 0.75}
"""Floors, not the measured values: a regression below them fails the suite."""
WARNING_KINDS = {"rare_combination"}
"""Kinds that published reviews legitimately contain (age, place and event of a death); reported, not failed."""


def test_the_planted_set_has_enough_distinct_identifiers_of_every_kind() -> None:
    items = planted_items()
    for kind in KINDS:
        texts = [t for k, t, _s in items if k == kind]
        assert len(texts) == len(set(texts)) == PER_KIND >= 40


@pytest.mark.parametrize(
    ("label", "pools", "seed"), [("development", DEV_POOLS, 5), ("held-out", HELD_OUT_POOLS, 11)]
)
def test_recall_per_kind_on_planted_identifiers(label: str, pools: Pools, seed: int) -> None:
    m = measure_recall(seed, pools)
    assert sum(m.planted.values()) == PER_KIND * len(KINDS)
    low = {k: round(m.recall(k), 2) for k in KINDS if m.recall(k) < MIN_RECALL[label]}
    assert not low, (low, [(i.kind, i.text) for i in m.missed])


def test_unmodified_pseudonymised_samples_raise_no_identifier_findings() -> None:
    by_sample = findings_on_samples()
    assert len(by_sample) == 24
    unexpected = {
        name: [(f.kind, f.text) for f in findings if f.kind not in WARNING_KINDS]
        for name, findings in by_sample.items()
    }
    assert not any(unexpected.values()), {k: v for k, v in unexpected.items() if v}
