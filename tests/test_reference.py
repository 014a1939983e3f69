"""Reference data is checked like returns (SPEC §2): every problem named by file and line.

Each case writes a real reference folder (CSV as text, so that line numbers are those a
text editor shows; XLSX with openpyxl or xlsxwriter; province.toml as text), loads it,
and compares the problems found as ``(file, sheet, line, column, rule)`` with a literal
list, in both languages.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from pipeline.problems import REFERENCE_CODES, placeholders
from pipeline.reference import MAX_LISTED, ReferenceError, load_reference
from pipeline.run import report
from tests.factory import valid_return, write_reference, write_workbook

ROOT = Path(__file__).resolve().parent.parent
COMMUNES = "commune_code,commune_name,cluster\n06253,Xã Thử Nghiệm,Cụm A\n06254,Xã Hai,\n"
TARGETS = "commune_code,year,admissions_target\n06253,2026,8\n06254,2026,5\n"
REFERRALS = "commune_code,year,referred_by,referrals_target\n06253,2026,youth_union,2\n"
SETTINGS = 'province_name = "Tỉnh Thử"\ndeadline_days = 10\nstale_years = 3\nlanguage = "en"\n'

Files = dict[str, str | bytes | Callable[[Path], None] | None]  # None: no such file


def folder_with(root: Path, files: Files) -> Path:
    """A reference folder: the good files above, with ``files`` replacing or removing some."""
    folder = root / "reference"
    folder.mkdir(parents=True)
    good: Files = {
        "communes.csv": COMMUNES,
        "targets.csv": TARGETS,
        "referral_targets.csv": REFERRALS,
        "province.toml": SETTINGS,
    }
    for name, content in {**good, **files}.items():
        if content is None:
            continue
        if isinstance(content, str):
            (folder / name).write_text(content, encoding="utf-8")
        elif isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            content(folder / name)
    return folder


def problems_of(folder: Path, lang: str | None = None) -> list[tuple]:
    with pytest.raises(ReferenceError) as raised:
        load_reference(folder, lang)
    return [(Path(p.file).name, p.sheet, p.line, p.column, p.rule) for p in raised.value.problems]


def openpyxl_sheet(title: str, rows: list[list]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = title
        for row in rows:
            sheet.append(row)
        book.save(path)

    return write


def xlsxwriter_sheet(title: str, rows: list[list]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with xlsxwriter.Workbook(path) as book:
            sheet = book.add_worksheet(title)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is not None:
                        sheet.write(r, c, value)

    return write


C, T, R, P = "communes.csv", "targets.csv", "referral_targets.csv", "province.toml"

# id, files, expected problems (file, sheet, line, column, rule)
CASES = [
    # --- how the lines are written ---------------------------------------------------------
    (
        "delimiter/one-line-with-semicolons",
        {C: COMMUNES + "06255;Xã Ba;Cụm B\n"},
        [(C, None, 4, None, "reference-delimiter")],
    ),
    (
        "delimiter/whole-file-with-semicolons",
        {C: COMMUNES.replace(",", ";")},
        [(C, None, 1, None, "reference-delimiter")],
    ),
    (
        "delimiter/tabs",
        {T: TARGETS.replace(",", "\t")},
        [(T, None, 1, None, "reference-delimiter")],
    ),
    (
        "missing-column/header",
        {C: "commune_code,cluster\n06253,Cụm A\n06254,\n"},
        [(C, None, 1, "commune_name", "reference-missing-column")],
    ),
    (
        "missing-column/header-of-targets",
        {T: "commune_code,year\n06253,2026\n"},
        [(T, None, 1, "admissions_target", "reference-missing-column")],
    ),
    (
        "field-count/a-line-with-a-missing-column",
        {T: TARGETS + "06253,2027\n"},
        [(T, None, 4, None, "reference-field-count")],
    ),
    (
        "field-count/an-unquoted-comma",
        {C: COMMUNES + "06255,Phường Một, Hai,Cụm B\n"},
        [(C, None, 4, None, "reference-field-count")],
    ),
    (
        "empty-file/zero-bytes",
        {C: ""},
        [(C, None, None, None, "reference-empty-file")],
    ),
    (
        "no-communes/header-only",
        {C: "commune_code,commune_name,cluster\n", T: "commune_code,year,admissions_target\n"},
        [(C, None, None, None, "reference-no-communes")],
    ),
    (
        "not-utf8/windows-1258",
        {C: COMMUNES.encode() + "06255,Xa\u0303 Đông,\n".encode("cp1258")},  # as Windows saves
        [(C, None, 4, None, "reference-not-utf8")],
    ),
    # --- values --------------------------------------------------------------------------
    (
        "duplicate-commune",
        {C: COMMUNES + "06253,Xã Thử Nghiệm (lặp),\n"},
        [(C, None, 4, "commune_code", "reference-duplicate-commune")],
    ),
    (
        "bad-code/six-digits",
        {C: COMMUNES + "062550,Xã Ba,\n"},
        [(C, None, 4, "commune_code", "reference-bad-code")],
    ),
    (
        "bad-code/letters",
        {T: TARGETS + "O6253,2027,3\n"},  # a letter O for a zero
        [(T, None, 4, "commune_code", "reference-bad-code")],
    ),
    (
        "required/commune_name",
        {C: COMMUNES + "06255,,Cụm B\n"},
        [(C, None, 4, "commune_name", "reference-required")],
    ),
    (
        "bad-text/control-character",
        {C: COMMUNES + "06255,Xã\x07Ba,\n"},
        [(C, None, 4, "commune_name", "reference-bad-text")],
    ),
    (
        "not-whole-number/target",
        {T: TARGETS + "06253,2027,8.5\n"},
        [(T, None, 4, "admissions_target", "reference-not-whole-number")],
    ),
    (
        "too-large/target",
        {T: TARGETS + "06253,2027,10000000000\n"},
        [(T, None, 4, "admissions_target", "reference-too-large")],
    ),
    (
        "negative/target",
        {T: TARGETS + "06253,2027,-2\n"},
        [(T, None, 4, "admissions_target", "reference-negative")],
    ),
    (
        "negative/referral-target",
        {R: REFERRALS + "06254,2026,women_union,-1\n"},
        [(R, None, 3, "referrals_target", "reference-negative")],
    ),
    (
        "bad-year/two-digits",
        {T: TARGETS + "06253,26,8\n"},
        [(T, None, 4, "year", "reference-bad-year")],
    ),
    (
        "bad-year/fraction-and-words",
        {T: TARGETS + "06253,2026.5,8\n06254,năm 2027,5\n"},
        [(T, None, 4, "year", "reference-bad-year"), (T, None, 5, "year", "reference-bad-year")],
    ),
    (
        "bad-year/referral",
        {R: REFERRALS + "06253,20260,women_union,1\n"},
        [(R, None, 3, "year", "reference-bad-year")],
    ),
    (
        "not-in-list/referred_by",
        {R: REFERRALS + "06253,2026,Hội Người cao tuổi,1\n"},
        [(R, None, 3, "referred_by", "reference-not-in-list")],
    ),
    (
        "required/referred_by",
        {R: REFERRALS + "06253,2026,,1\n"},
        [(R, None, 3, "referred_by", "reference-required")],
    ),
    (
        "unknown-commune/target",
        {T: TARGETS + "06299,2026,4\n"},
        [(T, None, 4, "commune_code", "reference-unknown-commune")],
    ),
    (
        "unknown-commune/referral-target",
        {R: REFERRALS + "06299,2026,women_union,2\n"},
        [(R, None, 3, "commune_code", "reference-unknown-commune")],
    ),
    (
        "duplicate-target",
        {T: TARGETS + "6253,2026,9\n"},  # 6253 is 06253
        [(T, None, 4, "commune_code", "reference-duplicate-target")],
    ),
    (
        "duplicate-referral/label-and-code",
        {R: REFERRALS + "06253,2026,Đoàn Thanh niên,3\n"},
        [(R, None, 3, "commune_code", "reference-duplicate-referral")],
    ),
    # --- the files -----------------------------------------------------------------------
    (
        "file-missing/targets",
        {T: None},
        [("reference", None, None, None, "reference-file-missing")],
    ),
    (
        "two-files/communes",
        {"communes.xlsx": openpyxl_sheet("Xã", [["commune_code", "commune_name"]])},
        [("reference", None, None, None, "reference-two-files")],
    ),
    (
        "unreadable/xlsx",
        {C: None, "communes.xlsx": b"PK\x03\x04 not really a workbook"},
        [("communes.xlsx", None, None, None, "reference-unreadable")],
    ),
    # --- workbooks: the sheet and the Excel row ---------------------------------------------
    (
        "xlsx/duplicate-and-bad-code",
        {
            C: None,
            "communes.xlsx": openpyxl_sheet(
                "Danh sách xã",
                [
                    ["Commune Code", "Commune Name", "Cluster"],
                    [6253, "Xã Thử Nghiệm", "Cụm A"],  # a number: 06253
                    ["06254", "Xã Hai", None],
                    [None, None, None],
                    ["06253", "Xã Thử Nghiệm (lặp)", None],
                    [625500, "Xã Ba", None],
                ],
            ),
        },
        [
            ("communes.xlsx", "Danh sách xã", 5, "commune_code", "reference-duplicate-commune"),
            ("communes.xlsx", "Danh sách xã", 6, "commune_code", "reference-bad-code"),
        ],
    ),
    (
        "xlsx/one-cell",
        {
            T: None,
            "targets.xlsx": xlsxwriter_sheet(
                "Chỉ tiêu",
                [
                    ["commune_code", "year", "admissions_target"],
                    ["06253", "2026", 8.0],
                    ["06254,2026,5"],
                    ["06254", 2026, -5],
                ],
            ),
        },
        [
            ("targets.xlsx", "Chỉ tiêu", 3, None, "reference-one-cell"),
            ("targets.xlsx", "Chỉ tiêu", 4, "admissions_target", "reference-negative"),
        ],
    ),
    # --- province.toml -------------------------------------------------------------------
    (
        "toml/syntax",
        {P: 'province_name = "Tỉnh Thử"\ndeadline_days = 10 ngày\n'},
        [(P, None, 2, None, "reference-bad-toml")],
    ),
    (
        "toml/types-and-values",
        {
            P: 'province_name = ""\ndeadline_days = "10"\nstale_years = 0\nlanguage = "fr"\n'
            "deadline_day = 12\n"
        },
        [
            (P, None, 1, None, "reference-setting-text"),
            (P, None, 2, None, "reference-setting-number"),
            (P, None, 3, None, "reference-setting-number"),
            (P, None, 4, None, "reference-setting-language"),
            (P, None, 5, None, "reference-unknown-setting"),
        ],
    ),
    (
        "toml/plausibility",
        {P: 'language = "en"\nplausibility = 3\n'},
        [(P, None, 2, None, "reference-setting-table")],
    ),
    (
        "toml/plausibility-values",
        {P: '[plausibility]\nattendance_outlier_z = "3,5"\nmembers_jump_pct = -1\n'},
        [
            (P, None, 2, None, "reference-setting-positive"),
            (P, None, 3, None, "reference-setting-positive"),
        ],
    ),
]


def case_ids(cases: list) -> list:
    return [pytest.param(files, expected, id=case_id) for case_id, files, expected in cases]


@pytest.mark.parametrize(("files", "expected"), case_ids(CASES))
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_problem(tmp_path, files, expected, lang):
    assert problems_of(folder_with(tmp_path, files), lang) == expected


def test_every_reference_rule_has_a_case():
    covered = {rule for _, _, expected in CASES for *_, rule in expected}
    tested_apart = {"reference-folder-missing", "reference-not-a-folder", "reference-not-checked"}
    assert covered | tested_apart == set(REFERENCE_CODES)


def test_every_reference_rule_speaks_both_languages_with_the_same_placeholders():
    for code, rule in REFERENCE_CODES.items():
        assert code.startswith("reference-"), code
        assert set(placeholders(rule.en)) == set(placeholders(rule.vi)), code


# --- what the province reads -----------------------------------------------------------------


def test_the_error_lists_every_problem_with_its_file_and_line(tmp_path):
    folder = folder_with(
        tmp_path,
        {
            C: COMMUNES + "06255;Xã Ba;Cụm B\n06253,Xã Lặp,\n",
            T: TARGETS + "06254,2027,5.5\n\n06253,26,8\n",
            R: REFERRALS + "06253,2026,Hội Người cao tuổi,1\n",
        },
    )

    with pytest.raises(ReferenceError) as raised:
        load_reference(folder)

    c, t, r = (folder / name for name in (C, T, R))
    assert str(raised.value) == (
        "The reference data has 5 problems; fix them and run again:\n"
        f"{c}, line 4: The values of this line are separated by ';' instead of commas. Separate "
        "them with commas, or save the file as an Excel workbook (communes.xlsx) instead.\n"
        f"{c}, line 5: The commune code '06253' is already on line 2. List each commune once.\n"
        f"{t}, line 4: 'admissions_target' must be a whole number; found '5.5'.\n"
        f"{t}, line 6: 'year' must be a year from 1900 to 2100, such as 2026; found '26'.\n"
        f"{r}, line 3: 'Hội Người cao tuổi' is not an accepted value of 'referred_by'. Use one "
        "of: youth_union, women_union, farmers_union, veterans_association, fatherland_front, "
        "trade_union, none."
    )


def test_the_error_in_vietnamese(tmp_path):
    folder = folder_with(
        tmp_path,
        {
            C: COMMUNES + "06255;Xã Ba;Cụm B\n",
            T: TARGETS + "06299,2026,4\n",  # not checked against a broken list of communes
            R: REFERRALS + "06253,2026,Hội Người cao tuổi,1\n",
        },
    )

    with pytest.raises(ReferenceError) as raised:
        load_reference(folder, "vi")

    c, r = folder / C, folder / R
    assert str(raised.value) == (
        "Dữ liệu tham chiếu có 2 lỗi; hãy sửa rồi chạy lại:\n"
        f"{c}, dòng 4: Các giá trị của dòng này được phân cách bằng ';' thay vì dấu phẩy. Hãy "
        "phân cách bằng dấu phẩy, hoặc lưu tệp thành sổ làm việc Excel (communes.xlsx).\n"
        f"{r}, dòng 3: 'Hội Người cao tuổi' không phải giá trị hợp lệ của 'referred_by'. Hãy "
        "dùng một trong các giá trị: Đoàn Thanh niên, Hội Phụ nữ, Hội Nông dân, Hội Cựu chiến "
        "binh, Mặt trận Tổ quốc, Công đoàn, Không."
    )


@pytest.mark.parametrize(
    ("files", "lang", "expected"),
    [
        pytest.param(
            {C: COMMUNES + "06253,Xã Lặp,\n"},
            "en",
            "The commune code '06253' is already on line 2. List each commune once.",
            id="en",
        ),
        pytest.param(
            {C: COMMUNES + "06253,Xã Lặp,\n"},
            "vi",
            "Mã xã '06253' đã có ở dòng 2. Mỗi xã chỉ ghi một lần.",
            id="vi",
        ),
        pytest.param(
            {T: TARGETS + "06299,2026,4\n"},
            "vi",
            "Mã xã '06299' không có trong communes.csv. Hãy bổ sung xã vào đó, hoặc sửa lại mã.",
            id="unknown-commune-vi",
        ),
        pytest.param(
            {T: TARGETS + "6253,2026,9\n"},
            "en",
            "Commune 6253 already has a target for 2026 on line 2. Keep one line per commune and "
            "year.",
            id="duplicate-target-en",
        ),
        pytest.param(
            {R: REFERRALS + "06253,2026,Đoàn Thanh niên,3\n"},
            "vi",
            "Xã 06253 đã có chỉ tiêu của 'Đoàn Thanh niên' năm 2026 ở dòng 2. Mỗi xã, mỗi năm, "
            "mỗi đoàn thể chỉ ghi một dòng.",
            id="duplicate-referral-vi",
        ),
        pytest.param(
            {C: "commune_code,cluster\n06253,Cụm A\n"},
            "en",
            "The header has no column 'commune_name'. The header must name the columns "
            "commune_code,commune_name,cluster.",
            id="missing-column-en",
        ),
        pytest.param(
            {C: COMMUNES + "06255,Phường Một, Hai,Cụm B\n"},
            "vi",
            "Dòng này có 4 giá trị nhưng dòng tiêu đề có 3 cột. Hãy ghi mỗi cột một giá trị, và "
            "đặt giá trị có dấu phẩy trong dấu ngoặc kép.",
            id="field-count-vi",
        ),
        pytest.param(
            {T: TARGETS.replace(",", "\t")},
            "en",
            "The values of this line are separated by tabs instead of commas. Separate them with "
            "commas, or save the file as an Excel workbook (targets.xlsx) instead.",
            id="tabs-en",
        ),
        pytest.param(
            {P: 'language = "en"\nstale_years = "ba"\n'},
            "vi",
            "'stale_years' phải là số nguyên lớn hơn 0, ghi không có dấu ngoặc kép; giá trị hiện "
            'tại là "ba".',
            id="setting-vi",
        ),
        pytest.param(
            {P: 'language = "en"\ndeadline_day = 12\n'},
            "en",
            "'deadline_day' is not a setting. The settings are: province_name, deadline_days, "
            "stale_years, language, board_email, plausibility.",
            id="unknown-setting-en",
        ),
    ],
)
def test_messages_say_what_to_fix(tmp_path, files, lang, expected):
    with pytest.raises(ReferenceError) as raised:
        load_reference(folder_with(tmp_path, files), lang)

    assert [p.message for p in raised.value.problems] == [expected]


def test_workbook_problems_name_the_sheet_and_excel_row(tmp_path):
    rows = [["commune_code", "commune_name"], ["06253", "Xã A"], [None], ["06253", "Xã B"]]
    folder = folder_with(tmp_path, {C: None, "communes.xlsx": openpyxl_sheet("Xã", rows)})

    with pytest.raises(ReferenceError) as raised:
        load_reference(folder, "vi")

    assert str(raised.value) == (
        f"{folder / 'communes.xlsx'}, trang 'Xã', dòng 4: Mã xã '06253' đã có ở dòng 2. Mỗi xã "
        "chỉ ghi một lần."
    )


def test_many_problems_are_counted_past_the_first_ones(tmp_path):
    lines = "".join(f"0{6300 + n};Xã {n};\n" for n in range(MAX_LISTED + 10))
    folder = folder_with(tmp_path, {C: COMMUNES + lines})

    with pytest.raises(ReferenceError) as raised:
        load_reference(folder)

    text = str(raised.value).splitlines()
    assert len(raised.value.problems) == MAX_LISTED + 10
    assert text[0] == f"The reference data has {MAX_LISTED + 10} problems; fix them and run again:"
    assert text[1].startswith(f"{folder / C}, line 4: ")
    assert text[-1] == "… and 10 more."
    assert len(text) == MAX_LISTED + 2


# --- the language of the messages ------------------------------------------------------------

BROKEN = {C: COMMUNES + "06253,Xã Lặp,\n"}


@pytest.mark.parametrize(
    ("settings", "lang", "says"),
    [
        (SETTINGS, None, "already on line 2"),  # language = "en"
        (SETTINGS, "vi", "đã có ở dòng 2"),  # the run's --lang first
        (SETTINGS.replace('"en"', '"vi"'), "en", "already on line 2"),
        (None, None, "đã có ở dòng 2"),  # no province.toml: Vietnamese
        ('province_name = "Tỉnh Thử"\n', None, "đã có ở dòng 2"),
    ],
)
def test_messages_are_in_the_run_language_else_the_province_language(
    tmp_path, settings, lang, says
):
    folder = folder_with(tmp_path, {**BROKEN, P: settings})

    with pytest.raises(ReferenceError) as raised:
        load_reference(folder, lang)

    assert says in str(raised.value)


def test_a_missing_folder_is_one_line(tmp_path):
    with pytest.raises(ReferenceError) as raised:
        load_reference(tmp_path / "nowhere")
    assert str(raised.value) == (
        f"{tmp_path / 'nowhere'}: Thư mục dữ liệu tham chiếu này không tồn tại. Hãy chỉ ra thư "
        "mục chứa communes.csv, targets.csv và province.toml (tùy chọn --reference)."
    )
    assert [p.rule for p in raised.value.problems] == ["reference-folder-missing"]

    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(ReferenceError) as raised:
        load_reference(tmp_path / "a-file", "en")
    assert str(raised.value) == (
        f"{tmp_path / 'a-file'}: This is a file, not a folder. Give the folder that holds "
        "communes.csv, targets.csv and province.toml (option --reference)."
    )


def test_a_check_that_cannot_run_is_named_not_raised(tmp_path, monkeypatch):
    import pandera.pandas as pa

    from pipeline import reference

    class Stricter(reference.Targets):
        @pa.check("admissions_target")
        def _below_100(cls, s):  # outside the catalogue
            return s < 100

    table = reference._TARGETS
    monkeypatch.setattr(reference, "_TARGETS", type(table)("targets", Stricter, True, table.key))
    folder = folder_with(tmp_path, {T: TARGETS + "06253,2027,120\n"})

    with pytest.raises(ReferenceError) as raised:
        load_reference(folder, "en")

    assert [(p.line, p.column, p.rule, p.message) for p in raised.value.problems] == [
        (
            4,
            "admissions_target",
            "reference-not-checked",
            "The column 'admissions_target' could not be checked: a value in it is of a kind the "
            "checks do not expect. Check the values of that column.",
        )
    ]


# --- what is read ------------------------------------------------------------------------------


def test_good_files_are_read_with_labels_codes_and_digit_groups(tmp_path):
    folder = folder_with(
        tmp_path,
        {
            C: "commune_code,commune_name,cluster\n6253,Xã Thử Nghiệm,Cụm A\n"
            '\n06254,"Xã Hai, Ba",\n',
            T: "commune_code,year,admissions_target\n06253,2026,1.000\n6254,2026,5,,\n",
            R: "commune_code,year,referred_by,referrals_target\n06253,2026,Hội Nông dân,2\n",
            P: SETTINGS + 'board_email = "bantochuc@example.vn"\n',
        },
    )

    reference = load_reference(folder)

    assert reference.communes.values.tolist() == [
        ["06253", "Xã Thử Nghiệm", "Cụm A"],
        ["06254", "Xã Hai, Ba", reference.communes.at[1, "cluster"]],
    ]
    assert reference.communes["cluster"].isna().tolist() == [False, True]
    assert reference.targets.values.tolist() == [["06253", 2026, 1000], ["06254", 2026, 5]]
    assert reference.referral_targets.values.tolist() == [["06253", 2026, "farmers_union", 2]]
    assert reference.settings.board_email == "bantochuc@example.vn"
    assert reference.settings.language == "en"


def test_workbooks_are_read_like_csv(tmp_path):
    communes = [["commune_code", "commune_name", "cluster"], [6253, "Xã Thử Nghiệm", "Cụm A"]]
    targets = [["commune_code", "year", "admissions_target"], ["06253", 2026.0, "8"]]
    folder = folder_with(
        tmp_path,
        {
            C: None,
            T: None,
            R: None,
            "communes.xlsx": openpyxl_sheet("Xã", communes),
            "targets.xlsx": xlsxwriter_sheet("Chỉ tiêu", targets),
        },
    )

    reference = load_reference(folder)

    assert reference.communes.values.tolist() == [["06253", "Xã Thử Nghiệm", "Cụm A"]]
    assert reference.targets.values.tolist() == [["06253", 2026, 8]]
    assert reference.referral_targets.empty


def test_the_shipped_sample_is_valid():
    reference = load_reference(ROOT / "data" / "reference")

    assert len(reference.communes) == 25
    assert reference.communes["commune_code"].str.fullmatch(r"\d{5}").all()


# --- the command ---------------------------------------------------------------------------


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_report_on_a_bad_reference_exits_1_naming_file_and_line_and_writes_nothing(province):
    write_reference(province.reference)
    write_workbook(province.raw / "return.xlsx", valid_return())
    report(province)
    before = tree(province.out)
    communes = province.reference / "communes.csv"
    communes.write_text(
        communes.read_text(encoding="utf-8") + "06255;Xã Ba;Cụm B\n", encoding="utf-8"
    )

    command = [sys.executable, "-m", "pipeline", "report", "--raw", str(province.raw)]
    command += ["--reference", str(province.reference), "--out", str(province.out)]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )

    assert done.returncode == 1
    assert f"{communes}, line 3: The values of this line are separated by ';'" in done.stderr
    assert "Traceback" not in done.stderr
    assert tree(province.out) == before
