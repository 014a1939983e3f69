"""Shared fixtures: a province folder layout under tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.run import Options


@pytest.fixture
def province(tmp_path: Path) -> Options:
    """Empty raw/reference/out folders; tests write returns and reference data into them."""
    options = Options(raw=tmp_path / "raw", reference=tmp_path / "reference", out=tmp_path / "out")
    options.raw.mkdir()
    return options


# Bulletins print their generation date; a fixed one makes reruns byte-identical.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1795392000")  # 2026-11-23
