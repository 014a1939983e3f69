"""Plausibility across quarters and communes (SPEC §4a), on real workbooks.

Each rule: the case that fires, the boundary that does not, and a first quarter with no
previous return; then where its warnings go (problems, submissions, the feedback
workbook, the bulletins, `check`), the thresholds of province.toml, the shipped sample's
planted cases and a clean synthetic province that raises nothing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.load import build_warehouse
from pipeline.plausibility import RULES
from pipeline.reference import ReferenceError, Thresholds, load_reference
from pipeline.run import Options, ingest, report
from tests.factory import Sheets, edited, valid_return, write_reference, write_workbook
from tools import sample

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = 'province_name = "Tỉnh Thử"\nlanguage = "en"\n'
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def warehouse(
    tmp_path: Path,
    returns: dict[str, Sheets],
    communes: list[str] = ("06253",),
    settings: str = SETTINGS,
    lang: str = "en",
) -> Path:
    """The warehouse of ``returns`` (file name -> sheets), as ``report`` builds it."""
    write_reference(
        tmp_path / "reference", communes=[(c, f"Xã {c}", None) for c in communes],
        settings=settings,
    )  # fmt: skip
    for name, sheets in returns.items():
        write_workbook(tmp_path / "raw" / name, sheets)
    reference = load_reference(tmp_path / "reference", lang)
    _books, validated = ingest(tmp_path / "raw", reference, lang)
    return build_warehouse(tmp_path / "warehouse.duckdb", validated, reference, lang)


def found(path: Path, sql: str = "") -> list[tuple]:
    """The plausibility problems: (file, rule, sheet, row, column, cell, value)."""
    with duckdb.connect(path, read_only=True) as con:
        return con.execute(
            'select file_name, rule, sheet, "row", "column", cell, value from problems'
            " where rule in (select rule from staging.plausibility) " + sql + " order by all"
        ).fetchall()


def messages(path: Path) -> list[str]:
    with duckdb.connect(path, read_only=True) as con:
        return [m for (m,) in con.execute("select message from staging.plausibility").fetchall()]


# --- members-jump -------------------------------------------------------------------------
# valid_return admits one member into CB01 every quarter; each cell meets every month.
CELLS = [("CB01", 10, 2), ("CB02", 40, 0)]


@pytest.mark.parametrize(
    ("q3_cells", "expected"),
    [
        # 51 against 40 + 0 admitted: 11 > max(5, 25 % of 40 = 10)
        ([("CB01", 10, 2), ("CB02", 51, 0)], [(3, "D3", "51")]),
        ([("CB01", 10, 2), ("CB02", 29, 0)], [(3, "D3", "29")]),  # a drop counts too
        ([("CB01", 10, 2), ("CB02", 50, 0)], []),  # exactly 25 %: not more
        # CB01: 12 last quarter + 1 admitted = 13; 19 is 6 more, 18 exactly 5 more
        ([("CB01", 17, 2), ("CB02", 40, 0)], [(2, "D2", "17")]),
        ([("CB01", 16, 2), ("CB02", 40, 0)], []),
    ],
    ids=["above-25-percent", "a-drop", "exactly-25-percent", "above-5", "exactly-5"],
)
def test_members_jump(tmp_path, q3_cells, expected):
    path = warehouse(
        tmp_path,
        {"q2.xlsx": valid_return(quarter=2, cells=CELLS), "q3.xlsx": valid_return(cells=q3_cells)},
    )
    assert found(path) == [
        ("q3.xlsx", "members-jump", "Cells", row, "official_members", cell, value)
        for row, cell, value in expected
    ]


def test_members_jump_says_what_it_compared_and_counts_as_a_warning(tmp_path):
    q3 = valid_return(cells=[("CB01", 10, 2), ("CB02", 51, 0)])
    path = warehouse(tmp_path, {"q2.xlsx": valid_return(quarter=2, cells=CELLS), "q3.xlsx": q3})
    assert messages(path) == [
        "Cell CB02 has 51 members (official and probationary); last quarter 40, plus 0 "
        "admitted this quarter: check the figure."
    ]
    with duckdb.connect(path, read_only=True) as con:
        assert con.execute(
            "select file_name, status, warnings from submissions order by all"
        ).fetchall() == [("q2.xlsx", "accepted", 0), ("q3.xlsx", "accepted", 1)]
        (severity,) = con.execute("select distinct severity from staging.plausibility").fetchone()
    assert severity == "warning"


def test_members_jump_compares_q1_with_q4_of_the_year_before(tmp_path):
    q4 = valid_return(year=2025, quarter=4, cells=CELLS)
    q1 = valid_return(year=2026, quarter=1, cells=[("CB01", 10, 2), ("CB02", 60, 0)])
    path = warehouse(tmp_path, {"q4.xlsx": q4, "q1.xlsx": q1})
    assert [f[:2] for f in found(path)] == [("q1.xlsx", "members-jump")]


def test_a_first_quarter_has_nothing_to_compare(tmp_path):
    """Every rule that compares quarters is silent without a previous return: a jump, a
    lost cell, a year gone back, five cells attended as a copy would be."""
    lone = valid_return(cells=[("CB01", 10, 2), ("CB02", 90, 0), ("CB03", 9, 0), ("CB04", 9, 0),
                               ("CB05", 9, 0)])  # fmt: skip
    lone = edited(lone, "Cells", 3, "last_admission_year", None)
    path = warehouse(tmp_path, {"q3.xlsx": lone, "q1.xlsx": valid_return(quarter=1)})
    assert found(path) == []


# --- cell-disappeared -----------------------------------------------------------------------


def test_cell_disappeared(tmp_path):
    q2 = valid_return(quarter=2, cells=[*CELLS, ("CB03", 15, 0)])
    path = warehouse(tmp_path, {"q2.xlsx": q2, "q3.xlsx": valid_return(cells=CELLS)})
    assert found(path) == [("q3.xlsx", "cell-disappeared", "Cells", None, None, None, "CB03")]
    assert messages(path) == [
        "Cell CB03 (Chi bộ CB03) had 15 members in last quarter's return and is not in this "
        "one. If it was dissolved or merged, nothing to do; otherwise add its row to the sheet "
        "of cells."
    ]


def test_a_cell_kept_or_added_is_not_missing(tmp_path):
    q3 = valid_return(cells=[*CELLS, ("cb03", 15, 0), ("CB04", 8, 0)])  # codes compare upper-cased
    q2 = valid_return(quarter=2, cells=[*CELLS, ("CB03", 15, 0)])
    path = warehouse(tmp_path, {"q2.xlsx": q2, "q3.xlsx": q3})
    assert found(path) == []


# --- last-admission-year-decreased ----------------------------------------------------------
# valid_return: CB01 admits every quarter (its year is the period's), CB02 says 2025.


@pytest.mark.parametrize(
    ("row", "written", "expected"),
    [
        (3, 2023, [(3, "F3", "2023")]),
        (3, None, [(3, "F3", None)]),  # blank where last quarter had a year
        (3, 2025, []),  # the same year
        (3, 2026, []),  # a later one
        (2, None, []),  # blank beside an admission of the quarter: this year (SPEC §3)
    ],
    ids=["earlier", "blank", "same", "later", "blank-while-admitting"],
)
def test_last_admission_year_decreased(tmp_path, row, written, expected):
    q3 = edited(valid_return(cells=CELLS), "Cells", row, "last_admission_year", written)
    path = warehouse(tmp_path, {"q2.xlsx": valid_return(quarter=2, cells=CELLS), "q3.xlsx": q3})
    assert found(path) == [
        ("q3.xlsx", "last-admission-year-decreased", "Cells", r, "last_admission_year", c, v)
        for r, c, v in expected
    ]


def test_last_admission_year_messages_name_the_header_as_written(tmp_path):
    q3 = edited(valid_return(cells=CELLS), "Cells", 3, "last_admission_year", None)
    q3["Cells"][0][5] = "Năm kết nạp gần nhất"
    path = warehouse(tmp_path, {"q2.xlsx": valid_return(quarter=2, cells=CELLS), "q3.xlsx": q3})
    assert messages(path) == [
        "Cell CB02: 'Năm kết nạp gần nhất' is blank, but last quarter's return said 2025. The "
        "year of the latest admission cannot go back: check it."
    ]


# --- attendance-copied ----------------------------------------------------------------------
# valid_return's attendees are the cell's members at every meeting: two quarters with the
# same members have the same attendance, as a copied sheet would.
FIVE = [("CB01", 10, 2), ("CB02", 20, 0), ("CB03", 9, 1), ("CB04", 14, 0), ("CB05", 30, 0)]


@pytest.mark.parametrize(
    ("cells", "change", "fires"),
    [
        (FIVE, None, True),
        (FIVE[:4], None, False),  # four cells compared: too few to tell
        (FIVE, ("Meetings", 9, "attendees", 8), False),  # one meeting differs (CB03, month 9)
        (FIVE, ("Meetings", 2, "regular_meeting", "Không"), True),  # not held: not compared
    ],
    ids=["five-cells", "four-cells", "one-differs", "one-not-held"],
)
def test_attendance_copied(tmp_path, cells, change, fires):
    q3 = valid_return(cells=cells)
    if change is not None:
        q3 = edited(q3, *change)
        if change[2] == "regular_meeting":
            q3 = edited(
                edited(q3, "Meetings", 2, "meeting_date", None), "Meetings", 2, "attendees", 0
            )
    path = warehouse(tmp_path, {"q2.xlsx": valid_return(quarter=2, cells=cells), "q3.xlsx": q3})
    expected = [("q3.xlsx", "attendance-copied", "Meetings", None, None, None, None)]
    assert found(path) == (expected if fires else [])


def test_attendance_copied_says_how_many_meetings(tmp_path):
    path = warehouse(
        tmp_path,
        {"q2.xlsx": valid_return(quarter=2, cells=FIVE), "q3.xlsx": valid_return(cells=FIVE)},
    )
    assert messages(path) == [
        "The attendees of all 15 meetings held in both quarters (same cell, same month of the "
        "quarter) are exactly last quarter's: was last quarter's sheet copied? Enter this "
        "quarter's attendance."
    ]


# --- attendance-outlier ---------------------------------------------------------------------
# One cell of 40 members per commune, the same attendees at its three meetings: rates of
# 80 to 90 %, median 85 %, MAD 2.5 points, and one commune more.
CLUSTERED = [32, 33, 33, 34, 34, 34, 35, 35, 36]


def attended(commune: str, attendees: int) -> Sheets:
    sheets = valid_return(commune=commune, cells=[("CB01", 40, 0)], admissions=0)
    for row in (2, 3, 4):
        sheets = edited(sheets, "Meetings", row, "attendees", attendees)
    return sheets


def communes_attending(tmp_path: Path, attendees: list[int]) -> Path:
    codes = [f"0{1000 + i}" for i in range(len(attendees))]
    returns = {f"{c}.xlsx": attended(c, a) for c, a in zip(codes, attendees, strict=True)}
    return warehouse(tmp_path, returns, communes=codes)


@pytest.mark.parametrize(
    ("attendees", "outlier"),
    [
        ([*CLUSTERED, 40], "01009.xlsx"),  # 100 %: z = 0.6745 × 15 / 2.5 = 4.05
        ([*CLUSTERED, 14], "01009.xlsx"),  # 35 %: far below
        ([*CLUSTERED, 39], None),  # 97.5 %: z = 3.37, inside ±3.5
        ([*CLUSTERED[1:], 40], None),  # nine communes: too few to tell
        ([34] * 9 + [40], None),  # a MAD of 0: no spread to measure against
    ],
    ids=["above", "below", "inside", "nine-communes", "mad-0"],
)
def test_attendance_outlier(tmp_path, attendees, outlier):
    """It compares the quarter's communes, not quarters: a first quarter has it too."""
    path = communes_attending(tmp_path, attendees)
    expected = (
        [(outlier, "attendance-outlier", "Meetings", None, "attendees", None, None)]
        if outlier
        else []
    )
    assert [(*f[:6], None) for f in found(path)] == expected


