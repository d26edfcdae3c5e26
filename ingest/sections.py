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
from functools import cache, lru_cache

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

CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("good_practice", r"\b(?:went|worked|done) well\b|\bwhat (?:worked|helped)\b|"
                          r"\b(?:good|notable|positive|effective|promising) practice\b|\bstrengths\b|"
                          r"\bpractice to build on\b|\bwhere practice was\b|"
                          r"\bpractice was (?:strong|good|effective)\b"),
        ("action_plan", r"\baction plan|\bmaking (?:it|this) happen\b|\bputting (?:it|this) right\b|"
                        r"\btracking (?:our |the )?(?:progress|changes?)\b|"
                        r"\bdelivering (?:the )?(?:changes?|improvements?)\b"),
        ("terms_of_reference", r"\bscope\b|\bquestions? (?:we|the review|the panel) (?:looked at|asked|considered)\b|"
                               r"\bkey lines of enquiry\b|\bperiod (?:under review|covered|we looked at)\b|"
                               r"\bwhat (?:we|i|the review|the panel) (?:looked at|covered)\b(?! and how)|"
                               r"\b(?:asked|agreed) to (?:look at|consider)\b|\bset out to\b"),
        ("recommendations", r"\brecommend(?:ations?|ing|s|ed)?\b|\bask(?:s|ed|ing)? (?:\w+ ){0,3}to do\b|"
                            r"\bmaking things better\b|"
                            r"\bwhat (?:we|the review|the panel|i) (?:are |is |am )?asking\b|"
                            r"\bneeds? to (?:change|happen)\b|\bnext steps\b|\bimproving\b|"
                            r"\bwhat (?:must|should|will) (?:change|happen)\b|\bchanges? (?:needed|required)\b"),
        ("statements", r"\bstatements?\b|\ba word from the (?:reviewer|chair|author)s?\b"),
        ("family_involvement", r"\bfamily\b|\bfamilies\b|\bwho (?:was|is)\b|\bstory\b|\bremembering\b|"
                               r"\bin (?:his|her|their) own words\b|\bpen portrait\b|\btribute\b|\bin memory\b|"
                               r"\bwho loved\b|"
                               r"\blistening to (?:\w+ ){0,3}(?:mother|father|parents?|brother|sister|son|daughter|"
                               r"partner|wife|husband|grandmother|grandfather|relatives?)\b|"
                               r"^about (?!this\b|the\b)(?:(?:child|adult|young person|baby|mr|mrs|ms|miss) )?"
                               r"\w+(?: and \w+)?$|^who (?:\w+ ){1,3}(?:was|were|is)$|"
                               r"\bhow (?:\w+ ){1,2}lived\b|\b(?:his|her|their|\w+ s) life\b|"
                               r"^(?:the )?(?:children|siblings|young people)$|\btold us\b"),
        ("methodology", r"^how (?:the |this )?(?:review|we|i)\b(?! came to)|\band how\b|^(?!why\b).*\bcarried out\b|"
                        r"\bconducted\b|\barrangements\b|\bmethod|\bapproach\b|\breview process\b|\bhow we worked\b"),
        ("timeline", r"^what happened\b|\bchronolog|\btimeline\b|\bsequence of events\b|\bkey events\b|"
                     r"\bagency (?:contact|involvement)\b|\bcontact with services\b|"
                     r"\b(?:the )?(?:last|final) (?:\w+ )?(?:days|weeks|months|years?)\b|"
                     r"\baccount of (?:the )?events\b|"
                     r"\bwhat (?:\w+ ){1,2}knew\b|\bsummary of (?:care|contact|contacts|services)\b"),
        ("conclusions", r"\bconclu|\bsumming up\b|\bin summary\b|\bfinal (?:thoughts|word)s?\b|"
                        r"\b(?:bringing|pulling|putting) (?:it|this|everything|things) together\b|"
                        r"\bclosing (?:remarks|comments|thoughts|words)\b"),
        ("practice_learning", r"\bwhat (?:we|the review|the panel|i) (?:learned|learnt)\b|\bcould (?:be|have been) "
                              r"(?:better|done differently)\b|\bdone differently\b|\blearn(?:ing|ed|t|s)?\b|"
                              r"\bwhat (?:this|it|these|that) (?:tells?|told|teach(?:es)?|means?) (?:us|for)\b|"
                              r"\bwhat (?:\w+ ){1,2}(?:can|should) take (?:away )?from\b|\btake-?aways?\b|"
                              r"\blessons?\b|\bthemes?\b|\bwhy (?:this|it) matters\b"),
        ("analysis", r"\bwhat (?:we|the review|the panel|i) found\b|\bfindings?\b|\banalysis\b|\bwhat went wrong\b|"
                     r"\blooking back\b|\bkey issues\b|\bdiscussion\b"),
        ("circumstances", r"^why (?:this|the|we|a)\b|\breasons? for\b|\bintroduction\b|\bbackground\b|\bpurpose\b|"
                          r"\bwhat led\b|\bthe incident\b|^about (?:this|the) (?:review|report)\b|\bcircumstances\b|"
                          r"^how we came to\b|\bcriteria\b"),
        ("panel", r"^who took part\b|\bpanel members?\b|\bpanel membership\b"),
        ("parallel", r"\bother proceedings\b|\bparallel (?:processes|reviews|investigations)\b|\binquest\b|"
                     r"\balongside (?:the|this) review\b|\bcriminal (?:case|proceedings|trial|investigation)\b"),
        ("equality", r"\bequality\b|\bdiversity\b|\bprotected characteristics?\b"),
    )
)
"""Free wordings, by the words a heading uses ("What we learned", "How the review was carried out",
"Jac's story"), tried in this order when no synonym matches exactly. Patterns see the cleaned heading."""

