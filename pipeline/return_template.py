"""Blank return workbooks for the communes, ready for the next quarter (SPEC §3).

``write_templates`` writes one ``.xlsx`` per commune of the reference data, named
``<commune_code>-<slug of the commune name>.xlsx``. Each template is a return the
reader accepts as it is once the clerk has filled it in:

- an instructions sheet (``Hướng dẫn``; the reader ignores sheets it does not
  know, silently) and a hidden ``Danh mục`` sheet holding the dropdown lists;
- ``Thông tin`` (Info) with the commune code, name and period filled in, and
  ``submitted_on`` and ``prepared_by`` left for the clerk;
- ``Chi bộ`` (Cells) copied from the commune's latest accepted return at or
  before the period, found in the warehouse's ``cells`` table (empty, headers
  only, when there is no warehouse or no such return). ``last_admission_year``
  also takes the year of any admission on record, because a return whose cell
  admitted in its own quarter may leave that year blank;
- ``Sinh hoạt`` (Meetings) with a row per cell and month of the quarter, cell
  code and month filled in;
- ``Kết nạp`` (Admissions) with its headers only.

Headers are the first Vietnamese alias of each column in the schemas (the
canonical English names with ``lang="en"``, sheet names likewise), so they
always match the reader. Every value list of SPEC §3 is an Excel dropdown of
labels the reader accepts; whole numbers and dates are validated where SPEC
gives a range, and ``cell_code`` in Meetings and Admissions is a dropdown of the
codes typed in the Cells sheet. Blank ``regular_meeting`` cells of the
prefilled rows are shaded until filled: a blank there reads as "not held".

Protection: each data sheet is protected without a password, with the header
row locked (the label column on Info) and the data cells unlocked: the first
``DATA_ROWS`` data rows from end to end (Excel deletes a row only when none of
its cells is locked), and the table's columns all the way down. Clerks can
type, add rows at the bottom, insert and delete rows, sort and resize columns;
they cannot edit a header by mistake. One thing protection does prevent: a row
inserted right under the header takes the header's (locked) format, as Excel
copies the format from above; inserting anywhere lower, or typing below the
table, works. Excel lets anyone remove the protection (Review > Unprotect
Sheet), and the reader neither needs nor checks it.

The output depends only on the inputs: the workbook's creation date is the
first day of the period and xlsxwriter stamps the zip members with a fixed
date, so rerunning gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from pipeline.labels import slug
from pipeline.reference import Reference
from pipeline.warehouse import open_read_only
from schemas import SHEET_BY_NAME
from schemas.value_lists import VALUE_LISTS

DATA_ROWS = 500  # rows below the header unlocked and validated (more with a long table)
FIRST_PARTY_YEAR = 1930  # the Party was founded in 1930: no cell admitted earlier
OLDEST_BIRTH_YEAR = 1900
ADULT_AGE = 18


# --- words ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    """What a template says, in one language."""

    sheets: dict[str, str]  # canonical sheet (and "Instructions", "Lists") -> name in the file
    true: str  # the dropdown labels of the boolean list
    false: str
    hints: dict[str, str]  # column (or "Sheet.column") -> input message
    todo: str  # Info: what the clerk fills in
    check: str  # title of the message Excel shows on a value the validation refuses
    title: str


def _labels(name: str, lang: str) -> list[str]:
    """The dropdown of a value list: labels the reader accepts, in list order.

    Vietnamese: every label of the list (a clerk picks "Đại học" or "Cao đẳng", both
    ``higher``), but only the first of ``boolean`` and ``sex`` (not ``x``, ``M``, ``F``).
    English: the canonical codes, and Yes/No.
    """
    if name == "boolean":
        words = _WORDS[lang]
        return [words.true, words.false]
    if lang != "vi":
        return list(VALUE_LISTS[name])
    if name == "sex":
        return [labels[0] for labels in VALUE_LISTS[name].values()]
    return list(dict.fromkeys(label for labels in VALUE_LISTS[name].values() for label in labels))


# The label a prefilled code is written with, when not its first one: the cells of a
# "village" code are villages, hamlets or urban residential groups alike.
_PREFILL_LABELS = {"cell_type": {"village": "Thôn, bản, tổ dân phố"}}


_HINTS_VI = {
    "Info.submitted_on": "Ngày lập báo cáo, ghi ngày/tháng/năm, "
    "ví dụ 05/{next_month:02d}/{end_year}.",
    "Info.prepared_by": "Họ tên người lập báo cáo.",
    "Cells.cell_code": "Mã chi bộ, ví dụ CB01. Mỗi chi bộ một dòng, không trùng mã.",
    "cell_code": "Chọn mã chi bộ đã ghi ở trang {cells}.",
    "cell_name": "Tên đầy đủ của chi bộ.",
    "cell_type": "Chọn loại hình chi bộ trong danh sách.",
    "official_members": "Số đảng viên chính thức cuối quý (số nguyên, từ 0).",
    "probationary_members": "Số đảng viên dự bị cuối quý, kể cả người mới kết nạp trong quý.",
    "last_admission_year": "Năm chi bộ kết nạp đảng viên gần nhất (không sau {year}); "
    "để trống nếu chưa từng kết nạp. Có kết nạp trong quý thì ghi {year}.",
    "month": "Tháng của quý: {first_month} đến {last_month}.",
    "regular_meeting": "Có nếu chi bộ sinh hoạt định kỳ trong tháng, Không nếu không.",
    "meeting_date": "Ngày sinh hoạt, trong tháng ở cột {month} (ngày/tháng/năm). "
    "Để trống nếu không sinh hoạt.",
    "attendees": "Số đảng viên dự: từ 1 đến tổng số đảng viên chính thức và dự bị "
    "của chi bộ. Để trống nếu không sinh hoạt.",
    "thematic_meeting": "Có nếu chi bộ sinh hoạt chuyên đề trong tháng; để trống là Không.",
    "higher_level_attendees": "Số cấp ủy viên, cán bộ cấp xã, cấp tỉnh dự; để trống là 0.",
    "admitted_on": "Ngày kết nạp, trong quý {quarter}/{year} (ngày/tháng/năm).",
    "sex": "Chọn Nam hoặc Nữ.",
    "birth_year": "Năm sinh (4 chữ số). Người được kết nạp phải đủ 18 tuổi; "
    "trên 60 tuổi cần cấp tỉnh chấp thuận.",
    "ethnicity": "Dân tộc, ví dụ Kinh, Tày, Thái, Mường, Khmer.",
    "religion": "Tôn giáo; để trống hoặc ghi Không nếu không theo tôn giáo.",
    "occupation": "Chọn nghề nghiệp trong danh sách.",
    "education": "Chọn trình độ học vấn trong danh sách.",
    "referred_by": "Đoàn thể giới thiệu; để trống hoặc chọn Không nếu không có.",
}
_HINTS_EN = {
    "Info.submitted_on": "Date the return was prepared, day/month/year, "
    "e.g. 05/{next_month:02d}/{end_year}.",
    "Info.prepared_by": "Name of the person who prepared the return.",
    "Cells.cell_code": "Cell code, e.g. CB01. One row per cell, each code once.",
    "cell_code": "Pick a cell code listed in the {cells} sheet.",
    "cell_name": "Full name of the cell.",
    "cell_type": "Pick the cell type from the list.",
    "official_members": "Official members at quarter end (a whole number, 0 or more).",
    "probationary_members": "Probationary members at quarter end, "
    "including those admitted this quarter.",
    "last_admission_year": "Year of the cell's latest admission (not after {year}); "
    "blank if it never admitted anyone. {year} if it admitted this quarter.",
    "month": "Month of the quarter: {first_month} to {last_month}.",
    "regular_meeting": "Yes if the cell held its regular meeting that month, No otherwise.",
    "meeting_date": "Meeting date, in the month of the {month} column (day/month/year). "
    "Blank if no meeting.",
    "attendees": "Members present: 1 to the cell's official + probationary members. "
    "Blank if no meeting.",
    "thematic_meeting": "Yes if the cell held a thematic meeting that month; blank means No.",
    "higher_level_attendees": "Committee members and commune or province cadres who attended; "
    "blank means 0.",
    "admitted_on": "Admission date, within {year}-Q{quarter} (day/month/year).",
    "sex": "Pick male or female.",
    "birth_year": "Year of birth (4 digits). New members are at least 18; "
    "over 60 needs provincial approval.",
    "ethnicity": "Ethnic group, e.g. Kinh, Tay, Thai, Muong, Khmer.",
    "religion": "Religion; blank or None when none.",
    "occupation": "Pick the occupation from the list.",
    "education": "Pick the education level from the list.",
    "referred_by": "Mass organisation that referred the member; blank or none when none.",
}

_WORDS = {
    "vi": _Words(
        sheets={
            "Instructions": "Hướng dẫn",
            "Info": "Thông tin",
            "Cells": "Chi bộ",
            "Meetings": "Sinh hoạt",
            "Admissions": "Kết nạp",
            "Lists": "Danh mục",
        },
        true="Có",
        false="Không",
        hints=_HINTS_VI,
        todo="Cần điền",
        check="Kiểm tra giá trị",
        title="BÁO CÁO CÔNG TÁC XÂY DỰNG ĐẢNG QUÝ {quarter}/{year}",
    ),
    "en": _Words(
        sheets={
            "Instructions": "Instructions",
            "Info": "Info",
            "Cells": "Cells",
            "Meetings": "Meetings",
            "Admissions": "Admissions",
            "Lists": "Lists",
        },
        true="Yes",
        false="No",
        hints=_HINTS_EN,
        todo="To fill in",
        check="Check this value",
        title="PARTY-BUILDING RETURN {year}-Q{quarter}",
    ),
}


def header(column: str, meta: dict, lang: str) -> str:
    """A column's header in the template: its first Vietnamese alias, or the canonical name."""
    return meta["aliases"][0] if lang == "vi" and meta["aliases"] else column


