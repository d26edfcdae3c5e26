"""Passages: offsets into the review text, merging, splitting, excluded sections."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.models import ParsedReview
from ingest.passages import MAX_WORDS, MIN_WORDS, sentence_spans
from ingest.pipeline import parse_bytes


def _offsets_hold(review: ParsedReview) -> None:
    for passage in review.passages:
        assert review.text[passage.char_start : passage.char_end] == passage.text
        assert passage.text.strip() == passage.text
    for rec in review.recommendations:
        if rec.char_start is not None and rec.char_end is not None:
            assert review.text[rec.char_start : rec.char_end] == rec.text


SPECIAL = (
    "# Review\n\n## Analysis\n\n"
    "Mother told the “ﬁrst” health visitor in March that a friend stayed over; the café owner noticed "
    "bruising and the ofﬁcer’s note was brief. The ﬂat was cold and the family were in debt, but nobody asked "
    "about it "
    "or about the man who lived there with them.\n\n"
    "Short line with é.\n\n"
    "Another short “quoted” ﬁ line.\n"
)


def test_offsets_hold_with_curly_quotes_accents_and_ligatures() -> None:
    review = parse_bytes(SPECIAL.encode(), "special.md")
    _offsets_hold(review)
    joined = " ".join(p.text for p in review.passages)
    assert "“first”" in joined and "café" in joined and "officer’s" in joined and "flat" in joined
    assert "ﬁ" not in review.text and "ﬂ" not in review.text


def test_short_paragraphs_merge_and_long_ones_split() -> None:
    sentence = "The panel heard that the health visitor was not told about the police call-out that month. "
    long_paragraph = sentence * 30  # ~480 words
    source = f"# Review\n\n## Analysis\n\nOne.\n\nTwo words.\n\n{long_paragraph}\n\n## Conclusions\n\nDone.\n"
    review = parse_bytes(source.encode(), "long.md")
    _offsets_hold(review)
    analysis = [p for p in review.passages if review.sections[p.section_ordinal].kind == "analysis"]
    assert analysis[0].text.startswith("One.\n\nTwo words.")
    assert all(len(p.text.split()) <= MAX_WORDS for p in analysis)
    assert len(analysis) >= 3
    assert all(p.text.endswith(".") for p in analysis)
    assert [p.ordinal for p in analysis] == list(range(len(analysis)))


def test_non_content_sections_give_no_passages() -> None:
    source = (
        "# Review\n\n## Analysis\n\n" + "Agencies shared information late. " * 12 + "\n\n"
        "## Statement by Reviewer\n\nI make the following statement that I was independent.\n\n"
        "Reviewer 1 (Signature) ………… Name (Print) ………… Date\n\n"
        "## Appendix 3: Action Plan\n\n| Rec | Action | Lead agency | Timescale |\n|---|---|---|---|\n"
        "| 1 | Audit records | Board | 2024 |\n\n"
        "## Appendix 2: Summary timeline\n\n| Date | Event |\n|---|---|\n"
        "| May 2019 | Police attend the home |\n\n"
        "## For Welsh Government use only\n\nDate information received ……\n"
    )
    review = parse_bytes(source.encode(), "kinds.md")
    _offsets_hold(review)
    kinds = {review.sections[p.section_ordinal].kind for p in review.passages}
    assert kinds == {"analysis", "timeline"}
    assert not any("Signature" in p.text or "Audit records" in p.text for p in review.passages)
    assert any(p.text == "May 2019 | Police attend the home" for p in review.passages)
    assert len(review.action_plan) == 1


def test_sentence_spans_respect_abbreviations() -> None:
    text = "Mr. K saw Dr. Jones on Monday. He was fine. Then “she left.” Later."
    spans = [text[s:e] for s, e in sentence_spans(text, 0, len(text))]
    assert spans == ["Mr. K saw Dr. Jones on Monday.", "He was fine.", "Then “she left.”", "Later."]


WORDS = st.sampled_from(["the", "café", "“quoted”", "ﬁle", "ofﬁcer’s", "Child", "A", "ﬂat", "naïve", "—", "was"])
PARAGRAPH = st.lists(WORDS, min_size=1, max_size=260).map(lambda ws: " ".join(ws) + ".")


@settings(max_examples=40, deadline=None)
@given(st.lists(PARAGRAPH, min_size=1, max_size=6))
def test_offsets_property_for_random_paragraphs(paragraphs: list[str]) -> None:
    source = "# Title\n\n## Analysis\n\n" + "\n\n".join(paragraphs) + "\n"
    review = parse_bytes(source.encode(), "random.md")
    _offsets_hold(review)
    assert all(len(p.text.split()) <= MAX_WORDS for p in review.passages)
    assert MIN_WORDS > 0
