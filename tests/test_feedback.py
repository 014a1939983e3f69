"""Feedback workbooks: the clerk's values with their types and formats, their names, the verdict.

Returns are real files (openpyxl, xlsxwriter, xlwt, odfpy) run through ``report`` or
``check``; the feedback workbooks are read back with openpyxl and compared with the
originals cell by cell.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from xlsxwriter.utility import xl_range

from pipeline.check import check
from pipeline.feedback import feedback_stem
from pipeline.number_formats import read_number_formats
from pipeline.run import Options, report
from tests.factory import Sheets, edited, valid_return, write_reference, write_workbook
from tests.hostile import ods, rewrite, xls
from tests.test_layouts import WRITERS as FORM_WRITERS
from tests.test_layouts import old_form, old_meetings

PERIOD = "2026-Q3"
ERROR_FILL, WARNING_FILL = "F8B4B4", "FFE08A"


@dataclass(frozen=True)
class Formatted:
    """A value shown with a number format of the workbook's own."""

    value: Any
    number_format: str


@dataclass(frozen=True)
class Formula:
    """A formula, saved with its result ``cached`` (None: saved without one)."""

    text: str
    cached: Any = None


class Literal(str):
    """Text that only looks like a formula: stored as a string."""


HYPERLINK_TEXT = Literal('=HYPERLINK("http://evil.example","x")')


def typed_return() -> Sheets:
    """A return with a value of every kind and format, rejected for one error (Meetings E2:
    98 attendees in a cell of 12 members) and warned for one extra column (Cells G1)."""
    cells = [("CB01", 10, 2), ("CB02", 20, 0), ("CB03", 1200, 0), ("CB04", 8, 0)]
    sheets = valid_return(cells=cells, submitted_on=dt.date(2026, 10, 5))
    info = sheets["Info"]
    info[3][1] = Formatted(dt.date(2026, 10, 5), "d mmmm yyyy")
    info.append(["Giờ lập", Formatted(dt.datetime(2026, 10, 5, 14, 30), "dd/mm/yyyy hh:mm")])
    rows = sheets["Cells"]
    rows[0].append("Ghi chú")
    notes = [
        Formatted(0.256, "0.0%"),
        "098",
        Formatted(12.5, "0.00"),
        Formula("=1+2", cached=3),
    ]
    for row, note in zip(rows[1:], notes, strict=True):
        row.append(note)
    rows[3][3] = Formatted(1200, "#,##0")  # CB03's official members
    # Below the last cell code: not read, still copied.
    rows.append(["", Formula('=HYPERLINK("http://example.org","site")', cached="site")])
    rows.append(["", Formula("=SUM(D2:D5)")])  # saved without a result
    rows.append(["", HYPERLINK_TEXT])
    for meeting in sheets["Meetings"][1:]:
        meeting[1] = Formatted(dt.date(2026, meeting[1], 1), "mm/yyyy")
        meeting[2] = True  # regular_meeting as a real boolean
        meeting[5] = False
    sheets["Meetings"][1][4] = 98
    sheets["Admissions"][1][1] = Formatted(sheets["Admissions"][1][1], "mm-dd-yy")  # built-in 14
    sheets["Admissions"][0].append("Họ và tên")  # personal data: erased from the copy
    sheets["Admissions"][1].append("Nguyễn Văn A")
    return sheets


def write_openpyxl(path: Path, sheets: Sheets) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(r, c)
                if isinstance(value, Formatted):
                    cell.value, cell.number_format = value.value, value.number_format
                elif isinstance(value, Formula):
                    cell.value = value.text  # openpyxl saves no result
                elif isinstance(value, dt.date):
                    cell.value, cell.number_format = value, "dd/mm/yyyy"
                elif value not in ("", None):
                    cell.value = value
                    if isinstance(value, Literal):
                        cell.data_type = "s"
    book.save(path)
    return path


def write_xlsxwriter(path: Path, sheets: Sheets) -> Path:
    book = xlsxwriter.Workbook(path, {"strings_to_formulas": False})
    formats: dict[str, Any] = {}

    def shown_as(code: str) -> Any:
        return formats.setdefault(code, book.add_format({"num_format": code}))

    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                code = None
                if isinstance(value, Formatted):
                    value, code = value.value, value.number_format
                if isinstance(value, Formula):
                    if value.cached is not None:  # xlsxwriter always saves a result
                        sheet.write_formula(r, c, value.text, None, value.cached)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, shown_as(code or "dd/mm/yyyy"))
                elif isinstance(value, str):
                    if value:
                        sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write(r, c, value, shown_as(code) if code else None)
    book.close()
    return path


