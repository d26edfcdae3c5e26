"""PDF -> blocks.

pypdf opens the file, checks it is complete, tries the empty password on encrypted files and
counts pages. pdfplumber (pdfminer) then gives each text line with its font, size and position,
and finds ruled tables, so that action-plan tables come out as rows of cells instead of a jumble
of words. Pages without pictures (most of a report) get their glyphs and paths by a faster road
to the very same objects (``ingest.pdf_text``); pages with pictures take pdfplumber's. Text lines
are the ones pdfplumber's ``extract_text_lines`` gives, built straight from the glyphs
(``ingest.pdf_lines``, about a third of its cost). Lines become paragraphs by vertical spacing;
headings come from font size and weight combined with numbering and template vocabulary. Page
furniture (running headers, footers, page numbers) is removed here, where line positions are
still known.
"""

from __future__ import annotations

import functools
import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ingest.errors import (
    CorruptDocumentError,
    DocumentTooComplexError,
    EncryptedDocumentError,
    NoTextLayerError,
)
from ingest.limits import Limits
from ingest.models import Block, RawDocument
from ingest.normalise import furniture_key, is_page_number_line, repeated_lines
from ingest.pdf_lines import text_lines
from ingest.sections import is_template_heading

_BULLET = re.compile(r"^\s*(?:\(cid:\d+\)|[•●▪■◦‣∙·\uf0b7\uf0a7-])\s+")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+[A-Z]")
_ITEM_START = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]?|\(?[a-z]\)|R\d{1,2}[.:]?|Recommendation\s+\d{1,2}[a-z]?[.:]?)\s+\S"
)
_SENTENCE_END = re.compile(r"[.!?:;)”\"’]\s*$")
_MARGIN_FRACTION = 0.07


@dataclass
class _Line:
    text: str
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    bold: bool
    height: float = 842.0


def extract(data: bytes, *, path: str, sha256: str, limits: Limits, fast_objects: bool = True) -> RawDocument:
    """Parse PDF ``data`` into a :class:`RawDocument` of blocks with 1-based page numbers.

    ``fast_objects=False`` reads every page through pdfplumber's full object layer (the
    reference the fast path is tested against); the blocks are the same either way.
    """
    reader_bytes, page_count = _open_with_pypdf(data, path, limits)
    pages, pictured = _layout(reader_bytes, path, page_count, fast_objects=fast_objects)
    if not any(lines or tables for lines, tables in pages):
        raise NoTextLayerError(path, f"none of the {page_count} page(s) has a text layer (a scan?); run OCR first")
    blocks = _build_blocks(pages)
    warnings = tuple(
        f"page {n} has no text layer (scanned image?); its content is missing"
        for n, (lines, tables) in enumerate(pages, start=1)
        if not lines and not tables and n in pictured
    )
    return RawDocument(
        path=path,
        sha256=sha256,
        media_type="pdf",
        blocks=tuple(blocks),
        page_count=page_count,
        warnings=warnings,
    )


