"""Headings -> sections with canonical kinds.

A heading is cleaned (numbering, "Appendix 2:", "Chapter One" and punctuation removed) and
fuzzy-matched with a token-set ratio against the synonym table of each kind in
:data:`ingest.models.SECTION_KINDS`. An unmatched sub-heading inherits its parent's kind
("Learning point 2: ..." under "Practice and organisational learning"); an unmatched top heading
is ``other``. Text before the first heading, and a lone document title with its cover text, is
``front_matter``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.fuzzy import ratio, token_set_ratio, tokens
from ingest.models import Section
from ingest.normalise import NormalisedDocument

MATCH_THRESHOLD = 85.0

SYNONYMS: dict[str, tuple[str, ...]] = {
    "circumstances": (
        "brief outline of circumstances resulting in the review",
        "circumstances resulting in the review",
        "circumstances leading to the review",
        "introduction",
        "background",
        "reason for the review",
        "the facts",
        "background information the facts",
        "purpose of the review",
        "summary of the case",
        "outline of the case",
        "executive summary",
        "the incident",
        "criteria for the review",
    ),
    "terms_of_reference": (
        "terms of reference",
        "scope",
        "scope of the review",
        "key lines of enquiry",
        "period under review",
        "scope and period under review",
        "time period reviewed",
    ),
    "methodology": (
        "methodology",
        "review process",
        "child practice review process",
        "adult practice review process",
        "the review process",
        "arrangements for the investigation",
        "learning event",
        "practitioner learning event",
        "individual management reviews",
        "confidentiality",
        "dissemination",
        "how the review was conducted",
    ),
    "family_involvement": (
        "family involvement",
        "involvement of family friends work colleagues neighbours and wider community",
        "engagement with the family",
        "voice of the family",
        "tribute",
        "family perspective",
        "the family view",
        "preface",
        "pen portrait",
        "involvement of the family",
    ),
    "panel": (
        "review panel members",
        "panel membership",
        "contributors to the review",
        "author of the overview report",
        "statement of independence",
        "the review panel",
        "review panel",
        "review team",
        "independent chair and author",
    ),
    "parallel": ("parallel reviews", "parallel processes", "parallel proceedings", "other processes"),
    "equality": ("equality and diversity", "protected characteristics", "equality diversity and inclusion"),
    "timeline": (
        "summary timeline",
        "chronology",
        "summary of agency involvement",
        "the evidence",
        "overview",
        "summary of events",
        "agency involvement",
        "timeline of significant events",
        "summary chronology",
    ),
    "analysis": ("analysis", "findings", "key issues arising", "the findings", "analysis and findings"),
    "practice_learning": (
        "practice and organisational learning",
        "learning",
        "lessons to be learnt",
        "lessons learned",
        "lessons to be learned",
        "learning points",
        "themes",
        "learning themes",
        "key learning",
        "summary of learning",
        "learning point",
    ),
    "good_practice": ("good practice", "effective practice", "areas of good practice", "positive practice"),
    "conclusions": ("conclusions", "conclusion", "concluding comments", "summary and conclusions"),
    "recommendations": (
        "improving systems and practice",
        "recommendations",
        "recommendations from the review",
        "single agency recommendations",
        "regional recommendations",
        "national recommendations",
        "multi agency recommendations",
    ),
    "statements": (
        "statement by reviewer",
        "statement by reviewers",
        "statement by chair of the review panel",
        "quality assurance statement",
        "statement by the panel chair",
        "statements",
    ),
    "action_plan": ("action plan", "action plans", "multi agency action plan"),
    "wg_use_only": ("for welsh government use only",),
    "glossary": ("glossary", "abbreviations", "glossary of terms", "acronyms"),
}
"""Heading variants per canonical kind, lower case, without numbering or punctuation."""

_VARIANTS = frozenset(v for variants in SYNONYMS.values() for v in variants)

_PREFIX = re.compile(
    r"^\s*(?:(?:appendix|annex|annexe|section|chapter|part)\s+(?:[0-9]+|[a-z]|[ivx]+|one|two|three|four|five|"
    r"six|seven|eight|nine|ten)\b\s*[:.\-–—]?\s*)?"
    r"(?:\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-z]|[ivx]{1,4})[.):]\s+|\d{1,2}(?:\.\d{1,2})*\s+)?",
    re.IGNORECASE,
)
_LEARNING_PREFIX = re.compile(
    r"^\s*(?:learning\s+point|learning\s+theme|lesson|theme|key\s+finding|finding)\s*\d{1,2}[a-z]?\b\s*[:.\-–—]?\s*",
    re.IGNORECASE,
)
_PARENTHESES = re.compile(r"\([^)]*\)")
_NUMBERING = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*)[.)]?\s")


def clean_heading(heading: str) -> str:
    """Lower-case heading words with numbering, appendix/chapter prefixes and punctuation removed."""
    text = _PREFIX.sub("", heading.strip(), count=1)
    text = re.sub(r"[^\w\s]", " ", text.lower().replace("’", "'"))
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=4096)
def classify_heading(heading: str) -> str | None:
    """The canonical kind of ``heading``, or None when nothing matches well enough.

    A bracketed aside is ignored first ("Action plan (signed off by the Case Review Group)").
    """
    without_aside = _PARENTHESES.sub(" ", heading)
    if without_aside != heading:
        return _classify(without_aside) or _classify(heading)
    return _classify(heading)


def is_template_heading(text: str) -> bool:
    """True when ``text`` is exactly a known section heading once numbering is removed."""
    return len(text) <= 100 and clean_heading(text) in _VARIANTS


def learning_item_title(heading: str) -> str | None:
    """For "Learning point 3: Title" / "Theme 2 – Title", the title part ("" if none); else None."""
    match = _LEARNING_PREFIX.match(heading)
    return heading[match.end() :].strip() if match else None


def _classify(heading: str) -> str | None:
    cleaned = clean_heading(heading)
    if not cleaned or not tokens(cleaned):
        return None
    best: tuple[float, float, str] | None = None
    for kind, variants in SYNONYMS.items():
        for variant in variants:
            score = token_set_ratio(cleaned, variant, MATCH_THRESHOLD)
            if score < MATCH_THRESHOLD:
                continue
            extra = len(set(tokens(cleaned)) - set(tokens(variant)))
            if extra > 4:
                score -= 10 * (extra - 4)
                if score < MATCH_THRESHOLD:
                    continue
            candidate = (score, ratio(cleaned, variant), kind)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return best[2] if best else None


def numbering_depth(heading: str) -> int | None:
    """Depth from a heading's printed number: "3" -> 1, "3.2" -> 2, none -> None."""
    match = _NUMBERING.match(heading)
    return match.group(1).count(".") + 1 if match else None


