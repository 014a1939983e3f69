"""The one problem record that travels from the reader to ``problems`` and the feedback workbooks.

``CODES`` is the catalogue: each rule's severity, the column it is reported on
when a whole-row check finds it, and the message a commune clerk reads, in
English and Vietnamese. Templates may use ``{header}`` (the column header as
written in the clerk's workbook), ``{value}``, ``{sheet}`` and the row's fields.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

Severity = Literal["error", "warning"]
LANGUAGES = ("vi", "en")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in one file; field names are the ``problems`` table's columns."""

    file_name: str
    sheet: str | None
    row: int | None
    column: str | None
    cell: str | None
    value: str | None
    severity: Severity
    rule: str
    message: str


PROBLEM_COLUMNS = tuple(f.name for f in fields(Problem))


@dataclass(frozen=True, slots=True)
class Rule:
    severity: Severity
    en: str
    vi: str
    column: str | None = None  # where a whole-row check reports the problem


_FIX_FILE_EN = "Open it in Excel and use Save As → Excel Workbook (.xlsx), then send it again."
_FIX_FILE_VI = "Mở tệp bằng Excel, chọn Lưu thành → Sổ làm việc Excel (.xlsx) rồi gửi lại."

CODES: dict[str, Rule] = {
    # --- the file as a whole ---
    "empty-file": Rule(
        "error",
        "The file is empty (0 bytes). Send the return workbook again.",
        "Tệp rỗng (0 byte). Vui lòng gửi lại tệp báo cáo.",
    ),
    "file-too-large": Rule(
        "error",
        "The file is larger than 20 MB. Remove pictures and unused sheets, save, and send it "
        "again.",
        "Tệp lớn hơn 20 MB. Xóa hình ảnh và các trang tính không dùng, lưu lại rồi gửi lại.",
    ),
    "not-a-workbook": Rule(
        "error",
        f"The file is not an Excel workbook (it is {{value}}). {_FIX_FILE_EN}",
        f"Tệp không phải sổ làm việc Excel (đây là {{value}}). {_FIX_FILE_VI}",
    ),
    "password-protected": Rule(
        "error",
        "The workbook is protected by a password. Remove the password (File → Info → Protect "
        "Workbook), save, and send it again.",
        "Tệp được đặt mật khẩu. Gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc), lưu lại rồi "
        "gửi lại.",
    ),
    "damaged-file": Rule(
        "error",
        f"The file is damaged and cannot be read ({{value}}). {_FIX_FILE_EN}",
        f"Tệp bị hỏng, không đọc được ({{value}}). {_FIX_FILE_VI}",
    ),
    "unsafe-file": Rule(
        "error",
        f"The file contains content Excel never writes ({{value}}). {_FIX_FILE_EN}",
        f"Tệp chứa nội dung mà Excel không bao giờ tạo ra ({{value}}). {_FIX_FILE_VI}",
    ),
    # --- structure ---
    "missing-sheet": Rule(
        "error",
        "The sheet '{sheet}' is missing. Use the return template, which has the sheets Info, "
        "Cells, Meetings and Admissions.",
        "Thiếu trang tính '{sheet}'. Hãy dùng mẫu báo cáo có đủ các trang Thông tin, Chi bộ, "
        "Sinh hoạt và Kết nạp.",
    ),
    "missing-column": Rule(
        "error",
        "The column '{header}' is missing from the header row (searched in the first 15 rows). "
        "Add it with that header.",
        "Thiếu cột '{header}' trong dòng tiêu đề (tìm trong 15 dòng đầu). Hãy thêm cột với tiêu "
        "đề đó.",
    ),
    "missing-info": Rule(
        "error",
        "'{header}' is missing: write it in the first column and its value in the next one.",
        "Thiếu mục '{header}': ghi tên mục ở cột đầu và giá trị ở cột bên cạnh.",
    ),
    "extra-column": Rule(
        "warning",
        "The column '{header}' is not part of the return and was ignored.",
        "Cột '{header}' không thuộc mẫu báo cáo nên đã được bỏ qua.",
    ),
    "personal-data-dropped": Rule(
        "warning",
        "The column '{header}' holds personal data, which the return must not contain; it was "
        "not stored. Delete the column.",
        "Cột '{header}' chứa thông tin cá nhân, báo cáo không được có thông tin này; cột đã bị "
        "bỏ qua. Hãy xóa cột này.",
    ),
    "row-without-cell-code": Rule(
        "error",
        "This row has data but no '{header}'. Fill in the cell code, or delete the row.",
        "Dòng này có dữ liệu nhưng thiếu '{header}'. Hãy ghi mã chi bộ hoặc xóa dòng.",
    ),
    "no-cells": Rule(
        "error",
        "The sheet '{sheet}' lists no party cell. List every cell of the commune, one per row.",
        "Trang '{sheet}' không có chi bộ nào. Hãy liệt kê mọi chi bộ của xã, mỗi chi bộ một dòng.",
    ),
    # --- single values ---
    "required-value": Rule(
        "error",
        "'{header}' is empty. Fill it in.",
        "'{header}' đang để trống. Hãy điền vào.",
    ),
    "not-an-integer": Rule(
        "error",
        "'{header}' must be a whole number; found '{value}'.",
        "'{header}' phải là số nguyên; giá trị hiện tại là '{value}'.",
    ),
    "not-a-date": Rule(
        "error",
        "'{header}' must be a date written day/month/year (for example 05/07/2026); found "
        "'{value}'.",
        "'{header}' phải là ngày theo dạng ngày/tháng/năm (ví dụ 05/07/2026); giá trị hiện tại "
        "là '{value}'.",
    ),
    "not-in-list": Rule(
        "error",
        "'{value}' is not an accepted value of '{header}'. Use one of: {choices}.",
        "'{value}' không phải giá trị hợp lệ của '{header}'. Hãy dùng một trong các giá trị: "
        "{choices}.",
    ),
    "bad-commune-code": Rule(
        "error",
        "'{header}' must be the 5-digit commune code (for example 06253); found '{value}'.",
        "'{header}' phải là mã xã gồm 5 chữ số (ví dụ 06253); giá trị hiện tại là '{value}'.",
    ),
    "bad-period": Rule(
        "error",
        "'{header}' must be a quarter such as 2026-Q3 or Quý 3/2026; found '{value}'.",
        "'{header}' phải là một quý, ví dụ 2026-Q3 hoặc Quý 3/2026; giá trị hiện tại là '{value}'.",
    ),
    "bad-month": Rule(
        "error",
        "'{header}' must be a month: a number 1–12 or month/year such as 07/2026; found '{value}'.",
        "'{header}' phải là tháng: số từ 1 đến 12 hoặc tháng/năm như 07/2026; giá trị hiện tại "
        "là '{value}'.",
    ),
    "control-characters": Rule(
        "error",
        "'{header}' contains invisible control characters. Retype the value.",
        "'{header}' chứa ký tự điều khiển ẩn. Hãy gõ lại giá trị này.",
    ),
    "text-too-long": Rule(
        "error",
        "'{header}' is longer than 32,767 characters. Shorten it.",
        "'{header}' dài quá 32.767 ký tự. Hãy rút ngắn.",
    ),
    "formula-without-value": Rule(
        "error",
        "'{header}' is a formula with no saved result. Open the file in Excel and save it again.",
        "'{header}' là công thức chưa có kết quả. Mở tệp bằng Excel và lưu lại.",
    ),
    # --- rules of the return ---
    "unknown-commune": Rule(
        "error",
        "The commune code '{value}' is not in the province's list of communes. Check the code "
        "with the Party Organisation Board.",
        "Mã xã '{value}' không có trong danh sách xã của tỉnh. Hãy kiểm tra lại mã với Ban Tổ "
        "chức Tỉnh ủy.",
        column="commune_code",
    ),
    "period-in-future": Rule(
        "error",
        "The period '{value}' has not started yet. Check the year and quarter.",
        "Kỳ báo cáo '{value}' chưa bắt đầu. Hãy kiểm tra lại năm và quý.",
        column="period",
    ),
    "negative-number": Rule(
        "error",
        "'{header}' cannot be negative; found {value}.",
        "'{header}' không được là số âm; giá trị hiện tại là {value}.",
    ),
    "duplicate-cell": Rule(
        "error",
        "The cell code '{value}' appears more than once. Each cell must be listed once.",
        "Mã chi bộ '{value}' bị lặp lại. Mỗi chi bộ chỉ được ghi một lần.",
        column="cell_code",
    ),
    "last-admission-after-period": Rule(
        "error",
        "'{header}' ({value}) is after the year of the report ({_year}).",
        "'{header}' ({value}) lớn hơn năm báo cáo ({_year}).",
        column="last_admission_year",
    ),
    "admissions-above-probationary": Rule(
        "error",
        "The sheet of admissions lists {_admissions} new member(s) for this cell, more than its "
        "{value} probationary member(s). New members are probationary for 12 months: check both "
        "sheets.",
        "Trang kết nạp ghi {_admissions} đảng viên mới của chi bộ này, nhiều hơn số đảng viên dự "
        "bị ({value}). Đảng viên mới là dự bị trong 12 tháng: hãy kiểm tra cả hai trang.",
        column="probationary_members",
    ),
    "last-admission-year-mismatch": Rule(
        "error",
        "This cell admitted a member this quarter, so '{header}' must be {_year} or blank; found "
        "{value}.",
        "Chi bộ có kết nạp đảng viên trong quý nên '{header}' phải là {_year} hoặc để trống; giá "
        "trị hiện tại là {value}.",
        column="last_admission_year",
    ),
    "unknown-cell": Rule(
        "error",
        "The cell code '{value}' is not listed in the sheet of cells. Add the cell there or "
        "correct the code.",
        "Mã chi bộ '{value}' không có trong trang danh sách chi bộ. Hãy bổ sung chi bộ hoặc "
        "sửa lại mã.",
        column="cell_code",
    ),
    "duplicate-meeting": Rule(
        "error",
        "There is more than one row for this cell and month. Keep one row per cell per month.",
        "Có nhiều hơn một dòng cho cùng chi bộ và tháng. Mỗi chi bộ mỗi tháng chỉ một dòng.",
        column="month",
    ),
    "month-outside-quarter": Rule(
        "error",
        "'{header}' ({value}) is not a month of the reported quarter {_period}.",
        "'{header}' ({value}) không thuộc quý báo cáo {_period}.",
        column="month",
    ),
    "meeting-date-missing": Rule(
        "error",
        "The regular meeting was held, so '{header}' is required.",
        "Chi bộ có sinh hoạt định kỳ nên phải ghi '{header}'.",
        column="meeting_date",
    ),
    "meeting-date-not-held": Rule(
        "error",
        "'{header}' is filled in but the regular meeting is marked as not held. Correct one of "
        "the two.",
        "Có ghi '{header}' nhưng sinh hoạt định kỳ được đánh dấu là không tổ chức. Hãy sửa một "
        "trong hai.",
        column="meeting_date",
    ),
    "meeting-date-outside-month": Rule(
        "error",
        "'{header}' ({value}) is not in the month of this row.",
        "'{header}' ({value}) không thuộc tháng của dòng này.",
        column="meeting_date",
    ),
    "attendees-missing": Rule(
        "error",
        "The regular meeting was held, so '{header}' must be at least 1.",
        "Chi bộ có sinh hoạt định kỳ nên '{header}' phải ít nhất là 1.",
        column="attendees",
    ),
    "attendees-above-members": Rule(
        "error",
        "'{header}' ({value}) is more than the cell's {_members} members (official and "
        "probationary, from the sheet of cells).",
        "'{header}' ({value}) lớn hơn tổng số {_members} đảng viên của chi bộ (chính thức và dự "
        "bị, theo trang danh sách chi bộ).",
        column="attendees",
    ),
    "attendees-not-held": Rule(
        "error",
        "'{header}' is {value} but the regular meeting is marked as not held. Leave it blank or "
        "mark the meeting as held.",
        "'{header}' là {value} nhưng sinh hoạt định kỳ được đánh dấu là không tổ chức. Hãy để "
        "trống hoặc đánh dấu có sinh hoạt.",
        column="attendees",
    ),
    "meeting-not-reported": Rule(
        "warning",
        "No row for cell {value}: the meeting is counted as not held. Add the row if the cell met.",
        "Không có dòng cho chi bộ {value}: được tính là không sinh hoạt. Hãy bổ sung dòng nếu "
        "chi bộ có sinh hoạt.",
    ),
    "admission-outside-quarter": Rule(
        "error",
        "'{header}' ({value}) is not inside the reported quarter {_period}.",
        "'{header}' ({value}) không thuộc quý báo cáo {_period}.",
        column="admitted_on",
    ),
    "admission-under-18": Rule(
        "error",
        "With '{header}' {value}, the member was {_age} when admitted; the minimum age is 18.",
        "Với '{header}' {value}, đảng viên mới {_age} tuổi khi kết nạp; tuổi tối thiểu là 18.",
        column="birth_year",
    ),
    "admission-over-60": Rule(
        "warning",
        "With '{header}' {value}, the member was {_age} when admitted: over 60 needs the "
        "province's approval.",
        "Với '{header}' {value}, đảng viên mới {_age} tuổi khi kết nạp: trên 60 tuổi cần có sự "
        "đồng ý của Tỉnh ủy.",
        column="birth_year",
    ),
}

