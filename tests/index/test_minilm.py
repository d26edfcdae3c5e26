"""The packaged model computed directly on torch gives sentence-transformers' vectors, and only folders
of that shape are taken that way."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.encoder import packaged_model_path
from index.minilm import MeanPooledBert, is_mean_pooled_bert

TEXTS = [
    "The health visitor saw Baby M twice but never alone with her father's new partner.",
    "",
    "a",
    "Return home interviews were offered and declined; nobody asked why. " * 30,  # past 256 tokens
    "Café naïve — “quotes”, Siân and Llŷr, 🙂 and ﬁ ligatures",
    "R1. The Board should audit strategy discussions held after a third missing episode.",
]


@pytest.mark.model
def test_vectors_match_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    folder = packaged_model_path()
    ours = MeanPooledBert(folder).encode(TEXTS, batch_size=4)
    theirs = SentenceTransformer(str(folder), device="cpu", local_files_only=True).encode(
        TEXTS, batch_size=4, convert_to_numpy=True, normalize_embeddings=True)
    assert ours.shape == theirs.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.allclose(ours, theirs, atol=1e-5)
    assert np.allclose(MeanPooledBert(folder).encode(TEXTS[::-1], batch_size=32)[::-1], ours, atol=1e-5)


def test_only_a_mean_pooled_bert_folder_is_computed_directly(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    source = packaged_model_path()
    folder.mkdir()
    for name in ("config.json", "modules.json", "tokenizer.json"):
        shutil.copy(source / name, folder / name)
    (folder / "model.safetensors").write_bytes(b"")
    (folder / "1_Pooling").mkdir()
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling), encoding="utf-8")
    assert is_mean_pooled_bert(folder)
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(pooling), encoding="utf-8")
    assert not is_mean_pooled_bert(folder)
    assert not is_mean_pooled_bert(tmp_path / "absent")
