"""Fitted ensemble members written once and read back: same scores, rebuilt with the caller's encoder
and taxonomy, and anything unreadable or fitted on other data ignored (the caller then fits afresh)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from taxonomy.calibration import fit_members
from taxonomy.members import load_members, save_members
from taxonomy.models import TagInput
from taxonomy.standards import Taxonomy
from taxonomy.training import LabelledExample
from tests.taxonomy.fakes import FakeEncoder

TEXTS = ["Nobody asked the child what life at home was like before the case was closed.",
         "The GP, school and police each held part of the picture but no strategy discussion was held."]


def _items(encoder: FakeEncoder) -> list[TagInput]:
    vectors = encoder.encode(TEXTS)
    return [TagInput(str(i), t, vectors[i], "analysis") for i, t in enumerate(TEXTS)]


def test_members_read_back_score_as_fitted_and_use_the_callers_encoder(
        tmp_path: Path, training: list[LabelledExample], taxonomy: Taxonomy, encoder: FakeEncoder) -> None:
    subset = training[::2]
    fitted = fit_members(subset, encoder.encode([ex.text for ex in subset]), taxonomy, encoder)
    path = tmp_path / "members.pkl.gz"
    save_members(fitted, path, "fp1")
    other = FakeEncoder()
    loaded = load_members(path, "fp1", other, taxonomy)
    assert loaded is not None and sorted(loaded) == ["embedding", "rule", "supervised"]
    assert loaded["supervised"].encoder is other and loaded["embedding"].encoder is other
    assert loaded["supervised"].taxonomy is taxonomy
    assert loaded["rule"].cue_reliability == fitted["rule"].cue_reliability
    assert "neighbours" in fitted  # fitted in a second from the training vectors when a tagger is built: not saved
    for name in loaded:
        expected, got = fitted[name].score(_items(encoder)).scores, loaded[name].score(_items(encoder)).scores
        assert np.allclose(np.nan_to_num(expected, nan=-1), np.nan_to_num(got, nan=-1)), name
    only = load_members(path, "fp1", other, taxonomy, only=("supervised",))
    assert only is not None and list(only) == ["supervised"]  # search's concept list needs no rule member
    assert np.allclose(np.nan_to_num(only["supervised"].score(_items(encoder)).scores, nan=-1),
                       np.nan_to_num(loaded["supervised"].score(_items(encoder)).scores, nan=-1))


def test_another_fingerprint_a_torn_file_or_no_file_gives_none(
        tmp_path: Path, training: list[LabelledExample], taxonomy: Taxonomy, encoder: FakeEncoder) -> None:
    path = tmp_path / "members.pkl.gz"
    assert load_members(path, "fp", encoder, taxonomy) is None
    subset = training[::4]
    save_members(fit_members(subset, encoder.encode([ex.text for ex in subset]), taxonomy, encoder), path, "fp")
    assert load_members(path, "another", encoder, taxonomy) is None
    assert load_members(path, "fp", encoder, taxonomy) is not None
    path.write_bytes(path.read_bytes()[:40])
    assert load_members(path, "fp", encoder, taxonomy) is None
    path.write_bytes(b"not a gzip file")
    assert load_members(path, "fp", encoder, taxonomy) is None


def test_rule_cue_weights_learned_once_are_cached_in_the_data_folder(
        tmp_path: Path, training: list[LabelledExample]) -> None:
    from gwersi.context import AppContext
    from gwersi.settings import Settings
    from gwersi.tagging import _cue_reliability

    ctx = AppContext(Settings(data_dir=tmp_path / "data", database_url=None, tagger="rule", encoder="hashing"))
    try:
        subset = [*training[::8], LabelledExample("Nobody asked the child what life at home was like.", ("S01",),
                                                  "panel")]
        first = _cue_reliability(ctx, subset)
        cached = list((tmp_path / "data" / "models").glob("rule-cues-*.json"))
        assert len(cached) == 1
        assert _cue_reliability(ctx, subset) == first
    finally:
        ctx.close()
