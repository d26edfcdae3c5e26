"""The taxonomy is complete and consistent (like a docs test: it fails when data goes missing)."""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from typing import Any

import pytest

from taxonomy.errors import TaxonomyError
from taxonomy.standards import TAXONOMY_VERSION, Taxonomy, load_taxonomy, parse_taxonomy

DRAFTED_IN_FULL = {"S02", "S12", "S16", "S18", "S19", "S24"}


def _raw() -> dict[str, Any]:
    text = resources.files("taxonomy").joinpath("data/standards.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_counts_and_order(taxonomy: Taxonomy) -> None:
    assert taxonomy.version == TAXONOMY_VERSION
    assert taxonomy.ids == tuple(f"S{n:02d}" for n in range(1, 27))
    assert [s.number for s in taxonomy.standards] == list(range(1, 27))
    assert [c.id for c in taxonomy.components] == ["C1", "C2", "C3", "C4", "C5"]


def test_ids_and_slugs_unique(taxonomy: Taxonomy) -> None:
    slugs = [s.slug for s in taxonomy.standards]
    assert len(set(slugs)) == 26
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in slugs)
    assert len({c.slug for c in taxonomy.components}) == 5
    assert set(taxonomy.by_id) == set(taxonomy.ids)


@pytest.mark.parametrize("sid", [f"S{n:02d}" for n in range(1, 27)])
def test_every_standard_is_filled_in(taxonomy: Taxonomy, sid: str) -> None:
    s = taxonomy.by_id[sid]
    assert s.title.strip() and s.description.strip()
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", s.description.strip()) if x]
    assert 2 <= len(sentences) <= 4
    assert 15 <= len(s.cue_phrases) <= 40
    assert len({c.lower() for c in s.cue_phrases}) == len(s.cue_phrases)
    assert 3 <= len(s.examples) <= 6
    assert all(len(c.split()) <= 8 for c in s.cue_phrases)
    assert s.related and s.components
    if sid in DRAFTED_IN_FULL:
        assert s.must_dos
    else:
        assert s.must_dos == ()


def test_references_resolve(taxonomy: Taxonomy) -> None:
    components = {c.id for c in taxonomy.components}
    for s in taxonomy.standards:
        assert set(s.related) <= set(taxonomy.ids) - {s.id}
        assert set(s.components) <= components


def test_components_are_filled_in(taxonomy: Taxonomy) -> None:
    for c in taxonomy.components:
        assert c.title.strip() and c.description.strip()
        assert taxonomy.component(c.id) is c


def test_loading_is_cached() -> None:
    assert load_taxonomy() is load_taxonomy()


def test_index_of(taxonomy: Taxonomy) -> None:
    assert taxonomy.index_of("S18") == 17
    with pytest.raises(TaxonomyError):
        taxonomy.index_of("S99")


def _drop_standard(d: dict[str, Any]) -> None:
    d["standards"].pop()


def _duplicate_slug(d: dict[str, Any]) -> None:
    d["standards"][1]["slug"] = d["standards"][0]["slug"]


def _bad_related(d: dict[str, Any]) -> None:
    d["standards"][0]["related"] = ["S77"]


def _bad_component(d: dict[str, Any]) -> None:
    d["standards"][0]["components"] = ["C9"]


def _empty_cue(d: dict[str, Any]) -> None:
    d["standards"][3]["cue_phrases"] = ["ok", " "]


def _no_version(d: dict[str, Any]) -> None:
    del d["version"]


def _missing_field(d: dict[str, Any]) -> None:
    del d["standards"][5]["description"]


@pytest.mark.parametrize(
    "corrupt", [_drop_standard, _duplicate_slug, _bad_related, _bad_component, _empty_cue, _no_version,
                _missing_field],
)
def test_malformed_documents_are_refused(corrupt: Any) -> None:
    data = copy.deepcopy(_raw())
    corrupt(data)
    with pytest.raises(TaxonomyError):
        parse_taxonomy(data)


def test_a_file_with_another_version_loads_from_a_path(tmp_path: Any) -> None:
    data = _raw()
    data["version"] = "test-1"
    path = tmp_path / "standards.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_taxonomy(str(path)).version == "test-1"
