"""Domain errors raised by ingest. Edges (CLI, API, UI) translate them once."""

from __future__ import annotations


class IngestError(Exception):
    """A file could not be ingested. ``code`` is a stable machine-readable reason."""

    code = "ingest_error"

    def __init__(self, path: str, reason: str, *, page: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.page = page
        where = f" (page {page})" if page is not None else ""
        super().__init__(f"{path}{where}: {reason}")


class UnsupportedFormatError(IngestError):
    """The extension or the file's content is not a format Gwersi reads."""

    code = "unsupported_format"


class EmptyFileError(IngestError):
    """The file has no bytes, or no text once parsed."""

    code = "empty_file"


class MislabelledFileError(IngestError):
    """The extension says one format, the bytes say another (or nothing known)."""

    code = "mislabelled_file"


class FileTooLargeError(IngestError):
    """The file is larger than the configured limit."""

    code = "file_too_large"


class EncryptedDocumentError(IngestError):
    """The PDF or DOCX is password-protected."""

    code = "encrypted"


class NoTextLayerError(IngestError):
    """A PDF with pages but no extractable text (a scan): needs OCR first."""

    code = "no_text_layer"


class CorruptDocumentError(IngestError):
    """The file is truncated or damaged and cannot be parsed."""

    code = "corrupt"


class DocumentTooComplexError(IngestError):
    """The file exceeds a safety cap (pages, characters, decompressed size)."""

    code = "too_complex"
