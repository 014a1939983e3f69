"""Return templates: what a commune receives, and that a filled template is accepted as it is."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from babel.messages.pofile import read_po

from pipeline.labels import LOCALES
from pipeline.prefill import default_period, write_templates
from pipeline.reference import load_reference
from pipeline.run import Options, ingest, report
from pipeline.values import fold, label_index, period
from schemas.value_lists import VALUE_LISTS
from tests.factory import edited, valid_return, with_assignments, write_reference, write_workbook

COMMUNES = [("06253", "Xã Thử Nghiệm", "Cụm A"), ("00101", "Phường Hòa Bình", None)]
CELLS_VI = [
    "Mã chi bộ",
    "Tên chi bộ",
    "Loại hình",
    "Đảng viên chính thức",
    "Đảng viên dự bị",
    "Năm kết nạp gần nhất",
    "Cấp ủy viên phụ trách",
]
MEETINGS_VI = [
    "Mã chi bộ",
    "Tháng",
    "Sinh hoạt định kỳ",
    "Ngày sinh hoạt",
    "Số đảng viên dự",
    "Sinh hoạt chuyên đề",
    "Cán bộ cấp trên dự",
    "Cấp ủy phụ trách dự",
    "Xếp loại",
]
ADMISSIONS_VI = [
    "Mã chi bộ",
    "Ngày kết nạp",
    "Giới tính",
    "Năm sinh",
    "Dân tộc",
    "Tôn giáo",
    "Nghề nghiệp",
    "Trình độ học vấn",
    "Đoàn thể giới thiệu",
]
SHEETS_VI = ["Hướng dẫn", "Thông tin", "Chi bộ", "Sinh hoạt", "Kết nạp", "Danh mục"]


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Options:
    """06253 reported 2026-Q1, Q2 and Q4; 00101 never reported. Warehouse built by ``report``."""
    root = tmp_path_factory.mktemp("province")
    options = Options(raw=root / "raw", reference=root / "reference", out=root / "out")
    write_reference(options.reference, communes=COMMUNES)
    q1 = valid_return(quarter=1, cells=[("CB01", 10, 2), ("CB02", 20, 0)], admissions=0)
    q2 = valid_return(quarter=2, cells=[("CB01", 11, 3), ("CB02", 21, 1), ("CB03", 5, 0)])
    # CB01 admitted in Q2 and left the year blank, as SPEC allows: the template still knows 2026
    q2 = edited(q2, "Cells", 2, "last_admission_year", None)
    q4 = valid_return(quarter=4, cells=[("CB09", 7, 0)], admissions=0)
    for name, sheets in (("q1", q1), ("q2", q2), ("q4", q4)):
        write_workbook(options.raw / f"{name}.xlsx", sheets)
    outcome = report(options)  # 2026-Q4: the summary counts its files, and the others apart
    assert (outcome.accepted, outcome.rejected, outcome.other_quarters) == (1, 0, 2)
    return options


@pytest.fixture(scope="module")
def templates(province, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates") / "2026-Q3"
    reference = load_reference(province.reference)
    paths = write_templates(reference, province.out / "warehouse.duckdb", folder, (2026, 3), "vi")
    return {p.name: p for p in paths}


def rows(sheet) -> list[tuple]:
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]


def info_pairs(sheet) -> dict[str, object]:
    return {r[0]: r[1] for r in rows(sheet) if r[0] is not None}


def validations(sheet) -> dict[str, object]:
    """Column letter -> the data validation covering that column's data rows."""
    out = {}
    for dv in sheet.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            out[cell_range.coord.split(":")[0].rstrip("0123456789")] = dv
    return out


def list_values(book, formula: str) -> list[str]:
    """The labels a list validation offers (a range of the hidden lists sheet)."""
    sheet, cells = formula.rsplit("!", 1)
    return [c.value for (c,) in book[sheet.strip("'")][cells.replace("$", "")]]


def excel_date(serial: str) -> dt.date:
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))