def cells(path: Path, *, formulas_as_sent: bool = False) -> dict[tuple[str, str], tuple]:
    """(sheet, cell) -> (value, data type, number format) of every non-blank cell.

    With ``formulas_as_sent``: a formula is its saved result, or its text when it has none
    (as the feedback copy must show it).
    """
    book = openpyxl.load_workbook(path, data_only=True)
    sent = openpyxl.load_workbook(path) if formulas_as_sent else book
    found = {}
    for sheet in sent.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                saved = book[sheet.title][cell.coordinate]
                if cell.data_type == "f" and saved.value is None:
                    found[(sheet.title, cell.coordinate)] = (cell.value, "s", cell.number_format)
                else:
                    found[(sheet.title, cell.coordinate)] = (
                        saved.value,
                        saved.data_type,
                        saved.number_format,
                    )
    return found


def province_with(tmp_path: Path, files: dict[str, Sheets | bytes], writer: Any = None) -> Options:
    options = Options(raw=tmp_path / "raw", reference=tmp_path / "reference", out=tmp_path / "out")
    write_reference(
        options.reference, communes=[("06253", "Xã Thử Nghiệm", None), ("00002", "Xã Hai", None)]
    )
    options.raw.mkdir(parents=True)
    # Another commune's clean return: the quarter has an accepted return, so it is reported
    # even when every file under test is rejected.
    write_workbook(options.raw / "other" / "00002.xlsx", valid_return(commune="00002"))
    for name, content in files.items():
        if isinstance(content, bytes):
            (options.raw / name).write_bytes(content)
        else:
            (writer or write_workbook)(options.raw / name, content)
    return options


# --- 1. values, types and number formats ---------------------------------------------------


@pytest.mark.parametrize("writer", [write_openpyxl, write_xlsxwriter], ids=lambda w: w.__name__)
def test_every_cell_keeps_its_value_type_and_number_format(tmp_path, writer):
    options = province_with(tmp_path, {"06253_BC_Q3.2026.xlsx": typed_return()}, writer)
    outcome = report(replace_lang(options, "en"))
    [path] = outcome.feedback
    assert path.name == "06253-bc-q3-2026.xlsx"
    original = cells(options.raw / "06253_BC_Q3.2026.xlsx", formulas_as_sent=True)
    copy = cells(path)

    erased = {("Admissions", "J2")}  # the personal-data column keeps its header only
    assert copy[("Admissions", "J1")] == original[("Admissions", "J1")]
    assert all(key not in copy for key in erased)
    sent = {key: value for key, value in original.items() if key not in erased}
    assert {key: copy[key] for key in sent if key in copy} == sent
    assert set(sent) <= set(copy)
    # a sample of what that covers, so the comparison cannot pass on empty sheets
    assert sent[("Cells", "G2")] == (0.256, "n", "0.0%")
    assert sent[("Cells", "G3")] == ("098", "s", "General")
    assert sent[("Cells", "D4")] == (1200, "n", "#,##0")
    assert sent[("Info", "B4")] == (dt.datetime(2026, 10, 5), "d", "d mmmm yyyy")
    assert sent[("Meetings", "B2")] == (dt.datetime(2026, 7, 1), "d", "mm/yyyy")
    assert sent[("Meetings", "C2")] == (True, "b", "General")
    assert sent[("Admissions", "B2")][2] == "mm-dd-yy"
    assert sent[("Cells", "B8")] == (HYPERLINK_TEXT, "s", "General")
    if writer is write_xlsxwriter:
        assert sent[("Cells", "G5")] == (3, "n", "General")
        assert sent[("Cells", "B6")] == ("site", "s", "General")
    else:
        assert sent[("Cells", "G5")] == ("=1+2", "s", "General")
        assert sent[("Cells", "B7")] == ("=SUM(D2:D5)", "s", "General")

    book = openpyxl.load_workbook(path)
    error, warning = book["Meetings"]["E2"], book["Cells"]["G1"]
    assert error.fill.fgColor.rgb.endswith(ERROR_FILL) and error.comment is not None
    assert warning.fill.fgColor.rgb.endswith(WARNING_FILL) and warning.comment is not None
    assert error.value == 98 and error.data_type == "n"
    assert not any(
        cell.data_type == "f" for sheet in book.worksheets for row in sheet for cell in row
    )


