"""The concept model of hybrid search: the supervised tagger's per-standard scores.

The ensemble's supervised member (logistic regression on embedding and TF-IDF features, fitted on
the labelled training passages and the board's own decisions) scores any text over the 26
standards. :mod:`index.concepts` ranks passages by how well those scores match the query's.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from gwersi.context import AppContext
from taxonomy.models import TagInput

log = logging.getLogger(__name__)
_CACHE_KEY = "concepts:supervised"


class SupervisedConcepts:
    """:class:`index.concepts.ConceptModel` over a fitted supervised tagger."""

    def __init__(self, member: Any) -> None:
        self._member = member
        self.model_id = f"supervised@{member.fingerprint()[:16]}"

    def scores(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Calibrated per-standard scores; 0 where the tagger abstains on a standard."""
        items = [TagInput(str(i), text, vectors[i], "") for i, text in enumerate(texts)]
        return np.nan_to_num(self._member.score(items).scores, nan=0.0).astype(np.float32)


def concept_model(ctx: AppContext) -> SupervisedConcepts | None:
    """The concept model for this context (looked up once), or ``None``: when the setting is off,
    when the configured tagger is not a model tagger (``rule``, ``keyword``), or when no supervised
    member fitted on the current training data and encoder is saved yet (nothing is fitted here:
    building the tagger fits and saves it, and the next index build picks it up). Search then fuses
    BM25 and dense only; the log says why."""
    from gwersi.tagging import MODEL_TAGGERS, _training, saved_members

    if not ctx.settings.search_concepts or ctx.settings.tagger not in MODEL_TAGGERS:
        return None
    cache = ctx.tagger_cache()
    if _CACHE_KEY in cache:
        model: SupervisedConcepts | None = cache[_CACHE_KEY]
        return model
    model = None
    try:
        member = _built_supervised(cache.get(ctx.settings.tagger))
        if member is None:
            members = saved_members(ctx, _training(ctx), only=("supervised",))
            member = members.get("supervised") if members is not None else None
        if member is None:
            log.info("hybrid search without the concept list: the tagger's members are not fitted yet")
        else:
            model = SupervisedConcepts(member)
    except Exception as exc:  # noqa: BLE001 - search must work without the concept list
        log.warning("hybrid search without the concept list: the supervised tagger could not be loaded (%s)", exc)
    cache[_CACHE_KEY] = model
    return model


def _built_supervised(tagger: Any) -> Any:
    """The supervised tagger inside an already built tagger (itself, or the ensemble's member)."""
    from taxonomy.supervised import SupervisedTagger

    if isinstance(tagger, SupervisedTagger):
        return tagger
    member = getattr(tagger, "members", {}).get("supervised")
    return member if isinstance(member, SupervisedTagger) else None
