"""Tagging evaluation: per-standard precision/recall/F1, micro and macro F1, and Cohen's kappa."""

from __future__ import annotations

import time
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from taxonomy.models import Tagger, TagInput, TextEncoder
from taxonomy.polarity import classify_polarity
from taxonomy.standards import load_taxonomy
from taxonomy.training import LabelledExample, load_jsonl, training_examples

TAGGER_ORDER = ("keyword", "rule", "embedding", "supervised", "ensemble")


@dataclass(frozen=True)
class StandardScore:
    """Precision, recall and F1 of one standard (0.0 where undefined)."""

    standard: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass(frozen=True)
class TaggerReport:
    """One tagger's results on the evaluation passages."""

    tagger: str
    per_standard: tuple[StandardScore, ...]
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_f1: float
    """Mean F1 over standards with support > 0."""
    passages: int
    seconds: float

    def weak_standards(self, min_support: int = 8, min_f1: float = 0.5) -> list[str]:
        """Standards with at least ``min_support`` gold passages but F1 below ``min_f1``."""
        return [s.standard for s in self.per_standard if s.support >= min_support and s.f1 < min_f1]


@dataclass(frozen=True)
class TaggingReport:
    """Results for several taggers on the same evaluation set."""

    taxonomy_version: str
    dev_passages: int
    training_passages: int
    taggers: tuple[TaggerReport, ...]
    polarity_accuracy: float | None
    """Passage polarity from :func:`classify_polarity` against the gold polarity."""
    notes: tuple[str, ...] = ()

    def tagger(self, name: str) -> TaggerReport:
        """The report of the tagger called ``name``."""
        for report in self.taggers:
            if report.tagger == name:
                return report
        raise KeyError(name)


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return precision, recall, f1


