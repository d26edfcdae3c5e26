"""Domain errors of the taxonomy package."""

from __future__ import annotations


class TaxonomyError(Exception):
    """The taxonomy data file is missing, malformed or inconsistent."""


class UnknownTaggerError(KeyError):
    """``make_tagger`` was asked for a name that is not registered."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"unknown tagger {name!r}; choose one of: {', '.join(known)}")

    def __str__(self) -> str:
        return str(self.args[0])


class TaggerNotReadyError(RuntimeError):
    """A tagger that needs fitting, calibration or an encoder was used without it."""


class ModelFileError(RuntimeError):
    """A saved tagger model cannot be loaded (missing, or made for another taxonomy/encoder)."""


class TrainingDataError(ValueError):
    """Labelled training or evaluation data is malformed."""
