"""Rule-based tagger: lemma phrase matching of cue phrases, a few token patterns, and negation."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from taxonomy.lexicon import content_stems
from taxonomy.models import Suggestion, TagInput
from taxonomy.nlp import Pipeline, get_pipeline
from taxonomy.rule_patterns import EVENT_LEMMAS, NEGATION_PATTERNS, SCOPE_BREAKERS, STANDARD_PATTERNS
from taxonomy.scoring import BatchScores, SuggestionBuilder
from taxonomy.standards import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from spacy.tokens import Doc

TAU = 0.85 / math.log(2.0)
"""Strength-to-score scale: one two-word cue phrase (weight 0.85) scores exactly 0.5."""
REPEAT_WEIGHT = 0.3
"""A repeat of the same cue adds this fraction of its weight."""
NEGATION_WINDOW = 8
"""Tokens between the end of a negation cue and the start of the negated phrase."""
POST_NEGATION_WINDOW = 6
SHORT_NEGATION_WINDOW = 1


@dataclass(frozen=True)
class _Cue:
    standard: int
    weight: float
    text: str
    first_lemma: str


@dataclass(frozen=True)
class Match:
    """One cue found in a passage (token span) and whether it sits under negation."""

    standard: int
    cue: str
    weight: float
    start: int
    end: int
    sentence: tuple[int, int]
    negated: bool


def _variants(cue: str) -> set[str]:
    out = {cue}
    if "-" in cue:
        out.add(cue.replace("-", " "))
    for v in list(out):
        if "'" in v:
            out.add(v.replace("'", "\u2019"))
    return out


def first_token_alternatives(pattern: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``pattern`` as one pattern per value of its first token's ``IN`` set, matching exactly the same
    spans: spaCy tries every pattern's first token at every position of every passage, and a set
    test there runs in Python while a plain attribute test runs in C."""
    first = pattern[0] if pattern else {}
    if "OP" in first or len(first) != 1:
        return [pattern]
    (attr, spec), = first.items()
    if not isinstance(spec, dict) or set(spec) != {"IN"}:
        return [pattern]
    return [[{attr: value}, *pattern[1:]] for value in dict.fromkeys(spec["IN"])]


def required_words(pattern: list[dict[str, Any]]) -> list[tuple[str, frozenset[str]]]:
    """What a token pattern cannot match without: for each token it must match at least once (no
    ``OP``, or ``+``, or a ``{n,m}`` count from one), the attribute (``LOWER`` or ``LEMMA``) and
    the words it accepts there. A passage holding none of one entry's words cannot match the
    pattern. Tests of other kinds (``LIKE_NUM``, ``NOT_IN``, ...) are not listed."""
    out = []
    for token in pattern:
        op = str(token.get("OP", "1"))
        if not (op in ("1", "+") or (op.startswith("{") and not op.startswith(("{0", "{,")))):
            continue
        for attr in ("LOWER", "LEMMA"):
            spec = token.get(attr)
            if isinstance(spec, str):
                out.append((attr, frozenset([spec])))
            elif isinstance(spec, dict) and set(spec) == {"IN"}:
                out.append((attr, frozenset(spec["IN"])))
    return out


@dataclass(frozen=True)
class _Gate:
    """One token pattern's Matcher and the words (string hashes, by attribute: 0 ``LOWER``,
    1 ``LEMMA``) it cannot match without."""

    required: tuple[tuple[int, frozenset[int]], ...]
    matcher: Any


def _cue_weight(tokens: int, cue: str, title_stems: set[str]) -> float:
    if tokens >= 3:
        return 1.0
    if tokens == 2:
        return 0.85
    if cue.isupper() or set(content_stems(cue)) & title_stems:
        return 0.85
    return 0.6


