"""The search-evaluation harness: misread re-renderings, judgment mapping, the embedding cache,
out-of-fold choice, and one small corpus ingested into a throwaway catalogue (hashing encoder)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gwersi.eval_corpora import (
    SAMPLE_QUERIES,
    SAMPLE_SOURCES,
    Corpus,
    EmbeddingCache,
    Encoded,
    _map_judgments,
    _queries_for,
    prepare,
    read_queries,
    render_misread,
)
from gwersi.search_eval import Lists, _choose, _fit_rerankers, _fold_of
from index.encoder import HashingEncoder
from index.ranking import RankingPolicy

DOCS = ("cpr_flint_2", "cpr_cvrsb_2018")


@pytest.mark.parametrize("style", ["bold-plain", "renamed"])
def test_misread_renderings_hide_the_layout(style: str, tmp_path: Path) -> None:
    from docx import Document

    path = render_misread(SAMPLE_SOURCES / "cpr_flint_2.md", tmp_path / "x.docx", style)  # type: ignore[arg-type]
    paragraphs = Document(str(path)).paragraphs
    headings = [p.text for p in paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    if style == "bold-plain":
        assert headings == []
        assert any(p.runs and p.runs[0].bold and "Learning point 1" in p.text for p in paragraphs)
    else:
        assert "Part 1" in headings and not any("organisational learning" in h for h in headings)
    assert any(p.text.startswith("Father was listed on Child B") for p in paragraphs)


def test_judgments_map_to_the_passage_holding_the_quote_even_across_a_split() -> None:
    by_doc = {"d": [(1, "the first passage says hello"), (2, "world and more")]}
    queries = [
        {"id": "q1", "judgments": [{"doc": "d", "quote": "Says  HELLO", "grade": 2}]},
        {"id": "q2", "judgments": [{"doc": "d", "quote": "zzzzzzzz world and more", "grade": 3}]},
        {
            "id": "q3",
            "judgments": [
                {"doc": "d", "quote": "not there at all", "grade": 1},
                {"doc": "other", "quote": "hello", "grade": 1},
            ],
        },
    ]
    qrels, unmapped = _map_judgments(queries, by_doc)
    assert qrels == {"q1": {1: 2}, "q2": {2: 3}, "q3": {}}
    assert unmapped == 2


def test_queries_are_restricted_to_the_corpus_documents() -> None:
    queries = [{"id": "a", "judgments": [{"doc": "x"}, {"doc": "y"}]}, {"id": "b", "judgments": [{"doc": "y"}]}]
    assert _queries_for(queries, {"x"}) == ({"id": "a", "judgments": [{"doc": "x"}]},)


class CountingEncoder(HashingEncoder):
    def __init__(self) -> None:
        super().__init__(16)
        self.calls: list[int] = []

    def encode(self, texts: list[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        self.calls.append(len(texts))
        return super().encode(texts)


def test_the_embedding_cache_encodes_each_text_once_and_persists(tmp_path: Path) -> None:
    encoder = CountingEncoder()
    cache = EmbeddingCache(tmp_path, encoder.model_id)
    first = cache.encode(encoder, ["a b", "c d", "a b"], 8, cost := Encoded())
    assert encoder.calls == [2] and cost.passages_encoded == 2
    cache.save()
    again = EmbeddingCache(tmp_path, encoder.model_id).encode(encoder, ["c d", "a b"], 8, Encoded())
    assert encoder.calls == [2]
    np.testing.assert_allclose(again, first[[1, 0]])


def test_out_of_fold_choice_never_sees_the_held_out_fold() -> None:
    grid = [RankingPolicy(rrf_k=10), RankingPolicy(rrf_k=60)]
    table = {"c": [{"q1": 1.0, "q2": 0.0}, {"q1": 0.0, "q2": 0.9}]}
    assert _choose(grid, table, lambda q: True) == 0  # 0.5 vs 0.45
    assert _choose(grid, table, lambda q: q != "q1") == 1
    assert _choose(grid, table, lambda q: q != "q2") == 0
    assert {_fold_of(f"q{i:03d}", 5) for i in range(10)} == set(range(5))


def test_a_corpus_ingests_into_a_throwaway_catalogue_and_its_judgments_map(tmp_path: Path) -> None:
    from gwersi.context import AppContext
    from gwersi.settings import Settings

    files = tuple(render_misread(SAMPLE_SOURCES / f"{d}.md", tmp_path / "files" / f"{d}.docx", "renamed") for d in DOCS)
    corpus = Corpus("tiny", files, _queries_for(read_queries(SAMPLE_QUERIES), set(DOCS)))
    ctx = AppContext(Settings(data_dir=tmp_path / "data", encoder="hashing"))
    cache = EmbeddingCache(tmp_path / "cache", ctx.encoder.model_id)
    prepared = prepare(ctx, corpus, cache)
    assert prepared.unmapped == 0 and prepared.passages > 20
    assert 0 < prepared.sections_unclassified < 1
    assert prepared.encoded.passages_encoded == prepared.passages
    again = prepare(ctx, corpus, EmbeddingCache(tmp_path / "cache", ctx.encoder.model_id))
    assert again.encoded.passages_encoded == 0  # every vector came from the cache
    qid = next(q["id"] for q in corpus.queries if prepared.qrels[q["id"]])
    query = next(q["query"] for q in corpus.queries if q["id"] == qid)
    bm25, dense, _concepts = prepared.engine.ranked_lists(query, 10)
    assert bm25 and dense
    # the pools a reranker is fitted on, and a reranker fitted out of fold replayed on them
    lists = Lists(prepared)
    judged = lists.judged_pools(lambda _q: True)
    assert len(judged) == sum(1 for g in prepared.qrels.values() if g) and all(len(p) for p, _ in judged)
    per_fold, every = _fit_rerankers({"tiny": lists}, ["tiny"], 2, ctx.encoder.model_id, concepts=False)
    assert len(per_fold) == 2 and every.encoder == ctx.encoder.model_id and "tiny" in every.fitted_on
    run = lists.reranked(lambda q: per_fold[_fold_of(q, 2)], RankingPolicy(rrf_k=10))
    assert set(run) == set(lists.by_query) and all(0 < len(ids) <= 10 for ids in run.values())
    assert 0 < lists.score(run).ndcg <= 1
    # the pool-oracle row: the same pools ordered by the judgments, so no reranker can beat it
    oracle = lists.oracle(RankingPolicy(rrf_k=10))
    served, best = lists.score(run).per_query, lists.score(oracle).per_query
    assert set(best) == set(served) and all(best[q].ndcg >= served[q].ndcg - 1e-12 for q in served)
    firsts = [(oracle[qid][0], set(prepared.qrels.get(qid, {})) & set(b[:50] + d[:50] + c[:50]))
              for qid, (b, d, c) in lists.by_query.items()]
    assert any(judged for _, judged in firsts)
    assert all(first in judged for first, judged in firsts if judged)
    ctx.close()


def test_the_heldout_corpus_splits_queries_by_part_and_freezes_test10(tmp_path: Path) -> None:
    from gwersi.eval_corpora import heldout_corpora

    root = tmp_path / "heldout"
    assert heldout_corpora(root) == []  # nothing built, no queries yet
    for part, doc in (("dev", "cpr_flint_2"), ("test10", "cpr_cvrsb_2018")):
        render_misread(SAMPLE_SOURCES / f"{doc}.md", root / part / "built" / f"{doc}.docx", "bold-plain")
    queries = [q for q in read_queries(SAMPLE_QUERIES) if any(j["doc"] in DOCS for j in q["judgments"])]
    (root / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries), encoding="utf-8")
    corpora = {c.name: c for c in heldout_corpora(root)}
    assert set(corpora) == {"heldout-dev-docx", "heldout-test10-docx"}  # no PDFs built here
    assert corpora["heldout-dev-docx"].tunable and not corpora["heldout-test10-docx"].tunable
    test_docs = {j["doc"] for q in corpora["heldout-test10-docx"].queries for j in q["judgments"]}
    assert test_docs == {"cpr_cvrsb_2018"}
    # work in progress leaves the frozen part out entirely
    assert [c.name for c in heldout_corpora(root, frozen=False)] == ["heldout-dev-docx"]
