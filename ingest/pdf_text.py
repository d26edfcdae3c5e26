"""The fast path for PDF pages that only carry text: glyph boxes straight from pdfminer.

pdfplumber turns every pdfminer object on a page into a dictionary of every attribute it has
(colours, matrices, marked content...) before it can find tables or group text into lines; on a
text page that is about two thirds of the parse time. A page that paints no path and draws no
image or form has no ruled table and no picture, so it needs none of that: here pdfminer's page
interpreter drives a small device that computes each glyph's box exactly as pdfminer's
``LTChar`` and pdfplumber's ``Page.process_object`` do, keeps only what line grouping reads, and
hands the glyphs to pdfplumber's own line grouping (``chars_to_textmap``). The lines are therefore
the ones ``page.extract_text_lines()`` gives, at about a third of the cost.

A page qualifies when every path it paints is a single straight line (a rule under a running
header, a footer line) and its lines cannot form a table: pdfplumber's ruled-table finder needs at
least three horizontal and three vertical edges for the two rows of two cells a real table has
(``ingest.pdf._is_real_table``), and only rectangles, curves and images make a page "pictured".
Any rectangle, curve, image or form, too many lines, vertical writing, a rotated page or a
byte-string font name returns ``None``, and the page is read by the full pdfplumber path.

pypdf was tried for this job too: its content-stream walk is quicker still, but it gives text
runs, not glyph boxes, and rebuilding those (font metrics, descent, encodings, ToUnicode maps)
would be a second text engine that could drift from the first; pdfplumber's line grouping, which
both roads would share, is then the larger part of what is left.
"""

from __future__ import annotations

from typing import Any

_NOT_TEXT_ONLY = "page draws more than text"


class _NotTextOnly(Exception):
    """Raised inside the interpreter to stop at the first thing that needs the full path."""


def _device_class() -> type:
    import re

    from pdfminer.pdfdevice import PDFTextDevice
    from pdfminer.pdffont import PDFUnicodeNotDefined
    from pdfminer.utils import apply_matrix_pt, apply_matrix_rect

    subpath = re.compile(r"m[^m]+")

    class GlyphCollector(PDFTextDevice):
        """Collects pdfplumber-shaped glyph dictionaries; stops at any painting."""

        def __init__(self, rsrcmgr: Any, page: Any) -> None:
            super().__init__(rsrcmgr)
            self.chars: list[dict[str, Any]] = []
            self.horizontal = 0  # straight lines as pdfplumber's table finder orients their edges
            self.vertical = 0
            self._height = float(page.height)
            self._mb_x0, self._mb_top = (float(v) for v in page.mediabox[:2])
            self._doctop = float(page.initial_doctop)

        def begin_figure(self, name: str, bbox: Any, matrix: Any) -> None:
            raise _NotTextOnly(_NOT_TEXT_ONLY)

        def paint_path(self, gstate: Any, stroke: bool, fill: bool, evenodd: bool, path: Any) -> None:
            # Mirrors pdfminer's PDFLayoutAnalyzer.paint_path: only "ml"/"mlh" subpaths are lines.
            shape = "".join(str(x[0]) for x in path)
            if shape[:1] != "m":
                return
            if shape.count("m") > 1:
                for m in subpath.finditer(shape):
                    self.paint_path(gstate, stroke, fill, evenodd, path[m.start(0) : m.end(0)])
                return
            if shape not in ("ml", "mlh"):
                raise _NotTextOnly(_NOT_TEXT_ONLY)  # a rectangle or a curve
            ctm = self.ctm
            assert ctm is not None  # set by the interpreter before any painting
            (_x0, y0), (_x1, y1) = (apply_matrix_pt(ctm, (float(p[-2]), float(p[-1]))) for p in path[:2])
            if y0 == y1:  # pdfplumber: "h" when top == bottom, else "v"
                self.horizontal += 1
            else:
                self.vertical += 1

        def render_image(self, name: str, stream: Any) -> None:
            raise _NotTextOnly(_NOT_TEXT_ONLY)

        def render_char(
            self,
            matrix: Any,
            font: Any,
            fontsize: float,
            scaling: float,
            rise: float,
            cid: int,
            ncs: Any,
            graphicstate: Any,
        ) -> float:
            # The arithmetic of pdfminer's PDFLayoutAnalyzer.render_char + LTChar.__init__, in the
            # same order, so the floats are identical.
            if font.is_vertical() or not isinstance(font.fontname, str):
                raise _NotTextOnly("vertical writing or an undecodable font name")
            try:
                text = font.to_unichr(cid)
            except PDFUnicodeNotDefined:
                text = f"(cid:{cid})"
            adv = font.char_width(cid) * fontsize * scaling
            descent = font.get_descent() * fontsize
            (a, b, c, d, _e, _f) = matrix
            x0, y0, x1, y1 = apply_matrix_rect(matrix, (0, descent + rise, adv, descent + rise + fontsize))
            if x1 < x0:
                (x0, x1) = (x1, x0)
            if y1 < y0:
                (y0, y1) = (y1, y0)
            # pdfplumber's Page.process_object: page coordinates measured from the top.
            top = (self._height - y1) + self._mb_top
            if self._mb_x0 != 0:
                x0, x1 = x0 + self._mb_x0, x1 + self._mb_x0
            self.chars.append(
                {
                    "object_type": "char",
                    "text": text,
                    "fontname": font.fontname,
                    "size": y1 - y0,
                    "upright": a * d * scaling > 0 and b * c <= 0,
                    "x0": x0,
                    "x1": x1,
                    "top": top,
                    "bottom": (self._height - y0) + self._mb_top,
                    "doctop": self._doctop + top,
                    "width": x1 - x0,
                    "height": y1 - y0,
                }
            )
            return adv

    return GlyphCollector


_COLLECTOR: type | None = None


def text_only_lines(pdf: Any, page: Any) -> list[dict[str, Any]] | None:
    """``page.extract_text_lines(return_chars=True, strip=True)`` for a page that only draws text,
    computed without pdfplumber's object layer; ``None`` if the page paints anything else.

    ``pdf`` is the open ``pdfplumber.PDF`` (its resource manager caches fonts across pages) and
    ``page`` one of its pages. pdfminer errors propagate as they would from pdfplumber.
    """
    global _COLLECTOR
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.utils.text import chars_to_textmap

    if page.rotation % 360:
        return None
    if _COLLECTOR is None:
        _COLLECTOR = _device_class()
    device = _COLLECTOR(pdf.rsrcmgr, page)
    try:
        PDFPageInterpreter(pdf.rsrcmgr, device).process_page(page.page_obj)
    except _NotTextOnly:
        return None
    if device.horizontal >= 3 and device.vertical >= 3:  # enough rules for a ruled table
        return None
    if not device.chars:
        return []
    textmap = chars_to_textmap(
        device.chars, layout_bbox=page.bbox, layout_width=page.width, layout_height=page.height
    )
    lines: list[dict[str, Any]] = textmap.extract_text_lines(strip=True, return_chars=True)
    return lines
