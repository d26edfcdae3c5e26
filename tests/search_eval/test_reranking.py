"""Which reranker hybrid search is given: the shipped one only with its own encoder and the concept
list, and never with the setting off."""

from __future__ import annotations

from pathlib import Path

import pytest

from gwersi.context import AppContext
from gwersi.reranking import search_reranker
from gwersi.settings import Settings
from index.rerank import SHIPPED, load_reranker


def test_no_reranker_for_another_encoder_without_concepts_or_with_the_setting_off(tmp_path: Path) -> None:
    for overrides, concepts in (({}, True), ({"search_rerank": False}, True)):
        ctx = AppContext(Settings(data_dir=tmp_path / "data", database_url=None, encoder="hashing", **overrides))
        try:
            assert search_reranker(ctx, concepts=concepts) is None
        finally:
            ctx.close()


@pytest.mark.model
def test_the_packaged_encoder_with_concepts_gets_the_shipped_reranker(tmp_path: Path) -> None:
    ctx = AppContext(Settings(data_dir=tmp_path / "data", database_url=None))
    try:
        assert search_reranker(ctx, concepts=True) == load_reranker(SHIPPED)
        assert search_reranker(ctx, concepts=False) is None  # fitted with the concept list
    finally:
        ctx.close()