def _open_with_pypdf(data: bytes, path: str, limits: Limits) -> tuple[bytes, int]:
    """Validate the file with pypdf; return bytes pdfplumber can read and the page count."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    if b"%%EOF" not in data[-4096:] and b"%%EOF" not in data:
        raise CorruptDocumentError(path, "the PDF is truncated (no end-of-file marker)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except (DependencyError, NotImplementedError):
                opened = False
            if not opened:
                raise EncryptedDocumentError(path, "the PDF is password-protected; upload an unprotected copy")
        page_count = len(reader.pages)
        if page_count > limits.max_pages:
            raise DocumentTooComplexError(path, f"{page_count} pages is over the {limits.max_pages}-page limit")
        if page_count == 0:
            raise CorruptDocumentError(path, "the PDF has no pages")
        _check_content_size(reader, path, limits)
        if reader.is_encrypted:
            writer = PdfWriter(clone_from=reader)
            buf = io.BytesIO()
            writer.write(buf)
            return buf.getvalue(), page_count
        return data, page_count
    except FileNotDecryptedError:
        raise EncryptedDocumentError(path, "the PDF is password-protected; upload an unprotected copy") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise CorruptDocumentError(path, f"the PDF is damaged and cannot be read ({_short(exc)})") from None


def _check_content_size(reader: Any, path: str, limits: Limits) -> None:
    """Refuse a PDF whose page content inflates past the decompression cap (a PDF bomb).

    Counts each page's content streams and the Form XObjects it draws (pdfminer interprets
    both). pypdf inflates each stream under its own per-stream limit; pdfminer, which reads the
    pages next, has none, so the total is checked here first.
    """
    total = 0
    seen: set[int] = set()
    for number, page in enumerate(reader.pages, start=1):
        contents = page.get_contents()
        total += len(contents.get_data()) if contents is not None else 0
        total += _form_bytes(page.get("/Resources"), seen, depth=0)
        if total > limits.max_decompressed_bytes:
            raise DocumentTooComplexError(
                path,
                f"page content inflates past the {limits.max_decompressed_bytes:,}-byte limit",
                page=number,
            )


def _form_bytes(resources: Any, seen: set[int], *, depth: int) -> int:
    """Inflated size of the Form XObjects under ``resources`` (each counted once, nesting bounded)."""
    if resources is None or depth > 10:
        return 0
    resources = resources.get_object()
    xobjects = resources.get("/XObject") if hasattr(resources, "get") else None
    if xobjects is None:
        return 0
    total = 0
    for ref in xobjects.get_object().values():
        key = id(ref.get_object()) if not hasattr(ref, "idnum") else ref.idnum
        if key in seen:
            continue
        seen.add(key)
        form = ref.get_object()
        if form.get("/Subtype") != "/Form":
            continue
        total += len(form.get_data())
        total += _form_bytes(form.get("/Resources"), seen, depth=depth + 1)
    return total


def _layout(
    data: bytes, path: str, page_count: int, *, fast_objects: bool = True
) -> tuple[list[tuple[list[_Line], list[Any]]], set[int]]:
    """Per page: text lines outside tables and the tables found there; and the pages with pictures."""
    import pdfplumber

    from ingest.pdf_text import install, page_objects

    out: list[tuple[list[_Line], list[Any]]] = []
    pictured: set[int] = set()
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise CorruptDocumentError(path, f"the PDF is damaged and cannot be read ({_short(exc)})") from None
    glyphs: dict[Any, Any] = {}
    with pdf:
        for number, page in enumerate(pdf.pages, start=1):
            try:
                objects = page_objects(pdf, page, glyphs) if fast_objects else None
                if objects is not None:  # no picture: the glyphs and paths from the fast road
                    install(page, objects)
                out.append(_page_layout(page, number))
                if page.images or page.curves or page.rects:
                    pictured.add(number)
            except Exception as exc:  # noqa: BLE001 - any pdfminer failure on one page
                raise CorruptDocumentError(path, f"page content is damaged ({_short(exc)})", page=number) from None
    return out, pictured


def _page_layout(page: Any, number: int) -> tuple[list[_Line], list[Any]]:
    tables = [t for t in page.find_tables() if _is_real_table(t)]
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx = (obj["x0"] + obj["x1"]) / 2
        cy = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    body = page.filter(outside) if boxes else page
    found = text_lines(body.chars)  # pdfplumber's extract_text_lines, done directly
    if found is None:  # a rotated glyph, or a line break inside a glyph's text: pdfplumber's own rules
        found = body.extract_text_lines(return_chars=True, strip=True)
    lines = _lines(found, number, float(page.height))
    return lines, [(t.bbox[1], number, _cells(t)) for t in tables]


class _CharsOnly:
    """Stands in for a page where only its ``chars`` are read."""

    def __init__(self, chars: list[dict[str, Any]]) -> None:
        self.chars = chars


def _cells(table: Any) -> list[list[str | None]]:
    """pdfplumber's ``Table.extract()``, run on the page's glyphs that lie in the table's box.

    ``extract`` tests every glyph of the page against every row's box (with the glyph's centre, a
    row's box inside the table's). Keeping, in page order, only the glyphs whose centre is in the
    table's box (edges included) hands it a superset of every row's glyphs, so the cells come out
    the same, at a fraction of the tests on a page with a long table.
    """
    import copy

    x0, top, x1, bottom = table.bbox
    inside = [
        c for c in table.page.chars
        if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom
    ]
    narrowed = copy.copy(table)
    narrowed.page = _CharsOnly(inside)
    cells: list[list[str | None]] = narrowed.extract()
    return cells


def _lines(text_lines: list[dict[str, Any]], number: int, page_height: float) -> list[_Line]:
    """pdfplumber text lines (with their chars) as :class:`_Line` records with size and weight."""
    lines: list[_Line] = []
    for raw in text_lines:
        chars = [c for c in raw["chars"] if c["text"].strip()]
        if not chars or not raw["text"].strip():
            continue
        sizes = Counter(round(float(c["size"]), 1) for c in chars)
        bold = sum(1 for c in chars if _is_bold(c["fontname"])) >= 0.8 * len(chars)
        lines.append(
            _Line(
                raw["text"],
                number,
                float(raw["top"]),
                float(raw["bottom"]),
                float(raw["x0"]),
                float(raw["x1"]),
                sizes.most_common(1)[0][0],
                bold,
                page_height,
            )
        )
    return lines


def _is_real_table(table: Any) -> bool:
    rows = table.rows
    return len(rows) >= 2 and max(len(r.cells) for r in rows) >= 2


@functools.lru_cache(maxsize=1024)
def _is_bold(fontname: str) -> bool:
    name = fontname.split("+")[-1].lower()
    return any(w in name for w in ("bold", "black", "heavy", "semibold", ",b"))


def _build_blocks(pages: list[tuple[list[_Line], list[Any]]]) -> list[Block]:
    furniture = repeated_lines([[ln.text for ln in lines if _in_margin(ln)] for lines, _ in pages])
    all_lines = [
        ln
        for lines, _ in pages
        for ln in lines
        if not (_in_margin(ln) and (furniture_key(ln.text) in furniture or is_page_number_line(ln.text)))
    ]
    body_size = _body_size(all_lines)
    pitch = _body_pitch(all_lines, body_size)
    heading_sizes = sorted({ln.size for ln in all_lines if _heading_size(ln, body_size)}, reverse=True)
    right_edge = max((ln.x1 for ln in all_lines), default=0.0)

    items: list[tuple[int, float, Block]] = []
    by_page: dict[int, list[_Line]] = {}
    for ln in all_lines:
        by_page.setdefault(ln.page, []).append(ln)
    for page_no, lines in by_page.items():
        for block_lines in _group(lines, pitch / body_size, right_edge):
            items.append((page_no, block_lines[0].top, _make_block(block_lines, body_size, heading_sizes)))
    for _, page_tables in pages:
        for top, page_no, rows in page_tables:
            cleaned = tuple(tuple((c or "").strip() for c in row) for row in rows)
            text = "\n".join(" | ".join(row) for row in cleaned)
            items.append((page_no, top, Block("table", text, page=page_no, rows=cleaned)))
    items.sort(key=lambda it: (it[0], it[1]))
    return _merge_across_pages([b for _, _, b in items])


def _in_margin(ln: _Line) -> bool:
    return ln.top < ln.height * _MARGIN_FRACTION or ln.bottom > ln.height * (1 - _MARGIN_FRACTION)


def _body_size(lines: list[_Line]) -> float:
    weights: Counter[float] = Counter()
    for ln in lines:
        weights[ln.size] += len(ln.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _body_pitch(lines: list[_Line], body_size: float) -> float:
    """Baseline-to-baseline distance of body lines within a paragraph."""
    deltas = [
        round(b.top - a.top, 1)
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page and a.size == b.size == body_size and 0 < b.top - a.top < body_size * 3
    ]
    if not deltas:
        return body_size * 1.3
    # line spacing inside a paragraph is the smallest plausible spacing (at least 1.05 x the font size)
    plausible = [d for d in deltas if d >= body_size * 1.05]
    return float(min(plausible)) if plausible else float(Counter(deltas).most_common(1)[0][0])


def _heading_size(line: _Line, body_size: float) -> bool:
    """Larger than body text: bold and a point bigger, or much bigger whatever the weight."""
    return (line.bold and line.size >= body_size + 1.0) or line.size >= body_size * 1.4


def _group(lines: list[_Line], leading: float, right_edge: float) -> list[list[_Line]]:
    """Group a page's lines into paragraphs by spacing, style change and bullet starts."""
    groups: list[list[_Line]] = []
    for ln in lines:
        if groups:
            prev = groups[-1][-1]
            gap = ln.top - prev.top
            same_style = prev.size == ln.size and prev.bold == ln.bold
            short_prev = prev.x1 < right_edge - 0.15 * max(right_edge - prev.x0, 1.0)
            new = (
                not same_style
                or gap > leading * ln.size * 1.25
                or gap < 0
                or bool(_BULLET.match(ln.text))
                or (bool(_ITEM_START.match(ln.text)) and bool(_SENTENCE_END.search(prev.text)))
                or (short_prev and bool(_SENTENCE_END.search(prev.text)) and not prev.bold)
            )
            if not new:
                groups[-1].append(ln)
                continue
        groups.append([ln])
    return groups


