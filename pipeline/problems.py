"""The one problem record that travels from the reader to ``problems`` and the feedback workbooks.

``CODES`` is the catalogue: each rule's severity, a short title (English: it names
the rule for developers and analysts; clerks read the message), the column it is
reported on when a whole-row check finds it, and the message a commune clerk
reads, in English and Vietnamese. ``Problem.make`` takes severity and message from
it. Templates may use ``{value}`` (the problem's value), ``{header}`` (the column
header as written in the clerk's workbook), ``{sheet_name}`` (the sheet as
written) and the row's fields.
"""

from __future__ import annotations

import logging
import os
import string
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, Literal

log = logging.getLogger(__name__)
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

    @classmethod
    def make(
        cls,
        rule: str,
        file_name: str,
        lang: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        cell: str | None = None,
        value: str | None = None,
        **params: Any,
    ) -> Problem:
        """A problem of ``rule`` (a key of ``CODES``), its severity and message from there.

        The message's ``{value}`` is ``value`` (an empty one is stored as None); ``params``
        fill its other placeholders.
        """
        text = message(rule, lang, **params, value=value or "")
        severity = CODES[rule].severity
        return cls(file_name, sheet, row, column, cell, value or None, severity, rule, text)


PROBLEM_COLUMNS = tuple(f.name for f in fields(Problem))


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: its severity, a short title, the message in English and Vietnamese."""

    severity: Severity
    title: str  # a few words naming the rule, as frictionless' error types have
    en: str
    vi: str
    column: str | None = None  # where a whole-row check reports the problem


_FIX_FILE_EN = "Open it in Excel and use Save As → Excel Workbook (.xlsx), then send it again."
_FIX_FILE_VI = "Mở tệp bằng Excel, chọn Lưu thành → Sổ làm việc Excel (.xlsx) rồi gửi lại."

CODES: dict[str, Rule] = {
    # --- the file as a whole ---
    "empty-file": Rule(
        "error",
        "Empty file",
        "The file is empty (0 bytes). Send the return workbook again.",
        "Tệp rỗng (0 byte). Vui lòng gửi lại tệp báo cáo.",
    ),
    "file-too-large": Rule(
        "error",
        "File too large",
        "The file is larger than 20 MB. Remove pictures and unused sheets, save, and send it "
        "again.",
        "Tệp lớn hơn 20 MB. Xóa hình ảnh và các trang tính không dùng, lưu lại rồi gửi lại.",
    ),
    "not-a-workbook": Rule(
        "error",
        "Not a workbook",
        f"The file is not an Excel workbook (it is {{value}}). {_FIX_FILE_EN}",
        f"Tệp không phải sổ làm việc Excel (đây là {{value}}). {_FIX_FILE_VI}",
    ),
    "password-protected": Rule(
        "error",
        "Password-protected workbook",
        "The workbook is protected by a password. Remove the password (File → Info → Protect "
        "Workbook), save, and send it again.",
        "Tệp được đặt mật khẩu. Gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc), lưu lại rồi "
        "gửi lại.",
    ),
    "damaged-file": Rule(
        "error",
        "Damaged file",
        f"The file is damaged and cannot be read ({{value}}). {_FIX_FILE_EN}",
        f"Tệp bị hỏng, không đọc được ({{value}}). {_FIX_FILE_VI}",
    ),
    "unsafe-file": Rule(
        "error",
        "Unsafe content",
        f"The file contains content Excel never writes ({{value}}). {_FIX_FILE_EN}",
        f"Tệp chứa nội dung mà Excel không bao giờ tạo ra ({{value}}). {_FIX_FILE_VI}",
    ),
    # --- structure ---
    "missing-sheet": Rule(
        "error",
        "Missing sheet",
        "The sheet '{sheet_name}' is missing. Use the return template, which has the sheets "
        "Info, Cells, Meetings and Admissions.",
        "Thiếu trang tính '{sheet_name}'. Hãy dùng mẫu báo cáo có đủ các trang Thông tin, "
        "Chi bộ, Sinh hoạt và Kết nạp.",
    ),
    "missing-column": Rule(
        "error",
        "Missing column",
        "The column '{header}' is missing from the header row (searched in the first 15 rows). "
        "Add it with that header.",
        "Thiếu cột '{header}' trong dòng tiêu đề (tìm trong 15 dòng đầu). Hãy thêm cột với tiêu "
        "đề đó.",
    ),
    "missing-info": Rule(
        "error",
        "Missing Info entry",
        "'{header}' is missing: write it in the first column and its value in the next one.",
        "Thiếu mục '{header}': ghi tên mục ở cột đầu và giá trị ở cột bên cạnh.",
    ),
    "extra-column": Rule(
        "warning",
        "Extra column",
        "The column '{header}' is not part of the return and was ignored.",
        "Cột '{header}' không thuộc mẫu báo cáo nên đã được bỏ qua.",
    ),
    "personal-data-dropped": Rule(
        "warning",
        "Personal data dropped",
        "The column '{header}' holds personal data, which the return must not contain; it was "
        "not stored. Delete the column.",
        "Cột '{header}' chứa thông tin cá nhân, báo cáo không được có thông tin này; cột đã bị "
        "bỏ qua. Hãy xóa cột này.",
    ),
    "row-without-cell-code": Rule(
        "error",
        "Row without a cell code",
        "This row has data but no '{header}'. Fill in the cell code, or delete the row.",
        "Dòng này có dữ liệu nhưng thiếu '{header}'. Hãy ghi mã chi bộ hoặc xóa dòng.",
    ),
    "no-cells": Rule(
        "error",
        "No cells listed",
        "The sheet '{sheet_name}' lists no party cell. List every cell of the commune, one per "
        "row.",
        "Trang '{sheet_name}' không có chi bộ nào. Hãy liệt kê mọi chi bộ của xã, mỗi chi bộ "
        "một dòng.",
    ),
    # returns made from the province's old forms (SPEC §3)
    "hidden-sheet-ignored": Rule(
        "warning",
        "Hidden sheet ignored",
        "The sheet '{sheet_name}' is hidden, so it was not read (it looks like the sheet "
        "'{kind}'). If it is the one to read, unhide it (right-click a sheet tab → Unhide) and "
        "delete the other copy; otherwise delete it.",
        "Trang tính '{sheet_name}' đang bị ẩn nên không được đọc (trang này giống trang "
        "'{kind}'). Nếu đây là trang cần đọc, hãy bỏ ẩn (nhấp chuột phải vào tên trang → Bỏ "
        "ẩn) và xóa bản còn lại; nếu không, hãy xóa trang này.",
    ),
    "duplicate-sheet": Rule(
        "error",
        "Two sheets of one kind",
        "The sheets '{sheet_name}' and '{other_sheet}' are both the sheet '{kind}' of the "
        "return. Keep the right one, delete the other, and send the file again.",
        "Hai trang tính '{sheet_name}' và '{other_sheet}' đều là trang '{kind}' của báo cáo. "
        "Hãy giữ lại trang đúng, xóa trang còn lại rồi gửi lại tệp.",
    ),
    "total-mismatch": Rule(
        "warning",
        "Total differs from its rows",
        "The total row gives {value} for '{header}', but the rows above it add up to "
        "{rows_sum}. Correct the total or the rows.",
        "Dòng tổng ghi '{header}' là {value}, nhưng cộng các dòng phía trên được {rows_sum}. "
        "Hãy sửa lại dòng tổng hoặc số liệu các dòng.",
    ),
    "two-digit-year": Rule(
        "error",
        "Two-digit year",
        "'{header}' has a two-digit year ('{value}'). Write the year with four digits, for "
        "example 05/07/2026.",
        "'{header}' ghi năm bằng hai chữ số ('{value}'). Hãy ghi năm đủ bốn chữ số, ví dụ "
        "05/07/2026.",
    ),
    # --- single values ---
    "required-value": Rule(
        "error",
        "Required value",
        "'{header}' is empty. Fill it in.",
        "'{header}' đang để trống. Hãy điền vào.",
    ),
    "not-an-integer": Rule(
        "error",
        "Not a whole number",
        "'{header}' must be a whole number; found '{value}'.",
        "'{header}' phải là số nguyên; giá trị hiện tại là '{value}'.",
    ),
    "not-a-date": Rule(
        "error",
        "Not a date",
        "'{header}' must be a date written day/month/year (for example 05/07/2026); found "
        "'{value}'.",
        "'{header}' phải là ngày theo dạng ngày/tháng/năm (ví dụ 05/07/2026); giá trị hiện tại "
        "là '{value}'.",
    ),
    "not-in-list": Rule(
        "error",
        "Not an accepted value",
        "'{value}' is not an accepted value of '{header}'. Use one of: {choices}.",
        "'{value}' không phải giá trị hợp lệ của '{header}'. Hãy dùng một trong các giá trị: "
        "{choices}.",
    ),
    "bad-commune-code": Rule(
        "error",
        "Malformed commune code",
        "'{header}' must be the 5-digit commune code (for example 06253); found '{value}'.",
        "'{header}' phải là mã xã gồm 5 chữ số (ví dụ 06253); giá trị hiện tại là '{value}'.",
    ),
    "bad-period": Rule(
        "error",
        "Malformed period",
        "'{header}' must be a quarter such as 2026-Q3 or Quý 3/2026; found '{value}'.",
        "'{header}' phải là một quý, ví dụ 2026-Q3 hoặc Quý 3/2026; giá trị hiện tại là '{value}'.",
    ),
    "bad-month": Rule(
        "error",
        "Malformed month",
        "'{header}' must be a month: a number 1–12 or month/year such as 07/2026; found '{value}'.",
        "'{header}' phải là tháng: số từ 1 đến 12 hoặc tháng/năm như 07/2026; giá trị hiện tại "
        "là '{value}'.",
    ),
    "control-characters": Rule(
        "error",
        "Control characters",
        "'{header}' contains invisible control characters. Retype the value.",
        "'{header}' chứa ký tự điều khiển ẩn. Hãy gõ lại giá trị này.",
    ),
    "text-too-long": Rule(
        "error",
        "Text too long",
        "'{header}' is longer than 32,767 characters. Shorten it.",
        "'{header}' dài quá 32.767 ký tự. Hãy rút ngắn.",
    ),
    "formula-without-value": Rule(
        "error",
        "Formula without a saved result",
        "'{header}' is a formula with no saved result. Open the file in Excel and save it again.",
        "'{header}' là công thức chưa có kết quả. Mở tệp bằng Excel và lưu lại.",
    ),
    "number-too-large": Rule(
        "error",
        "Number too large",
        "'{header}' ({value}) has more than 9 digits: no count or year of a return is that "
        "large. Check the figure.",
        "'{header}' ({value}) có hơn 9 chữ số: không có số lượng hay năm nào trong báo cáo lớn "
        "như vậy. Hãy kiểm tra lại số liệu.",
    ),
    "year-out-of-range": Rule(
        "error",
        "Year out of range",
        "'{header}' ({value}) is not between the years 1900 and 2100. Check the year.",
        "'{header}' ({value}) không nằm trong khoảng từ năm 1900 đến năm 2100. Hãy kiểm tra lại "
        "năm.",
    ),
    "value-not-checked": Rule(
        "error",
        "Value not checked",
        "'{header}' holds '{value}', which could not be checked as {expected}. Type it again as "
        "{expected}, save the file and send it again.",
        "'{header}' có giá trị '{value}', không kiểm tra được là {expected}. Hãy gõ lại thành "
        "{expected}, lưu tệp rồi gửi lại.",
    ),
    "sheet-not-checked": Rule(
        "error",
        "Sheet not checked",
        "The sheet '{sheet_name}' could not be checked: a value in it is of a kind the checks "
        "do not expect (such as a date or a number far out of range). Check the dates and "
        "numbers of the sheet, save the file and send it again.",
        "Không kiểm tra được trang '{sheet_name}': có một giá trị thuộc loại không lường trước "
        "(ví dụ một ngày hoặc một số nằm quá xa khoảng hợp lệ). Hãy kiểm tra các ngày và số "
        "trong trang, lưu tệp rồi gửi lại.",
    ),
    # --- rules of the return ---
    "unknown-commune": Rule(
        "error",
        "Unknown commune",
        "The commune code '{value}' is not in the province's list of communes. Check the code "
        "with the Party Organisation Board.",
        "Mã xã '{value}' không có trong danh sách xã của tỉnh. Hãy kiểm tra lại mã với Ban Tổ "
        "chức Tỉnh ủy.",
        column="commune_code",
    ),
    "period-in-future": Rule(
        "error",
        "Period in the future",
        "The period '{value}' has not started yet. Check the year and quarter.",
        "Kỳ báo cáo '{value}' chưa bắt đầu. Hãy kiểm tra lại năm và quý.",
        column="period",
    ),
    "negative-number": Rule(
        "error",
        "Negative number",
        "'{header}' cannot be negative; found {value}.",
        "'{header}' không được là số âm; giá trị hiện tại là {value}.",
    ),
    "duplicate-cell": Rule(
        "error",
        "Duplicate cell",
        "The cell code '{value}' appears more than once. Each cell must be listed once.",
        "Mã chi bộ '{value}' bị lặp lại. Mỗi chi bộ chỉ được ghi một lần.",
        column="cell_code",
    ),
    "last-admission-after-period": Rule(
        "error",
        "Last admission after the period",
        "'{header}' ({value}) is after the year of the report ({_year}).",
        "'{header}' ({value}) lớn hơn năm báo cáo ({_year}).",
        column="last_admission_year",
    ),
    "admissions-above-probationary": Rule(
        "error",
        "More admissions than probationary members",
        "The sheet of admissions lists {_admissions} new member(s) for this cell, more than its "
        "{value} probationary member(s). New members are probationary for 12 months: check both "
        "sheets.",
        "Trang kết nạp ghi {_admissions} đảng viên mới của chi bộ này, nhiều hơn số đảng viên dự "
        "bị ({value}). Đảng viên mới là dự bị trong 12 tháng: hãy kiểm tra cả hai trang.",
        column="probationary_members",
    ),
    "last-admission-year-mismatch": Rule(
        "error",
        "Last admission year contradicts admissions",
        "This cell admitted a member this quarter, so '{header}' must be {_year} or blank; found "
        "{value}.",
        "Chi bộ có kết nạp đảng viên trong quý nên '{header}' phải là {_year} hoặc để trống; giá "
        "trị hiện tại là {value}.",
        column="last_admission_year",
    ),
    "unknown-cell": Rule(
        "error",
        "Unknown cell",
        "The cell code '{value}' is not listed in the sheet of cells. Add the cell there or "
        "correct the code.",
        "Mã chi bộ '{value}' không có trong trang danh sách chi bộ. Hãy bổ sung chi bộ hoặc "
        "sửa lại mã.",
        column="cell_code",
    ),
    "duplicate-meeting": Rule(
        "error",
        "Duplicate meeting row",
        "There is more than one row for this cell and month. Keep one row per cell per month.",
        "Có nhiều hơn một dòng cho cùng chi bộ và tháng. Mỗi chi bộ mỗi tháng chỉ một dòng.",
        column="month",
    ),
    "month-outside-quarter": Rule(
        "error",
        "Month outside the quarter",
        "'{header}' ({value}) is not a month of the reported quarter {_period}.",
        "'{header}' ({value}) không thuộc quý báo cáo {_period}.",
        column="month",
    ),
    "meeting-date-missing": Rule(
        "error",
        "Meeting date missing",
        "The regular meeting was held, so '{header}' is required.",
        "Chi bộ có sinh hoạt định kỳ nên phải ghi '{header}'.",
        column="meeting_date",
    ),
    "meeting-date-not-held": Rule(
        "error",
        "Meeting date for a meeting not held",
        "'{header}' is filled in but the regular meeting is marked as not held. Correct one of "
        "the two.",
        "Có ghi '{header}' nhưng sinh hoạt định kỳ được đánh dấu là không tổ chức. Hãy sửa một "
        "trong hai.",
        column="meeting_date",
    ),
    "meeting-date-outside-month": Rule(
        "error",
        "Meeting date outside its month",
        "'{header}' ({value}) is not in the month of this row.",
        "'{header}' ({value}) không thuộc tháng của dòng này.",
        column="meeting_date",
    ),
    "attendees-missing": Rule(
        "error",
        "Attendees missing",
        "The regular meeting was held, so '{header}' must be at least 1.",
        "Chi bộ có sinh hoạt định kỳ nên '{header}' phải ít nhất là 1.",
        column="attendees",
    ),
    "attendees-above-members": Rule(
        "error",
        "More attendees than members",
        "'{header}' ({value}) is more than the cell's {_members} members (official and "
        "probationary, from the sheet of cells).",
        "'{header}' ({value}) lớn hơn tổng số {_members} đảng viên của chi bộ (chính thức và dự "
        "bị, theo trang danh sách chi bộ).",
        column="attendees",
    ),
    "attendees-not-held": Rule(
        "error",
        "Attendees for a meeting not held",
        "'{header}' is {value} but the regular meeting is marked as not held. Leave it blank or "
        "mark the meeting as held.",
        "'{header}' là {value} nhưng sinh hoạt định kỳ được đánh dấu là không tổ chức. Hãy để "
        "trống hoặc đánh dấu có sinh hoạt.",
        column="attendees",
    ),
    "attended-meeting-not-held": Rule(
        "error",
        "Assigned member at a meeting not held",
        "'{header}' says the assigned committee member attended, but the regular meeting is "
        "marked as not held. Correct one of the two.",
        "'{header}' ghi cấp ủy viên phụ trách có dự, nhưng sinh hoạt định kỳ được đánh dấu là "
        "không tổ chức. Hãy sửa một trong hai.",
        column="assigned_member_attended",
    ),
    "attended-without-assigned-member": Rule(
        "error",
        "Attendance of a member nobody was assigned",
        "'{header}' says the assigned committee member attended, but the sheet of cells names "
        "no assigned member for this cell. Name the member there, or leave this blank.",
        "'{header}' ghi cấp ủy viên phụ trách có dự, nhưng trang danh sách chi bộ chưa ghi "
        "đồng chí phụ trách chi bộ này. Hãy ghi tên đồng chí đó ở trang chi bộ, hoặc để trống ô "
        "này.",
        column="assigned_member_attended",
    ),
    "rating-meeting-not-held": Rule(
        "error",
        "Rating of a meeting not held",
        "'{header}' rates a meeting that is marked as not held. Leave it blank, or mark the "
        "meeting as held.",
        "'{header}' xếp loại một buổi sinh hoạt được đánh dấu là không tổ chức. Hãy để trống, "
        "hoặc đánh dấu có sinh hoạt.",
        column="meeting_rating",
    ),
    "meeting-not-reported": Rule(
        "warning",
        "Meeting not reported",
        "No row for cell {cell_code} in {month}: this meeting is not reported. It is listed "
        "apart from meetings not held, but until it is reported the cell does not count as "
        "having met every month. Add the row, saying whether the meeting was held.",
        "Không có dòng của chi bộ {cell_code} tháng {month}: buổi sinh hoạt này chưa được báo "
        "cáo. Buổi chưa báo cáo được ghi riêng, không tính là không sinh hoạt, nhưng khi chưa "
        "báo cáo thì chi bộ chưa được tính là sinh hoạt đủ các tháng. Hãy bổ sung dòng, ghi rõ "
        "có sinh hoạt hay không.",
    ),
    "admission-outside-quarter": Rule(
        "error",
        "Admission outside the quarter",
        "'{header}' ({value}) is not inside the reported quarter {_period}.",
        "'{header}' ({value}) không thuộc quý báo cáo {_period}.",
        column="admitted_on",
    ),
    "admission-under-18": Rule(
        "error",
        "Admitted under 18",
        "With '{header}' {value}, the member was {_age} when admitted; the minimum age is 18.",
        "Với '{header}' {value}, đảng viên mới {_age} tuổi khi kết nạp; tuổi tối thiểu là 18.",
        column="birth_year",
    ),
    "admission-over-60": Rule(
        "warning",
        "Admitted over 60",
        "With '{header}' {value}, the member was {_age} when admitted: over 60 needs the "
        "province's approval.",
        "Với '{header}' {value}, đảng viên mới {_age} tuổi khi kết nạp: trên 60 tuổi cần có sự "
        "đồng ý của Tỉnh ủy.",
        column="birth_year",
    ),
    # --- plausibility across quarters and communes (SPEC §4a; pipeline.plausibility) ---
    # {figure} is this return's figure, {compared} the one it was compared with (last
    # quarter's, or the province's median), written as the bulletins write them.
    "members-jump": Rule(
        "warning",
        "Members jump",
        "Cell {cell_code} has {figure} members (official and probationary); last quarter "
        "{compared}, plus {admitted} admitted this quarter: check the figure.",
        "Chi bộ {cell_code} có {figure} đảng viên (chính thức và dự bị); quý trước {compared}, "
        "cộng {admitted} đảng viên kết nạp trong quý: hãy kiểm tra lại số liệu.",
        column="official_members",
    ),
    "cell-disappeared": Rule(
        "warning",
        "Cell disappeared",
        "Cell {cell_code} ({cell_name}) had {compared} members in last quarter's return and is "
        "not in this one. If it was dissolved or merged, nothing to do; otherwise add its row "
        "to the sheet of cells.",
        "Chi bộ {cell_code} ({cell_name}) có {compared} đảng viên trong báo cáo quý trước nhưng "
        "không có trong báo cáo này. Nếu chi bộ đã giải thể hoặc sáp nhập thì không cần làm gì; "
        "nếu không, hãy bổ sung dòng của chi bộ vào trang danh sách chi bộ.",
    ),
    "last-admission-year-decreased": Rule(
        "warning",
        "Last admission year decreased",
        "Cell {cell_code}: '{header}' is {figure}, but last quarter's return said {compared}. "
        "The year of the latest admission cannot go back: check it.",
        "Chi bộ {cell_code}: '{header}' là {figure}, nhưng báo cáo quý trước ghi {compared}. "
        "Năm kết nạp gần nhất không thể lùi lại: hãy kiểm tra lại.",
        column="last_admission_year",
    ),
    "attendance-copied": Rule(
        "warning",
        "Attendance copied",
        "The attendees of all {figure} meetings held in both quarters (same cell, same month "
        "of the quarter) are exactly last quarter's: was last quarter's sheet copied? Enter "
        "this quarter's attendance.",
        "Số đảng viên dự của cả {figure} buổi sinh hoạt tổ chức trong cả hai quý (cùng chi bộ, "
        "cùng tháng tương ứng của quý) đều đúng bằng quý trước: có phải đã chép lại trang của "
        "quý trước? Hãy ghi số đảng viên dự của quý này.",
    ),
    "attendance-outlier": Rule(
        "warning",
        "Attendance outlier",
        "The attendance rate of this return, {value}, is far from the other communes' this "
        "quarter (median {compared}): check the attendees of each meeting.",
        "Tỷ lệ đảng viên dự sinh hoạt của báo cáo này là {value}, khác xa các xã khác trong quý "
        "(trung vị {compared}): hãy kiểm tra số đảng viên dự của từng buổi.",
        column="attendees",
    ),
}

# How a blank figure is written in a plausibility message: (en, vi).
BLANK_FIGURE = ("blank", "ô trống")

# Rules of the reference data (SPEC §2). They never reach ``problems``: a reference
# problem stops the run, naming the file and line (``pipeline.reference``).
_REF_FIX_CSV_EN = "or save the file as an Excel workbook ({name}.xlsx) instead"
_REF_FIX_CSV_VI = "hoặc lưu tệp thành sổ làm việc Excel ({name}.xlsx)"

REFERENCE_CODES: dict[str, Rule] = {
    # --- the folder and its files ---
    "reference-folder-missing": Rule(
        "error",
        "Reference folder missing",
        "This reference folder does not exist. Give the folder that holds communes.csv, "
        "targets.csv and province.toml (option --reference).",
        "Thư mục dữ liệu tham chiếu này không tồn tại. Hãy chỉ ra thư mục chứa communes.csv, "
        "targets.csv và province.toml (tùy chọn --reference).",
    ),
    "reference-not-a-folder": Rule(
        "error",
        "Reference path not a folder",
        "This is a file, not a folder. Give the folder that holds communes.csv, targets.csv and "
        "province.toml (option --reference).",
        "Đây là một tệp, không phải thư mục. Hãy chỉ ra thư mục chứa communes.csv, targets.csv "
        "và province.toml (tùy chọn --reference).",
    ),
    "reference-file-missing": Rule(
        "error",
        "Reference file missing",
        "There is no {name}.csv or {name}.xlsx in the folder. Add it, with the header {expected}.",
        "Thư mục không có tệp {name}.csv hoặc {name}.xlsx. Hãy thêm tệp, với dòng tiêu đề "
        "{expected}.",
    ),
    "reference-two-files": Rule(
        "error",
        "Two versions of a reference file",
        "Both {name}.csv and {name}.xlsx are in the folder: keep only the one that is up to date.",
        "Thư mục có cả {name}.csv và {name}.xlsx: chỉ giữ lại tệp đang dùng.",
    ),
    "reference-not-utf8": Rule(
        "error",
        "Not UTF-8 text",
        "This line is not UTF-8 text. Save the file again as CSV UTF-8 (comma delimited), "
        + _REF_FIX_CSV_EN
        + ".",
        "Dòng này không phải văn bản UTF-8. Hãy lưu lại tệp dạng CSV UTF-8 (phân cách bằng dấu "
        "phẩy), " + _REF_FIX_CSV_VI + ".",
    ),
    "reference-unreadable": Rule(
        "error",
        "Unreadable workbook",
        "The file cannot be read as an Excel workbook. Open it in Excel and save it again as "
        "{name}.xlsx, or save it as {name}.csv (CSV UTF-8).",
        "Không đọc được tệp như một sổ làm việc Excel. Hãy mở bằng Excel và lưu lại thành "
        "{name}.xlsx, hoặc lưu thành {name}.csv (CSV UTF-8).",
    ),
    "reference-empty-file": Rule(
        "error",
        "Empty reference file",
        "The file is empty. Its first line must be the header {expected}.",
        "Tệp rỗng. Dòng đầu tiên phải là dòng tiêu đề {expected}.",
    ),
    # --- lines ---
    "reference-delimiter": Rule(
        "error",
        "Wrong delimiter",
        "The values of this line are separated by {delimiter} instead of commas. Separate them "
        "with commas, " + _REF_FIX_CSV_EN + ".",
        "Các giá trị của dòng này được phân cách bằng {delimiter} thay vì dấu phẩy. Hãy phân "
        "cách bằng dấu phẩy, " + _REF_FIX_CSV_VI + ".",
    ),
    "reference-one-cell": Rule(
        "error",
        "Whole line in one cell",
        "The whole line is in its first cell, separated by {delimiter}. Put each value in its "
        "own column (Data → Text to Columns).",
        "Cả dòng nằm trong ô đầu tiên, phân cách bằng {delimiter}. Hãy tách mỗi giá trị vào một "
        "cột riêng (Dữ liệu → Văn bản thành Cột).",
    ),
    "reference-missing-column": Rule(
        "error",
        "Missing column",
        "The header has no column '{column}'. The header must name the columns {expected}.",
        "Dòng tiêu đề thiếu cột '{column}'. Dòng tiêu đề phải có các cột {expected}.",
    ),
    "reference-field-count": Rule(
        "error",
        "Wrong number of values",
        "This line has {found} values but the header has {count} columns. Give one value per "
        "column, and put a value that contains a comma between double quotes.",
        "Dòng này có {found} giá trị nhưng dòng tiêu đề có {count} cột. Hãy ghi mỗi cột một giá "
        "trị, và đặt giá trị có dấu phẩy trong dấu ngoặc kép.",
    ),
    "reference-no-communes": Rule(
        "error",
        "No communes listed",
        "The file lists no commune. List every commune of the province, one per line below the "
        "header.",
        "Tệp không có xã nào. Hãy liệt kê mọi xã của tỉnh, mỗi xã một dòng dưới dòng tiêu đề.",
    ),
    # --- values ---
    "reference-required": Rule(
        "error",
        "Required value",
        "'{column}' is empty. Fill it in.",
        "'{column}' đang để trống. Hãy điền vào.",
    ),
    "reference-bad-code": Rule(
        "error",
        "Malformed commune code",
        "'{column}' must be the 5-digit commune code (for example 06253); found '{value}'.",
        "'{column}' phải là mã xã gồm 5 chữ số (ví dụ 06253); giá trị hiện tại là '{value}'.",
    ),
    "reference-bad-text": Rule(
        "error",
        "Unusable text",
        "'{column}' contains invisible control characters or is longer than 32,767 characters. "
        "Type it again.",
        "'{column}' chứa ký tự điều khiển ẩn hoặc dài quá 32.767 ký tự. Hãy gõ lại.",
    ),
    "reference-not-whole-number": Rule(
        "error",
        "Not a whole number",
        "'{column}' must be a whole number; found '{value}'.",
        "'{column}' phải là số nguyên; giá trị hiện tại là '{value}'.",
    ),
    "reference-too-large": Rule(
        "error",
        "Number too large",
        "'{column}' ({value}) has more than 9 digits. Check the figure.",
        "'{column}' ({value}) có hơn 9 chữ số. Hãy kiểm tra lại số liệu.",
    ),
    "reference-negative": Rule(
        "error",
        "Negative number",
        "'{column}' cannot be negative; found {value}.",
        "'{column}' không được là số âm; giá trị hiện tại là {value}.",
    ),
    "reference-bad-year": Rule(
        "error",
        "Year out of range",
        "'{column}' must be a year from 1900 to 2100, such as 2026; found '{value}'.",
        "'{column}' phải là một năm từ 1900 đến 2100, ví dụ 2026; giá trị hiện tại là '{value}'.",
        column="year",
    ),
    "reference-not-in-list": Rule(
        "error",
        "Not an accepted value",
        "'{value}' is not an accepted value of '{column}'. Use one of: {choices}.",
        "'{value}' không phải giá trị hợp lệ của '{column}'. Hãy dùng một trong các giá trị: "
        "{choices}.",
    ),
    "reference-unknown-commune": Rule(
        "error",
        "Unknown commune",
        "The commune code '{value}' is not in {communes}. Add the commune there, or correct the "
        "code.",
        "Mã xã '{value}' không có trong {communes}. Hãy bổ sung xã vào đó, hoặc sửa lại mã.",
        column="commune_code",
    ),
    "reference-duplicate-commune": Rule(
        "error",
        "Duplicate commune",
        "The commune code '{value}' is already on {first}. List each commune once.",
        "Mã xã '{value}' đã có ở {first}. Mỗi xã chỉ ghi một lần.",
        column="commune_code",
    ),
    "reference-duplicate-target": Rule(
        "error",
        "Duplicate target",
        "Commune {value} already has a target for {year} on {first}. Keep one line per commune "
        "and year.",
        "Xã {value} đã có chỉ tiêu năm {year} ở {first}. Mỗi xã mỗi năm chỉ ghi một dòng.",
        column="commune_code",
    ),
    "reference-duplicate-referral": Rule(
        "error",
        "Duplicate referral target",
        "Commune {value} already has a target for '{referred_by}' in {year} on {first}. Keep one "
        "line per commune, year and organisation.",
        "Xã {value} đã có chỉ tiêu của '{referred_by}' năm {year} ở {first}. Mỗi xã, mỗi năm, "
        "mỗi đoàn thể chỉ ghi một dòng.",
        column="commune_code",
    ),
    "reference-not-checked": Rule(
        "error",
        "Column not checked",
        "The column '{column}' could not be checked: a value in it is of a kind the checks do not "
        "expect. Check the values of that column.",
        "Không kiểm tra được cột '{column}': có một giá trị thuộc loại không lường trước. Hãy "
        "kiểm tra các giá trị của cột đó.",
    ),
    # --- province.toml ---
    "reference-bad-toml": Rule(
        "error",
        "Malformed setting",
        "This line is not a valid setting. Write each setting as name = value, with text "
        'between double quotes (for example language = "vi").',
        "Dòng này không phải một thiết lập hợp lệ. Hãy ghi mỗi thiết lập dạng tên = giá trị, "
        'văn bản đặt trong dấu ngoặc kép (ví dụ language = "vi").',
    ),
    "reference-unknown-setting": Rule(
        "error",
        "Unknown setting",
        "'{key}' is not a setting. The settings are: {keys}.",
        "'{key}' không phải một thiết lập. Các thiết lập là: {keys}.",
    ),
    "reference-setting-text": Rule(
        "error",
        "Setting not text",
        "'{key}' must be a text between double quotes; found {value}.",
        "'{key}' phải là văn bản đặt trong dấu ngoặc kép; giá trị hiện tại là {value}.",
    ),
    "reference-setting-number": Rule(
        "error",
        "Setting not a positive whole number",
        "'{key}' must be a whole number greater than 0, written without quotes; found {value}.",
        "'{key}' phải là số nguyên lớn hơn 0, ghi không có dấu ngoặc kép; giá trị hiện tại là "
        "{value}.",
    ),
    "reference-setting-language": Rule(
        "error",
        "Unknown language",
        '\'{key}\' must be "vi" or "en"; found {value}.',
        '\'{key}\' phải là "vi" hoặc "en"; giá trị hiện tại là {value}.',
    ),
    "reference-setting-positive": Rule(
        "error",
        "Setting not a positive number",
        "'{key}' must be a number greater than 0 (decimals allowed, such as 3.5), written "
        "without quotes; found {value}.",
        "'{key}' phải là số lớn hơn 0 (có thể có phần thập phân, ví dụ 3.5), ghi không có dấu "
        "ngoặc kép; giá trị hiện tại là {value}.",
    ),
    "reference-setting-table": Rule(
        "error",
        "Setting not a table",
        "'{key}' is a table: write [{key}] on a line of its own, then one setting per line "
        "below it (for example members_jump_min = 5).",
        "'{key}' là một bảng: ghi [{key}] trên một dòng riêng, rồi mỗi thiết lập một dòng bên "
        "dưới (ví dụ members_jump_min = 5).",
    ),
}

# How a reference problem is placed and introduced: key -> (en, vi).
REFERENCE_TEXTS: dict[str, tuple[str, str]] = {
    "file": ("{file}", "{file}"),
    "line": ("{file}, line {line}", "{file}, dòng {line}"),
    "row": ("{file}, sheet '{sheet}', row {line}", "{file}, trang '{sheet}', dòng {line}"),
    "first-line": ("line {line}", "dòng {line}"),
    "first-row": ("row {line}", "dòng {line}"),
    "heading": (
        "The reference data has {count} problems; fix them and run again:",
        "Dữ liệu tham chiếu có {count} lỗi; hãy sửa rồi chạy lại:",
    ),
    "more": ("… and {count} more.", "… và {count} lỗi khác."),
    "delimiter-tab": ("tabs", "dấu tab"),
}


def reference_text(key: str, lang: str, **values: Any) -> str:
    """A text of ``REFERENCE_TEXTS`` in ``lang``, filled from ``values``."""
    en, vi = REFERENCE_TEXTS[key]
    return (vi if lang == "vi" else en).format(**values)


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

# What a column of each kind holds, for ``{expected}``: kind -> (en, vi).
EXPECTED: dict[str, tuple[str, str]] = {
    "int": ("a whole number", "số nguyên"),
    "date": ("a date written day/month/year", "ngày theo dạng ngày/tháng/năm"),
    "month": ("a month from 1 to 12", "tháng từ 1 đến 12"),
    "period": ("a quarter such as 2026-Q3", "một quý, ví dụ 2026-Q3"),
    "bool": ("Có or Không", "Có hoặc Không"),
    "list": ("one of the accepted values", "một trong các giá trị hợp lệ"),
    "commune_code": ("a 5-digit commune code", "mã xã gồm 5 chữ số"),
    "text": ("text", "văn bản"),
    "code": ("text", "văn bản"),
}


def expected(kind: str, lang: str) -> str:
    """What a column of ``kind`` holds, in ``lang``."""
    en, vi = EXPECTED[kind.split(":")[0]]
    return vi if lang == "vi" else en


class MissingPlaceholder(KeyError):
    """A message was filled without a value for one of its placeholders."""


def message(rule: str, lang: str, **values: Any) -> str:
    """The clerk's message for ``rule`` in ``lang``, filled from ``values``.

    A placeholder without a value (or with an empty one) would print as a blank: under
    pytest that raises ``MissingPlaceholder``, so a raise site that forgets one fails its
    tests; elsewhere it is logged and left blank, as one odd message must not stop a run.
    """
    template = getattr(rule_of(rule), lang)
    missing = [name for name in placeholders(template) if _empty(values.get(name))]
    if missing:
        if "PYTEST_CURRENT_TEST" in os.environ:
            raise MissingPlaceholder(f"{rule} ({lang}) has no value for {missing}: {values}")
        log.warning("message %s (%s) has no value for %s", rule, lang, missing)
    return template.format_map(_Blank(values))


def rule_of(code: str) -> Rule:
    """A rule of returns (``CODES``) or of the reference data (``REFERENCE_CODES``)."""
    return CODES[code] if code in CODES else REFERENCE_CODES[code]


@cache
def placeholders(template: str) -> tuple[str, ...]:
    """The names a template fills, in order."""
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Blank(dict):
    """Formatting map that leaves an unknown placeholder empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""
