"""The out-of-distribution tagging protocol: every figure in-distribution and on unseen writing.

Columns (each fits the taggers on training data only, then scores them on passages they never saw):

- ``in-dist``: the labelled dev set (``data/eval/tagging_dev.jsonl``), written by the same hand as
  the training passages;
- ``LOTO``: leave one review type out over the training reviews (sample sources and the held-out
  training parts): for each review type, fit on everything else and test on that type's labelled
  passages; predictions pooled;
- ``heldout-test10``, ``heldout-test11``, ``heldout-test12`` (:data:`taxonomy.heldout.TAGGING_TEST_PARTS`):
  parts of the independent corpus by writers whose labels were never trained or tuned on. The
  earlier parts (``dev`` and ``test`` to ``test9``, thirty-six writers) are training data since
  2026-12-06 (declared in ``data/heldout/README.md``); before that they were test columns too.

Every threshold, weight and prior inside the taggers is chosen out of fold on the training data of
that column's fit (see :mod:`taxonomy.calibration`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from taxonomy.evaluation import TAGGER_ORDER, TaggerReport, describe_calibration, score_predictions
from taxonomy.heldout import HELDOUT_PARTS, TRAINING_PARTS, heldout_training_examples, load_heldout
from taxonomy.models import Tagger, TagInput, TextEncoder
from taxonomy.standards import load_taxonomy
from taxonomy.training import LabelledExample, load_jsonl, training_examples

Progress = Callable[[str], None]


class MemoEncoder:
    """Encodes each distinct text once (the protocol fits taggers many times on the same texts)."""

    def __init__(self, inner: TextEncoder) -> None:
        self.inner = inner
        self.dimension = inner.dimension
        self.model_id = str(getattr(inner, "model_id", "encoder"))
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        """Rows for ``texts``; only texts not seen before reach the wrapped encoder."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            for text, vector in zip(missing, self.inner.encode(missing), strict=True):
                self._memo[text] = np.asarray(vector, dtype=np.float32)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._memo[text]
        return out


@dataclass(frozen=True)
class Column:
    """One evaluation setting: its name, what it holds, and each tagger's scores on it."""

    name: str
    description: str
    passages: int
    reports: tuple[TaggerReport, ...]

    def tagger(self, name: str) -> TaggerReport:
        """The report of the tagger called ``name``."""
        for report in self.reports:
            if report.tagger == name:
                return report
        raise KeyError(name)


@dataclass(frozen=True)
class OodReport:
    """Tagging quality in every column, with notes on data and calibration."""

    taxonomy_version: str
    training_passages: int
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def review_type(example: LabelledExample) -> str | None:
    """The review type (``cpr``, ``dhr``...) of a sample-source or held-out passage; ``None`` for other
    sources (sources are ``sample:<name>`` and ``heldout:<writer>:<name>``, names start with the type)."""
    if example.source.startswith("sample:"):
        return example.source.split(":", 1)[1].split("_", 1)[0]
    if example.source.startswith("heldout:"):
        return example.source.rsplit(":", 1)[1].split("_", 1)[0]
    return None


def _inputs(examples: Sequence[LabelledExample], encoder: TextEncoder) -> list[TagInput]:
    vectors = encoder.encode([ex.text for ex in examples])
    return [TagInput(ex.id or str(i), ex.text, vectors[i], ex.section_kind) for i, ex in enumerate(examples)]


def _fit(names: Sequence[str], training: Sequence[LabelledExample], encoder: TextEncoder) -> dict[str, Tagger]:
    from taxonomy.registry import make_taggers

    vectors = encoder.encode([ex.text for ex in training])
    return make_taggers(list(names), taxonomy=load_taxonomy(), encoder=encoder, training=list(training),
                        training_vectors=vectors)


def predict(taggers: dict[str, Tagger], examples: Sequence[LabelledExample],
            encoder: TextEncoder) -> dict[str, list[set[str]]]:
    """Each tagger's accepted standards (above the line) per passage."""
    inputs = _inputs(examples, encoder)
    return {name: [{s.standard for s in row if s.accepted} for row in tagger.tag(inputs)]
            for name, tagger in taggers.items()}


def _column(name: str, description: str, examples: Sequence[LabelledExample],
            predicted: dict[str, list[set[str]]]) -> Column:
    ids = load_taxonomy().ids
    gold = [set(ex.standards) for ex in examples]
    reports = tuple(score_predictions(gold, rows, ids, tagger) for tagger, rows in predicted.items())
    return Column(name, description, len(examples), reports)


