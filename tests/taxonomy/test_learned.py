"""Embedding and supervised taggers with the fake encoder: fitting, abstaining, save and load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from taxonomy.embedding import EmbeddingTagger
from taxonomy.errors import ModelFileError, TaggerNotReadyError, TrainingDataError
from taxonomy.models import TagInput
from taxonomy.standards import Taxonomy
from taxonomy.supervised import SupervisedTagger
from taxonomy.training import LabelledExample
from tests.taxonomy.fakes import FakeEncoder

MISSING = "She went missing from her placement again and no return home interview was offered afterwards."


def _inputs(encoder: FakeEncoder, texts: list[str]) -> list[TagInput]:
    vectors = encoder.encode(texts)
    return [TagInput(str(i), t, vectors[i]) for i, t in enumerate(texts)]


@pytest.fixture(scope="module")
def embedding(encoder: FakeEncoder, taxonomy: Taxonomy, training: list[LabelledExample]) -> EmbeddingTagger:
    return EmbeddingTagger.build(encoder, taxonomy, training, encoder.encode([e.text for e in training]))


@pytest.fixture(scope="module")
def supervised(encoder: FakeEncoder, taxonomy: Taxonomy, training: list[LabelledExample]) -> SupervisedTagger:
    vectors = encoder.encode([e.text for e in training])
    tagger = SupervisedTagger(taxonomy=taxonomy, encoder=encoder)
    tagger.fit([(e.text, vectors[i], e.standards) for i, e in enumerate(training)])
    return tagger


def test_embedding_prefers_the_matching_standard(embedding: EmbeddingTagger, encoder: FakeEncoder) -> None:
    scores = embedding.score(_inputs(encoder, [MISSING])).scores[0]
    assert int(np.argmax(scores)) == 17


def test_embedding_thresholds_are_calibrated_and_stored(embedding: EmbeddingTagger) -> None:
    assert embedding.model.calibration, "expected per-standard calibration results"
    assert embedding.model.thresholds.shape == (26,)


def test_embedding_save_and_load_round_trip(embedding: EmbeddingTagger, encoder: FakeEncoder,
                                            tmp_path: Path) -> None:
    path = tmp_path / "embedding.npz"
    embedding.save(path)
    loaded = EmbeddingTagger.load(path, encoder=encoder)
    items = _inputs(encoder, [MISSING, "The social worker carried forty cases."])
    np.testing.assert_allclose(loaded.score(items).scores, embedding.score(items).scores)


def test_embedding_load_refuses_garbage(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        EmbeddingTagger.load(path)


def test_embedding_encodes_missing_vectors_or_refuses(embedding: EmbeddingTagger, encoder: FakeEncoder) -> None:
    with_encoder = EmbeddingTagger(embedding.model, encoder=encoder)
    assert with_encoder.tag([TagInput("x", MISSING)])[0][0].standard == "S18"
    without = EmbeddingTagger(embedding.model)
    with pytest.raises(TaggerNotReadyError):
        without.tag([TagInput("x", MISSING)])


def test_embedding_refuses_wrong_dimension(embedding: EmbeddingTagger) -> None:
    with pytest.raises(TaggerNotReadyError):
        embedding.tag([TagInput("x", MISSING, np.ones(10, dtype=np.float32))])
    with pytest.raises(TaggerNotReadyError):
        EmbeddingTagger(embedding.model, encoder=FakeEncoder(dimension=16))


def test_supervised_tags_a_clear_passage(supervised: SupervisedTagger, encoder: FakeEncoder) -> None:
    suggestions = supervised.tag(_inputs(encoder, [MISSING]))[0]
    assert suggestions and suggestions[0].standard == "S18"
    assert all(0.0 <= s.score <= 1.0 and s.tagger == "supervised" for s in suggestions)


def test_supervised_abstains_without_enough_labels(encoder: FakeEncoder, taxonomy: Taxonomy) -> None:
    texts = [f"{MISSING} Episode {i}." for i in range(6)] + [f"Caseloads were too high, case {i}." for i in range(2)]
    labels = [("S18",)] * 6 + [("S24",)] * 2
    vectors = encoder.encode(texts)
    tagger = SupervisedTagger(taxonomy=taxonomy, min_positives=3)
    report = tagger.fit([(t, vectors[i], labels[i]) for i, t in enumerate(texts)])
    assert "S24" in report.insufficient and "S18" not in report.insufficient
    assert "S24" in report.describe()
    scores = tagger.score(_inputs(encoder, ["Caseloads were too high."])).scores[0]
    assert np.isnan(scores[23]) and not np.isnan(scores[17])


def test_supervised_save_and_load(supervised: SupervisedTagger, encoder: FakeEncoder, tmp_path: Path) -> None:
    path = tmp_path / "supervised.joblib"
    supervised.save(path)
    assert (tmp_path / "supervised.joblib.json").exists()
    loaded = SupervisedTagger.load(path, encoder=encoder)
    items = _inputs(encoder, [MISSING])
    np.testing.assert_allclose(loaded.score(items).scores, supervised.score(items).scores)
    assert loaded.report == supervised.report


def test_supervised_errors(taxonomy: Taxonomy, encoder: FakeEncoder, tmp_path: Path) -> None:
    fresh = SupervisedTagger(taxonomy=taxonomy)
    with pytest.raises(TaggerNotReadyError):
        fresh.tag(_inputs(encoder, [MISSING]))
    with pytest.raises(TaggerNotReadyError):
        fresh.save(tmp_path / "x.joblib")
    with pytest.raises(TrainingDataError):
        fresh.fit([])
    with pytest.raises(TrainingDataError):
        fresh.fit([(MISSING, encoder.encode([MISSING])[0], ("S99",))])
    with pytest.raises(ModelFileError):
        SupervisedTagger.load(tmp_path / "absent.joblib")
