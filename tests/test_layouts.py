"""Returns made from the province's old forms (SPEC §3), read as the clerk meant them.

One return's content is written twice: as the plain template (openpyxl, through
``tests.factory``) and as an old form (title rows, sheets "Biểu 1" … "Biểu 4", an ``STT``
column, two-row headers with a group merged over its sub-headers, line breaks and
footnote marks in headers, cell codes merged down over their month rows, total rows,
Vietnamese dates) by a second library for each format: openpyxl for .xlsx, xlwt for .xls,
odfpy for .ods. Both go through read, validate and the warehouse; their figures must
be equal, cell for cell.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableProperties
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P

from pipeline.load import build_warehouse
from pipeline.read import _numbering_row, read_workbook
from pipeline.reference import load_reference
from pipeline.validate import validate
from tests.factory import Sheets, write_reference, write_workbook

TODAY = dt.date(2026, 11, 23)
YEAR, QUARTER, MONTHS = 2026, 3, (7, 8, 9)


# --- one return's content ------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    code: str
    name: str
    kind: str
    official: int
    probationary: int
    last_year: int | None


@dataclass(frozen=True)
class Meeting:
    code: str
    month: int
    held: bool
    on: dt.date | None
    attendees: int | None
    thematic: bool
    higher: int | None


CELLS = (
    Cell("CB01", "Chi bộ Thôn Đông", "Thôn", 10, 2, 2026),
    Cell("CB02", "Chi bộ Trường học", "Trường học", 20, 0, 2025),
    Cell("CB03", "Chi bộ Công an xã", "Công an", 8, 1, None),
)
HELD = {("CB02", 8): False, ("CB03", 9): False}  # two meetings not held
MEETINGS = tuple(
    Meeting(
        c.code,
        m,
        HELD.get((c.code, m), True),
        None if not HELD.get((c.code, m), True) else dt.date(YEAR, m, 5 + i),
        None if not HELD.get((c.code, m), True) else c.official + c.probationary - i,
        m == 8 and c.code != "CB02",
        None if not HELD.get((c.code, m), True) else i % 3,
    )
    for i, c in enumerate(CELLS)
    for m in MONTHS
)
ADMISSIONS = (
    ["CB01", dt.date(YEAR, 8, 12), "Nữ", 2001, "Kinh", "", "Nông dân", "THPT", "Đoàn Thanh niên"],
    ["CB01", dt.date(YEAR, 9, 3), "Nam", 1990, "Tày", "Không", "Công nhân", "Đại học", ""],
)


def _mark(yes: bool) -> str:
    return "x" if yes else ""


def plain() -> Sheets:
    """The return in the plain template: canonical headers on row 1."""
    return {
        "Info": [
            ["commune_code", "06253"],
            ["commune_name", "Xã Thử Nghiệm"],
            ["period", f"{YEAR}-Q{QUARTER}"],
            ["submitted_on", dt.date(YEAR, 10, 5)],
            ["prepared_by", "Nguyễn Thị Lan"],
        ],
        "Cells": [
            [
                "cell_code",
                "cell_name",
                "cell_type",
                "official_members",
                "probationary_members",
                "last_admission_year",
            ],
            *([c.code, c.name, c.kind, c.official, c.probationary, c.last_year] for c in CELLS),
        ],
        "Meetings": [
            [
                "cell_code",
                "month",
                "regular_meeting",
                "meeting_date",
                "attendees",
                "thematic_meeting",
                "higher_level_attendees",
            ],
            *(
                [m.code, m.month, _mark(m.held), m.on, m.attendees, _mark(m.thematic), m.higher]
                for m in MEETINGS
            ),
        ],
        "Admissions": [
            [
                "cell_code",
                "admitted_on",
                "sex",
                "birth_year",
                "ethnicity",
                "religion",
                "occupation",
                "education",
                "referred_by",
            ],
            *(list(a) for a in ADMISSIONS),
        ],
    }


# --- the old form, as cells with their merged spans ----------------------------------------


@dataclass(frozen=True)
class Put:
    """One written cell (0-based), merged over ``rows`` × ``cols`` cells."""

    row: int
    col: int
    value: Any
    rows: int = 1
    cols: int = 1


@dataclass
class Form:
    """A workbook as cells: sheet name -> cells, in sheet order; some sheets hidden."""

    sheets: dict[str, list[Put]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)


def old_cells(puts: list[Put], total: tuple[int, int] | None = None) -> None:
    """``Biểu 2``: titles, a two-row header ("Đảng viên" over "Chính thức" | "Dự bị"), a
    row number, a total row (``total``: what it says, else the true sums) and a note."""
    puts += [
        Put(0, 0, "DANH SÁCH CHI BỘ", cols=7),
        Put(1, 0, "(Kèm theo báo cáo quý III/2026)", cols=7),
        Put(2, 0, "STT", rows=2),
        Put(2, 1, "Mã\nchi bộ", rows=2),
        Put(2, 2, "Tên  chi bộ", rows=2),
        Put(2, 3, "Loại hình\nchi bộ", rows=2),
        Put(2, 4, "Đảng viên", cols=2),
        Put(3, 4, "Chính thức"),
        Put(3, 5, "Dự bị (*)"),
        Put(2, 6, "Năm kết nạp\ngần nhất (1)", rows=2),
    ]
    for i, c in enumerate(CELLS):
        row = 4 + i
        puts += [Put(row, 0, i + 1), Put(row, 1, c.code), Put(row, 2, c.name), Put(row, 3, c.kind)]
        puts += [Put(row, 4, c.official), Put(row, 5, c.probationary)]
        if c.last_year:
            puts.append(Put(row, 6, c.last_year))
    row = 4 + len(CELLS)
    sums = total or (sum(c.official for c in CELLS), sum(c.probationary for c in CELLS))
    puts += [Put(row, 0, "Tổng cộng", cols=4), Put(row, 4, sums[0]), Put(row, 5, sums[1])]
    puts += [
        Put(row + 1, 0, "(*) Đảng viên dự bị tính đến ngày cuối quý."),
        Put(row + 2, 0, "(1) Để trống nếu chi bộ chưa kết nạp đảng viên nào."),
        Put(row + 4, 5, "Người lập biểu"),
    ]


def old_meetings(puts: list[Put], codes: dict[str, str] | None = None) -> None:
    """``Biểu 3``: "Sinh hoạt" over "Định kỳ" | "Chuyên đề", each cell's number and code
    merged down over its three month rows, a total row (held meetings counted in the
    column of marks, which is not added up)."""
    codes = codes or {}
    puts += [
        Put(0, 0, "TÌNH HÌNH SINH HOẠT CHI BỘ QUÝ III/2026", cols=8),
        Put(2, 0, "STT", rows=2),
        Put(2, 1, "Mã chi bộ", rows=2),
        Put(2, 2, "Tháng", rows=2),
        Put(2, 3, "Sinh hoạt", cols=2),
        Put(3, 3, "Định kỳ"),
        Put(3, 4, "Chuyên đề"),
        Put(2, 5, "Ngày sinh hoạt", rows=2),
        Put(2, 6, "Số ĐV dự (*)", rows=2),
        Put(2, 7, "Cán bộ cấp trên dự", rows=2),
    ]
    row = 4
    for i, c in enumerate(CELLS):
        mine = [m for m in MEETINGS if m.code == c.code]
        puts += [Put(row, 0, i + 1, rows=len(mine)), Put(row, 1, codes.get(c.code, c.code), rows=3)]
        for m in mine:
            puts += [Put(row, 2, m.month), Put(row, 3, _mark(m.held))]
            puts += [Put(row, 4, _mark(m.thematic)), Put(row, 5, m.on)]
            puts += [Put(row, 6, m.attendees), Put(row, 7, m.higher)]
            row += 1
    held = sum(m.held for m in MEETINGS)
    attendees = sum(m.attendees or 0 for m in MEETINGS)
    higher = sum(m.higher or 0 for m in MEETINGS)
    puts += [Put(row, 0, "Tổng cộng", cols=3), Put(row, 3, held)]
    puts += [Put(row, 6, attendees), Put(row, 7, higher)]


def old_form(
    info_date: Any = "ngày 05 tháng 10 năm 2026",
    cells: Callable[[list[Put]], None] = old_cells,
    meetings: Callable[[list[Put]], None] = old_meetings,
) -> Form:
    """The whole return in the province's old forms, with a sheet of instructions."""
    info = [
        Put(0, 0, "ĐẢNG BỘ XÃ THỬ NGHIỆM", cols=4),
        Put(1, 0, "BÁO CÁO CÔNG TÁC XÂY DỰNG ĐẢNG", cols=4),
    ]
    pairs = [
        ("Mã đơn vị:", "06253"),
        ("Tên đơn vị:", "Xã Thử Nghiệm"),
        ("Kỳ báo cáo:", "Quý III/2026"),
        ("Ngày lập:", info_date),
        ("Người lập:", "Nguyễn Thị Lan"),
    ]
    for i, (label, value) in enumerate(pairs):  # a row number, the label over two columns
        info += [Put(3 + i, 0, i + 1), Put(3 + i, 1, label, cols=2), Put(3 + i, 3, value)]
    admissions = [
        Put(0, 0, "DANH SÁCH ĐẢNG VIÊN MỚI KẾT NẠP", cols=10),
        Put(2, 0, "STT", rows=2),
        Put(2, 1, "Mã chi bộ", rows=2),
        Put(2, 2, "Ngày\nkết nạp", rows=2),
        Put(2, 3, "Thông tin đảng viên mới", cols=7),
    ]
    headers = ("Giới tính", "Năm sinh (*)", "Dân tộc", "Tôn giáo", "Nghề nghiệp")
    headers += ("Trình độ\nhọc vấn", "Đoàn thể giới thiệu")
    admissions += [Put(3, 3 + k, h) for k, h in enumerate(headers)]
    for i, values in enumerate(ADMISSIONS):
        admissions.append(Put(4 + i, 0, f"{i + 1}."))
        admissions += [Put(4 + i, 1 + k, v) for k, v in enumerate(values) if v not in ("", None)]
    form = Form()
    form.sheets["Hướng dẫn"] = [Put(0, 0, "Điền các biểu 1 đến 4 rồi gửi Ban Tổ chức.")]
    form.sheets["Biểu 1"] = info
    form.sheets["Biểu 2"] = []
    cells(form.sheets["Biểu 2"])
    form.sheets["Biểu 3"] = []
    meetings(form.sheets["Biểu 3"])
    form.sheets["Biểu 4"] = admissions
    return form


