"""The warehouse as Parquet files for other tools (the ``export`` command).

Every relation of the public ``main`` schema is written: one with year and quarter
columns as a hive-partitioned folder ``<relation>/year=2026/quarter=3/data_0.parquet``
(year and quarter also kept inside each file, in their place among the columns),
the others (and ``submissions``, whose year and quarter are NULL for unreadable files)
as one file ``<relation>.parquet``. Rows are sorted on every column, and the writer
runs on one thread, so the same warehouse always gives the same files.

The export is built in a folder beside the destination and each relation is moved in
when all are written: a reader never sees half a relation. Other files in the
destination are left alone.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.failure import Failure
from pipeline.folders import folder_to_write
from pipeline.labels import N_
from pipeline.warehouse import open_read_only

QUERIES = Path(__file__).parent / "sql" / "export"
FORMATS = ("parquet",)


class ExportError(Failure):
    """The warehouse cannot be exported; the message says why."""


@dataclass(frozen=True)
class Exported:
    relation: str
    path: Path  # a folder when partitioned, else a .parquet file
    rows: int
    partitioned: bool


def export(warehouse: Path, destination: Path, fmt: str = "parquet") -> list[Exported]:
    """Write every public relation of the ``warehouse`` into ``destination``."""
    if fmt not in FORMATS:
        raise ExportError(
            N_("Unknown export format %(format)s: choose one of %(formats)s."),
            format=fmt,
            formats=", ".join(FORMATS),
        )
    con = open_read_only(warehouse, threads=1)  # one thread: the same bytes every time
    exported: list[Exported] = []
    with con:
        folder_to_write(destination, "--out")
        with tempfile.TemporaryDirectory(dir=destination, prefix=".export-") as building:
            for relation, partitioned in con.execute(_query("relations")).fetchall():
                target = Path(building) / (relation if partitioned else f"{relation}.parquet")
                if partitioned:
                    target.mkdir()  # an empty relation still gets its (empty) folder
                (rows,) = con.execute(_copy(relation, target, partitioned)).fetchone()
                if partitioned and not rows:
                    # no partition to write: one empty file keeps the columns readable
                    con.execute(_copy(relation, target / "data_0.parquet", partitioned=False))
                exported.append(Exported(relation, destination / target.name, rows, partitioned))
            for item in exported:
                _replace(Path(building) / item.path.name, item.path)
    return exported


def _query(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy(relation: str, target: Path, partitioned: bool) -> str:
    options = "format parquet"
    if partitioned:  # year and quarter stay in the files too: one file read alone is whole
        options += ", partition_by (year, quarter), write_partition_columns true"
    return (
        f"copy (select * from {_identifier(relation)} order by all) "
        f"to {_literal(str(target))} ({options})"
    )


def _replace(new: Path, final: Path) -> None:
    """Move ``new`` to ``final``; an older export of that relation is removed."""
    old = None
    if final.is_dir() and not final.is_symlink():
        old = final.with_name(f".{final.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
    elif new.is_dir() and (final.exists() or final.is_symlink()):
        final.unlink()
    new.replace(final)
    if old is not None:
        shutil.rmtree(old)
