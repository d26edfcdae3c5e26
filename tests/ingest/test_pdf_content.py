"""The quick content-stream reader yields exactly pdfminer's objects, or steps aside (``None``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.pdf_content import read_objects

REPO = Path(__file__).resolve().parents[2]
SAMPLE_PDFS = sorted((REPO / "data" / "samples").glob("*.pdf"))


def pdfminer_objects(streams: list[bytes]) -> list[Any]:
    """What pdfminer's own content parser yields for these decoded streams (the reference)."""
    from pdfminer.pdfinterp import PDFContentParser
    from pdfminer.pdftypes import PDFStream
    from pdfminer.psparser import PSEOF

    try:
        parser = PDFContentParser([PDFStream({}, data) for data in streams])
    except PSEOF:
        return []
    out = []
    while True:
        try:
            out.append(parser.nextobject()[1])
        except PSEOF:
            return out


SAME = [
    b"BT /F1 10.5 Tf 1 0 0 1 72 700 Tm (Hello, world) Tj ET",
    b"[<0102>-5<03>12.5<0A0b>]TJ",  # LibreOffice's kerned hex runs
    b"[(A)-120(B)]TJ 0 -14 Td T* (x) ' 1 2 (y) \"",
    b"1.2.3 -.5 +7 007 5. 0g 1-2",  # pdfminer's number grammar, followed to the letter
    b"(\\2433 and \\(brackets\\) \\\\ \\n\\r\\t\\b\\f) Tj (\\0) Tj (\\101B) Tj",
    b"<48 65\n6c6C 6F> Tj <> Tj <ABC> Tj",  # spaces inside, empty, odd length
    b"/Name /Caf\xc3\xa9 /\xff\xfe / BDC true false null",
    b"/Span << /MCID 3 /Lang (cy-GB) /Sub << /A [1 2] >> >> BDC EMC",
    b"% a comment\nq 1 0 0 1 0 0 cm % another\rQ",
    b"\x00q\x00 Q\x00",  # NUL bytes between tokens are skipped, inside a keyword they stay
    b"",
    b"   \n",
]


@pytest.mark.parametrize("stream", SAME)
def test_plain_streams_give_pdfminers_objects(stream: bytes) -> None:
    ours = read_objects([stream])
    assert ours is not None
    assert repr(ours) == repr(pdfminer_objects([stream]))  # repr: 1 and 1.0 differ, lists nest


def test_a_token_ends_where_a_stream_ends_as_pdfminer_reads_it() -> None:
    streams = [b"BT /F1 12 Tf (a) Tj", b"ET q", b"[<01>", b"-3<02>]TJ Q"]
    ours = read_objects(streams)
    assert ours is not None and repr(ours) == repr(pdfminer_objects(streams))
    assert repr(ours[-3]) == repr([b"\x01", -3, b"\x02"])  # an array may span two streams


STEP_ASIDE = [
    b"BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI",  # inline image: pdfminer reads raw bytes
    b"1 ID 2",  # an image's data marker outside an image: pdfminer drops it
    b"{ 1 2 add }",  # procedures
    b"/A#20B BDC",  # a name with a # escape
    b"(outer (inner) outer) Tj",  # nested parentheses
    b"(\\q) Tj",  # an escape pdfminer reads its own way (drops the letter)
    b"(\\777) Tj",  # past 255: pdfminer fails an assertion
    b"(line\\\ncontinued) Tj",
    b"1 0 0 1 0 0 cm > Q",  # a stray closing bracket
    b"<01>>> Q",  # a hex string run into a dictionary end
    b"[1 2 >>",  # mismatched brackets
    b"[1 2",  # left open
    b"<< /A >>",  # odd dictionary: pdfminer raises
    b"- Tj",  # a sign with no digits: pdfminer drops it
    b"* Tj",
    b"(unterminated",
]


@pytest.mark.parametrize("stream", STEP_ASIDE)
def test_anything_else_is_left_to_pdfminer(stream: bytes) -> None:
    assert read_objects([stream]) is None


def test_a_bare_slash_ending_a_stream_is_left_to_pdfminer() -> None:
    streams = [b"BT /", b"F1 12 Tf"]  # pdfminer reads /F1 across the two streams
    assert read_objects(streams) is None
    assert repr(pdfminer_objects(streams)[1]) == "/'F1'"


_FRAGMENTS = st.sampled_from([
    b"BT", b"ET", b"Tj", b"TJ", b"T*", b"'", b'"', b"0", b"-1", b"+2", b"3.5", b".5", b"5.", b"-.", b"1.2.3",
    b"/F1", b"/", b"/a#20", b"(a)", b"(a\\)b)", b"(\\2433)", b"(\\q)", b"(", b")", b"<01>", b"<0A 1>", b"<>",
    b"<", b">", b"<<", b">>", b"[", b"]", b"{", b"}", b"true", b"false", b"%c", b"\x00", b"BI", b"ID", b"EI",
    b"\xc3\xa9", b"#", b"\\", b"(\\n\\0123)", b"(\\\r\n)", b"(a\rb)", b"1e5", b"+.5", b"\x80", b"/A", b"Tf1",
])
_SEPARATORS = st.sampled_from([b"", b" ", b"\n", b"\r\n", b"\t", b"\x00", b"  "])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_FRAGMENTS, _SEPARATORS), max_size=24), st.integers(min_value=0, max_value=3))
def test_on_any_mix_of_fragments_it_agrees_with_pdfminer_or_steps_aside(
    parts: list[tuple[bytes, bytes]], splits: int
) -> None:
    data = b"".join(f + s for f, s in parts)
    cut = len(data) * splits // 4
    streams = [data[:cut], data[cut:]] if splits else [data]
    ours = read_objects(streams)
    if ours is None:
        return
    try:
        expected = pdfminer_objects(streams)
    except Exception as exc:  # noqa: BLE001 - pdfminer failing where we read: a difference
        pytest.fail(f"pdfminer raised {exc!r} where the quick reader gave {ours!r}")
    assert repr(ours) == repr(expected)


# LibreOffice's PDFs (kerned hex runs) beside reportlab's samples (literal strings): every tenth.
HELDOUT_PDFS = sorted((REPO / "data" / "heldout").glob("*/built/*.pdf"))[::10]


def _pages_read_identically(paths: list[Path]) -> int:
    import io

    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import list_value, stream_value

    pages = 0
    for path in paths:
        document = PDFDocument(PDFParser(io.BytesIO(path.read_bytes())))
        for number, page in enumerate(PDFPage.create_pages(document), start=1):
            streams = [stream_value(s).get_data() for s in list_value(page.contents)]
            ours = read_objects(streams)
            assert ours is not None, f"{path.name} page {number}"
            assert repr(ours) == repr(pdfminer_objects(streams)), f"{path.name} page {number}"
            pages += 1
    return pages


@pytest.mark.skipif(not SAMPLE_PDFS, reason="no built samples in data/samples")
def test_every_page_of_the_sample_pdfs_is_read_quickly_and_identically() -> None:
    assert _pages_read_identically(SAMPLE_PDFS) >= 8


@pytest.mark.skipif(not HELDOUT_PDFS, reason="no built held-out PDFs in data/heldout")
def test_pages_of_another_producers_pdfs_are_read_quickly_and_identically() -> None:
    assert _pages_read_identically(HELDOUT_PDFS) >= len(HELDOUT_PDFS)
