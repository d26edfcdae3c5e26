"""Tagging throughput benchmark with precomputed embeddings (encoding time is excluded).

Run: ``python -m taxonomy.bench [n]``. Passages are synthetic: sentences from the taxonomy's worked
examples and the seed training passages, shuffled into paragraphs of about 60-120 words. Vectors come
from a hashing stand-in encoder computed before timing, so only tagging is measured.
"""

from __future__ import annotations

import random
import re
import sys
import time
import zlib
from typing import Any

import numpy as np

from taxonomy.models import TagInput
from taxonomy.registry import TAGGERS, make_taggers
from taxonomy.sentences import sentence_spans
from taxonomy.standards import load_taxonomy
from taxonomy.training import seed_examples, taxonomy_examples

BATCH = 64
_WORD = re.compile(r"[a-z]+")


class _HashingEncoder:
    """Deterministic hashed word-unigram vectors (a stand-in; never used for real tagging)."""

    dimension = 384

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                out[i, zlib.crc32(word.encode()) % self.dimension] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def synthetic_passages(n: int, seed: int = 0) -> list[str]:
    """``n`` paragraphs stitched from 3-6 random sentences of the packaged examples."""
    tax = load_taxonomy()
    sentences = []
    for ex in taxonomy_examples(tax) + seed_examples(tax):
        sentences += [ex.text[a:b] for a, b in sentence_spans(ex.text)]
    rng = random.Random(seed)
    return [" ".join(rng.sample(sentences, rng.randint(3, 6))) for _ in range(n)]


def bench_tagging(n: int = 2000, batch_size: int = BATCH, taggers: tuple[str, ...] = tuple(TAGGERS),
                  verbose: bool = True) -> dict[str, Any]:
    """Time each tagger over ``n`` synthetic passages in batches; returns and prints passages/s."""
    tax = load_taxonomy()
    encoder = _HashingEncoder()
    texts = synthetic_passages(n)
    vectors = encoder.encode(texts)
    sections = ["analysis", "recommendations", "good_practice", "practice_learning"]
    items = [TagInput(f"b{i}", t, vectors[i], sections[i % len(sections)]) for i, t in enumerate(texts)]
    training = taxonomy_examples(tax) + seed_examples(tax)
    deps = {"taxonomy": tax, "encoder": encoder, "training": training,
            "training_vectors": encoder.encode([e.text for e in training])}
    results: dict[str, Any] = {"passages": n, "batch_size": batch_size, "taggers": {}}
    start = time.perf_counter()
    built = make_taggers(list(taggers), **deps)
    setup = time.perf_counter() - start
    results["setup_seconds"] = round(setup, 2)
    for name, tagger in built.items():
        tagger.tag(items[:batch_size])  # warm-up: lazy imports, spaCy vocab, caches
        start = time.perf_counter()
        suggestions = 0
        for offset in range(0, n, batch_size):
            suggestions += sum(len(row) for row in tagger.tag(items[offset : offset + batch_size]))
        seconds = time.perf_counter() - start
        results["taggers"][name] = {
            "seconds": round(seconds, 3),
            "passages_per_second": round(n / seconds, 1) if seconds > 0 else float("inf"),
            "suggestions_per_passage": round(suggestions / max(n, 1), 2),
        }
    if verbose:
        print(f"tagging {n} passages, batch {batch_size}, embeddings precomputed")
        print(f"{'tagger':<12}{'passages/s':>12}{'seconds':>10}{'sugg/passage':>14}")
        for name, r in results["taggers"].items():
            print(f"{name:<12}{r['passages_per_second']:>12}{r['seconds']:>10}{r['suggestions_per_passage']:>14}")
        print(f"fitting and calibrating all taggers took {setup:.1f} s (not included above)")
    return results


if __name__ == "__main__":  # pragma: no cover
    bench_tagging(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