def period_label(period: tuple[int, int], lang: str) -> str:
    """The period as SPEC §3 accepts it: ``Quý 4/2026`` in Vietnamese, ``2026-Q4`` in English."""
    year, quarter = period
    return f"Quý {quarter}/{year}" if lang == "vi" else f"{year}-Q{quarter}"


def _instructions(
    lang: str,
    commune: dict[str, Any],
    period: tuple[int, int],
    source: tuple[int, int] | None,
    reference: Reference,
) -> list[tuple[str, str]]:
    """(style, text) lines of the instructions sheet; style is title, heading or text."""
    year, quarter = period
    words = _WORDS[lang]
    s = words.sheets
    due = _quarter_end(period) + dt.timedelta(days=reference.settings.deadline_days)
    fields = {spec: SHEET_BY_NAME[spec].fields() for spec in SHEET_BY_NAME}

    def h(sheet: str, column: str) -> str:
        return header(column, fields[sheet][column], lang)

    lists = [(h("Cells", "cell_type"), "cell_type")] + [
        (h("Admissions", column), column)
        for column in ("sex", "occupation", "education", "referred_by")
    ]
    name = commune["commune_name"] or commune["commune_code"]
    if lang == "vi":
        history = (
            f"Danh sách được điền sẵn theo báo cáo đã được chấp nhận gần nhất "
            f"(quý {source[1]}/{source[0]}). Cập nhật theo tình hình cuối quý: thêm chi bộ mới, "
            f"xoá chi bộ đã giải thể hoặc sáp nhập, sửa số đảng viên."
            if source
            else "Chưa có báo cáo nào được chấp nhận: ghi mỗi chi bộ một dòng."
        )
        lines = [
            ("title", words.title.format(year=year, quarter=quarter)),
            ("text", f"{name} (mã {commune['commune_code']}) — {reference.settings.province_name}"),
            (
                "text",
                f"Hạn nộp: chậm nhất ngày {due:%d/%m/%Y} "
                f"({reference.settings.deadline_days} ngày sau khi hết quý).",
            ),
            ("heading", "Lưu ý chung"),
            (
                "text",
                "• Không đổi tên các trang, không sửa, xoá hay thêm cột. Dòng tiêu đề được "
                "khoá; các ô dữ liệu vẫn nhập, thêm dòng, xoá dòng bình thường.",
            ),
            ("text", "• Ở các cột có danh sách thả xuống, chọn giá trị trong danh sách."),
            ("text", "• Ngày ghi theo thứ tự ngày/tháng/năm, ví dụ 05/01/2027."),
            (
                "text",
                "• Không ghi họ tên, số CCCD hay số thẻ đảng viên của người được kết nạp: "
                "các cột đó bị loại bỏ khi nhận báo cáo.",
            ),
            (
                "text",
                "• Lưu tệp dạng Excel Workbook (.xlsx), không đặt mật khẩu, rồi gửi về "
                "Ban Tổ chức.",
            ),
            ("heading", f"Trang «{s['Info']}»"),
            (
                "text",
                f"• {h('Info', 'commune_code')}, {h('Info', 'commune_name')} và "
                f"{h('Info', 'period')} đã được điền sẵn, không sửa.",
            ),
            (
                "text",
                f"• Ghi {h('Info', 'submitted_on')} (ngày lập báo cáo) và "
                f"{h('Info', 'prepared_by')}.",
            ),
            ("heading", f"Trang «{s['Cells']}»: mỗi chi bộ một dòng"),
            ("text", f"• {history}"),
            (
                "text",
                f"• {h('Cells', 'cell_code')} không trùng nhau. "
                f"{h('Cells', 'probationary_members')} gồm cả những người mới kết nạp trong quý.",
            ),
            (
                "text",
                f"• {h('Cells', 'last_admission_year')}: năm chi bộ kết nạp đảng viên gần "
                f"nhất, để trống nếu chưa từng kết nạp; chi bộ có kết nạp trong quý ghi {year}.",
            ),
            ("heading", f"Trang «{s['Meetings']}»: mỗi chi bộ một dòng cho mỗi tháng"),
            (
                "text",
                "• Các dòng đã có sẵn mã chi bộ và tháng. Không xoá dòng: tháng không "
                f"sinh hoạt thì chọn «{words.false}» ở cột {h('Meetings', 'regular_meeting')}. "
                "Ô để trống ở cột này được hiểu là không sinh hoạt.",
            ),
            (
                "text",
                f"• Có sinh hoạt: ghi {h('Meetings', 'meeting_date')} (trong tháng đó) và "
                f"{h('Meetings', 'attendees')} (từ 1 đến tổng số đảng viên chính thức và dự bị "
                "của chi bộ). Không sinh hoạt: để trống hai cột này.",
            ),
            (
                "text",
                f"• {h('Meetings', 'thematic_meeting')}: chọn «{words.true}» nếu trong "
                f"tháng có sinh hoạt chuyên đề. {h('Meetings', 'higher_level_attendees')}: số "
                "cấp ủy viên, cán bộ cấp xã, cấp tỉnh dự; để trống là 0.",
            ),
            ("text", f"• Thêm chi bộ ở trang «{s['Cells']}» thì thêm 3 dòng cho chi bộ đó."),
            ("heading", f"Trang «{s['Admissions']}»: mỗi đảng viên kết nạp trong quý một dòng"),
            ("text", "• Để trống cả trang nếu trong quý không kết nạp đảng viên nào."),
            (
                "text",
                f"• Ngày kết nạp trong quý {quarter}/{year}. Tuổi khi kết nạp (năm kết nạp "
                "trừ năm sinh) từ 18 trở lên; trên 60 tuổi cần cấp tỉnh chấp thuận.",
            ),
            (
                "text",
                "• Dân tộc ghi tên dân tộc (Kinh, Tày, Thái…). Tôn giáo và Đoàn thể giới "
                "thiệu: để trống hoặc «Không» nếu không có.",
            ),
            (
                "text",
                f"• Chi bộ có người được kết nạp: số người kết nạp trong quý không vượt số ở "
                f"cột {h('Cells', 'probationary_members')} của trang «{s['Cells']}», và cột "
                f"{h('Cells', 'last_admission_year')} ghi {year} hoặc để trống.",
            ),
            ("heading", "Danh mục giá trị"),
        ]
    else:
        history = (
            f"Prefilled from the latest accepted return ({source[0]}-Q{source[1]}). Update it "
            "to the quarter's end: add new cells, remove dissolved or merged ones, correct "
            "the member counts."
            if source
            else "No accepted return yet: write one row per cell."
        )
        lines = [
            ("title", words.title.format(year=year, quarter=quarter)),
            (
                "text",
                f"{name} (code {commune['commune_code']}) — {reference.settings.province_name}",
            ),
            (
                "text",
                f"Due: {due:%d/%m/%Y} at the latest "
                f"({reference.settings.deadline_days} days after the quarter ends).",
            ),
            ("heading", "General"),
            (
                "text",
                "• Do not rename sheets or change, delete or add columns. Header rows are "
                "locked; data cells, new rows and deleted rows work as usual.",
            ),
            ("text", "• Where a column has a dropdown, pick a value from it."),
            ("text", "• Write dates day/month/year, e.g. 05/01/2027."),
            (
                "text",
                "• Do not write names, ID card or party card numbers of new members: "
                "such columns are dropped when the return is received.",
            ),
            ("text", "• Save as Excel Workbook (.xlsx), without a password."),
            ("heading", f"Sheet «{s['Info']}»"),
            ("text", "• Commune code, name and period are filled in: do not change them."),
            ("text", "• Fill in submitted_on (the date of the return) and prepared_by."),
            ("heading", f"Sheet «{s['Cells']}»: one row per cell"),
            ("text", f"• {history}"),
            (
                "text",
                "• Each cell_code once. probationary_members include this quarter's admissions.",
            ),
            (
                "text",
                "• last_admission_year: year of the cell's latest admission, blank if none "
                f"ever; {year} for a cell that admitted this quarter.",
            ),
            ("heading", f"Sheet «{s['Meetings']}»: one row per cell and month"),
            (
                "text",
                "• Rows are laid out with cell code and month. Do not delete them: for a "
                f"month without a meeting pick «{words.false}» in regular_meeting. A blank there "
                "reads as no meeting.",
            ),
            (
                "text",
                "• Meeting held: fill in meeting_date (in that month) and attendees (1 to "
                "the cell's official + probationary members). Not held: leave both blank.",
            ),
            (
                "text",
                f"• thematic_meeting: «{words.true}» when a thematic meeting took place. "
                "higher_level_attendees: cadres from commune or province who attended; blank is 0.",
            ),
            ("text", f"• A cell added in «{s['Cells']}» needs its 3 rows here."),
            ("heading", f"Sheet «{s['Admissions']}»: one row per member admitted"),
            ("text", "• Leave the sheet empty when nobody was admitted this quarter."),
            (
                "text",
                f"• admitted_on within {year}-Q{quarter}. Age at admission (year admitted "
                "minus birth year) at least 18; over 60 needs provincial approval.",
            ),
            ("text", "• religion and referred_by: blank or none when there is none."),
            (
                "text",
                "• A cell's admissions in the quarter are at most its probationary_members, "
                f"and its last_admission_year is {year} or blank.",
            ),
            ("heading", "Value lists"),
        ]
    lines += [("text", f"• {label}: {'; '.join(_labels(name, lang))}") for label, name in lists]
    return lines


