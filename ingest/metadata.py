"""Review-level facts: type, level, criteria met, board, CSP, reference, year, subject, age, agencies.

Rules follow §7.5 of the review-formats reference. The cover (front matter) is read first and
the body only as a fallback, because bodies mention other reviews, boards and people.
"""

from __future__ import annotations

import re
from collections import Counter

from ingest.gazetteer import BOARD_TOKENS, BOARDS, find_agencies
from ingest.models import AgencyMention, ReviewMetadata, Section

TYPES = "CPR|APR|DHR|MHHR|OWHR|SUSR"
_BOARD_ALT = "|".join(sorted((re.escape(t) for t in BOARD_TOKENS), key=len, reverse=True))
NW_LAS = r"FLINT(?:SHIRE)?|WREXHAM|CONWY|DENBIGH(?:SHIRE)?|GWYNEDD|ANGLESEY|M[OÔ]N"
_LA_NAMES = "|".join(sorted({la for b in BOARDS for la in b.local_authorities}, key=len, reverse=True))

REFERENCE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"\b(?:(?P<t1>{TYPES})\s+)?(?P<board>{_BOARD_ALT})\s+(?:(?P<t2>{TYPES})\s+)?"
        r"(?P<seq>S?\d{1,3})\s*[-/ ]\s*(?P<year>(?:19|20)\d{2})\b",
        re.IGNORECASE,
    ),
    re.compile(rf"\b(?P<t1>CPR|APR|SUSR|DHR|MHHR)\s+(?P<la>{NW_LAS})\s*(?P<seq>\d{{1,3}})\b(?![/-]\d)"),
    re.compile(
        r"\b(?P<la>Anglesey|Gwynedd|Conwy|Denbighshire|Flintshire|Wrexham|Ynys Môn)\s+(?:Concise|Extended)\s+"
        r"(?:Child|Adult) Practice Review\s+(?P<seq>\d{1,3})\b"
    ),
    re.compile(
        rf"\b(?P<t1>DHR|SUSR)\s*[-–—]?\s*(?P<la>{_LA_NAMES})\s*[-–—]?\s*"
        r"(?:(?P<seq>\d{1,3})\s*/\s*(?P<year>20\d{2})\b|(?P<year2>20\d{2})\s*/\s*(?P<seq2>\d{1,3})\b"
        r"|[‘'\"“](?P<name>[A-Z][a-z]+)[’'\"”]\s*[-–—]\s*(?P<year3>20\d{2})\b)"
    ),
    re.compile(
        r"\b(?:HIW|Healthcare Inspectorate Wales)\s+(?:Review\s+)?(?P<t1>MHHR|Homicide Review)\s+(?:No\.?\s*)?"
        r"(?P<seq>\d{1,3})\s*(?:[-/]\s*|\(\s*)(?P<year>20\d{2})\b\)?"
    ),
    re.compile(r"\bHIW/(?:HR|MHHR)/(?P<yy>\d{2})/(?P<seq>\d{1,3})\b"),
)
"""Board reference styles: "CPR CTMSB 8/2020", "WGSB CPR 1/2021", "APR CONWY 1", "DHR Cardiff 2019/1"."""

