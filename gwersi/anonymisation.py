"""Anonymisation check before publication: flag details in a review that could identify people.

Reviews name people by pseudonym ("Child A", "Adult B", "Mr N", or a name the family chose and the
report introduces as a pseudonym). This check parses the file with ingest and flags, with their
character offsets in the normalised text and their page: personal names that are not pseudonyms,
exact dates (dates of birth apart), addresses, postcodes, phone numbers, email addresses, NHS
numbers, school names, and sentences that combine an age, a place and an event (a rare
combination that can identify a family even with no name). Rules run over sentences from a blank
spaCy English pipeline; if a packaged statistical model such as ``en_core_web_sm`` is importable,
its PERSON entities are added (never required). It finds likely problems for a person to check;
it cannot prove a review is anonymous.
"""

from __future__ import annotations

import bisect
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ingest.models import ParsedReview


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


KINDS = (
    "person_name",
    "date_of_birth",
    "full_date",
    "address",
    "postcode",
    "phone",
    "email",
    "nhs_number",
    "school",
    "rare_combination",
)
OPTIONAL_MODELS = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg")

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|"
    "Gorffennaf|Awst|Medi|Hydref|Tachwedd|Rhagfyr"
)
_YEAR = r"(?:19|20)\d{2}"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
DATE = re.compile(
    rf"(?<![\d.])\b{_DAY}(?:\s+of)?\s+(?:{_MONTHS})\.?,?\s+{_YEAR}\b"
    rf"|\b(?:{_MONTHS})\.?\s+{_DAY},?\s+{_YEAR}\b"
    rf"|\b(?:0?[1-9]|[12]\d|3[01])([/-])(?:0?[1-9]|1[0-2])\1(?:{_YEAR}|\d{{2}})\b(?![/-]\d)"
    rf"|\b(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.{_YEAR}\b"
    rf"|\b{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b"
)
BIRTH_CUE = re.compile(r"\b(?:born|birth|DOB|D\.O\.B\.?|d\.o\.b\.?|date of birth|birthday)\b", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE = re.compile(r"(?<![\w/+])(?:\+44\s?(?:\(0\)\s?)?|0044\s?|\(0|0)\d[\d\s()-]{7,14}\d(?![\w/])")
NHS = re.compile(r"(?<![\w/])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?![\w/])")
NHS_CUE = re.compile(r"\bNHS\s+(?:number|no\.?)\s*:?\s*$", re.IGNORECASE)
POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b")
_WORD = r"[A-ZÂÊÎÔÛŴŶ][\w'’.-]*"
_STREET = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Close|Drive|Way|Crescent|Terrace|Place|Court|Gardens|Grove|"
    r"Hill|Park|Square|View|Walk|Rise|Mews|Row|Parade|Green|Fields|Meadows|Heights|Villas|Cottages"
)
_WELSH_STREET = r"Heol|Ffordd|Stryd|Lôn|Lon|Rhodfa|Cilgant|Teras|Clos|Maes|Bryn|Cae|Pant|Llys|Glan|Parc|Gerddi|Ael|Erw"
ADDRESS = re.compile(
    rf"(?:\b(?:Flat|Apartment|Unit)\s+\d+[A-Za-z]?,?\s+)?\b\d{{1,4}}[A-Za-z]?,?\s+"
    rf"(?:(?:{_WORD}\s+){{1,3}}(?:{_STREET})\b|(?:{_WELSH_STREET})\s+(?:[Yy]r?\s+)?{_WORD}(?:\s+{_WORD})?"
    rf"|(?!Ysgol|Coleg){_WORD}\s+[Yy]r?\s+{_WORD})"
    rf"(?:,\s*{_WORD}(?:\s+{_WORD})?)?"
    rf"|(?<=\b(?:on|in|at|to|of) )(?:{_WORD}\s+){{1,2}}(?:Street|Road|Avenue|Lane|Close|Drive|Crescent|Terrace|Mews)\b"
)
SCHOOL = re.compile(
    rf"\b(?:{_WORD}\s+(?:in\s+Wales\s+)?){{1,6}}(?:School|Academy)\b"
    rf"|\b(?:Ysgol|Coleg)(?:\s+(?:[Yy]r?\b|{_WORD})){{1,4}}"
)
_GENERIC_SCHOOL = frozenset(
    _words(
        "The A An His Her Their Local Primary Secondary High Junior Infant Infants Nursery Comprehensive Special "
        "Community Welsh English Welsh-medium Independent Private New Current Previous Former Mainstream Residential "
        "Boarding Middle Grammar Forest School Academy Sunday Church"
    )
)
TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Prof|Professor|PC|DC|DS|Sgt|Sergeant|Inspector|Cllr|Councillor|Rev)\.?"
_NAME = r"(?:Mc|Mac|O['’])?[A-ZÀ-ÖØ-ÞŴŶ][a-zß-öø-ÿŵŷ]+(?:-[A-ZÀ-ÞŴŶ][a-zß-öø-ÿŵŷ]+)?"
NAME_RUN = re.compile(rf"(?<![\w'’-])(?:{TITLE}\s+)?{_NAME}(?:\s+(?:ap|ab|van|de|von|der)?\s*{_NAME}){{0,2}}")
TITLED = re.compile(rf"^{TITLE}\s+")
PSEUDONYM_CUE = re.compile(
    r"pseudonyms?|referred to as|known as|\bname\b[^.]{0,40}\bchose|chose[^.]{0,30}\bname|not (?:his|her|their) real",
    re.IGNORECASE,
)
QUOTED = re.compile(r"[‘'\"“]([A-Z][a-zß-ÿŵŷ]+)[’'\"”]")
EVENT = re.compile(
    r"\b(?:died|death|dead|killed|murder(?:ed)?|stabbed|drowned|fire|overdosed?|hanged|hanging|suicide|"
    r"took (?:his|her|their) own life|assault(?:ed)?|attack(?:ed)?|collision|crash|fell|injur(?:y|ies|ed)|"
    r"homicide|manslaughter|shot|strangled|abducted|raped|fractures?d?|burns?|poisoning|unresponsive|SUDI)\b",
    re.IGNORECASE,
)
PLACE_AFTER = re.compile(rf"\b(?:in|at|near|from)\s+({_NAME}(?:\s+{_NAME})?)")
_TOWNS = _words(
    "Aberdare Abergavenny Aberystwyth Ammanford Bangor Bargoed Barry Blackwood Brecon Bridgend Buckley Caernarfon "
    "Caerphilly Cardiff Cardigan Carmarthen Chepstow Colwyn Conwy Cwmbran Denbigh Dolgellau Ebbw Flint Haverfordwest "
    "Holyhead Holywell Llandudno Llanelli Llangefni Maesteg Merthyr Milford Mold Monmouth Neath Newport Newtown "
    "Pembroke Penarth Pontypool Pontypridd Porthcawl Prestatyn Pwllheli Rhyl Ruthin Swansea Tenby Tredegar Welshpool "
    "Wrexham Rhondda Tonypandy Treorchy Abertillery Machynlleth Deeside Shotton Gorseinon Morriston Ely Splott "
    "Butetown Llanrumney Caerau London Birmingham Bristol Liverpool Manchester Chester Gloucester Hereford Shrewsbury"
)
_FIRST_NAMES = frozenset(
    _words(
        "Aaron Abdul Abigail Adam Adrian Ahmed Aisha Alan Alex Alexander Alice Alison Amanda Amelia Amir Amy Andrew "
        "Angela Ann Anna Anne Anthony Arwel Aled Alun Bethan Beth Brian Bronwen Callum Carl Caroline Catherine Cerys "
        "Charlotte Chloe Chris Christine Christopher Claire Clare Colin Connor Craig Dafydd Daniel Danielle Darren "
        "David Dawn Debbie Deborah Declan Dewi Dylan Eleri Eleanor Elin Elizabeth Ellie Emily Emma Emyr Eric Euan Eve "
        "Ffion Gareth Gary Gavin Gemma Geraint Gethin Glyn Graham Gwen Gwyneth Hannah Harry Hayley Heledd Helen Huw "
        "Iain Ian Idris Ieuan Iolo Isabella Jack Jacob Jade James Jamie Jane Janet Jason Jennifer Jessica Joanne John "
        "Jonathan Joseph Joshua Julie Karen Kate Katie Kayleigh Keith Kelly Kevin Kieran Kirsty Laura Lauren Leah Lee "
        "Leanne Lewis Liam Lisa Llinos Llŷr Louise Lucy Luke Lynne Manon Margaret Maria Mark Martin Matthew Megan "
        "Meinir Michael Michelle Mohammed Muhammad Nathan Natalie Neil Nia Nicholas Nicola Oliver Osian Owain Owen "
        "Paul Peter Philip Rachel Rebecca Rhian Rhiannon Rhodri Rhys Richard Robert Ryan Samantha Samuel Sandra Sara "
        "Sarah Scott Sean Seren Shaun Sharon Sian Siân Simon Sioned Sophie Stephen Steven Stuart Susan Tanya Tegan "
        "Thomas Tom Tomos Tracey Tyler Vanessa Victoria Wayne William Zoe Zara Fatima Priya Ravi Sanjay Tomasz Piotr "
        "Katarzyna Agnieszka Oluwaseun Chidi Kwame Amara Yusuf Omar Hassan Ali Layla Noor Mei Wei"
    )
)
_WELSH_WORDS = frozenset(
    _words(
        "Bwrdd Diogelu Rhanbarthol Caerdydd Fro Gogledd Cymru Iechyd Adolygiad Adolygiadau Arolygiaeth Gofal Ysbyty "
        "Gwasanaethau Gwasanaeth Cyngor Sir Plant Oedolion Unedig Sengl Canolbarth Gorllewin Morgannwg Heddlu Dyfed "
        "Llywodraeth Tros Gynnal Ymarfer Dynladdiad Domestig Iechyd Meddwl Cenedlaethol Prifysgol Addysg Bwrdd Ysgol "
        "Gynradd Uwchradd Gyfun Coleg Canolfan Cymdeithasol Teulu Teuluoedd Diogel Hafan Cymorth Cyswllt Lles Gwent "
        "Taf Cwm Ynys Môn Gwynedd Powys Ceredigion Cymraeg Gymraeg Dwyrain Trefnydd Cynllun Gweithredu"
    )
)
_STOP = frozenset(
    _words(
        "The A An This That These Those He She They His Her Their It Its We Our In On At Of For From To By With And "
        "Or But If When While After Before During Between Following Since Until As Although Because However Where "
        "Which Who What How Why Then Also Both Each Every All No Not Nor Mr Mrs Ms Miss Dr Child Adult Baby Mother "
        "Father Sibling Brother Sister Partner Grandmother Grandfather Aunt Uncle Person Young Subject Practitioner "
        "Panel Board Council Police Service Services Health Team Unit Court Act Review Report Practice Social Care "
        "Safeguarding Wales Welsh Government Home Office National Regional University Hospital Trust Centre Group "
        "Chapter Appendix Section Recommendation Recommendations Action Plan January February March April May June "
        "July August September October November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
        "Christmas Easter Street Road Avenue Lane Close Drive"
    )
)


