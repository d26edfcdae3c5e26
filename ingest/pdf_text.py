"""The fast road to a PDF page's objects: glyph boxes straight from pdfminer, paths as pdfplumber.

pdfplumber turns every pdfminer object on a page into a dictionary of every attribute it has
(colours, matrices, marked content...) before it can find tables or group text into lines; on a
page of text that is about two thirds of the parse time, and a page has thousands of glyphs and a
few dozen paths. Here pdfminer's page interpreter (reading the content stream with the quick,
exact reader of ``ingest.pdf_content``) drives pdfplumber's own layout device with one change:
each glyph becomes a small dictionary computed exactly as pdfminer's ``LTChar`` and pdfplumber's
``Page.process_object`` compute it, in the device's string loop itself, keeping only what line
grouping, table extraction and filtering read, instead of an ``LTChar`` that is converted later.
Paths (rules, boxes, curves) are left to the device and converted by ``Page.process_object``, so
the table finder sees the very edges it would have seen. The result is installed as the page's
objects, and pdfplumber's own ``find_tables`` and ``filter`` run on it (text lines come from
``ingest.pdf_lines``, which gives pdfplumber's): the lines and tables are the ones the full object
layer gives, at about half the cost.

A page with an image or a form XObject, vertical writing, a rotated page or a byte-string font
name returns ``None`` and is read by the full pdfplumber path (``ingest.pdf``): those are the
cases where the glyph arithmetic below is not the one pdfminer would do, or where a picture needs
pdfplumber's image objects.

pypdf was tried for this job too: its content-stream walk is quicker still, but it gives text
runs, not glyph boxes, and rebuilding those (font metrics, descent, encodings, ToUnicode maps)
would be a second text engine that could drift from the first; pdfplumber's line grouping, which
both roads would share, is then the larger part of what is left.
"""

from __future__ import annotations

import functools
from typing import Any

PageObjects = dict[str, list[dict[str, Any]]]


class _NeedsFullPath(Exception):
    """Raised inside the interpreter at the first thing the fast road does not reproduce."""


