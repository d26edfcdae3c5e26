"""Scoring against planted groups (hand-computed tables) and the CLI commands' JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from gwersi.cli import app, register
from gwersi.context import AppContext
from gwersi.lessons_eval import lesson_scores, link_scores


def test_lesson_scores_count_unclustered_passages_as_singletons() -> None:
    truth = {1: "L1", 2: "L1", 3: "L2", 4: "L2"}
    perfect = lesson_scores({1: "a", 2: "a", 3: "b", 4: "b"}, truth)
    assert (perfect["ari"], perfect["purity"], perfect["coverage"]) == (1.0, 1.0, 1.0)
    partial = lesson_scores({1: "a", 2: "a", 3: "a"}, truth)  # 4 in no cluster
    assert partial["coverage"] == 0.75 and partial["purity"] == round(2 / 3, 4)
    assert partial["per_group"] == {
        "L1": {"passages": 2, "in_main_cluster": 1.0, "clusters": 1},
        "L2": {"passages": 2, "in_main_cluster": 0.5, "clusters": 1},
    }


def test_link_scores_direct_transitive_and_flagged() -> None:
    # review ids 10, 20, 30; group A in all three, B in 10 and 20; rec 6 belongs to no group
    truth = {1: (10, "A"), 2: (20, "A"), 3: (30, "A"), 4: (10, "B"), 5: (20, "B")}
    links = [(1, 2), (2, 3), (4, 2), (6, 1)]
    scores = link_scores(links, truth)
    # gold: (1,2) (1,3) (2,3) (4,5); direct hits (1,2) (2,3) of 4 links touching truth
    assert (scores["gold_pairs"], scores["links_touching_truth"]) == (4, 4)
    assert (scores["precision"], scores["recall"]) == (0.5, 0.5)
    # chain joins 1,2,3,4 (and 6): cross-review pairs among truth (1,2)(1,3)(2,3)(2,4)(3,4) -> 3 right of 5
    assert (scores["transitive_precision"], scores["transitive_recall"]) == (0.6, 0.75)
    assert scores["flagged"] == 0.6  # 1, 2, 3 of 1..5


@pytest.fixture()
def cli_env(corpus: AppContext, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    register()
    settings = corpus.settings
    monkeypatch.setenv("GWERSI_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("GWERSI_ENCODER", "hashing")
    monkeypatch.setenv("GWERSI_TAGGER", "rule")
    if settings.database_url:
        monkeypatch.setenv("DATABASE_URL", settings.database_url)
    return CliRunner()


def _json(runner: CliRunner, *args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_commands_print_json(cli_env: CliRunner) -> None:
    lessons = _json(cli_env, "lessons", "--json")
    assert lessons["clusters"] and lessons["candidates"] >= lessons["clustered"]
    first = lessons["clusters"][0]["id"]
    assert _json(cli_env, "lessons", "--id", first, "--json")["members"]
    repeated = _json(cli_env, "recommendations", "--repeated", "--json")
    assert repeated["repeated"] == len(repeated["recommendations"])
    assert _json(cli_env, "themes", "emerging", "--json")["outliers"] >= 0
    assert len(_json(cli_env, "coverage", "--json")["standards"]) == 26
    rec_id = repeated["recommendations"][0]["id"]
    history = _json(cli_env, "recommendation-status", str(rec_id), "Complete", "--note", "done", "--json")
    assert [h["status"] for h in history] == ["Complete"]


def test_cli_unknown_lesson_is_a_clean_error(cli_env: CliRunner) -> None:
    result = cli_env.invoke(app, ["lessons", "--id", "lesson-0000000000"])
    assert result.exit_code != 0 and "no recurring lesson" in result.output