_ACRONYM = r"[A-Z](?:[a-z]?[A-Z]|&)[A-Za-z&]{0,6}"
"""A board or partnership acronym, mixed case allowed ("NWSB", "CTMSB", "GwASB")."""
_REF_PREFIX = rf"(?:{_ACRONYM}|{_LA_NAMES}|Gwent|Dyfed[- ]Powys|Cwm Taf|North Wales|West Glamorgan)"
GENERAL_REFERENCE = re.compile(
    rf"(?<![\w/])(?:{_REF_PREFIX}(?:[ \t-]+|/)){{0,2}}(?P<t1>{TYPES})"
    r"(?:(?:[ \t-]+|/)(?P<place>[A-Z][A-Za-z&'’]{1,24}))?"
    r"(?:[ \t-]+|/)(?P<num>S?\d{1,4}(?:[ \t]?[/-][ \t]?\d{1,4}){0,2})(?![\w/])"
)
"""Any other printed form: a review-type token with board or place words around it and a number that
may carry the year in either order, parts joined by spaces, hyphens or slashes ("HIW MHHR 2024/02",
"OWHR Swansea 01/2024", "SUSR GSB 02-2025", "DHR-NWPT-2022-03", "APR CTMSB 11", "CWMPAS MHHR/02",
"NWSB-SUSR/CONWY/03/25"). Read on the cover only: in the body such words are prose."""
SERIAL_REFERENCE = re.compile(
    rf"(?<![\w/])(?:{_REF_PREFIX}[ \t]+){{0,2}}(?P<t1>{TYPES})(?:[ \t]+(?:[A-Z][a-z]+|\([A-Z][a-z]+\))){{0,2}}[ \t]+"
    r"(?:No\.?|Number)[ \t]*(?P<seq>\d{1,3})"
    r"(?:[ \t]*\((?P<year>(?:19|20)\d{2})\)|[ \t]*(?:/|of)[ \t]*(?P<year2>(?:19|20)\d{2}))?(?![\w/])"
)
"""A review type named as a numbered series on the cover ("CTMSB OWHR Pilot Review No. 2 (2024)",
"DHR Review Number 4", "OWHR (Gwent) No. 1 of 2022"): the type token, at most two words, then "No."
and the serial."""
_LEFT_TOKEN = re.compile(rf"(?:^|(?<=[ \t]))(?:{_ACRONYM})[ \t]+$")

_TYPE_NAMES = (
    ("CPR", r"Child Practice Review"),
    ("APR", r"Adult Practice Review"),
    ("DHR", r"Domestic Homicide Review"),
    ("MHHR", r"Mental Health Homicide Review"),
    ("OWHR", r"Offensive Weapons? Homicide Review"),
)
_FAMILY_CUES = (
    ("SUSR", re.compile(r"Single Unified Safeguarding Review|\bSUSR\b", re.IGNORECASE)),
    ("OWHR", re.compile(r"Offensive Weapons? Homicide Review|\bOWHR\b", re.IGNORECASE)),
    (
        "MHHR",
        re.compile(
            r"Mental Health Homicide Review|\bMHHR\b|independent external review|"
            r"review in respect of.{0,200}mental health.{0,80}homicide",
            re.IGNORECASE | re.DOTALL,
        ),
    ),
    ("DHR", re.compile(r"Domestic Homicide Review|\bDHR\b", re.IGNORECASE)),
    ("CPR", re.compile(r"Child Practice Review|\bCPR\b", re.IGNORECASE)),
    ("APR", re.compile(r"Adult Practice Review|\bAPR\b", re.IGNORECASE)),
)
_LEVEL = re.compile(
    r"\b(concise|extended)\s+(?:(?:child|adult)\s+practice\s+)?review\b"
    r"|\b(?:child|adult)\s+practice\s+review\s+\((concise|extended)\)",
    re.IGNORECASE,
)
_OWN_LEVEL = re.compile(
    r"\b(?:carried out|conducted|undertaken|held|run)\s+(?:at|as)\s+(?:the\s+|a\s+|an\s+)?(concise|extended)"
    r"\s+(?:level|review)\b",
    re.IGNORECASE,
)
"""A SUSR saying at which level it was itself carried out ("was carried out at the concise level"), as
against the levels of the reviews whose criteria it met."""
_CSP = re.compile(
    r"\b((?:[A-Z][\w'’]+|of|Port|Cynon)(?:\s(?:[A-Z][\w'’]+|of|Port|Cynon|Taf))*)"
    r"\s+Community Safety Partnership"
)
_PUBLISHED = (
    re.compile(r"(?:publication|published)[^.\n]{0,60}?\b((?:19|20)\d{2})\b", re.IGNORECASE),
    re.compile(r"(?:approved|finalised|final version)[^.\n]{0,60}?\b((?:19|20)\d{2})\b", re.IGNORECASE),
)
"""Dates that say when the report came out, strongest first: a cover saying "approved November 2024"
and "Published: February 2025" was published in 2025."""
_YEAR = re.compile(r"\b(20[0-3]\d|19[89]\d)\b")

