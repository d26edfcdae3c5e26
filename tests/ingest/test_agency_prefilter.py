"""The quick test before each agency's regex never changes what ``find_agencies`` finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.gazetteer import AGENCIES, Agency, agency_pattern, find_agencies, required_literal

REPO = Path(__file__).resolve().parents[2]


def _every_regex(text: str) -> dict[str, tuple[str, int]]:
    """``find_agencies`` without the quick test: every agency's regex over the whole text."""
    hits: list[tuple[int, int, Agency]] = []
    for agency in AGENCIES:
        hits.extend((m.start(), m.end(), agency) for m in agency_pattern(agency).finditer(text))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    counts: dict[str, tuple[str, int]] = {}
    covered_until = -1
    for start, end, agency in hits:
        if start < covered_until:
            continue
        covered_until = end
        kind, n = counts.get(agency.name, (agency.kind, 0))
        counts[agency.name] = (kind, n + 1)
    return counts


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
