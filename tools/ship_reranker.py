"""Fit hybrid search's reranker on every tunable judged query and write ``index/data/reranker.json``.

The weights are what ``gwersi eval search`` fits on all tunable corpora (the samples and their
misread re-renderings, the held-out dev, test, test11 and test12 parts as DOCX and PDF; the frozen
query sets are left out). Its ``hybrid`` row is the same recipe out of fold. Rerun after changing
the default encoder, the concept list's model, the candidate lists or the features
(``index.rerank.FEATURES``); an engine whose encoder differs from the file's ranks by RRF alone:

    .venv/bin/python tools/ship_reranker.py
"""

from __future__ import annotations

from gwersi.cli import context
from gwersi.search_eval import default_queries_path, format_search_eval, run_search_eval
from index.rerank import SHIPPED, LinearReranker


def main() -> None:
    """Run the search evaluation without the frozen query sets and ship its fitted reranker."""
    ctx = context()
    try:
        result = run_search_eval(ctx, default_queries_path(), frozen=False)
    finally:
        ctx.close()
    reranker = LinearReranker.from_json(result["reranker"])
    reranker.save(SHIPPED)
    print(format_search_eval(result))
    print(f"wrote {SHIPPED} ({reranker.fitted_on})")


if __name__ == "__main__":
    main()
