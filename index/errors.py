"""Domain errors of the search side. Edges (CLI, API, UI) translate them once."""

from __future__ import annotations


class SearchIndexError(Exception):
    """Base of the index package's errors. ``code`` is a stable machine-readable reason."""

    code = "index_error"


class QueryError(SearchIndexError, ValueError):
    """A query (or a search option such as the mode) is not acceptable."""

    code = "bad_query"


class EncoderError(SearchIndexError):
    """The embedding model cannot be found, loaded or trusted."""

    code = "encoder_error"


class IndexMismatchError(SearchIndexError):
    """The index on disk does not describe the current catalogue, model or taxonomy."""

    code = "index_mismatch"


class IndexMissingError(SearchIndexError):
    """There is no index at the given place (or a file of it is missing)."""

    code = "index_missing"


class UnknownNameError(SearchIndexError, ValueError):
    """A pluggable part was asked for by a name its registry does not hold."""

    code = "unknown_name"

    def __init__(self, what: str, name: str, valid: list[str]) -> None:
        self.what = what
        self.name = name
        self.valid = valid
        super().__init__(f"unknown {what} {name!r}; valid: {', '.join(sorted(valid))}")


class NotIndexedError(SearchIndexError, KeyError):
    """A passage or review id asked about is not in the index."""

    code = "not_indexed"

    def __str__(self) -> str:  # KeyError would otherwise print the message in quotes
        return str(self.args[0]) if self.args else ""
