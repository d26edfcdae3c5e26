"""How well ingest reads structure and metadata, field by field, against truth files.

Used by ``gwersi eval ingest`` (samples, the held-out corpus's tuning part and its frozen test part,
each in every format it is built in) and by the metamorphic layout tests. A check names the
review, the layout and the field, so a failure says exactly what was read wrongly where.

Truth files are those of ``data/sample-sources`` and ``data/heldout/*/sources`` (see
``data/heldout/FORMAT.md``). Comparisons forgive only what printing changes: case, spacing,
dashes and quote marks, and a printed number in front of a heading.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.models import ParsedReview
from ingest.sections import clean_heading
from taxonomy.heldout import HELDOUT_PARTS

META_FIELDS = ("review_type", "level", "board", "reference", "year", "subject", "age_band")
"""Metadata fields every truth file gives."""

STRUCTURE_FIELDS = ("recommendation_count", "recommendation_numbers", "recommendation_texts", "action_plan_rows")

_DASHES = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


@dataclass(frozen=True)
class Check:
    """One field of one review in one layout: what the truth says and what ingest read."""

    review: str
    layout: str
    field: str
    expected: Any
    got: Any
    ok: bool

    def describe(self) -> str:
        """A one-line account for a failure message."""
        return f"{self.review} [{self.layout}] {self.field}: expected {self.expected!r}, got {self.got!r}"


def fold(text: str | None) -> str:
    """Text as compared: NFC, straight quotes and dashes, single spaces, lower case."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_DASHES)
    return re.sub(r"\s+", " ", text).strip().lower()


def load_truth(path: Path) -> dict[str, Any]:
    """A truth file as a dict."""
    return dict(json.loads(path.read_text(encoding="utf-8")))


def check_review(parsed: ParsedReview, truth: dict[str, Any], *, layout: str) -> list[Check]:
    """Every metadata and structure field of ``parsed`` against ``truth``."""
    name = str(truth.get("name", Path(parsed.source_path).stem))
    meta = truth["metadata"]
    got_meta = parsed.metadata
    checks: list[Check] = []

    def add(field: str, expected: Any, got: Any, ok: bool | None = None) -> None:
        checks.append(Check(name, layout, field, expected, got, expected == got if ok is None else ok))

    for field in META_FIELDS:
        expected = meta.get(field)
        got = getattr(got_meta, field)
        if field == "reference":
            add(field, expected, got, fold(expected) == fold(got))
        elif field == "subject":
            allowed = {fold(expected), *(fold(s) for s in meta.get("other_subjects") or [])}
            add(field, expected, got, fold(got) in allowed if expected else got is None)
        elif field == "board":
            add(field, expected, got, fold(expected) == fold(got))
        else:
            add(field, expected, got)
    if "criteria_met" in meta and meta.get("review_type") == "SUSR":
        add("criteria_met", list(meta["criteria_met"]), list(got_meta.criteria_met))
    want = truth.get("recommendations", [])
    got_recs = parsed.recommendations
    add("recommendation_count", len(want), len(got_recs))
    add("recommendation_numbers", [str(r["number"]) for r in want], [r.number for r in got_recs])
    texts_ok = len(want) == len(got_recs) and all(
        fold(g.text).startswith(fold(w["starts_with"])) for g, w in zip(got_recs, want, strict=False)
    )
    add("recommendation_texts", [w["starts_with"] for w in want], [g.text[:40] for g in got_recs], texts_ok)
    add("action_plan_rows", truth.get("action_plan_rows", 0), len(parsed.action_plan))
    if "sections" in truth:
        checks.extend(section_checks(parsed, truth["sections"], review=name, layout=layout))
    return checks


def heading_key(heading: str) -> str:
    """A heading as matched across layouts: printed numbering and punctuation removed, lower case."""
    return clean_heading(fold(heading)) or fold(heading)


def section_checks(
    parsed: ParsedReview, expected: Sequence[dict[str, str]], *, review: str, layout: str
) -> list[Check]:
    """One check per expected heading: found as a section heading, with the expected kind.

    Headings are matched in order; a heading that ingest did not read as a heading fails with
    ``got`` None.
    """
    found = [(heading_key(s.heading), s.kind) for s in parsed.sections if s.kind != "front_matter" or s.heading]
    checks: list[Check] = []
    cursor = 0
    for item in expected:
        key = heading_key(item["heading"])
        kind = None
        for index in range(cursor, len(found)):
            if found[index][0] == key:
                kind = found[index][1]
                cursor = index + 1
                break
        field = f"section:{item['heading'][:50]}"
        checks.append(Check(review, layout, field, item["kind"], kind, kind == item["kind"]))
    return checks


def structure_signature(parsed: ParsedReview) -> dict[str, Any]:
    """What must not change between layouts of one report: sections, recommendations, plan, metadata."""
    meta = parsed.metadata
    return {
        "sections": [(heading_key(s.heading), s.kind) for s in parsed.sections if s.kind != "front_matter"],
        "recommendations": [(r.number, fold(r.text)[:200]) for r in parsed.recommendations],
        "action_plan_rows": len(parsed.action_plan),
        "metadata": {f: getattr(meta, f) for f in (*META_FIELDS, "criteria_met")},
    }


