"""One translation of domain errors into a public error shape, used by every edge.

The API turns an :class:`ErrorInfo` into an RFC 9457 problem document, the CLI into a one-line
message and exit code, the UI into a plain sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.errors import (
    EncoderError,
    IndexMismatchError,
    IndexMissingError,
    NotIndexedError,
    QueryError,
    SearchIndexError,
    UnknownNameError,
)
from index.store import PassageNotFoundError, ReviewNotFoundError
from index.tags_store import TagConflictError, TagNotFoundError, UnknownStandardError
from ingest.errors import FileTooLargeError, IngestError, MislabelledFileError, UnsupportedFormatError


class GwersiError(Exception):
    """An error raised by the services layer itself, with its public code and HTTP status."""

    def __init__(self, code: str, detail: str, status: int = 400) -> None:
        self.code = code
        self.detail = detail
        self.status = status
        super().__init__(detail)


@dataclass(frozen=True)
class ErrorInfo:
    """The public description of an error."""

    code: str
    status: int
    title: str
    detail: str


_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported file",
    422: "Could not read the input",
    429: "Too many requests",
    500: "Internal error",
    503: "Not ready",
}


def describe(exc: BaseException) -> ErrorInfo:
    """Map any exception to its public description (unknown ones become a 500 with no internals)."""
    status: int
    code: str
    detail = str(exc)
    if isinstance(exc, GwersiError):
        status, code, detail = exc.status, exc.code, exc.detail
    elif isinstance(exc, FileTooLargeError):
        status, code = 413, exc.code
    elif isinstance(exc, UnsupportedFormatError | MislabelledFileError):
        status, code = 415, exc.code
    elif isinstance(exc, IngestError):
        status, code = 422, exc.code
        detail = f"{_basename(exc.path)}: {exc.reason}"
    elif isinstance(exc, ReviewNotFoundError | PassageNotFoundError | TagNotFoundError | NotIndexedError):
        status, code = 404, "not_found"
    elif isinstance(exc, TagConflictError):
        status, code = 409, "conflict"
    elif isinstance(exc, UnknownStandardError):
        status, code = 422, "unknown_standard"
    elif isinstance(exc, QueryError | UnknownNameError):
        status, code = 422, exc.code
    elif isinstance(exc, IndexMissingError | IndexMismatchError | EncoderError):
        status, code = 503, exc.code
    elif isinstance(exc, SearchIndexError):
        status, code = 500, exc.code
    else:
        status, code, detail = 500, "internal_error", "an unexpected error happened; it has been logged"
    return ErrorInfo(code=code, status=status, title=_TITLES.get(status, "Error"), detail=detail)


def exit_code(info: ErrorInfo) -> int:
    """CLI exit code for an error: 1 for input/data problems, 3 for a missing/mismatched index, 4 internal."""
    if info.status == 503:
        return 3
    if info.status >= 500:
        return 4
    return 1


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]