DECISIVE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("timeline", re.compile(r"\bchronolog|\bsummary of agency (?:contact|involvement)\b|\bkey events\b|"
                            r"\bstory in brief\b")),
    ("family_involvement", re.compile(r"\bstatements? (?:from|by) (?:\w+ ){0,3}(?:famil|mother|father|parent|"
                                      r"grandmother|grandfather|sister|brother|son|daughter)|"
                                      r"\bfamil(?:y|ies) s statements?\b")),
)
"""Words that decide a heading that also resembles another template heading: "Background and
chronology" is the chronology, "Statements from Rhys's family" the family's voice."""

EXACT_CONFIDENCE = 1.0
FUZZY_CONFIDENCE = 0.8
CUE_CONFIDENCE = 0.7
INHERITED_FACTOR = 0.9
"""How surely a kind was read: an exact synonym, a fuzzy synonym, a cue phrase; a sub-heading that
inherits its parent's kind keeps this share of the parent's confidence. ``other`` and
``front_matter`` are 0: nothing is known about what they hold."""

_DIVISION_NUMBER = r"(?:[0-9]+|[a-z]|[ivx]+|one|two|three|four|five|six|seven|eight|nine|ten)"
"""How an appendix, chapter or part is numbered: "Part 2", "Part D", "Chapter IV", "Part Three"."""
_PREFIX = re.compile(
    rf"^\s*(?:(?:appendix|annex|annexe|section|chapter|part)\s+{_DIVISION_NUMBER}\b\s*[:.\-–—]?\s*)?"
    r"(?:\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-z]|[ivx]{1,4})[.):]\s+|\d{1,2}(?:\.\d{1,2})*\s+"
    r"|\d{1,2}(?:\.\d{1,2})*[.)](?=[A-Za-z]{2}))?",
    re.IGNORECASE,
)
_LEARNING_PREFIX = re.compile(
    r"^\s*(?:learning\s+point|learning\s+theme|lesson|theme|key\s+finding|finding)\s*\d{1,2}[a-z]?\b\s*[:.\-–—]?\s*",
    re.IGNORECASE,
)
_PARENTHESES = re.compile(r"\([^)]*\)")
_CHAPTER = re.compile(
    r"^\s*chapter\s+(?:\d{1,2}|[ivx]{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve)\b\s*[:.\-–—]?\s+\S",
    re.IGNORECASE,
)
_NUMBERING = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})*)(?:[.)]?\s|[.)](?=[A-Za-z]{2}))")


