"""Every kind of bad file is refused with its own IngestError subclass and a one-line reason."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ingest.errors import (
    CorruptDocumentError,
    DocumentTooComplexError,
    EmptyFileError,
    EncryptedDocumentError,
    FileTooLargeError,
    IngestError,
    MislabelledFileError,
    NoTextLayerError,
    UnsupportedFormatError,
)
from ingest.limits import Limits
from ingest.pipeline import parse_bytes, parse_file
from tests.ingest.helpers import make_docx, make_pdf

BODY = [("h1", "Concise Child Practice Review re: Child A"), ("h2", "Recommendations")] + [
    ("body", f"Paragraph {n}: the Board should seek assurance that partners share information early.")
    for n in range(40)
]


def _pdf() -> bytes:
    return make_pdf(BODY)


def _encrypted_pdf(password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.encrypt(user_password=password, owner_password="owner-secret")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _image_only_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    for _ in range(2):
        pdf.rect(100, 100, 300, 400, fill=1)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>" + b"\0" * (20 * 1024 * 1024))
    return buf.getvalue()


def _lying_zip() -> bytes:
    """A DOCX whose directory under-states a member's inflated size (patched after writing)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>" + b" " * (2 * 1024 * 1024))
    data = bytearray(buf.getvalue())
    size = (2 * 1024 * 1024 + 13).to_bytes(4, "little")
    for at in (i for i in range(len(data) - 4) if data[i : i + 4] == size):
        data[at : at + 4] = (100).to_bytes(4, "little")
    return bytes(data)


def _form_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.beginForm("box")
    for n in range(400):
        pdf.drawString(10, 10 + n, "Form text repeated to make the form stream large. " * 3)
    pdf.endForm()
    pdf.drawString(72, 720, "Child A was seen at home.")
    pdf.doForm("box")
    pdf.save()
    return buf.getvalue()


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + bytes(64)


CASES = [
    ("zero-byte.pdf", lambda: b"", EmptyFileError, "empty"),
    ("report.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), UnsupportedFormatError, ".docx"),
    ("report.odt", lambda: b"PK\x03\x04" + bytes(40), UnsupportedFormatError, ".pdf"),
    ("scan.png", _png, UnsupportedFormatError, "not supported"),
    ("picture.pdf", _png, MislabelledFileError, "actually a PNG image"),
    ("review.docx", _pdf, MislabelledFileError, "actually a PDF"),
    ("review.pdf", lambda: make_docx(lambda d: d.add_paragraph("Hello")), MislabelledFileError, "Word"),
    ("notes.txt", _pdf, MislabelledFileError, "actually a PDF"),
    ("review.pdf", lambda: b"Plain words only.", MislabelledFileError, "plain text"),
    ("truncated.pdf", lambda: _pdf()[: len(_pdf()) // 2], CorruptDocumentError, "truncated"),
    ("locked.pdf", lambda: _encrypted_pdf("secret"), EncryptedDocumentError, "password"),
    ("scan.pdf", _image_only_pdf, NoTextLayerError, "OCR"),
    (
        "locked.docx",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024),
        EncryptedDocumentError,
        "password",
    ),
    ("bomb.docx", _zip_bomb, DocumentTooComplexError, "zip bomb"),
    ("broken.docx", lambda: b"PK\x03\x04" + bytes(100), CorruptDocumentError, "damaged"),
    ("lying.docx", _lying_zip, CorruptDocumentError, "damaged"),
]


@pytest.mark.parametrize(("name", "make", "error", "phrase"), CASES, ids=[c[0] + "-" + c[2].__name__ for c in CASES])
def test_bad_file_is_refused_with_a_one_line_reason(
    tmp_path: Path, name: str, make: object, error: type[IngestError], phrase: str
) -> None:
    path = tmp_path / name
    path.write_bytes(make())  # type: ignore[operator]
    with pytest.raises(error) as caught:
        parse_file(path)
    assert phrase.lower() in caught.value.reason.lower()
    assert "\n" not in str(caught.value)
    assert caught.value.path == str(path)


def test_encrypted_pdf_with_empty_user_password_is_parsed() -> None:
    review = parse_bytes(_encrypted_pdf(""), "open.pdf")
    assert review.metadata.subject == "Child A"
    assert review.page_count is not None and review.page_count >= 1


@pytest.mark.parametrize(
    ("limits", "data", "name", "error"),
    [
        (Limits(max_bytes=100), b"x" * 101, "big.txt", FileTooLargeError),
        (Limits(max_chars=50), ("Words " * 40).encode(), "long.md", DocumentTooComplexError),
        (Limits(max_pages=1), None, "pages.pdf", DocumentTooComplexError),
        (Limits(max_decompressed_bytes=1000), None, "inflated.docx", DocumentTooComplexError),
        (Limits(max_decompressed_bytes=1000), None, "inflated.pdf", DocumentTooComplexError),
        (Limits(max_decompressed_bytes=60_000), _form_pdf(), "form.pdf", DocumentTooComplexError),
    ],
    ids=["bytes", "chars", "pages", "docx-decompressed", "pdf-decompressed", "pdf-form-decompressed"],
)
def test_caps_from_a_tiny_limits(limits: Limits, data: bytes | None, name: str, error: type[IngestError]) -> None:
    if data is None:
        data = _pdf() if name.endswith(".pdf") else make_docx(lambda d: d.add_paragraph("Some text."))
    with pytest.raises(error):
        parse_bytes(data, name, limits=limits)


def test_file_missing_on_disk_is_an_ingest_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError):
        parse_file(tmp_path / "nowhere.pdf")