# --- three writers ---------------------------------------------------------------------------


def write_openpyxl(path: Path, form: Form) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, puts in form.sheets.items():
        sheet = book.create_sheet(name)
        for p in puts:
            if p.value is not None:
                sheet.cell(p.row + 1, p.col + 1, p.value)
            if p.rows > 1 or p.cols > 1:
                sheet.merge_cells(
                    start_row=p.row + 1,
                    start_column=p.col + 1,
                    end_row=p.row + p.rows,
                    end_column=p.col + p.cols,
                )
        if name in form.hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


def write_xlwt(path: Path, form: Form) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    dates = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    plain_style = xlwt.XFStyle()
    for name, puts in form.sheets.items():
        sheet = book.add_sheet(name)
        for p in puts:
            style = dates if isinstance(p.value, dt.date) else plain_style
            value = "" if p.value is None else p.value
            if p.rows > 1 or p.cols > 1:
                last_row, last_col = p.row + p.rows - 1, p.col + p.cols - 1
                sheet.write_merge(p.row, last_row, p.col, last_col, value, style)
            elif p.value is not None:
                sheet.write(p.row, p.col, value, style)
        if name in form.hidden:
            sheet.visibility = 1
    book.save(str(path))
    return path


def write_odfpy(path: Path, form: Form) -> Path:
    doc = OpenDocumentSpreadsheet()
    hidden = Style(name="hidden", family="table")
    hidden.addElement(TableProperties(display=False))
    doc.automaticstyles.addElement(hidden)
    for name, puts in form.sheets.items():
        table = Table(name=name, stylename=hidden) if name in form.hidden else Table(name=name)
        at = {(p.row, p.col): p for p in puts}
        covered = {
            (p.row + i, p.col + j)
            for p in puts
            for i in range(p.rows)
            for j in range(p.cols)
            if i or j
        }
        height = max(p.row + p.rows for p in puts)
        width = max(p.col + p.cols for p in puts)
        for r in range(height):
            row = TableRow()
            for c in range(width):
                row.addElement(
                    CoveredTableCell() if (r, c) in covered else _ods_cell(at.get((r, c)))
                )
            table.addElement(row)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def _ods_cell(put: Put | None) -> TableCell:
    spans = {}
    if put is not None and put.rows > 1:
        spans["numberrowsspanned"] = put.rows
    if put is not None and put.cols > 1:
        spans["numbercolumnsspanned"] = put.cols
    if put is None or put.value is None:
        return TableCell(**spans)
    value = put.value
    if isinstance(value, dt.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat(), **spans)
    elif isinstance(value, int | float):
        cell = TableCell(valuetype="float", value=value, **spans)
    else:
        cell = TableCell(valuetype="string", **spans)
    cell.addElement(
        P(text=value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else str(value))
    )
    return cell