def score_predictions(gold: Sequence[Collection[str]], predicted: Sequence[Collection[str]],
                      ids: Sequence[str], tagger: str = "", seconds: float = 0.0) -> TaggerReport:
    """Compare predicted standard sets with gold sets passage by passage."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold label sets but {len(predicted)} predictions")
    rows = []
    totals = np.zeros(3, dtype=int)
    for sid in ids:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if sid in g and sid in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if sid not in g and sid in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if sid in g and sid not in p)
        totals += (tp, fp, fn)
        precision, recall, f1 = _f1(tp, fp, fn)
        rows.append(StandardScore(sid, precision, recall, f1, tp + fn, tp + fp))
    micro_p, micro_r, micro_f1 = _f1(*(int(x) for x in totals))
    supported = [r.f1 for r in rows if r.support > 0]
    macro = float(np.mean(supported)) if supported else 0.0
    return TaggerReport(tagger, tuple(rows), micro_p, micro_r, micro_f1, macro, len(gold), seconds)


def evaluate(dev_examples: Sequence[LabelledExample], taggers: Mapping[str, Tagger] | Sequence[Tagger],
             inputs: Sequence[TagInput] | None = None, encoder: TextEncoder | None = None,
             training_passages: int = 0, notes: Sequence[str] = ()) -> TaggingReport:
    """Run each tagger over the evaluation passages and score its suggestions.

    ``inputs`` are the passages as :class:`TagInput` (with embeddings); when omitted they are made
    from ``dev_examples``, encoding texts once with ``encoder`` if one is given.
    """
    tax = load_taxonomy()
    named = dict(taggers) if isinstance(taggers, Mapping) else {t.name: t for t in taggers}
    if inputs is None:
        vectors = encoder.encode([ex.text for ex in dev_examples]) if encoder is not None else None
        inputs = [
            TagInput(ex.id or str(i), ex.text, None if vectors is None else vectors[i], ex.section_kind)
            for i, ex in enumerate(dev_examples)
        ]
    gold = [set(ex.standards) for ex in dev_examples]
    reports = []
    for name, tagger in named.items():
        start = time.perf_counter()
        suggestions = tagger.tag(list(inputs))
        seconds = time.perf_counter() - start
        predicted = [{s.standard for s in row if s.accepted} for row in suggestions]
        reports.append(score_predictions(gold, predicted, tax.ids, name, seconds))
    with_polarity = [ex for ex in dev_examples if ex.polarity]
    polarity = (
        float(np.mean([classify_polarity(ex.text, ex.section_kind) == ex.polarity for ex in with_polarity]))
        if with_polarity else None
    )
    return TaggingReport(tax.version, len(dev_examples), training_passages, tuple(reports), polarity,
                         tuple(notes))


def format_report(report: TaggingReport) -> str:
    """A plain-text table: one row per standard (F1 and support per tagger), then micro/macro rows."""
    names = [r.tagger for r in report.taggers]
    width = max(10, *(len(n) for n in names))
    head = f"{'standard':<9}{'support':>8} " + " ".join(f"{n:>{width}}" for n in names)
    lines = [
        f"Tagging evaluation: taxonomy {report.taxonomy_version}, {report.dev_passages} evaluation passages, "
        f"{report.training_passages} training passages",
        "cells: precision/recall/F1",
        head,
        "-" * len(head),
    ]
    tax = load_taxonomy()
    for j, sid in enumerate(tax.ids):
        support = report.taggers[0].per_standard[j].support if report.taggers else 0
        cells = []
        for r in report.taggers:
            s = r.per_standard[j]
            cells.append(f"{s.precision:.2f}/{s.recall:.2f}/{s.f1:.2f}".rjust(width))
        lines.append(f"{sid:<9}{support:>8} " + " ".join(cells))
    lines.append("-" * len(head))
    for label, attr in (("micro P", "micro_precision"), ("micro R", "micro_recall"),
                        ("micro F1", "micro_f1"), ("macro F1", "macro_f1")):
        lines.append(f"{label:<17} " + " ".join(f"{getattr(r, attr):>{width}.3f}" for r in report.taggers))
    lines.append(f"{'seconds':<17} " + " ".join(f"{r.seconds:>{width}.2f}" for r in report.taggers))
    for r in report.taggers:
        weak = r.weak_standards()
        if weak:
            lines.append(f"{r.tagger}: support >= 8 and F1 < 0.5: {', '.join(weak)}")
    if report.polarity_accuracy is not None:
        lines.append(f"passage polarity accuracy: {report.polarity_accuracy:.3f}")
    lines.extend(report.notes)
    return "\n".join(lines)


def kappa(labels_a: Sequence[Hashable], labels_b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa for two raters' categorical labels; ``None`` if agreement by chance is total."""
    if len(labels_a) != len(labels_b):
        raise ValueError("both raters must label the same items")
    if not labels_a:
        return None
    n = len(labels_a)
    observed = sum(1 for a, b in zip(labels_a, labels_b, strict=True) if a == b) / n
    categories = set(labels_a) | set(labels_b)
    expected = sum((list(labels_a).count(c) / n) * (list(labels_b).count(c) / n) for c in categories)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class KappaReport:
    """Agreement between two labellings of the same passages."""

    per_standard: dict[str, float | None]
    overall: float | None
    """Kappa over every (passage, standard) yes/no decision pooled together."""
    passages: int


def cohen_kappa(labels_a: Sequence[Collection[str]], labels_b: Sequence[Collection[str]],
                ids: Sequence[str] | None = None) -> KappaReport:
    """Cohen's kappa per standard (yes/no per passage) and pooled over all standards."""
    standards = list(ids) if ids is not None else list(load_taxonomy().ids)
    per: dict[str, float | None] = {}
    pooled_a: list[bool] = []
    pooled_b: list[bool] = []
    for sid in standards:
        a = [sid in row for row in labels_a]
        b = [sid in row for row in labels_b]
        per[sid] = kappa(a, b)
        pooled_a += a
        pooled_b += b
    return KappaReport(per, kappa(pooled_a, pooled_b), len(labels_a))


