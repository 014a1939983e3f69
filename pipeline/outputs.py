"""Output folders built aside and swapped in whole, so readers never see half a set."""

from __future__ import annotations

import shutil
from pathlib import Path


def building_dir(final: Path) -> Path:
    """A fresh, empty folder beside ``final`` to build its new contents in."""
    building = final.with_name(f".{final.name}.building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    return building


def swap_in(building: Path, final: Path) -> None:
    """Replace ``final`` by ``building``: readers see the old set or the new one."""
    old = final.with_name(f".{final.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    building.rename(final)
    shutil.rmtree(old, ignore_errors=True)
