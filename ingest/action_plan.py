"""Action-plan tables -> :class:`ActionRow` records.

Header cells are mapped to canonical columns by their wording (§1.4 of the formats reference).
A table is an action plan when its header has an action column plus another plan column.
Rows continuing a row cut by a page break (no number, no recommendation, text carrying on in
lower case) are merged into the previous row; a row with an action but no number belongs to the
recommendation above (carried down).
"""

from __future__ import annotations

import re

from ingest.models import ActionRow
from ingest.normalise import NormalisedDocument

Rows = tuple[tuple[str, ...], ...]

COLUMN_VARIANTS: dict[str, tuple[str, ...]] = {
    "rec_no": (
        "no",
        "no.",
        "rec",
        "rec no",
        "rec.",
        "ref",
        "#",
        "number",
        "recommendation number",
        "recommendation no",
        "rec number",
        "rec ref",
        "r",
    ),
    "recommendation": ("recommendation", "recommendations", "learning point", "learning"),
    "scope": ("local/regional/national", "scope", "scope of recommendation", "level"),
    "action": (
        "action",
        "actions",
        "action to take",
        "actions required",
        "action required",
        "what will be done",
        "agreed action",
        "actions to be taken",
    ),
    "lead_agency": (
        "lead agency",
        "lead officer/agency",
        "responsible agency",
        "lead",
        "owner",
        "responsible",
        "lead officer",
        "agency",
        "lead agency/officer",
        "by whom",
    ),
    "milestones": (
        "key milestones",
        "how will this be achieved",
        "milestones",
        "key milestones achieved in enacting recommendation",
    ),
    "timescale": (
        "timescale",
        "timescales",
        "target date",
        "by when",
        "deadline",
        "date",
        "completion date",
        "target",
    ),
    "outcome": (
        "outcome",
        "intended outcome",
        "evidence of impact",
        "evidence of completion",
        "evidence of impact/completion",
        "date of completion and outcome",
        "outcomes",
        "success measure",
        "expected outcome",
        "impact",
    ),
    "status": (
        "status",
        "progress",
        "progress/status",
        "rag",
        "rag status",
        "progress / status",
        "current status",
    ),
}


