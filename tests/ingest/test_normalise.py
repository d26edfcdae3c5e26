"""Text clean-up, page furniture, template instructions, and block offsets."""

from __future__ import annotations

import pytest

from ingest.models import Block, RawDocument
from ingest.normalise import clean_text, is_instruction, is_page_number_line, normalise, repeated_lines


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("The ﬁrst ofﬁcer’s “ﬂoppy” note", "The first officer’s “floppy” note"),
        ("Café  ré\u00adsumé", "Café résumé"),
        ("Cafe\u0301", "Café"),
        ("an assess-\nment of need", "an assessment of need"),
        ("informa-\ntion sharing", "information sharing"),
        ("a multi-\nagency meeting", "a multi-agency meeting"),
        ("well-\nbeing", "well-being"),
        ("line one\nline two\t\tand  three", "line one line two and three"),
        ("zero\u200bwidth", "zerowidth"),
        ("(cid:127) bullet", "bullet"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_words_cut_by_narrow_table_cells_are_rejoined() -> None:
    vocabulary = frozenset({"recommendations", "safeguarding", "lead", "officer", "complete"})
    assert clean_text("Recom\nmendat\nion", vocabulary) == "Recommendation"
    assert clean_text("Regional\nSafeguardi\nng Board", vocabulary) == "Regional Safeguarding Board"
    assert clean_text("Complet\ne", vocabulary) == "Complete"
    assert clean_text("Lead\nofficer", vocabulary) == "Lead officer"
    assert clean_text("Board Training Sub-\nGroup", vocabulary) == "Board Training Sub-Group"
    assert clean_text("written\nto him", vocabulary) == "written to him"


def test_hyphenation_follows_the_document_vocabulary() -> None:
    vocabulary = frozenset({"safeguarding"})
    assert clean_text("safe-\nguarding", vocabulary) == "safeguarding"
    assert clean_text("safe-\nguarding") == "safe-guarding"


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("Page 3 of 17", True),
        ("3", True),
        ("- 12 -", True),
        ("3 | P a g e", True),
        ("Tudalen 4", True),
        ("CPR CTMSB 8/2020 – Final Report – Page 3 of 17", True),
        ("3.1 Child A was two years old.", False),
        ("Recommendation 3", False),
        ("2016", False),
        ("Final Report – Page 4", True),
        ("See the chronology on page 3", False),
    ],
)
def test_page_number_lines(line: str, furniture: bool) -> None:
    assert is_page_number_line(line) is furniture


def test_lines_repeated_on_many_pages_are_furniture() -> None:
    pages = [["OFFICIAL – Final version", f"Report – Page {n}"] + (["Unique"] if n == 1 else []) for n in range(1, 6)]
    found = repeated_lines(pages)
    assert "official – final version" in found
    assert "report – page #" in found
    assert "unique" not in found


@pytest.mark.parametrize(
    ("text", "instruction"),
    [
        ("To include here:-", True),
        ("To include here in brief:", True),
        ("Legal context from guidance in relation to which review is being undertaken", True),
        ("Time period reviewed and why", True),
        (
            "In order to promote the learning from this case the review identified the following actions "
            "for the SCB "
            "and its member agencies and anticipated improvement outcomes:-",
            True,
        ),
        ("The review period ran from January 2018 to January 2019 because it covered the move.", False),
    ],
)
def test_template_instructions(text: str, instruction: bool) -> None:
    assert is_instruction(text) is instruction


def test_block_offsets_point_into_the_text() -> None:
    raw = RawDocument(
        path="x.md",
        sha256="0",
        media_type="text",
        blocks=(
            Block("heading", "Introduction", level=1),
            Block("paragraph", "Mother’s ﬁrst  visit to the café."),
            Block("paragraph", "Page 2 of 9"),
            Block("paragraph", "To include here:-"),
            Block("table", "", rows=(("Rec", "Action"), ("1", "Audit ﬁles"))),
        ),
    )
    doc = normalise(raw)
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "table"]
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text
    assert doc.blocks[1].text == "Mother’s first visit to the café."
    assert doc.blocks[2].text == "Rec | Action\n1 | Audit files"
    assert doc.blocks[2].rows == (("Rec", "Action"), ("1", "Audit files"))
