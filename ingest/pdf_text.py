"""The fast road to a PDF page's objects: glyph boxes straight from pdfminer, paths as pdfplumber.

pdfplumber turns every pdfminer object on a page into a dictionary of every attribute it has
(colours, matrices, marked content...) before it can find tables or group text into lines; on a
page of text that is about two thirds of the parse time, and a page has thousands of glyphs and a
few dozen paths. Here pdfminer's page interpreter drives pdfplumber's own layout device with one
change: each glyph becomes a small dictionary computed exactly as pdfminer's ``LTChar`` and
pdfplumber's ``Page.process_object`` compute it, keeping only what line grouping, table
extraction and filtering read, instead of an ``LTChar`` that is converted later. Paths (rules,
boxes, curves) are left to the device and converted by ``Page.process_object``, so the table
finder sees the very edges it would have seen. The result is installed as the page's objects,
and pdfplumber's own ``find_tables``, ``filter`` and ``extract_text_lines`` run on it: the lines
and tables are the ones the full object layer gives, at about half the cost.

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

from typing import Any

PageObjects = dict[str, list[dict[str, Any]]]


class _NeedsFullPath(Exception):
    """Raised inside the interpreter at the first thing the fast road does not reproduce."""


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
            # The arithmetic of pdfminer's PDFLayoutAnalyzer.render_char + LTChar.__init__ (and of
            # apply_matrix_rect, inlined), in the same order, so the floats are identical.
            known = self._glyphs.get((font, cid))
            if known is None:
                if font.is_vertical() or not isinstance(font.fontname, str):
                    raise _NeedsFullPath("vertical writing or an undecodable font name")
                try:
                    text = font.to_unichr(cid)
                except PDFUnicodeNotDefined:
                    text = f"(cid:{cid})"
                known = self._glyphs[(font, cid)] = (text, font.char_width(cid), font.get_descent())
            text, width, font_descent = known
            adv = width * fontsize * scaling
            descent = font_descent * fontsize
            (a, b, c, d, e, f) = matrix
            bottom, top_ = descent + rise, descent + rise + fontsize
            left1, bottom1 = a * 0 + c * bottom + e, b * 0 + d * bottom + f
            right1, bottom2 = a * adv + c * bottom + e, b * adv + d * bottom + f
            right2, top1 = a * adv + c * top_ + e, b * adv + d * top_ + f
            left2, top2 = a * 0 + c * top_ + e, b * 0 + d * top_ + f
            x0, y0 = min(left1, left2, right1, right2), min(bottom1, bottom2, top1, top2)
            x1, y1 = max(left1, left2, right1, right2), max(bottom1, bottom2, top1, top2)
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


def page_objects(pdf: Any, page: Any, glyphs: dict[Any, Any] | None = None) -> PageObjects | None:
    """The page's objects as ``page.objects`` would give them (glyphs with the keys text work
    reads), without pdfplumber's object layer; ``None`` if the page needs the full path.

    ``pdf`` is the open ``pdfplumber.PDF`` (its resource manager caches fonts across pages) and
    ``page`` one of its pages; ``glyphs`` caches each font's glyph text and metrics across the
    document's pages (pass one dict per document). pdfminer errors propagate as they would from
    pdfplumber.
    """
    global _COLLECTOR
    from pdfminer.pdfinterp import PDFPageInterpreter

    if page.rotation % 360:
        return None
    if _COLLECTOR is None:
        _COLLECTOR = _device_class()
    device = _COLLECTOR(pdf.rsrcmgr, page, {} if glyphs is None else glyphs)
    try:
        PDFPageInterpreter(pdf.rsrcmgr, device).process_page(page.page_obj)
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
