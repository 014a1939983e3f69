"""Who has reported for a quarter, as the raw folder stands now (the ``status`` command).

A board clerk runs it before the deadline, before any report run: every file of the
raw folder is read and validated as ``report`` does, a warehouse is built in a
temporary folder (deleted afterwards) and ``submission_status`` is read from it.
The published outputs in ``data/out`` are never touched.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from pipeline import formats
from pipeline.labels import label_for, translations

QUERIES = Path(__file__).parent / "sql" / "status"
# The public columns of the csv and json outputs: scripts and mailing lists rely on them.
COLUMNS = (
    "commune_code",
    "commune_name",
    "status",
    "submitted_on",
    "file_name",
    "errors",
    "warnings",
)
STATUSES = ("on_time", "late", "rejected", "missing")
FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class StatusReport:
    """One row per commune of the reference, and the files that count for none."""

    period: tuple[int, int]
    lang: str  # of the labels shown to people
    rows: list[dict[str, Any]]  # keys: COLUMNS
    unattributed: list[str]  # file names

    def counts(self) -> Counter[str]:
        return Counter(row["status"] for row in self.rows)


def collect(
    raw: Path, reference_dir: Path, period: tuple[int, int] | None, lang: str | None
) -> StatusReport:
    """Read and validate ``raw`` now; the status of every commune for ``period``.

    Without ``period``: the latest quarter with returns, as ``report`` chooses it.
    """
    # Imported here: the command line reads this module's constants before any work.
    from pipeline.load import build_warehouse
    from pipeline.reference import load_reference
    from pipeline.run import choose_period, ingest

    reference = load_reference(reference_dir, lang)
    lang = lang or reference.settings.language
    _books, validated = ingest(raw, reference, lang)
    chosen = choose_period(validated, period, raw)
    params = {"year": chosen[0], "quarter": chosen[1]}
    with tempfile.TemporaryDirectory(prefix="pipeline-status-") as folder:
        warehouse = build_warehouse(Path(folder) / "warehouse.duckdb", validated, reference)
        with duckdb.connect(warehouse, read_only=True) as con:
            result = con.execute(_query("status"), params)
            names = [d[0] for d in result.description]
            rows = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
            unattributed = [f for (f,) in con.execute(_query("unattributed"), params).fetchall()]
    return StatusReport(chosen, lang, rows, unattributed)


def _query(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


# --- outputs ----------------------------------------------------------------------------


def as_csv(report: StatusReport) -> str:
    """RFC 4180 CSV with a header row of ``COLUMNS``; dates ISO, blanks empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.rows:
        writer.writerow(["" if row[c] is None else _plain(row[c]) for c in COLUMNS])
    return buffer.getvalue()


def as_json(report: StatusReport) -> str:
    """A JSON array of objects with the keys of ``COLUMNS``; dates ISO, blanks null."""
    rows = [{c: _plain(row[c]) for c in COLUMNS} for row in report.rows]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def print_table(report: StatusReport, console: Console) -> None:
    """A table for people, then a one-line count summary, in the report's language
    (dates and counts written as the bulletins write them)."""
    lang = report.lang
    _ = translations(lang).gettext
    label = label_for(lang)
    styles = {"on_time": "green", "late": "yellow", "rejected": "bold red", "missing": "red"}
    rows = [
        [
            Text(row["commune_code"]),
            Text(row["commune_name"] or ""),
            Text(label(row["status"]), style=styles[row["status"]]),
            Text(formats.date(row["submitted_on"], lang) if row["submitted_on"] else ""),
            Text("" if row["errors"] is None else formats.number(row["errors"], lang)),
            Text("" if row["warnings"] is None else formats.number(row["warnings"], lang)),
            Text(row["file_name"] or ""),
        ]
        for row in report.rows
    ]
    headers = [
        _("Commune"), "", _("Status"), _("Submitted"), _("Errors"), _("Warnings"), _("File")
    ]  # fmt: skip
    table = _table(headers, rows, console)
    unbounded = console.options.update_width(10_000)
    if Measurement.get(console, unbounded, table).maximum > console.width:
        # a narrow terminal: the file names go (`--format csv` has them) and the rest fits
        table = _table(headers[:-1], [row[:-1] for row in rows], console)
    console.print(Text(formats.quarter(report.period, lang), style="bold"))
    console.print(table)
    console.print(Text(summary_line(report)))
    if report.unattributed:
        console.print(Text(_("Files that name no commune or period:"), style="yellow"))
        for name in report.unattributed:
            console.print(Text(f"  {name}"))


def _table(headers: list[str], rows: list[list[Text]], console: Console) -> Table:
    if console.is_terminal:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    else:  # CI logs and mail: ASCII lines
        table = Table(box=box.ASCII2)
    for i, header in enumerate(headers):
        width = max([cell_len(header)] + [row[i].cell_len for row in rows])
        numeric = i in (4, 5)  # errors, warnings
        table.add_column(
            header, no_wrap=True, min_width=width, justify="right" if numeric else "left"
        )
    for row in rows:
        table.add_row(*row)
    return table


def summary_line(report: StatusReport) -> str:
    """``Communes: 25 · On time 23 · Late 1 · Rejected 0 · Missing 1``."""
    lang = report.lang
    _ = translations(lang).gettext
    label = label_for(lang)
    counts = report.counts()
    parts = [_("Communes: %(n)s") % {"n": formats.number(len(report.rows), lang)}]
    parts += [f"{label(status)} {formats.number(counts[status], lang)}" for status in STATUSES]
    return " · ".join(parts)
