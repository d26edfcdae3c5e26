"""A process that ingest starts (parse workers, the encoder process) ends when ingest is killed with
``kill -9``, instead of waiting for work forever (one was found asleep after the crash test)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.crash_test import CLI, _env
from tests.conftest import SAMPLES

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux)")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its parent's reaping is left


def _kill_and_check(proc: subprocess.Popen[bytes], want: int) -> None:
    deadline = time.monotonic() + 60
    children: list[int] = []
    while len(children) < want and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        children = _children(proc.pid)
    assert len(children) >= want, "the children never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [c for c in children if _alive(c)]
    for c in left:
        os.kill(c, signal.SIGKILL)
    assert not left, f"children left running after their parent was killed: {left}"


def test_parse_workers_end_with_a_killed_ingest(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for copy in range(6):  # enough PDFs that the workers are still parsing when the kill comes
        for name in ("cpr_ctmsb_2020_08.pdf", "cpr_sewscb_2022_03.pdf"):
            shutil.copy(SAMPLES / name, src / f"{copy}-{name}")
    env = {**_env(tmp_path / "data"), "GWERSI_INGEST_WORKERS": "2"}
    proc = subprocess.Popen([*CLI, "ingest", str(src)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _kill_and_check(proc, want=2)


def test_the_encoder_process_ends_with_a_killed_parent() -> None:
    script = "import time; from index.encoder_process import EncoderProcess as E; p = E('hashing'); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2])
    _kill_and_check(proc, want=1)
