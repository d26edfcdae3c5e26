"""ingest.pdf_lines gives exactly the text lines pdfplumber's extract_text_lines gives."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from pdfplumber.utils import chars_to_textmap

from ingest.pdf_lines import LIGATURES, TOLERANCE, text_lines

REPO = Path(__file__).resolve().parents[2]
PDFS = sorted((REPO / "data" / "samples").glob("*.pdf"))
PDFS += sorted((REPO / "data" / "heldout" / "dev" / "built").glob("*.pdf"))  # another producer (LibreOffice)


def _reference(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    textmap = chars_to_textmap(chars, layout_bbox=(0, 0, 612, 842))  # (the box is read only for layout)
    lines: list[dict[str, Any]] = textmap.extract_text_lines(strip=True, return_chars=True)
    return lines


def _same(got: list[dict[str, Any]] | None, expected: list[dict[str, Any]]) -> bool:
    assert got is not None
    keys = ("text", "x0", "top", "x1", "bottom")
    return len(got) == len(expected) and all(
        [g[k] for k in keys] == [e[k] for k in keys]
        and len(g["chars"]) == len(e["chars"])
        and all(a is b for a, b in zip(g["chars"], e["chars"], strict=True))
        for g, e in zip(got, expected, strict=True)
    )


def _glyph(text: str, x0: float, top: float, width: float = 5.0, size: float = 10.0) -> dict[str, Any]:
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + size, "doctop": top, "upright": True}


# Glyph texts with every case the word and line rules treat apart: letters, ligatures (one glyph,
# two or three letters), blanks, an empty text, multi-letter texts with spaces at either end.
TEXTS = ["a", "b", "C", "1", ".", "ﬁ", "ﬀ", "ﬃ", " ", "\u00a0", "", "ab", " a", "a ", "\t", "é"]


def test_the_constants_are_pdfplumbers() -> None:
    from pdfplumber.utils import text

    assert LIGATURES == text.LIGATURES
    assert TOLERANCE == text.DEFAULT_X_TOLERANCE == text.DEFAULT_Y_TOLERANCE


@pytest.mark.parametrize("seed", range(300))
def test_random_pages_give_pdfplumbers_lines(seed: int) -> None:
    rng = random.Random(seed)
    bands = sorted(rng.uniform(50, 800) for _ in range(rng.randint(1, 8)))
    chars = []
    for _ in range(rng.randint(0, 120)):
        top = rng.choice(bands) + rng.choice([0.0, 0.0, rng.uniform(-4, 4)])  # jitter chains bands
        x0 = rng.choice([rng.uniform(40, 500), round(rng.uniform(40, 60))])  # ties on x0 too
        chars.append(_glyph(rng.choice(TEXTS), x0, top, width=rng.choice([0.0, 3.0, 5.5, 9.0])))
    assert _same(text_lines(chars), _reference(chars))


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["H", "i", " ", "t", "h", "e", "r", "e"], ["Hi there"]),
        (["ﬁ", "n", "e"], ["fine"]),
        ([" ", " "], []),
        (["a", "", "b"], ["a  b"]),  # an empty glyph is a word of its own, a space either side
    ],
)
def test_one_line_table(texts: list[str], expected: list[str]) -> None:
    chars = [_glyph(t, 10.0 + 5.0 * i, 100.0) for i, t in enumerate(texts)]
    got = text_lines(chars)
    assert got is not None
    assert [line["text"] for line in got] == expected
    assert _same(got, _reference(chars))


def test_a_gap_wider_than_the_tolerance_starts_a_word_and_a_lower_band_a_line() -> None:
    chars = [_glyph("a", 10, 100), _glyph("b", 15, 100), _glyph("c", 24, 101), _glyph("d", 10, 120)]
    got = text_lines(chars)
    assert got is not None
    assert [line["text"] for line in got] == ["ab c", "d"]
    assert got[0]["chars"] == chars[:3]


def test_rotated_glyphs_and_line_breaks_inside_text_are_left_to_pdfplumber() -> None:
    assert text_lines([{**_glyph("a", 10, 10), "upright": False}]) is None
    assert text_lines([_glyph("a\nb", 10, 10)]) is None
    blank_break = [_glyph("\n", 10, 10), _glyph("a", 20, 10)]  # a blank glyph: no word, handled here
    assert _same(text_lines(blank_break), _reference(blank_break))


@pytest.mark.skipif(not PDFS, reason="no built PDFs")
def test_every_page_of_the_sample_and_dev_pdfs_gives_pdfplumbers_lines() -> None:
    import pdfplumber

    from ingest.pdf_text import install, page_objects

    pages = 0
    for path in PDFS:
        with pdfplumber.open(str(path)) as doc:
            glyphs: dict[Any, Any] = {}
            for page in doc.pages:
                objects = page_objects(doc, page, glyphs)
                if objects is not None:
                    install(page, objects)
                assert _same(text_lines(page.chars), page.extract_text_lines(strip=True, return_chars=True)), (
                    f"{path.name} page {page.page_number}"
                )
                pages += 1
    assert pages > 50