def clean_heading(heading: str) -> str:
    """Lower-case heading words with numbering, appendix/chapter prefixes and punctuation removed."""
    text = _PREFIX.sub("", heading.strip(), count=1)
    text = re.sub(r"[^\w\s]", " ", text.lower().replace("’", "'"))
    return re.sub(r"\s+", " ", text).strip()


def classify_heading(heading: str) -> str | None:
    """The canonical kind of ``heading``, or None when nothing matches well enough."""
    return classify_with_confidence(heading)[0]


_REVIEW_NAME = re.compile(
    r"\b(?:child|adult|domestic|mental health|offensive weapons?|single unified)\s+"
    r"(?:practice|homicide|safeguarding)\s+review\b|\b(?:cpr|apr|dhr|mhhr|owhr|susr)\b"
)
_TITLE_WORDS = frozenset(
    ("overview", "final", "executive", "report", "the", "of", "into", "a", "an", "concise", "extended", "draft",
     "version")
)


def _is_title_line(heading: str) -> bool:
    """A cover title set as a heading ("Domestic Homicide Review Overview Report"): the name of a
    review type and nothing but title words. It names no section kind."""
    cleaned = clean_heading(heading)
    if not _REVIEW_NAME.search(cleaned):
        return False
    return not set(_REVIEW_NAME.sub(" ", cleaned).split()) - _TITLE_WORDS


@lru_cache(maxsize=4096)
def classify_with_confidence(heading: str) -> tuple[str | None, float]:
    """(kind, confidence) of ``heading``: exact synonym, else a close synonym, else a cue phrase.

    A bracketed aside is ignored first ("Action plan (signed off by the Case Review Group)"). A
    close synonym loses to a cue phrase unless it is nearly exact (free headings such as "The
    review" or "Arrangements for the review" resemble the wrong template heading).
    """
    without_aside = _PARENTHESES.sub(" ", heading)
    for text in dict.fromkeys((without_aside, heading)):
        cleaned = clean_heading(text)
        for kind, variants in SYNONYMS.items():
            if cleaned in variants:
                return kind, EXACT_CONFIDENCE
    if _is_title_line(without_aside):
        return None, 0.0
    cleaned = clean_heading(without_aside)
    for kind, pattern in DECISIVE_CUES:
        if pattern.search(cleaned):
            return kind, CUE_CONFIDENCE
    fuzzy = _classify(without_aside) or (_classify(heading) if without_aside != heading else None)
    cue = cue_kind(without_aside)
    if _PART.match(heading):
        first = _first_named(cleaned)
        if first is not None:
            return first, CUE_CONFIDENCE
    if fuzzy is not None and (cue is None or cue == fuzzy[0] or fuzzy[1] >= 95):
        return fuzzy[0], FUZZY_CONFIDENCE
    if cue is not None:
        return cue, CUE_CONFIDENCE
    return None, 0.0


def cue_kind(heading: str) -> str | None:
    """The kind a free heading's words point to (:data:`CUES`), or None."""
    cleaned = clean_heading(heading)
    for kind, pattern in CUES:
        if pattern.search(cleaned):
            return kind
    return None


def _first_named(cleaned: str) -> str | None:
    """Of two or more kinds a heading's words name, the one named first ("Part D - Conclusions and
    recommendations" is the conclusions part, its recommendations a chapter of it); None when the
    words name fewer than two kinds."""
    named = [(m.end(), order, kind) for order, (kind, pattern) in enumerate(CUES) if (m := pattern.search(cleaned))]
    return min(named)[2] if len({kind for _, _, kind in named}) >= 2 else None


def is_template_heading(text: str) -> bool:
    """True when ``text`` is exactly a known section heading once numbering is removed."""
    return len(text) <= 100 and clean_heading(text) in _VARIANTS


def learning_item_title(heading: str) -> str | None:
    """For "Learning point 3: Title" / "Theme 2 – Title", the title part ("" if none); else None."""
    match = _LEARNING_PREFIX.match(heading)
    return heading[match.end() :].strip() if match else None