_LABEL = r"(?:Child|Adult|Baby|Young Person|Infant)\s+[A-Z](?![\w’'])"
_LABEL_WORD = r"(?:Child|Adult|Baby|Young|Infant|Mr|Mrs|Ms|Miss)"
_NAME = r"[A-ZÀ-ÖØ-ÞŴŶ][a-zß-öø-ÿŵŷ]{2,}"
"""A capitalised given name, Welsh and accented letters included ("Siân", "Llŷr")."""
_SUBJECT_PATTERNS = (
    re.compile(rf"\b{_LABEL}"),
    re.compile(rf"[‘'\"“]({_NAME})[’'\"”]"),
    re.compile(r"\b(?:Mr|Mrs|Ms|Miss)\s+[A-Z](?![\w’'])"),
    re.compile(rf"\b(?:deaths? of|killing of|murder of|Remembering|Who was)\s+({_NAME})(?![\w’'])"),
    re.compile(rf"\b(?:re|regarding|concerning|Subjects?(?: of (?:the|this) review)?)\s*:\s*(?!{_LABEL_WORD}\b)"
               rf"({_NAME})(?![\w’'])"),
)
_NAME_LINE = re.compile(rf"^[ \t]*({_NAME})(?:[ \t]+(?:and|&)[ \t]+{_NAME})?[ \t]*$", re.MULTILINE)
"""A name alone on a cover line ("Kai"), or the first of two ("Dewi and Tomos"): read only when the
cover names the subject no other way."""
"""A pseudonym on the cover: "Child A", a quoted name, "Mr N", or a name in "into the death of Ffion"."""
_BOARD_WORDS = frozenset(t.upper() for t in BOARD_TOKENS) | {"CYSUR", "CWMPAS"}
_NOT_NAMES = frozenset({"Final", "Draft", "Subject", "Official", "The", "Child", "Adult", "Was", "Not", "Report",
                        "Contents", "Confidential", "Summary", "Overview", "Published", "Reference", "Sensitive",
                        "Restricted", "Protected", "Redacted", "Anonymised", "Gwent", "Wales", "Cymru", "Foreword",
                        "Preface", "Introduction", "Glossary", "Appendix", "Acknowledgements", "Dedication"})

_UNITS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_WORDS: dict[str, int] = {w: i + 1 for i, w in enumerate(_UNITS)}
for _i, _t in enumerate(_TENS):
    NUMBER_WORDS[_t] = 20 + 10 * _i
    for _j, _u in enumerate(_UNITS[:9]):
        NUMBER_WORDS[f"{_t}-{_u}"] = 20 + 10 * _i + _j + 1
        NUMBER_WORDS[f"{_t} {_u}"] = 20 + 10 * _i + _j + 1
_NUM = r"(?:\d{1,3}|" + "|".join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True)) + r")"
_UNIT = r"(?:year|month|week|day)s?"
AGE_EXPRESSION = re.compile(
    rf"(?:then\s+)?aged\s+(?P<n1>{_NUM})(?:\s+(?P<u1>{_UNIT}))?\b"
    rf"|(?P<n2>{_NUM})[- ](?P<u2>{_UNIT})[- ]old\b"
    rf"|(?P<n3>{_NUM})\s+(?P<u3>{_UNIT})(?:\s+and\s+\S+\s+months?)?\s+old\b"
    rf"|then\s+(?P<n4>{_NUM})\b"
    rf"|\b(?:baby|infant|child|boy|girl|man|woman|widow|widower) of "
    rf"(?P<n5>{_NUM})(?:\s+(?P<u5>{_UNIT}))?\b"
    rf"|(?:had\s+)?(?:just\s+)?turned\s+(?P<n6>{_NUM})\b"
    rf"|\bwho\s+was\s+(?:then\s+|only\s+|just\s+)?(?P<n7>{_NUM})(?:\s+(?P<u7>{_UNIT})(?:\s+old)?)?"
    rf"(?=\s*(?:[,.;)]|$)|\s+(?:at|when|and|on|in|by)\b)",
    re.IGNORECASE,
)
"""An age as reports print it: "aged 22 months", "a 3-year-old", "13 weeks old", "then six",
"a baby of eight weeks", "a woman of 72", "had turned 80", "a young man who was nineteen when"."""
_BARE_AGE = re.compile(
    rf"(?:\s*,\s*(?:(?:who|then)\s+(?:was|is)\s+)?|\s+(?:was|is)\s+)(?P<n>{_NUM})(?=\s*[,.;)]|\s+(?:at|when|and)\b)",
    re.IGNORECASE,
)
"""An age printed bare right after the name: "Ffion was forty-one.", "Adult F, 44,", "Child L, who was
fifteen,"."""
_DECADE = re.compile(
    r"\bin\s+(?:his|her|their)\s+(?P<part>early|mid|mid-|late)?\s*"
    r"(?P<decade>teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b",
    re.IGNORECASE,
)
_DECADE_START = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70,
                 "eighties": 80, "nineties": 90}