def test_one_template_per_commune_named_by_code_and_slug(templates):
    assert list(templates) == ["00101-phuong-hoa-binh.xlsx", "06253-xa-thu-nghiem.xlsx"]
    book = openpyxl.load_workbook(templates["06253-xa-thu-nghiem.xlsx"])
    assert book.sheetnames == SHEETS_VI
    assert [s.sheet_state for s in book] == ["visible"] * 5 + ["hidden"]
    assert book.active.title == "Hướng dẫn"


def test_info_is_prefilled_with_commune_and_period(templates):
    book = openpyxl.load_workbook(templates["06253-xa-thu-nghiem.xlsx"])
    info = info_pairs(book["Thông tin"])
    assert info["Mã xã"] == "06253"
    assert info["Tên xã"] == "Xã Thử Nghiệm"
    assert info["Kỳ báo cáo"] == "Quý 3/2026"
    assert period(info["Kỳ báo cáo"]) == (2026, 3)
    assert info["Ngày báo cáo"] is None and info["Người lập"] is None
    submitted = next(
        dv for dv in book["Thông tin"].data_validations.dataValidation if "B6" in dv.sqref
    )
    assert book["Thông tin"]["A6"].value == "Ngày báo cáo"
    assert submitted.type == "date" and excel_date(submitted.formula1) == dt.date(2026, 7, 1)


def test_cells_come_from_the_latest_accepted_return_up_to_the_period(templates):
    book = openpyxl.load_workbook(templates["06253-xa-thu-nghiem.xlsx"])
    # Q2 (not Q1, not the later Q4); CB01's blank year comes back from its Q2 admission
    assert rows(book["Chi bộ"]) == [
        tuple(CELLS_VI),
        ("CB01", "Chi bộ CB01", "Thôn, bản, tổ dân phố", 11, 3, 2026, None),
        ("CB02", "Chi bộ CB02", "Thôn, bản, tổ dân phố", 21, 1, 2025, None),
        ("CB03", "Chi bộ CB03", "Thôn, bản, tổ dân phố", 5, 0, 2025, None),
    ]
    text = "\n".join(str(r[0]) for r in rows(book["Hướng dẫn"]))
    assert "quý 2/2026" in text  # where the cells come from
    assert "10/10/2026" in text  # deadline: quarter end + 10 days


def test_meetings_have_a_row_per_cell_and_month_and_admissions_only_headers(templates):
    book = openpyxl.load_workbook(templates["06253-xa-thu-nghiem.xlsx"])
    meetings = rows(book["Sinh hoạt"])
    assert meetings[0] == tuple(MEETINGS_VI)
    assert [r[:2] for r in meetings[1:]] == [
        (cell, month) for cell in ("CB01", "CB02", "CB03") for month in (7, 8, 9)
    ]
    assert all(v is None for r in meetings[1:] for v in r[2:])
    assert rows(book["Kết nạp"]) == [tuple(ADMISSIONS_VI)]


def test_a_commune_without_history_gets_empty_tables(templates):
    book = openpyxl.load_workbook(templates["00101-phuong-hoa-binh.xlsx"])
    assert info_pairs(book["Thông tin"])["Tên xã"] == "Phường Hòa Bình"
    assert rows(book["Chi bộ"]) == [tuple(CELLS_VI)]
    assert rows(book["Sinh hoạt"]) == [tuple(MEETINGS_VI)]


