"""Lexical helpers shared by taggers: cue vocabularies and the best evidence sentence."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from taxonomy.standards import Taxonomy

_STOPWORD_TEXT = """a an and are as at be been by for from had has have he her his in is it its of on or she
that the their them they this to was were which who with not no did do does into than then there these
those our your my me we you i over under about after before while when where what how all any each other
s t own same so such only very can will just should would could may might must"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[a-z][a-z']+")


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A crude suffix-stripping stem, good enough to line up 'delays'/'delayed'/'delay'."""
    for suffix in ("ings", "ing", "ies", "ied", "es", "ed", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@functools.lru_cache(maxsize=4096)
def content_stems(text: str) -> tuple[str, ...]:
    """Stems of the non-stopword words of ``text`` (lower-cased). Cached: evidence search asks for
    the same sentence once per standard suggested."""
    return tuple(stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS)


@dataclass(frozen=True)
class CueVocabulary:
    """Per-standard sets of cue stems (from title and cue phrases), aligned with ``taxonomy.ids``."""

    stems: tuple[frozenset[str], ...]
    phrases: tuple[tuple[str, ...], ...]

    @classmethod
    def build(cls, taxonomy: Taxonomy) -> CueVocabulary:
        """Collect cue stems and lower-cased cue phrases for each standard."""
        stems = []
        phrases = []
        for s in taxonomy.standards:
            words = set(content_stems(s.title))
            for cue in s.cue_phrases:
                words.update(content_stems(cue))
            words.discard("practice")
            stems.append(frozenset(words))
            phrases.append(tuple(c.lower() for c in s.cue_phrases))
        return cls(tuple(stems), tuple(phrases))

    def sentence_strength(self, sentence: str, standard_index: int) -> float:
        """How strongly one sentence speaks to a standard: whole cue phrases count 2, cue words 1."""
        lower = sentence.lower()
        score = float(sum(2 for p in self.phrases[standard_index] if p in lower))
        cue = self.stems[standard_index]
        score += sum(1 for w in content_stems(sentence) if w in cue)
        return score

    def best_sentence(self, text: str, spans: list[tuple[int, int]], standard_index: int) -> tuple[int, int]:
        """The span of the sentence with the strongest cue evidence (the first on ties)."""
        if not spans:
            return (0, len(text))
        best = spans[0]
        best_score = -1.0
        for start, end in spans:
            score = self.sentence_strength(text[start:end], standard_index)
            if score > best_score:
                best, best_score = (start, end), score
        return best