def test_attendance_outlier_value_is_the_rate(tmp_path):
    path = communes_attending(tmp_path, [*CLUSTERED, 40])
    assert [f[6] for f in found(path)] == ["100.0%"]
    assert messages(path) == [
        "The attendance rate of this return, 100.0%, is far from the other communes' this "
        "quarter (median 85.0%): check the attendees of each meeting."
    ]


# --- thresholds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "members", "fires"),
    [
        ("", 51, True),  # the contract: 11 is more than max(5, 10)
        ("members_jump_min = 20\n", 51, False),  # 11 is not more than 20
        ("members_jump_pct = 20\n", 50, True),  # 10 is more than 20 % of 40
        ("members_jump_pct = 27.5\nmembers_jump_min = 10\n", 51, False),  # nor 11 than 11
    ],
)
def test_province_toml_overrides_the_thresholds(tmp_path, table, members, fires):
    q3 = valid_return(cells=[("CB01", 10, 2), ("CB02", members, 0)])
    path = warehouse(
        tmp_path,
        {"q2.xlsx": valid_return(quarter=2, cells=CELLS), "q3.xlsx": q3},
        settings=SETTINGS + "\n[plausibility]\n" + table,
    )
    assert bool(found(path)) == fires


def test_thresholds_default_to_the_contract_and_the_readme_writes_them(tmp_path):
    write_reference(tmp_path, settings=SETTINGS)
    assert load_reference(tmp_path).settings.plausibility == Thresholds(5, 25.0, 5, 3.5, 10)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.search(r"```toml\n(\[plausibility\].*?)```", readme, re.S)[1]
    write_reference(tmp_path, settings=SETTINGS + table)
    assert load_reference(tmp_path).settings.plausibility == Thresholds()


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[plausibility]\nmembers_jump_pct = "25"\nattendance_outlier_z = 0\n'
            "attendance_copied_cells = 4.5\noutlier = 3\n",
            [
                (4, "reference-setting-positive"),
                (5, "reference-setting-positive"),
                (6, "reference-setting-number"),
                (7, "reference-unknown-setting"),
            ],
        ),
        ("plausibility = 5\n", [(3, "reference-setting-table")]),
    ],
)
def test_bad_thresholds_stop_the_run_naming_the_line(tmp_path, toml, expected):
    write_reference(tmp_path, settings=SETTINGS + toml)
    with pytest.raises(ReferenceError) as raised:
        load_reference(tmp_path)
    assert [(p.line, p.rule) for p in raised.value.problems] == expected
    assert "plausibility.outlier" in str(raised.value) or "outlier" not in toml


