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
from pathlib import Path

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100
_libc = ctypes.CDLL(None, use_errno=True)


class RunInProgress(Exception):
    """Another run holds the output folder."""


def building_dir(final: Path) -> Path:
    """A fresh, empty folder beside ``final`` to build its new contents in."""
    recover(final)
    building = final.with_name(f".{final.name}.building")
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
            holder = lock.read().strip() or "another process"
            raise RunInProgress(
                f"Another run is writing to {out} (pid {holder}). Wait for it to finish, "
                "then run again."
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
