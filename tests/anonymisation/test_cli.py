"""`gwersi check-anonymisation FILE [--json]` through the CLI app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import gwersi.cli_anon  # noqa: F401  (registers the command)
from gwersi.cli import app
from tests.conftest import SAMPLES

runner = CliRunner()


def test_json_lists_each_finding_with_kind_text_offsets_page_and_reason(tmp_path: Path) -> None:
    source = (SAMPLES / "cpr_flint_2.md").read_text(encoding="utf-8")
    leak = "The family lived at 42 Maple Close, Mold, CH7 1AA, and Sarah Jenkins visited on 3 May 2015."
    review = tmp_path / "leaky.md"
    review.write_text(source + "\n\n" + leak + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check-anonymisation", str(review), "--json", "--no-model"])
    assert result.exit_code == 3, result.output
    body = json.loads(result.output)
    kinds = {(f["kind"], f["text"]) for f in body["findings"]}
    assert {("address", "42 Maple Close, Mold"), ("postcode", "CH7 1AA"), ("person_name", "Sarah Jenkins"),
            ("full_date", "3 May 2015")} <= kinds
    for f in body["findings"]:
        assert set(f) == {"kind", "text", "start", "end", "page", "reason"}
        assert f["end"] - f["start"] == len(f["text"])
    assert body["ok"] is False and body["counts"]["postcode"] == 1


def test_a_clean_sample_exits_zero() -> None:
    result = runner.invoke(app, ["check-anonymisation", str(SAMPLES / "cpr_flint_2.md"), "--no-model"])
    assert result.exit_code == 0, result.output
    assert "nothing found" in result.output


def test_an_unreadable_file_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"not a pdf at all")
    result = runner.invoke(app, ["check-anonymisation", str(bad), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["error"]["code"] == "mislabelled_file"
