"""Records of the taxonomy and of tag suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

Polarity = Literal["shortfall", "good_practice", "recommendation", "neutral"]


@dataclass(frozen=True)
class Standard:
    """One proposed National Standard (``S01``..``S26`` in the engagement strategy's order)."""

    id: str
    number: int
    slug: str
    title: str
    description: str
    cue_phrases: tuple[str, ...]
    examples: tuple[str, ...]
    must_dos: tuple[str, ...]
    related: tuple[str, ...]
    components: tuple[str, ...]


@dataclass(frozen=True)
class Component:
    """One of the 5 multi-agency components (``C1``..``C5``)."""

    id: str
    slug: str
    title: str
    description: str


@dataclass(frozen=True)
class TagInput:
    """A passage to tag. ``embedding`` is the stored, normalised passage vector when available."""

    id: str
    text: str
    embedding: np.ndarray | None = None
    section_kind: str | None = None


@dataclass(frozen=True)
class Suggestion:
    """A suggested standard for a passage, with the evidence as offsets into the passage text."""

    standard: str
    score: float
    polarity: Polarity
    evidence: str
    evidence_start: int
    evidence_end: int
    tagger: str
    accepted: bool = True
    """Above the line: the tagger decided the standard applies. ``False``: a ranked suggestion below
    the line, kept so a panel can still see it (never stored as a tag, never counted as a decision)."""


class TextEncoder(Protocol):
    """Anything that turns texts into L2-normalised vectors (implemented in ``index.encoder``)."""

    dimension: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dimension), rows L2-normalised."""
        ...


class Tagger(Protocol):
    """A tagger suggests standards for a batch of passages."""

    name: str

    def tag(self, items: list[TagInput]) -> list[list[Suggestion]]:
        """One list of suggestions per input, each sorted by descending score."""
        ...