def describe_calibration(calibration: Any) -> str:
    """One line on the ensemble's out-of-fold choice of weights and decision policy."""
    from taxonomy.calibration import describe_weights

    policy = calibration.policy
    fusion = ("stacked (a logistic model per standard over the members' scores)"
              if getattr(calibration, "stacker", None) is not None
              else f"weights ({describe_weights(calibration.weights)})")
    return (
        f"ensemble: {fusion}, label-count prior "
        f"{'/'.join(f'{c:.1f}' for c in policy.count_prior)} by length, floor {policy.floor}, at most "
        f"{policy.max_accepted} above the line; chosen out of fold on {calibration.passages} training "
        f"review passages (micro-F1 {calibration.micro_f1})"
    )


def run_tagging_eval(dev_path: str | Path, sample_sources_dir: str | Path | None,
                     encoder: TextEncoder, taggers: Sequence[str] = TAGGER_ORDER,
                     panel: Sequence[LabelledExample] = ()) -> TaggingReport:
    """Fit on training data only, then evaluate the named taggers on the labelled dev file.

    Training data: the taxonomy's examples, the sample sources' labelled passages and ``panel``.
    Any training passage whose text also appears in the dev file is dropped (and noted).
    """
    from taxonomy.registry import make_taggers

    tax = load_taxonomy()
    dev = load_jsonl(dev_path, tax)
    dev_texts = {ex.text.strip() for ex in dev}
    training = training_examples(sample_sources_dir, tax, panel)
    overlap = [ex for ex in training if ex.text.strip() in dev_texts]
    training = [ex for ex in training if ex.text.strip() not in dev_texts]
    notes = [f"dropped {len(overlap)} training passages that also occur in the dev set"] if overlap else []
    train_vectors = encoder.encode([ex.text for ex in training])
    dev_vectors = encoder.encode([ex.text for ex in dev])
    inputs = [TagInput(ex.id, ex.text, dev_vectors[i], ex.section_kind) for i, ex in enumerate(dev)]
    built = make_taggers(list(taggers), taxonomy=tax, encoder=encoder, training=training,
                         training_vectors=train_vectors)
    supervised = built.get("supervised")
    report = getattr(supervised, "report", None)
    if report is not None and report.insufficient:
        notes.append("supervised: " + report.describe())
    calibration = getattr(built.get("ensemble"), "calibration", None)
    if calibration is not None:
        notes.append(describe_calibration(calibration))
    return evaluate(dev, built, inputs=inputs, training_passages=len(training), notes=notes)


@dataclass(frozen=True)
class AgreementReport:
    """Agreement between two labellers over the passages both labelled."""

    standards: KappaReport
    polarity_kappa: float | None
    exact_match: float
    """Share of passages where both gave exactly the same set of standards."""


def _labels(path: str | Path) -> dict[str, tuple[set[str], str | None]]:
    import json

    out: dict[str, tuple[set[str], str | None]] = {}
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                out[str(row["id"])] = (set(row.get("standards") or ()), row.get("polarity"))
    return out


def double_labelled_agreement(path_a: str | Path, path_b: str | Path) -> AgreementReport:
    """Cohen's kappa between two JSONL labellings (``id``, ``standards``, ``polarity``), on shared ids."""
    a, b = _labels(path_a), _labels(path_b)
    shared = sorted(set(a) & set(b))
    labels_a = [a[i][0] for i in shared]
    labels_b = [b[i][0] for i in shared]
    polarity = [(a[i][1], b[i][1]) for i in shared if a[i][1] and b[i][1]]
    return AgreementReport(
        standards=cohen_kappa(labels_a, labels_b),
        polarity_kappa=kappa([p for p, _ in polarity], [q for _, q in polarity]) if polarity else None,
        exact_match=float(np.mean([x == y for x, y in zip(labels_a, labels_b, strict=True)])) if shared else 0.0,
    )
