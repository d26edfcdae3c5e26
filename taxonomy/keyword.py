"""The comparison baseline: case-insensitive substring matching of titles and literal cue phrases."""

from __future__ import annotations

import re

import numpy as np

from taxonomy.models import Suggestion, TagInput
from taxonomy.scoring import BatchScores, SuggestionBuilder
from taxonomy.sentences import sentence_spans
from taxonomy.standards import Taxonomy, load_taxonomy

LITERAL_CUES = 8
"""How many of each standard's cue phrases (listed most literal first) the baseline uses."""


def _title_terms(title: str) -> list[str]:
    """The title and its main clause (before a dash, bracket or comma), lower-cased."""
    main = re.split(r"\s[–-]\s|\s\(|,", title)[0]
    return sorted({title.lower(), main.lower().strip()})


class KeywordTagger:
    """Suggests a standard when any of its title terms or first cue phrases occurs in the passage.

    No negation, no lemmas: the deliberately naive baseline. Upper-case acronyms ("IPA", "CSE")
    are matched case-sensitively on word boundaries; everything else as a lower-case substring.
    """

    name = "keyword"

    def __init__(self, taxonomy: Taxonomy | None = None, literal_cues: int = LITERAL_CUES) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self._substrings: list[list[str]] = []
        self._acronyms: list[re.Pattern[str] | None] = []
        for s in self.taxonomy.standards:
            cues = list(s.cue_phrases[:literal_cues])
            acronyms = [c for c in cues if c.isupper()]
            self._substrings.append(_title_terms(s.title) + [c.lower() for c in cues if not c.isupper()])
            pattern = r"\b(?:" + "|".join(map(re.escape, acronyms)) + r")\b"
            self._acronyms.append(re.compile(pattern) if acronyms else None)
        self._builder = SuggestionBuilder(self.taxonomy, self.name)

    def score(self, items: list[TagInput]) -> BatchScores:
        """Score = 0.5 for one distinct term, rising towards 1 with more distinct terms."""
        k = len(self.taxonomy.standards)
        scores = np.zeros((len(items), k))
        evidence: dict[tuple[int, int], tuple[int, int]] = {}
        for i, item in enumerate(items):
            lower = item.text.lower()
            spans: list[tuple[int, int]] | None = None
            for j in range(k):
                positions = [lower.find(t) for t in self._substrings[j]]
                hits = [p for p in positions if p >= 0]
                pattern = self._acronyms[j]
                if pattern is not None:
                    hits += [m.start() for m in pattern.finditer(item.text)]
                if not hits:
                    continue
                scores[i, j] = 1.0 - 0.5 ** len(hits)
                if spans is None:
                    spans = sentence_spans(item.text)
                first = min(hits)
                evidence[(i, j)] = next(((a, b) for a, b in spans if a <= first < b), (0, len(item.text)))
        return BatchScores(scores, evidence)

    def tag(self, items: list[TagInput]) -> list[list[Suggestion]]:
        """One list of suggestions per input, each sorted by descending score."""
        return self._builder.build(items, self.score(items))
