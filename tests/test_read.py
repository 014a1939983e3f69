"""The reader on real files (SPEC §3 and the not-a-workbook cases of §4).

Workbooks are written with openpyxl through ``tests.factory``; the files that are not
workbooks are written as raw bytes. Problems are compared as literal lists of
``(sheet, row, column, cell, rule)``.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline.check import check
from pipeline.number_formats import read_number_formats
from pipeline.read import MAX_FILE_BYTES, Workbook, read_workbook
from pipeline.validate import validate
from tests.factory import Sheets, valid_return, write_reference, write_workbook

TITLES = [
    ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    [None, "Độc lập - Tự do - Hạnh phúc"],
    [],
    ["BÁO CÁO CÔNG TÁC XÂY DỰNG ĐẢNG QUÝ III/2026"],
]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def read(path: Path, lang: str = "en") -> Workbook:
    return read_workbook(path, path.parent, lang)


def write_and_read(tmp_path: Path, sheets: Sheets, lang: str = "en", name: str = "return.xlsx"):
    return read(write_workbook(tmp_path / name, sheets), lang)


def found(book: Workbook) -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.cell, p.rule) for p in book.problems]


def only(book: Workbook, rule: str):
    matches = [p for p in book.problems if p.rule == rule]
    assert len(matches) == 1, found(book)
    return matches[0]


def renamed(sheets: Sheets, names: dict[str, str]) -> Sheets:
    """The same sheets under other names (keeps the order)."""
    return {names.get(name, name): copy.deepcopy(rows) for name, rows in sheets.items()}


def with_headers(sheets: Sheets, sheet: str, headers: dict[str, str]) -> Sheets:
    """Replace header cells (row 1 of a table, or the key column of Info) by other aliases."""
    out = copy.deepcopy(sheets)
    if sheet == "Info":
        for pair in out["Info"]:
            pair[0] = headers.get(pair[0], pair[0])
    else:
        out[sheet][0] = [headers.get(h, h) for h in out[sheet][0]]
    return out


def values_of(book: Workbook, sheet: str) -> list[tuple[int, list]]:
    return book.sheets[sheet].rows


# --- where the header and the data are ---------------------------------------------------


def test_valid_return_reads_every_sheet_without_problems(tmp_path):
    book = write_and_read(tmp_path, valid_return())

    assert found(book) == []
    assert list(book.sheets) == ["Info", "Cells", "Meetings", "Admissions"]
    assert book.file_name == "return.xlsx"
    assert len(book.sha256) == 64
    assert values_of(book, "Cells") == [
        (2, ["CB01", "Chi bộ CB01", "Thôn", 10, 2, 2026]),
        (3, ["CB02", "Chi bộ CB02", "Thôn", 20, 0, 2025]),
    ]
    assert [row for row, _ in values_of(book, "Meetings")] == [2, 3, 4, 5, 6, 7]
    info = book.sheets["Info"]
    assert info.rows == [
        (0, ["06253", "Xã Thử Nghiệm", "2026-Q3", dt.date(2026, 10, 5), "Nguyễn Thị Lan"])
    ]
    assert info.key_rows == {
        "commune_code": 1,
        "commune_name": 2,
        "period": 3,
        "submitted_on": 4,
        "prepared_by": 5,
    }


def test_file_name_is_relative_to_the_raw_folder(tmp_path):
    path = write_workbook(tmp_path / "raw" / "Xã A" / "q3.xlsx", valid_return())

    book = read_workbook(path, tmp_path / "raw", "en")

    assert book.file_name == "Xã A/q3.xlsx"


def test_header_below_title_rows_keeps_excel_row_numbers(tmp_path):
    sheets = valid_return()
    for name in ("Info", "Cells", "Meetings", "Admissions"):
        sheets[name] = [*copy.deepcopy(TITLES), *sheets[name]]

    book = write_and_read(tmp_path, sheets)

    assert found(book) == []
    # 4 title rows: header on Excel row 5, data from row 6.
    assert values_of(book, "Cells") == [
        (6, ["CB01", "Chi bộ CB01", "Thôn", 10, 2, 2026]),
        (7, ["CB02", "Chi bộ CB02", "Thôn", 20, 0, 2025]),
    ]
    assert [row for row, _ in values_of(book, "Meetings")] == [6, 7, 8, 9, 10, 11]
    assert [row for row, _ in values_of(book, "Admissions")] == [6]
    assert book.sheets["Info"].key_rows["commune_code"] == 5
    assert book.sheets["Info"].key_rows["prepared_by"] == 9


def test_leading_empty_rows_and_columns_keep_excel_coordinates(tmp_path):
    sheets = valid_return()
    sheets["Cells"] = [[], [], *[[None, None, *row] for row in sheets["Cells"]]]
    sheets["Cells"].insert(4, [None, None, None, "stray", None, None, None, None])

    book = write_and_read(tmp_path, sheets)

    # Header on C3, data on rows 4 and 6; the stray row 5 has no cell code in column C.
    assert book.sheets["Cells"].columns["cell_code"] == ("cell_code", 2)
    assert [row for row, _ in values_of(book, "Cells")] == [4, 6]
    assert found(book) == [("Cells", 5, "cell_code", "C5", "row-without-cell-code")]


def test_columns_past_z_keep_their_excel_references(tmp_path):
    """From column AA on, the problems, the formulas saved without a result, the number
    formats and the feedback's marks all point at the cell Excel shows."""
    sheets = valid_return()
    sheets["Meetings"] = [[*[None] * 26, *row] for row in sheets["Meetings"]]  # from AA
    sheets["Meetings"][0].append("Ghi chú")  # AH1: not a column of the return
    sheets["Meetings"][2][26 + 4] = "=2+3"  # AE3, attendees: openpyxl saves no result
    path = write_workbook(tmp_path / "raw" / "wide.xlsx", sheets)

    book = read_workbook(path, path.parent, "en")
    validated = validate([book], {"06253"}, dt.date(2026, 11, 23), "en")

    assert [(p.sheet, p.row, p.column, p.cell, p.rule) for p in validated.problems] == [
        ("Meetings", 1, None, "AH1", "extra-column"),
        ("Meetings", 3, "attendees", "AE3", "formula-without-value"),
    ]
    grid = book.sheets["Meetings"].grid
    formats = read_number_formats(path, book.sha256, {"Meetings": (len(grid), len(grid[0]))})
    assert sorted(formats["Meetings"]) == [(r, 29) for r in range(1, 7)]  # the dates, AD2:AD7

    checked = check([path], write_reference(tmp_path / "ref"), tmp_path / "feedback", "en")
    copy = openpyxl.load_workbook(checked.feedback["wide.xlsx"])["Meetings"]
    marked = [c.coordinate for row in copy.iter_rows() for c in row if c.comment is not None]
    assert marked == ["AH1", "AE3"]