@dataclass(frozen=True)
class Finding:
    """One likely identifying detail."""

    kind: str
    text: str
    start: int
    end: int
    page: int | None
    reason: str


@dataclass(frozen=True)
class AnonymisationReport:
    """Everything the check found in one file."""

    source: str
    findings: tuple[Finding, ...]
    pseudonyms: tuple[str, ...]
    model: str | None

    def counts(self) -> dict[str, int]:
        """Findings per kind (every kind listed, zero included)."""
        return {k: sum(1 for f in self.findings if f.kind == k) for k in KINDS}

    def as_json(self) -> dict[str, Any]:
        """The public JSON form."""
        return {
            "source": self.source,
            "ok": not self.findings,
            "counts": self.counts(),
            "pseudonyms": list(self.pseudonyms),
            "model": self.model,
            "findings": [asdict(f) for f in self.findings],
        }


@cache
def _nlp() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@cache
def _model() -> tuple[str, Any] | None:
    import importlib.util

    for name in OPTIONAL_MODELS:
        if importlib.util.find_spec(name) is not None:
            try:
                import spacy

                return name, spacy.load(name, disable=["lemmatizer"])
            except Exception:  # a broken optional model is ignored, never fatal
                continue
    return None


@cache
def english_words() -> frozenset[str]:
    """Lower-case English words: WordNet lemmas and their inflected forms (from spacy-lookups-data)."""
    import spacy_lookups_data

    folder = Path(spacy_lookups_data.__file__).parent / "data"
    with gzip.open(folder / "en_lemma_index.json.gz", "rt", encoding="utf-8") as fh:
        index: dict[str, list[str]] = json.load(fh)
    with gzip.open(folder / "en_lemma_lookup.json.gz", "rt", encoding="utf-8") as fh:
        inflected: dict[str, str] = json.load(fh)
    return frozenset({w for words in index.values() for w in words if "_" not in w} | set(inflected))


