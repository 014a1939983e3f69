"""Outputs that survive: folders built aside and swapped in whole, one run at a time.

A reader (or a printer) sees the old set of bulletins or the new one, never a
mix; a run killed at any moment leaves the previous outputs in place, and the
next run clears its leftovers.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.failure import Failure
from pipeline.labels import N_

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100
_libc = ctypes.CDLL(None, use_errno=True)


class RunInProgress(Failure):
    """Another run holds the output folder."""


WAREHOUSE = "warehouse.duckdb"


@dataclass(frozen=True)
class Publication:
    """Where one run builds its outputs, beside the published ones, until ``publish``.

    Nothing a reader can see changes until the end of the run: the warehouse, the
    period's bulletins and its feedback are then swapped in one after the other.
    """

    out: Path
    period: str  # "2026-Q3"

    @classmethod
    def begin(cls, out: Path, period: str) -> Publication:
        """Clear what an earlier, killed run left, and make the building places."""
        publication = cls(out, period)
        for leftover in (
            publication.warehouse,
            publication.warehouse.with_name(publication.warehouse.name + ".wal"),
        ):
            leftover.unlink(missing_ok=True)
        for final in (publication.final_bulletins, publication.final_feedback):
            building_dir(final)
        return publication

    @property
    def final_warehouse(self) -> Path:
        return self.out / WAREHOUSE

    @property
    def final_bulletins(self) -> Path:
        return self.out / "bulletins" / self.period

    @property
    def final_feedback(self) -> Path:
        return self.out / "feedback" / self.period

    @property
    def warehouse(self) -> Path:
        return self.out / f".{WAREHOUSE}.building"

    @property
    def bulletins(self) -> Path:
        return _building(self.final_bulletins)

    @property
    def feedback(self) -> Path:
        return _building(self.final_feedback)

    def publish(self) -> None:
        """Swap every built output in; each swap is atomic."""
        self.warehouse.replace(self.final_warehouse)
        swap_in(self.bulletins, self.final_bulletins)
        swap_in(self.feedback, self.final_feedback)


def _building(final: Path) -> Path:
    return final.with_name(f".{final.name}.building")


def building_dir(final: Path) -> Path:
    """A fresh, empty folder beside ``final`` to build its new contents in."""
    recover(final)
    building = _building(final)
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    return building


def swap_in(building: Path, final: Path) -> None:
    """Replace ``final`` by ``building`` in one step where the system allows it."""
    if final.exists() and _exchange(building, final):
        shutil.rmtree(building)  # now holds the previous contents
        return
    # First run (nothing to exchange), or no renameat2: two renames, undone by recover().
    old = final.with_name(f".{final.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    building.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def recover(final: Path) -> None:
    """Undo what a killed run left beside ``final``: restore it, drop half-built copies."""
    old = final.with_name(f".{final.name}.old")
    if old.exists() and not final.exists():
        old.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(final.with_name(f".{final.name}.building"), ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0


@contextlib.contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold the output folder for one run; a second run at the same time is refused."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / ".run.lock").open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "?"
            raise RunInProgress(
                N_(
                    "Another run is writing to %(out)s (pid %(pid)s). Wait for it to finish, "
                    "then run again."
                ),
                out=out,
                pid=holder,
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
