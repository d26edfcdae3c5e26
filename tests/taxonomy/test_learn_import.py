"""``gwersi learn``: line checks (pure), then imports into a real SQLite catalogue with provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gwersi.context import AppContext
from gwersi.learning import import_lines, learned_examples, merge_by_text, parse_lines
from gwersi.settings import Settings
from index.orm import AuditEvent, TrainingExample
from taxonomy.standards import load_taxonomy
from taxonomy.training import LabelledExample

IDS = load_taxonomy().ids
TEXT_A = "The health visitor did not see the baby awake on any visit."
TEXT_B = "Agencies did not share the police notification with the school."


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"labels": ["S16"]}', 'needs "text" and "labels"'),
        ('{"text": "", "labels": []}', "non-empty string"),
        ('{"text": "x"}', 'needs "labels"'),
        ('{"text": "x", "labels": "S16"}', "list of standard ids"),
        ('{"text": "x", "labels": ["S99"]}', "unknown standards ['S99']"),
        ('{"text": "x", "labels": [], "polarity": "angry"}', "unknown polarity"),
        ('{"passage_id": 0, "decision": "confirm", "standard": "S16"}', "positive integer"),
        ('{"passage_id": 3, "decision": "maybe", "standard": "S16"}', '"decision" must be one of'),
        ('{"passage_id": 3, "decision": "confirm"}', 'needs "standard"'),
    ],
)
def test_malformed_lines_are_reported_with_their_reason(line: str, reason: str) -> None:
    _, _, errors, _ = parse_lines(["", line], IDS)
    assert [e.line for e in errors] == [2]
    assert reason in errors[0].reason


def test_text_lines_decision_lines_and_duplicates_in_one_file() -> None:
    lines = [
        json.dumps({"text": TEXT_A, "labels": ["S16", "S02"], "rejected": ["S16", "S23"]}),
        json.dumps({"text": TEXT_A + "  ", "labels": ["S16"]}),  # same text once trimmed
        json.dumps({"passage_id": 7, "decision": "confirm", "standard": "S23"}),
        json.dumps({"passage_id": 7, "decision": "reject", "standards": ["S04"]}),
        json.dumps({"passage_id": 7, "decision": "confirm", "standard": "S23"}),
        json.dumps({"text": TEXT_B, "labels": []}),
    ]
    examples, passages, errors, duplicates = parse_lines(lines, IDS)
    assert errors == []
    assert [(e.text, e.standards, e.rejected, e.line) for e in examples] == [
        (TEXT_A, ("S16", "S02"), ("S23",), 1), (TEXT_B, (), (), 6)]
    assert dict(passages[7].confirmed) == {"S23": 3} and dict(passages[7].rejected) == {"S04": 4}
    assert [(d.line, d.reason) for d in duplicates] == [(2, "same text as line 1"),
                                                        (5, "repeats line 3 (S23 on passage 7)")]


def test_confirming_and_rejecting_the_same_standard_is_an_error() -> None:
    lines = [json.dumps({"passage_id": 7, "decision": "confirm", "standard": "S23"}),
             json.dumps({"passage_id": 7, "decision": "reject", "standard": "S23"})]
    errors = parse_lines(lines, IDS)[2]
    assert [(e.line, "both confirmed and rejected" in e.reason) for e in errors] == [(2, True)]


@pytest.fixture()
def ctx(sqlite_settings: Settings) -> AppContext:
    return AppContext(sqlite_settings)


def _stored(ctx: AppContext) -> list[TrainingExample]:
    with ctx.sessions() as session:
        return list(session.scalars(select(TrainingExample).order_by(TrainingExample.id)))


def test_import_stores_provenance_and_skips_what_was_imported_before(ctx: AppContext) -> None:
    lines = [json.dumps({"text": TEXT_A, "labels": ["S16"], "polarity": "shortfall"}),
             json.dumps({"text": TEXT_B, "labels": ["S23", "S04"]})]
    report = import_lines(ctx, lines, source="board.jsonl", actor="panel-1")
    assert report.stored == 2 and report.errors == () and report.duplicates == ()
    rows = _stored(ctx)
    assert [(r.text, r.standards, r.source_file, r.source_line, r.imported_by) for r in rows] == [
        (TEXT_A, ["S16"], "board.jsonl", 1, "panel-1"), (TEXT_B, ["S23", "S04"], "board.jsonl", 2, "panel-1")]
    assert rows[0].imported_at is not None and rows[0].taxonomy_version
    again = import_lines(ctx, [lines[1], json.dumps({"text": "New text.", "labels": []})], source="b2", actor="x")
    assert again.stored == 1 and [(d.line, d.reason) for d in again.duplicates] == [
        (1, "already imported (same passage text)")]
    with ctx.sessions() as session:
        assert [e.action for e in session.scalars(select(AuditEvent))] == ["training.import"] * 2
    learned = learned_examples(ctx)
    assert [ex.source for ex in learned] == ["learned:board.jsonl"] * 2 + ["learned:b2"]
    assert learned[0].standards == ("S16",) and learned[0].polarity == "shortfall"


def test_a_malformed_line_stores_nothing(ctx: AppContext) -> None:
    lines = [json.dumps({"text": TEXT_A, "labels": ["S16"]}), "{oops", json.dumps({"text": TEXT_B, "labels": ["S77"]}),
             json.dumps({"passage_id": 999, "decision": "confirm", "standard": "S16"})]
    report = import_lines(ctx, lines, source="bad.jsonl", actor="panel-1")
    assert report.stored == 0
    assert [e.line for e in report.errors] == [2, 3, 4]
    assert "no passage with id 999" in report.errors[2].reason
    assert _stored(ctx) == []


def test_merge_joins_a_board_import_and_panel_decisions_on_the_same_text() -> None:
    merged = merge_by_text([
        LabelledExample(TEXT_A, ("S16",), "panel", rejected=("S23",)),
        LabelledExample(TEXT_A + " ", ("S23",), "learned:f"),
        LabelledExample(TEXT_B, (), "learned:f"),
    ])
    assert [(m.standards, m.rejected) for m in merged] == [(("S16", "S23"), ()), ((), ())]


def test_learn_command_reports_line_numbers_and_exits_1(sqlite_settings: Settings, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from gwersi.cli import app, register

    register()
    monkeypatch.setenv("GWERSI_DATA_DIR", str(sqlite_settings.data_dir))
    monkeypatch.setenv("GWERSI_ENCODER", "hashing")
    good = tmp_path / "labels.jsonl"
    good.write_text(json.dumps({"text": TEXT_A, "labels": ["S16"]}) + "\n\n"
                    + json.dumps({"text": TEXT_A, "labels": ["S16"]}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["learn", str(good)])
    assert result.exit_code == 0, result.output
    assert "imported 1 labelled passages" in result.output and "labels.jsonl:3: duplicate" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "labels": ["S99"]}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["learn", str(bad), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"] == [{"line": 1, "reason": "unknown standards ['S99']"}]
