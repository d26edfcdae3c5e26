"""The ensemble calibration shipped in ``taxonomy/data`` is the one the shipped training data gives.

A fresh install uses it instead of choosing weights and a policy out of fold (about twenty seconds);
it is keyed by a fingerprint of the training data, taxonomy and encoder, so when any of them
changes it is ignored and a test here fails until ``tools/ship_calibration.py`` is rerun.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gwersi.context import AppContext
from gwersi.settings import Settings
from gwersi.tagging import (
    SHIPPED_CALIBRATION,
    SHIPPED_CUES,
    SHIPPED_MEMBERS,
    _training,
    _training_vectors,
    build_tagger,
    calibration_fingerprint,
    cue_fingerprint,
    members_fingerprint,
    shipped_vectors,
    taxonomy,
    text_key,
)
from taxonomy.calibration import calibration_from_json, fit_members
from taxonomy.members import load_members
from taxonomy.models import TagInput

pytestmark = pytest.mark.model


def _context(tmp_path: Path) -> AppContext:
    return AppContext(Settings(data_dir=tmp_path / "data", database_url=None, isolated_index_builds=False))


def test_shipped_calibration_matches_the_shipped_training_data_and_encoder(tmp_path: Path) -> None:
    shipped = json.loads(SHIPPED_CALIBRATION.read_text(encoding="utf-8"))
    ctx = _context(tmp_path)
    try:
        fingerprint = calibration_fingerprint(ctx, _training(ctx))
    finally:
        ctx.close()
    assert shipped["fingerprint"] == fingerprint, (
        "training data, taxonomy or encoder changed: rerun .venv/bin/python tools/ship_calibration.py")
    calibration = calibration_from_json(shipped["calibration"])
    assert len(calibration.policy.thresholds) == 26 and calibration.passages > 0


def test_a_fresh_install_builds_the_ensemble_with_the_shipped_calibration(tmp_path: Path) -> None:
    ctx = _context(tmp_path)
    try:
        tagger = build_tagger(ctx, "ensemble")
    finally:
        ctx.close()
    shipped = calibration_from_json(json.loads(SHIPPED_CALIBRATION.read_text(encoding="utf-8"))["calibration"])
    assert tagger.calibration == shipped
    assert not list((tmp_path / "data" / "models").glob("ensemble-calibration-*.json")), "nothing chosen afresh"
    assert not list((tmp_path / "data" / "models").glob("ensemble-members-*")), "nothing fitted afresh"


def test_shipped_members_are_what_fitting_the_shipped_training_data_gives(tmp_path: Path) -> None:
    ctx = _context(tmp_path)
    try:
        training = _training(ctx)
        shipped = load_members(SHIPPED_MEMBERS, members_fingerprint(ctx, training), ctx.encoder, taxonomy())
        assert shipped is not None, (
            "training data, taxonomy, encoder or scikit-learn changed: rerun tools/ship_calibration.py")
        vectors = _training_vectors(ctx, training, refit=False)
        fitted = fit_members(training, vectors, taxonomy(), ctx.encoder)
        texts = [ex.text for ex in training[:: max(1, len(training) // 40)]]
        rows = ctx.encoder.encode(texts)
        items = [TagInput(str(i), t, rows[i], "analysis") for i, t in enumerate(texts)]
        for name in shipped:  # the neighbours member is never saved: it is fitted when a tagger is built
            expected, got = fitted[name].score(items).scores, shipped[name].score(items).scores
            # Refitting on another CPU moves scores by float noise (measured up to 2.7e-5 for the
            # supervised member: liblinear and BLAS sum in a different order with other vector
            # instructions); stale members differ by orders of magnitude more.
            assert np.allclose(np.nan_to_num(expected, nan=-1), np.nan_to_num(got, nan=-1), atol=1e-4), name
            assert np.array_equal(np.isnan(expected), np.isnan(got)), name
    finally:
        ctx.close()


def test_shipped_training_vectors_are_what_the_encoder_gives(tmp_path: Path) -> None:
    ctx = _context(tmp_path)
    try:
        known = shipped_vectors(ctx.encoder.model_id, ctx.encoder.dimension)
        training = _training(ctx)
        texts = [ex.text for ex in training[:: max(1, len(training) // 20)]]
        fresh = ctx.encoder.encode(texts)
    finally:
        ctx.close()
    assert all(text_key(ex.text) in known for ex in training), "every shipped training text has its row"
    for text, row in zip(texts, fresh, strict=True):
        assert np.allclose(known[text_key(text)], row, atol=1e-5)
    assert shipped_vectors("another-encoder@0", 384) == {}


def test_shipped_rule_cue_weights_are_the_ensemble_rule_members_and_a_rule_tagger_uses_them(tmp_path: Path) -> None:
    ctx = AppContext(Settings(data_dir=tmp_path / "data", database_url=None, tagger="rule", encoder="hashing"))
    try:
        training = _training(ctx)
        shipped = json.loads(SHIPPED_CUES.read_text(encoding="utf-8"))
        assert shipped["fingerprint"] == cue_fingerprint(training), "rerun tools/ship_calibration.py"
        tagger = build_tagger(ctx)
    finally:
        ctx.close()
    assert tagger.cue_reliability == shipped["cue_reliability"] and shipped["cue_reliability"]
    assert not list((tmp_path / "data" / "models").glob("rule-cues-*")), "nothing learned afresh"

