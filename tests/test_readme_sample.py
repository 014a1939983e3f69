"""The README shows what `make report` prints on the sample province, exactly.

The command runs as the board runs it: in a folder holding `data/raw` and
`data/reference` (copies of the sample), with the default options, so the paths it
prints are the README's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def block_after(text: str, marker: str) -> str:
    """The first fenced block after ``marker`` in the README."""
    found = re.search(re.escape(marker) + r".*?\n```\n(.*?)```", text, flags=re.DOTALL)
    assert found, marker
    return found[1]


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder as the board's: the sample's data/raw and data/reference."""
    root = tmp_path_factory.mktemp("board")
    for name in ("raw", "reference"):
        shutil.copytree(ROOT / "data" / name, root / "data" / name)
    return root


def run_report(board: Path, *extra: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "report", *extra],
        cwd=board,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_the_readme_shows_what_report_prints_in_both_languages(board):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    vietnamese = run_report(board)  # province.toml: vi
    assert vietnamese == block_after(readme, "so `make report` works out of the box")
    english = run_report(board, "--lang", "en")
    assert english == block_after(readme, "The same with `--lang en`:")
