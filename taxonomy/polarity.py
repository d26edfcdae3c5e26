"""Polarity of a finding: shortfall, good practice, recommendation or neutral."""

from __future__ import annotations

import re

from taxonomy.models import Polarity

SECTION_POLARITY: dict[str, Polarity] = {
    "recommendations": "recommendation",
    "action_plan": "recommendation",
    "good_practice": "good_practice",
}
"""Section kinds (``ingest.models.SECTION_KINDS``) that fix the polarity of what they contain."""


def _words(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


_RECOMMENDATION = _words(
    r"recommend(?:s|ed|ation)?",
    r"should (?!have\b|not have\b)\w+",
    r"must (?:ensure|review|develop|consider|be)",
    r"is asked to",
    r"are asked to",
    r"(?:needs?|is|are) to ensure",
    r"to (?:seek|provide) assurance",
    r"learning point",
)
_SHORTFALL = _words(
    r"failed to", r"failure to", r"fail(?:s|ed)?", r"was not", r"were not", r"wasn't", r"weren't",
    r"did not", r"didn't", r"had not", r"has not", r"have not", r"could not", r"missed",
    r"lack(?:ed|ing)?(?: of)?", r"absence of", r"absent", r"no(?:t)? (?:evidence|record|consideration)",
    r"never", r"should have", r"could have", r"would have", r"inadequate", r"insufficient", r"poor(?:ly)?",
    r"limited", r"unclear", r"delay(?:s|ed)?", r"drift", r"gaps?",
    r"not (?:seen|shared|recorded|invited|told)", r"without", r"overlooked", r"not followed", r"not been",
    r"concern(?:s|ing)? (?:that|about the (?:lack|absence))",
    r"lost", r"too late", r"reluctan(?:t|ce)", r"no(?! (?:concerns?|further|longer|doubt)\b)",
    r"high case(?:load)?s?", r"under pressure", r"unallocated", r"not (?:always|consistently)",
)
_GOOD = _words(
    r"good practice", r"commended", r"commend(?:s|able)?", r"effective(?:ly)?", r"positive(?:ly)?",
    r"praised", r"excellent", r"exemplary", r"thorough(?:ly)?", r"timely", r"prompt(?:ly)?",
    r"proactive(?:ly)?",
    r"appropriate(?:ly)?", r"well[- ]planned", r"worked well", r"strong", r"notable", r"tenacious",
    r"demonstrated", r"helpful", r"good", r"(?<!as )well(?! as)", r"went beyond",
    r"sensitive(?:ly)?", r"skilful(?:ly)?", r"creative(?:ly)?",
)


def classify_polarity(text: str, section_kind: str | None = None) -> Polarity:
    """Polarity of a sentence or passage from its section kind, then cue words.

    Recommendations and good-practice sections decide outright; otherwise recommendation wording
    wins, then the larger count of shortfall or positive cues (ties go to shortfall); no cue is
    neutral.
    """
    if section_kind in SECTION_POLARITY:
        return SECTION_POLARITY[section_kind]
    if _RECOMMENDATION.search(text):
        return "recommendation"
    negative = len(_SHORTFALL.findall(text))
    positive = len(_GOOD.findall(text))
    if negative == 0 and positive == 0:
        return "neutral"
    return "good_practice" if positive > negative else "shortfall"