@pytest.mark.parametrize(
    ("title_rows", "header_found"),
    [(14, True), (15, False)],
    ids=["header-on-row-15", "header-on-row-16"],
)
def test_header_is_searched_in_the_first_15_rows(tmp_path, title_rows, header_found):
    sheets = valid_return()
    sheets["Cells"] = [[f"Dòng tiêu đề {i + 1}"] for i in range(title_rows)] + sheets["Cells"]

    book = write_and_read(tmp_path, sheets)

    if header_found:
        assert found(book) == []
        assert [row for row, _ in values_of(book, "Cells")] == [16, 17]
    else:
        assert found(book) == [
            ("Cells", None, column, None, "missing-column")
            for column in (
                "cell_code",
                "cell_name",
                "cell_type",
                "official_members",
                "probationary_members",
                "last_admission_year",
            )
        ]
        assert values_of(book, "Cells") == []


# --- aliases -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("canonical", "written"),
    [
        ("Info", "Thông tin"),
        ("Info", "THONG TIN"),
        ("Info", nfd("thông tin")),
        ("Info", "info"),
        ("Cells", "Chi bộ"),
        ("Cells", "DANH SÁCH CHI BỘ"),
        ("Cells", "danh  sach chi bo"),
        ("Cells", "CELLS"),
        ("Meetings", "Sinh hoạt"),
        ("Meetings", "Sinh hoạt chi bộ"),
        ("Meetings", nfd("SINH HOẠT CHI BỘ")),
        ("Meetings", "meetings"),
        ("Admissions", "Kết nạp"),
        ("Admissions", "kết nạp  đảng viên"),
        ("Admissions", "KET NAP DANG VIEN"),
        ("Admissions", "Admissions"),
    ],
)
def test_sheet_name_aliases(tmp_path, canonical, written):
    book = write_and_read(tmp_path, renamed(valid_return(), {canonical: written}))

    assert found(book) == []
    assert book.sheets[canonical].name == unicodedata.normalize("NFC", written)
    assert values_of(book, canonical) == values_of(
        write_and_read(tmp_path, valid_return(), name="en.xlsx"), canonical
    )


