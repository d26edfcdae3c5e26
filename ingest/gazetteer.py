"""Boards and agencies of Welsh safeguarding practice, with the names reports use for them.

Facts follow §3 and §6.1 of the review-formats reference: six regional boards with their short
names, Welsh names, local authorities and police / health board partners, and the agencies that
appear in reviews, each with aliases and abbreviations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_APOS = "['’]"


@dataclass(frozen=True)
class Board:
    """A regional safeguarding board and the cues that point to it."""

    name: str
    tokens: tuple[str, ...]
    names: tuple[str, ...]
    local_authorities: tuple[str, ...]
    health_boards: tuple[str, ...]
    police: tuple[str, ...]


BOARDS: tuple[Board, ...] = (
    Board(
        "North Wales Safeguarding Board",
        ("NWSB", "NWSCB", "NWSAB"),
        (
            r"North Wales Safeguarding (?:Children|Adults)?\s*Board",
            r"North Wales Safeguarding Children" + _APOS + r"?s? Board",
            r"Bwrdd Diogelu (?:Plant |Oedolion )?Gogledd Cymru",
            r"northwalessafeguardingboard\.wales",
        ),
        (
            "Isle of Anglesey",
            "Anglesey",
            "Ynys Môn",
            "Gwynedd",
            "Conwy",
            "Denbighshire",
            "Flintshire",
            "Wrexham",
        ),
        ("Betsi Cadwaladr",),
        ("North Wales Police",),
    ),
    Board(
        "Mid and West Wales Safeguarding Board",
        ("CYSUR", "CWMPAS"),
        (
            r"Mid and West Wales Safeguarding (?:Children|Adults)?\s*Board",
            r"Bwrdd Diogelu Canolbarth a Gorllewin Cymru",
            r"cysur\.wales",
        ),
        ("Carmarthenshire", "Ceredigion", "Pembrokeshire", "Powys"),
        ("Hywel Dda", "Powys Teaching"),
        ("Dyfed-Powys Police", "Dyfed Powys Police"),
    ),
    Board(
        "West Glamorgan Safeguarding Board",
        ("WGSB", "WBSB", "WBSCB"),
        (
            r"West Glamorgan Safeguarding (?:Children|Adults)?\s*Board",
            r"Western Bay Safeguarding (?:Children|Adults)?\s*Board",
            r"Bwrdd Diogelu Gorllewin Morgannwg",
            r"wgsb\.wales",
        ),
        ("Swansea", "Neath Port Talbot"),
        ("Swansea Bay",),
        (),
    ),
    Board(
        "Cwm Taf Morgannwg Safeguarding Board",
        ("CTMSB", "CTSB", "CTSCB"),
        (
            r"Cwm Taf Morgannwg Safeguarding (?:Children|Adults)?\s*Board",
            r"Cwm Taf Safeguarding (?:Children|Adults)?\s*Board",
            r"Bwrdd Diogelu Cwm Taf Morgannwg",
            r"cwmtafmorgannwgsafeguardingboard\.co\.uk",
        ),
        ("Rhondda Cynon Taf", "Merthyr Tydfil", "Bridgend"),
        ("Cwm Taf Morgannwg University Health Board", "Cwm Taf Morgannwg UHB"),
        (),
    ),
    Board(
        "Cardiff and Vale Regional Safeguarding Board",
        ("CVRSB", "CVSB", "C&V RSB"),
        (
            r"Cardiff and (?:the )?Vale(?: of Glamorgan)? Regional Safeguarding (?:Children|Adults)?\s*Board",
            r"Bwrdd Diogelu Rhanbarthol Caerdydd a" + _APOS + r"r Fro",
            r"cardiffandvalersb\.co\.uk",
        ),
        ("Cardiff", "Vale of Glamorgan"),
        ("Cardiff and Vale University Health Board", "Cardiff and Vale UHB"),
        (),
    ),
    Board(
        "Gwent Safeguarding Board",
        ("SEWSCB", "GWASB"),
        (
            r"Gwent Safeguarding(?: Board)?",
            r"South East Wales Safeguarding Children" + _APOS + r"?s? Board",
            r"Gwent[- ]wide Adult Safeguarding Board",
            r"Bwrdd Diogelu Gwent",
            r"gwentsafeguarding\.org\.uk",
        ),
        ("Blaenau Gwent", "Caerphilly", "Monmouthshire", "Newport", "Torfaen"),
        ("Aneurin Bevan",),
        ("Gwent Police",),
    ),
)

BOARD_TOKENS: dict[str, str] = {token: board.name for board in BOARDS for token in board.tokens}
"""Short board tokens used in references ("CTMSB") -> canonical board name."""


@dataclass(frozen=True)
class Agency:
    """An agency with its kind and the patterns (regexes) that name it."""

    name: str
    kind: str
    patterns: tuple[str, ...]
    case_sensitive: tuple[str, ...] = ()


_UHB = r"(?:University Health Board|UHB|Health Board)"
AGENCIES: tuple[Agency, ...] = (
    Agency("North Wales Police", "police", (r"North Wales Police",), ("NWP",)),
    Agency("Dyfed-Powys Police", "police", (r"Dyfed[- ]Powys Police",), ("DPP",)),
    Agency("South Wales Police", "police", (r"South Wales Police",), ("SWP",)),
    Agency("Gwent Police", "police", (r"Gwent Police",)),
    Agency("British Transport Police", "police", (r"British Transport Police",), ("BTP",)),
    Agency("Aneurin Bevan University Health Board", "health_board", (r"Aneurin Bevan " + _UHB,), ("ABUHB",)),
    Agency("Betsi Cadwaladr University Health Board", "health_board", (r"Betsi Cadwaladr " + _UHB,), ("BCUHB",)),
    Agency(
        "Cardiff and Vale University Health Board",
        "health_board",
        (r"Cardiff and Vale " + _UHB,),
        ("CAVUHB", "C&V UHB"),
    ),
    Agency(
        "Cwm Taf Morgannwg University Health Board",
        "health_board",
        (r"Cwm Taf Morgannwg " + _UHB,),
        ("CTMUHB",),
    ),
    Agency("Hywel Dda University Health Board", "health_board", (r"Hywel Dda " + _UHB,), ("HDUHB", "HDdUHB")),
    Agency(
        "Powys Teaching Health Board",
        "health_board",
        (r"Powys Teaching Health Board", r"Powys THB"),
        ("PTHB",),
    ),
    Agency("Swansea Bay University Health Board", "health_board", (r"Swansea Bay " + _UHB,), ("SBUHB",)),
    Agency(
        "Abertawe Bro Morgannwg University Health Board",
        "health_board",
        (r"Abertawe Bro Morgannwg " + _UHB,),
        ("ABMU", "ABMUHB"),
    ),
    Agency(
        "Welsh Ambulance Services NHS Trust",
        "nhs_trust",
        (r"Welsh Ambulance Services? (?:NHS )?Trust", r"Welsh Ambulance Service"),
        ("WAST",),
    ),
    Agency("Public Health Wales", "nhs_trust", (r"Public Health Wales",), ("PHW",)),
    Agency("Velindre University NHS Trust", "nhs_trust", (r"Velindre(?: University)?(?: NHS)? Trust",)),
    Agency(
        "Children's Services",
        "local_authority",
        (r"Children" + _APOS + r"?s? (?:Services|Social Care|Social Services)",),
    ),
    Agency(
        "Adult Social Care",
        "local_authority",
        (
            r"Adult Social (?:Care|Services)",
            r"Adult Services",
            r"Community Care Team",
            r"Adult Safeguarding Team",
        ),
    ),
    Agency("Multi-Agency Safeguarding Hub", "local_authority", (r"Multi[- ]Agency Safeguarding Hub",), ("MASH",)),
    Agency(
        "Information, Advice and Assistance Service",
        "local_authority",
        (r"Information,? Advice and Assistance",),
        ("IAA",),
    ),
    Agency("Flying Start", "local_authority", (r"Flying Start",)),
    Agency("Families First", "local_authority", (r"Families First", r"Team Around the Family"), ("TAF",)),
    Agency("Leaving Care Service", "local_authority", (r"leaving care (?:service|team)s?", r"after[- ]care team")),
    Agency("Domiciliary Care", "care_provider", (r"domiciliary care(?: provider| agency| service)?s?",)),
    Agency("Care Home", "care_provider", (r"(?:residential |nursing )?care homes?",)),
    Agency("Supported Living Provider", "care_provider", (r"supported living (?:provider|service)s?",)),
    Agency(
        "Education Welfare Service",
        "education",
        (r"Education Welfare (?:Service|Officer)s?",),
        ("EWS", "EWO"),
    ),
    Agency(
        "School",
        "education",
        (
            r"(?:primary|secondary|comprehensive|high) school",
            r"the school",
            r"Designated Safeguarding (?:Person|Lead)",
            r"pupil referral unit",
        ),
        ("DSP", "PRU"),
    ),
    Agency(
        "Further Education College",
        "education",
        (r"further education colleges?", r"FE colleges?", r"(?:the|her|his|their|local) college"),
    ),
    Agency("Education Service", "education", (r"education (?:service|department)s?",)),
    Agency(
        "Housing Services",
        "housing",
        (r"housing options", r"homelessness (?:team|service)s?", r"housing (?:department|services?|team)"),
        ("Housing",),
    ),
    Agency(
        "Housing Association",
        "housing",
        (r"housing associations?", r"registered social landlords?"),
        ("RSL",),
    ),
    Agency(
        "General Practice",
        "health",
        (r"general practi(?:ce|tioners?)", r"GP (?:practice|surgery)s?"),
        ("GP", "GPs"),
    ),
    Agency("Health Visiting", "health", (r"health visit(?:ors?|ing)",)),
    Agency("Midwifery", "health", (r"midwi(?:fe|ves|fery)",)),
    Agency("School Nursing", "health", (r"school nurs(?:e|es|ing)",)),
    Agency("District Nursing", "health", (r"district nurs(?:e|es|ing)",)),
    Agency("Emergency Department", "health", (r"emergency department", r"accident and emergency"), ("ED", "A&E")),
    Agency("Paediatrics", "health", (r"paediatric(?:ian)?s?",)),
    Agency(
        "CAMHS",
        "mental_health",
        (r"Child and Adolescent Mental Health Services?",),
        ("CAMHS", "sCAMHS", "pCAMHS"),
    ),
    Agency("Community Mental Health Team", "mental_health", (r"Community Mental Health Teams?",), ("CMHT",)),
    Agency(
        "Crisis Resolution Home Treatment Team",
        "mental_health",
        (r"Crisis Resolution(?: and)? Home Treatment(?: Team)?", r"crisis team"),
        ("CRHT", "CRHTT"),
    ),
    Agency(
        "Local Primary Mental Health Support Service",
        "mental_health",
        (r"Local Primary Mental Health Support Service",),
        ("LPMHSS",),
    ),
    Agency("Community Learning Disability Team", "health", (r"community learning disability teams?",), ("CLDT",)),
    Agency(
        "Substance Misuse Service",
        "mental_health",
        (r"substance misuse (?:service|team|agency)s?", r"drug and alcohol (?:service|team)s?"),
    ),
    Agency(
        "Probation Service",
        "probation",
        (r"(?:National )?Probation Service", r"HM Prison and Probation Service"),
        ("NPS", "HMPPS"),
    ),
    Agency("Community Rehabilitation Company", "probation", (r"Community Rehabilitation Company",), ("CRC",)),
    Agency(
        "Youth Justice Service",
        "youth_justice",
        (r"Youth (?:Justice|Offending) (?:Service|Team)",),
        ("YJS", "YOT", "YOS"),
    ),
    Agency(
        "IDVA Service",
        "third_sector",
        (r"Independent Domestic (?:Violence|Abuse) Advis[oe]rs?", r"IDVA services?"),
        ("IDVA", "IDVAs"),
    ),
    Agency("ISVA Service", "third_sector", (r"Independent Sexual Violence Advis[oe]rs?",), ("ISVA", "ISVAs")),
    Agency("Welsh Women's Aid", "third_sector", (r"Welsh Women" + _APOS + r"?s Aid",)),
    Agency("Women's Aid", "third_sector", (r"(?<!Welsh )Women" + _APOS + r"?s Aid",)),
    Agency("BAWSO", "third_sector", (r"Bawso",)),
    Agency(
        "Advocacy Service",
        "third_sector",
        (
            r"Tros Gynnal Plant",
            r"independent advocacy(?: service)?",
            r"advocacy services?",
            r"National Youth Advocacy Service",
        ),
        ("NYAS",),
    ),
    Agency("Llamau", "third_sector", (r"Llamau",)),
    Agency("Barnardo's Cymru", "third_sector", (r"Barnardo" + _APOS + r"?s(?: Cymru)?",)),
    Agency("NSPCC Cymru", "third_sector", (r"NSPCC(?: Cymru)?",)),
    Agency("Action for Children", "third_sector", (r"Action for Children",)),
    Agency("Hafal", "third_sector", (r"Hafal",)),
    Agency("Mind Cymru", "third_sector", (r"Mind Cymru",)),
    Agency("Age Cymru", "third_sector", (r"Age Cymru",)),
    Agency("North Wales Fire and Rescue Service", "fire", (r"North Wales Fire and Rescue(?: Service)?",)),
    Agency(
        "Mid and West Wales Fire and Rescue Service",
        "fire",
        (r"Mid and West Wales Fire and Rescue(?: Service)?",),
    ),
    Agency("South Wales Fire and Rescue Service", "fire", (r"South Wales Fire and Rescue(?: Service)?",)),
    Agency("Cafcass Cymru", "court", (r"Cafcass(?: Cymru)?",)),
    Agency("Department for Work and Pensions", "central_government", (r"Department for Work and Pensions",), ("DWP",)),
    Agency("Crown Prosecution Service", "court", (r"Crown Prosecution Service",), ("CPS",)),
    Agency("Coroner", "court", (r"(?:HM |the )?Coroner",)),
    Agency("MARAC", "multi_agency", (r"Multi[- ]Agency Risk Assessment Conference",), ("MARAC",)),
    Agency("MAPPA", "multi_agency", (r"Multi[- ]Agency Public Protection Arrangements",), ("MAPPA",)),
    Agency("Care Inspectorate Wales", "inspectorate", (r"Care Inspectorate Wales",), ("CIW", "CSSIW")),
    Agency("Healthcare Inspectorate Wales", "inspectorate", (r"Healthcare Inspectorate Wales",), ("HIW",)),
    Agency("Estyn", "inspectorate", (r"Estyn",)),
)


COUNCILS: dict[str, tuple[str, ...]] = {
    "Isle of Anglesey County Council": (r"(?:Isle of )?Anglesey County Council", r"Cyngor Sir Ynys Môn"),
    "Gwynedd Council": (r"Gwynedd Council", r"Cyngor Gwynedd"),
    "Conwy County Borough Council": (r"Conwy County Borough Council", r"Conwy Council"),
    "Denbighshire County Council": (r"Denbighshire County Council",),
    "Flintshire County Council": (r"Flintshire County Council", r"Flintshire Council"),
    "Wrexham County Borough Council": (r"Wrexham County Borough Council", r"Wrexham Council"),
    "Powys County Council": (r"Powys County Council", r"Powys Council"),
    "Ceredigion County Council": (r"Ceredigion County Council", r"Ceredigion Council"),
    "Pembrokeshire County Council": (r"Pembrokeshire County Council", r"Pembrokeshire Council"),
    "Carmarthenshire County Council": (r"Carmarthenshire County Council", r"Carmarthenshire Council"),
    "Swansea Council": (r"(?:City and County of )?Swansea(?: City)? Council", r"City and County of Swansea"),
    "Neath Port Talbot Council": (r"Neath Port Talbot(?: County Borough)? Council",),
    "Bridgend County Borough Council": (r"Bridgend County Borough Council", r"Bridgend Council"),
    "Vale of Glamorgan Council": (r"Vale of Glamorgan Council",),
    "Cardiff Council": (r"(?:City of )?Cardiff(?: City)? Council",),
    "Rhondda Cynon Taf County Borough Council": (r"Rhondda Cynon Taf(?: County Borough)? Council",),
    "Merthyr Tydfil County Borough Council": (r"Merthyr Tydfil(?: County Borough)? Council",),
    "Caerphilly County Borough Council": (r"Caerphilly(?: County Borough)? Council",),
    "Blaenau Gwent County Borough Council": (r"Blaenau Gwent(?: County Borough)? Council",),
    "Torfaen County Borough Council": (r"Torfaen(?: County Borough)? Council",),
    "Monmouthshire County Council": (r"Monmouthshire(?: County)? Council",),
    "Newport City Council": (r"Newport(?: City)? Council",),
}
"""The 22 Welsh local authorities under their council names, with the variants reports print."""

AGENCIES = AGENCIES + tuple(Agency(name, "local_authority", patterns) for name, patterns in COUNCILS.items())


@cache
def agency_pattern(agency: Agency) -> re.Pattern[str]:
    """One compiled regex for all of an agency's names (abbreviations matched case-sensitively)."""
    parts = [f"(?i:{p})" for p in agency.patterns]
    parts += [re.escape(abbr) for abbr in agency.case_sensitive]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])")