def replace_lang(options: Options, lang: str) -> Options:
    return Options(options.raw, options.reference, options.out, options.period, lang)


@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_xls_and_ods_values_keep_their_types_dates_get_a_day_first_format(tmp_path, kind):
    sheets = typed_return()
    plain = {  # rectangular: pandas pads ragged rows with a warning
        name: [[_plain(v) for v in row] + [""] * (max(map(len, rows)) - len(row)) for row in rows]
        for name, rows in sheets.items()
    }
    content = xls(plain) if kind == "xls" else ods(plain)
    options = province_with(tmp_path, {f"bao-cao.{kind}": content})
    checked = check([options.raw / f"bao-cao.{kind}"], options.reference, tmp_path / "fb", "en")
    path = checked.feedback[f"bao-cao.{kind}"]
    assert path.name == "06253-bao-cao.xlsx"
    copy = openpyxl.load_workbook(path)

    def shown(sheet: str, ref: str) -> tuple:
        cell = copy[sheet][ref]
        return cell.value, cell.data_type, cell.number_format

    assert shown("Cells", "G2") == (0.256, "n", "General")
    assert shown("Cells", "G3") == ("098", "s", "General")
    assert shown("Cells", "G4") == (12.5, "n", "General")
    assert shown("Cells", "D4") == (1200, "n", "General")
    assert shown("Info", "B4") == (dt.datetime(2026, 10, 5), "d", "dd/mm/yyyy")
    assert shown("Meetings", "D2") == (dt.datetime(2026, 7, 10), "d", "dd/mm/yyyy")
    assert shown("Meetings", "C2") == (True, "b", "General")
    assert shown("Meetings", "E2")[:2] == (98, "n")
    assert shown("Cells", "B8") == (str(HYPERLINK_TEXT), "s", "General")
    assert copy["Meetings"]["E2"].fill.fgColor.rgb.endswith(ERROR_FILL)


def _plain(value: Any) -> Any:
    """What an .xls or .ods of these sheets holds (no custom formats, no formulas)."""
    if isinstance(value, Formatted):
        value = value.value
    if isinstance(value, Formula):
        return value.cached if value.cached is not None else ""
    if isinstance(value, dt.datetime):
        return value.date()
    return str(value) if isinstance(value, Literal) else value


def test_the_same_return_gives_the_same_bytes(tmp_path):
    options = province_with(tmp_path, {"a.xlsx": typed_return()}, write_xlsxwriter)
    first = check([options.raw / "a.xlsx"], options.reference, tmp_path / "one", "vi")
    second = check([options.raw / "a.xlsx"], options.reference, tmp_path / "two", "vi")
    one, two = first.feedback["a.xlsx"], second.feedback["a.xlsx"]
    assert one.read_bytes() == two.read_bytes()
    assert openpyxl.load_workbook(one)["Meetings"]["B2"].number_format == "mm/yyyy"


# --- 2. reading number formats ------------------------------------------------------------


def test_formats_are_read_as_openpyxl_reads_them_even_without_cell_references(tmp_path):
    path = write_xlsxwriter(tmp_path / "a.xlsx", typed_return())
    # Cells and rows may omit their reference (r="B2"): they follow the previous one.
    bare = rewrite(
        path.read_bytes(),
        {"xl/worksheets/sheet3.xml": lambda xml: re.sub(rb' r="[A-Z]*[0-9]+"', b"", xml)},
    )
    (tmp_path / "bare.xlsx").write_bytes(bare)
    for source in (path, tmp_path / "bare.xlsx"):
        data = source.read_bytes()
        expected = {}
        book = openpyxl.load_workbook(source, read_only=True)
        for sheet in book.worksheets:
            found = {}
            for r, row in enumerate(sheet.iter_rows()):
                for c, cell in enumerate(row):
                    number = getattr(cell, "style_array", None)
                    if number is not None and number.numFmtId:
                        found[(r, c)] = (
                            number.numFmtId if number.numFmtId < 164 else cell.number_format
                        )
            expected[sheet.title] = found
        sizes = {name: (1000, 50) for name in expected}
        got = read_number_formats(source, hashlib.sha256(data).hexdigest(), sizes)
        assert got == {name: found for name, found in expected.items() if found}
        assert got["Meetings"][(1, 1)] == "mm/yyyy"
        assert got["Admissions"][(1, 1)] == 14  # built-in: Excel shows it day first in Vietnam