VIETNAMESE_HEADERS = {
    "Info": {
        "commune_code": "Mã đơn vị",
        "commune_name": "tên xã",
        "period": "KỲ BÁO CÁO",
        "submitted_on": nfd("Ngày lập"),
        "prepared_by": "  Người   lập ",
    },
    "Cells": {
        "cell_code": "MÃ CHI BỘ",
        "cell_name": nfd("Tên chi bộ"),
        "cell_type": "loai hinh chi bo",
        "official_members": "Số ĐV\nchính thức",
        "probationary_members": "  Đảng viên   dự bị ",
        "last_admission_year": "Năm Kết Nạp Gần Nhất",
    },
    "Meetings": {
        "cell_code": "mã chi bộ",
        "month": "THÁNG",
        "regular_meeting": "Sinh hoạt định kỳ",
        "meeting_date": nfd("Ngày sinh hoạt"),
        "attendees": "Số ĐV dự",
        "thematic_meeting": "sinh hoat chuyen de",
        "higher_level_attendees": "Cán bộ cấp trên dự",
    },
    "Admissions": {
        "cell_code": "Mã chi bộ",
        "admitted_on": "Ngày kết nạp",
        "sex": "GIỚI TÍNH",
        "birth_year": "Năm sinh",
        "ethnicity": "Dân tộc",
        "religion": nfd("Tôn giáo"),
        "occupation": "Nghề nghiệp",
        "education": "trình độ học vấn",
        "referred_by": "Đoàn thể giới thiệu",
    },
}


def test_vietnamese_headers_match_case_accent_whitespace_and_nfd_insensitively(tmp_path):
    english = write_and_read(tmp_path, valid_return(), name="en.xlsx")
    sheets = valid_return()
    for sheet, headers in VIETNAMESE_HEADERS.items():
        sheets = with_headers(sheets, sheet, headers)
    sheets = renamed(
        sheets,
        {"Info": "Thông tin", "Cells": "Chi bộ", "Meetings": "Sinh hoạt", "Admissions": "Kết nạp"},
    )

    book = write_and_read(tmp_path, sheets, lang="vi", name="vi.xlsx")

    assert found(book) == []
    for sheet, headers in VIETNAMESE_HEADERS.items():
        # Each column is found, and its header is kept as written (NFC, trimmed).
        assert {c: h for c, (h, _) in book.sheets[sheet].columns.items()} == {
            c: unicodedata.normalize("NFC", h).strip() for c, h in headers.items()
        }
        assert values_of(book, sheet) == values_of(english, sheet)


def test_english_headers_match_case_and_whitespace_insensitively(tmp_path):
    sheets = with_headers(
        valid_return(),
        "Cells",
        {
            "cell_code": "CELL_CODE",
            "cell_name": " Cell_Name ",
            "official_members": "OFFICIAL_members",
        },
    )

    book = write_and_read(tmp_path, sheets)

    assert found(book) == []
    assert book.sheets["Cells"].columns["cell_name"] == ("Cell_Name", 1)
    assert values_of(book, "Cells")[0] == (2, ["CB01", "Chi bộ CB01", "Thôn", 10, 2, 2026])


def test_headers_match_across_line_breaks_spaces_and_footnote_marks(tmp_path):
    written = {
        "cell_code": "Mã\nchi bộ *",
        "cell_name": "Tên   chi bộ:",
        "official_members": "Đảng viên \nchính thức (*)",
        "probationary_members": "Số ĐV dự bị (1)",
        "last_admission_year": "Năm kết nạp gần nhất (**) (2)",
    }

    book = write_and_read(tmp_path, with_headers(valid_return(), "Cells", written))

    assert found(book) == []
    assert {c: h for c, (h, _) in book.sheets["Cells"].columns.items()} == {
        "cell_type": "cell_type",
        **written,
    }
    assert values_of(book, "Cells")[0] == (2, ["CB01", "Chi bộ CB01", "Thôn", 10, 2, 2026])


