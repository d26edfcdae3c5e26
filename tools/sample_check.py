"""Validate a sample source against its truth file (``build_samples.py --check``)."""

from __future__ import annotations

import re
from typing import Any

from sample_blocks import MdDocument, block_texts, plain

TRUTH_KEYS = {"name", "format", "running_header", "metadata", "agencies", "recommendations",
              "action_plan_rows", "passage_labels", "lesson_groups", "repeated_recommendations"}
META_KEYS = {"review_type", "level", "criteria_met", "board", "community_safety_partnership",
             "reference", "year", "subject", "age_band"}
REVIEW_TYPES = {"CPR", "APR", "DHR", "MHHR", "OWHR", "SUSR"}
LEVELS = {"concise", "extended", None}
AGE_BANDS = {"unborn", "infant_<1", "1-4", "5-10", "11-15", "16-17", "18-24", "25-64", "65+"}
BOARDS = {"North Wales Safeguarding Board", "Mid and West Wales Safeguarding Board",
          "West Glamorgan Safeguarding Board", "Cwm Taf Morgannwg Safeguarding Board",
          "Cardiff and Vale Regional Safeguarding Board", "Gwent Safeguarding Board"}
POLARITIES = {"shortfall", "good_practice", "recommendation", "neutral"}
STANDARD_IDS = {f"S{i:02d}" for i in range(1, 27)}
LESSON_IDS = {f"L{i}" for i in range(1, 11)}
FORMATS = {"pdf", "docx", "md"}
# characters the PDF renderer replaces (Helvetica/WinAnsi cannot draw them)
PDF_UNSAFE = re.compile(r"[^\x00-\x7f‘’“”–—…•éèêëáâàäíîïóôòöúûùüçÂÊÎÔÛñ£€·×½¼¾°©®™]")


def word_count(doc: MdDocument) -> int:
    """Words a reader sees (tables included)."""
    return sum(len(t.split()) for t in block_texts(doc))


def action_plan_body_rows(doc: MdDocument) -> int | None:
    """Body rows of the action-plan table: the first table after an "action plan" heading,
    else the last table in the document."""
    after_heading = False
    last = None
    for b in doc.blocks:
        if b.kind == "heading":
            after_heading = after_heading or "action plan" in plain(b.text).lower()
        elif b.kind == "table":
            last = len(b.rows) - 1
            if after_heading:
                return last
    return last


def _starts_block(snippet: str, texts: list[str]) -> int:
    """How many blocks start with ``snippet`` (numbered items: with or without "n. ")."""
    n = 0
    for t in texts:
        stripped = re.sub(r"^\d{1,2}\. ", "", t)
        if t.startswith(snippet) or stripped.startswith(snippet):
            n += 1
    return n


