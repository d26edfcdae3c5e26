"""The quick test before each agency's regex never changes what ``find_agencies`` finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.gazetteer import AGENCIES, agency_pattern, count_mentions, find_agencies, required_literal

REPO = Path(__file__).resolve().parents[2]


def _every_regex(text: str) -> dict[str, tuple[str, int]]:
    """``find_agencies`` without the quick test: every agency's regex over the whole text."""
    return count_mentions([(m.start(), m.end(), a) for a in AGENCIES for m in agency_pattern(a).finditer(text)])


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        ("(?:residential |nursing )?care homes?", "care home"),
        (r"homelessness (?:team|service)s?", "homelessness"),
        (r"Dyfed[- ]Powys Police", "powys police"),
        ("Adult Social (?:Care|Services)", "adult social"),
        ("(?:City of )?Cardiff(?: City)? Council", "cardiff"),
        ("North Wales Police|NWP", None),
        ("GPs?", None),
    ],
)
def test_required_literal(pattern: str, literal: str | None) -> None:
    assert required_literal(pattern) == literal


def test_the_quick_test_finds_what_every_regex_finds_on_every_report_text() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "data").rglob("*.md"))]
    assert len(texts) > 100
    for text in texts:
        assert find_agencies(text) == _every_regex(text)
