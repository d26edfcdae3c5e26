"""Crash consistency: kill -9 `gwersi ingest` / `gwersi index build` at random moments, then check.

Each round starts a real CLI subprocess on a shared data dir, kills it with SIGKILL after a random
delay, then runs `gwersi check --repair` logic in-process and verifies that (a) the catalogue and
index end consistent and (b) every panel decision made before the kills is still there.
Run: ``python -m bench.crash_test --kills 200``; prints counts.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
CLI = [sys.executable, "-c", "from gwersi.cli import main; main()"]


@dataclass
class CrashResult:
    """What the kill rounds found."""

    kills: int
    inconsistent_before_repair: int
    inconsistent_after_repair: int
    decisions_lost: int
    seconds: float


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "GWERSI_DATA_DIR": str(data_dir),
        "GWERSI_ENCODER": "hashing",
        "GWERSI_TAGGER": "rule",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    env.pop("DATABASE_URL", None)
    return env


def run(kills: int = 20, seed: int = 7, max_delay: float = 6.0, workdir: Path | None = None) -> CrashResult:
    """Do ``kills`` kill rounds and report."""
    from gwersi.consistency import run_check
    from gwersi.context import AppContext
    from gwersi.ingesting import ingest_files
    from gwersi.pipeline import process_new_passages
    from gwersi.settings import Settings
    from gwersi.tagging import decide
    from index.orm import Tag, TagDecision

    rnd = random.Random(seed)
    root = Path(workdir or tempfile.mkdtemp(prefix="gwersi-crash-"))
    data = root / "data"
    inbox = root / "in"
    inbox.mkdir(parents=True, exist_ok=True)
    md_samples = sorted(SAMPLES.glob("*.md"))
    other = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".docx"))
    settings = Settings(data_dir=data, encoder="hashing", tagger="rule")
    ctx = AppContext(settings)
    ingest_files(ctx, md_samples[:2])
    process_new_passages(ctx)
    with ctx.sessions() as s:
        tags = s.query(Tag).order_by(Tag.id).limit(3).all()
    for i, t in enumerate(tags):
        decide(ctx, t.id, "confirm" if i % 2 == 0 else "reject", reviewer=f"panel-{i}")
    with ctx.sessions() as s:
        decisions_before = {(d.tag_id, d.decision, d.reviewer) for d in s.query(TagDecision)}
    ctx.close()

    before_bad = after_bad = lost = 0
    t0 = time.perf_counter()
    for round_no in range(kills):
        for f in inbox.iterdir():
            f.unlink()
        picks = rnd.sample(md_samples[2:] + other, 3)
        for p in picks:
            shutil.copy(p, inbox / p.name)
        if rnd.random() < 0.5:  # make one file "changed" so an update transaction is in flight too
            target = inbox / picks[0].name
            if target.suffix == ".md":
                target.write_text(
                    target.read_text(encoding="utf-8") + f"\n\nRound {round_no} addendum.\n", encoding="utf-8"
                )
        command = ["index", "build"] if rnd.random() < 0.25 else ["ingest", str(inbox), "--json"]
        proc = subprocess.Popen([*CLI, *command], env=_env(data), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.3, max_delay))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        ctx = AppContext(settings)
        if not run_check(ctx).ok:
            before_bad += 1
            if not run_check(ctx, repair=True).ok:
                after_bad += 1
        with ctx.sessions() as s:
            now = {(d.tag_id, d.decision, d.reviewer) for d in s.query(TagDecision)}
            confirmed = {t.id: t.status for t in s.query(Tag).filter(Tag.id.in_([t.id for t in tags]))}
        lost += len(decisions_before - now) + sum(1 for t in tags if t.id not in confirmed)
        ctx.close()
    return CrashResult(kills, before_bad, after_bad, lost, time.perf_counter() - t0)


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-delay", type=float, default=6.0)
    args = parser.parse_args()
    result = run(args.kills, args.seed, args.max_delay)
    print(
        f"kills: {result.kills}\ninconsistent before repair: {result.inconsistent_before_repair}\n"
        f"inconsistent after `gwersi check --repair`: {result.inconsistent_after_repair}\n"
        f"panel decisions lost: {result.decisions_lost}\nseconds: {result.seconds:.0f}"
    )


if __name__ == "__main__":
    main()
