"""Training-data readers, evaluation metrics, Cohen's kappa, the eval entry point and the benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taxonomy.bench import bench_tagging, synthetic_passages
from taxonomy.errors import TrainingDataError
from taxonomy.evaluation import cohen_kappa, format_report, kappa, run_tagging_eval, score_predictions
from taxonomy.standards import Taxonomy
from taxonomy.training import (
    load_jsonl,
    load_sample_sources,
    markdown_units,
    seed_examples,
    training_examples,
)
from tests.conftest import SAMPLE_SOURCES
from tests.taxonomy.fakes import FakeEncoder

MARKDOWN = """# Concise Child Practice Review

## Practice and organisational learning

**No professional** met the father after the birth. Health visiting
records show three missed contacts.

## Improving systems and practice

1. The Board should seek assurance that fathers are identified.
2. The health board should audit missed contacts.

## Good practice

- The nursery shared its concerns quickly.
"""


def test_markdown_units_split_paragraphs_and_list_items() -> None:
    units = markdown_units(MARKDOWN)
    assert units[0] == ("No professional met the father after the birth. Health visiting records show three "
                        "missed contacts.", "practice_learning")
    assert ("1. The Board should seek assurance that fathers are identified.", "recommendations") in units
    assert ("- The nursery shared its concerns quickly.", "good_practice") in units


def test_load_sample_sources_finds_snippets(tmp_path: Path) -> None:
    (tmp_path / "cpr_x.md").write_text(MARKDOWN, encoding="utf-8")
    truth = {"passage_labels": [
        {"snippet": "No professional met the father after the birth. Health visiti", "standards": ["S16"],
         "polarity": "shortfall"},
        {"snippet": "The health board should audit missed contacts.", "standards": ["S25"]},
        {"snippet": "This text is not in the source at all", "standards": ["S01"]},
    ]}
    (tmp_path / "cpr_x.truth.json").write_text(json.dumps(truth), encoding="utf-8")
    (tmp_path / "orphan.truth.json").write_text(json.dumps({"passage_labels": [{"snippet": "x"}]}),
                                                 encoding="utf-8")
    examples, problems = load_sample_sources(tmp_path)
    assert [e.standards for e in examples] == [("S16",), ("S25",)]
    assert examples[1].text == "The health board should audit missed contacts."
    assert examples[1].section_kind == "recommendations"
    assert examples[0].polarity == "shortfall" and examples[0].source == "sample:cpr_x"
    assert len(problems) == 2


@pytest.mark.skipif(not SAMPLE_SOURCES.exists(), reason="no sample sources")
def test_every_real_sample_snippet_is_found() -> None:
    examples, problems = load_sample_sources(SAMPLE_SOURCES)
    assert problems == []
    for ex in examples:
        assert ex.text and ex.standards


def test_seed_examples_are_valid(taxonomy: Taxonomy) -> None:
    seeds = seed_examples(taxonomy)
    assert len(seeds) >= 300
    assert any(not s.standards for s in seeds), "the seed needs unlabelled process text and traps"
    assert all(len(s.standards) <= 3 for s in seeds)
    assert len({s.id for s in seeds}) == len(seeds)
    covered = {sid for s in seeds for sid in s.standards}
    assert covered == set(taxonomy.ids)


def test_training_examples_combine_sources(taxonomy: Taxonomy, tmp_path: Path) -> None:
    panel = load_jsonl(_write_jsonl(tmp_path / "panel.jsonl", [
        {"id": "p1", "text": "Confirmed by the panel.", "standards": ["S18"], "rejected": ["S16"]},
    ]))
    examples = training_examples(None, taxonomy, panel)
    sources = {e.source.split(":")[0] for e in examples}
    assert {"taxonomy", "seed"} <= sources
    assert examples[-1].rejected == ("S16",)


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "rows",
    [
        [{"id": "a", "text": "x", "standards": ["S27"]}],
        [{"id": "a", "standards": ["S01"]}],
    ],
)
def test_load_jsonl_rejects_bad_rows(tmp_path: Path, rows: list[dict[str, object]]) -> None:
    with pytest.raises(TrainingDataError):
        load_jsonl(_write_jsonl(tmp_path / "bad.jsonl", rows))


def test_score_predictions_counts() -> None:
    gold = [{"S01"}, {"S01", "S02"}, set(), {"S03"}]
    predicted = [{"S01"}, {"S02"}, {"S01"}, set()]
    report = score_predictions(gold, predicted, ["S01", "S02", "S03"], "t")
    s01, s02, s03 = report.per_standard
    assert (s01.precision, s01.recall, s01.support, s01.predicted) == (0.5, 0.5, 2, 2)
    assert (s02.precision, s02.recall, s02.f1) == (1.0, 1.0, 1.0)
    assert (s03.precision, s03.recall, s03.f1, s03.support) == (0.0, 0.0, 0.0, 1)
    assert report.micro_precision == pytest.approx(2 / 3)
    assert report.micro_recall == pytest.approx(2 / 4)
    assert report.macro_f1 == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert report.weak_standards(min_support=1) == ["S03"]
    assert report.weak_standards(min_support=1, min_f1=0.6) == ["S01", "S03"]
    with pytest.raises(ValueError):
        score_predictions(gold, predicted[:2], ["S01"])


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (["x", "y", "x", "y"], ["x", "y", "x", "y"], 1.0),
        (["x", "x", "y", "y"], ["x", "y", "x", "y"], 0.0),
        # 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: po = 0.7, pe = 0.5 -> kappa 0.4
        (["y"] * 25 + ["n"] * 25, ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15, 0.4),
        (["x", "x"], ["x", "x"], None),
        ([], [], None),
    ],
)
def test_kappa(a: list[str], b: list[str], expected: float | None) -> None:
    result = kappa(a, b)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_cohen_kappa_per_standard_and_pooled() -> None:
    a = [{"S01"}, {"S01", "S02"}, set(), {"S02"}]
    b = [{"S01"}, {"S01"}, set(), {"S02"}]
    report = cohen_kappa(a, b, ["S01", "S02"])
    assert report.per_standard["S01"] == pytest.approx(1.0)
    assert report.per_standard["S02"] == pytest.approx(0.5)
    assert report.overall is not None and 0.5 < report.overall < 1.0
    assert report.passages == 4


def test_run_tagging_eval_end_to_end(tmp_path: Path) -> None:
    dev = _write_jsonl(tmp_path / "dev.jsonl", [
        {"id": "d1", "text": "She went missing from her placement and no return home interview was offered.",
         "standards": ["S18"], "polarity": "shortfall", "section": "analysis"},
        {"id": "d2", "text": "The social worker carried thirty-five cases and could not visit.",
         "standards": ["S24"], "polarity": "shortfall", "section": "analysis"},
        {"id": "d3", "text": "The panel met six times.", "standards": [], "polarity": "neutral",
         "section": "methodology"},
    ])
    report = run_tagging_eval(dev, None, FakeEncoder())
    assert [r.tagger for r in report.taggers] == ["keyword", "rule", "embedding", "supervised", "ensemble"]
    assert report.dev_passages == 3 and report.training_passages > 300
    assert report.polarity_accuracy is not None
    table = format_report(report)
    for name in ("keyword", "ensemble", "S18", "micro F1", "macro F1"):
        assert name in table


def test_bench_reports_every_tagger() -> None:
    assert len(synthetic_passages(5)) == 5
    result = bench_tagging(n=40, batch_size=16, verbose=False)
    assert set(result["taggers"]) == {"keyword", "rule", "embedding", "supervised", "ensemble"}
    for row in result["taggers"].values():
        assert row["passages_per_second"] > 0


def test_double_labelled_agreement(tmp_path: Path) -> None:
    from taxonomy.evaluation import double_labelled_agreement

    a = _write_jsonl(tmp_path / "a.jsonl", [
        {"id": "1", "standards": ["S01"], "polarity": "shortfall"},
        {"id": "2", "standards": ["S02"], "polarity": "neutral"},
        {"id": "3", "standards": [], "polarity": "neutral"},
        {"id": "only-a", "standards": ["S05"], "polarity": "neutral"},
    ])
    b = _write_jsonl(tmp_path / "b.jsonl", [
        {"id": "1", "standards": ["S01"], "polarity": "shortfall"},
        {"id": "2", "standards": ["S02", "S03"], "polarity": "neutral"},
        {"id": "3", "standards": [], "polarity": "neutral"},
    ])
    report = double_labelled_agreement(a, b)
    assert report.standards.passages == 3
    assert report.exact_match == pytest.approx(2 / 3)
    assert report.polarity_kappa == pytest.approx(1.0)
    assert report.standards.per_standard["S01"] == pytest.approx(1.0)
    assert report.standards.per_standard["S03"] == pytest.approx(0.0)
