"""Choose tagging changes on training writers, never on the frozen test parts.

The nine training writers of the held-out corpus with the most labelled passages (130 or more each)
are split into two folds. For each fold the whole ensemble recipe (members and out-of-fold
calibration, exactly as ``gwersi eval tagging`` builds it) is fitted on the training data without
that fold's writers and scored on their passages. A change to the taggers is kept only if it lifts
this figure; ``gwersi eval tagging`` then reads the frozen parts (test10 to test12) once.

    .venv/bin/python tools/writer_folds.py          # about eight minutes on two cores

Measured when the neighbours member was added (2026-12-06): pooled micro-F1 0.591 before, 0.604
with it (fold 1 0.593 -> 0.605, fold 2 0.588 -> 0.601). Measured when fusion became stacked
(2026-12-07, ``taxonomy/stacking.py``): 0.604 with the weighted mean, 0.612 stacked (fold 1 0.613,
fold 2 0.611). Out-of-fold rule scores with learned cue weights (2026-12-07): 0.613 (0.613 / 0.612).
Tried and not adopted (2026-12-07), the held-out passages' section headings: put in front of the
text for every member, 0.601 (0.608 / 0.593); as separate TF-IDF terms for the supervised member
only, 0.612 (0.617 / 0.606). Most headings are structural ("1. Introduction", "Findings").
Tried and not adopted (2026-12-08), the paragraphs around a passage: the supervised member's scores
(out of fold) for the paragraph before and after it in its review's source, or the mean over the
review's other labelled passages, as extra stacker inputs per standard. On the stacker's own
out-of-writer probabilities for the 4,175 review passages of the training data, with the policy
chosen on them as the calibration does, micro-F1 moved 0.6293 -> 0.6292 to 0.6295 (neighbours as
two inputs, their maximum or mean, with presence flags) and to 0.6283 (review mean): a paragraph's
own words already carry what its neighbours add, so the full folds were not run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from gwersi.tagging import dev_set_path, heldout_path, shipped_vectors, text_key
from index.encoder import make_encoder
from taxonomy.calibration import build_ensemble
from taxonomy.heldout import heldout_training_examples
from taxonomy.models import TagInput
from taxonomy.standards import load_taxonomy
from taxonomy.training import LabelledExample, load_jsonl, training_examples

FOLDS = (("ae", "ad", "ab", "aa", "z"), ("x", "af", "ac", "y"))
"""Training writers with at least 130 labelled passages across ten reviews, in two folds."""
SAMPLE_SOURCES = dev_set_path().parent.parent / "sample-sources"


def writer(example: LabelledExample) -> str | None:
    """The held-out writer of a training passage (``heldout:<writer>:<review>``), else ``None``."""
    return example.source.split(":")[1] if example.source.startswith("heldout:") else None


@dataclass(frozen=True)
class FoldFit:
    """The ensemble fitted without one fold's writers, and those writers' passages and vectors."""

    writers: tuple[str, ...]
    tagger: Any
    held_out: list[LabelledExample]
    vectors: np.ndarray

    def inputs(self) -> list[TagInput]:
        """The held-out passages as tagger inputs, with their stored vectors."""
        return [TagInput(str(i), ex.text, v, ex.section_kind)
                for i, (ex, v) in enumerate(zip(self.held_out, self.vectors, strict=True))]


def fit_folds() -> Iterator[FoldFit]:
    """For each fold: fit the whole recipe on the training data without its writers (four minutes)."""
    taxonomy = load_taxonomy()
    dev_texts = {ex.text.strip() for ex in load_jsonl(dev_set_path(), taxonomy)}
    heldout = heldout_training_examples(heldout_path())
    training = [ex for ex in training_examples(SAMPLE_SOURCES, taxonomy, (), heldout)
                if ex.text.strip() not in dev_texts]
    encoder = make_encoder("sentence-transformers")
    known = shipped_vectors(encoder.model_id, encoder.dimension)
    missing = sorted({ex.text for ex in training if text_key(ex.text) not in known})
    if missing:
        known.update({text_key(t): v for t, v in zip(missing, encoder.encode(missing), strict=True)})
    vectors = np.vstack([known[text_key(ex.text)] for ex in training]).astype(np.float32)
    for fold in FOLDS:
        inside = [i for i, ex in enumerate(training) if writer(ex) not in fold]
        outside = [i for i, ex in enumerate(training) if writer(ex) in fold]
        tagger = build_ensemble([training[i] for i in inside], vectors[inside], encoder, taxonomy)
        yield FoldFit(fold, tagger, [training[i] for i in outside], vectors[outside])


def main() -> None:
    """Fit without each fold's writers, score their passages, print P/R/F1 per fold and pooled."""
    totals = np.zeros(3, dtype=int)
    start = time.perf_counter()
    for fit in fit_folds():
        counts = np.zeros(3, dtype=int)
        for ex, row in zip(fit.held_out, fit.tagger.tag(fit.inputs()), strict=True):
            predicted, gold = {s.standard for s in row if s.accepted}, set(ex.standards)
            counts += (len(predicted & gold), len(predicted - gold), len(gold - predicted))
        totals += counts
        print(f"writers {','.join(fit.writers)}: {len(fit.held_out)} passages, {_prf(counts)}, "
              f"weights {fit.tagger.calibration.weights} ({time.perf_counter() - start:.0f} s)", flush=True)
        start = time.perf_counter()
    print(f"pooled: {_prf(totals)}")


def _prf(counts: np.ndarray) -> str:
    tp, fp, fn = (int(c) for c in counts)
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * tp / max(2 * tp + fp + fn, 1)
    return f"P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"


if __name__ == "__main__":
    main()
