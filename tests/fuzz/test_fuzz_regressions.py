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