@functools.cache
def _device_class() -> type:
    from pdfminer.pdffont import PDFUnicodeNotDefined
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    class GlyphCollector(PDFPageAggregatorWithMarkedContent):
        """pdfplumber's layout device, with glyphs collected as dictionaries; stops at pictures."""

        def __init__(self, rsrcmgr: Any, page: Any, glyphs: dict[Any, Any]) -> None:
            super().__init__(rsrcmgr, pageno=page.page_number, laparams=None)
            self._glyphs = glyphs  # (font, cid) -> (text, width, descent), shared across pages
            self.chars: list[dict[str, Any]] = []
            self._height = float(page.height)
            self._mb_x0, self._mb_top = (float(v) for v in page.mediabox[:2])
            self._doctop = float(page.initial_doctop)

        def begin_figure(self, name: str, bbox: Any, matrix: Any) -> None:
            raise _NeedsFullPath("a form or image XObject")

        def render_image(self, name: str, stream: Any) -> None:  # pragma: no cover - inside a figure
            raise _NeedsFullPath("an image")

        def render_char(self, *args: Any) -> float:
            # Only render_string_vertical still calls this: the horizontal case is inlined below.
            raise _NeedsFullPath("vertical writing")

        def render_string_horizontal(
            self,
            seq: Any,
            matrix: Any,
            pos: Any,
            font: Any,
            fontsize: float,
            scaling: float,
            charspace: float,
            wordspace: float,
            rise: float,
            dxscale: float,
            ncs: Any,
            graphicstate: Any,
        ) -> Any:
            # pdfminer's PDFTextDevice.render_string_horizontal with its render_char call inlined:
            # the arithmetic of utils.translate_matrix, PDFLayoutAnalyzer.render_char and
            # LTChar.__init__ (and of apply_matrix_rect), in the same order, so the floats are
            # identical; then pdfplumber's Page.process_object (coordinates from the page's top).
            if not isinstance(font.fontname, str):  # (vertical fonts go to render_string_vertical)
                raise _NeedsFullPath("an undecodable font name")
            glyphs, chars, fontname = self._glyphs, self.chars, font.fontname
            height, mb_x0, mb_top, doctop = self._height, self._mb_x0, self._mb_top, self._doctop
            (a, b, c, d, e0, f0) = matrix
            upright = a * d * scaling > 0 and b * c <= 0
            (x, y) = pos
            needcharspace = False
            for obj in seq:
                if isinstance(obj, (int, float)):
                    x -= obj * dxscale
                    needcharspace = True
                    continue
                if not isinstance(obj, bytes):
                    raise _NeedsFullPath("a text operand that is neither a number nor a string")
                for cid in font.decode(obj):
                    if needcharspace:
                        x += charspace
                    known = glyphs.get((font, cid))
                    if known is None:
                        try:
                            text = font.to_unichr(cid)
                        except PDFUnicodeNotDefined:
                            text = f"(cid:{cid})"
                        known = glyphs[(font, cid)] = (text, font.char_width(cid), font.get_descent())
                    text, width, font_descent = known
                    e, f = x * a + y * c + e0, x * b + y * d + f0
                    adv = width * fontsize * scaling
                    descent = font_descent * fontsize
                    bottom, top_ = descent + rise, descent + rise + fontsize
                    left1, bottom1 = a * 0 + c * bottom + e, b * 0 + d * bottom + f
                    right1, bottom2 = a * adv + c * bottom + e, b * adv + d * bottom + f
                    right2, top1 = a * adv + c * top_ + e, b * adv + d * top_ + f
                    left2, top2 = a * 0 + c * top_ + e, b * 0 + d * top_ + f
                    x0, y0 = min(left1, left2, right1, right2), min(bottom1, bottom2, top1, top2)
                    x1, y1 = max(left1, left2, right1, right2), max(bottom1, bottom2, top1, top2)
                    top = (height - y1) + mb_top
                    if mb_x0 != 0:
                        x0, x1 = x0 + mb_x0, x1 + mb_x0
                    chars.append(
                        {
                            "object_type": "char",
                            "text": text,
                            "fontname": fontname,
                            "size": y1 - y0,
                            "upright": upright,
                            "x0": x0,
                            "x1": x1,
                            "top": top,
                            "bottom": (height - y0) + mb_top,
                            "doctop": doctop + top,
                            "width": x1 - x0,
                            "height": y1 - y0,
                        }
                    )
                    x += adv
                    if cid == 32 and wordspace:
                        x += wordspace
                    needcharspace = True
            return (x, y)

    return GlyphCollector


def page_objects(pdf: Any, page: Any, glyphs: dict[Any, Any] | None = None) -> PageObjects | None:
    """The page's objects as ``page.objects`` would give them (glyphs with the keys text work
    reads), without pdfplumber's object layer; ``None`` if the page needs the full path.

    ``pdf`` is the open ``pdfplumber.PDF`` (its resource manager caches fonts across pages) and
    ``page`` one of its pages; ``glyphs`` caches each font's glyph text and metrics across the
    document's pages (pass one dict per document). pdfminer errors propagate as they would from
    pdfplumber.
    """
    from ingest.pdf_content import fast_interpreter_class

    if page.rotation % 360:
        return None
    device = _device_class()(pdf.rsrcmgr, page, {} if glyphs is None else glyphs)
    try:
        fast_interpreter_class()(pdf.rsrcmgr, device).process_page(page.page_obj)
    except _NeedsFullPath:
        return None
    objects: PageObjects = {}
    if device.chars:
        objects["char"] = device.chars
    for item in device.get_result()._objs:  # paths only: glyphs were collected above
        obj = page.process_object(item)
        objects.setdefault(obj["object_type"], []).append(obj)
    return objects


def install(page: Any, objects: PageObjects) -> None:
    """Make ``objects`` the page's objects, so pdfplumber's methods on ``page`` read them."""
    page._objects = objects