@pytest.mark.parametrize("ordinal", ["STT", "TT", "Số TT", "No.", "số thứ tự"])
def test_an_ordinal_column_is_ignored_without_a_warning(tmp_path, ordinal):
    sheets = valid_return()
    header, *rows = sheets["Meetings"]
    # numbered rows, one numbered but empty (as old forms come, pre-numbered)
    sheets["Meetings"] = [
        [ordinal, *header],
        *([i + 1, *row] for i, row in enumerate(rows[:3])),
        [4],
        *([i + 5, *row] for i, row in enumerate(rows[3:])),
        [99],  # below the last cell: ignored like any row there
    ]

    book = write_and_read(tmp_path, sheets)

    assert found(book) == []
    assert [row for row, _ in values_of(book, "Meetings")] == [2, 3, 4, 6, 7, 8]
    assert values_of(book, "Meetings")[0][1][:2] == ["CB01", 7]


# --- which rows are data -----------------------------------------------------------------


def test_fully_blank_rows_are_ignored_anywhere(tmp_path):
    sheets = valid_return()
    blank = [None] * 6
    sheets["Cells"] = [
        sheets["Cells"][0],
        list(blank),
        sheets["Cells"][1],
        ["", "  ", None, None, "", None],  # whitespace only is blank too
        list(blank),
        sheets["Cells"][2],
    ]

    book = write_and_read(tmp_path, sheets)

    assert found(book) == []
    assert [row for row, _ in values_of(book, "Cells")] == [3, 6]


def test_rows_after_the_last_cell_code_are_ignored(tmp_path):
    sheets = valid_return()
    sheets["Cells"] += [
        [],
        [None, "Người lập biểu", None, None, "T/M CHI ỦY"],
        [None, "(Ký, ghi rõ họ tên)", None, None, "BÍ THƯ"],
        [None, "Nguyễn Thị Lan", None, 5, "Trần Văn Nam"],
    ]
    sheets["Admissions"] += [[None, "Ghi chú: số liệu tính đến 30/9/2026"]]

    book = write_and_read(tmp_path, sheets)

    assert found(book) == []
    assert [row for row, _ in values_of(book, "Cells")] == [2, 3]
    assert [row for row, _ in values_of(book, "Admissions")] == [2]


def test_row_with_data_but_no_cell_code_above_the_last_cell_is_an_error(tmp_path):
    sheets = with_headers(valid_return(), "Cells", {"cell_code": "Mã chi bộ"})
    sheets["Cells"].insert(2, [None, "Chi bộ không mã", "Thôn", 7, 0, 2024])  # Excel row 3

    book = write_and_read(tmp_path, sheets)

    assert found(book) == [("Cells", 3, "cell_code", "A3", "row-without-cell-code")]
    problem = only(book, "row-without-cell-code")
    assert problem.severity == "error"
    assert "'Mã chi bộ'" in problem.message
    assert "Fill in the cell code, or delete the row" in problem.message
    assert [row for row, _ in values_of(book, "Cells")] == [2, 4]


# --- extra and missing structure ---------------------------------------------------------


def test_extra_column_is_ignored_with_a_warning_naming_its_header(tmp_path):
    sheets = valid_return()
    # valid_return shares its header lists: extend copies, never the lists themselves.
    sheets["Meetings"][0] = [*sheets["Meetings"][0], "Ghi chú"]
    sheets["Meetings"][1] = [*sheets["Meetings"][1], "họp muộn"]

    book = write_and_read(tmp_path, sheets)

    assert found(book) == [("Meetings", 1, None, "H1", "extra-column")]
    problem = only(book, "extra-column")
    assert problem.severity == "warning"
    assert problem.message == "The column 'Ghi chú' is not part of the return and was ignored."
    assert "Ghi chú" not in book.sheets["Meetings"].columns
    assert all("họp muộn" not in values for _, values in values_of(book, "Meetings"))


