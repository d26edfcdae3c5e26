"""Labelled examples for training and calibration, and readers for labelled files.

Training data comes from (a) the taxonomy's own worked examples and the hand-written seed passages in
``taxonomy/data/training_seed.json`` (written for training, following the labelling rules: focused
labels, plus unlabelled process text and keyword traps), (b) the sample reviews' labelled
passages (``data/sample-sources/*.truth.json`` whose ``passage_labels`` give the first 60 characters
of a paragraph in the matching ``.md`` source), and (c) panel decisions passed in by the caller.
The evaluation set (``data/eval/tagging_dev.jsonl``) is read by :func:`load_jsonl` for evaluation
only; nothing in this module mixes it into training data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from taxonomy.errors import TrainingDataError
from taxonomy.standards import Taxonomy, load_taxonomy


@dataclass(frozen=True)
class LabelledExample:
    """A passage with its standards; ``rejected`` lists standards a panel said do not apply."""

    text: str
    standards: tuple[str, ...]
    source: str
    polarity: str | None = None
    section_kind: str | None = None
    rejected: tuple[str, ...] = field(default=())
    id: str = ""


_LIST_MARKER = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|[a-z][.)]\s+)")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)")


def _plain(text: str) -> str:
    return _EMPHASIS.sub("", text).strip()


def section_kind_of(heading: str) -> str:
    """A coarse section kind from a Markdown heading (only the kinds that affect polarity matter)."""
    h = heading.lower()
    if "action plan" in h:
        return "action_plan"
    if "recommend" in h or "improving systems" in h:
        return "recommendations"
    if "good practice" in h or "effective practice" in h or "what worked well" in h:
        return "good_practice"
    if "learning" in h or "lessons" in h:
        return "practice_learning"
    if "conclusion" in h:
        return "conclusions"
    return "analysis"


def markdown_units(markdown: str) -> list[tuple[str, str]]:
    """Split Markdown into ``(text, section_kind)`` units: paragraphs, or single list items.

    Headings set the section kind of what follows; emphasis markers are removed.
    """
    units: list[tuple[str, str]] = []
    kind = "front_matter"
    for block in re.split(r"\n\s*\n", markdown):
        lines = [ln for ln in block.strip().splitlines() if ln.strip()]
        if not lines:
            continue
        heading = _HEADING.match(lines[0])
        if heading and len(lines) == 1:
            kind = section_kind_of(_plain(heading.group(1)))
            continue
        if len(lines) > 1 and all(_LIST_MARKER.match(ln) for ln in lines):
            units.extend((_plain(ln), kind) for ln in lines)
        else:
            units.append((_plain(" ".join(ln.strip() for ln in lines)), kind))
    return units


def _find_unit(units: list[tuple[str, str]], snippet: str) -> tuple[str, str] | None:
    snippet = _plain(snippet)
    for text, kind in units:
        if text.startswith(snippet):
            return text, kind
    for text, kind in units:
        bare = _LIST_MARKER.sub("", text, count=1)
        if bare.startswith(snippet):
            return bare, kind
    return None


def load_sample_sources(directory: str | Path) -> tuple[list[LabelledExample], list[str]]:
    """Labelled passages from every ``*.truth.json`` beside its ``.md`` source.

    Returns the examples and a list of problems (snippets not found, sources missing).
    """
    examples: list[LabelledExample] = []
    problems: list[str] = []
    for truth_path in sorted(Path(directory).glob("*.truth.json")):
        name = truth_path.name.removesuffix(".truth.json")
        md_path = truth_path.with_name(name + ".md")
        try:
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            problems.append(f"{truth_path.name}: unreadable ({exc})")
            continue
        labels = truth.get("passage_labels") or []
        if not labels:
            continue
        if not md_path.exists():
            problems.append(f"{truth_path.name}: no {md_path.name}")
            continue
        units = markdown_units(md_path.read_text(encoding="utf-8"))
        for n, label in enumerate(labels):
            found = _find_unit(units, str(label.get("snippet", "")))
            if found is None:
                problems.append(f"{name}: snippet not found: {label.get('snippet')!r}")
                continue
            text, kind = found
            examples.append(
                LabelledExample(
                    text=text,
                    standards=tuple(label.get("standards") or ()),
                    source=f"sample:{name}",
                    polarity=label.get("polarity"),
                    section_kind=kind,
                    id=f"{name}#{n}",
                )
            )
    return examples, problems


def taxonomy_examples(taxonomy: Taxonomy | None = None) -> list[LabelledExample]:
    """Each standard's worked examples, labelled with that standard."""
    tax = taxonomy or load_taxonomy()
    return [
        LabelledExample(text=text, standards=(s.id,), source="taxonomy", id=f"{s.id}#ex{n}")
        for s in tax.standards
        for n, text in enumerate(s.examples)
    ]