# --- the outputs: feedback, bulletins ---------------------------------------------------------


@pytest.fixture(scope="module", params=["en", "vi"])
def reported(request, tmp_path_factory) -> tuple[Options, str]:
    """A province of two communes over two quarters; 06253 types 51 members for 40 in Q3."""
    lang = request.param
    root = tmp_path_factory.mktemp(f"reported-{lang}")
    options = Options(raw=root / "raw", reference=root / "reference", out=root / "out")
    write_reference(
        options.reference,
        communes=[("06253", "Xã Thử Nghiệm", "Cụm A"), ("06254", "Xã Bên Cạnh", "Cụm B")],
        settings=f'province_name = "Tỉnh Thử"\nlanguage = "{lang}"\n',
    )
    for quarter in (2, 3):
        jump = [("CB01", 10, 2), ("CB02", 51, 0)] if quarter == 3 else CELLS
        write_workbook(
            options.raw / f"06253-q{quarter}.xlsx", valid_return(quarter=quarter, cells=jump)
        )
        other = valid_return(commune="06254", quarter=quarter, cells=[("CB01", 10, 2)])
        write_workbook(options.raw / f"06254-q{quarter}.xlsx", other)
    report(options)
    return options, lang


def test_a_file_with_only_plausibility_warnings_gets_a_marked_workbook(reported):
    options, _lang = reported
    book = openpyxl.load_workbook(options.out / "feedback" / "2026-Q3" / "06253-q3.xlsx")
    problems = book.worksheets[0]
    (row,) = [[c.value for c in r] for r in problems.iter_rows(min_row=5)]
    assert row[:5] == ["Cells", 3, "D3", "official_members", "51"]
    assert "CB02" in row[6] and "51" in row[6] and "40" in row[6]
    mark = book["Cells"]["D3"]
    assert mark.fill.fgColor.rgb.endswith("FFE08A")  # a warning's colour
    assert mark.comment is not None and mark.comment.text == row[6]
    assert not (options.out / "feedback" / "2026-Q3" / "06254-q3.xlsx").exists()