WRITERS = {"xlsx": write_openpyxl, "xls": write_xlwt, "ods": write_odfpy}


# --- reading them --------------------------------------------------------------------------


@dataclass
class Outcome:
    problems: list[tuple]  # (sheet, row, column, cell, rule, message)
    warehouse: Path

    def rows(self, sql: str) -> list[tuple]:
        with duckdb.connect(self.warehouse, read_only=True) as con:
            return con.execute(sql).fetchall()


def outcome(folder: Path, path: Path, lang: str = "en") -> Outcome:
    reference = load_reference(write_reference(folder / "reference"), lang)
    book = read_workbook(path, path.parent, lang)
    validated = validate([book], {"06253"}, TODAY, lang)
    warehouse = build_warehouse(folder / "warehouse.duckdb", validated, reference)
    found = [(p.sheet, p.row, p.column, p.cell, p.rule, p.message) for p in validated.problems]
    return Outcome(found, warehouse)


def read_form(tmp_path: Path, form: Form, kind: str = "xlsx", lang: str = "en") -> Outcome:
    folder = tmp_path / kind
    (folder / "raw").mkdir(parents=True)
    return outcome(folder, WRITERS[kind](folder / "raw" / f"old.{kind}", form), lang)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    folder = tmp_path_factory.mktemp("plain")
    return outcome(folder, write_workbook(folder / "raw" / "plain.xlsx", plain()))


