"""The held-out corpus loader, and the out-of-distribution protocol on a tiny corpus."""

from __future__ import annotations

import json
from pathlib import Path

from taxonomy.heldout import load_heldout
from taxonomy.ood import MemoEncoder, format_ood_report, run_ood_eval
from taxonomy.training import LabelledExample
from tests.taxonomy.fakes import FakeEncoder

SOURCE = """<!-- cover -->
Gwent Safeguarding Board

Child Practice Review GSB 1/2024
<!-- /cover -->
<!-- pagebreak -->
# 3. Findings

<!-- instruction -->
[Insert here a brief outline of the circumstances.]

3.1 The health visitor did not see the baby awake on any of the three visits before the injury.

## Learning

1. Agencies did not share the police notification with the school nurse or the GP practice.
2. Nobody asked who the mother's new partner was or whether he lived in the household at all.

| No. | Recommendation | Lead |
|---|---|---|
| 1 | The board should ensure that home visits include seeing the infant awake.<br>Audit in 2025. | Health |
"""


def _write(folder: Path, name: str, labels: list[dict[str, object]], writer: str = "b",
           review_type: str = "CPR") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(SOURCE, encoding="utf-8")
    truth = {
        "name": name, "writer": writer, "metadata": {"review_type": review_type},
        "sections": [{"heading": "3. Findings", "kind": "analysis"},
                     {"heading": "Learning", "kind": "practice_learning"}],
        "passage_labels": labels,
    }
    (folder / f"{name}.truth.json").write_text(json.dumps(truth), encoding="utf-8")


LABELS: list[dict[str, object]] = [
    {"snippet": "3.1 The health visitor did not see the baby awake on any of", "standards": ["S16"]},
    {"snippet": "Agencies did not share the police notification with the sch", "standards": ["S23", "S04"]},
    {"snippet": "Nobody asked who the mother's new partner was or whether he", "standards": ["S16"]},
    {"snippet": "The board should ensure that home visits include seeing the", "standards": ["S16", "S02"],
     "polarity": "recommendation"},
]


def test_loader_recovers_whole_paragraphs_list_items_and_table_cells(tmp_path: Path) -> None:
    _write(tmp_path, "cpr_gwent_2024_b1", LABELS)
    passages, problems = load_heldout(tmp_path)
    assert problems == []
    texts = [p.example.text for p in passages]
    assert texts[0].startswith("3.1 The health visitor") and texts[0].endswith("before the injury.")
    assert texts[1].startswith("Agencies did not share")  # list number dropped
    assert texts[3] == "The board should ensure that home visits include seeing the infant awake. Audit in 2025."
    assert [p.example.section_kind for p in passages[:2]] == ["analysis", "practice_learning"]
    assert passages[1].example.standards == ("S23", "S04")
    assert {p.writer for p in passages} == {"b"} and passages[0].review_type == "CPR"
    assert passages[0].example.source == "heldout:b:cpr_gwent_2024_b1"


def test_loader_reports_missing_snippets_and_half_written_files(tmp_path: Path) -> None:
    _write(tmp_path, "cpr_gwent_2024_b1", [*LABELS, {"snippet": "No such paragraph", "standards": []}])
    (tmp_path / "dhr_cardiff_2023_b2.truth.json").write_text('{"name": "dhr_', encoding="utf-8")
    passages, problems = load_heldout(tmp_path)
    assert len(passages) == 4
    assert any("snippet not found" in p for p in problems)
    assert any(p.startswith("dhr_cardiff_2023_b2.truth.json: unreadable") for p in problems)


def test_memo_encoder_encodes_each_text_once() -> None:
    inner = FakeEncoder()
    memo = MemoEncoder(inner)
    first = memo.encode(["a cat", "a dog", "a cat"])
    second = memo.encode(["a dog"])
    assert inner.calls == 1 and (first[1] == second[0]).all() and (first[0] == first[2]).all()


def test_ood_protocol_prints_every_column_and_the_keyword_baseline(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    _write(samples, "cpr_one_2020", LABELS)
    _write(samples, "dhr_two_2021", LABELS)
    _write(tmp_path / "heldout" / "dev" / "sources", "cpr_gwent_2024_a1", LABELS, writer="a")
    _write(tmp_path / "heldout" / "test" / "sources", "cpr_gwent_2024_b1", LABELS, writer="b")
    dev = tmp_path / "dev.jsonl"
    dev.write_text(json.dumps({"id": "d1", "text": "The social worker's caseload was unmanageable.",
                               "standards": ["S24"]}) + "\n", encoding="utf-8")
    panel = [LabelledExample("Supervision was rare and caseloads high.", ("S24",), "panel")]
    report = run_ood_eval(dev, samples, tmp_path / "heldout", FakeEncoder(), taggers=("keyword", "rule"),
                          panel=panel, train_parts=("dev",))
    assert [c.name for c in report.columns] == ["in-dist", "LOTO", "heldout-test"]  # dev is training data here
    # the sample-source reader takes paragraphs and list items (not table cells): 3 per review; the
    # held-out training part's 4 labelled paragraphs join the leave-one-type-out pool
    assert report.column("LOTO").passages == 10 and report.column("heldout-test").passages == 4
    assert {r.tagger for r in report.column("heldout-test").reports} == {"keyword", "rule"}
    text = format_ood_report(report, per_standard=("keyword",))
    assert "heldout-test" in text and "keyword by standard" in text and "S26" in text