@needs_poppler
def test_the_bulletins_list_the_figures_to_verify(reported):
    options, lang = reported
    folder = options.out / "bulletins" / "2026-Q3"
    commune = pdf_text(folder / "06253-xa-thu-nghiem.pdf")
    province = pdf_text(folder / "province.pdf")
    if lang == "vi":
        heading, what, compared = (
            "Số liệu cần kiểm tra",
            "Số đảng viên của chi bộ CB02",
            "quý trước 40",
        )
        section, annex, message = "Số liệu cần xác minh", "Phụ lục", "Chi bộ CB02 có 51 đảng viên"
    else:
        heading, what, compared = "Figures to check", "Members of cell CB02", "40 last quarter"
        section, annex, message = "Figures to verify", "Annex", "Cell CB02 has 51 members"
    assert heading in commune and message in " ".join(commune.split())
    assert "To fix" not in commune and "Cần sửa" not in commune  # not a problem to fix
    start, end = province.index(section), province.index(annex)
    assert start < end
    lines = [" ".join(line.split()) for line in province[start:end].splitlines()]
    row = next(line for line in lines if "Xã Thử Nghiệm" in line)
    assert what in row and " 51 " in row + " " and compared in row
    assert "Cụm A" in province[start:end] and "Xã Bên Cạnh" not in province[start:end]