FIGURES = {
    "cells": "select * from cells order by cell_code",
    "meetings": "select * from meetings order by cell_code, month",
    "admissions": "select * from admissions order by admitted_on",
    "submissions": "select commune_code, year, quarter, submitted_on, status, errors, warnings"
    " from submissions",
    "cell_meetings": "select * from cell_meetings",
    "stale_cells": "select * from stale_cells order by cell_code",
    "new_member_profile": "select * from new_member_profile order by all",
}


@pytest.mark.parametrize("kind", WRITERS)
def test_an_old_form_reads_as_the_plain_template_cell_for_cell(tmp_path, template, kind):
    old = read_form(tmp_path, old_form(), kind)

    assert template.problems == []
    assert old.problems == []  # a correct return in the old form: no problem at all
    assert len(template.rows(FIGURES["cells"])) == 3
    assert len(template.rows(FIGURES["meetings"])) == 9
    assert len(template.rows(FIGURES["admissions"])) == 2
    for name, sql in FIGURES.items():
        assert old.rows(sql) == template.rows(sql), name


@pytest.mark.parametrize("kind", WRITERS)
def test_a_hidden_old_copy_is_ignored_with_a_warning(tmp_path, template, kind):
    form = old_form()
    # an earlier copy of the cells, hidden rather than deleted, with other figures
    stale = [p if p.value != 10 else Put(p.row, p.col, 99) for p in form.sheets["Biểu 2"]]
    form.sheets = {"Biểu 2 (cũ)": stale, **form.sheets}
    form.hidden = {"Biểu 2 (cũ)"}

    old = read_form(tmp_path, form, kind)

    assert old.problems == [
        (
            "Cells",
            None,
            None,
            None,
            "hidden-sheet-ignored",
            "The sheet 'Biểu 2 (cũ)' is hidden, so it was not read (it looks like the sheet "
            "'Cells'). If it is the one to read, unhide it (right-click a sheet tab → Unhide) "
            "and delete the other copy; otherwise delete it.",
        )
    ]
    assert old.rows(FIGURES["cells"]) == template.rows(FIGURES["cells"])


def test_a_hidden_sheet_of_no_kind_says_nothing(tmp_path, template):
    form = old_form()
    form.sheets["Danh mục"] = [Put(0, 0, "Giới tính"), Put(1, 0, "Nam"), Put(2, 0, "Nữ")]
    form.hidden = {"Danh mục"}

    assert read_form(tmp_path, form).problems == []