def test_extra_column_message_in_vietnamese(tmp_path):
    sheets = valid_return()
    sheets["Cells"][0] = [*sheets["Cells"][0], "Địa chỉ"]

    book = write_and_read(tmp_path, sheets, lang="vi")

    assert found(book) == [("Cells", 1, None, "G1", "extra-column")]
    assert only(book, "extra-column").message == (
        "Cột 'Địa chỉ' không thuộc mẫu báo cáo nên đã được bỏ qua."
    )


def personal_admissions() -> Sheets:
    sheets = valid_return()
    header, row = sheets["Admissions"]
    sheets["Admissions"] = [
        [header[0], "Họ và tên", *header[1:], "Số CCCD"],
        [row[0], "Nguyễn Văn Bình", *row[1:], "001203004567"],
    ]
    return sheets


def test_personal_data_column_is_dropped_with_a_warning(tmp_path):
    book = write_and_read(tmp_path, personal_admissions())

    assert found(book) == [
        ("Admissions", 1, None, "B1", "personal-data-dropped"),
        ("Admissions", 1, None, "K1", "personal-data-dropped"),
    ]
    assert {p.severity for p in book.problems} == {"warning"}
    assert "'Họ và tên'" in book.problems[0].message
    assert "Delete the column" in book.problems[0].message
    admissions = book.sheets["Admissions"]
    assert list(admissions.columns) == [
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
    ((row, values),) = admissions.rows
    assert row == 2
    assert "Nguyễn Văn Bình" not in values
    assert "001203004567" not in values
    assert values[0] == "CB01"
    assert values[2] == "Nữ"  # the columns after the dropped one are still aligned


def test_personal_data_message_in_vietnamese(tmp_path):
    book = write_and_read(tmp_path, personal_admissions(), lang="vi")

    assert book.problems[0].message == (
        "Cột 'Họ và tên' chứa thông tin cá nhân, báo cáo không được có thông tin này; cột đã "
        "bị bỏ qua. Hãy xóa cột này."
    )


def test_personal_data_values_are_not_kept_anywhere(tmp_path):
    # not even in the grid that the feedback workbook copies
    book = write_and_read(tmp_path, personal_admissions())

    kept = [v for row in book.sheets["Admissions"].grid for v in row]
    assert "Nguyễn Văn Bình" not in kept
    assert "001203004567" not in kept


def test_missing_sheet(tmp_path):
    sheets = valid_return()
    del sheets["Meetings"]

    book = write_and_read(tmp_path, sheets)

    assert found(book) == [("Meetings", None, None, None, "missing-sheet")]
    problem = only(book, "missing-sheet")
    assert problem.severity == "error"
    assert "The sheet 'Meetings' is missing" in problem.message
    assert "Info, Cells, Meetings and Admissions" in problem.message
    assert "Meetings" not in book.sheets


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "The column 'cell_type' is missing from the header row (searched in the first 15 "
            "rows). Add it with that header.",
        ),
        (
            "vi",
            "Thiếu cột 'Loại hình' trong dòng tiêu đề (tìm trong 15 dòng đầu). Hãy thêm cột với "
            "tiêu đề đó.",
        ),
    ],
)
def test_missing_column(tmp_path, lang, expected):
    sheets = valid_return()
    sheets["Cells"] = [row[:2] + row[3:] for row in sheets["Cells"]]

    book = write_and_read(tmp_path, sheets, lang=lang)

    assert found(book) == [("Cells", 1, "cell_type", None, "missing-column")]
    assert only(book, "missing-column").message == expected
    assert "cell_type" not in book.sheets["Cells"].columns
    assert [row for row, _ in values_of(book, "Cells")] == [2, 3]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "'submitted_on' is missing: write it in the first column and its value in the next "
            "one.",
        ),
        ("vi", "Thiếu mục 'Ngày báo cáo': ghi tên mục ở cột đầu và giá trị ở cột bên cạnh."),
    ],
)
def test_missing_info_key(tmp_path, lang, expected):
    sheets = valid_return()
    sheets["Info"] = [pair for pair in sheets["Info"] if pair[0] != "submitted_on"]

    book = write_and_read(tmp_path, sheets, lang=lang)

    assert found(book) == [("Info", None, "submitted_on", None, "missing-info")]
    assert only(book, "missing-info").message == expected