def _key(cell: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w/#.]+", " ", cell.lower())).strip(" .")


_LOOKUP = {_key(v): col for col, variants in COLUMN_VARIANTS.items() for v in variants}


def map_header(header: tuple[str, ...]) -> dict[str, int]:
    """Canonical column -> index for the cells of an action-plan header row."""
    mapping: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _key(cell)
        column = _LOOKUP.get(key)
        if column is None:
            column = _fuzzy_column(key)
        if column is not None and column not in mapping:
            mapping[column] = index
    return mapping


_TRACKING = frozenset({"lead_agency", "timescale", "milestones", "status", "outcome"})


def plan_columns(header: tuple[str, ...]) -> dict[str, int]:
    """:func:`map_header`, and when no column names the action but three or more track it (who, when,
    milestone, progress, evidence), the first other column is the action ("Agreed response",
    "Learning to be embedded")."""
    mapping = map_header(header)
    if "action" in mapping or "recommendation" in mapping or len(set(mapping) & _TRACKING) < 3:
        return mapping
    for index, cell in enumerate(header):
        if index not in mapping.values() and _key(cell).strip(" .#") not in ("", "ref", "no", "number", "rec"):
            return {**mapping, "action": index}
    return mapping


def _fuzzy_column(key: str) -> str | None:
    """A column from the words of a header in everyday language ("What will we do", "Who", "How will we know")."""
    if not key:
        return None
    words = set(key.replace("/", " ").split())
    if key.startswith(("rec no", "rec.", "recommendation n", "rec ref")):
        return "rec_no"
    for column, cues in (
        ("status", ("status", "rag", "progress")),
        ("timescale", ("timescale", "date", "when", "deadline", "by", "target", "quarter", "due")),
        ("lead_agency", ("lead", "responsible", "owner", "who", "partner", "partners", "agency", "agencies",
                         "organisation", "organisations")),
        ("outcome", ("outcome", "impact", "know", "evidence", "measure", "success", "difference", "assured",
                     "assurance")),
        ("action", ("action", "actions", "do", "doing", "steps", "happen", "improvement", "improvements", "change",
                    "changes")),
        ("milestones", ("milestone", "milestones")),
        ("recommendation", ("recommendation",)),
    ):
        if words & set(cues):
            return column
    return None


def is_action_plan_table(rows: Rows) -> bool:
    """True when the header row reads as a plan: who does what by when.

    Either an action column and at least one other plan column, or (plans that list the
    recommendation itself as the thing to do) a recommendation column with a lead and a time,
    progress or outcome column. A table of recommendations with only a lead is not a plan.
    """
    if not rows:
        return False
    mapping = plan_columns(rows[0])
    others = set(mapping) & {"lead_agency", "timescale", "status", "outcome", "milestones"}
    if "action" in mapping:
        return bool(others)
    tracked = others & {"timescale", "status", "outcome", "milestones"}
    return "recommendation" in mapping and "lead_agency" in others and bool(tracked)


def extract_action_plan(doc: NormalisedDocument) -> list[ActionRow]:
    """All action-plan rows of the document, in order."""
    out: list[ActionRow] = []
    for block in doc.blocks:
        if block.kind == "table" and block.rows and is_action_plan_table(block.rows):
            out.extend(table_rows(block.rows))
    return out


def table_rows(rows: Rows) -> list[ActionRow]:
    """Map one action-plan table's body rows to :class:`ActionRow` records."""
    mapping = plan_columns(rows[0])
    if "rec_no" not in mapping and 0 not in mapping.values() and _numbered_column(rows[1:], 0):
        mapping["rec_no"] = 0

    def cell(row: tuple[str, ...], column: str) -> str:
        index = mapping.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    merged: list[dict[str, str]] = []
    for row in rows[1:]:
        if row == rows[0] or not any(c.strip() for c in row):
            continue  # a header row repeated on a new page, or an empty row
        values = {column: cell(row, column) for column in mapping}
        if merged and _is_continuation(values, merged[-1]):
            for column, value in values.items():
                if value:
                    merged[-1][column] = f"{merged[-1][column]} {value}".strip()
            continue
        merged.append(values)
    result: list[ActionRow] = []
    last_rec: str | None = None
    for values in merged:
        rec = values.get("rec_no") or values.get("recommendation") or None
        if rec:
            last_rec = _rec_number(rec) if values.get("rec_no") else rec
        result.append(
            ActionRow(
                recommendation=last_rec,
                action=values.get("action") or values.get("recommendation", ""),
                lead_agency=values.get("lead_agency") or None,
                timescale=values.get("timescale") or None,
                status=values.get("status") or None,
                outcome=values.get("outcome") or None,
            )
        )
    return result


def _numbered_column(body: Rows, index: int) -> bool:
    """Most non-empty cells of the column are recommendation numbers ("1", "R2", "3a")."""
    values = [row[index].strip() for row in body if index < len(row) and row[index].strip()]
    numbered = [v for v in values if re.fullmatch(r"R?\d{1,2}[a-z]?\.?", v, re.IGNORECASE)]
    return bool(values) and len(numbered) >= 0.8 * len(values)


def _rec_number(cell: str) -> str:
    match = re.match(r"^\s*(?:recommendation\s*)?(R?\d+[a-z]?(?:\.\d+)?|[a-z]|[ivx]+)\b", cell, re.IGNORECASE)
    return match.group(1) if match else cell


def _is_continuation(values: dict[str, str], previous: dict[str, str]) -> bool:
    """A row cut by a page break: no number or recommendation, and its text carries on.

    The page break leaves the rest of each long cell on the next page: a row with no timescale or
    status (or, in a plan without those columns, no lead) after a row whose action did not end a
    sentence.
    """
    if values.get("rec_no") or values.get("recommendation"):
        return False
    action = values.get("action", "")
    if not action:
        return True
    prev_action = previous.get("action", "")
    if re.search(r"[.!?)]\s*$", prev_action):
        return False
    # text carrying on in lower case, or a row without the short facts (when, status) that an action
    # row of its own (numbered or carried down) always has: long cells run on, short ones do not
    facts = [c for c in ("timescale", "status") if c in values] or ["lead_agency"]
    return action[:1].islower() or not any(values.get(c) for c in facts)
