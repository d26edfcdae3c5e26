"""A few real kill -9 rounds in the suite (the 200-kill run is `python -m bench.crash_test`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.crash_test import run


@pytest.mark.slow
def test_kill_minus_nine_never_leaves_an_unrepairable_state_or_loses_decisions(tmp_path: Path) -> None:
    result = run(kills=4, seed=11, max_delay=4.0, workdir=tmp_path)
    assert result.kills == 4
    assert result.inconsistent_after_repair == 0
    assert result.decisions_lost == 0