@cache
def _places() -> frozenset[str]:
    from ingest.gazetteer import BOARDS

    words = {w for b in BOARDS for la in b.local_authorities for w in la.split()}
    return frozenset(words | set(_TOWNS))


@cache
def _agency_pattern() -> re.Pattern[str]:
    from ingest.gazetteer import AGENCIES, BOARDS

    parts = [p for a in AGENCIES for p in a.patterns] + [p for b in BOARDS for p in b.names]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, sentence)`` for every sentence of every line of ``text``."""
    lines = [(m.start(), m.group()) for m in re.finditer(r"[^\n]+", text)]
    for (offset, _line), doc in zip(lines, _nlp().pipe(line for _o, line in lines), strict=True):
        for sent in doc.sents:
            yield offset + sent.start_char, sent.text


def declared_pseudonyms(text: str) -> set[str]:
    """Single names the report itself introduces as pseudonyms (quoted, or in a sentence about pseudonyms)."""
    found: set[str] = set()
    first_names = set(_FIRST_NAMES)
    for _offset, sentence in _sentences(text):
        if not PSEUDONYM_CUE.search(sentence):
            continue
        found.update(QUOTED.findall(sentence))
        for word in re.findall(rf"(?<![\w'’-]){_NAME}", sentence):
            if word in first_names or word.lower() not in english_words() and word not in _STOP:
                found.add(word)
    return found - _STOP - set(_WELSH_WORDS)


def _function_word(word: str) -> bool:
    from spacy.lang.en.stop_words import STOP_WORDS

    return word in _STOP or word.lower() in STOP_WORDS


def _leading_word(words: list[str]) -> bool:
    """True when the first capitalised word is not part of the name ("Neither Kuba", "Later Gareth")."""
    return _function_word(words[0]) or (words[0].lower() in english_words() and words[1] in _FIRST_NAMES)


def _name_reason(words: list[str], titled: bool, pseudonyms: set[str], lower: frozenset[str]) -> str | None:
    """Why ``words`` look like a real person's name (``lower``: words the document uses in lower case)."""
    names = [w for w in words if w not in pseudonyms]
    if len(names) < len(words) and all(w.lower() in english_words() or _function_word(w) for w in names):
        return None
    if not names or any(w in _STOP or w in _WELSH_WORDS or w in _places() for w in words[1:] if not titled):
        return None
    if titled:
        if len(words[-1]) > 1 and words[-1] not in _STOP:
            return "a title followed by a surname (pseudonyms use one letter, as in 'Mr N')"
        return None
    if len(words) >= 2 and words[0] in _FIRST_NAMES and words[0] not in pseudonyms:
        return "a first name followed by a surname"
    english = english_words()
    if (
        len(words) >= 2
        and not any(w.lower() in lower or w in _STOP or w in _WELSH_WORDS or w in _places() for w in words)
        and not all(w.lower() in english for w in words)
    ):
        return "capitalised words the report never uses in lower case, not places or agencies"
    if len(words) == 1 and words[0] in _FIRST_NAMES and words[0].lower() not in english:
        return "a first name the report does not introduce as a pseudonym"
    return None


