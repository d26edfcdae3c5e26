"""Ensemble arithmetic with stub members, and the registry of taggers."""

from __future__ import annotations

import numpy as np
import pytest

from taxonomy.calibration import WEIGHT_GRID, calibrate_ensemble, calibration_from_json, calibration_to_json
from taxonomy.ensemble import NEGATION_PENALTY, SECTION_PENALTY, EnsembleTagger, combine
from taxonomy.errors import TaggerNotReadyError, UnknownTaggerError
from taxonomy.models import Tagger, TagInput
from taxonomy.registry import TAGGERS, make_tagger, make_taggers
from taxonomy.scoring import BatchScores
from taxonomy.standards import Taxonomy
from taxonomy.training import LabelledExample
from tests.taxonomy.fakes import FakeEncoder


def _batch(values: dict[int, float], negated: set[int] | None = None,
           nan: set[int] | frozenset[int] = frozenset()) -> BatchScores:
    scores = np.zeros((1, 26))
    for j, v in values.items():
        scores[0, j] = v
    for j in nan:
        scores[0, j] = np.nan
    flags = None
    if negated is not None:
        flags = np.zeros((1, 26), dtype=bool)
        flags[0, list(negated)] = True
    return BatchScores(scores, {}, flags)


@pytest.mark.parametrize(
    ("members", "weights", "section", "j", "expected"),
    [
        ({"a": _batch({0: 0.8}), "b": _batch({0: 0.4})}, {"a": 1, "b": 1}, None, 0, 0.6),
        ({"a": _batch({0: 0.8}), "b": _batch({0: 0.4})}, {"a": 3, "b": 1}, None, 0, 0.7),
        ({"a": _batch({0: 0.8}), "b": _batch({}, nan={0})}, {"a": 1, "b": 5}, None, 0, 0.8),
        ({"a": _batch({1: 0.9}), "r": _batch({}, negated={1})}, {"a": 1, "r": 1}, None, 1,
         0.45 - NEGATION_PENALTY),
        ({"a": _batch({2: 0.9})}, {"a": 1}, "timeline", 2, 0.9 - SECTION_PENALTY),
        ({"a": _batch({2: 0.9})}, {"a": 1}, "analysis", 2, 0.9),
    ],
)
def test_combine(members: dict[str, BatchScores], weights: dict[str, float], section: str | None, j: int,
                 expected: float) -> None:
    assert combine(members, weights, [section]).scores[0, j] == pytest.approx(expected)


class _Stub:
    def __init__(self, name: str, batch: BatchScores) -> None:
        self.name = name
        self._batch = batch

    def score(self, items: list[TagInput]) -> BatchScores:
        return self._batch


def test_ensemble_abstains_below_threshold_and_caps_suggestions() -> None:
    stub = _Stub("a", _batch({0: 0.9, 1: 0.8, 2: 0.7, 3: 0.3}))
    ensemble = EnsembleTagger({"a": stub}, threshold=0.5, max_suggestions=2)
    out = ensemble.tag([TagInput("p", "A sentence. Another sentence.")])[0]
    assert [s.standard for s in out] == ["S01", "S02"]
    assert all(s.tagger == "ensemble" for s in out)
    with pytest.raises(ValueError):
        EnsembleTagger({})


def test_unknown_tagger_lists_the_registry() -> None:
    with pytest.raises(UnknownTaggerError) as info:
        make_tagger("nonsense")
    message = str(info.value)
    for name in TAGGERS:
        assert name in message


def test_learned_taggers_need_their_dependencies() -> None:
    with pytest.raises(TaggerNotReadyError):
        make_tagger("embedding")
    with pytest.raises(TaggerNotReadyError):
        make_tagger("supervised", encoder=FakeEncoder())


@pytest.fixture(scope="module")
def all_taggers(taxonomy: Taxonomy, training: list[LabelledExample]) -> dict[str, Tagger]:
    encoder = FakeEncoder()
    deps = {"taxonomy": taxonomy, "encoder": encoder, "training": training,
            "training_vectors": encoder.encode([e.text for e in training])}
    return make_taggers(list(TAGGERS), **deps)


PASSAGES = [
    ("Café staff knew Seren well. She went missing from her placement three times and no return home "
     "interview took place.", "analysis"),
    ("The Board should seek assurance that supervision is reflective and that caseloads are manageable.",
     "recommendations"),
    ("", None),
    ("12 March: the GP saw the mother.", "timeline"),
]


@pytest.mark.parametrize("name", sorted(TAGGERS))
def test_every_tagger_keeps_the_suggestion_contract(all_taggers: dict[str, Tagger], name: str) -> None:
    tagger = all_taggers[name]
    assert tagger.name == name
    encoder = FakeEncoder()
    vectors = encoder.encode([p for p, _ in PASSAGES])
    items = [TagInput(str(i), p, vectors[i], section) for i, (p, section) in enumerate(PASSAGES)]
    out = tagger.tag(items)
    assert len(out) == len(items)
    for item, suggestions in zip(items, out, strict=True):
        assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
        for s in suggestions:
            assert s.tagger == name and 0.0 <= s.score <= 1.0
            assert item.text[s.evidence_start:s.evidence_end] == s.evidence
            assert s.polarity in ("shortfall", "good_practice", "recommendation", "neutral")
            if item.section_kind == "recommendations":
                assert s.polarity == "recommendation"
    assert out[2] == []
    assert tagger.tag([]) == []


def test_ensemble_from_registry_reuses_members(all_taggers: dict[str, Tagger]) -> None:
    ensemble = all_taggers["ensemble"]
    assert isinstance(ensemble, EnsembleTagger)
    assert set(ensemble.members) == {"rule", "embedding", "supervised", "neighbours"}
    assert ensemble.members["supervised"] is all_taggers["supervised"]
    top = ensemble.tag([TagInput("p", PASSAGES[0][0], FakeEncoder().encode([PASSAGES[0][0]])[0])])[0]
    assert top and top[0].standard == "S18"


def test_out_of_fold_calibration_chooses_weights_and_a_policy(taxonomy: Taxonomy,
                                                               training: list[LabelledExample]) -> None:
    encoder = FakeEncoder()
    subset = training[::3]
    calibration = calibrate_ensemble(subset, encoder.encode([e.text for e in subset]), encoder, taxonomy, folds=2)
    assert calibration.weights in [dict(w) for w in WEIGHT_GRID]
    assert len(calibration.candidates) == len(WEIGHT_GRID) + 1 and calibration.candidates[-1][0] == "stacked"
    assert calibration.stacker is not None and len(calibration.stacker.intercepts) == 26
    assert len(calibration.policy.thresholds) == 26 and calibration.policy.max_accepted in (2, 3, 4)
    assert calibration.passages > 0 and 0.0 <= calibration.micro_f1 <= 1.0
    assert calibration_from_json(calibration_to_json(calibration)) == calibration
    unstacked = calibrate_ensemble(subset, encoder.encode([e.text for e in subset]), encoder, taxonomy, folds=2,
                                   stack=False)
    assert unstacked.stacker is None and len(unstacked.candidates) == len(WEIGHT_GRID)
    assert calibration_from_json(calibration_to_json(unstacked)) == unstacked
