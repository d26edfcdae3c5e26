"""Inputs the mutation fuzzer (``python -m bench.fuzz_parsers``) found, reduced to small reproducers."""

from __future__ import annotations

import pytest

from ingest.errors import IngestError
from ingest.pipeline import parse_bytes
from tests.fuzz import bombs


def _docx_with_broken_deflate(member: str) -> bytes:
    members = [(name, *bombs.deflated(data)) for name, data in bombs.docx_parts().items() if name != member]
    members.append((member, b"\xff" * 32, 0, 100))  # "invalid block type" to zlib
    return bombs.build_zip(members)


@pytest.mark.parametrize("member", ["word/document.xml", "[Content_Types].xml"])
def test_docx_with_damaged_deflate_data_is_a_corrupt_document(member: str) -> None:
    with pytest.raises(IngestError) as caught:
        parse_bytes(_docx_with_broken_deflate(member), "damaged.docx")
    assert caught.value.code == "corrupt"


def _docx_needing_zip_version(version: int) -> bytes:
    data = bytearray(bombs.build_zip([(n, *bombs.deflated(d)) for n, d in bombs.docx_parts().items()]))
    data[data.index(b"PK\x01\x02") + 6] = version  # "version needed to extract" of the first directory entry
    return bytes(data)


@pytest.mark.parametrize("name", ["needs-new-zip.docx", "needs-new-zip.pdf", "needs-new-zip.md"])
def test_zip_needing_an_unsupported_version_is_an_ingest_error(name: str) -> None:
    with pytest.raises(IngestError):
        parse_bytes(_docx_needing_zip_version(149), name)