# --- periods ----------------------------------------------------------------------------------


def _quarter_start(period: tuple[int, int]) -> dt.date:
    return dt.date(period[0], period[1] * 3 - 2, 1)


def _next_quarter(period: tuple[int, int]) -> tuple[int, int]:
    year, quarter = period
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def _quarter_end(period: tuple[int, int]) -> dt.date:
    return _quarter_start(_next_quarter(period)) - dt.timedelta(days=1)


QUERIES = Path(__file__).parent / "sql" / "templates"


def _query(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def default_period(warehouse: Path) -> tuple[int, int] | None:
    """The quarter after the latest one with an accepted return in the warehouse, if any."""
    if not warehouse.exists():
        return None
    with open_read_only(warehouse) as con:
        row = con.execute(_query("latest_quarter")).fetchone()
    return _next_quarter((int(row[0]), int(row[1]))) if row else None


# --- history ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _History:
    """The cells of a commune's latest accepted return at or before the period."""

    source: tuple[int, int] | None
    cells: list[dict[str, Any]]


def _histories(warehouse: Path | None, period: tuple[int, int]) -> dict[str, _History]:
    if warehouse is None or not warehouse.exists():
        return {}
    key = period[0] * 10 + period[1]
    with open_read_only(warehouse) as con:
        cells = con.execute(_query("cells"), {"key": key}).fetchall()
        admitted = con.execute(_query("admitted"), {"key": key}).fetchall()
    latest_admission = {(c, cell): int(y) for c, cell, y in admitted if y is not None}
    out: dict[str, _History] = {}
    columns = ("cell_code", "cell_name", "cell_type", "official_members", "probationary_members")
    for commune, year, quarter, *values in cells:
        history = out.setdefault(commune, _History((int(year), int(quarter)), []))
        cell = dict(zip(columns, values[:5], strict=True))
        years = [y for y in (values[5], latest_admission.get((commune, cell["cell_code"]))) if y]
        cell["last_admission_year"] = max(years) if years else None
        history.cells.append(cell)
    return out


# --- writing ----------------------------------------------------------------------------------


def write_templates(
    reference: Reference, warehouse: Path | None, folder: Path, period: tuple[int, int], lang: str
) -> list[Path]:
    """Write one return template per commune of ``reference`` into ``folder``; their paths.

    ``lang`` is ``vi`` (Vietnamese sheet names, headers, labels and instructions) or
    ``en`` (the canonical names of SPEC §3). Files already in ``folder`` under the same
    names are replaced; other files are left alone.
    """
    if lang not in _WORDS:
        raise ValueError(f"No template words for language {lang!r} (vi or en).")
    histories = _histories(warehouse, period)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for commune in reference.communes.to_dict("records"):
        name = commune.get("commune_name")
        commune["commune_name"] = name if isinstance(name, str) and name.strip() else None
        code = commune["commune_code"]
        path = folder / f"{code}-{slug(commune['commune_name'] or '')}.xlsx"
        history = histories.get(code, _History(None, []))
        _Template(path, commune, period, lang, history, reference).write()
        written.append(path)
    return written


class _Template:
    """One commune's workbook, written sheet by sheet."""

    def __init__(
        self,
        path: Path,
        commune: dict[str, Any],
        period: tuple[int, int],
        lang: str,
        history: _History,
        reference: Reference,
    ) -> None:
        self.path = path
        self.commune = commune
        self.period = period
        self.lang = lang
        self.words = _WORDS[lang]
        self.history = history
        self.reference = reference
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.book.set_properties(
            {
                "created": dt.datetime.combine(_quarter_start(period), dt.time()),
                "title": self.words.title.format(year=period[0], quarter=period[1]),
                "subject": f"{commune['commune_code']} {commune['commune_name'] or ''}".strip(),
            }
        )
        add = self.book.add_format
        self.fmt = {
            "header": add(
                {
                    "bold": True,
                    "text_wrap": True,
                    "valign": "vcenter",
                    "align": "center",
                    "bg_color": "#DDEBF7",
                    "border": 1,
                    "locked": True,
                }
            ),
            "locked": add({"locked": True}),
            "label": add({"bold": True, "locked": True, "bg_color": "#DDEBF7", "border": 1}),
            "hint": add({"italic": True, "font_color": "#595959", "text_wrap": True}),
            "title": add({"bold": True, "font_size": 14}),
            "heading": add({"bold": True, "font_size": 12, "top": 1}),
            "text": add({"text_wrap": True, "valign": "top"}),
            "todo": add({"bg_color": "#FFF2CC"}),
            # data cells: unlocked, typed
            "any": add({"locked": False}),
            "str": add({"locked": False, "num_format": "@"}),
            "int": add({"locked": False, "num_format": "0"}),
            "date": add({"locked": False, "num_format": "dd/mm/yyyy"}),
        }
        self.sheet_names = self.words.sheets
        self.list_ranges: dict[str, str] = {}

    # -- helpers --

    def _ref(self, sheet: str) -> str:
        name = self.sheet_names[sheet].replace("'", "''")
        return f"'{name}'"

    def _hint(self, key: str) -> str:
        first, last = self.period[1] * 3 - 2, self.period[1] * 3
        end = _quarter_end(self.period)
        meetings = SHEET_BY_NAME["Meetings"].fields()
        return self.words.hints[key].format(
            year=self.period[0],
            quarter=self.period[1],
            first_month=first,
            last_month=last,
            next_month=(end + dt.timedelta(days=1)).month,
            end_year=(end + dt.timedelta(days=1)).year,
            cells=self.sheet_names["Cells"],
            month=header("month", meetings["month"], self.lang),
        )

    def _validate(self, ws: Worksheet, rows: tuple[int, int], col: int, rule: dict) -> None:
        ws.data_validation(rows[0], col, rows[1], col, rule)

    # -- the workbook --

    def write(self) -> None:
        instructions = self.book.add_worksheet(self.sheet_names["Instructions"])
        info = self.book.add_worksheet(self.sheet_names["Info"])
        cells = self.book.add_worksheet(self.sheet_names["Cells"])
        meetings = self.book.add_worksheet(self.sheet_names["Meetings"])
        admissions = self.book.add_worksheet(self.sheet_names["Admissions"])
        lists = self.book.add_worksheet(self.sheet_names["Lists"])
        self._write_lists(lists)
        self._write_instructions(instructions)
        self._write_info(info)
        cell_rows = [
            [
                self._label("cell_type", c[name]) if name == "cell_type" else c[name]
                for name in SHEET_BY_NAME["Cells"].fields()
            ]
            for c in self.history.cells
        ]
        self._write_table(cells, "Cells", cell_rows)
        first = self.period[1] * 3 - 2
        meeting_rows = [
            [c["cell_code"], month, None, None, None, None, None]
            for c in self.history.cells
            for month in range(first, first + 3)
        ]
        self._write_table(meetings, "Meetings", meeting_rows)
        self._write_table(admissions, "Admissions", [])
        instructions.activate()
        self.book.close()

    def _label(self, name: str, code: Any) -> Any:
        """A canonical code as its dropdown label (an unknown value is kept as it is)."""
        if code not in VALUE_LISTS[name] or self.lang != "vi":
            return code
        return _PREFILL_LABELS.get(name, {}).get(code, VALUE_LISTS[name][code][0])

    def _write_lists(self, ws: Worksheet) -> None:
        names = ["boolean", *(n for n in VALUE_LISTS if n != "boolean")]
        for c, name in enumerate(names):
            labels = _labels(name, self.lang)
            ws.write_string(0, c, name, self.fmt["label"])
            for r, label in enumerate(labels, start=1):
                ws.write_string(r, c, label)
            letter = xl_col_to_name(c)
            self.list_ranges[name] = (
                f"={self._ref('Lists')}!${letter}$2:${letter}${len(labels) + 1}"
            )
            ws.set_column(c, c, max(len(x) for x in [name, *labels]) + 2)
        ws.protect("", {"format_columns": True})
        ws.hide()

    def _write_instructions(self, ws: Worksheet) -> None:
        ws.set_column(0, 0, 110)
        lines = _instructions(
            self.lang, self.commune, self.period, self.history.source, self.reference
        )
        row = 0
        for style, text in lines:
            if style == "heading":
                row += 1
            ws.write_string(row, 0, text, self.fmt[style])
            row += 1
        ws.protect("", {"format_columns": True, "format_rows": True})

    def _write_info(self, ws: Worksheet) -> None:
        fields = SHEET_BY_NAME["Info"].fields()
        ws.set_column(0, 0, 24, self.fmt["locked"])
        ws.set_column(1, 1, 32, self.fmt["any"])
        ws.set_column(2, 2, 70, self.fmt["hint"])
        ws.write_string(
            0,
            0,
            self.words.title.format(year=self.period[0], quarter=self.period[1]),
            self.fmt["title"],
        )
        values = {
            "commune_code": self.commune["commune_code"],
            "commune_name": self.commune["commune_name"] or "",
            "period": period_label(self.period, self.lang),
        }
        row = 2
        for column, meta in fields.items():
            ws.write_string(row, 0, header(column, meta, self.lang), self.fmt["label"])
            if column in values:
                ws.write_string(row, 1, values[column], self.fmt["str"])
            elif meta["kind"] == "date":
                ws.write_blank(row, 1, None, self.fmt["date"])
                ws.write_string(row, 2, f"{self.words.todo}: {self._hint(f'Info.{column}')}")
                self._validate(
                    ws,
                    (row, row),
                    1,
                    self._date_rule(f"Info.{column}", ">=", _quarter_start(self.period)),
                )
                ws.conditional_format(
                    row, 1, row, 1, {"type": "blanks", "format": self.fmt["todo"]}
                )
            else:
                ws.write_blank(row, 1, None, self.fmt["str"])
                ws.write_string(row, 2, f"{self.words.todo}: {self._hint(f'Info.{column}')}")
                self._validate(ws, (row, row), 1, self._any_rule(f"Info.{column}"))
            row += 1
        ws.protect("", {"format_columns": True, "format_rows": True})

    def _write_table(self, ws: Worksheet, sheet: str, rows: list[list[Any]]) -> None:
        fields = SHEET_BY_NAME[sheet].fields()
        last = max(DATA_ROWS, len(rows) + 200)
        data = (1, last)
        ws.set_row(0, 32, self.fmt["header"])
        for c, (column, meta) in enumerate(fields.items()):
            text = header(column, meta, self.lang)
            width = 30 if column == "cell_name" else max(12, min(len(text) + 4, 30))
            ws.set_column(c, c, width, self.fmt[self._style(meta["kind"])])
            ws.write_string(0, c, text, self.fmt["header"])
            self._validate(ws, data, c, self._rule(sheet, column, meta, c))
        # Excel deletes a row only when none of its cells is locked: the data rows are unlocked
        # from end to end (unlocking every column instead makes xlsxwriter walk 16,384 columns
        # in every row). A new cell takes its row's format, so the number formats of the
        # columns apply below these rows only; Excel formats a typed date by itself.
        for r in range(data[0], data[1] + 1):
            ws.set_row(r, None, self.fmt["any"])
        for r, values in enumerate(rows, start=1):
            for c, ((_, meta), value) in enumerate(zip(fields.items(), values, strict=True)):
                if value is None:
                    continue
                if meta["kind"] in ("int", "month"):
                    ws.write_number(r, c, int(value), self.fmt["int"])
                else:
                    ws.write_string(r, c, str(value), self.fmt[self._style(meta["kind"])])
        if sheet == "Meetings" and rows:
            col = list(fields).index("regular_meeting")
            letter = xl_col_to_name(col)
            ws.conditional_format(
                1,
                col,
                len(rows),
                col,
                {
                    "type": "formula",
                    "criteria": f'=AND($A2<>"",ISBLANK({letter}2))',
                    "format": self.fmt["todo"],
                },
            )
        ws.freeze_panes(1, 1)
        ws.protect(
            "",
            {
                "format_columns": True,
                "format_rows": True,
                "insert_rows": True,
                "delete_rows": True,
                "sort": True,
                "autofilter": True,
            },
        )

    @staticmethod
    def _style(kind: str) -> str:
        return {"int": "int", "month": "int", "date": "date", "text": "str", "code": "str"}.get(
            kind, "any"
        )

    # -- validation rules --

    def _messages(self, key: str) -> dict[str, Any]:
        text = self._hint(key)
        return {
            "input_message": text[:255],
            "error_title": self.words.check,
            "error_message": text[:255],
        }

    def _any_rule(self, key: str) -> dict[str, Any]:
        return {"validate": "any", **self._messages(key)}

    def _date_rule(
        self, key: str, criteria: str, low: dt.date, high: dt.date | None = None
    ) -> dict[str, Any]:
        rule: dict[str, Any] = {"validate": "date", "criteria": criteria, **self._messages(key)}
        if high is None:
            rule["value"] = dt.datetime.combine(low, dt.time())
        else:
            rule["minimum"] = dt.datetime.combine(low, dt.time())
            rule["maximum"] = dt.datetime.combine(high, dt.time())
        return rule

    def _int_rule(self, key: str, low: int, high: int | None = None) -> dict[str, Any]:
        rule: dict[str, Any] = {"validate": "integer", **self._messages(key)}
        if high is None:
            rule.update(criteria=">=", value=low)
        else:
            rule.update(criteria="between", minimum=low, maximum=high)
        return rule

    def _rule(self, sheet: str, column: str, meta: dict, col: int) -> dict[str, Any]:
        """The data validation of one column of a table sheet."""
        year, quarter = self.period
        key = f"{sheet}.{column}" if f"{sheet}.{column}" in self.words.hints else column
        kind = meta["kind"]
        if kind == "bool" or kind.startswith("list:"):
            name = "boolean" if kind == "bool" else kind.removeprefix("list:")
            return {"validate": "list", "source": self.list_ranges[name], **self._messages(key)}
        if column == "cell_code" and sheet != "Cells":
            cells = self._ref("Cells")
            source = f"=OFFSET({cells}!$A$2,0,0,MAX(1,COUNTA({cells}!$A:$A)-1),1)"
            # a warning, not a stop: "cb01" is CB01 to the reader, not to Excel
            return {
                "validate": "list",
                "source": source,
                "error_type": "warning",
                **self._messages(key),
            }
        if column == "month":
            return self._int_rule(key, quarter * 3 - 2, quarter * 3)
        if column == "last_admission_year":
            return self._int_rule(key, FIRST_PARTY_YEAR, year)
        if column == "birth_year":
            return self._int_rule(key, OLDEST_BIRTH_YEAR, year - ADULT_AGE)
        if kind == "int":
            return self._int_rule(key, 0)
        if column == "meeting_date":
            # a date in the month of the row's month column (when it is a plain number)
            fields = list(SHEET_BY_NAME[sheet].fields())
            d = f"{xl_col_to_name(col)}2"
            m = f"${xl_col_to_name(fields.index('month'))}2"
            start, end = _quarter_start(self.period), _quarter_start(_next_quarter(self.period))
            formula = (
                f"=AND(ISNUMBER({d}),{d}>=DATE({start.year},{start.month},1),"
                f"{d}<DATE({end.year},{end.month},1),OR(NOT(ISNUMBER({m})),MONTH({d})={m}))"
            )
            return {"validate": "custom", "value": formula, **self._messages(key)}
        if kind == "date":
            return self._date_rule(
                key, "between", _quarter_start(self.period), _quarter_end(self.period)
            )
        return self._any_rule(key)