def compare_signatures(reference: dict[str, Any], other: dict[str, Any], *, review: str, layout: str) -> list[Check]:
    """Checks that ``other`` (a layout) reads the same as ``reference`` (the Markdown source)."""
    checks = [
        Check(review, layout, "sections", reference["sections"], other["sections"],
              reference["sections"] == other["sections"]),
        Check(review, layout, "recommendations", reference["recommendations"], other["recommendations"],
              reference["recommendations"] == other["recommendations"]),
        Check(review, layout, "action_plan_rows", reference["action_plan_rows"], other["action_plan_rows"],
              reference["action_plan_rows"] == other["action_plan_rows"]),
    ]
    for field, value in reference["metadata"].items():
        got = other["metadata"][field]
        same = fold(value) == fold(got) if isinstance(value, str) and isinstance(got, str) else value == got
        checks.append(Check(review, layout, field, value, got, same))  # a cover set in capitals prints the same
    return checks


@dataclass(frozen=True)
class FieldScore:
    """Accuracy of one field over a set of reviews."""

    field: str
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        """Share correct (1.0 when there is nothing to check)."""
        return self.correct / self.total if self.total else 1.0


def summarise(checks: Iterable[Check]) -> list[FieldScore]:
    """Per-field accuracy; every ``section:*`` check pools into one ``section_kind_recall`` row."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for check in checks:
        field = "section_kind_recall" if check.field.startswith("section:") else check.field
        tally[field][0] += int(check.ok)
        tally[field][1] += 1
    order = [*META_FIELDS, "criteria_met", *STRUCTURE_FIELDS, "section_kind_recall"]
    return [FieldScore(f, *tally[f]) for f in order if f in tally]


@dataclass(frozen=True)
class CorpusFile:
    """One built file of a corpus and the truth file it is scored against."""

    corpus: str
    fmt: str
    path: Path
    truth: Path


def corpus_files(root: Path) -> list[CorpusFile]:
    """The samples (as built) and the held-out corpus's parts (:data:`~taxonomy.heldout.HELDOUT_PARTS`) in DOCX,
    PDF and Markdown."""
    files: list[CorpusFile] = []
    sources = root / "data" / "sample-sources"
    for path in sorted((root / "data" / "samples").glob("*")):
        truth = sources / f"{path.stem}.truth.json"
        if truth.exists() and path.suffix in (".pdf", ".docx", ".md", ".txt"):
            files.append(CorpusFile("samples", path.suffix.lstrip("."), path, truth))
    for part in HELDOUT_PARTS:
        folder = root / "data" / "heldout" / part
        for truth in sorted((folder / "sources").glob("*.truth.json")):
            name = truth.name.removesuffix(".truth.json")
            for fmt, path in (
                ("docx", folder / "built" / f"{name}.docx"),
                ("pdf", folder / "built" / f"{name}.pdf"),
                ("md", folder / "sources" / f"{name}.md"),
            ):
                if path.exists():
                    files.append(CorpusFile(f"heldout-{part}", fmt, path, truth))
    return files


@dataclass(frozen=True)
class IngestEvalReport:
    """Per-field accuracy for each (corpus, format) column, and every failed check."""

    columns: dict[str, list[FieldScore]]
    reviews: dict[str, int]
    failures: list[Check]
    errors: list[str]

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "columns": {
                name: {s.field: {"correct": s.correct, "total": s.total, "accuracy": round(s.accuracy, 4)}
                       for s in scores}
                for name, scores in self.columns.items()
            },
            "reviews": self.reviews,
            "failures": [c.describe() for c in self.failures],
            "errors": self.errors,
        }


def run_ingest_eval(root: Path, *, corpora: Sequence[str] | None = None) -> IngestEvalReport:
    """Parse every corpus file and score it against its truth; a file that fails to parse counts as wrong."""
    from ingest.errors import IngestError
    from ingest.pipeline import parse_file

    by_column: dict[str, list[Check]] = defaultdict(list)
    reviews: Counter[str] = Counter()
    errors: list[str] = []
    for item in corpus_files(root):
        if corpora and item.corpus not in corpora:
            continue
        column = f"{item.corpus}/{item.fmt}"
        reviews[column] += 1
        truth = load_truth(item.truth)
        try:
            parsed = parse_file(item.path)
        except IngestError as exc:
            errors.append(f"{column} {item.path.name}: {exc}")
            continue
        by_column[column].extend(check_review(parsed, truth, layout=column))
    failures = [c for checks in by_column.values() for c in checks if not c.ok]
    return IngestEvalReport({k: summarise(v) for k, v in by_column.items()}, dict(reviews), failures, errors)


def format_ingest_eval(report: IngestEvalReport, *, show_failures: bool = False) -> str:
    """A field x column accuracy table, then (optionally) every failure."""
    columns = list(report.columns)
    fields: list[str] = []
    for scores in report.columns.values():
        fields += [s.field for s in scores if s.field not in fields]
    width = max(12, *(len(c) for c in columns)) if columns else 12
    lines = ["Ingest accuracy per field (correct/total); samples were tuned on, heldout-dev may be, heldout-test never",
             "field".ljust(24) + "".join(c.rjust(width + 2) for c in columns)]
    lines.append("reviews".ljust(24) + "".join(str(report.reviews.get(c, 0)).rjust(width + 2) for c in columns))
    for field in fields:
        row = field.ljust(24)
        for column in columns:
            score = next((s for s in report.columns[column] if s.field == field), None)
            cell = f"{score.accuracy:.2f} ({score.correct}/{score.total})" if score else "-"
            row += cell.rjust(width + 2)
        lines.append(row)
    if report.errors:
        lines += ["", "files that did not parse:", *(f"  {e}" for e in report.errors)]
    if show_failures and report.failures:
        lines += ["", "failures:", *(f"  {c.describe()[:300]}" for c in report.failures)]
    return "\n".join(lines)