def seed_examples(taxonomy: Taxonomy | None = None) -> list[LabelledExample]:
    """The packaged hand-written training passages (``taxonomy/data/training_seed.json``)."""
    tax = taxonomy or load_taxonomy()
    raw = resources.files("taxonomy").joinpath("data/training_seed.json").read_text(encoding="utf-8")
    rows = json.loads(raw)["examples"]
    known = set(tax.ids)
    out = []
    for row in rows:
        unknown = set(row["standards"]) - known
        if unknown:
            raise TrainingDataError(f"seed example {row['id']}: unknown standards {sorted(unknown)}")
        out.append(
            LabelledExample(text=row["text"], standards=tuple(row["standards"]), source="seed",
                            polarity=row.get("polarity"), section_kind=row.get("section"), id=row["id"])
        )
    return out


def load_jsonl(path: str | Path, taxonomy: Taxonomy | None = None) -> list[LabelledExample]:
    """Read ``{"id", "text", "standards", "polarity"?, "section"?, "rejected"?}`` lines.

    Unknown standard ids raise :class:`TrainingDataError` naming the line.
    """
    tax = taxonomy or load_taxonomy()
    known = set(tax.ids)
    out: list[LabelledExample] = []
    with Path(path).open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                standards = tuple(row.get("standards") or ())
                rejected = tuple(row.get("rejected") or ())
                text = row["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise TrainingDataError(f"{path}:{line_no}: {exc}") from exc
            unknown = set(standards + rejected) - known
            if unknown:
                raise TrainingDataError(f"{path}:{line_no}: unknown standards {sorted(unknown)}")
            out.append(
                LabelledExample(
                    text=text,
                    standards=standards,
                    source=str(path),
                    polarity=row.get("polarity"),
                    section_kind=row.get("section"),
                    rejected=rejected,
                    id=str(row.get("id", line_no)),
                )
            )
    return out


def training_examples(
    sample_sources_dir: str | Path | None,
    taxonomy: Taxonomy | None = None,
    panel: Sequence[LabelledExample] = (),
    heldout: Sequence[LabelledExample] = (),
) -> list[LabelledExample]:
    """All training data: taxonomy examples, seed passages, sample-source passages (if a directory is given),
    the held-out corpus's training parts (``heldout``, :func:`taxonomy.heldout.heldout_training_examples`)
    and panel decisions (confirmed standards in ``standards``, rejected ones in ``rejected``)."""
    examples = taxonomy_examples(taxonomy) + seed_examples(taxonomy)
    if sample_sources_dir is not None:
        examples += load_sample_sources(sample_sources_dir)[0]
    examples += list(heldout)
    examples += list(panel)
    return examples


def label_matrix(examples: Iterable[LabelledExample], ids: Sequence[str]) -> list[list[int]]:
    """0/1 rows aligned with ``ids`` (rejected standards stay 0)."""
    index = {sid: j for j, sid in enumerate(ids)}
    rows = []
    for ex in examples:
        row = [0] * len(ids)
        for sid in ex.standards:
            if sid in index:
                row[index[sid]] = 1
        rows.append(row)
    return rows