def _classify(heading: str) -> tuple[str, float] | None:
    """The closest synonym's kind and score (token-set ratio less penalties), or None below the line.

    Words of the heading that the variant lacks cost 10 each beyond four; content words of the
    variant that the heading lacks cost 20 each ("the review" is not "the review panel").
    """
    cleaned = clean_heading(heading)
    if not cleaned or not tokens(cleaned):
        return None
    heading_tokens = set(tokens(cleaned))
    best: tuple[float, float, str] | None = None
    for kind, variants in SYNONYMS.items():
        for variant in variants:
            score = token_set_ratio(cleaned, variant, MATCH_THRESHOLD)
            if score < MATCH_THRESHOLD:
                continue
            variant_tokens = set(tokens(variant))
            extra = len(heading_tokens - variant_tokens)
            missing = len({t for t in variant_tokens - heading_tokens if t not in _FUNCTION_WORDS})
            score -= 10 * max(0, extra - 4) + 20 * missing
            if score < MATCH_THRESHOLD:
                continue
            candidate = (score, ratio(cleaned, variant), kind)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return (best[2], best[0]) if best else None


_FUNCTION_WORDS = frozenset({"the", "of", "and", "a", "an", "to", "in", "for", "by", "on", "from", "with", "s"})


_LEARNING_POINT = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?(?:learning\s+point|learning\s+theme|lesson)\b",
                             re.IGNORECASE)
_LEARNING_ITEM_KINDS = frozenset({"good_practice", "recommendations", "analysis", "practice_learning"})
"""Kinds a numbered learning item takes from its own title or its parent; otherwise it is a learning point."""


def numbering_depth(heading: str) -> int | None:
    """Depth from a heading's printed number: "3" -> 1, "3.2" -> 2, "Chapter 6: Findings" -> 1, none -> None."""
    match = _NUMBERING.match(heading)
    if match:
        return match.group(1).count(".") + 1
    return 1 if _CHAPTER.match(heading) else None


_ANALYTIC_KINDS = frozenset({"analysis", "practice_learning"})
_DESCRIPTIVE_KINDS = frozenset({"family_involvement", "circumstances", "timeline", "methodology", "panel",
                                "terms_of_reference", "parallel", "equality"})
"""A sub-heading inside the findings or the learning that names a descriptive topic ("Family
involvement", "Background") is part of that analysis; good practice, conclusions and
recommendations under it keep their own kind."""


_PERSON = (r"(?:(?:Child|Adult|Young Person|Baby|Mr|Mrs|Ms|Miss|Mx)\s+[A-Z]\b|"
           r"[A-ZÀ-Ý][a-zà-ÿ'’]{2,20})")
_PERSON_HEADING = re.compile(rf"^(?P<names>{_PERSON}(?:\s*(?:,|and|&)\s*{_PERSON})*)[\s.:]*$")
MIN_NAME_MENTIONS = 2
"""A name-only heading is a pen portrait when each name recurs this often inside sentences."""


def names_a_person(heading: str, body: str) -> bool:
    """True when ``heading`` is nothing but a person's pseudonym(s) ("Chapter 4 - Tomos", "Part 2:
    Carys and Gwyn", "CHILD D") and each name recurs mid-sentence in ``body``, after a lower-case
    word, so a generic one-word heading ("Contents", "Preface") is not taken for a name."""
    text = _PREFIX.sub("", heading.strip(), count=1).strip(" -–—:")
    if text.isupper():
        text = re.sub(r"[A-Z]{2,}", lambda m: m.group(0).title(), text)
    match = _PERSON_HEADING.match(text)
    if not match:
        return False
    names = re.findall(_PERSON, match.group("names"))
    return all(
        len(re.findall(rf"\b[a-z]+[ \t]+{re.escape(name)}\b", body)) >= MIN_NAME_MENTIONS for name in names
    )


