"""The shared spaCy pipeline: blank English, sentencizer and a lower-casing lookup lemmatizer.

spaCy and its lookup tables are imported on first use, so importing ``taxonomy`` stays cheap.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from taxonomy.errors import TaggerNotReadyError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


class Pipeline:
    """``spacy.blank("en")`` + sentencizer; lemmas come from the spacy-lookups-data table.

    The stock lookup lemmatizer keys on the token's exact text ("Missing" stays "Missing"), so the
    table is consulted with the lower-cased token instead; lemmas are therefore lower case.
    """

    def __init__(self) -> None:
        try:
            import spacy
            from spacy.lookups import load_lookups
        except ImportError as exc:  # pragma: no cover - environment problem
            raise TaggerNotReadyError("the rule tagger needs spacy and spacy-lookups-data installed") from exc
        try:
            table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        except (ValueError, KeyError) as exc:  # pragma: no cover - environment problem
            raise TaggerNotReadyError("spacy-lookups-data is missing the English lemma table") from exc
        self.nlp: Language = spacy.blank("en")
        self.nlp.add_pipe("sentencizer")
        self._table: Any = table
        self._cache: dict[str, str] = {}
        self._hashes: dict[int, int] = {}

    def lemma(self, lower: str) -> str:
        """Lemma of a lower-cased word."""
        found = self._cache.get(lower)
        if found is None:
            found = str(self._table.get(lower, lower))
            self._cache[lower] = found
        return found

    def _lemmatize(self, doc: Doc) -> Doc:
        """Set every token's lemma from its lower-cased form, through arrays of string hashes (no
        per-token Python objects: most of the rule tagger's time went on creating them)."""
        import numpy as np
        from spacy.attrs import LEMMA, LOWER

        if not len(doc):
            return doc
        lowers = doc.to_array([LOWER]).reshape(-1)
        lemmas = np.fromiter((self._lemma_hash(int(h)) for h in lowers), dtype=np.uint64, count=len(lowers))
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]  # thinc types a 2-D int array
        return doc

    def _lemma_hash(self, lower_hash: int) -> int:
        found = self._hashes.get(lower_hash)
        if found is None:
            strings = self.nlp.vocab.strings
            found = int(strings.add(self.lemma(strings[lower_hash])))
            self._hashes[lower_hash] = found
        return found

    def make(self, text: str) -> Doc:
        """Tokenise and lemmatise a short pattern text (no sentence splitting needed)."""
        return self._lemmatize(self.nlp.make_doc(text))

    def pipe(self, texts: list[str], batch_size: int = 64) -> list[Doc]:
        """Run the pipeline over texts in batches."""
        return [self._lemmatize(doc) for doc in self.nlp.pipe(texts, batch_size=batch_size)]


@lru_cache(maxsize=1)
def get_pipeline() -> Pipeline:
    """The process-wide pipeline (built once, about 0.1 s plus the spaCy import)."""
    return Pipeline()