def pdf_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


# --- check ----------------------------------------------------------------------------------


def check(options: Options, *files: Path):
    args = ["check", "--reference", str(options.reference), "--out", str(options.out)]
    return CliRunner().invoke(main, [*args, "--lang", "en", *map(str, files)])


@pytest.fixture
def published(province) -> Options:
    """A published warehouse holding 06253's Q2 (40 members in CB02), and its Q3 to check."""
    write_reference(province.reference, settings=SETTINGS)
    write_workbook(province.raw / "q2.xlsx", valid_return(quarter=2, cells=CELLS))
    report(province)
    jump = valid_return(cells=[("CB01", 10, 2), ("CB02", 51, 0)])
    write_workbook(province.raw.parent / "new" / "q3.xlsx", jump)
    return province


def test_check_compares_with_the_published_warehouse(published):
    result = check(published, published.raw.parent / "new" / "q3.xlsx")
    assert result.exit_code == 0, result.output  # a warning never rejects
    lines = result.output.splitlines()
    assert lines[0] == "q3.xlsx: Accepted, with warnings to fix (Errors 0, Warnings 1)"
    assert lines[2].split()[:5] == ["warning", "Cells", "3", "D3", "official_members"]
    assert "Cell CB02 has 51 members" in result.output
    assert (published.out / "feedback" / "check" / "06253-q3.xlsx").exists()


def test_check_puts_the_file_in_place_of_the_published_return_it_replaces(published):
    report(published)  # now the published warehouse has a Q3 too (40 in CB02), from raw
    write_workbook(published.raw / "q3.xlsx", valid_return(cells=CELLS))
    report(published)
    result = check(published, published.raw.parent / "new" / "q3.xlsx")
    assert "Cell CB02 has 51 members (official and probationary); last quarter 40" in " ".join(
        result.output.split()
    )


