"""Safety caps for ingest, defined once and passed explicitly to every stage."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what one file may cost to ingest.

    ``max_bytes`` caps the file as uploaded; ``max_pages`` the PDF page count; ``max_chars`` the
    normalised text; ``max_decompressed_bytes`` the summed uncompressed size of a DOCX archive.
    """

    max_bytes: int = 50 * MIB
    max_pages: int = 2000
    max_chars: int = 5_000_000
    max_decompressed_bytes: int = 200 * MIB


DEFAULT_LIMITS = Limits()