def _names(
    offset: int, sentence: str, pseudonyms: set[str], masked: list[tuple[int, int]], lower: frozenset[str]
) -> list[Finding]:
    out = []
    for m in NAME_RUN.finditer(sentence):
        start, end = offset + m.start(), offset + m.end()
        if any(a < end and start < b for a, b in masked) or re.match(r"['’]s (?:Law|Syndrome)", sentence[m.end() :]):
            continue
        span = m.group()
        titled = bool(TITLED.match(span))
        words = re.findall(_NAME, TITLED.sub("", span))
        while len(words) > 1 and not titled and words[0] not in _FIRST_NAMES and _leading_word(words):
            cut = span.index(words[1], len(words[0]))
            span, start, words = span[cut:], start + cut, words[1:]
        reason = _name_reason(words, titled, pseudonyms, lower)
        if reason:
            out.append(Finding("person_name", span, start, end, None, reason))
    return out


def _nhs_valid(digits: str) -> bool:
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    return check != 10 and (0 if check == 11 else check) == int(digits[9])


def _phone_valid(raw: str) -> bool:
    digits = re.sub(r"\D", "", raw)
    national = digits[2:] if digits.startswith("44") else digits[4:] if digits.startswith("0044") else digits[1:]
    national = national[1:] if national.startswith("0") and raw.lstrip().startswith(("+", "00")) else national
    return len(national) in (9, 10) and national[0] in "1235789"