def test_optional_info_key_may_be_absent(tmp_path):
    sheets = valid_return()
    sheets["Info"] = [p for p in sheets["Info"] if p[0] not in ("prepared_by", "commune_name")]

    book = write_and_read(tmp_path, sheets)

    assert found(book) == []
    assert list(book.sheets["Info"].columns) == ["commune_code", "period", "submitted_on"]


# --- files that are not workbooks --------------------------------------------------------


def real_xlsx(tmp_path: Path) -> bytes:
    return write_workbook(tmp_path / "source" / "real.xlsx", valid_return()).read_bytes()


def rewritten(data: bytes, member: str, change) -> bytes:
    """The same zip with one member's bytes changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info, change(body) if info.filename == member else body)
    return out.getvalue()


def plain_zip(_: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("bao-cao/readme.txt", "Báo cáo quý III")
        archive.writestr("bao-cao/data.csv", "Mã xã,Tên xã\n06253,Xã A\n")
    return out.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS = "Open it in Excel and use Save As → Excel Workbook (.xlsx), then send it again."
SAVE_AS_VI = "Mở tệp bằng Excel, chọn Lưu thành → Sổ làm việc Excel (.xlsx) rồi gửi lại."


def html(_: bytes) -> bytes:
    return (
        b"<html><head><meta charset='utf-8'></head><body><table><tr><td>M\xc3\xa3 x\xc3\xa3"
        b"</td><td>06253</td></tr></table></body></html>"
    )


def with_doctype(member: str, declaration: bytes):
    return lambda data: rewritten(data, member, lambda body: declaration + body)


NOT_WORKBOOKS = [
    # id, file name, bytes (from a real xlsx's bytes), rule, the message says (en), (vi)
    (
        "empty",
        "bao-cao.xlsx",
        lambda _: b"",
        "empty-file",
        ["empty (0 bytes)", "Send the return workbook again"],
        ["Tệp rỗng", "gửi lại"],
    ),
    (
        "csv-saved-as-xlsx",
        "bao-cao.xlsx",
        lambda _: "Mã xã,Tên xã,Kỳ báo cáo\n06253,Xã Thử Nghiệm,2026-Q3\n".encode(),
        "not-a-workbook",
        ["not an Excel workbook", "CSV", SAVE_AS],
        ["không phải sổ làm việc Excel", "CSV", SAVE_AS_VI],
    ),
    (
        "html-saved-as-xls",
        "bao-cao.xls",
        html,
        "not-a-workbook",
        ["not an Excel workbook", "web page (HTML)", SAVE_AS],
        ["không phải sổ làm việc Excel", "HTML", SAVE_AS_VI],
    ),
    (
        "html-with-bom-and-doctype",
        "bao-cao.xls",
        lambda _: b"\xef\xbb\xbf\r\n<!DOCTYPE html>\n<html><body>x</body></html>",
        "not-a-workbook",
        ["web page (HTML)", SAVE_AS],
        ["HTML", SAVE_AS_VI],
    ),
    (
        "zip-not-a-workbook",
        "bao-cao.xlsx",
        plain_zip,
        "not-a-workbook",
        ["not an Excel workbook", "ZIP", SAVE_AS],
        ["không phải sổ làm việc Excel", "ZIP", SAVE_AS_VI],
    ),
    (
        "truncated-xlsx",
        "bao-cao.xlsx",
        lambda data: data[: len(data) // 2],
        "damaged-file",
        ["damaged and cannot be read", SAVE_AS],
        ["Tệp bị hỏng", SAVE_AS_VI],
    ),
    (
        "doctype-in-workbook-xml",
        "bao-cao.xlsx",
        with_doctype(
            "xl/workbook.xml", b'<?xml version="1.0"?>\n<!DOCTYPE workbook [<!ENTITY a "a">]>\n'
        ),
        "unsafe-file",
        ["content Excel never writes", "document type declaration", SAVE_AS],
        ["Excel không bao giờ tạo ra", SAVE_AS_VI],
    ),
    (
        "doctype-in-a-sheet",
        "bao-cao.xlsx",
        with_doctype("xl/worksheets/sheet2.xml", b"<!doctype worksheet>"),
        "unsafe-file",
        ["document type declaration", SAVE_AS],
        ["Excel không bao giờ tạo ra", SAVE_AS_VI],
    ),
    (
        "entity-in-content-types",
        "bao-cao.xlsx",
        with_doctype("[Content_Types].xml", b'<!ENTITY x SYSTEM "file:///etc/passwd">'),
        "unsafe-file",
        ["content Excel never writes", SAVE_AS],
        ["Excel không bao giờ tạo ra", SAVE_AS_VI],
    ),
    (
        "password-protected",
        "bao-cao.xlsx",
        lambda _: OLE2 + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(1024),
        "password-protected",
        ["protected by a password", "Remove the password", "send it again"],
        ["mật khẩu", "Gỡ mật khẩu", "gửi lại"],
    ),
    (
        "ole2-without-encryption-is-damaged-not-protected",
        "bao-cao.xls",
        lambda _: OLE2 + bytes(2048),
        "damaged-file",
        ["damaged and cannot be read", SAVE_AS],
        ["Tệp bị hỏng", SAVE_AS_VI],
    ),
]


def write_case(tmp_path: Path, case_id: str) -> Path:
    _, name, make, *_ = next(case for case in NOT_WORKBOOKS if case[0] == case_id)
    path = tmp_path / "raw" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(make(real_xlsx(tmp_path)))
    return path


@pytest.mark.parametrize(
    ("case_id", "rule", "says"),
    [pytest.param(case[0], case[3], case[4], id=case[0]) for case in NOT_WORKBOOKS],
)
def test_not_a_workbook_is_one_file_problem_that_says_what_to_do(tmp_path, case_id, rule, says):
    path = write_case(tmp_path, case_id)

    book = read(path)

    assert found(book) == [(None, None, None, None, rule)]
    (problem,) = book.problems
    assert problem.file_name == path.name
    assert problem.severity == "error"
    for text in says:
        assert text in problem.message
    assert book.sheets == {}


@pytest.mark.parametrize(
    ("case_id", "rule", "says"),
    [pytest.param(case[0], case[3], case[5], id=case[0]) for case in NOT_WORKBOOKS],
)
def test_not_a_workbook_message_in_vietnamese(tmp_path, case_id, rule, says):
    path = write_case(tmp_path, case_id)
    (english,) = read(path, lang="en").problems

    (problem,) = read(path, lang="vi").problems

    assert problem.rule == rule
    for text in says:
        assert text in problem.message
    # Nothing of the English message leaks into the Vietnamese one (the finding in brackets
    # was once pasted in English: "(đây là a web page (HTML))").
    if english.value:
        assert english.value not in problem.message


def test_file_over_20_mb_is_refused_before_opening(tmp_path):
    path = tmp_path / "huge.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(MAX_FILE_BYTES))

    book = read(path)

    assert found(book) == [(None, None, None, None, "file-too-large")]
    assert "larger than 20 MB" in book.problems[0].message


@pytest.mark.parametrize(
    ("case_id", "expected"),
    [
        ("empty", "Tệp rỗng (0 byte). Vui lòng gửi lại tệp báo cáo."),
        (
            "password-protected",
            "Tệp được đặt mật khẩu. Gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc), lưu lại "
            "rồi gửi lại.",
        ),
    ],
)
def test_file_problems_in_vietnamese_exactly(tmp_path, case_id, expected):
    book = read(write_case(tmp_path, case_id), lang="vi")

    assert [p.message for p in book.problems] == [expected]


@pytest.mark.parametrize("name", ["bao-cao.xls", "bao-cao.ods", "bao-cao.csv", "bao-cao"])
def test_format_is_recognised_from_content_not_extension(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(real_xlsx(tmp_path))

    book = read(path)

    assert found(book) == []
    assert book.file_name == name
    assert values_of(book, "Cells") == [
        (2, ["CB01", "Chi bộ CB01", "Thôn", 10, 2, 2026]),
        (3, ["CB02", "Chi bộ CB02", "Thôn", 20, 0, 2025]),
    ]