def test_hidden_sheet_warning_in_vietnamese(tmp_path):
    form = old_form()
    form.sheets["Chi bộ"] = form.sheets["Biểu 2"]
    form.hidden = {"Chi bộ"}

    (problem,) = read_form(tmp_path, form, lang="vi").problems

    assert problem[:5] == ("Cells", None, None, None, "hidden-sheet-ignored")
    assert problem[5] == (
        "Trang tính 'Chi bộ' đang bị ẩn nên không được đọc (trang này giống trang 'Chi bộ'). "
        "Nếu đây là trang cần đọc, hãy bỏ ẩn (nhấp chuột phải vào tên trang → Bỏ ẩn) và xóa "
        "bản còn lại; nếu không, hãy xóa trang này."
    )


@pytest.mark.parametrize("kind", WRITERS)
def test_two_visible_sheets_of_one_kind_are_an_error(tmp_path, kind):
    form = old_form()
    form.sheets["Chi bộ"] = list(form.sheets["Biểu 2"])  # named by an alias: read first

    old = read_form(tmp_path, form, kind)

    assert old.problems == [
        (
            "Cells",
            None,
            None,
            None,
            "duplicate-sheet",
            "The sheets 'Chi bộ' and 'Biểu 2' are both the sheet 'Cells' of the return. Keep "
            "the right one, delete the other, and send the file again.",
        )
    ]
    assert old.rows("select status from submissions") == [("rejected",)]


def test_duplicate_sheet_in_vietnamese(tmp_path):
    sheets = plain()
    sheets["Danh sách chi bộ"] = sheets["Cells"]

    path = write_workbook(tmp_path / "raw" / "two.xlsx", sheets)
    (problem,) = outcome(tmp_path, path, "vi").problems

    assert problem == (
        "Cells",
        None,
        None,
        None,
        "duplicate-sheet",
        "Hai trang tính 'Cells' và 'Danh sách chi bộ' đều là trang 'Chi bộ' của báo cáo. Hãy "
        "giữ lại trang đúng, xóa trang còn lại rồi gửi lại tệp.",
    )


@pytest.mark.parametrize("kind", WRITERS)
def test_a_total_that_differs_from_its_rows_is_a_warning_on_its_cell(tmp_path, template, kind):
    def cells(puts: list[Put]) -> None:
        old_cells(puts, total=(41, 3))  # the rows add up to 38 and 3

    old = read_form(tmp_path, old_form(cells=cells), kind)

    assert old.problems == [
        (
            "Cells",
            8,
            "official_members",
            "E8",
            "total-mismatch",
            "The total row gives 41 for 'Đảng viên Chính thức', but the rows above it add "
            "up to 38. Correct the total or the rows.",
        )
    ]
    assert old.rows("select status from submissions") == [("accepted",)]
    assert old.rows(FIGURES["cells"]) == template.rows(FIGURES["cells"])


def test_total_mismatch_in_vietnamese_on_a_merged_meetings_table(tmp_path):
    def meetings(puts: list[Put]) -> None:
        old_meetings(puts)
        total = next(p.row for p in puts if p.value == "Tổng cộng")
        at = next(i for i, p in enumerate(puts) if (p.row, p.col) == (total, 7))
        puts[at] = Put(total, 7, 0)  # the meetings had 6 higher-level attendees

    old = read_form(tmp_path, old_form(meetings=meetings), lang="vi")

    assert old.problems == [
        (
            "Meetings",
            14,
            "higher_level_attendees",
            "H14",
            "total-mismatch",
            "Dòng tổng ghi 'Cán bộ cấp trên dự' là 0, nhưng cộng các dòng phía trên được 6. "
            "Hãy sửa lại dòng tổng hoặc số liệu các dòng.",
        )
    ]


def test_subtotals_add_up_their_group_and_a_grand_total_every_row(tmp_path):
    sheets = plain()
    header, *rows = sheets["Cells"]
    sheets["Cells"] = [
        header,
        rows[0],
        ["Cộng", None, None, 10, 2],
        rows[1],
        rows[2],
        [None, "Cộng:", None, 28, 1],  # the first value is the label, wherever it stands
        ["TỔNG CỘNG", None, None, 38, 4],  # 4: wrong, the rows hold 3
        [],
        [None, "Total", None, 1],  # below a blank row: still a total of the table
        [None, "Người lập biểu"],
    ]

    path = write_workbook(tmp_path / "raw" / "totals.xlsx", sheets)
    found = [p[:5] for p in outcome(tmp_path, path).problems]

    assert found == [
        ("Cells", 7, "probationary_members", "E7", "total-mismatch"),
        ("Cells", 9, "official_members", "D9", "total-mismatch"),
    ]


