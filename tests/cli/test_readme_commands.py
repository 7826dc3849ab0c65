"""The pure commands in the README work exactly as written on a fresh clone."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from oppvekst.cli import PURE_COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[list[str]]:
    found = []
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\.venv/bin/oppvekst (.*?)(\s+#.*)?$", line.strip())
        if match:
            args = shlex.split(match.group(1))
            if tuple(args[:2]) in PURE_COMMANDS:
                found.append(args)
    return found


def test_the_readme_shows_the_pure_commands() -> None:
    shown = {tuple(args[:2]) for args in _readme_commands()}
    assert {("admission", "solve"), ("billing", "quote"), ("timetable", "solve")} <= shown


@pytest.mark.parametrize("args", _readme_commands(), ids=lambda a: " ".join(a[:2]))
def test_readme_command_runs_as_written(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "docs" / "examples")
    monkeypatch.chdir(tmp_path)
    assert main(args) == 0
