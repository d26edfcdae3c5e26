"""The packaged all-MiniLM-L6-v2 run directly on torch, without importing sentence-transformers.

Importing sentence-transformers (and through it transformers) took about 3 of the 4.7 seconds it
took to load the encoder here; the model itself is a small BERT. This module reads the same
``model.safetensors`` and ``tokenizer.json`` and computes what sentence-transformers computes for
this model (its ``modules.json``: Transformer, mean pooling, Normalize) with a plain BERT forward
pass: word, position and token-type embeddings, then post-norm encoder layers (self-attention, GELU
feed-forward), mean pooling over real tokens, L2 normalisation. ``tests/index/test_minilm.py``
checks the vectors against sentence-transformers. Only BERT models with absolute positions, GELU
and mean pooling are accepted; any other model folder goes through sentence-transformers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import EncoderError


def is_mean_pooled_bert(folder: Path) -> bool:
    """True when ``folder`` holds a model this module computes exactly (else use sentence-transformers)."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and kinds == ["Transformer", "Pooling", "Normalize"]
        and modes == {"pooling_mode_mean_tokens"}
        and (folder / "tokenizer.json").is_file()
        and (folder / "model.safetensors").is_file()
    )


def mean_pooled_bert_dimension(folder: Path) -> int:
    """Length of the vectors :class:`MeanPooledBert` gives for ``folder`` (its ``hidden_size``),
    read from its config without loading the model."""
    return int(json.loads((folder / "config.json").read_text(encoding="utf-8"))["hidden_size"])


def _configs(folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The folder's ``config.json`` and its ``sentence_bert_config.json`` (empty when missing)."""
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    try:
        settings = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        settings = {}
    return config, settings


def _max_input_tokens(config: dict[str, Any], settings: dict[str, Any]) -> int:
    return min(int(settings.get("max_seq_length", 512)), int(config["max_position_embeddings"]))


def load_tokenizer(folder: Path) -> Any:
    """The folder's tokenizer as :class:`MeanPooledBert` runs it: truncated at the model's longest
    input (its ``max_seq_length``, at most its position table), never padded. Loads no weights."""
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=_max_input_tokens(*_configs(folder)))
    except Exception as exc:  # noqa: BLE001 - tokenizers raises its own types
        raise EncoderError(f"could not load the embedding model's tokenizer at {folder}: {exc}") from exc
    tokenizer.no_padding()
    return tokenizer


class MeanPooledBert:
    """A sentence encoder for a mean-pooled, normalised BERT folder (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        import torch
        from safetensors.torch import load_file

        config, settings = _configs(folder)
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_length = _max_input_tokens(config, settings)
        try:
            weights = load_file(str(folder / "model.safetensors"))
        except Exception as exc:  # noqa: BLE001 - safetensors raises its own types
            raise EncoderError(f"could not load the embedding model at {folder}: {exc}") from exc
        self.tokenizer = load_tokenizer(folder)
        self._w = {k.removeprefix("bert."): v.float() for k, v in weights.items()}
        self._torch = torch

    def get_embedding_dimension(self) -> int:
        """Length of the vectors :meth:`encode` returns."""
        return self.hidden

    def encode(self, texts: list[str], batch_size: int = 32, **_options: Any) -> np.ndarray:
        """L2-normalised mean-pooled vectors, float32, one row per text, in input order."""
        if not texts:
            return np.zeros((0, self.hidden), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        torch = self._torch
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                width = max(len(encodings[i].ids) for i in rows)
                ids = torch.zeros((len(rows), width), dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                types = torch.zeros((len(rows), width), dtype=torch.long)
                for r, i in enumerate(rows):
                    n = len(encodings[i].ids)
                    ids[r, :n] = torch.tensor(encodings[i].ids)
                    types[r, :n] = torch.tensor(encodings[i].type_ids)
                    mask[r, :n] = 1
                out[rows] = self._forward(ids, types, mask).numpy()
        return out

    def _forward(self, ids: Any, types: Any, mask: Any) -> Any:
        torch, w = self._torch, self._w
        functional = torch.nn.functional
        batch, width = ids.shape
        positions = torch.arange(width)
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
             + w["embeddings.token_type_embeddings.weight"][types])
        x = functional.layer_norm(x, (self.hidden,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"],
                                  self.eps)
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        size = self.hidden // self.heads
        for n in range(self.layers):
            p = f"encoder.layer.{n}."

            query, key, value = (
                functional.linear(x, w[p + f"attention.self.{name}.weight"], w[p + f"attention.self.{name}.bias"])
                .view(batch, width, self.heads, size).transpose(1, 2)
                for name in ("query", "key", "value")
            )
            context = functional.scaled_dot_product_attention(query, key, value, attn_mask=additive)
            context = context.transpose(1, 2).reshape(batch, width, self.hidden)
            attended = functional.linear(context, w[p + "attention.output.dense.weight"],
                                         w[p + "attention.output.dense.bias"])
            x = functional.layer_norm(attended + x, (self.hidden,), w[p + "attention.output.LayerNorm.weight"],
                                      w[p + "attention.output.LayerNorm.bias"], self.eps)
            inner = functional.gelu(functional.linear(x, w[p + "intermediate.dense.weight"],
                                                      w[p + "intermediate.dense.bias"]))
            output = functional.linear(inner, w[p + "output.dense.weight"], w[p + "output.dense.bias"])
            x = functional.layer_norm(output + x, (self.hidden,), w[p + "output.LayerNorm.weight"],
                                      w[p + "output.LayerNorm.bias"], self.eps)
        weights = mask.unsqueeze(-1).float()
        pooled = (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
        return functional.normalize(pooled, p=2, dim=1)