def leave_one_type_out(names: Sequence[str], training: Sequence[LabelledExample], encoder: TextEncoder,
                       progress: Progress | None = None) -> tuple[list[LabelledExample], dict[str, list[set[str]]]]:
    """Pooled held-out passages and predictions, each review type predicted by taggers fitted without it."""
    types = sorted({t for t in map(review_type, training) if t})
    tested: list[LabelledExample] = []
    pooled: dict[str, list[set[str]]] = {name: [] for name in names}
    for kind in types:
        if progress:
            progress(f"leave-one-type-out: fitting without {kind.upper()}")
        held = [ex for ex in training if review_type(ex) == kind]
        rest = [ex for ex in training if review_type(ex) != kind]
        for name, rows in predict(_fit(names, rest, encoder), held, encoder).items():
            pooled[name].extend(rows)
        tested.extend(held)
    return tested, pooled


def run_ood_eval(dev_path: str | Path, sample_sources_dir: str | Path | None, heldout_dir: str | Path | None,
                 encoder: TextEncoder, taggers: Sequence[str] = TAGGER_ORDER,
                 panel: Sequence[LabelledExample] = (), leave_one_out: bool = True,
                 progress: Progress | None = None, train_parts: tuple[str, ...] = TRAINING_PARTS) -> OodReport:
    """Fit on training data only and score every tagger in every column (see the module docstring).

    The held-out ``train_parts`` are training data; every other held-out part is a column.
    """
    tax = load_taxonomy()
    memo = MemoEncoder(encoder)
    names = list(taggers)
    dev = load_jsonl(dev_path, tax)
    dev_texts = {ex.text.strip() for ex in dev}
    heldout = heldout_training_examples(heldout_dir, train_parts)
    training = [ex for ex in training_examples(sample_sources_dir, tax, panel, heldout)
                if ex.text.strip() not in dev_texts]
    notes: list[str] = []
    if progress:
        progress("fitting on all training data")
    built = _fit(names, training, memo)
    calibration = getattr(built.get("ensemble"), "calibration", None)
    if calibration is not None:
        notes.append(describe_calibration(calibration))
    columns = [_column("in-dist", "dev set, same writer as the training data", dev, predict(built, dev, memo))]
    if leave_one_out and any(review_type(ex) for ex in training):
        tested, pooled = leave_one_type_out(names, training, memo, progress)
        columns.append(_column("LOTO", "leave one review type out of the training sources", tested, pooled))
    if heldout_dir is not None:
        for part in (p for p in HELDOUT_PARTS if p not in train_parts):
            label = f"heldout-{part}"
            passages, problems = load_heldout(Path(heldout_dir) / part / "sources")
            notes.extend(f"heldout {part}: {p}" for p in problems)
            if not passages:
                continue
            examples = [p.example for p in passages]
            writers = ", ".join(sorted({p.writer for p in passages}))
            reviews = len({p.review for p in passages})
            columns.append(_column(label, f"independent corpus, {reviews} reviews by writer(s) {writers}",
                                   examples, predict(built, examples, memo)))
    return OodReport(tax.version, len(training), tuple(columns), tuple(notes))


def format_ood_report(report: OodReport, per_standard: Sequence[str] = ("keyword", "ensemble")) -> str:
    """Micro P/R/F1 and macro F1 per tagger and column, then per-standard P/R/F1 for ``per_standard``."""
    cols = report.columns
    width = 21
    lines = [
        f"Tagging evaluation: taxonomy {report.taxonomy_version}, {report.training_passages} training passages",
    ]
    lines += [f"  {c.name:<13} {c.passages:>4} passages: {c.description}" for c in cols]
    head = f"{'tagger':<11}" + "".join(f"{c.name:>{width}}" for c in cols)
    lines += ["", "micro precision/recall/F1 (macro F1 in brackets)", head, "-" * len(head)]
    names = [r.tagger for r in cols[0].reports] if cols else []
    for name in names:
        cells = []
        for c in cols:
            r = c.tagger(name)
            cells.append(f"{r.micro_precision:.2f}/{r.micro_recall:.2f}/{r.micro_f1:.2f}({r.macro_f1:.2f})")
        lines.append(f"{name:<11}" + "".join(f"{cell:>{width}}" for cell in cells))
    tax = load_taxonomy()
    for name in (n for n in per_standard if n in names):
        head = f"{name + ' by standard':<22}" + "".join(f"{c.name:>{width}}" for c in cols)
        lines += ["", "cells: precision/recall/F1 (support)", head, "-" * len(head)]
        for j, sid in enumerate(tax.ids):
            cells = []
            for c in cols:
                s = c.tagger(name).per_standard[j]
                cells.append(f"{s.precision:.2f}/{s.recall:.2f}/{s.f1:.2f}({s.support})")
            lines.append(f"{sid:<22}" + "".join(f"{cell:>{width}}" for cell in cells))
    lines += ["", *report.notes]
    return "\n".join(lines)
