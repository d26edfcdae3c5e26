"""Every sample review in data/samples against its truth file, and against its golden dump.

Golden files (tests/golden/<name>.json) are rewritten only with ``pytest --update-golden``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ingest.models import ParsedReview
from ingest.pipeline import parse_file

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "samples"
SOURCES = REPO / "data" / "sample-sources"
GOLDEN = REPO / "tests" / "golden"
FORMATS = (".pdf", ".docx", ".md", ".txt")

SAMPLE_PATHS = sorted(
    p for p in SAMPLES.glob("*") if p.suffix in FORMATS and (SOURCES / f"{p.stem}.truth.json").exists()
)
META_FIELDS = (
    "review_type",
    "level",
    "criteria_met",
    "board",
    "community_safety_partnership",
    "reference",
    "year",
    "subject",
    "age_band",
)

pytestmark = pytest.mark.skipif(not SAMPLE_PATHS, reason="no built samples in data/samples")


@cache
def parsed(path: Path) -> ParsedReview:
    return parse_file(path)


def truth(path: Path) -> dict[str, Any]:
    return json.loads((SOURCES / f"{path.stem}.truth.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=[p.name for p in SAMPLE_PATHS])
def test_metadata_matches_truth(path: Path) -> None:
    meta = asdict(parsed(path).metadata)
    meta["criteria_met"] = list(meta["criteria_met"])
    expected = truth(path)["metadata"]
    assert {f: meta[f] for f in META_FIELDS} == {f: expected[f] for f in META_FIELDS}


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=[p.name for p in SAMPLE_PATHS])
def test_recommendations_match_truth(path: Path) -> None:
    review = parsed(path)
    expected = truth(path)["recommendations"]
    assert [r.number for r in review.recommendations] == [str(r["number"]) for r in expected]
    for got, want in zip(review.recommendations, expected, strict=True):
        assert got.text.startswith(want["starts_with"])


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=[p.name for p in SAMPLE_PATHS])
def test_action_plan_row_count_matches_truth(path: Path) -> None:
    assert len(parsed(path).action_plan) == truth(path)["action_plan_rows"]


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=[p.name for p in SAMPLE_PATHS])
def test_every_passage_is_a_slice_of_the_text(path: Path) -> None:
    review = parsed(path)
    assert review.passages
    for passage in review.passages:
        assert review.text[passage.char_start : passage.char_end] == passage.text
        assert len(passage.text.split()) <= 200
    for section in review.sections:
        assert 0 <= section.char_start <= section.char_end <= len(review.text)


def golden_dump(review: ParsedReview) -> dict[str, Any]:
    """A compact, stable summary of a parsed review for golden comparison."""
    meta = asdict(review.metadata)
    meta["criteria_met"] = list(meta["criteria_met"])
    meta["agencies"] = [[a["name"], a["mentions"]] for a in meta["agencies"]]
    return {
        "media_type": review.media_type,
        "page_count": review.page_count,
        "metadata": meta,
        "sections": [[s.kind, s.heading] for s in review.sections],
        "passage_count": len(review.passages),
        "passages": [p.text[:60] for p in review.passages],
        "recommendations": [[r.number, r.addressee, r.scope, r.text[:60]] for r in review.recommendations],
        "action_plan": [
            [a.recommendation, a.action[:60], a.lead_agency, a.timescale, a.status] for a in review.action_plan
        ],
        "warnings": list(review.warnings),
    }


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=[p.name for p in SAMPLE_PATHS])
def test_golden(path: Path, update_golden: bool) -> None:
    dump = golden_dump(parsed(path))
    golden = GOLDEN / f"{path.stem}.json"
    if update_golden:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(dump, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    if not golden.exists():
        pytest.fail(f"no golden file {golden.name}: run `pytest tests/ingest --update-golden` and review the diff")
    assert dump == json.loads(golden.read_text(encoding="utf-8"))
