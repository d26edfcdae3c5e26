"""Plant identifying details into copies of sample reviews, then measure what the check finds.

For each kind, :func:`planted_items` makes at least 40 distinct identifiers in realistic forms,
drawn from pools written independently of the detector's own word lists (many names, towns and
schools here are deliberately absent from them). Each identifier sits in a carrier sentence that
becomes a new paragraph after a randomly chosen body paragraph of a sample's Markdown source.
After ingest parses the copy, the identifier is located in the normalised text through its
(unique) carrier sentence, so its offsets are known exactly. An identifier counts as found when a
finding of an accepted kind covers at least half of it.

Run ``python -m tests.anonymisation.planting`` to print recall per kind and the findings on the
unmodified samples.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from gwersi.anonymisation import KINDS, Finding, check_parsed
from ingest.pipeline import parse_bytes

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sample-sources"
SAMPLES = REPO / "data" / "samples"
HOSTS = ("cpr_flint_2.md", "apr_cwmpas_2021_02.md", "susr_gwent_2026.md", "owhr_wgsb_2025.md")
"""The sample sources that receive planted identifiers."""
PER_KIND = 44
ACCEPTED = {k: {k} for k in KINDS} | {"full_date": {"full_date", "date_of_birth"}}


@dataclass(frozen=True)
class Pools:
    """Word pools identifiers are made from."""

    first: tuple[str, ...]
    surnames: tuple[str, ...]
    streets: tuple[str, ...]
    towns: tuple[str, ...]
    schools: tuple[str, ...]


def _split(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


DEV_POOLS = Pools(
    first=_split(
        "Bryony Ceri Gwenllian Mared Cai Dominika Imran Adaeze Hamza Keira Rowan Jolene Sarah Gareth Rhiannon Tomasz "
        "Nadia Efa Ioan Lowri Morgan Callum Priya Ffion Deiniol Shannon Kyle Aneurin Catrin Jodie Mirela Osian Teifi "
        "Kacper Alys Branwen Lily-Mae Dwayne Harriet Siân Iwan Maisie Tudur Zainab"
    ),
    surnames=_split(
        "Jenkins Prosser Morgan-Evans O'Connell McCarthy Nowak Adeyemi Rahman Llewellyn Pugh Bevan Griffiths Powell "
        "Hughes Watkins Kowalski Thomas Baldwin Probert Rees Parry Vaughan Harries Stephens Popescu Okafor Ellis Lloyd"
    ),
    streets=_split(
        "Maple Close|Station Road|Church Street|Heol y Nant|Clos Tawe|Bryn Celyn|Victoria Avenue|Mill Lane|"
        "Oakfield Drive|Park Crescent|Harbour View|Chapel Terrace|Llys Derwen|Ffordd yr Afon|Cae Mawr|Glan yr Afon",
        "|",
    ),
    towns=_split(
        "Bridgend Crickhowell Tywyn Nefyn Saundersfoot Llanfairfechan Treharris Pontardawe Ystrad Mynach Abergele "
        "Ferndale Rhayader Bala Llanidloes Pencoed Beddau Trecynon Brynmawr Cefn Mawr Llangollen"
    ),
    schools=_split(
        "Ysgol Gymraeg Bro Morgannwg|St Mary's Catholic Primary School|Coedylan Primary School|"
        "Bishop Vaughan Catholic School|Ysgol y Graig|Cathays High School|Pencoed Comprehensive School|"
        "Ysgol Gyfun Gŵyr|Glan Usk Primary School|Ysgol Bryn Tabor|Radyr Comprehensive School|"
        "Heronsbridge School|Ysgol Penglais|Millbrook Primary School|Ysgol Dyffryn Conwy|Ysgol Gynradd Llanfair|"
        "Coleg Cambria|Lliswerry High School|Trinity Fields School|Ysgol Eirias|Cwmtawe Community School|"
        "Ysgol Gymraeg Aberystwyth",
        "|",
    ),
)
"""The pools used while the detector was developed (its misses guided some rules)."""

HELD_OUT_POOLS = Pools(
    first=_split(
        "Elliw Rhydian Tirion Gruffydd Nerys Awen Macsen Caio Ifor Wiktoria Bartosz Chiamaka Tariq Safiya Kirsten "
        "Rory Darcey Cadi Steffan Elis Mali Hywel Anwen Tegwen Lleucu Jac Nel Brynmor Delyth Yasmin Harvey Kacey "
        "Reuben Imogen Pedr Moelwyn Gwenno Hefin Olwen"
    ),
    surnames=_split(
        "Bowen Protheroe Gwilym Meredith Tudor Penry Voyle Lewis-Jones Wójcik Chukwu Siddiqui Hopkins Nicholls "
        "Rowlands Crocombe Mathias Jarman Edmunds Kinsella Pritchard Beynon Trow Gealy"
    ),
    streets=_split(
        "Heol Hir|Ffordd Las|Tan y Bryn|Pen y Cae|Lôn Isaf|Chestnut Way|Brynhyfryd Terrace|Oak Tree Close|"
        "Marine Parade|Llwyn y Grant|Stryd Fawr|Ger y Nant|Water Street|Alexandra Road",
        "|",
    ),
    towns=_split(
        "Llanrwst Criccieth Aberaeron Narberth Fishguard Knighton Senghenydd Blaenavon Usk Caldicot Magor "
        "Llantrisant Tonyrefail Porth Skewen Glynneath Amlwch Corwen Llandeilo Cowbridge"
    ),
    schools=_split(
        "Ysgol Glan Clwyd|Ysgol Bro Teifi|Bassaleg School|Fitzalan High School|Ysgol Santes Tudful|"
        "Mountain Ash Comprehensive|Ysgol Gymraeg Cwm Gwyddon|Tonyrefail Community School|Caldicot School|"
        "Ysgol Rhiw Bechan|Brynteg School|Olchfa School|Ysgol Maes Garmon|Sacred Heart RC Primary|"
        "Llanishen High School|Whitchurch High School|Ysgol Calon Cymru|Ysgol Bro Pedr|Ysgol Bryn Elian",
        "|",
    ),
)
"""Pools written after development and never used to tune the detector."""

_TITLES = ("Mrs", "Mr", "Dr", "PC", "Ms", "Miss")
_NAME_CARRIERS = (
    "{x} told the panel that the family had moved twice that year.",
    "The referral was made by {x} after a home visit.",
    "In interview, {x} described the household as isolated and chaotic.",
    "A neighbour, {x}, raised concerns with the housing officer.",
)
_MONTHS = _split("January February March April May June July August September October November December")
_POSTCODE_AREAS = ("CF", "SA", "NP", "LL", "SY", "LD", "CH")


@dataclass(frozen=True)
class Planted:
    """One planted identifier: its kind, text, carrier sentence and (after parsing) its offsets."""

    kind: str
    text: str
    sentence: str
    host: str
    start: int = -1
    end: int = -1


def _nhs(rnd: random.Random) -> str:
    while True:
        digits = [rnd.randrange(1, 10)] + [rnd.randrange(10) for _ in range(8)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check == 10:
            continue
        digits.append(0 if check == 11 else check)
        s = "".join(map(str, digits))
        return rnd.choice((f"{s[:3]} {s[3:6]} {s[6:]}", s, f"{s[:3]}-{s[3:6]}-{s[6:]}"))


def _date(rnd: random.Random, year_from: int, year_to: int) -> str:
    d, m, y = rnd.randrange(1, 29), rnd.randrange(1, 13), rnd.randrange(year_from, year_to)
    month = _MONTHS[m - 1]
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(d, "th")
    return rnd.choice(
        (
            f"{d} {month} {y}",
            f"{d}{suffix} {month} {y}",
            f"{month} {d}, {y}",
            f"{d:02d}/{m:02d}/{y}",
            f"{d}/{m}/{y}",
            f"{y}-{m:02d}-{d:02d}",
            f"{d} {month[:3]} {y}",
            f"{d:02d}.{m:02d}.{y}",
        )
    )


def _postcode(rnd: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    area = rnd.choice(_POSTCODE_AREAS)
    return f"{area}{rnd.randrange(1, 48)} {rnd.randrange(10)}{rnd.choice(letters)}{rnd.choice(letters)}"


def _phone(rnd: random.Random) -> str:
    n = lambda k: "".join(str(rnd.randrange(10)) for _ in range(k))  # noqa: E731
    return rnd.choice(
        (
            f"029 {n(4)} {n(4)}",
            f"01443 {n(6)}",
            f"01792 {n(3)} {n(3)}",
            f"07700 {n(6)}",
            f"+44 7700 {n(6)}",
            f"(01633) {n(6)}",
            f"0800 {n(3)} {n(4)}",
            f"07{n(3)} {n(3)} {n(3)}",
            f"+44 (0)29 {n(4)} {n(4)}",
            f"01248-{n(6)}",
        )
    )


def planted_items(seed: int = 5, pools: Pools = DEV_POOLS) -> list[tuple[str, str, str]]:
    """``(kind, identifier, carrier sentence)`` triples, ``PER_KIND`` per kind, deterministic."""
    rnd = random.Random(seed)
    out: list[tuple[str, str, str]] = []

    def add(kind: str, make: object) -> None:
        seen: set[str] = set()
        for _attempt in range(PER_KIND * 50):
            if len(seen) == PER_KIND:
                return
            ident, sentence = make()  # type: ignore[operator]
            if ident not in seen:
                seen.add(ident)
                out.append((kind, ident, sentence))
        raise AssertionError(f"could not make {PER_KIND} distinct {kind} identifiers")

    def name() -> tuple[str, str]:
        x = f"{rnd.choice(pools.first)} {rnd.choice(pools.surnames)}"
        if rnd.random() < 0.25:
            x = f"{rnd.choice(_TITLES)} {x.split()[-1] if rnd.random() < 0.5 else x}"
        return x, rnd.choice(_NAME_CARRIERS).format(x=x)

    def dob() -> tuple[str, str]:
        x = _date(rnd, 1995, 2022)
        return x, rnd.choice(
            (
                "The child was born on {x} at the local hospital.",
                "Her date of birth ({x}) was recorded wrongly.",
                "The record gave his DOB as {x}.",
            )
        ).format(x=x)

    def full_date() -> tuple[str, str]:
        x = _date(rnd, 2010, 2024)
        return x, rnd.choice(
            (
                "On {x} the school made a referral.",
                "A strategy meeting was held on {x}.",
                "The GP saw the family again on {x} and noted bruising.",
            )
        ).format(x=x)

    def address() -> tuple[str, str]:
        x = f"{rnd.randrange(1, 250)} {rnd.choice(pools.streets)}"
        if rnd.random() < 0.3:
            x = f"Flat {rnd.randrange(1, 20)}, {x}"
        if rnd.random() < 0.4:
            x = f"{x}, {rnd.choice(pools.towns)}"
        return x, rnd.choice(
            (
                "The family lived at {x} at the time.",
                "Police attended {x} after a 999 call.",
                "Mother moved to {x} in the spring.",
            )
        ).format(x=x)

    def postcode() -> tuple[str, str]:
        x = _postcode(rnd)
        return x, rnd.choice(
            ("The new tenancy was in the {x} area.", "Their address was recorded with the postcode {x}.")
        ).format(x=x)

    def phone() -> tuple[str, str]:
        x = _phone(rnd)
        return x, rnd.choice(
            ("Mother could be reached on {x} during the day.", "The caller left the number {x} with the duty desk.")
        ).format(x=x)

    def email() -> tuple[str, str]:
        user = (
            rnd.choice(pools.first).lower().replace("'", "")
            + rnd.choice((".", "_", ""))
            + rnd.choice(pools.surnames).lower()
        )
        x = f"{user}{rnd.choice(('', str(rnd.randrange(99))))}@{rnd.choice(('example.org', 'mail.co.uk', 'gmail.com'))}"
        return x, f"The school emailed the family at {x} about attendance."

    def nhs() -> tuple[str, str]:
        x = _nhs(rnd)
        return x, rnd.choice(
            ("Her NHS number {x} appeared on the referral.", "The discharge letter quoted reference {x} for the baby.")
        ).format(x=x)

    def school() -> tuple[str, str]:
        town = rnd.choice(pools.towns)
        x = rnd.choice(
            (
                rnd.choice(pools.schools),
                f"{town} Primary School",
                f"Ysgol Gynradd {town}",
                f"{town} Comprehensive School",
                f"Ysgol Uwchradd {town}",
                f"St David's Church in Wales Primary School, {town}",
            )
        )
        return x, rnd.choice(
            (
                "Child A attended {x} until the move.",
                "Staff at {x} noticed the change in behaviour.",
                "The sibling started at {x} in September.",
            )
        ).format(x=x)

    def rare() -> tuple[str, str]:
        age = rnd.choice(("a 14-year-old", "aged 15", "then aged seventeen", "16 years old", "aged 9"))
        place, event = (
            rnd.choice(pools.towns),
            rnd.choice(
                ("was found unresponsive", "died", "was stabbed", "drowned", "was assaulted", "took her own life")
            ),
        )
        x = rnd.choice(
            (
                f"In March 2019 a girl, {age}, {event} at a park in {place}.",
                f"The boy, {age}, {event} near his home in {place} in 2020.",
                f"A young person from {place}, {age}, {event} after the party.",
            )
        )
        return x, x

    for kind, make in (
        ("person_name", name),
        ("date_of_birth", dob),
        ("full_date", full_date),
        ("address", address),
        ("postcode", postcode),
        ("phone", phone),
        ("email", email),
        ("nhs_number", nhs),
        ("school", school),
        ("rare_combination", rare),
    ):
        add(kind, make)
    return out


def planted_copies(seed: int = 5, pools: Pools = DEV_POOLS) -> list[tuple[str, bytes, list[Planted]]]:
    """Copies of the host sources with every planted sentence inserted after a random body paragraph."""
    rnd = random.Random(seed)
    items = planted_items(seed, pools)
    rnd.shuffle(items)
    per_host: dict[str, list[tuple[str, str, str]]] = {h: [] for h in HOSTS}
    for i, item in enumerate(items):
        per_host[HOSTS[i % len(HOSTS)]].append(item)
    copies = []
    for host, host_items in per_host.items():
        paragraphs = (SOURCES / host).read_text(encoding="utf-8").split("\n\n")
        body = [i for i, p in enumerate(paragraphs) if len(p) > 200 and not p.startswith(("#", "|", "-"))]
        inserts: dict[int, list[str]] = {}
        for _kind, _ident, sentence in host_items:
            inserts.setdefault(rnd.choice(body), []).append(sentence)
        out = []
        for i, p in enumerate(paragraphs):
            out.append(p)
            out.extend(inserts.get(i, []))
        planted = [Planted(k, ident, sentence, host) for k, ident, sentence in host_items]
        copies.append((host, "\n\n".join(out).encode("utf-8"), planted))
    return copies


def locate(text: str, item: Planted) -> Planted:
    """The planted item with its offsets in the parsed text."""
    at = text.find(item.sentence)
    if at < 0:
        raise AssertionError(f"planted sentence not found after parsing: {item.sentence!r}")
    start = at + item.sentence.index(item.text)
    return Planted(item.kind, item.text, item.sentence, item.host, start, start + len(item.text))


def found(item: Planted, findings: list[Finding]) -> bool:
    """True when a finding of an accepted kind covers at least half of the planted identifier."""
    need = (item.end - item.start) / 2
    for f in findings:
        if f.kind in ACCEPTED[item.kind] and min(f.end, item.end) - max(f.start, item.start) >= need:
            return True
    return False


@dataclass(frozen=True)
class Measurement:
    """Recall per kind on planted identifiers, and the missed ones."""

    planted: Counter[str]
    hits: Counter[str]
    missed: list[Planted]

    def recall(self, kind: str) -> float:
        """Share of planted identifiers of ``kind`` that were flagged."""
        return self.hits[kind] / self.planted[kind] if self.planted[kind] else 0.0


def measure_recall(seed: int = 5, pools: Pools = DEV_POOLS) -> Measurement:
    """Plant, parse, check and count."""
    planted: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    missed = []
    for host, data, items in planted_copies(seed, pools):
        parsed = parse_bytes(data, host)
        report = check_parsed(parsed, use_model=False)
        for item in items:
            placed = locate(parsed.text, item)
            planted[item.kind] += 1
            if found(placed, list(report.findings)):
                hits[item.kind] += 1
            else:
                missed.append(placed)
    return Measurement(planted, hits, missed)


def findings_on_samples() -> dict[str, list[Finding]]:
    """Every finding on every unmodified sample file (PDF, DOCX and Markdown)."""
    out = {}
    for path in sorted(SAMPLES.iterdir()):
        out[path.name] = list(check_parsed(parse_bytes(path.read_bytes(), path.name), use_model=False).findings)
    return out


def main() -> None:
    """Print recall per kind and the findings on the unmodified samples."""
    for label, pools, seed in (("development pools", DEV_POOLS, 5), ("held-out pools", HELD_OUT_POOLS, 11)):
        m = measure_recall(seed, pools)
        print(f"{label}\nkind                planted  found  recall")
        for kind in KINDS:
            print(f"{kind:<20}{m.planted[kind]:>7}{m.hits[kind]:>7}{m.recall(kind):>8.2f}")
        for item in m.missed:
            print(f"  missed {item.kind}: {item.text!r}")
    per_kind: Counter[str] = Counter()
    for name, findings in findings_on_samples().items():
        for f in findings:
            per_kind[f.kind] += 1
            shown = re.sub(r"\s+", " ", f.text)[:90]
            print(f"  sample {name}: {f.kind} {shown!r} ({f.reason})")
    print("findings on the 24 unmodified samples:", dict(per_kind))


if __name__ == "__main__":
    main()
