"""The README stays true: every setting is documented, the two quickstart commands exist and CI runs one."""

from __future__ import annotations

import re

from gwersi.settings import Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _env_name(field: str) -> str:
    return "DATABASE_URL" if field == "database_url" else f"GWERSI_{field.upper()}"


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [_env_name(name) for name in Settings.model_fields if f"`{_env_name(name)}`" not in README]
    assert missing == []


def test_every_setting_has_help_text() -> None:
    assert [n for n, f in Settings.model_fields.items() if not (f.description or "").strip()] == []


def test_quickstart_commands_are_make_targets_and_ci_runs_the_test_one() -> None:
    blocks = re.findall(r"```\n(make \w+)\n```", README)
    assert blocks[:2] == ["make run", "make test"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert [line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))] == ["make test"]


def test_torch_is_pinned_to_the_cpu_build() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"torch==2.13.0"' in pyproject