class RuleTagger:
    """spaCy ``PhraseMatcher(attr="LEMMA")`` over every cue phrase plus token ``Matcher`` patterns.

    A cue preceded in its sentence by a negation cue ("no concerns about", "there was no evidence
    of", "nothing to suggest") within a short window, with no "but"/"however" in between, does not
    count; neither does one followed closely by "was not a factor" and the like. Plain "not" is not
    a negation here: in reviews "the child was not seen" is a finding about the standard.
    The score grows with the number and strength of matches; the evidence is the sentence with the
    strongest matches.
    """

    name = "rule"

    def __init__(self, taxonomy: Taxonomy | None = None, pipeline: Pipeline | None = None) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.taxonomy = taxonomy or load_taxonomy()
        self.pipeline = pipeline or get_pipeline()
        vocab = self.pipeline.nlp.vocab
        self._phrases = PhraseMatcher(vocab, attr="LEMMA")
        self._gates: list[_Gate] = []  # a Matcher per token pattern, run only where it can match
        self._negation_kinds: dict[int, str] = {}
        self._cues: dict[int, _Cue] = {}

        def gate(key: str, pattern: list[dict[str, Any]]) -> None:
            matcher = Matcher(vocab)
            matcher.add(key, first_token_alternatives(pattern))
            required = tuple(
                (0 if attr == "LOWER" else 1, frozenset(vocab.strings.add(w) for w in words))
                for attr, words in required_words(pattern)
            )
            self._gates.append(_Gate(required, matcher))

        for j, standard in enumerate(self.taxonomy.standards):
            title_stems = set(content_stems(standard.title)) - {"practice"}
            for cue in standard.cue_phrases:
                docs = [self.pipeline.make(v) for v in sorted(_variants(cue))]
                tokens = sum(1 for t in docs[0] if not t.is_punct)
                key = f"{standard.id}|{cue}"
                self._phrases.add(key, docs)
                self._register(key, j, _cue_weight(tokens, cue, title_stems), cue, docs[0][0].lemma_)
            for name, pattern, weight in STANDARD_PATTERNS.get(standard.id, ()):
                key = f"{standard.id}|pattern:{name}"
                gate(key, pattern)
                self._register(key, j, weight, name, "")
        for name, pattern in NEGATION_PATTERNS:
            gate(f"negation:{name}", pattern)
            self._negation_kinds[vocab.strings[f"negation:{name}"]] = name
        self.cue_reliability: dict[str, float] = {}
        """Weight multipliers learned by :meth:`fit_cue_weights` (cue key -> factor in (0, 1])."""
        self._builder = SuggestionBuilder(self.taxonomy, self.name)

    def _register(self, key: str, standard: int, weight: float, text: str, first_lemma: str) -> None:
        match_id = self.pipeline.nlp.vocab.strings.add(key)
        self._cues[match_id] = _Cue(standard, weight, text, first_lemma)

    def fit_cue_weights(self, texts: list[str], labels: list[set[str]], min_matches: int = 3,
                        floor: float = 0.25) -> dict[str, float]:
        """Down-weight cues that mostly fire on passages labelled with other standards.

        For each cue seen (not negated) at least ``min_matches`` times in the labelled passages, its
        weight is multiplied by ``2 * (tp + 1) / (tp + fp + 2)``, capped at 1 and floored at
        ``floor``: a cue right at least half the time keeps its full weight. Returns the factors set.
        """
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for doc, gold in zip(self.pipeline.pipe(texts), labels, strict=True):
            for m in self.matches(doc):
                if not m.negated:
                    counts[self._key(m)][0 if self.taxonomy.ids[m.standard] in gold else 1] += 1
        factors = {}
        for key, (tp, fp) in counts.items():
            if tp + fp >= min_matches:
                factors[key] = max(floor, min(1.0, 2.0 * (tp + 1) / (tp + fp + 2)))
        self.cue_reliability = {k: v for k, v in factors.items() if v < 1.0}
        return self.cue_reliability

    def _key(self, m: Match) -> str:
        return f"{self.taxonomy.ids[m.standard]}|{m.cue}"

    def matches(self, doc: Doc) -> list[Match]:
        """All cue matches in a parsed passage, each flagged as negated or not."""
        raw: list[tuple[Any, int, int]] = list(self._phrases(doc))
        negations = []
        for match_id, start, end in self._pattern_matches(doc):
            kind = self._negation_kinds.get(match_id)
            if kind is None:
                raw.append((match_id, start, end))
            else:
                negations.append((start, end, kind))
        out = []
        for match_id, start, end in raw:
            cue = self._cues[match_id]
            sent = doc[start].sent
            negated = self._is_negated(doc, start, end, sent.start, sent.end, cue, negations)
            span = (sent.start_char, sent.end_char)
            out.append(Match(cue.standard, cue.text, cue.weight, start, end, span, negated))
        # A cue overlapping a negated cue of the same standard ("never gone missing from home") is negated too.
        negated_spans = [(m.standard, m.start, m.end) for m in out if m.negated]
        return [
            replace(m, negated=True)
            if not m.negated and any(j == m.standard and s < m.end and m.start < e for j, s, e in negated_spans)
            else m
            for m in out
        ]

    def _pattern_matches(self, doc: Doc) -> list[tuple[Any, int, int]]:
        """The token patterns' matches. Each pattern's Matcher runs only on a passage holding every
        word it requires: one Matcher over all patterns tries every pattern at every token (it was
        most of the rule tagger's matching time), while about one pattern can match a passage."""
        from spacy.attrs import LEMMA, LOWER

        words = doc.to_array([LOWER, LEMMA]).reshape(-1, 2)
        present = (set(words[:, 0].tolist()), set(words[:, 1].tolist()))
        found: list[tuple[Any, int, int]] = []
        for gate in self._gates:
            if all(not needed.isdisjoint(present[attr]) for attr, needed in gate.required):
                found.extend(gate.matcher(doc))
        return found

    @staticmethod
    def _is_negated(
        doc: Doc, start: int, end: int, sent_start: int, sent_end: int, cue: _Cue,
        negations: list[tuple[int, int, str]],
    ) -> bool:
        for n_start, n_end, kind in negations:
            if n_start < sent_start or n_end > sent_end:
                continue
            if kind == "post":
                gap = range(end, n_start)
                if n_start >= end and len(gap) <= POST_NEGATION_WINDOW and not any(
                    doc[t].lower_ in SCOPE_BREAKERS for t in gap
                ):
                    return True
                continue
            if n_end > start:
                continue
            window = SHORT_NEGATION_WINDOW if kind == "short" else NEGATION_WINDOW
            if kind == "short" and cue.first_lemma not in EVENT_LEMMAS:
                continue
            gap = range(n_end, start)
            if len(gap) <= window and not any(doc[t].lower_ in SCOPE_BREAKERS for t in gap):
                return True
        return False

    def score(self, items: list[TagInput]) -> BatchScores:
        """Calibrated scores (one two-word cue = 0.5), best-sentence evidence and negation flags."""
        k = len(self.taxonomy.standards)
        scores = np.zeros((len(items), k))
        negated = np.zeros((len(items), k), dtype=bool)
        evidence: dict[tuple[int, int], tuple[int, int]] = {}
        docs = self.pipeline.pipe([item.text for item in items])
        for i, doc in enumerate(docs):
            strength: dict[int, float] = defaultdict(float)
            by_sentence: dict[tuple[int, tuple[int, int]], float] = defaultdict(float)
            seen: set[tuple[int, str]] = set()
            only_negated: set[int] = set()
            for m in self.matches(doc):
                if m.negated:
                    only_negated.add(m.standard)
                    continue
                weight = m.weight * self.cue_reliability.get(self._key(m), 1.0)
                weight *= REPEAT_WEIGHT if (m.standard, m.cue) in seen else 1.0
                seen.add((m.standard, m.cue))
                strength[m.standard] += weight
                by_sentence[(m.standard, m.sentence)] += weight
            for j, value in strength.items():
                scores[i, j] = 1.0 - math.exp(-value / TAU)
                best = max((v, -s[0], s) for (jj, s), v in by_sentence.items() if jj == j)
                evidence[(i, j)] = _trim(items[i].text, best[2])
            for j in only_negated - set(strength):
                negated[i, j] = True
        return BatchScores(scores, evidence, negated)

    def tag(self, items: list[TagInput]) -> list[list[Suggestion]]:
        """One list of suggestions per input, each sorted by descending score."""
        return self._builder.build(items, self.score(items))


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end)
