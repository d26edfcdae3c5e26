"""Normalising the free-text fields of recommendations and action-plan rows.

Reports word the same facts many ways: "The Board", "CWMPAS" and "Mid and West Wales Safeguarding
Board" are one addressee; "Complete", "Achieved" and "Implemented" one status; "June 2023" and
"06/2023" one due date. These pure functions map them to canonical values using the ingest
gazetteer, and keep the printed text alongside so nothing is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ingest.gazetteer import BOARD_TOKENS, BOARDS, find_agencies

STATUSES: tuple[str, ...] = ("not_started", "in_progress", "overdue", "complete", "not_accepted", "unknown")
"""Canonical statuses, in the order a tracker lists them."""

_STATUS_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("not_accepted", re.compile(r"\b(?:not accepted|rejected|withdrawn|superseded|declined)\b", re.I)),
    ("overdue", re.compile(r"\b(?:overdue|delayed|behind schedule|past (?:its )?(?:due|target) date|slipped)\b", re.I)),
    (
        "not_started",
        re.compile(
            r"\b(?:not (?:yet )?(?:started|begun|commenced|complete[d]?|achieved|met|progressed)|"
            r"outstanding|open|pending|to (?:start|begin)|planned|awaiting|no progress)\b",
            re.I,
        ),
    ),
    (
        "in_progress",
        re.compile(
            r"\b(?:in progress|ongoing|on-going|under ?way|started|partially|partly|progressing|on track|"
            r"in hand|amber|part[- ]complete[d]?)\b",
            re.I,
        ),
    ),
    ("complete", re.compile(r"\b(?:complete[d]?|achieved|implemented|closed|done|met|green|embedded)\b", re.I)),
)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{4})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.-](\d{4})\b")
_QUARTER = re.compile(r"\bQ([1-4])\s*(\d{4})\b", re.I)
_YEAR = re.compile(r"\b(20\d{2}|19\d{2})\b")
_THE_BOARD = re.compile(r"(?:^|\bthe\s+)(?:regional\s+)?(?:safeguarding\s+)?board\b", re.I)
_MODAL = re.compile(r"\b(?:should|must|is asked to|are asked to|will)\b", re.I)


def normalise_status(text: str | None) -> str:
    """The canonical status a free-text status means ("unknown" when blank or unrecognised)."""
    if not text or not text.strip():
        return "unknown"
    for status, pattern in _STATUS_RULES:
        if pattern.search(text):
            return status
    return "unknown"


def combine_statuses(statuses: Iterable[str]) -> str:
    """One status for a recommendation from its action rows' canonical statuses."""
    known = [s for s in statuses if s != "unknown"]
    if not known:
        return "unknown"
    if all(s == "complete" for s in known):
        return "complete"
    if all(s == "not_accepted" for s in known):
        return "not_accepted"
    if "overdue" in known:
        return "overdue"
    if all(s == "not_started" for s in known):
        return "not_started"
    return "in_progress"


def due_date(text: str | None) -> str | None:
    """The date a timescale names, as ``YYYY-MM`` (or ``YYYY`` when only a year is given)."""
    if not text:
        return None
    found: list[str] = []
    for match in _MONTH_YEAR.finditer(text):
        month = _MONTHS.get(match.group(1).lower())
        if month:
            found.append(f"{match.group(2)}-{month:02d}")
    for match in _NUMERIC.finditer(text):
        month = int(match.group(1))
        if 1 <= month <= 12:
            found.append(f"{match.group(2)}-{month:02d}")
    for match in _QUARTER.finditer(text):
        found.append(f"{match.group(2)}-{int(match.group(1)) * 3:02d}")
    if found:
        return max(found)
    years = _YEAR.findall(text)
    return max(years) if years else None


def latest_due(timescales: Sequence[str | None]) -> str | None:
    """The latest due date among several timescales."""
    dates = [d for d in (due_date(t) for t in timescales) if d]
    return max(dates) if dates else None


def _board_names(text: str, review_board: str | None) -> list[str]:
    found: list[str] = []
    for token, name in BOARD_TOKENS.items():
        if re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text):
            found.append(name)
    for board in BOARDS:
        if any(re.search(pattern, text, re.I) for pattern in board.names):
            found.append(board.name)
    if not found and review_board and _THE_BOARD.search(text):
        found.append(review_board)
    return found


def addressee_part(text: str) -> str:
    """The words before "should" / "must" (who a recommendation is addressed to), at most 200 chars."""
    match = _MODAL.search(text[:250])
    return text[: match.start()] if match else ""


def action_part(text: str) -> str:
    """The words after the first "should" / "must" (what is asked), or the whole text."""
    match = _MODAL.search(text[:250])
    return text[match.end() :].strip() if match else text


def canonical_agencies(texts: Iterable[str | None], review_board: str | None) -> list[str]:
    """Canonical agency names (gazetteer agencies and councils, boards) named in ``texts``, sorted.

    "The Board" means the review's own board. Text that names no known agency is kept as printed
    (trimmed), so "Partner agencies" still counts as an addressee.
    """
    out: set[str] = set()
    leftovers: list[str] = []
    for raw in texts:
        text = (raw or "").strip()
        if not text:
            continue
        names = list(find_agencies(text)) + _board_names(text, review_board)
        if names:
            out.update(names)
        else:
            leftovers.append(re.sub(r"^(?:the|all)\s+", "", text, flags=re.I)[:80].strip().capitalize())
    if not out:
        out.update(x for x in leftovers if x)
    return sorted(out)