# What a whole-file problem found, for the ``{value}`` of its message: key -> (en, vi).
FILE_FINDINGS: dict[str, tuple[str, str]] = {
    "html": ("a web page (HTML)", "một trang web (HTML)"),
    "xml": ("an XML file", "một tệp XML"),
    "csv": ("text (CSV)", "văn bản (CSV)"),
    "zip": ("a ZIP archive", "một tệp nén ZIP"),
    "unknown": ("an unknown format", "một định dạng không xác định"),
    "truncated": ("it is incomplete or corrupt", "tệp không đầy đủ hoặc bị lỗi"),
    "unreadable": ("its content cannot be read", "không đọc được nội dung"),
    "inflation": ("a compressed size out of proportion", "kích thước nén bất thường"),
    "dtd": ("an XML document type declaration", "khai báo kiểu tài liệu XML"),
    "crashed": ("the reader stopped on it", "trình đọc bị dừng khi đọc tệp"),
    "memory": ("it needs too much memory", "tệp cần quá nhiều bộ nhớ"),
    "timeout": ("it takes too long to read", "tệp đọc quá lâu"),
    "members": ("too many parts in the archive", "tệp nén có quá nhiều thành phần"),
}


def finding(key: str | None, lang: str) -> str:
    """A whole-file finding in ``lang``."""
    if key is None:
        return ""
    en, vi = FILE_FINDINGS[key]
    return vi if lang == "vi" else en


# pandera's built-in checks, named as our rules.
PANDERA_CHECKS = {"not_nullable": "required-value"}


def message(rule: str, lang: str, **values: Any) -> str:
    """The clerk's message for ``rule`` in ``lang``, filled from ``values``."""
    template = getattr(CODES[rule], lang)
    return template.format_map(_Blank(values))


class _Blank(dict):
    """Formatting map that leaves an unknown placeholder empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""