def test_a_changed_or_odd_file_has_no_formats_and_breaks_nothing(tmp_path):
    path = write_xlsxwriter(tmp_path / "a.xlsx", typed_return())
    data = path.read_bytes()
    sizes = {"Meetings": (100, 10)}
    assert read_number_formats(path, hashlib.sha256(data).hexdigest(), sizes)["Meetings"]
    assert read_number_formats(path, "0" * 64, sizes) == {}  # not the bytes that were read
    assert read_number_formats(tmp_path / "gone.xlsx", "0" * 64, sizes) == {}
    broken = rewrite(data, {"xl/styles.xml": lambda xml: xml[: len(xml) // 2]})
    (tmp_path / "b.xlsx").write_bytes(broken)
    assert read_number_formats(tmp_path / "b.xlsx", hashlib.sha256(broken).hexdigest(), sizes) == {}
    # A style the reader shrugs off but openpyxl refuses: the feedback is still written,
    # dates with the default format.
    odd = rewrite(
        data, {"xl/styles.xml": lambda xml: xml.replace(b'numFmtId="0"', b'numFmtId="x"')}
    )
    options = province_with(tmp_path / "job", {"b.xlsx": odd})
    checked = check([options.raw / "b.xlsx"], options.reference, tmp_path / "fb", "en")
    meetings = openpyxl.load_workbook(checked.feedback["b.xlsx"])["Meetings"]
    assert (meetings["B2"].value, meetings["B2"].number_format) == (
        dt.datetime(2026, 7, 1),
        "dd/mm/yyyy",
    )


# --- 3. file names --------------------------------------------------------------------------


def test_names_start_with_the_commune_code_once():
    assert feedback_stem("2026-Q3/14073_BC_Q3.2026.xlsx", "14073") == "14073-bc-q3-2026"
    assert feedback_stem("14073 Xã An Long Q3-2026.xlsx", "14073") == "14073-xa-an-long-q3-2026"
    assert feedback_stem("14073bc.xlsx", "14073") == "14073bc"
    assert feedback_stem("Báo cáo quý III.xlsx", "14073") == "14073-bao-cao-quy-iii"
    assert feedback_stem("140731-bc.xlsx", "14073") == "14073-140731-bc"  # another number
    assert feedback_stem("14073-bc.xlsx", "06253") == "06253-14073-bc"  # another commune's
    assert feedback_stem("14073-bc.xlsx", None) == "unknown-14073-bc"


def test_names_stay_unique_within_the_period(tmp_path):
    warned = edited(valid_return(), "Cells", 1, "cell_code", "cell_code")
    warned["Cells"][0].append("Ghi chú")  # an extra column: a warning, so a feedback workbook
    files = {
        "06253_BC_Q3.2026.xlsx": warned,
        "BC Q3 2026.xlsx": warned,  # 06253-bc-q3-2026 too
        "sub/06253 bc q3 2026.xlsx": warned,  # and again, in a sub-folder
    }
    options = province_with(tmp_path, files)
    outcome = report(replace_lang(options, "en"))
    assert sorted(p.name for p in outcome.feedback) == [
        "06253-bc-q3-2026-2.xlsx",
        "06253-bc-q3-2026-3.xlsx",
        "06253-bc-q3-2026.xlsx",
    ]
    titles = {openpyxl.load_workbook(p)["Problems"]["A1"].value for p in outcome.feedback}
    assert titles == set(files)


# --- 4. the verdict of a file the return in use replaces -----------------------------------


def resubmissions() -> dict[str, Sheets]:
    """06253's Q3, in the order sent: rejected, accepted (warned), rejected the same day as
    the next, accepted (warned: the return in use), rejected after it."""

    def return_on(day: int, error: bool) -> Sheets:
        sheets = valid_return(submitted_on=dt.date(2026, 10, day))
        sheets["Cells"][0].append("Ghi chú")  # a warning, so every file has feedback
        if error:
            sheets = edited(sheets, "Cells", 3, "official_members", "mười")
        return sheets

    return {
        "lan1.xlsx": return_on(3, error=True),
        "lan2.xlsx": return_on(5, error=False),
        "lan3.xlsx": return_on(7, error=True),
        "lan4.xlsx": return_on(7, error=False),
        "lan5.xlsx": return_on(9, error=True),
    }


def sent_in_order(options: Options, names: list[str]) -> None:
    for i, name in enumerate(names):
        stamp = dt.datetime(2026, 10, 10, 8, i).timestamp()
        os.utime(options.raw / name, (stamp, stamp))


def verdicts(paths: list[Path]) -> dict[str, str]:
    found = {}
    for path in paths:
        problems = openpyxl.load_workbook(path).worksheets[0]
        found[Path(problems["A1"].value).name] = problems["A2"].value
        assert problems["A5"].value  # the problems stay listed
    return found


def test_a_file_the_return_in_use_replaces_needs_nothing(tmp_path):
    files = resubmissions()
    options = province_with(tmp_path, files)
    sent_in_order(options, list(files))
    outcome = report(replace_lang(options, "en"))
    in_use = "the later file lan4.xlsx (submitted on 7 Oct 2026)"
    assert verdicts(outcome.feedback) == {
        "lan1.xlsx": f"Nothing to do: this file was rejected, but {in_use} was accepted and is "
        "in use. Its problems are listed for information.",
        "lan2.xlsx": f"Nothing to do: {in_use} replaces this one and is in use. Its problems "
        "are listed for information.",
        # the same submitted_on: the later modification time decides, as for acceptance
        "lan3.xlsx": f"Nothing to do: this file was rejected, but {in_use} was accepted and is "
        "in use. Its problems are listed for information.",
        "lan4.xlsx": "Accepted, with warnings to fix",
        "lan5.xlsx": "Rejected: fix the errors and send the file again",
    }


def test_the_verdict_in_vietnamese_through_check(tmp_path):
    files = resubmissions()
    options = province_with(tmp_path, files)
    sent_in_order(options, list(files))
    checked = check([options.raw], options.reference, tmp_path / "fb", "vi")
    found = verdicts(list(checked.feedback.values()))
    assert found["lan1.xlsx"] == (
        "Không cần làm gì: tệp này bị trả lại, nhưng tệp gửi sau lan4.xlsx (nộp ngày "
        "07/10/2026) đã được chấp nhận và đang được sử dụng. Các lỗi dưới đây chỉ để tham khảo."
    )
    assert found["lan2.xlsx"] == (
        "Không cần làm gì: tệp gửi sau lan4.xlsx (nộp ngày 07/10/2026) thay thế tệp này và "
        "đang được sử dụng. Các lỗi dưới đây chỉ để tham khảo."
    )
    assert found["lan5.xlsx"] == "Bị trả lại: sửa các lỗi rồi gửi lại tệp"


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_the_copy_of_an_old_form_keeps_its_merged_cells(tmp_path, kind):
    form = old_form(meetings=lambda puts: old_meetings(puts, {"CB02": "CB09"}))
    sent = FORM_WRITERS[kind](tmp_path / f"old.{kind}", form).read_bytes()
    options = province_with(tmp_path, {f"06253_old.{kind}": sent})

    [path] = report(replace_lang(options, "en")).feedback
    book = openpyxl.load_workbook(path)

    def drawn(sheet: str) -> set[str]:
        return {str(span) for span in book[sheet].merged_cells.ranges}

    def as_sent(sheet: str) -> set[str]:
        return {
            xl_range(p.row, p.col, p.row + p.rows - 1, p.col + p.cols - 1)
            for p in form.sheets[sheet]
            if p.rows > 1 or p.cols > 1
        }

    assert len(as_sent("Biểu 2")) == 9  # titles, headers, the total label
    for sheet in ("Biểu 1", "Biểu 2", "Biểu 4"):
        assert drawn(sheet) == as_sent(sheet), sheet
    # CB09's three rows are flagged, each on its own cell: merged, two of them would be
    # hidden, so that range alone is left as separate cells
    assert drawn("Biểu 3") == as_sent("Biểu 3") - {"B8:B10"}
    meetings = book["Biểu 3"]
    assert meetings["A1"].value == "TÌNH HÌNH SINH HOẠT CHI BỘ QUÝ III/2026"
    assert [meetings[c].value for c in ("A5", "B5", "B6")] == [1, "CB01", None]
    assert all(meetings[c].comment is not None for c in ("B8", "B9", "B10"))