def check(name: str, doc: MdDocument, truth: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Return ``(errors, warnings)`` for one sample."""
    errors: list[str] = []
    warnings: list[str] = []
    err = errors.append
    keys = set(truth)
    if keys != TRUTH_KEYS:
        err(f"truth keys: missing {sorted(TRUTH_KEYS - keys)}, extra {sorted(keys - TRUTH_KEYS)}")
    if truth.get("name") != name:
        err(f"name {truth.get('name')!r} != file stem {name!r}")
    fmt = truth.get("format")
    if fmt not in FORMATS:
        err(f"format {fmt!r} not in {sorted(FORMATS)}")
    if fmt == "md" and truth.get("running_header"):
        err("running_header must be null for md samples")
    meta = truth.get("metadata", {})
    if set(meta) != META_KEYS:
        err(f"metadata keys: missing {sorted(META_KEYS - set(meta))}, extra {sorted(set(meta) - META_KEYS)}")
    if meta.get("review_type") not in REVIEW_TYPES:
        err(f"review_type {meta.get('review_type')!r}")
    if meta.get("level") not in LEVELS:
        err(f"level {meta.get('level')!r}")
    crit = meta.get("criteria_met", [])
    if meta.get("review_type") == "SUSR":
        if not crit or any(c not in REVIEW_TYPES - {"SUSR"} for c in crit):
            err(f"criteria_met {crit!r} invalid for a SUSR")
    elif crit:
        err("criteria_met must be [] unless SUSR")
    if meta.get("board") not in BOARDS:
        err(f"board {meta.get('board')!r} is not a canonical board name")
    csp = meta.get("community_safety_partnership")
    if csp is not None and not str(csp).endswith("Community Safety Partnership"):
        err(f"community_safety_partnership {csp!r}")
    if meta.get("age_band") not in AGE_BANDS:
        err(f"age_band {meta.get('age_band')!r}")
    if not isinstance(meta.get("year"), int):
        err("year must be an int")

    texts = block_texts(doc)
    full = "\n".join(texts)
    for field, value in (("reference", meta.get("reference")), ("subject", meta.get("subject")),
                         ("running_header", truth.get("running_header"))):
        if value and value not in full and field != "running_header":
            err(f"{field} {value!r} not found in the text")
    for agency in truth.get("agencies", []):
        if agency not in full:
            warnings.append(f"agency {agency!r} not printed verbatim (aliases may be used)")

    recs = truth.get("recommendations", [])
    if not 3 <= len(recs) <= 10:
        err(f"{len(recs)} recommendations (spec: 3-10)")
    numbers = [str(r.get("number")) for r in recs]
    if len(set(numbers)) != len(numbers):
        err("recommendation numbers repeat")
    for r in recs:
        sw = r.get("starts_with", "")
        if not sw or sw not in full:
            err(f"recommendation {r.get('number')} starts_with not found: {sw!r}")
    rows = action_plan_body_rows(doc)
    if rows is None:
        err("no action plan table")
    elif rows != truth.get("action_plan_rows"):
        err(f"action_plan_rows {truth.get('action_plan_rows')} but the table has {rows} body rows")

    seen: set[str] = set()
    for lab in truth.get("passage_labels", []):
        snip = lab.get("snippet", "")
        _check_snippet(snip, texts, full, fmt, err, warnings, "passage")
        if snip in seen:
            err(f"duplicate passage label {snip!r}")
        seen.add(snip)
        stds = lab.get("standards", [])
        if not stds or any(s not in STANDARD_IDS for s in stds):
            err(f"bad standards {stds!r} for {snip[:30]!r}")
        if lab.get("polarity") not in POLARITIES:
            err(f"bad polarity {lab.get('polarity')!r} for {snip[:30]!r}")
    for lg in truth.get("lesson_groups", []):
        if lg.get("group") not in LESSON_IDS:
            err(f"bad lesson group {lg.get('group')!r}")
        _check_snippet(lg.get("snippet", ""), texts, full, fmt, err, warnings, "lesson")
    for rr in truth.get("repeated_recommendations", []):
        if rr.get("group") not in LESSON_IDS:
            err(f"bad repeated_recommendations group {rr.get('group')!r}")
        if str(rr.get("number")) not in numbers:
            err(f"repeated_recommendations number {rr.get('number')!r} is not a recommendation")
    words = word_count(doc)
    if not 1800 <= words <= 3000:
        warnings.append(f"{words} words (spec: 1,800-3,000)")
    return errors, warnings


def _check_snippet(snip: str, texts: list[str], full: str, fmt: Any, err: Any,
                   warnings: list[str], what: str) -> None:
    if not snip:
        err(f"empty {what} snippet")
        return
    count = full.count(snip)
    if count == 0:
        err(f"{what} snippet not found: {snip!r}")
    elif count > 1:
        err(f"{what} snippet not unique ({count}x): {snip!r}")
    elif _starts_block(snip, texts) != 1:
        err(f"{what} snippet does not start a paragraph: {snip!r}")
    if len(snip) > 60:
        warnings.append(f"{what} snippet longer than 60 chars: {snip[:30]!r}...")
    if fmt == "pdf" and PDF_UNSAFE.search(snip):
        warnings.append(f"{what} snippet has a character the PDF replaces: {snip!r}")