def test_dropdowns_offer_only_labels_the_reader_accepts(templates):
    book = openpyxl.load_workbook(templates["06253-xa-thu-nghiem.xlsx"])
    expected = {
        ("Chi bộ", "C"): "cell_type",
        ("Sinh hoạt", "C"): "boolean",
        ("Sinh hoạt", "F"): "boolean",
        ("Kết nạp", "C"): "sex",
        ("Kết nạp", "G"): "occupation",
        ("Kết nạp", "H"): "education",
        ("Kết nạp", "I"): "referred_by",
        ("Sinh hoạt", "H"): "boolean",
        ("Sinh hoạt", "I"): "meeting_rating",
    }
    for (sheet, column), name in expected.items():
        dv = validations(book[sheet])[column]
        assert dv.type == "list", (sheet, column)
        assert str(dv.sqref) == f"{column}2:{column}501"
        offered = list_values(book, dv.formula1)
        index = label_index(VALUE_LISTS[name])
        # every code of the list can be picked, and nothing the reader would refuse
        assert {index[fold(label)] for label in offered} == set(VALUE_LISTS[name]), name
    assert list_values(book, validations(book["Sinh hoạt"])["C"].formula1) == ["Có", "Không"]
    assert list_values(book, validations(book["Kết nạp"])["C"].formula1) == ["Nam", "Nữ"]
    assert "Đại học" in list_values(book, validations(book["Kết nạp"])["H"].formula1)
    # cell codes: picked among those of the Cells sheet
    for sheet in ("Sinh hoạt", "Kết nạp"):
        dv = validations(book[sheet])["A"]
        assert dv.type == "list" and "'Chi bộ'!$A$2" in dv.formula1


def test_numbers_and_dates_are_validated_within_spec_ranges(templates):
    book = openpyxl.load_workbook(templates["06253-xa-thu-nghiem.xlsx"])
    cells, meetings, admissions = (validations(book[s]) for s in ("Chi bộ", "Sinh hoạt", "Kết nạp"))

    def whole(dv) -> tuple:
        assert dv.type == "whole"
        return dv.operator, dv.formula1, dv.formula2

    assert whole(cells["D"]) == ("greaterThanOrEqual", "0", None)
    assert whole(cells["E"]) == ("greaterThanOrEqual", "0", None)
    assert whole(cells["F"]) == (None, "1930", "2026")  # "between" is the default operator
    assert whole(meetings["B"]) == (None, "7", "9")
    assert whole(meetings["E"]) == ("greaterThanOrEqual", "0", None)
    assert whole(meetings["G"]) == ("greaterThanOrEqual", "0", None)
    assert whole(admissions["D"]) == (None, "1900", "2008")  # 18 at admission
    assert admissions["B"].type == "date"
    assert excel_date(admissions["B"].formula1) == dt.date(2026, 7, 1)
    assert excel_date(admissions["B"].formula2) == dt.date(2026, 9, 30)
    assert meetings["D"].type == "custom"
    assert "MONTH(D2)=$B2" in meetings["D"].formula1 and "DATE(2026,10,1)" in meetings["D"].formula1


def test_headers_locked_data_unlocked_and_panes_frozen(templates):
    book = openpyxl.load_workbook(templates["06253-xa-thu-nghiem.xlsx"])
    for name in ("Chi bộ", "Sinh hoạt", "Kết nạp"):
        sheet = book[name]
        assert sheet.freeze_panes == "B2"
        assert sheet.protection.sheet
        # False means "not protected": clerks may add and remove rows
        assert not sheet.protection.insertRows and not sheet.protection.deleteRows
        assert sheet.protection.insertColumns  # but not shift the headers
        assert sheet["A1"].protection.locked
        assert all(not d.protection.locked for d in sheet.column_dimensions.values())
        # data rows unlocked end to end: Excel deletes only rows without a locked cell
        assert sheet.row_dimensions[1].protection.locked
        assert not any(sheet.row_dimensions[r].protection.locked for r in (2, 250, 501))
        assert all(d.width >= 12 for d in sheet.column_dimensions.values())
    assert not book["Sinh hoạt"]["A2"].protection.locked
    info = book["Thông tin"]
    assert info.protection.sheet and info["A3"].protection.locked
    assert not info.column_dimensions["B"].protection.locked


def test_templates_are_byte_identical_on_rerun(province, templates, tmp_path):
    reference = load_reference(province.reference)
    again = write_templates(
        reference, province.out / "warehouse.duckdb", tmp_path / "again", (2026, 3), "vi"
    )
    for path in again:
        assert path.read_bytes() == templates[path.name].read_bytes(), path.name


