"""The manifest: what an index was built from, and a clear refusal when that changed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from index.errors import IndexMismatchError, IndexMissingError
from index.manifest import MANIFEST_FILE, IndexManifest, corpus_hash


def _manifest(**changes: object) -> IndexManifest:
    base = IndexManifest.create(
        model_id="all-MiniLM-L6-v2@53aa51172d14",
        dimension=384,
        taxonomy_version="2025.1",
        passage_count=2,
        corpus_hash=corpus_hash([1, 2], ["a", "b"]),
        index_kind="flat",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_corpus_hash_ignores_order_but_not_content() -> None:
    assert corpus_hash([1, 2], ["a", "b"]) == corpus_hash([2, 1], ["b", "a"])
    assert corpus_hash([1, 2], ["a", "b"]) != corpus_hash([1, 2], ["a", "c"])
    assert corpus_hash([1, 2], ["ab", ""]) != corpus_hash([1, 2], ["a", "b"])


def test_round_trip(tmp_path: Path) -> None:
    manifest = _manifest()
    manifest.write(tmp_path)
    assert IndexManifest.read(tmp_path) == manifest
    assert manifest.faiss_version != "" and manifest.bm25s_version != ""


def test_versions_and_times_do_not_count_as_mismatches() -> None:
    _manifest().check(_manifest(created_at="2001-01-01T00:00:00+00:00", faiss_version="0.0"))


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"model_id": "hashing-384"}, ["model_id", "hashing-384"]),
        ({"dimension": 64, "model_id": "x"}, ["dimension", "64", "model_id"]),
        ({"taxonomy_version": "2026.1"}, ["taxonomy_version", "2026.1"]),
        ({"passage_count": 3, "corpus_hash": "0" * 64}, ["passage_count", "corpus_hash"]),
    ],
)
def test_mismatch_names_what_differs_and_the_fix(changes: dict[str, object], named: list[str]) -> None:
    with pytest.raises(IndexMismatchError) as caught:
        _manifest().check(_manifest(**changes))
    message = str(caught.value)
    for word in named:
        assert word in message
    assert "run `gwersi index build`" in message


def test_missing_manifest_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="gwersi index build"):
        IndexManifest.read(tmp_path)


def test_corrupt_manifest_is_a_mismatch(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_FILE).write_text('{"model_id": "x"}', encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="missing fields"):
        IndexManifest.read(tmp_path)
