"""Which learned reranker hybrid search uses: the shipped one, when the setting allows and it suits.

The shipped reranker (``index/data/reranker.json``, :mod:`index.rerank`) was fitted on the packaged
encoder's cosines with the concept list present; an engine with another encoder, or without the
concept list (the rule or keyword tagger, or ``GWERSI_SEARCH_CONCEPTS=false``), ranks by RRF alone,
and the log says why.
"""

from __future__ import annotations

import logging

from gwersi.context import AppContext
from index.rerank import SHIPPED, LinearReranker, load_reranker

log = logging.getLogger(__name__)


def search_reranker(ctx: AppContext, *, concepts: bool) -> LinearReranker | None:
    """The reranker for an engine on ``ctx``'s encoder, with the concept list or not; ``None`` when
    the setting is off, the shipped file cannot be read, or it was fitted for another engine."""
    if not ctx.settings.search_rerank:
        return None
    try:
        reranker = load_reranker(SHIPPED)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("hybrid search without the reranker: %s could not be read (%s)", SHIPPED, exc)
        return None
    if not reranker.suits(ctx.encoder.model_id, concepts):
        log.info(
            "hybrid search without the reranker: it was fitted for %s %s the concept list",
            reranker.encoder,
            "with" if reranker.concepts else "without",
        )
        return None
    return reranker
