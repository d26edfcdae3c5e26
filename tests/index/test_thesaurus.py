"""Query expansion: the thesaurus table, its packaged data, BM25's weighted extra terms, and the
engine finding a passage by a name the query did not use."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.encoder import HashingEncoder
from index.engine import EXPANSION_WEIGHT, SearchEngine, keyword_text
from index.manifest import corpus_hash
from index.sparse import SparseIndex
from index.thesaurus import THESAURUS_FILE, Thesaurus, default_thesaurus, read_thesaurus
from tests.index.conftest import make_records

SMALL = Thesaurus(
    version="t",
    groups=(("PPN", "public protection notification"), ("A&E", "ED", "emergency department"), ("Clare's Law", "DVDS")),
    case_sensitive=frozenset({"ED"}),
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("PPN screening", ("public protection notification",)),
        ("ppn screening", ("public protection notification",)),  # any case ...
        ("the ed said", ()),  # ... except a case-sensitive member
        ("ED triage", ("A&E", "emergency department")),
        ("A&E staff", ("ED", "emergency department")),
        ("was Clare\u2019s Law used", ("DVDS",)),  # a curly apostrophe is the same word
        ("ppns", ()),  # whole words only
        ("public protection notification and PPN", ()),  # nothing the query already says
        ("PPN at the emergency department", ("public protection notification", "A&E", "ED")),
        ("nothing to expand here", ()),
    ],
)
def test_expansions(query: str, expected: tuple[str, ...]) -> None:
    assert SMALL.expansions(query) == expected


def test_a_group_needs_two_terms() -> None:
    with pytest.raises(ValueError, match="two or more"):
        Thesaurus(version="x", groups=(("PPN",),))


def test_the_packaged_thesaurus_loads_and_its_terms_are_unique() -> None:
    thesaurus = default_thesaurus()
    raw = json.loads(THESAURUS_FILE.read_text(encoding="utf-8"))
    assert thesaurus.version == raw["version"] and len(thesaurus.groups) == len(raw["groups"]) >= 20
    terms = [t.lower() for g in thesaurus.groups for t in g]
    assert len(terms) == len(set(terms)), "a term in two groups would chain unrelated expansions"
    assert thesaurus.case_sensitive <= {t for g in thesaurus.groups for t in g}
    assert "domestic violence disclosure scheme" in thesaurus.expansions("Clare's Law")


def test_a_thesaurus_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"version": "v2", "groups": [["MARAC", "risk conference"]]}), encoding="utf-8")
    assert read_thesaurus(path) == Thesaurus(version="v2", groups=(("MARAC", "risk conference"),))


def test_bm25_weighs_extra_terms_and_never_counts_a_query_term_twice() -> None:
    index = SparseIndex()
    index.build([1, 2], ["the police notification reached the school", "the health visitor saw the baby"])
    plain = index.scores("notification")
    assert index.scores("notification", extra="notification", extra_weight=0.5).tolist() == plain.tolist()
    health = index.scores("health")
    combined = index.scores("notification", extra="health", extra_weight=0.5)
    assert combined == pytest.approx(plain + 0.5 * health)
    ids, _ = index.search("notification", 5, extra="health visitor", extra_weight=0.5)
    assert ids.tolist() == [1, 2]  # the query's own term outranks the expansion


def _engine(records: list) -> SearchEngine:  # type: ignore[type-arg]
    encoder = HashingEncoder()
    vectors = encoder.encode([r.text for r in records])
    return SearchEngine.build(records, np.asarray(vectors), encoder)


def test_search_finds_a_passage_by_the_name_the_query_did_not_use() -> None:
    records = make_records()
    records[0] = replace(records[0], text="Nobody made an application under Clare's Law for the mother.")
    engine = _engine(records)
    hits = engine.search("DVDS", mode="bm25", k=3)
    assert hits[0].record.passage_id == 11  # then passages sharing "domestic" or "violence" of the expansion
    assert "clare" in [t.lower() for t in hits[0].matched_terms]
    assert engine.search("DVDS", mode="bm25", k=3, expand=False) == []
    bm25, _dense, _concepts = engine.ranked_lists("DVDS", 5)
    assert bm25[0] == 11 and engine.ranked_lists("DVDS", 5, expand=False)[0] == []


def test_bm25_searches_the_section_heading_beside_the_text() -> None:
    records = make_records()
    records[5] = replace(records[5], section_heading="Self-neglect was seen as a lifestyle choice")
    engine = _engine(records)
    assert keyword_text(records[5]).startswith("Self-neglect was seen")
    assert keyword_text(records[0]) == records[0].text  # no heading: the text alone
    hits = engine.search("lifestyle choice", mode="bm25", k=3)
    assert [h.record.passage_id for h in hits] == [23]
    assert "lifestyle" not in hits[0].snippet.lower()  # snippets quote the passage text only


def test_a_changed_heading_makes_a_saved_index_stale(tmp_path: Path) -> None:
    records = make_records()
    engine = _engine(records)
    engine.save(tmp_path)
    moved = [replace(r, section_heading="What we learned") if r.passage_id == 11 else r for r in records]
    same_text = corpus_hash((r.passage_id for r in records), (r.text for r in records))
    assert engine.manifest().corpus_hash != corpus_hash((r.passage_id for r in moved), (keyword_text(r) for r in moved))
    assert engine.manifest().corpus_hash == same_text  # no heading anywhere: the text alone
    with pytest.raises(Exception, match="corpus_hash"):
        SearchEngine.load(tmp_path, moved, HashingEncoder())


def test_expansion_weight_is_below_a_query_term() -> None:
    assert 0.0 < EXPANSION_WEIGHT < 1.0
