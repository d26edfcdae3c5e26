"""Index rebuilds in a child process: the new generation becomes live in the parent, the result is
the same index an in-process build makes, and readers keep the old engine until the swap."""

from __future__ import annotations

from gwersi.context import AppContext
from gwersi.indexing import build_index, current_generation, rebuild_index
from gwersi.ingesting import store_parsed
from gwersi.pipeline import process_new_passages
from gwersi.searching import search
from gwersi.settings import Settings
from tests.factories import parsed_review

NEW_TEXT = "The kinship carer was never offered a carer's assessment before the placement."


def _ctx(settings: Settings) -> AppContext:
    return AppContext(settings.model_copy(update={"tagger": "rule", "isolated_index_builds": True}))


def test_a_child_built_index_becomes_live_here(settings: Settings) -> None:
    ctx = _ctx(settings)
    store_parsed(ctx, parsed_review(), "a.md")
    process_new_passages(ctx)
    old_engine = ctx.search_engine_or_none()
    first = current_generation(ctx.settings.index_dir)
    store_parsed(ctx, parsed_review([NEW_TEXT], reference="CPR X 2/2024", name="b.md"), "b.md")
    process_new_passages(ctx)
    new_engine = ctx.search_engine_or_none()
    assert new_engine is not old_engine and len(new_engine) == len(old_engine) + 1
    assert current_generation(ctx.settings.index_dir) != first
    assert search(ctx, "kinship carer assessment", mode="bm25")[0].record.text == NEW_TEXT
    # A reader still holding the old engine sees the old, complete index.
    assert all(h.record.text != NEW_TEXT for h in old_engine.search("kinship carer assessment", mode="bm25"))


def test_child_and_in_process_builds_make_the_same_index(settings: Settings) -> None:
    ctx = _ctx(settings)
    store_parsed(ctx, parsed_review(), "a.md")
    process_new_passages(ctx)
    from_child = rebuild_index(ctx).manifest()
    in_process = build_index(ctx).manifest()
    assert from_child.corpus_hash == in_process.corpus_hash
    assert from_child.passage_count == in_process.passage_count > 0
