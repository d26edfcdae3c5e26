"""The ingest stage end to end: file bytes -> :class:`ParsedReview`.

Every failure is an :class:`~ingest.errors.IngestError` subclass with a one-line reason; library
exceptions raised while reading a file are translated here and never escape.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePath

from ingest import docx, pdf, text
from ingest.action_plan import extract_action_plan
from ingest.errors import (
    CorruptDocumentError,
    DocumentTooComplexError,
    EmptyFileError,
    FileTooLargeError,
    IngestError,
)
from ingest.headings import infer_headings
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.metadata import extract_metadata
from ingest.models import ParsedReview, RawDocument, Section
from ingest.normalise import NormalisedDocument, normalise
from ingest.passages import build_passages
from ingest.recommendations import extract_recommendations
from ingest.sections import split_sections
from ingest.sniff import Sniffed, sniff
from ingest.timing import StageTimes, maybe_measure

_REVIEW_WORD = re.compile(r"\breview\b|\badolygiad\b", re.IGNORECASE)
_SPECIFIC_TITLE = re.compile(r"\breview\b.{0,40}\bre:|\binto the death of\b|\bin respect of\b", re.IGNORECASE)


def parse_file(
    path: str | Path, *, limits: Limits = DEFAULT_LIMITS, times: StageTimes | None = None
) -> ParsedReview:
    """Read and parse the review at ``path`` (stage seconds added to ``times`` if given)."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raise IngestError(name, f"cannot read the file ({exc.strerror or exc})") from None
    if size > limits.max_bytes:
        raise FileTooLargeError(name, f"{size:,} bytes is over the {limits.max_bytes:,}-byte limit")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise IngestError(name, f"cannot read the file ({exc.strerror or exc})") from None
    return parse_bytes(data, name, limits=limits, times=times)


def read_raw(
    data: bytes, filename: str, *, limits: Limits = DEFAULT_LIMITS, times: StageTimes | None = None
) -> RawDocument:
    """Sniff and extract ``data`` into blocks (the first half of :func:`parse_bytes`)."""
    with maybe_measure(times, "sniff"):
        verdict = sniff(data, filename, limits=limits)
    with maybe_measure(times, "parse"):
        return _extract(data, filename, verdict, limits)


def _extract(data: bytes, filename: str, verdict: Sniffed, limits: Limits) -> RawDocument:
    digest = hashlib.sha256(data).hexdigest()
    try:
        if verdict.media_type == "pdf":
            return pdf.extract(data, path=filename, sha256=digest, limits=limits)
        if verdict.media_type == "docx":
            return docx.extract(data, path=filename, sha256=digest, limits=limits)
        return text.extract(data, path=filename, sha256=digest, encoding=verdict.encoding or "utf-8", limits=limits)
    except IngestError:
        raise
    except Exception as exc:  # a parser library failed in a way we did not foresee
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise CorruptDocumentError(filename, f"the file could not be parsed ({detail})") from None


def parse_bytes(
    data: bytes, filename: str, *, limits: Limits = DEFAULT_LIMITS, times: StageTimes | None = None
) -> ParsedReview:
    """Parse the bytes of one review file named ``filename`` (the name decides the expected format).

    ``times`` (optional) collects seconds per stage: sniff, parse, structure, metadata.
    """
    raw = read_raw(data, filename, limits=limits, times=times)
    with maybe_measure(times, "structure"):
        raw = infer_headings(raw)
        doc = normalise(raw)
        if not doc.text.strip():
            raise EmptyFileError(filename, "no text was found in the file")
        if len(doc.text) > limits.max_chars:
            raise DocumentTooComplexError(
                filename, f"{len(doc.text):,} characters of text is over the {limits.max_chars:,} limit"
            )
        sections = split_sections(doc)
        passages = build_passages(doc, sections)
        title = _title(doc, sections, filename)
        recommendations = extract_recommendations(doc, sections)
        action_plan = extract_action_plan(doc)
    with maybe_measure(times, "metadata"):
        metadata = extract_metadata(doc.text, sections, title=title)
    return ParsedReview(
        source_path=filename,
        sha256=raw.sha256,
        media_type=raw.media_type,
        text=doc.text,
        metadata=metadata,
        sections=tuple(sections),
        passages=tuple(passages),
        recommendations=tuple(recommendations),
        action_plan=tuple(action_plan),
        page_count=raw.page_count,
        warnings=raw.warnings,
    )


def _title(doc: NormalisedDocument, sections: list[Section], filename: str) -> str:
    """The report's title: a cover line naming the review, else the first heading, else the file name."""
    front_end = sections[0].char_end if sections and sections[0].kind == "front_matter" else 0
    cover = [b for b in doc.blocks if b.end <= front_end and len(b.text) <= 200 and b.kind != "table"]
    named = [b for b in cover if _REVIEW_WORD.search(b.text)]
    specific = [b for b in cover if _SPECIFIC_TITLE.search(b.text)]
    headings = [b for b in doc.blocks if b.kind == "heading"]
    named_headings = [b for b in named if b.kind == "heading"]
    if specific and not _REVIEW_WORD.search(specific[0].text) and named_headings:
        return f"{named_headings[0].text} – {specific[0].text}"
    for pool in (specific, named_headings, named, headings):
        if pool:
            return pool[0].text
    return PurePath(filename).stem
