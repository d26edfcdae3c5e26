"""End-to-end runs of the real `gwersi` CLI (subprocesses, real files, a real SQLite catalogue).

The hashing encoder keeps these fast; the `model` test at the end runs the packaged MiniLM model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES

GWERSI = [sys.executable, "-c", "from gwersi.cli import main; main()"]


def run(
    data_dir: Path, *args: str, encoder: str = "hashing", tagger: str = "rule", stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI; the rule tagger by default (the ensemble is trained once, in the first test)."""
    return subprocess.run(
        [*GWERSI, *args], capture_output=True, text=True, env=cli_env(data_dir, encoder, tagger), cwd=REPO,
        input=stdin, timeout=600,
    )


def cli_env(data_dir: Path, encoder: str = "hashing", tagger: str = "rule") -> dict[str, str]:
    """The environment a CLI run gets: its own SQLite catalogue in ``data_dir``, offline models."""
    env = {
        **os.environ,
        "GWERSI_DATA_DIR": str(data_dir),
        "GWERSI_ENCODER": encoder,
        "GWERSI_TAGGER": tagger,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    env.pop("DATABASE_URL", None)
    return env


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """Three samples of different formats, copied so tests can change them."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("cpr_ctmsb_2020_08.pdf", "cpr_cysur_2019_04.docx", "cpr_ctmsb_2023_02.md"):
        shutil.copy(SAMPLES / name, folder / name)
    return folder


def test_ingest_show_search_and_reingest(tmp_path: Path, corpus: Path) -> None:
    data = tmp_path / "data"
    first = run(data, "ingest", str(corpus), "--json", tagger="ensemble")
    assert first.returncode == 0, first.stderr
    results = json.loads(first.stdout)
    assert [r["status"] for r in results] == ["ingested"] * 3
    assert all(set(r) >= {"path", "status", "review_id", "error"} for r in results)

    again = run(data, "ingest", str(corpus), "--json")
    assert [r["status"] for r in json.loads(again.stdout)] == ["unchanged"] * 3

    shown = run(data, "show", str(results[0]["review_id"]), "--json")
    record = json.loads(shown.stdout)
    for key in (
        "id",
        "reference",
        "title",
        "review_type",
        "criteria_met",
        "level",
        "board",
        "year",
        "age_band",
        "agencies",
        "sections",
        "recommendations",
        "action_plan",
    ):
        assert key in record
    assert record["reference"] == "CPR CTMSB 8/2020" and record["review_type"] == "CPR"
    passages = [p for s in record["sections"] for p in s["passages"]]
    assert passages and all({"id", "text", "page", "tags"} <= set(p) for p in passages)
    assert any(p["tags"] for p in passages), "ingest should have suggested standards"

    found = run(data, "search", "health visitor did not see the partner", "--json", "--k", "5")
    hits = json.loads(found.stdout)
    assert 0 < len(hits) <= 5
    assert set(hits[0]) >= {
        "passage_id",
        "review_id",
        "reference",
        "review_type",
        "board",
        "year",
        "section",
        "text",
        "snippet",
        "score",
        "standards",
    }
    only_md = run(data, "search", "safe sleep", "--json", "--year-from", "2023")
    assert {h["year"] for h in json.loads(only_md.stdout)} == {2023}

    listing = run(data, "reviews", "--json")
    assert len(json.loads(listing.stdout)) == 3
    check = run(data, "index", "check")
    assert check.returncode == 0 and check.stdout.startswith("ok")


def test_changed_file_with_same_reference_updates(tmp_path: Path, corpus: Path) -> None:
    data = tmp_path / "data"
    md = corpus / "cpr_ctmsb_2023_02.md"
    assert run(data, "ingest", str(md), "--json").returncode == 0
    md.write_text(
        md.read_text(encoding="utf-8") + "\n\nA late addendum paragraph from the panel chair.\n", encoding="utf-8"
    )
    out = json.loads(run(data, "ingest", str(md), "--json").stdout)
    assert out[0]["status"] == "updated"
    assert len(json.loads(run(data, "reviews", "--json").stdout)) == 1


def test_bad_files_fail_alone_and_exit_1(tmp_path: Path, corpus: Path) -> None:
    data = tmp_path / "data"
    (corpus / "empty.pdf").write_bytes(b"")
    (corpus / "picture.docx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (corpus / "truncated.pdf").write_bytes((SAMPLES / "cpr_ctmsb_2020_08.pdf").read_bytes()[:4000])
    (corpus / "notes.odt").write_bytes(b"PK\x03\x04")
    proc = run(data, "ingest", str(corpus), str(corpus / "notes.odt"), "--json")
    assert proc.returncode == 1
    by_name = {Path(r["path"]).name: r for r in json.loads(proc.stdout)}
    assert {n for n, r in by_name.items() if r["status"] == "ingested"} == {
        "cpr_ctmsb_2020_08.pdf",
        "cpr_cysur_2019_04.docx",
        "cpr_ctmsb_2023_02.md",
    }
    for name in ("empty.pdf", "picture.docx", "truncated.pdf", "notes.odt"):
        assert by_name[name]["status"] == "failed" and by_name[name]["error"], name
        assert by_name[name]["review_id"] is None
    assert len(json.loads(run(data, "reviews", "--json").stdout)) == 3


def test_show_unknown_review_is_a_clean_error(tmp_path: Path) -> None:
    proc = run(tmp_path / "data", "show", "999")
    assert proc.returncode == 1
    assert "no review with id 999" in proc.stderr and "Traceback" not in proc.stderr


def test_tag_text_json_and_jsonl(tmp_path: Path) -> None:
    data = tmp_path / "data"
    text = "Child A went missing from her placement four times and no return home interview was offered."
    proc = run(data, "tag-text", text, "--json")
    assert proc.returncode == 0, proc.stderr
    suggestions = json.loads(proc.stdout)
    assert "S18" in [s["standard"] for s in suggestions]
    assert all(set(s) >= {"standard", "score", "polarity", "evidence", "tagger"} for s in suggestions)
    lines = tmp_path / "p.jsonl"
    lines.write_text(
        json.dumps({"id": "a", "text": text}) + "\n" + json.dumps({"id": "b", "text": "The panel met."}) + "\n"
    )
    out = [json.loads(x) for x in run(data, "tag-text", "--jsonl", str(lines), "--json").stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]


@pytest.mark.model
def test_real_model_finds_a_paraphrase(tmp_path: Path) -> None:
    """The packaged MiniLM model, loaded offline, ranks the passage a paraphrase describes first."""
    data = tmp_path / "data"
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLES / "cpr_ctmsb_2023_02.md", src)
    assert run(data, "ingest", str(src), "--json", encoder="sentence-transformers").returncode == 0
    hits = json.loads(
        run(
            data,
            "search",
            "nobody spoke to the dad about where the baby should sleep",
            "--json",
            "--mode",
            "dense",
            "--k",
            "3",
            encoder="sentence-transformers",
        ).stdout
    )
    assert hits and "sleep" in hits[0]["text"]


@pytest.mark.slow
def test_up_ingests_indexes_and_serves_the_api(tmp_path: Path, corpus: Path) -> None:
    """The main job: `gwersi up` ingests, embeds, tags and indexes, then answers searches on loopback;
    a second start with nothing new rebuilds from the catalogue and serves the same passages."""
    import httpx

    from tests.ui.conftest import free_port

    env = cli_env(tmp_path / "data")
    for attempt in range(2):
        port = free_port()
        proc = subprocess.Popen(
            [*GWERSI, "up", str(corpus), "--no-ui", "--api-port", str(port)],
            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            lines = []
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                if "Press Ctrl-C" in line:
                    break
            out = "".join(lines)
            assert "ingest: 3 reviews ready, 0 failed" in out, out
            page = httpx.get(f"http://127.0.0.1:{port}/search", params={"q": "safe sleeping", "k": 3}).json()
            assert page["data"] and "sleep" in " ".join(hit["text"] for hit in page["data"]).lower(), page
            if attempt == 0:
                indexed = out.split("index: ")[1].split(" passages")[0]
                assert int(indexed) > 0
            else:
                assert f"index: {indexed} passages indexed (0 embedded, 0 tagged now)" in out, out
        finally:
            proc.terminate()
            proc.wait(30)