_LIFE_STAGE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bunborn\b", re.IGNORECASE), "unborn"),
    (re.compile(r"\bnew-?born\b", re.IGNORECASE), "infant_<1"),
    (re.compile(r"\btoddler\b", re.IGNORECASE), "1-4"),
    (re.compile(r"\bcare[- ]leaver\b|\bleaving care\b|\bleft (?:foster )?care\b", re.IGNORECASE), "18-24"),
    (re.compile(r"\bpensioner\b|\bretired\b|\bin retirement\b", re.IGNORECASE), "65+"),
)
"""Life stages that place a subject in a band when no age is printed."""
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")
_PRONOUN = re.compile(r"\s*(He|She|They)\b")
"""A sentence opening with a pronoun: it speaks of whoever the sentence before began with."""
_RELATIVE_AFTER = re.compile(
    r"\s+(?:son|daughter|child|children|brother|sister|half-brother|half-sister|baby|nephew|niece|"
    r"grandson|granddaughter|stepson|stepdaughter|partner|boyfriend|girlfriend|cousin)s?\b",
    re.IGNORECASE,
)
_POSSESSIVE_BEFORE = re.compile(r"\b(?:her|his|their|my|our)\s+$", re.IGNORECASE)
_RELATIVE_BEFORE = re.compile(
    r"\b(?:mother|father|mum|dad|parents?|brother|sister|partner|boyfriend|girlfriend|husband|wife|"
    r"grandmother|grandfather|stepfather|stepmother|uncle|aunt|carer|son|daughter)"
    r"(?:\s+of\s+(?:her|his|their)\s+own)?\s*,?\s*(?:who\s+was\s+|then\s+)?$",
    re.IGNORECASE,
)
"""A relative named just before an age: "an unborn baby (mother aged 19)" gives the mother's age."""
_POSSESSIVE = re.compile(r"['’]s?\b")
_OTHER_PERSON = re.compile(rf"\b{_LABEL}|\b(?:Mr|Mrs|Ms|Miss)\s+[A-Z]\b")
"""Another pseudonym in the sentence: an age printed after it is that person's."""


def age_band(value: int, unit: str = "years") -> str:
    """Map an age to one of :data:`ingest.models.AGE_BANDS`."""
    unit = unit.lower()
    if unit.startswith(("day", "week")) or (unit.startswith("month") and value < 12):
        return "infant_<1"
    years = value // 12 if unit.startswith("month") else value
    for upper, band in (
        (0, "infant_<1"),
        (4, "1-4"),
        (10, "5-10"),
        (15, "11-15"),
        (17, "16-17"),
        (24, "18-24"),
        (64, "25-64"),
    ):
        if years <= upper:
            return band
    return "65+"


def parse_number(token: str) -> int | None:
    """ "34" -> 34, "thirty-four" -> 34."""
    token = token.lower().strip()
    return int(token) if token.isdigit() else NUMBER_WORDS.get(token)