def _make_block(lines: list[_Line], body_size: float, heading_sizes: list[float]) -> Block:
    text = "\n".join(ln.text for ln in lines)
    first = lines[0]
    size = first.size
    bullet = _BULLET.match(first.text)
    if bullet:
        return Block("list_item", text[bullet.end() :], page=first.page)
    short = len(text) <= 160 and len(lines) <= 3
    if short and _heading_size(first, body_size):
        level = heading_sizes.index(size) + 1 if size in heading_sizes else 1
        return Block("heading", text, page=first.page, level=_numbered_level(text) or level, bold=first.bold, size=size)
    if short and first.bold and not _SENTENCE_END.search(text.rstrip("*")):
        level = len(heading_sizes) + 1
        return Block("heading", text, page=first.page, level=_numbered_level(text) or level, bold=True, size=size)
    if len(lines) == 1 and is_template_heading(text):  # a template heading set in body type
        return Block("heading", text, page=first.page, level=_numbered_level(text) or len(heading_sizes) + 1, size=size)
    return Block("paragraph", text, page=first.page, bold=first.bold, size=size)


def _numbered_level(text: str) -> int | None:
    match = _NUMBERED_HEADING.match(text)
    return match.group(1).count(".") + 1 if match and "." in match.group(1) else None


def _merge_across_pages(blocks: list[Block]) -> list[Block]:
    """Join tables split over pages and paragraphs broken by a page end.

    A table continues on a later page when it comes next in reading order and either repeats the
    header row or, on the very next page, has the same number of columns. A first row with an empty
    first cell and text carrying on in lower case is the rest of a row cut by the page break.
    """
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if prev is None or prev.page is None or block.page is None or block.page <= prev.page:
            out.append(block)
            continue
        if block.kind == "table" and prev.kind == "table" and block.rows and prev.rows:
            same_header = block.rows[0] == prev.rows[0]
            if same_header or (block.page == prev.page + 1 and len(block.rows[0]) == len(prev.rows[0])):
                out[-1] = _join_tables(prev.rows, block.rows[1:] if same_header else block.rows, prev.page)
                continue
        if (
            block.page == prev.page + 1
            and block.kind == "paragraph"
            and prev.kind in ("paragraph", "list_item")
            and not _SENTENCE_END.search(prev.text)
            and block.text[:1].islower()
        ):
            out[-1] = Block(prev.kind, prev.text + "\n" + block.text, page=prev.page, bold=prev.bold)
            continue
        out.append(block)
    return out


def _join_tables(rows: tuple[tuple[str, ...], ...], more: tuple[tuple[str, ...], ...], page: int) -> Block:
    if more and rows and len(rows) > 1 and len(more[0]) == len(rows[-1]) and _continues_row(more[0]):
        last = tuple("\n".join(filter(None, (a, b))) for a, b in zip(rows[-1], more[0], strict=True))
        rows, more = rows[:-1] + (last,), more[1:]
    joined = rows + more
    return Block("table", "\n".join(" | ".join(r) for r in joined), page=page, rows=joined)


def _continues_row(row: tuple[str, ...]) -> bool:
    """The first row on a new page is the rest of a row cut by the page break."""
    return not row[0].strip() and any(cell.strip()[:1].islower() for cell in row[1:])


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]
