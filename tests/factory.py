"""Build real return workbooks and reference folders for tests (openpyxl writes them)."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

Sheets = dict[str, list[list[Any]]]

CELLS_HEADER = [
    "cell_code",
    "cell_name",
    "cell_type",
    "official_members",
    "probationary_members",
    "last_admission_year",
]
MEETINGS_HEADER = [
    "cell_code",
    "month",
    "regular_meeting",
    "meeting_date",
    "attendees",
    "thematic_meeting",
    "higher_level_attendees",
]
ADMISSIONS_HEADER = [
    "cell_code",
    "admitted_on",
    "sex",
    "birth_year",
    "ethnicity",
    "religion",
    "occupation",
    "education",
    "referred_by",
]


def quarter_months(quarter: int) -> list[int]:
    return [quarter * 3 - 2, quarter * 3 - 1, quarter * 3]


def valid_return(
    commune: str = "06253",
    year: int = 2026,
    quarter: int = 3,
    submitted_on: dt.date | str | None = None,
    cells: list[tuple[str, int, int]] | None = None,
    admissions: int = 1,
) -> Sheets:
    """A small valid return: each cell (code, official, probationary) meets every month.

    Row numbers in Excel: header on row 1, so the n-th data row is Excel row n + 1.
    """
    cells = cells or [("CB01", 10, 2), ("CB02", 20, 0)]
    end_month = quarter * 3
    submitted_on = submitted_on or dt.date(year + (quarter == 4), end_month % 12 + 1, 5)
    sheets: Sheets = {
        "Info": [
            ["commune_code", commune],
            ["commune_name", "Xã Thử Nghiệm"],
            ["period", f"{year}-Q{quarter}"],
            ["submitted_on", submitted_on],
            ["prepared_by", "Nguyễn Thị Lan"],
        ],
        "Cells": [list(CELLS_HEADER)],  # copies: a test may edit its header row
        "Meetings": [list(MEETINGS_HEADER)],
        "Admissions": [list(ADMISSIONS_HEADER)],
    }
    for i, (code, official, probationary) in enumerate(cells):
        admitted_here = admissions if i == 0 else 0
        sheets["Cells"].append(
            [
                code,
                f"Chi bộ {code}",
                "Thôn",
                official,
                probationary,
                year if admitted_here else year - 1,
            ]
        )
        for month in quarter_months(quarter):
            sheets["Meetings"].append(
                [code, month, "x", dt.date(year, month, 10), official + probationary, "", 0]
            )
    for n in range(admissions):
        sheets["Admissions"].append(
            [
                cells[0][0],
                dt.date(year, end_month - 1, 1 + n),
                "Nữ",
                year - 25,
                "Kinh",
                "",
                "Nông dân",
                "THPT",
                "Đoàn Thanh niên",
            ]
        )
    return sheets


def write_workbook(path: Path, sheets: Sheets) -> Path:
    """Write ``sheets`` (name -> rows) as a real .xlsx file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def write_with_xlsxwriter(target: Path | io.BytesIO, sheets: Sheets) -> None:
    """Write ``sheets`` with xlsxwriter (text in sharedStrings, real Excel dates)."""
    book = xlsxwriter.Workbook(target, {"in_memory": True})
    dates = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
                elif value not in ("", None):
                    sheet.write(r, c, value)
    book.close()


def edited(sheets: Sheets, sheet: str, row: int, column: str, value: Any) -> Sheets:
    """A copy of ``sheets`` with one cell changed; ``row`` is the Excel row."""
    out = copy.deepcopy(sheets)
    rows = out[sheet]
    if sheet == "Info":
        for pair in rows:
            if pair[0] == column:
                pair[1] = value
        return out
    rows[row - 1][rows[0].index(column)] = value
    return out


def write_reference(
    folder: Path,
    communes: list[tuple[str, str, str | None]] | None = None,
    targets: list[tuple[str, int, int]] | None = None,
    referral_targets: list[tuple[str, int, str, int]] | None = None,
    settings: str = 'province_name = "Tỉnh Thử"\ndeadline_days = 10\nstale_years = 3\n'
    'language = "en"\n',
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    communes = communes or [("06253", "Xã Thử Nghiệm", "Cụm A")]
    targets = targets if targets is not None else [(c[0], 2026, 8) for c in communes]
    _csv(folder / "communes.csv", ["commune_code", "commune_name", "cluster"], communes)
    _csv(folder / "targets.csv", ["commune_code", "year", "admissions_target"], targets)
    if referral_targets is not None:
        _csv(
            folder / "referral_targets.csv",
            ["commune_code", "year", "referred_by", "referrals_target"],
            referral_targets,
        )
    (folder / "province.toml").write_text(settings, encoding="utf-8")
    return folder


def _csv(path: Path, header: list[str], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def with_assignments(
    sheets: Sheets,
    members: dict[str, str | None],
    attended: dict[tuple[str, int], Any] | None = None,
    ratings: dict[tuple[str, int], Any] | None = None,
) -> Sheets:
    """A copy with the optional columns of SPEC §3: ``assigned_member`` in Cells (by cell
    code) and ``assigned_member_attended`` and ``meeting_rating`` in Meetings (by (cell,
    month)); a cell or meeting not named is left blank."""
    out = copy.deepcopy(sheets)
    out["Cells"][0].append("assigned_member")
    for row in out["Cells"][1:]:
        row.append(members.get(row[0]))
    out["Meetings"][0] += ["assigned_member_attended", "meeting_rating"]
    for row in out["Meetings"][1:]:
        key = (row[0], row[1])
        row += [(attended or {}).get(key), (ratings or {}).get(key)]
    return out
