"""Learning from a board's own labels: import labelled passages as training data, with provenance.

Two kinds of line, one JSON object each (blank lines are skipped):

- ``{"text": "...", "labels": ["S16", "S04"]}``, optionally ``"rejected"``, ``"polarity"``,
  ``"section"``: a passage and the standards it speaks to (``[]``: it speaks to none);
- ``{"passage_id": 12, "decision": "confirm" | "reject", "standard": "S16"}`` (or ``"standards"``):
  a decision on a passage already in the catalogue; lines for one passage are merged.

Every line is checked first; if any is malformed, nothing is stored and each problem is reported
with its line number. A passage already imported (same text) or repeated in the file is a
duplicate: reported and skipped. Imported examples train the taggers alongside the panel's own
decisions on tags (:func:`learned_examples`, used by :mod:`gwersi.tagging`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gwersi import audit
from gwersi.context import AppContext
from gwersi.errors import GwersiError
from index.db import transaction
from index.training_store import (
    NewExample,
    add_training_examples,
    list_training_examples,
    passage_texts,
    stored_hashes,
    text_sha1,
)
from taxonomy.standards import TAXONOMY_VERSION, load_taxonomy
from taxonomy.training import LabelledExample

MAX_TEXT_CHARS = 20000
"""Longest passage text accepted for training."""
MAX_LINES = 100000
"""Most lines one import may hold."""
DECISIONS = ("confirm", "reject")


@dataclass(frozen=True)
class LineProblem:
    """A line that was not imported, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class LearnReport:
    """What an import did: examples stored, duplicates skipped, malformed lines (then nothing stored)."""

    source: str
    stored: int
    duplicates: tuple[LineProblem, ...] = ()
    errors: tuple[LineProblem, ...] = ()
    ids: tuple[int, ...] = field(default=())


@dataclass
class _PassageDecisions:
    first_line: int
    confirmed: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)


def _standards(value: Any, known: set[str], what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'"{what}" must be a list of standard ids')
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValueError(f"unknown standards {unknown}")
    return tuple(dict.fromkeys(value))


def _text_line(row: dict[str, Any], known: set[str], line: int) -> NewExample:
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError('"text" must be a non-empty string')
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f'"text" is longer than {MAX_TEXT_CHARS} characters')
    if "labels" not in row:
        raise ValueError('a "text" line needs "labels" (a list of standard ids, [] for none)')
    labels = _standards(row.get("labels"), known, "labels")
    rejected = tuple(s for s in _standards(row.get("rejected"), known, "rejected") if s not in labels)
    polarity, section = row.get("polarity"), row.get("section")
    if polarity is not None and polarity not in ("shortfall", "good_practice", "recommendation", "neutral"):
        raise ValueError(f"unknown polarity {polarity!r}")
    if section is not None and not isinstance(section, str):
        raise ValueError('"section" must be a string')
    return NewExample(text.strip(), labels, rejected, polarity, section, None, line)


def _decision_line(row: dict[str, Any], known: set[str]) -> tuple[int, str, tuple[str, ...]]:
    pid = row.get("passage_id")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid < 1:
        raise ValueError('"passage_id" must be a positive integer')
    decision = row.get("decision")
    if decision not in DECISIONS:
        raise ValueError(f'"decision" must be one of {list(DECISIONS)}')
    if "standard" in row:
        standards = _standards([row["standard"]], known, "standard")
    else:
        standards = _standards(row.get("standards"), known, "standards")
    if not standards:
        raise ValueError('a decision line needs "standard" (or "standards")')
    return pid, str(decision), standards


