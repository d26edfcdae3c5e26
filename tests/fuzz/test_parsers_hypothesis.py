"""Property: any bytes under any supported name either parse to a sound review or raise IngestError.

Inputs are random bytes (with and without a format's magic prefix) and sample files mutated by
hypothesis: bit flips, byte overwrites, truncation, inserted junk and format tokens, deleted
ranges, and for DOCX the same edits made inside ``word/document.xml`` and re-zipped (so the XML
reader, not only the ZIP reader, sees hostile input). Runs are derandomised (same examples every
run) and bounded; the long run is ``python -m bench.fuzz_parsers``.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz_parsers import check_parsed
from ingest.errors import IngestError
from ingest.pipeline import parse_bytes
from tests.conftest import SAMPLES
from tests.fuzz.bombs import build_pdf

EXTENSIONS = (".pdf", ".docx", ".md", ".txt", ".markdown")
PREFIXES = (b"", b"%PDF-1.7\n", b"PK\x03\x04", b"PK\x05\x06", b"\xef\xbb\xbf", b"\xff\xfe", b"# ")
TOKENS = (
    b"%%EOF", b"obj", b"endobj", b"stream\n", b"endstream", b"xref", b"trailer", b"<<", b">>", b"(", b")",
    b"/Length 99999999", b"/Count 1000000", b"/Type /Page", b"BT", b"ET", b"Tj", b"-1", b"1e308",
    b"<w:p>", b"</w:p>", b"<w:t>", b"</w:t>", b"<w:tbl>", b"&#0;", b"&amp;", b"]]>",
    b'<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    b"\n# ", b"\n1. ", b"\r", b"\x00", b"\xe2\x80\xae", b"Recommendation 1", b"| a | b |",
)
SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def assert_sound_or_ingest_error(data: bytes, name: str) -> None:
    """The property: a review whose offsets hold, or a documented IngestError - nothing else."""
    try:
        parsed = parse_bytes(data, name)
    except IngestError as exc:
        assert exc.code and exc.reason and "\n" not in exc.reason
        return
    assert check_parsed(parsed) is None, check_parsed(parsed)


@cache
def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def _smallest(suffix: str) -> str:
    return min((p for p in SAMPLES.iterdir() if p.suffix == suffix), key=lambda p: p.stat().st_size).name


MD = _smallest(".md")
DOCX = _smallest(".docx")
PDF = _smallest(".pdf")


@cache
def tiny_pdf() -> bytes:
    """A one-page PDF with an uncompressed content stream: mutations land in text operators."""
    content = (
        b"BT /F1 14 Tf 72 760 Td (Concise Child Practice Review: Child A) Tj ET\n"
        b"BT /F1 11 Tf 72 720 Td (1.1 The health visitor did not see Child A alone.) Tj ET\n"
        b"BT /F1 11 Tf 72 700 Td (Recommendation 1: the Board should seek assurance.) Tj ET"
    )
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
            b"/Resources << /Font << /F1 4 0 R >> >> >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
        ]
    )


@st.composite
def mutated(draw: st.DrawFn, data: bytes, max_ops: int = 6) -> bytes:
    """``data`` with a few hypothesis-chosen edits."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(("flip", "byte", "truncate", "insert", "token", "delete")))
        pos = draw(st.integers(0, max(0, len(buf) - 1)))
        if op == "flip" and buf:
            buf[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte" and buf:
            buf[pos] = draw(st.integers(0, 255))
        elif op == "truncate":
            del buf[pos:]
        elif op == "insert":
            buf[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "token":
            buf[pos:pos] = draw(st.sampled_from(TOKENS))
        elif op == "delete":
            del buf[pos : pos + draw(st.integers(1, 512))]
    return bytes(buf)


@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=2048),
    ext=st.sampled_from(EXTENSIONS),
)
@SETTINGS
def test_random_bytes_under_every_extension(prefix: bytes, body: bytes, ext: str) -> None:
    assert_sound_or_ingest_error(prefix + body, "random" + ext)


@given(text=st.text(max_size=3000), ext=st.sampled_from((".md", ".txt", ".markdown")))
@SETTINGS
def test_random_unicode_text(text: str, ext: str) -> None:
    assert_sound_or_ingest_error(text.encode("utf-8", "surrogatepass"), "random" + ext)


@given(data=st.data())
@settings(SETTINGS, max_examples=40)
def test_mutated_markdown_sample(data: st.DataObject) -> None:
    assert_sound_or_ingest_error(data.draw(mutated(sample(MD))), MD)


@given(data=st.data())
@settings(SETTINGS, max_examples=25)
def test_mutated_docx_bytes(data: st.DataObject) -> None:
    assert_sound_or_ingest_error(data.draw(mutated(sample(DOCX), max_ops=3)), DOCX)


@cache
def docx_members() -> tuple[tuple[str, bytes], ...]:
    with zipfile.ZipFile(io.BytesIO(sample(DOCX))) as archive:
        return tuple((i.filename, archive.read(i)) for i in archive.infolist())


@given(data=st.data(), stored=st.booleans())
@settings(SETTINGS, max_examples=15)
def test_mutated_docx_xml_rezipped(data: st.DataObject, stored: bool) -> None:
    members = list(docx_members())
    index = data.draw(st.sampled_from([i for i, (n, _) in enumerate(members) if n.endswith(".xml")]))
    name, xml = members[index]
    members[index] = (name, data.draw(mutated(xml)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for member, content in members:
            archive.writestr(member, content)
    assert_sound_or_ingest_error(buf.getvalue(), DOCX)


@given(data=st.data())
@settings(SETTINGS, max_examples=30)
def test_mutated_tiny_pdf(data: st.DataObject) -> None:
    assert_sound_or_ingest_error(data.draw(mutated(tiny_pdf())), "tiny.pdf")


@given(data=st.data())
@settings(SETTINGS, max_examples=8)
def test_mutated_sample_pdf(data: st.DataObject) -> None:
    assert_sound_or_ingest_error(data.draw(mutated(sample(PDF), max_ops=3)), PDF)


def test_the_unmutated_seeds_parse_soundly() -> None:
    """The seeds themselves are valid reviews (so mutations start from real structure)."""
    for name, data in ((MD, sample(MD)), (DOCX, sample(DOCX)), (PDF, sample(PDF)), ("tiny.pdf", tiny_pdf())):
        parsed = parse_bytes(data, name)
        assert parsed.passages, name
        assert check_parsed(parsed) is None
    assert Path(SAMPLES / MD).exists()
