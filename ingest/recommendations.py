"""Recommendations sections -> :class:`Recommendation` records.

Numbers are kept as printed ("1", "3a", "R2"). Items are found by their number prefix
("Recommendation 1:", "1.", "(a)", "R1"), by headings such as "Recommendation 2", or, in CPR
reports, as bullets reading "The Board should ...". The addressee is the noun phrase before
"should / must / to ensure"; the scope comes from sub-headings such as "Regional
recommendations" or "Single agency recommendations".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.action_plan import is_action_plan_table
from ingest.fuzzy import ratio
from ingest.models import Recommendation, Section
from ingest.normalise import NormalisedDocument, NormBlock

_NUMBER = re.compile(
    r"^\s*(?:(?P<word>recommendation)\s*(?:no\.?|number)?\s*(?P<n0>R?\d{1,2}[a-z]?)\b[\s.:)–—-]*"
    r"|(?P<n1>R\s?\d{1,2}[a-z]?)(?:[.:)]\s*|\s+|$)"
    r"|\(?(?P<n2>\d{1,2}[a-z]?)(?:[.:)]\s+|\s*[–—-]\s+|[.:)]?$)"
    r"|\((?P<n3>[a-z]|[ivx]{1,4})\)\s*"
    r"|(?P<n4>[a-z]|[ivx]{1,4})[.)]\s+)",
    re.IGNORECASE,
)
"""A printed recommendation number: "Recommendation 1:", "R2.", "R3 ", "4.", "5)", "(a)", "iv."."""
_BELOW = r"recommendations? (?:(?:set out|listed|shown|given|printed) )?below"
_INTRO = re.compile(r"following recommendations?|recommendations? (?:are|is) (?:made|as follows)|" + _BELOW + r"|:\s*$",
                    re.IGNORECASE)
_INTRO_PHRASE = re.compile(
    r"\b(?:the )?following recommendations\b|\brecommendations (?:are|is) (?:made|as follows)\b|\b" + _BELOW,
    re.IGNORECASE,
)
"""Words that only an introduction uses, even one with an addressee ("The partners are asked to accept
the following recommendations, ...")."""
_RECOMMENDATION_WORD = re.compile(r"^\s*recommendation\b", re.IGNORECASE)
_ADDRESSEE = re.compile(
    r"^(?:that\s+)?(?P<who>[^.;:]{2,140}?)\s+(?:should|must|shall|is asked to|are asked to|is requested to|"
    r"are requested to|needs? to|to ensure|will)\b",
    re.IGNORECASE,
)
_DIRECTIVE = re.compile(r"\b(should|must|is asked to|are asked to|to ensure)\b", re.IGNORECASE)
_SCOPES = (
    ("single_agency", re.compile(r"single[\s-]agency", re.IGNORECASE)),
    ("multi_agency", re.compile(r"multi[\s-]agency", re.IGNORECASE)),
    ("national", re.compile(r"\bnational\b", re.IGNORECASE)),
    ("regional", re.compile(r"\bregional\b", re.IGNORECASE)),
    ("local", re.compile(r"\blocal\b", re.IGNORECASE)),
)


def scope_of(heading: str) -> str | None:
    """The recommendation scope named by a heading, if any."""
    for name, pattern in _SCOPES:
        if pattern.search(heading):
            return name
    return None


def addressee_of(text: str) -> str | None:
    """The noun phrase a recommendation is addressed to ("The Board", "South Wales Police")."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    match = _ADDRESSEE.match(first)
    if not match:
        return None
    who = match.group("who").strip(" ,")
    if len(who.split()) > 14:
        return None
    return who


FALLBACK_KINDS = ("other", "conclusions")
"""Where recommendations are looked for when no section reads as recommendations."""
MIN_FALLBACK_ITEMS = 2


def extract_recommendations(doc: NormalisedDocument, sections: list[Section]) -> list[Recommendation]:
    """Recommendations from every ``recommendations`` section, in document order.

    When no section reads as recommendations (a free heading such as "Where we go from here"), a
    section of unknown kind or the conclusions holding two or more numbered directives ("R1 The
    Board should ...") is read instead.
    """
    found: list[Recommendation] = []
    for section in sections:
        if section.kind == "recommendations":
            found.extend(_from_blocks(_blocks_of(doc, section), doc.text, scope_of(section.heading), len(found)))
    if found:
        return _dedupe(found)
    for section in sections:
        if section.kind in FALLBACK_KINDS:
            candidates = _from_blocks(_blocks_of(doc, section), doc.text, scope_of(section.heading))
            numbered = [r for r in candidates if _DIRECTIVE.search(r.text[:200]) and r.number[:1].isalnum()]
            if len(numbered) >= MIN_FALLBACK_ITEMS and len(numbered) == len(candidates):
                found.extend(candidates)
    return _dedupe(found)


def _blocks_of(doc: NormalisedDocument, section: Section) -> list[NormBlock]:
    return [b for b in doc.blocks if section.char_start <= b.start and b.end <= section.char_end]


@dataclass
class _Open:
    """A recommendation being read: its number, span and how it started."""

    number: str
    start: int
    end: int
    scope: str | None
    numbered: bool


def _from_blocks(blocks: list[NormBlock], text: str, scope: str | None, before: int = 0) -> list[Recommendation]:
    """Recommendations in one section's blocks; unnumbered ones are numbered on from ``before``."""
    out: list[Recommendation] = []
    current: _Open | None = None
    sub_parent: str | None = None  # number of a lead-in ("3. ... should:") whose lettered parts follow
    lead_list = False  # an unnumbered introduction ending in a colon was just read: its bullets are items

    def close() -> None:
        nonlocal current
        if current is not None and current.start >= 0:
            span = text[current.start : current.end]
            body = span.strip()
            if body:
                start = current.start + len(span) - len(span.lstrip())
                out.append(
                    Recommendation(
                        number=current.number,
                        text=body,
                        addressee=addressee_of(body),
                        scope=current.scope,
                        char_start=start,
                        char_end=start + len(body),
                    )
                )
        current = None

    for index, block in enumerate(blocks):
        if block.kind == "table":
            close()
            if block.rows and not is_action_plan_table(block.rows):
                out.extend(_from_table(block, text, scope))
            continue
        match = _NUMBER.match(block.text)
        number = _number_of(match) if match else None
        if block.kind == "heading":
            close()
            if match and number and (match.group("word") or match.group("n1")):
                rest = block.start + match.end()
                current = _Open(number, rest if rest < block.end else -1, block.end, scope, True)
            elif index > 0 or scope_of(block.text):
                scope = scope_of(block.text) or scope
            continue
        sub_item = current is not None and current.numbered and block.kind == "list_item"
        if not sub_item and _INTRO.search(block.text[:300]) and (
                not addressee_of(_strip_number(block.text)) or _leads_directive_list(block, blocks[index + 1 :])
                or (not match and _INTRO_PHRASE.search(block.text[:300]))):
            close()
            lead_list = block.kind != "list_item" and not match and block.text.rstrip().endswith(":")
            continue
        if block.kind != "list_item":
            lead_list = False
        elif lead_list and not match:
            close()  # "We recommend that:" then bullets: each bullet is one, modal verb or not
            current = _Open(str(before + len(out) + 1), block.start, block.end, scope, False)
            continue
        if match and number:
            lettered = bool(match.group("n3") or match.group("n4"))
            if lettered and current is not None and current.numbered and current.start >= 0 \
                    and text[current.start : current.end].rstrip().endswith(":"):
                sub_parent = current.number  # "3. X should:" then "a) ..." is recommendation 3a
                current = None  # the lead-in is not a recommendation of its own
            elif not lettered and current is not None and current.numbered and current.start >= 0 \
                    and _is_part_of(number, current.number) \
                    and text[current.start : current.end].rstrip().endswith(":"):
                current = None  # "Recommendation 2: ... should jointly:" then "2a) ...": the parts count
                sub_parent = None
            elif not lettered:
                sub_parent = None
            if lettered and sub_parent is not None:
                number = f"{sub_parent}{number}"
            close()
            current = _Open(number, block.start + match.end(), block.end, scope, True)
            continue
        if current is not None and current.start < 0:
            current.start, current.end = block.start, block.end
            continue
        directive = bool(_DIRECTIVE.search(block.text[:200]) and addressee_of(block.text))
        if current is not None and (not directive or (current.numbered and block.kind == "list_item")):
            current.end = block.end
            continue
        if directive:
            close()
            current = _Open(str(before + len(out) + 1), block.start, block.end, scope, False)
    close()
    return out


def _leads_directive_list(block: NormBlock, following: list[NormBlock]) -> bool:
    """An unnumbered paragraph ending in a colon, followed by list items that are directives of their
    own ("The Board and its partners are asked to act on the following:" then "- The Board should
    ..."): an introduction, not a recommendation."""
    if block.kind == "list_item" or _NUMBER.match(block.text) or not block.text.rstrip().endswith(":"):
        return False
    item = following[0] if following else None
    return item is not None and item.kind == "list_item" and bool(
        _DIRECTIVE.search(item.text[:200]) and addressee_of(_strip_number(item.text)))


def _is_part_of(number: str, parent: str) -> bool:
    """``number`` is a lettered part of ``parent`` ("2a" of "2", "R2b" of "R2")."""
    return len(number) == len(parent) + 1 and number[:-1].lower() == parent.lower() and number[-1].isalpha()


def _number_of(match: re.Match[str]) -> str | None:
    for group in ("n0", "n1", "n2", "n3", "n4"):
        value = match.group(group)
        if value:
            return re.sub(r"\s+", "", value)
    return None


def _strip_number(text: str) -> str:
    match = _NUMBER.match(text)
    return text[match.end() :] if match else text


def _from_table(block: NormBlock, text: str, scope: str | None) -> list[Recommendation]:
    rows = block.rows or ()
    header = [c.lower() for c in rows[0]] if rows else []
    rec_col = next((i for i, c in enumerate(header) if "recommendation" in c and "no" not in c.split()), None)
    if rec_col is None:
        return []
    num_col = next(
        (i for i, c in enumerate(header) if c.strip(" .#") in ("no", "rec", "number", "ref", "") and i != rec_col),
        None,
    )
    if _numbers_only(rows[1:], rec_col):  # "Recommendation | Detail": the named column holds the numbers
        wordy = [i for i in range(len(header)) if i != rec_col and not _numbers_only(rows[1:], i)]
        if wordy:
            num_col, rec_col = rec_col, max(wordy, key=lambda i: sum(len(r[i]) for r in rows[1:] if i < len(r)))
    out = []
    lines = text[block.start : block.end].split("\n")
    pos = block.start
    for n, (row, line) in enumerate(zip(rows, lines, strict=False)):
        if n > 0 and row[rec_col].strip():
            offset = line.find(row[rec_col])
            start = pos + max(offset, 0)
            body = row[rec_col].strip()
            number = row[num_col].strip() if num_col is not None and row[num_col].strip() else str(n)
            out.append(
                Recommendation(
                    number=number,
                    text=body,
                    addressee=addressee_of(body),
                    scope=scope,
                    char_start=start if offset >= 0 else None,
                    char_end=start + len(body) if offset >= 0 else None,
                )
            )
        pos += len(line) + 1
    return out


_NUMBER_CELL = re.compile(r"^\s*(?:recommendation\s*)?R?\s?\d{1,2}[a-z]?[.)]?\s*$", re.IGNORECASE)


def _numbers_only(rows: Sequence[Sequence[str]], column: int) -> bool:
    """True when every filled cell of ``column`` is a printed number ("1", "R2", "3a.")."""
    cells = [row[column] for row in rows if column < len(row) and row[column].strip()]
    return bool(cells) and all(_NUMBER_CELL.match(cell) for cell in cells)


def _dedupe(recs: list[Recommendation]) -> list[Recommendation]:
    """Drop a repeat of an earlier recommendation (same number and nearly the same words)."""
    out: list[Recommendation] = []
    for rec in recs:
        if any(r.number == rec.number and ratio(r.text[:120], rec.text[:120]) > 90 for r in out):
            continue
        out.append(rec)
    return out
