"""Opening the published warehouse to read it, as every command that only reads it does.

Read-only connections share the file with each other (an analyst's ``duckdb -readonly``
session, ``export``, ``templates``); a program holding it read-write locks everyone else
out, and DuckDB's error names it. That error becomes one line saying who holds the file
and what to do. ``report`` is not affected: it builds a new file and renames it over.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

from pipeline.failure import Failure
from pipeline.folders import file_to_read
from pipeline.labels import N_

# DuckDB 1.x and 2.x: 'Conflicting lock is held in /usr/bin/duckdb (PID 1234)'
_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


def open_read_only(path: Path, **config: Any) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse at ``path``; a ``Failure`` when there is none."""
    if not path.exists():
        raise Failure(
            N_(
                "There is no warehouse at %(path)s: run `make report` "
                "(or `python -m pipeline report`) first."
            ),
            path=path,
        )
    if path.is_dir():
        raise Failure(
            N_("%(path)s is a folder, not a warehouse: give the warehouse.duckdb file."),
            path=path,
        )
    file_to_read(path)
    try:
        return duckdb.connect(path, read_only=True, config=config)
    except duckdb.Error as exc:
        raise _refusal(path, exc) from None


def _refusal(path: Path, error: duckdb.Error) -> Failure:
    message = str(error)
    if holder := _HOLDER.search(message):
        return Failure(
            N_(
                "The warehouse %(path)s is held open for writing by %(program)s (pid %(pid)s): "
                "close that session (analysts: open the warehouse with `duckdb -readonly`), "
                "then run again."
            ),
            path=path,
            program=Path(holder["program"]).name,
            pid=holder["pid"],
        )
    if "not a valid DuckDB database file" in message:
        return Failure(
            N_(
                "%(path)s is not a DuckDB warehouse: give the warehouse.duckdb that `report` "
                "writes."
            ),
            path=path,
        )
    return Failure(
        N_("The warehouse %(path)s cannot be opened: %(error)s"),
        path=path,
        error=message.splitlines()[0] if message else type(error).__name__,
    )