def test_rows_numbered_in_advance_are_blank_and_the_total_below_them_is_checked(tmp_path):
    sheets = plain()
    header, *rows = sheets["Cells"]
    sheets["Cells"] = [
        ["STT", *header],
        *([n, *row] for n, row in enumerate(rows, start=1)),
        [4],  # numbered by the form, left empty
        [5],
        ["Tổng cộng", None, None, None, 37, 3],  # the rows hold 38 official members
    ]

    path = write_workbook(tmp_path / "raw" / "numbered.xlsx", sheets)

    assert [p[:5] for p in outcome(tmp_path, path).problems] == [
        ("Cells", 7, "official_members", "E7", "total-mismatch")
    ]


@pytest.mark.parametrize("kind", WRITERS)
def test_a_code_merged_over_three_rows_is_reported_on_each_row_it_covers(tmp_path, kind):
    old = read_form(tmp_path, old_form(meetings=lambda p: old_meetings(p, {"CB02": "CB09"})), kind)

    assert [p[:5] for p in old.problems] == [
        *[("Meetings", None, None, None, "meeting-not-reported")] * 3,  # CB02's months
        ("Meetings", 8, "cell_code", "B8", "unknown-cell"),
        ("Meetings", 9, "cell_code", "B9", "unknown-cell"),
        ("Meetings", 10, "cell_code", "B10", "unknown-cell"),
    ]


def test_a_two_digit_year_is_an_error_asking_for_four_digits(tmp_path):
    old = read_form(tmp_path, old_form(info_date="5/10/26"))

    assert old.problems == [
        (
            "Info",
            7,
            "submitted_on",
            "D7",
            "two-digit-year",
            "'Ngày lập:' has a two-digit year ('5/10/26'). Write the year with four digits, "
            "for example 05/07/2026.",
        )
    ]


def with_hidden_copy(real: bytes) -> bytes:
    """A real return's bytes with a hidden copy of its Cells sheet (for the catalogue's
    test of every rule, ``test_messages``)."""
    book = openpyxl.load_workbook(io.BytesIO(real))
    book.copy_worksheet(book["Cells"]).sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def numbered(puts: list[Put], at: int, labels: list[Any]) -> list[Put]:
    """``puts`` with a row numbering the columns put in at row ``at``, the rows below moved
    down one."""
    moved = [replace(p, row=p.row + 1) if p.row >= at else p for p in puts]
    return moved + [Put(at, c, label) for c, label in enumerate(labels)]


@pytest.mark.parametrize("kind", WRITERS)
def test_the_row_numbering_the_columns_under_the_header_is_not_data(tmp_path, template, kind):
    form = old_form()
    sheets = form.sheets
    sheets["Biểu 2"] = numbered(sheets["Biểu 2"], 4, [f"({n})" for n in range(1, 8)])
    sheets["Biểu 3"] = numbered(sheets["Biểu 3"], 4, ["A", "B", "C", 1, 2, 3, 4, "5 = 3 + 4"])
    sheets["Biểu 4"] = numbered(sheets["Biểu 4"], 4, list(range(1, 11)))

    old = read_form(tmp_path, form, kind)

    assert old.problems == []
    for name, sql in FIGURES.items():
        assert old.rows(sql) == template.rows(sql), name


@pytest.mark.parametrize(
    ("first_row", "numbers_columns"),
    [
        (["(1)", "(2)", "(3)", "(4)"], True),
        (["A", "B", "1", "2", "3"], True),
        ([1.0, 2.0, None, 3.0, "(4)=(2)+(3)"], True),  # a blank where a column is merged
        (["a", "b", "c"], True),
        (["1", "2"], False),  # two labels are no proof
        (["(2)", "(3)", "(4)"], False),  # numbers start at 1
        (["1", "3", "4"], False),
        (["B", "C", "D"], False),
        (["1", "A", "B"], False),  # letters come first
        (["1", "CB02", 7], False),  # a row of data
        (["6", 7, 8], False),  # a numeric cell code, a month, attendees
        ([1, True, 2], False),
    ],
)
def test_a_numbering_row_reads_as_labels_rising_from_a_and_from_1(first_row, numbers_columns):
    body = [[None] * 4, first_row, ["CB01", 7, "x", 12]]

    assert (_numbering_row(body) == 1) is numbers_columns
