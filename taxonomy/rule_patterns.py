"""Token patterns for the rule tagger: a few per-standard patterns and the negation cues.

Lemmas are lower case (see :mod:`taxonomy.nlp`). Negation patterns are named ``pre`` (cue before
the phrase it negates), ``post`` (after it: "... was not a factor") or ``short`` (a bare "not"/"never"
directly before an event verb such as "went missing").
"""

from __future__ import annotations

from typing import Any

Pattern = list[dict[str, Any]]

_NUMBER: dict[str, Any] = {"LIKE_NUM": True}
_PERIOD: dict[str, Any] = {"LEMMA": {"IN": ["day", "week", "month", "year"]}}

STANDARD_PATTERNS: dict[str, list[tuple[str, Pattern, float]]] = {
    "S02": [
        ("child not spoken to", [{"LEMMA": {"IN": ["child", "boy", "girl", "children"]}},
                                 {"LEMMA": "be"}, {"LOWER": {"IN": ["not", "never"]}},
                                 {"LEMMA": {"IN": ["speak", "ask", "hear", "listen"]}}], 1.0),
        ("views not sought", [{"LEMMA": {"IN": ["view", "wish", "voice"]}}, {"OP": "{0,3}"},
                              {"LEMMA": "be"}, {"LOWER": {"IN": ["not", "never"]}},
                              {"LEMMA": {"IN": ["seek", "record", "hear", "explore", "consider"]}}], 1.0),
    ],
    "S04": [
        ("information not shared", [{"LEMMA": {"IN": ["information", "concern", "intelligence"]}},
                                    {"OP": "{0,3}"}, {"LEMMA": "be"}, {"LOWER": {"IN": ["not", "never"]}},
                                    {"LEMMA": {"IN": ["share", "pass"]}}], 1.0),
        ("share with agency", [{"LEMMA": "share"}, {"OP": "{0,4}"}, {"LOWER": "with"},
                               {"OP": "{0,2}"}, {"LEMMA": {"IN": ["police", "school", "agency", "gp",
                                                               "service", "partner"]}}], 0.85),
    ],
    "S10": [
        ("meet threshold", [{"LEMMA": "meet"}, {"LOWER": {"IN": ["the", "a"]}, "OP": "?"},
                            {"LOWER": {"IN": ["threshold", "thresholds", "criteria", "criterion"]}}], 1.0),
    ],
    "S12": [
        ("adult she trusted", [{"LEMMA": {"IN": ["adult", "person", "teacher", "worker", "one"]}},
                               {"LOWER": {"IN": ["she", "he", "they", "whom", "who"]}},
                               {"LEMMA": "trust"}], 1.0),
    ],
    "S13": [
        ("waited n weeks", [{"LEMMA": "wait"}, {"OP": "{0,2}"}, _NUMBER, _PERIOD], 1.0),
        ("n weeks delay", [_NUMBER, _PERIOD, {"LOWER": {"IN": ["'s", "\u2019s"]}, "OP": "?"},
                           {"LEMMA": {"IN": ["delay", "wait"]}}], 1.0),
        ("took n weeks", [{"LEMMA": "take"}, _NUMBER, _PERIOD], 0.85),
    ],
    "S16": [
        ("child not seen", [{"LEMMA": {"IN": ["child", "baby", "boy", "girl", "children", "sibling"]}},
                            {"OP": "{0,2}"}, {"LEMMA": "be"}, {"LOWER": {"IN": ["not", "never"]}},
                            {"LEMMA": "see"}], 1.0),
        ("unexplained injury", [{"LOWER": {"IN": ["unexplained", "non-accidental", "suspicious"]}},
                                {"LEMMA": {"IN": ["injury", "bruise", "bruising", "mark", "fracture"]}}],
         1.0),
    ],
    "S17": [
        ("placement moves", [{"LEMMA": "placement"}, {"LEMMA": {"IN": ["move", "breakdown", "change",
                                                                       "disruption"]}}], 1.0),
    ],
    "S18": [
        ("reported missing", [{"LEMMA": "report"}, {"LOWER": "as", "OP": "?"}, {"LOWER": "missing"}], 1.0),
        ("missing from", [{"LOWER": "missing"}, {"LOWER": "from"},
                          {"LOWER": {"IN": ["home", "care", "placement", "school", "her", "his", "their"]}}],
         1.0),
        ("n missing episodes", [{"LOWER": {"IN": ["missing", "absent"]}},
                                {"LEMMA": {"IN": ["episode", "incident", "occasion", "report"]}}], 1.0),
    ],
    "S20": [
        ("discussed in supervision", [{"LEMMA": {"IN": ["discuss", "raise", "review"]}}, {"LOWER": "in"},
                                      {"LOWER": {"IN": ["supervision", "supervisions"]}}], 1.0),
    ],
    "S23": [
        ("not informed", [{"LEMMA": "be"}, {"LOWER": {"IN": ["not", "never"]}},
                          {"LEMMA": {"IN": ["invite", "inform", "tell", "notify", "record", "copy"]}}], 0.85),
    ],
    "S24": [
        ("high caseload", [{"LOWER": {"IN": ["high", "heavy", "large", "excessive", "unmanageable",
                                            "significant"]}},
                           {"LEMMA": {"IN": ["caseload", "workload", "demand"]}}], 1.0),
    ],
    "S25": [
        ("no management oversight", [{"LOWER": {"IN": ["no", "little", "limited", "insufficient"]}},
                                     {"LOWER": {"IN": ["management", "managerial"]}, "OP": "?"},
                                     {"LEMMA": "oversight"}], 1.0),
    ],
}

