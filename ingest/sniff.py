"""Decide what a file really is from its bytes, and refuse anything unsafe or mislabelled.

The extension must name a supported format and the content must agree with it: a PDF renamed
``.docx`` (or a PNG renamed ``.pdf``) is refused with a one-line reason and nothing is stored.
DOCX archives are checked for zip bombs from their central directory, before anything is inflated.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from ingest.errors import (
    CorruptDocumentError,
    DocumentTooComplexError,
    EmptyFileError,
    EncryptedDocumentError,
    FileTooLargeError,
    MislabelledFileError,
    UnsupportedFormatError,
)
from ingest.limits import Limits

MediaType = Literal["pdf", "docx", "text"]

SUPPORTED_EXTENSIONS: dict[str, MediaType] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
}
"""Extensions Gwersi reads, mapped to the parser that handles them."""

MAX_MEMBER_RATIO = 100.0
"""Largest uncompressed/compressed ratio allowed for a sizeable DOCX member (real XML: ~5-20)."""

_RATIO_FLOOR = 1024 * 1024
_CHUNK = 1024 * 1024
"""Members smaller than this when inflated are never treated as bombs."""

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_FORMAT_NAMES: dict[str, str] = {"pdf": "a PDF", "docx": "a Word (DOCX) document", "text": "plain text"}


@dataclass(frozen=True)
class Sniffed:
    """The verdict on a file: which parser to use and, for text, which encoding."""

    media_type: MediaType
    encoding: str | None = None


def supported_extensions_text() -> str:
    """The supported extensions as a readable list for error messages."""
    return ", ".join(sorted(SUPPORTED_EXTENSIONS))


def sniff(data: bytes, filename: str, *, limits: Limits) -> Sniffed:
    """Check ``data`` (the bytes of ``filename``) and return how to parse it.

    Raises an :class:`~ingest.errors.IngestError` subclass for empty, oversized, unsupported,
    mislabelled, encrypted (OLE-wrapped DOCX), corrupt or bomb-like files.
    """
    name = PurePath(filename).name or filename
    ext = PurePath(filename).suffix.lower()
    if len(data) > limits.max_bytes:
        raise FileTooLargeError(filename, f"{len(data):,} bytes is over the {limits.max_bytes:,}-byte limit")
    if not data:
        raise EmptyFileError(filename, "the file is empty (0 bytes)")
    expected = SUPPORTED_EXTENSIONS.get(ext)
    if expected is None:
        shown = ext or "no extension"
        raise UnsupportedFormatError(
            filename, f"{shown} files are not supported; use one of {supported_extensions_text()}"
        )
    actual, what = _content_kind(data, expected)
    if actual == "ole":
        if expected == "docx" and b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00" not in data:
            raise EncryptedDocumentError(
                filename,
                "the DOCX is password-protected (an encrypted OLE container); save an unprotected copy and try again",
            )
        raise MislabelledFileError(filename, f"{name} is actually {what}, not {_FORMAT_NAMES[expected]}")
    if actual != expected:
        raise MislabelledFileError(filename, f"{name} is actually {what}, not {_FORMAT_NAMES[expected]}")
    if actual == "docx":
        _check_zip_bomb(data, filename, limits)
        return Sniffed("docx")
    if actual == "text":
        return Sniffed("text", _text_encoding(data))
    return Sniffed("pdf")


def _content_kind(data: bytes, expected: MediaType) -> tuple[str, str]:
    """Classify the bytes: ``(kind, description)`` with kind pdf | docx | text | ole | other."""
    if b"%PDF-" in data[:1024]:
        return "pdf", "a PDF"
    if data.startswith(_OLE_MAGIC):
        return "ole", "a legacy Office (OLE) file such as a .doc"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_kind(data, expected)
    for magic, description in _BINARY_MAGIC:
        if data.startswith(magic):
            return "other", description
    if _text_encoding(data) is not None:
        return "text", "plain text"
    return "other", "a binary file of an unknown format"


def _zip_kind(data: bytes, expected: MediaType) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        if expected == "docx":
            return "docx", "a DOCX"  # a damaged archive: let the checks below report it as corrupt
        return "other", "a damaged ZIP archive"
    if "word/document.xml" in names:
        return "docx", "a Word (DOCX) document"
    if b"opendocument.text" in mimetype:
        return "other", "an OpenDocument text (.odt) file"
    if "xl/workbook.xml" in names:
        return "other", "an Excel workbook"
    if "ppt/presentation.xml" in names:
        return "other", "a PowerPoint presentation"
    return "other", "a ZIP archive without a Word document inside"


def _text_encoding(data: bytes) -> str | None:
    """The encoding of ``data`` if it looks like text (UTF-8, UTF-16 with BOM, cp1252), else None."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError:
            return None
        return "utf-16"
    sample = data[:65536]
    if b"\x00" in sample:
        return None
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if controls > max(2, len(sample) // 200):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    return "cp1252"


def _check_zip_bomb(data: bytes, filename: str, limits: Limits) -> None:
    """Refuse a DOCX whose declared inflated size or compression ratio is out of bounds."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise CorruptDocumentError(filename, f"the DOCX archive is damaged ({_short(exc)})") from None
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > _RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_MEMBER_RATIO:
                raise DocumentTooComplexError(
                    filename, f"archive member {info.filename} inflates {ratio:,.0f}:1 (zip bomb?)"
                )
    if total > limits.max_decompressed_bytes:
        raise DocumentTooComplexError(
            filename,
            f"the DOCX would inflate to {total:,} bytes, over the {limits.max_decompressed_bytes:,}-byte limit",
        )
    _inflate_in_chunks(data, filename, limits)


def _inflate_in_chunks(data: bytes, filename: str, limits: Limits) -> None:
    """Inflate every member in bounded chunks, so a directory that under-states sizes is caught.

    zipfile stops at the declared size and then finds the CRC wrong (a damaged or lying archive);
    the running total is capped by ``limits.max_decompressed_bytes`` whatever the directory says.
    """
    inflated = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        inflated += len(chunk)
                        if inflated > limits.max_decompressed_bytes:
                            raise DocumentTooComplexError(
                                filename,
                                f"the DOCX inflates past the {limits.max_decompressed_bytes:,}-byte limit",
                            )
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise CorruptDocumentError(filename, f"the DOCX archive is damaged ({_short(exc)})") from None


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]
