"""Encoders: the hashing stand-in, the registry, refusal of bad model folders, and the real model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import encoder as encoder_module
from index.encoder import ENCODERS, HashingEncoder, SentenceTransformerEncoder, length_order, make_encoder
from index.errors import EncoderError, UnknownNameError


def test_hashing_encoder_is_deterministic_and_normalised() -> None:
    texts = ["The baby was not seen alone.", "Caseloads were unmanageable.", "the of and"]
    first, second = HashingEncoder(64).encode(texts), HashingEncoder(64).encode(texts)
    assert first.dtype == np.float32 and first.shape == (3, 64)
    assert np.array_equal(first, second)
    assert np.linalg.norm(first[:2], axis=1) == pytest.approx([1.0, 1.0])
    assert not first[2].any()  # only stopwords: nothing to hash


def test_hashing_encoder_puts_shared_words_closer() -> None:
    vectors = HashingEncoder().encode(
        ["neglect of dental health", "dental neglect was missed", "caseloads in the team"]
    )
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])


def test_unknown_kind_lists_the_registered_kinds() -> None:
    with pytest.raises(UnknownNameError) as caught:
        make_encoder("word2vec", None)
    for kind in ENCODERS:
        assert kind in str(caught.value)


def test_make_encoder_hashing() -> None:
    assert make_encoder("hashing", None).model_id == "hashing-384"


def test_missing_model_folder_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(EncoderError, match="does not exist") as caught:
        SentenceTransformerEncoder(str(missing))
    assert str(missing) in str(caught.value)


def test_packaged_weights_with_the_wrong_hash_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not the published weights")
    monkeypatch.setattr(encoder_module, "packaged_model_path", lambda: tmp_path)
    with pytest.raises(EncoderError, match="refusing to load") as caught:
        SentenceTransformerEncoder()
    assert encoder_module.PACKAGED_MODEL_SHA256 in str(caught.value)


@pytest.mark.model
def test_real_model_ranks_a_paraphrase_above_an_unrelated_passage() -> None:
    model = SentenceTransformerEncoder()
    assert model.dimension == 384
    assert not model.loaded  # the packaged model's dimension is read from its config: torch waits
    assert model.model_id == f"all-MiniLM-L6-v2@{encoder_module.PACKAGED_MODEL_SHA256[:12]}"
    query, paraphrase, unrelated = model.encode(
        [
            "The health visitor never saw the baby on its own.",
            "At no home visit was the infant seen alone by health visiting staff.",
            "The council resurfaced the car park behind the library.",
        ]
    )
    assert model.loaded
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-5)
    assert float(query @ paraphrase) > float(query @ unrelated) + 0.2


class _Counted:
    def __init__(self, counts: list[int] | None) -> None:
        self._counts = counts

    def token_counts(self, texts: list[str]) -> list[int] | None:
        return self._counts


@pytest.mark.parametrize(
    ("encoder", "expected"),
    [
        (_Counted([3, 9, 1, 9]), [1, 3, 0, 2]),  # longest in tokens first, ties in the given order
        (_Counted([5, 5, 5, 5]), [0, 1, 2, 3]),
        (_Counted(None), [0, 1, 2, 3]),  # a folder that counts no tokens: as given
        (HashingEncoder(), [0, 1, 2, 3]),  # no tokens at all
    ],
)
def test_length_order(encoder: object, expected: list[int]) -> None:
    assert length_order(encoder, ["a", "bb", "ccc", "dddd"]) == expected


def test_the_packaged_models_token_counts_need_no_weights() -> None:
    """Counting tokens loads the tokenizer alone, truncates as the model does, and names and numbers
    split into more tokens than their characters suggest (why rounds sort by tokens)."""
    model = SentenceTransformerEncoder()
    plain, names, long = model.token_counts(
        ["the family was seen at home", "Ffion Gwenllian 07/03/2019", "word " * 1000]
    )
    assert not model.loaded
    assert plain == 8  # [CLS] six words [SEP]
    assert names > plain and len("Ffion Gwenllian 07/03/2019") < len("the family was seen at home")
    assert long == 256  # the model's max_seq_length


def test_a_model_that_cannot_load_fails_at_first_use_or_load(tmp_path: Path) -> None:
    """A mean-pooled BERT folder is loaded lazily; damaged weights still give the clear error,
    from :meth:`load` (the API's warm-up and the encoder process call it) or the first text."""
    from index.minilm import is_mean_pooled_bert

    folder = tmp_path / "broken-minilm"
    source = encoder_module.packaged_model_path()
    for name in ("config.json", "modules.json", "tokenizer.json", "sentence_bert_config.json"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes((source / name).read_bytes())
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_bytes((source / "1_Pooling" / "config.json").read_bytes())
    (folder / "model.safetensors").write_bytes(b"truncated weights")
    assert is_mean_pooled_bert(folder)
    model = SentenceTransformerEncoder(str(folder))
    assert model.dimension == 384 and not model.loaded
    with pytest.raises(EncoderError, match="could not load the embedding model"):
        model.load()
    with pytest.raises(EncoderError, match="could not load the embedding model"):
        model.encode(["a text"])
