"""Taggers chosen by name: ``make_tagger("rule")``, ``make_tagger("ensemble", encoder=..., training=...)``.

Dependencies are passed as keyword arguments and each factory takes what it needs:

- ``taxonomy``: a :class:`~taxonomy.standards.Taxonomy` (default: the packaged one);
- ``encoder``: a :class:`~taxonomy.models.TextEncoder` (embedding, supervised, ensemble);
- ``training``: labelled examples (:class:`~taxonomy.training.LabelledExample`) and optionally
  ``training_vectors``, their embeddings in the same order (computed with ``encoder`` otherwise);
- ``model_path``: a saved embedding (``.npz``) or supervised (joblib) model to load instead of fitting;
- ``cue_reliability`` (rule): cue weights learned earlier on the same training data, instead of
  learning them again;
- ``min_positives`` (supervised), ``members`` / ``weights`` / ``calibrate`` / ``calibration`` (ensemble:
  with an encoder and training data, members are fitted and fusion weights and the decision policy
  are chosen out of fold unless ``calibrate=False``; ``calibration`` reuses an earlier choice).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from taxonomy.calibration import build_ensemble, fit_embedding, fit_rule, fit_supervised
from taxonomy.embedding import EmbeddingTagger
from taxonomy.ensemble import EnsembleTagger
from taxonomy.errors import TaggerNotReadyError, UnknownTaggerError
from taxonomy.keyword import KeywordTagger
from taxonomy.models import Tagger
from taxonomy.rule import RuleTagger
from taxonomy.standards import load_taxonomy
from taxonomy.supervised import SupervisedTagger
from taxonomy.training import LabelledExample


def _training_vectors(deps: dict[str, Any], training: Sequence[LabelledExample]) -> np.ndarray:
    vectors = deps.get("training_vectors")
    if vectors is not None:
        return np.asarray(vectors, dtype=np.float32)
    encoder = deps.get("encoder")
    if encoder is None:
        raise TaggerNotReadyError("training needs an encoder or training_vectors")
    return np.asarray(encoder.encode([ex.text for ex in training]), dtype=np.float32)


def _keyword(**deps: Any) -> KeywordTagger:
    return KeywordTagger(taxonomy=deps.get("taxonomy"))


def _rule(**deps: Any) -> RuleTagger:
    if deps.get("cue_reliability") is None:
        return fit_rule(deps.get("training") or (), deps.get("taxonomy"))
    tagger = RuleTagger(taxonomy=deps.get("taxonomy"))
    tagger.cue_reliability = dict(deps["cue_reliability"])  # learned earlier on the same training data
    return tagger


def _embedding(**deps: Any) -> EmbeddingTagger:
    taxonomy, encoder = deps.get("taxonomy") or load_taxonomy(), deps.get("encoder")
    if deps.get("model_path"):
        return EmbeddingTagger.load(deps["model_path"], encoder=encoder, taxonomy=taxonomy)
    if encoder is None:
        raise TaggerNotReadyError("the embedding tagger needs an encoder (or a saved model_path)")
    training = list(deps.get("training") or ())
    if not training:
        return EmbeddingTagger.build(encoder, taxonomy)
    return fit_embedding(training, _training_vectors(deps, training), taxonomy, encoder)


def _supervised(**deps: Any) -> SupervisedTagger:
    taxonomy, encoder = deps.get("taxonomy") or load_taxonomy(), deps.get("encoder")
    if deps.get("model_path"):
        return SupervisedTagger.load(deps["model_path"], taxonomy=taxonomy, encoder=encoder)
    training = list(deps.get("training") or ())
    if not training:
        raise TaggerNotReadyError("the supervised tagger needs training examples (or a saved model_path)")
    return fit_supervised(training, _training_vectors(deps, training), taxonomy, encoder,
                          min_positives=int(deps.get("min_positives", 5)))


def _ensemble(**deps: Any) -> EnsembleTagger:
    taxonomy, encoder = deps.get("taxonomy") or load_taxonomy(), deps.get("encoder")
    members = deps.get("members")
    training = list(deps.get("training") or ())
    weights = deps.get("weights")
    if encoder is not None and training:
        vectors = _training_vectors(deps, training)
        return build_ensemble(training, vectors, encoder, taxonomy, members=members, weights=weights,
                              calibrate=bool(deps.get("calibrate", True)), calibration=deps.get("calibration"))
    if members is None:
        members = {"rule": _rule(**deps)}
        if encoder is not None:
            members["embedding"] = _embedding(**{**deps, "model_path": None})
    return EnsembleTagger(members, weights=weights, taxonomy=taxonomy)


TAGGERS: dict[str, Callable[..., Tagger]] = {
    "keyword": _keyword,
    "rule": _rule,
    "embedding": _embedding,
    "supervised": _supervised,
    "ensemble": _ensemble,
}
"""The registry: tagger name -> factory taking keyword dependencies."""


def make_tagger(name: str, **deps: Any) -> Tagger:
    """Build the tagger registered under ``name``; unknown names list the registered ones."""
    try:
        factory = TAGGERS[name]
    except KeyError:
        raise UnknownTaggerError(name, sorted(TAGGERS)) from None
    return factory(**deps)


ENSEMBLE_MEMBERS = ("rule", "embedding", "supervised")


def make_taggers(names: Sequence[str], **deps: Any) -> dict[str, Tagger]:
    """Build several taggers with the same dependencies; an ensemble reuses members already built."""
    unknown = [n for n in names if n not in TAGGERS]
    if unknown:
        raise UnknownTaggerError(unknown[0], sorted(TAGGERS))
    training = list(deps.get("training") or ())
    if training and deps.get("encoder") is not None and deps.get("training_vectors") is None:
        deps = {**deps, "training_vectors": _training_vectors(deps, training)}
    built: dict[str, Tagger] = {}
    for name in names:
        if name == "ensemble" and deps.get("members") is None:
            members = {m: built[m] for m in ENSEMBLE_MEMBERS if m in built}
            built[name] = make_tagger(name, **{**deps, "members": members or None})
        else:
            built[name] = make_tagger(name, **deps)
    return built