def _patterns(text: str) -> list[Finding]:
    out = []
    for m in DATE.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        dob = BIRTH_CUE.search(before) is not None
        kind, reason = (
            ("date_of_birth", "a full date next to words about birth")
            if dob
            else ("full_date", "a full date (day, month and year)")
        )
        out.append(Finding(kind, m.group(), m.start(), m.end(), None, reason))
    for m in EMAIL.finditer(text):
        out.append(Finding("email", m.group(), m.start(), m.end(), None, "an email address"))
    nhs_spans = []
    for m in NHS.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        cue = NHS_CUE.search(text[max(0, m.start() - 20) : m.start()]) is not None
        if cue or (digits[0] != "0" and _nhs_valid(digits)):
            nhs_spans.append((m.start(), m.end()))
            why = "a number labelled as an NHS number" if cue else "a ten-digit number with a valid NHS check digit"
            out.append(Finding("nhs_number", m.group(), m.start(), m.end(), None, why))
    for m in PHONE.finditer(text):
        if _phone_valid(m.group()) and not any(a <= m.start() < b for a, b in nhs_spans):
            out.append(Finding("phone", m.group().strip(), m.start(), m.end(), None, "a UK telephone number"))
    for m in POSTCODE.finditer(text):
        out.append(Finding("postcode", m.group(), m.start(), m.end(), None, "a UK postcode"))
    for m in ADDRESS.finditer(text):
        out.append(Finding("address", m.group(), m.start(), m.end(), None, "a street address"))
    for m in SCHOOL.finditer(text):
        words = m.group().split()
        named = [w for w in words if w not in _GENERIC_SCHOOL and w not in ("Ysgol", "Coleg", "Y", "Yr", "y", "yr")]
        if named and not (words[0] in ("Ysgol", "Coleg") and all(w in _WELSH_WORDS for w in named)):
            start = m.start() + m.group().index(named[0]) if words[0] not in ("Ysgol", "Coleg") else m.start()
            out.append(Finding("school", text[start : m.end()], start, m.end(), None, "a named school or college"))
    return out