def split_sections(doc: NormalisedDocument) -> list[Section]:
    """Cut the normalised document into sections at its headings, in order."""
    headings = [i for i, b in enumerate(doc.blocks) if b.kind == "heading"]
    if not doc.blocks:
        return []
    levels = {i: _level(doc.blocks[i].level, doc.blocks[i].text) for i in headings}
    title_index = _title_index(headings, levels)
    starts: list[tuple[int, str, str, int]] = []  # (block index, kind, heading, level)
    if not headings or headings[0] > 0 or title_index is not None:
        first_heading = doc.blocks[title_index].text if title_index is not None else ""
        starts.append((0, "front_matter", first_heading, 0))
    stack: list[tuple[int, str]] = []  # (level, kind) of enclosing headings
    for i in headings:
        if i == title_index:
            continue
        block = doc.blocks[i]
        level = levels[i]
        while stack and stack[-1][0] >= level:
            stack.pop()
        title = learning_item_title(block.text)
        if title is not None:  # a numbered learning item: its own title decides, else its parent
            kind = (classify_heading(title) if title else None) or (stack[-1][1] if stack else "practice_learning")
        else:
            kind = classify_heading(block.text) or (stack[-1][1] if stack else "other")
        stack.append((level, kind))
        starts.append((i, kind, block.text, level))
    sections: list[Section] = []
    for n, (index, kind, heading, level) in enumerate(starts):
        end_index = starts[n + 1][0] - 1 if n + 1 < len(starts) else len(doc.blocks) - 1
        first, last = doc.blocks[index], doc.blocks[end_index]
        sections.append(
            Section(
                ordinal=n,
                kind=kind,
                heading=heading,
                level=level,
                char_start=first.start,
                char_end=last.end,
                page=first.page,
            )
        )
    return sections


def _level(level: int | None, text: str) -> int:
    depth = numbering_depth(text)
    if level is not None:
        return level
    return depth if depth is not None else 9


def _title_index(headings: list[int], levels: dict[int, int]) -> int | None:
    """The first heading, when it is the only one at the top level used (the document title)."""
    if len(headings) < 2:
        return None
    first = headings[0]
    top = levels[first]
    if all(levels[i] > top for i in headings[1:]):
        return first
    return None