def required_literal(pattern: str) -> str | None:
    """Lower-case letters every match of ``pattern`` must contain, or None when it cannot tell.

    Groups, character classes, escapes and optional characters are cut out; what is left outside
    them is written in every match, so the longest piece of it (three letters or more) is a safe
    test for "this pattern cannot match here". A pattern with a top-level alternative has none.
    """
    s = re.sub(r"\\.", "\x00", pattern)
    s = re.sub(r"\[[^\]]*\]", "\x00", s)
    previous = None
    while previous != s:
        previous = s
        s = re.sub(r"\([^()]*\)(?:[?*+]|\{[^}]*\})?", "\x00", s)
    s = re.sub(r"[^\x00][?*]|[^\x00]\{0(?:,\d*)?\}", "\x00", s)
    if "|" in s:
        return None
    best = max((piece.strip() for piece in re.split(r"[\x00.^$?*+{}()]+", s)), key=len, default="")
    return best.lower() if len(best) >= 3 else None


@cache
def _literals(agency: Agency) -> tuple[str, ...] | None:
    literals = [required_literal(p) for p in agency.patterns]
    return None if any(lit is None for lit in literals) else tuple(lit for lit in literals if lit)


def _may_name(agency: Agency, text: str, lowered: str) -> bool:
    """False only when none of the agency's names can be in ``text`` (a quick test before the regex)."""
    literals = _literals(agency)
    if literals is None:
        return True
    return any(lit in lowered for lit in literals) or any(abbr in text for abbr in agency.case_sensitive)


def find_agencies(text: str) -> dict[str, tuple[str, int]]:
    """Agency name -> (kind, mentions) in ``text``; overlapping names count once (longest wins).

    An agency's regex runs only where a letter string every one of its names must contain occurs
    (:func:`required_literal`): the same answer, about five times sooner on a whole report.
    """
    hits: list[tuple[int, int, Agency]] = []
    lowered = text.lower()
    for agency in AGENCIES:
        if not _may_name(agency, text, lowered):
            continue
        for match in agency_pattern(agency).finditer(text):
            hits.append((match.start(), match.end(), agency))
    return count_mentions(hits)


def count_mentions(hits: list[tuple[int, int, Agency]]) -> dict[str, tuple[str, int]]:
    """Agency name -> (kind, mentions) from (start, end, agency) matches; where matches overlap,
    the one starting first (then the longest) counts and the others do not."""
    hits = sorted(hits, key=lambda h: (h[0], -(h[1] - h[0])))
    counts: dict[str, tuple[str, int]] = {}
    covered_until = -1
    for start, end, agency in hits:
        if start < covered_until:
            continue
        covered_until = end
        kind, n = counts.get(agency.name, (agency.kind, 0))
        counts[agency.name] = (kind, n + 1)
    return counts