def _rare(offset: int, sentence: str) -> Finding | None:
    from ingest.metadata import AGE_EXPRESSION

    age, event = AGE_EXPRESSION.search(sentence), EVENT.search(sentence)
    if not age or not event:
        return None
    places = _places()
    place = next((w for w in re.findall(r"[A-Z][\w'’-]+", sentence) if w in places), None)
    if place is None:
        for m in PLACE_AFTER.finditer(sentence):
            words = m.group(1).split()
            if not any(w in _STOP or w.lower() in english_words() for w in words):
                place = m.group(1)
                break
    if place is None:
        return None
    reason = f"age ({age.group().strip()}), place ({place}) and event ({event.group()}) in one sentence"
    return Finding("rare_combination", sentence, offset, offset + len(sentence), None, reason)


def check_text(text: str, *, use_model: bool = True) -> tuple[list[Finding], set[str], str | None]:
    """Findings in ``text`` (pages unset), the pseudonyms it declares, and the optional model used."""
    pseudonyms = declared_pseudonyms(text)
    masked = [(m.start(), m.end()) for m in _agency_pattern().finditer(text)]
    findings = _patterns(text)
    prose = EMAIL.sub(" ", re.sub(r"\b(?:https?://|www\.)\S+", " ", text))
    lower = frozenset(re.findall(r"(?<![\w'’-])[a-zß-öø-ÿŵŷ][\w'’-]*", prose))
    masked += [(f.start, f.end) for f in findings if f.kind in ("school", "address")]
    for offset, sentence in _sentences(text):
        findings += _names(offset, sentence, pseudonyms, masked, lower)
        rare = _rare(offset, sentence)
        if rare:
            findings.append(rare)
    loaded = _model() if use_model else None
    if loaded is not None:
        name, nlp = loaded
        seen = {(f.start, f.end) for f in findings if f.kind == "person_name"}
        for ent in nlp(text).ents:
            words = re.findall(_NAME, ent.text)
            overlaps = any(a < ent.end_char and ent.start_char < b for a, b in seen)
            if ent.label_ != "PERSON" or not words or overlaps or set(words) <= pseudonyms:
                continue
            if not any(w in _STOP for w in words):
                why = f"a person's name according to {name}"
                findings.append(Finding("person_name", ent.text, ent.start_char, ent.end_char, None, why))
    findings.sort(key=lambda f: (f.start, f.end, f.kind))
    return findings, pseudonyms, loaded[0] if loaded else None


def _page_lookup(parsed: ParsedReview) -> tuple[list[int], list[int | None]]:
    marks = {(p.char_start, p.page) for p in parsed.passages} | {(s.char_start, s.page) for s in parsed.sections}
    spans = sorted(marks, key=lambda x: x[0])
    return [s for s, _ in spans], [p for _, p in spans]


def check_parsed(parsed: ParsedReview, *, use_model: bool = True) -> AnonymisationReport:
    """Check a parsed review; each finding carries the page of the passage it falls in (PDF only)."""
    findings, pseudonyms, model = check_text(parsed.text, use_model=use_model)
    starts, pages = _page_lookup(parsed)
    placed = []
    for f in findings:
        i = bisect.bisect_right(starts, f.start) - 1
        placed.append(Finding(f.kind, f.text, f.start, f.end, pages[i] if i >= 0 else None, f.reason))
    return AnonymisationReport(parsed.source_path, tuple(placed), tuple(sorted(pseudonyms)), model)


def check_file(path: Path, *, limits: Any = None, use_model: bool = True) -> AnonymisationReport:
    """Parse ``path`` with ingest (raises ``IngestError``) and check it."""
    from ingest.limits import DEFAULT_LIMITS
    from ingest.pipeline import parse_file

    return check_parsed(parse_file(path, limits=limits or DEFAULT_LIMITS), use_model=use_model)