def split_sections(doc: NormalisedDocument) -> list[Section]:
    """Cut the normalised document into sections at its headings, in order."""
    headings = [i for i, b in enumerate(doc.blocks) if b.kind == "heading"]
    if not doc.blocks:
        return []
    levels = {i: _level(doc.blocks[i].level, doc.blocks[i].text) for i in headings}
    title_index = _title_index(headings, levels)
    starts: list[tuple[int, str, str, int, float]] = []  # (block index, kind, heading, level, confidence)
    if not headings or headings[0] > 0 or title_index is not None:
        first_heading = doc.blocks[title_index].text if title_index is not None else ""
        starts.append((0, "front_matter", first_heading, 0, 0.0))
    stack: list[tuple[int, str, float]] = []  # (level, kind, confidence) of enclosing headings

    @cache
    def body_text() -> str:
        return "\n".join(b.text for b in doc.blocks if b.kind != "heading")

    for i in headings:
        if i == title_index:
            continue
        block = doc.blocks[i]
        level = levels[i]
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = (stack[-1][1], stack[-1][2] * INHERITED_FACTOR) if stack else None
        title = learning_item_title(block.text)
        if title is not None:  # a numbered learning item: its own title decides, else its parent, else learning
            own, own_confidence = classify_with_confidence(title) if title else (None, 0.0)
            if _LEARNING_POINT.match(block.text) and not (parent and parent[0] == "good_practice"):
                # a learning point is learning, "Learning point 4: Effective practice" included
                kind, confidence = "practice_learning", EXACT_CONFIDENCE
            elif own in _LEARNING_ITEM_KINDS:
                kind, confidence = own, own_confidence
            elif parent is not None and parent[0] in _LEARNING_ITEM_KINDS:
                kind, confidence = parent
            else:
                kind, confidence = "practice_learning", EXACT_CONFIDENCE
        else:
            found, confidence = classify_with_confidence(block.text)
            if found in _DESCRIPTIVE_KINDS and parent is not None and parent[0] in _ANALYTIC_KINDS:
                kind, confidence = parent  # "5.2 Family involvement" inside the findings is a finding
            elif found is not None:
                kind = found
            elif names_a_person(block.text, body_text()):  # "Chapter 4 - Tomos", a pen portrait
                kind, confidence = "family_involvement", CUE_CONFIDENCE
            else:
                kind, confidence = parent if parent and parent[0] != "front_matter" else ("other", 0.0)
        stack.append((level, kind, confidence))
        starts.append((i, kind, block.text, level, confidence if kind != "other" else 0.0))
    starts = _learning_before_recommendations(starts)
    sections: list[Section] = []
    for n, (index, kind, heading, level, confidence) in enumerate(starts):
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
                kind_confidence=round(confidence, 3),
            )
        )
    return sections


_Start = tuple[int, str, str, int, float]  # (block index, kind, heading, level, confidence)
_NAMES_RECOMMENDATIONS = re.compile(r"\brecommend")
_NAMES_LEARNING = re.compile(r"\blearn")
_PART = re.compile(rf"^\s*part\s+{_DIVISION_NUMBER}\b", re.IGNORECASE)


def _learning_before_recommendations(starts: list[_Start]) -> list[_Start]:
    """A review has one recommendations section; a heading read as recommendations only loosely is
    the learning that leads to them when the recommendations come after it.

    "What needs to change in practice" followed by a sibling "What we are asking agencies to do",
    and "Part D: Learning and recommendations" holding its own "D2 Recommendations", are learning.
    A heading that says "recommend" or is a template heading ("Improving systems and practice")
    keeps its kind.
    """
    settled = list(starts)
    for n, (index, kind, heading, level, confidence) in enumerate(starts):
        if kind != "recommendations" or confidence >= EXACT_CONFIDENCE or classify_heading(heading) != kind:
            continue  # read from the template, or inherited from a parent ("For the Board" under "What should change")
        cleaned = clean_heading(heading)
        names_recommendations = bool(_NAMES_RECOMMENDATIONS.search(cleaned))
        if names_recommendations and not _NAMES_LEARNING.search(cleaned):
            continue
        if _PART.match(heading) and not names_recommendations:
            continue  # "Part C - What must change": a part holds its chapters, whatever level they print at
        later = starts[n + 1 :]
        if names_recommendations:  # "Learning and recommendations": its recommendations must lie inside it
            inside = next((m for m, start in enumerate(later) if start[3] <= level), len(later))
            flip = any(start[1] == "recommendations" for start in later[:inside])
        else:  # "What needs to change": recommendations follow at its own level or above
            flip = any(start[1] == "recommendations" and start[3] <= level for start in later)
        if flip:
            settled[n] = (index, "practice_learning", heading, level, CUE_CONFIDENCE)
    return settled


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