EVENT_LEMMAS = frozenset({"go", "run", "abscond", "report", "disclose", "confide", "fail"})
"""First lemmas of cues that a bare "not"/"never" directly in front of negates ("never went missing")."""

SCOPE_BREAKERS = frozenset({"but", "however", "although", "though", "yet", "whereas", ";", "despite"})

_EVIDENCE_NOUNS = [
    "evidence", "indication", "indications", "suggestion", "sign", "signs", "concern", "concerns",
    "history", "reports", "report", "previous", "apparent",
]

NEGATION_PATTERNS: list[tuple[str, Pattern]] = [
    ("pre", [{"LOWER": {"IN": ["no", "nor"]}}, {"LOWER": {"IN": _EVIDENCE_NOUNS}}]),
    ("pre", [{"LOWER": "no"}, {"LOWER": {"IN": ["safeguarding", "child", "welfare"]}},
             {"LOWER": {"IN": ["concern", "concerns", "issues"]}}]),
    ("pre", [{"LOWER": "nothing"}, {"LOWER": "to"}, {"LOWER": {"IN": ["suggest", "indicate", "show"]}}]),
    ("pre", [{"LOWER": {"IN": ["without", "nor"]}}, {"LOWER": "any"},
             {"LOWER": {"IN": ["evidence", "indication", "concern", "concerns", "suggestion"]}}]),
    ("pre", [{"LOWER": "ruled"}, {"LOWER": "out"}]),
    ("pre", [{"LOWER": "not"}, {"LOWER": {"IN": ["known", "believed", "thought", "considered"]}},
             {"LOWER": "to"}]),
    ("pre", [{"LOWER": {"IN": ["never", "not"]}}, {"LOWER": "been"},
             {"LOWER": {"IN": ["reported", "known"]}}]),
    ("pre", [{"LOWER": "there"}, {"LEMMA": "be"}, {"LOWER": "nothing"}]),
    ("post", [{"LEMMA": "be"}, {"LOWER": {"IN": ["not", "never"]}}, {"LOWER": {"IN": ["a", "an"]}, "OP": "?"},
              {"LOWER": {"IN": ["factor", "feature", "issue", "concern", "relevant", "applicable", "present",
                                "identified", "raised", "suspected"]}}]),
    ("post", [{"LOWER": {"IN": ["did", "does"]}}, {"LOWER": "not"},
              {"LOWER": {"IN": ["feature", "arise", "apply"]}}]),
    ("short", [{"LOWER": {"IN": ["not", "never", "n't"]}}]),
]
