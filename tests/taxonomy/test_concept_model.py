"""The concept model search uses is the shipped supervised member, loaded and never fitted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gwersi.concepts import concept_model
from gwersi.context import AppContext
from gwersi.settings import Settings
from gwersi.tagging import build_tagger, taxonomy


@pytest.mark.model
def test_the_shipped_member_scores_a_query_on_the_standard_it_speaks_to(tmp_path: Path) -> None:
    ctx = AppContext(Settings(data_dir=tmp_path / "data", database_url=None, isolated_index_builds=False))
    try:
        model = concept_model(ctx)
        assert model is not None and model.model_id.startswith("supervised@")
        texts = ["she went missing from home again and nobody held a return home interview with her"]
        scores = model.scores(texts, ctx.encoder.encode(texts))
        ids = list(taxonomy().ids)
        top_two = [ids[i] for i in np.argsort(-scores[0])[:2]]
        assert scores.shape == (1, len(ids)) and "S18" in top_two, top_two  # missing children
        assert not list((tmp_path / "data" / "models").glob("ensemble-members-*")), "nothing fitted"
        # once the tagger is built, search takes its member (the same fit, the same id)
        ctx.tagger_cache().clear()
        build_tagger(ctx)
        assert concept_model(ctx).model_id == model.model_id  # type: ignore[union-attr]
    finally:
        ctx.close()


def test_no_concept_model_for_the_rule_tagger_or_with_the_setting_off(tmp_path: Path) -> None:
    for overrides in ({"tagger": "rule"}, {"search_concepts": False}):
        ctx = AppContext(Settings(data_dir=tmp_path / "data", database_url=None, encoder="hashing", **overrides))
        try:
            assert concept_model(ctx) is None
        finally:
            ctx.close()