def parse_lines(lines: Iterable[str], known: Iterable[str]) -> tuple[list[NewExample], dict[int, _PassageDecisions],
                                                                    list[LineProblem], list[LineProblem]]:
    """Check every line: text examples, passage decisions (merged per passage), errors, duplicates."""
    valid = set(known)
    examples: list[NewExample] = []
    passages: dict[int, _PassageDecisions] = {}
    errors: list[LineProblem] = []
    duplicates: list[LineProblem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, 1):
        if number > MAX_LINES:
            errors.append(LineProblem(number, f"more than {MAX_LINES} lines"))
            break
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
            if not isinstance(row, dict):
                raise ValueError("not a JSON object")
            if "passage_id" in row:
                pid, decision, standards = _decision_line(row, valid)
                entry = passages.setdefault(pid, _PassageDecisions(number))
                mine, other = (entry.confirmed, entry.rejected) if decision == "confirm" else (entry.rejected,
                                                                                            entry.confirmed)
                for sid in standards:
                    if sid in other:
                        raise ValueError(f"{sid} on passage {pid} is both confirmed and rejected "
                                         f"(see line {other[sid]})")
                    if sid in mine:
                        duplicates.append(LineProblem(number, f"repeats line {mine[sid]} ({sid} on passage {pid})"))
                        continue
                    mine[sid] = number
            elif "text" in row:
                example = _text_line(row, valid, number)
                key = text_sha1(example.text)
                if key in seen:
                    duplicates.append(LineProblem(number, f"same text as line {seen[key]}"))
                    continue
                seen[key] = number
                examples.append(example)
            else:
                raise ValueError('a line needs "text" and "labels", or "passage_id" and "decision"')
        except json.JSONDecodeError as exc:
            errors.append(LineProblem(number, f"not JSON ({exc.msg})"))
        except ValueError as exc:
            errors.append(LineProblem(number, str(exc)))
    return examples, passages, errors, duplicates


def import_lines(ctx: AppContext, lines: Iterable[str], *, source: str, actor: str) -> LearnReport:
    """Check and store labelled passages; nothing is stored if any line is malformed."""
    known = load_taxonomy().ids
    examples, passages, errors, duplicates = parse_lines(lines, known)
    with transaction(ctx.sessions) as session:
        texts = passage_texts(session=session, passage_ids=list(passages))
        for pid, entry in passages.items():
            if pid not in texts:
                errors.append(LineProblem(entry.first_line, f"no passage with id {pid}"))
                continue
            examples.append(NewExample(texts[pid].strip(), tuple(entry.confirmed), tuple(entry.rejected),
                                       passage_id=pid, line=entry.first_line))
        if errors:
            return LearnReport(source, 0, tuple(duplicates), tuple(sorted(errors, key=lambda p: p.line)))
        known_hashes = stored_hashes(session=session, hashes=[text_sha1(ex.text) for ex in examples])
        fresh: list[NewExample] = []
        seen: set[str] = set()
        for ex in examples:
            key = text_sha1(ex.text)
            if key in known_hashes or key in seen:
                duplicates.append(LineProblem(ex.line or 0, "already imported (same passage text)"))
                continue
            seen.add(key)
            fresh.append(ex)
        rows = add_training_examples(session=session, examples=fresh, imported_by=actor, source_file=source,
                                     taxonomy_version=TAXONOMY_VERSION)
        audit.record(session, actor, "training.import", f"file:{source}",
                     {"stored": len(rows), "duplicates": len(duplicates)})
        ids = tuple(r.id for r in rows)
    return LearnReport(source, len(ids), tuple(sorted(duplicates, key=lambda p: p.line)), (), ids)


def require_clean(report: LearnReport) -> LearnReport:
    """Raise a 422 domain error listing the malformed lines (nothing was stored)."""
    if report.errors:
        shown = "; ".join(f"line {p.line}: {p.reason}" for p in report.errors[:20])
        more = f" (and {len(report.errors) - 20} more)" if len(report.errors) > 20 else ""
        raise GwersiError("bad_training_lines", f"nothing imported: {shown}{more}", 422)
    return report


def learned_examples(ctx: AppContext) -> list[LabelledExample]:
    """Every imported example as training data (source ``learned:<file>``)."""
    with ctx.sessions() as session:
        rows = list_training_examples(session=session)
    return [
        LabelledExample(
            text=r.text,
            standards=tuple(r.standards),
            source=f"learned:{r.source_file}",
            polarity=r.polarity,
            section_kind=r.section_kind,
            rejected=tuple(r.rejected),
            id=f"learned:{r.id}",
        )
        for r in rows
    ]


def merge_by_text(examples: Sequence[LabelledExample]) -> list[LabelledExample]:
    """One example per passage text: a board's import and the panel's decisions on the same passage
    count once, with confirmed standards joined (a standard confirmed anywhere is not rejected)."""
    merged: dict[str, LabelledExample] = {}
    for ex in examples:
        key = text_sha1(ex.text)
        prior = merged.get(key)
        if prior is None:
            merged[key] = ex
            continue
        standards = tuple(dict.fromkeys(prior.standards + ex.standards))
        rejected = tuple(s for s in dict.fromkeys(prior.rejected + ex.rejected) if s not in standards)
        merged[key] = LabelledExample(prior.text, standards, prior.source, prior.polarity or ex.polarity,
                                      prior.section_kind or ex.section_kind, rejected, prior.id)
    return list(merged.values())