def test_check_without_a_warehouse_compares_the_files_with_each_other(province):
    write_reference(province.reference, settings=SETTINGS)
    q2 = write_workbook(province.raw / "q2.xlsx", valid_return(quarter=2, cells=CELLS))
    q3 = write_workbook(province.raw / "q3.xlsx", valid_return(cells=[*CELLS[:1], ("CB02", 51, 0)]))
    alone = check(province, q3)
    assert "Accepted (Errors 0, Warnings 0)" in alone.output
    together = check(province, q2, q3)
    assert "q3.xlsx: Accepted, with warnings to fix (Errors 0, Warnings 1)" in together.output
    assert not (province.out / "warehouse.duckdb").exists()


def test_check_says_when_the_warehouse_cannot_be_read(province):
    write_reference(province.reference, settings=SETTINGS)
    q3 = write_workbook(province.raw / "q3.xlsx", valid_return())
    province.out.mkdir()
    (province.out / "warehouse.duckdb").write_bytes(b"not a database")
    result = check(province, q3)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(
        "Not compared with the warehouse, only with each other: "
    )
    assert "is not a DuckDB warehouse" in result.output.splitlines()[0]


# --- whole provinces --------------------------------------------------------------------------


def test_the_sample_plants_one_case_of_each_and_nothing_else(tmp_path):
    planted = {
        rule.replace("_", "-"): code
        for rule, code in sample.defects().items()
        if rule.replace("_", "-") in RULES
    }
    assert sorted(planted) == sorted(RULES)
    reference = load_reference(ROOT / "data" / "reference", "en")
    _books, validated = ingest(ROOT / "data" / "raw", reference, "en")
    path = build_warehouse(tmp_path / "w.duckdb", validated, reference, "en")
    with duckdb.connect(path, read_only=True) as con:
        rows = con.execute("select rule, commune_code from staging.plausibility").fetchall()
    assert sorted(rows) == sorted(planted.items())


def test_a_clean_province_over_a_year_raises_nothing(tmp_path):
    """Members drift, cells admit and age, attendance varies from quarter to quarter;
    nothing is planted (messy=False), so any warning is a false alarm."""
    sample.generate(tmp_path, communes=40, quarters=(1, 2, 3, 4), messy=False)
    reference = load_reference(tmp_path / "reference", "en")
    _books, validated = ingest(tmp_path / "raw", reference, "en")
    assert validated.files["accepted"].all()
    path = build_warehouse(tmp_path / "w.duckdb", validated, reference, "en")
    with duckdb.connect(path, read_only=True) as con:
        compared = con.execute("select count(*) from cells where quarter > 1").fetchone()[0]
        alarms = con.execute("select rule, file_name from staging.plausibility").fetchall()
    assert compared > 1000  # cells compared with their previous quarter
    assert alarms == []


def test_a_plausibility_warning_takes_its_place_among_the_files_problems(tmp_path):
    """The feedback lists a file's problems sheet by sheet, row by row: the warnings found
    in the warehouse too, not after the others."""
    options = Options(tmp_path / "raw", tmp_path / "reference", tmp_path / "out", lang="en")
    write_reference(options.reference, communes=[("06253", "Xã Thử Nghiệm", None)])
    for quarter in (2, 3):
        jump = [("CB01", 10, 2), ("CB02", 51, 0)] if quarter == 3 else CELLS
        sheets = valid_return(quarter=quarter, cells=jump)
        if quarter == 3:  # a column the template does not have, in two sheets
            for name in ("Cells", "Meetings"):
                header, *rows = sheets[name]
                sheets[name] = [[*header, "Ghi chú"], *rows]
        write_workbook(options.raw / f"06253-q{quarter}.xlsx", sheets)

    report(options)

    book = openpyxl.load_workbook(options.out / "feedback" / "2026-Q3" / "06253-q3.xlsx")
    problems = book.worksheets[0].iter_rows(min_row=5)
    listed = [(r[0].value, r[2].value, r[3].value) for r in problems]
    assert listed == [
        ("Cells", "G1", ""),  # the extra columns
        ("Cells", "D3", "official_members"),  # 51 members for 40 last quarter
        ("Meetings", "H1", ""),
    ]
