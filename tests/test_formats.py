"""The same return in every format SPEC §3 accepts, written by a real library, reads the same."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import xlwt

from pipeline.read import read_workbook
from pipeline.validate import validate
from tests.factory import Sheets, valid_return, write_with_xlsxwriter, write_workbook

TODAY = dt.date(2026, 11, 23)


def write_xlsxwriter(path: Path, sheets: Sheets) -> Path:
    write_with_xlsxwriter(path, sheets)
    return path


def write_xls(path: Path, sheets: Sheets) -> Path:
    book = xlwt.Workbook()
    dates = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, dates)
                elif value not in ("", None):
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_ods(path: Path, sheets: Sheets) -> Path:
    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, header=False, index=False)
    return path


WRITERS = {
    "openpyxl.xlsx": write_workbook,
    "xlsxwriter.xlsx": write_xlsxwriter,
    "xlwt.xls": write_xls,
    "odf.ods": write_ods,
    # recognised from content, not extension: an Excel 97-2003 file named .xlsx
    "xlwt-misnamed.xlsx": write_xls,
}


def typed_rows(path: Path) -> dict[str, list[tuple]]:
    book = read_workbook(path, path.parent, "en")
    result = validate([book], {"06253"}, TODAY, "en")
    assert result.problems == []
    assert bool(result.files.loc[0, "accepted"])
    return {
        name: [
            tuple(row)
            for row in frame.drop(columns=[c for c in frame if c.startswith("_")]).itertuples(
                index=False
            )
        ]
        for name, frame in result.sheets.items()
    }


@pytest.mark.parametrize("writer", list(WRITERS))
def test_every_format_reads_the_same(tmp_path, writer):
    sheets = valid_return(admissions=2)
    reference = typed_rows(write_workbook(tmp_path / "reference.xlsx", sheets))
    path = WRITERS[writer](tmp_path / writer, sheets)
    assert typed_rows(path) == reference
    assert len(reference["Meetings"]) == 6
    assert reference["Info"][0][:3] == ("06253", "Xã Thử Nghiệm", "2026-Q3")