def test_without_a_warehouse_every_commune_gets_empty_tables(province, tmp_path):
    reference = load_reference(province.reference)
    paths = write_templates(reference, None, tmp_path, (2026, 4), "vi")
    assert len(paths) == 2
    for path in paths:
        book = openpyxl.load_workbook(path)
        assert rows(book["Chi bộ"]) == [tuple(CELLS_VI)]
        assert info_pairs(book["Thông tin"])["Kỳ báo cáo"] == "Quý 4/2026"


def test_default_period_is_the_quarter_after_the_latest_return(province, tmp_path):
    assert default_period(province.out / "warehouse.duckdb") == (2027, 1)
    assert default_period(tmp_path / "none.duckdb") is None


def fill(path: Path, lang: str) -> Path:
    """Fill a template as a clerk would, picking values from its own dropdowns."""
    book = openpyxl.load_workbook(path)
    names = dict(
        zip(("Info", "Cells", "Meetings", "Admissions"), book.sheetnames[1:5], strict=True)
    )
    info = book[names["Info"]]
    for row in info.iter_rows(min_row=1):
        if row[0].value in ("Ngày báo cáo", "submitted_on"):
            row[1].value = dt.datetime(2026, 10, 5)
        if row[0].value in ("Người lập", "prepared_by"):
            row[1].value = "Nguyễn Thị Lan"

    def pick(sheet: str, column: str, name: str, code: str) -> str:
        """The first label of the column's dropdown that means ``code``."""
        offered = list_values(book, validations(book[names[sheet]])[column].formula1)
        return next(
            label for label in offered if label_index(VALUE_LISTS[name])[fold(label)] == code
        )

    members = {
        r[0]: r[3] + r[4] for r in book[names["Cells"]].iter_rows(min_row=2, values_only=True)
    }
    meetings = book[names["Meetings"]]
    for r, (code, month, *_) in enumerate(meetings.iter_rows(min_row=2, values_only=True), 2):
        if (code, month) == ("CB03", 9):  # not held: date and attendees stay blank
            meetings[f"C{r}"] = pick("Meetings", "C", "boolean", "false")
            continue
        meetings[f"C{r}"] = pick("Meetings", "C", "boolean", "true")
        meetings[f"D{r}"] = dt.datetime(2026, month, 12)
        meetings[f"E{r}"] = members[code]
        meetings[f"F{r}"] = pick("Meetings", "F", "boolean", str(month == 8).lower())
        if code == "CB01":
            meetings[f"G{r}"] = 2  # others blank: 0
    admissions = book[names["Admissions"]]
    admissions.append(
        [
            "CB01",
            dt.datetime(2026, 8, 20),
            pick("Admissions", "C", "sex", "female"),
            1995,
            "Tày",
            None,
            pick("Admissions", "G", "occupation", "agriculture"),
            pick("Admissions", "H", "education", "higher"),
            pick("Admissions", "I", "referred_by", "women_union"),
        ]
    )
    book.save(path)
    return path


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_filled_template_is_accepted_without_any_problem(province, tmp_path, lang):
    reference = load_reference(province.reference)
    folder = tmp_path / "templates"
    write_templates(reference, province.out / "warehouse.duckdb", folder, (2026, 3), lang)
    raw = tmp_path / "raw"
    raw.mkdir()
    returned = raw / "06253-q3.xlsx"
    shutil.copy(folder / "06253-xa-thu-nghiem.xlsx", returned)
    fill(returned, lang)

    _, validated = ingest(raw, reference, lang)

    assert [(p.severity, p.rule, p.sheet, p.cell) for p in validated.problems] == []
    files = validated.files
    assert files["accepted"].tolist() == [True]
    assert (files["commune_code"].tolist(), files["year"].tolist()) == (["06253"], [2026])
    meetings = validated.sheets["Meetings"]
    assert len(meetings) == 9 and int(meetings["regular_meeting"].sum()) == 8
    assert int(meetings["thematic_meeting"].sum()) == 3
    assert int(meetings["higher_level_attendees"].fillna(0).sum()) == 6
    admission = validated.sheets["Admissions"].iloc[0]
    assert admission[["sex", "occupation", "education", "referred_by"]].tolist() == [
        "female",
        "agriculture",
        "higher",
        "women_union",
    ]
    assert admission["ethnicity"] == "Tày"
    cells = validated.sheets["Cells"]
    assert cells["cell_type"].tolist() == ["village"] * 3