_LABELLED_REFERENCE = re.compile(
    r"^[^\n]{0,40}?\b(?:our ref|ref|reference|reference number|review reference|review ref|"
    r"(?:review|report)\s*(?=no\b|number\b))\s*(?:no\.?|number)?\s*"
    r"[:.][ \t]*"
    r"(?P<value>[^\n]{2,60}?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
"""A cover line that labels the reference ("Cyfeirnod / Reference: CWMPAS 2", "Our ref: WGSB-MHHR/004/23
(Swansea)"): what follows the label is the reference as printed."""


def _two_digit_year(number: str) -> str | None:
    """The year in a reference number written with two-digit years: "004/23" and "03/25" end with it,
    "24-03" starts with it. Only 15-39 count (the years of these review schemes)."""
    parts = re.findall(r"\d+", number)
    if len(parts) < 2 or any(len(p) > 3 for p in parts):
        return None
    for part in (parts[-1], parts[0]):
        if len(part) == 2 and 15 <= int(part) <= 39:
            return f"20{part}"
    return None


_TRAILING_ASIDE = re.compile(r"\s*\((?:[^()\s]+\s+){2,}[^()\s]+\)$")
"""A bracketed aside of three or more words after a reference ("HIW/HR/23/02 (Gwent Safeguarding
Board area)"); a one-word place in brackets ("(Swansea)") stays part of it."""


def labelled_reference(cover: str) -> tuple[str, int | None, str | None, str | None] | None:
    """The reference printed after a label on the cover, read as :func:`find_reference` reads it."""
    for match in _LABELLED_REFERENCE.finditer(cover):
        value = _TRAILING_ASIDE.sub("", match.group("value").strip())
        if not (re.search(r"\d", value) and re.search(r"[A-Z]{2}", value)):
            continue  # "Terms of Reference: see Appendix 2" labels no reference
        inner = find_reference(value, cover=True)
        if inner:
            return (value, *inner[1:])
        kind = re.search(rf"\b({TYPES})\b", value)  # "OWHR (2024) MWW No. 001"
        year = _YEAR.search(value)
        return value, int(year.group(1)) if year else None, None, kind.group(1) if kind else None
    return None


_CONTROL_ROW = re.compile(
    r"^[ \t]*(?:review |report |our )?ref(?:erence)?(?:[ \t]*(?:no\.?|number))?"
    r"[ \t]*\|[ \t]*(?P<value>[^|\n]{2,40}?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def control_table_reference(text: str) -> tuple[str, int | None, str | None, str | None] | None:
    """The reference in a document-control table row ("Reference | DHR SWANSEA 07") after the cover,
    when its value reads as a reference form; a row of any other table is not taken on trust."""
    for match in _CONTROL_ROW.finditer(text):
        value = match.group("value").strip()
        inner = find_reference(value, cover=True)
        if inner:
            return (value, *inner[1:])
    return None


def find_reference(text: str, *, cover: bool = False) -> tuple[str, int | None, str | None, str | None] | None:
    """The first board reference printed in ``text``: (as printed, year, board name, type token).

    On a ``cover`` any printed form counts (:data:`GENERAL_REFERENCE`), and a board acronym printed
    just before it on the same line is part of it ("NWSB APR CONWY 3").
    """
    best: tuple[int, int, re.Match[str]] | None = None
    for pattern in (*REFERENCE_PATTERNS, GENERAL_REFERENCE, SERIAL_REFERENCE) if cover else REFERENCE_PATTERNS:
        match = pattern.search(text)
        if match and (best is None or (match.start(), -match.end()) < best[:2]):
            best = (match.start(), -match.end(), match)
    if best is None:
        return None
    match = best[2]
    groups = match.groupdict()
    year_text = groups.get("year") or groups.get("year2") or groups.get("year3")
    if year_text is None and groups.get("yy"):
        year_text = f"20{groups['yy']}"
    if year_text is None and groups.get("num"):
        year_text = next((y for y in re.findall(r"\d{4}", groups["num"]) if 1990 <= int(y) <= 2039), None)
        if year_text is None:
            year_text = _two_digit_year(groups["num"])
    start = match.start()
    if cover:
        left = _LEFT_TOKEN.search(text, max(0, start - 12), start)
        start = left.start() if left else start
    token = (groups.get("board") or "").upper()
    board = BOARD_TOKENS.get(token) or next((b for t, b in BOARD_TOKENS.items() if t.upper() == token), None)
    if board is None and groups.get("la"):
        board = _board_for_la(groups["la"])
    kind = groups.get("t1") or groups.get("t2")
    if kind is None and "Practice Review" in match.group(0):
        kind = "CPR" if "Child" in match.group(0) else "APR"
    printed = text[start : match.end()]
    return re.sub(r"\s+", " ", printed), int(year_text) if year_text else None, board, kind


def _board_for_la(la: str) -> str | None:
    la = la.lower()
    for board in BOARDS:
        if any(name.lower().startswith(la[:5]) for name in board.local_authorities):
            return board.name
    if la.startswith(("môn", "mon")):
        return BOARDS[0].name
    return None


def review_type(front: str, body: str, ref_type: str | None) -> str | None:
    """Review family from the reference's type token, then the cover, then body keyword counts.

    On the cover the review named first wins ("Offensive Weapons Homicide Review, conducted through
    the Single Unified Safeguarding Review" is an OWHR).
    """
    if ref_type:
        return ref_type.upper()
    found = [(m.start(), name) for name, pattern in _FAMILY_CUES if (m := pattern.search(front))]
    if found:
        return min(found)[1]
    counts = {name: len(pattern.findall(body)) for name, pattern in _FAMILY_CUES}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else None


def review_level(kind: str | None, front: str, body: str) -> str | None:
    """ "concise" or "extended" for CPR, APR and SUSR reports."""
    if kind not in ("CPR", "APR", "SUSR"):
        return None
    # a SUSR's body names the levels of the reviews whose criteria it met, not its own
    for text in (front,) if kind == "SUSR" else (front, body[:6000]):
        match = _LEVEL.search(text)
        if match:
            return (match.group(1) or match.group(2)).lower()
    if kind == "SUSR":
        match = _OWN_LEVEL.search(body[:6000])
        if match:
            return match.group(1).lower()
    return None


def criteria_met(front: str, body: str) -> tuple[str, ...]:
    """Review types whose criteria a SUSR met, in the order the report names them."""
    for text, strict in ((front, False), (body, True)):
        found: list[str] = []
        for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
            low = sentence.lower()
            if "criteria" not in low or re.search(r"\bnot\b|did not|no other", low):
                continue
            if strict and "met" not in low:
                continue
            hits = sorted(
                (m.start(), code) for code, name in _TYPE_NAMES for m in re.finditer(name, sentence, re.IGNORECASE)
            )
            found += [code for _, code in hits if code not in found]
        if found:
            return tuple(found)
    return ()


def _whole_word_count(word: str, text: str) -> int:
    """Occurrences of ``word`` in ``text`` as a whole word, case as given (a plain substring test
    first: most names are absent from most reports, and the test is far cheaper than the scan)."""
    return len(re.findall(rf"\b{re.escape(word)}\b", text)) if word in text else 0


def find_board(front: str, body: str, ref_board: str | None) -> str | None:
    """Canonical board: reference token, board names (cover weighs most), partner names."""
    scores: dict[str, float] = {board.name: 0.0 for board in BOARDS}
    if ref_board:
        scores[ref_board] += 20
    both = front + "\n" + body
    for board in BOARDS:
        for pattern in board.names:
            scores[board.name] += 6 * len(re.findall(pattern, front, re.IGNORECASE))
            scores[board.name] += 2 * len(re.findall(pattern, body, re.IGNORECASE))
        for token in board.tokens:
            scores[board.name] += 2 * _whole_word_count(token, both)
        for cue, weight in ((board.local_authorities, 0.5), (board.health_boards, 1.0), (board.police, 1.0)):
            for name in cue:
                scores[board.name] += weight * _whole_word_count(name, body)
    name = max(scores, key=lambda key: scores[key])
    return name if scores[name] >= 1 else None


def find_csp(front: str, body: str, kind: str | None) -> str | None:
    """The commissioning Community Safety Partnership, named as printed."""
    for text in (front, body if kind in ("DHR", "SUSR", "OWHR") else ""):
        names = [m.group(1) for m in _CSP.finditer(text)]
        names = [re.sub(r"^(?:The|the|A|and|with|by)\s+", "", n) for n in names]
        names = [n for n in names if n and n[0].isupper() and n not in ("The", "A")]
        if names:
            return Counter(names).most_common(1)[0][0] + " Community Safety Partnership"
    return None


def find_year(ref_year: int | None, front: str, body: str) -> int | None:
    """Reference year, else a publication date, else the latest year on the cover, else in the text."""
    if ref_year:
        return ref_year
    for text in (front, body):
        match = next((m for m in (p.search(text) for p in _PUBLISHED) if m), None)
        if match:
            return int(match.group(1))
        years = [int(y) for y in _YEAR.findall(text)]
        if years and text is front:
            return max(years)
    years = [int(y) for y in _YEAR.findall(body)]
    return max(years) if years else None


def find_subject(front: str, body: str, kind: str | None) -> str | None:
    """The subject's pseudonym: the earliest label or quoted name on the cover, else the body's commonest."""
    front = _cased(front)
    candidates: list[tuple[int, str]] = []
    for pattern in _SUBJECT_PATTERNS:
        for match in pattern.finditer(front):
            value = match.group(1) if match.groups() else match.group(0)
            if value not in _NOT_NAMES and not re.fullmatch(_LA_NAMES, value):
                candidates.append((match.start(), re.sub(r"\s+", " ", value)))
                break
    if candidates:
        return min(candidates)[1]
    for match in _NAME_LINE.finditer(front):
        value = match.group(1)
        if value not in _NOT_NAMES and value.upper() not in _BOARD_WORDS and not re.fullmatch(_LA_NAMES, value):
            return value
    prefer = {"CPR": ("Child", "Baby", "Young Person", "Infant"), "APR": ("Adult",)}.get(kind or "", ())
    labels = Counter(re.sub(r"\s+", " ", m.group(0)) for m in re.finditer(rf"\b{_LABEL}", body))
    ranked = sorted(labels.items(), key=lambda kv: (not kv[0].startswith(prefer) if prefer else False, -kv[1]))
    return ranked[0][0] if ranked else None


def _cased(text: str) -> str:
    """Lines printed in capitals title-cased ("REVIEW INTO THE DEATH OF ‘KAI’" -> "... of ‘Kai’"), so
    names on a capitalised cover read as names; other lines unchanged, offsets kept."""
    return "\n".join(
        line.title() if sum(c.isupper() for c in line) > 3 and not any(c.islower() for c in line) else line
        for line in text.split("\n")
    )


def find_age_band(subject: str | None, front: str, body: str) -> str:
    """Age band of the subject, read from what the report says about them.

    In order: an age printed next to the subject's name (after it in the same sentence, before any
    other person is named, or just before it: "a 3-year-old, Child T"), on the cover, then in the
    body; an age range ("in her seventies"); a life stage said of the subject ("a care leaver",
    "a pensioner", "newborn"). ``unknown`` only when the report says none of these.
    """
    mentions = _subject_sentences(subject, front, body) if subject else []
    for sentence, start, end in mentions:  # the first sentence that gives an age or an age range
        band = _age_near(sentence, start, end)
        if band:
            return band
        match = _DECADE.search(sentence, start)
        if match and not _OTHER_PERSON.search(sentence, end, match.start()):
            return _decade_band(match)
    for sentence, _start, _end in mentions:
        for pattern, band in _LIFE_STAGE:
            if pattern.search(sentence):
                return band
    if re.search(r"\bunborn\b", front, re.IGNORECASE):
        return "unborn"
    return "unknown"


_SUBJECT_PHRASE = re.compile(r"\bthe subject of (?:this|the) review\b(?:\s+(?:was|is))?", re.IGNORECASE)
""""The subject of the review was an unborn baby": said of the subject without the name."""


def _subject_sentences(subject: str, front: str, body: str) -> list[tuple[str, int, int]]:
    """(sentence, start, end of the name in it) for each mention of the subject: cover first."""
    name = re.compile(rf"(?<![\w])[‘'\"“]?{re.escape(subject)}(?![\w])[’'\"”]?|{_SUBJECT_PHRASE.pattern}",
                      re.IGNORECASE)
    out: list[tuple[str, int, int]] = []
    for text in (front, body):
        leads = False  # the last sentence began with the subject's name
        for sentence in _SENTENCE.finditer(text):
            words = sentence.group(0)
            found = [(words, m.start(), m.end()) for m in name.finditer(words)]
            pronoun = _PRONOUN.match(words)
            if not found and leads and pronoun:
                found = [(words, pronoun.start(1), pronoun.end(1))]  # "Adult N died ... He was aged 66."
            out.extend(found)
            if words.strip():
                leads = bool(found) and found[0][1] <= len(words) - len(words.lstrip()) + 1
            if len(out) > 60:
                return out
    return out


def _age_near(sentence: str, at: int, name_end: int) -> str | None:
    """The band of an age printed beside the name found at ``sentence[at:name_end]``.

    Not after a possessive ("Baby K's mother, who was then 32 weeks pregnant"): that age is another's.
    """
    if _POSSESSIVE.match(sentence, name_end - 1 if sentence[name_end - 1 : name_end] in ("'", "’") else name_end):
        return None
    bare = _BARE_AGE.match(sentence, name_end)
    if bare:
        value = parse_number(bare.group("n"))
        if value is not None and value < 110:
            return age_band(value)
    after = sentence[name_end:]
    other = _OTHER_PERSON.search(after)
    limit = other.start() if other else len(after)
    for match in AGE_EXPRESSION.finditer(after[:limit]):
        if not _someone_elses(after, match):
            return _band_of(match)
    before = sentence[max(0, at - 40) : at]
    for match in AGE_EXPRESSION.finditer(before):
        if not re.search(r"[.;]", before[match.end():]) and not _someone_elses(before, match):
            return _band_of(match)
    return None


def _someone_elses(text: str, match: re.Match[str]) -> bool:
    """An age that describes another person: "her four-year-old son", "his 15-year-old daughter"."""
    before = text[: match.start()]
    return bool(_RELATIVE_AFTER.match(text, match.end()) or _POSSESSIVE_BEFORE.search(before)
                or _RELATIVE_BEFORE.search(before))


def _decade_band(match: re.Match[str]) -> str:
    decade = match.group("decade").lower()
    part = (match.group("part") or "").lower().rstrip("-")
    if decade == "teens":
        return {"early": "11-15", "late": "18-24"}.get(part, "unknown")
    start = _DECADE_START[decade]
    offset = {"early": 1, "mid": 5, "late": 8}.get(part, 5)
    return age_band(start + offset)


def _band_of(match: re.Match[str]) -> str:
    for n, u in (("n1", "u1"), ("n2", "u2"), ("n3", "u3"), ("n4", None), ("n5", "u5"), ("n6", None), ("n7", "u7")):
        if match.group(n):
            value = parse_number(match.group(n))
            unit = (match.group(u) if u else None) or "years"
            return age_band(value, unit) if value is not None else "unknown"
    return "unknown"


def extract_metadata(text: str, sections: list[Section], *, title: str) -> ReviewMetadata:
    """All review-level metadata from the normalised ``text`` and its ``sections``."""
    front = cover_text(text, sections)
    excluded = [s for s in sections if s.kind in ("wg_use_only", "front_matter")]
    body = _without(text, excluded)
    reference = (
        labelled_reference(front) or find_reference(front, cover=True) or find_reference(text)
        or control_table_reference(text[:COVER_MAX_CHARS * 2])
    )
    ref_text, ref_year, ref_board, ref_type = reference if reference else (None, None, None, None)
    kind = review_type(front, body, ref_type)
    subject = find_subject(front, body, kind)
    counted = _without(text, [s for s in sections if s.kind == "wg_use_only"])
    agencies = tuple(
        AgencyMention(name=name, kind=agency_kind, mentions=n)
        for name, (agency_kind, n) in sorted(find_agencies(counted).items(), key=lambda kv: (-kv[1][1], kv[0]))
    )
    return ReviewMetadata(
        title=title,
        review_type=kind,
        criteria_met=criteria_met(front, body) if kind == "SUSR" else (),
        level=review_level(kind, front, body),  # type: ignore[arg-type]
        board=find_board(front, body, ref_board),
        community_safety_partnership=find_csp(front, body, kind),
        reference=ref_text,
        year=find_year(ref_year, front, body),
        subject=subject,
        age_band=find_age_band(subject, front, body),
        agencies=agencies,
    )


COVER_MAX_CHARS = 4000


def cover_text(text: str, sections: list[Section]) -> str:
    """The report's cover: everything before the first section of a known kind (at most 4,000 characters).

    A cover line set in heading type may have been read as a heading of an ``other`` section, so the
    cover runs on to the first section whose kind is known; a report with no known section gives
    its first 1,500 characters.
    """
    first = next((s for s in sections if s.kind not in ("front_matter", "other")), None)
    end = first.char_start if first is not None and first.char_start > 0 else 1500
    return text[: min(end, COVER_MAX_CHARS)]


def _without(text: str, sections: list[Section]) -> str:
    """``text`` with the given sections blanked out (offsets preserved)."""
    chars = list(text)
    for section in sections:
        chars[section.char_start : section.char_end] = " " * (section.char_end - section.char_start)
    return "".join(chars)
