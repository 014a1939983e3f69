"""The naive baseline the benchmark compares against: the same job done the obvious way.

openpyxl for every file (merged ranges too), pandera once per file, row-by-row inserts,
one bulletin at a time with its stylesheet parsed for each page. It reuses the project's
header matching, rules and SQL, so only the costs named above differ.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pandas as pd
import python_calamine as calamine
import weasyprint

from pipeline import contexts, load, plausibility, read, render
from pipeline.clock import today
from pipeline.reference import load_reference
from pipeline.run import choose_period
from pipeline.validate import Validated, validate


@dataclass(frozen=True)
class _SheetMeta:
    name: str
    typ: calamine.SheetTypeEnum
    visible: calamine.SheetVisibleEnum


class _OpenpyxlBook:
    """Just enough of a calamine workbook for the project's sheet reader, backed by openpyxl.

    Not read-only: openpyxl gives merged ranges (old forms, issue 13) only then.
    """

    def __init__(self, path: Path) -> None:
        self._book = openpyxl.load_workbook(path, data_only=True)
        self.sheet_names = self._book.sheetnames
        visible = {"visible": calamine.SheetVisibleEnum.Visible}
        self.sheets_metadata = [
            _SheetMeta(
                s.title,
                calamine.SheetTypeEnum.WorkSheet,
                visible.get(s.sheet_state, calamine.SheetVisibleEnum.Hidden),
            )
            for s in self._book.worksheets
        ]

    def get_sheet_by_name(self, name: str) -> _OpenpyxlBook:
        self._sheet = self._book[name]
        return self

    def to_python(self, skip_empty_area: bool = False) -> list[list[Any]]:
        return [
            ["" if v is None else v for v in row]
            for row in self._sheet.iter_rows(min_row=1, min_col=1, values_only=True)
        ]

    @property
    def merged_cell_ranges(self) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        return [
            ((m.min_row - 1, m.min_col - 1), (m.max_row - 1, m.max_col - 1))
            for m in self._sheet.merged_cells.ranges
        ]


def _read(path: Path, raw: Path, lang: str) -> read.Workbook:
    book = read.workbook_identity(path, raw)
    data = path.read_bytes()
    verdict, _formulas = read._refuse(data)
    if verdict:
        book.file_problem(verdict[0], lang, verdict[1])
        return book
    try:
        read._read_sheets(_OpenpyxlBook(path), data, data, book, lang)
    except Exception:
        book.file_problem("damaged-file", lang, "unreadable")
    return book


def run(raw: Path, reference_dir: Path, out: Path, lang: str = "vi") -> dict:
    reference = load_reference(reference_dir)
    stages: dict[str, float] = {}
    start = time.perf_counter()
    paths = sorted(p for p in raw.rglob("*") if p.is_file() and not p.name.startswith(("~$", ".")))
    books = [_read(p, raw, lang) for p in paths]
    stages["read"] = time.perf_counter() - start

    t = time.perf_counter()
    communes = set(reference.communes["commune_code"])
    results = [validate([book], communes, today(), lang) for book in books]  # one call a file
    stages["validate"] = time.perf_counter() - t

    t = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    warehouse = out / "warehouse.duckdb"
    warehouse.unlink(missing_ok=True)
    merged = _merge(results)
    con = duckdb.connect(warehouse)
    con.execute("create schema staging")
    for name, frame in load._staging_frames(merged, reference).items():
        _insert_row_by_row(con, f"staging.{name}", frame)
    for script in sorted(load.SQL_DIR.glob("*.sql")):
        con.execute(script.read_text(encoding="utf-8"))
    plausibility.record(con, reference.settings.plausibility, lang)  # as load does
    con.close()
    stages["load and indicators"] = time.perf_counter() - t

    t = time.perf_counter()
    period = choose_period(merged, None)
    with duckdb.connect(warehouse, read_only=True) as con:
        province, bulletins = contexts._contexts(con, reference.settings.province_name, *period)
    env = render.environment(lang)
    province.charts = render._charts(province, lang)
    for bulletin in [province, *bulletins]:
        template = "province.html" if bulletin is province else "commune.html"
        html = render.render_html(
            env, template, bulletin, web=False, inline_css=True
        )  # stylesheet inline, parsed each time
        weasyprint.HTML(string=html, url_fetcher=render.TemplateFetcher()).write_pdf(
            out / f"{id(bulletin)}.pdf"
        )
    stages["render"] = time.perf_counter() - t
    return {"seconds": time.perf_counter() - start, "stages": stages}


def _merge(results: list) -> Any:
    """One Validated from per-file results, file ids renumbered."""

    files, sheets, problems = [], {}, []
    for file_id, result in enumerate(results):
        files.append(result.files.assign(file_id=file_id))
        for name, frame in result.sheets.items():
            sheets.setdefault(name, []).append(frame.assign(_file=file_id))
        problems += result.problems
    return Validated(
        pd.concat(files, ignore_index=True),
        {name: pd.concat(frames, ignore_index=True) for name, frames in sheets.items()},
        problems,
    )


def _insert_row_by_row(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.from_df(frame.head(0)).create(table)  # the types, then every row on its own
    rows = [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False)]
    if rows:
        marks = ", ".join("?" * len(frame.columns))
        con.executemany(f"insert into {table} values ({marks})", rows)


def _plain(value: Any) -> Any:
    """A Python value DuckDB's parameter binding accepts (no numpy scalars, no NA)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