def test_english_template_uses_canonical_names(province, tmp_path):
    reference = load_reference(province.reference)
    paths = write_templates(reference, province.out / "warehouse.duckdb", tmp_path, (2026, 3), "en")
    book = openpyxl.load_workbook(paths[1])
    assert book.sheetnames == ["Instructions", "Info", "Cells", "Meetings", "Admissions", "Lists"]
    assert info_pairs(book["Info"])["period"] == "2026-Q3"
    assert rows(book["Cells"])[1] == ("CB01", "Chi bộ CB01", "village", 11, 3, 2026, None)
    assert list_values(book, validations(book["Meetings"])["C"].formula1) == ["Yes", "No"]


def catalog_patterns(lang: str) -> list[re.Pattern]:
    """Each text of the gettext catalog (the Vietnamese translation, or the English msgid) as
    a pattern whose placeholders match a value put in: short, without sentence punctuation."""
    with (LOCALES / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    texts = [m.string if lang == "vi" else m.id for m in catalog if m.id]
    return [
        re.compile(r"[^.;«»]{1,40}".join(map(re.escape, re.split(r"%\(\w+\)s", text))))
        for text in texts
    ]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_words_a_clerk_reads_are_the_catalogs(province, tmp_path, lang):
    """Instructions, input messages and titles are translated texts, not the module's own."""
    reference = load_reference(province.reference)
    paths = write_templates(reference, province.out / "warehouse.duckdb", tmp_path, (2026, 3), lang)
    book = openpyxl.load_workbook(paths[1])
    instructions = [r[0] for r in rows(book.worksheets[0]) if r[0] is not None]
    value_lists = "Danh mục giá trị" if lang == "vi" else "Value lists"
    texts = instructions[: instructions.index(value_lists) + 1]  # then "• header: labels"
    for sheet in book.worksheets[1:5]:
        for dv in sheet.data_validations.dataValidation:
            texts += [dv.prompt, dv.errorTitle]
    assert len(texts) > 60
    patterns = catalog_patterns(lang)
    assert [t for t in texts if not any(p.fullmatch(t) for p in patterns)] == []
    # what the instructions quote is a sheet of the workbook or a dropdown's Yes or No
    quoted = set(re.findall(r"«(.*?)»", "\n".join(instructions)))
    yes_no = list_values(book, validations(book.worksheets[3])["C"].formula1)
    assert quoted <= {*book.sheetnames, *yes_no}


def test_the_assigned_member_is_prefilled_and_the_new_columns_have_dropdowns(tmp_path):
    options = Options(raw=tmp_path / "raw", reference=tmp_path / "ref", out=tmp_path / "out")
    write_reference(options.reference)
    sheets = with_assignments(valid_return(), {"CB01": "Lê Văn Tâm"}, {("CB01", 7): "x"})
    write_workbook(options.raw / "q3.xlsx", sheets)
    report(options)
    reference = load_reference(options.reference)
    [path] = write_templates(reference, options.out / "warehouse.duckdb", tmp_path, (2026, 4), "vi")
    book = openpyxl.load_workbook(path)
    assert [r[6] for r in rows(book["Chi bộ"])] == ["Cấp ủy viên phụ trách", "Lê Văn Tâm", None]
    meetings = validations(book["Sinh hoạt"])
    assert list_values(book, meetings["H"].formula1) == ["Có", "Không"]
    assert list_values(book, meetings["I"].formula1) == [
        "Tốt",
        "Khá",
        "Trung bình",
        "TB",
        "Kém",
        "Yếu",
    ]
    text = "\n".join(str(r[0]) for r in rows(book["Hướng dẫn"]))
    assert "Cấp ủy viên phụ trách" in text and "Xếp loại" in text
