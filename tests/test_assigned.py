"""Committee members assigned to cells, and meeting ratings (issue 16), figured by hand.

Commune A (2026-Q3) has four cells: CB01 and CB02 assigned to Lê Văn Tâm (one member, two
cells), CB03 to Trần Thị Hoa, CB04 to nobody. Every meeting is held but CB02's in August.
Lê Văn Tâm attended CB01 in July and August and CB02 in July: 3 of his 5 meetings. Trần
Thị Hoa attended none of CB03's 3. Ratings: CB01 good, good, fair; CB02 poor, –, good;
CB03 average ×3; CB04 not rated. Commune B's return has none of the optional columns:
its figures are NULL, never 0. Commune C rates a meeting it did not hold: rejected. In
2025-Q3, A's members attended 7 meetings (Lê Văn Tâm all 5 of his, Trần Thị Hoa 2).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from pipeline.run import Options, report
from tests.factory import valid_return, with_assignments, write_reference, write_workbook

CELLS = [("CB01", 10, 0), ("CB02", 12, 0), ("CB03", 8, 0), ("CB04", 9, 0)]
MEMBERS = {"CB01": "Lê Văn Tâm", "CB02": "Lê Văn Tâm", "CB03": "Trần Thị Hoa"}


def commune_a(year: int) -> dict:
    sheets = valid_return(commune="00001", year=year, cells=CELLS, admissions=0)
    for row in sheets["Meetings"][1:]:
        if row[:2] == ["CB02", 8]:
            row[2:5] = ["Không", None, None]  # not held
    if year == 2026:
        attended = {("CB01", 7): "x", ("CB01", 8): "x", ("CB02", 7): "x"}
        ratings = {("CB01", 7): "Tốt", ("CB01", 8): "Tốt", ("CB01", 9): "Khá",
                   ("CB02", 7): "Kém", ("CB02", 9): "Tốt",
                   ("CB03", 7): "TB", ("CB03", 8): "TB", ("CB03", 9): "Trung bình"}  # fmt: skip
    else:
        attended = {
            (c, m): "x" for c in ("CB01", "CB02") for m in (7, 8, 9) if (c, m) != ("CB02", 8)
        }
        attended |= {("CB01", 9): "x", ("CB03", 7): "x", ("CB03", 8): "x"}
        ratings = {}
    return with_assignments(sheets, MEMBERS, attended, ratings)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("assigned")
    options = Options(raw=root / "raw", reference=root / "ref", out=root / "out", lang="en")
    write_reference(
        options.reference,
        communes=[("00001", "Xã An", None), ("00002", "Xã Bình", None), ("00003", "Xã Cẩm", None)],
        targets=[],
    )
    write_workbook(options.raw / "a-2025.xlsx", commune_a(2025))
    write_workbook(options.raw / "a.xlsx", commune_a(2026))
    write_workbook(options.raw / "b.xlsx", valid_return(commune="00002"))
    c = with_assignments(valid_return(commune="00003"), {}, ratings={("CB01", 8): "Tốt"})
    for row in c["Meetings"][1:]:
        if row[:2] == ["CB01", 8]:
            row[2:5] = [None, None, None]  # not held, yet rated
    write_workbook(options.raw / "c.xlsx", c)
    report(options)
    return options.out / "warehouse.duckdb"


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(warehouse, read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_communes_figures(warehouse):
    columns = (
        "cells, cells_with_assigned_member, pct_cells_with_assigned_member, "
        "meetings_assigned_present, pct_assigned_present, cells_assigned_absent, "
        "meetings_rated, meetings_rated_good, pct_rated_good, meetings_rated_poor"
    )
    found = rows(warehouse, f"select commune_code, {columns} from cell_meetings "
                            "where year = 2026 order by commune_code")  # fmt: skip
    assert found == [
        ("00001", 4, 3, 75.0, 3, 37.5, 1, 8, 3, 37.5, 1),
        ("00002", 2, None, None, None, None, None, None, None, None, None),
    ]


def test_each_assigned_member_and_the_province(warehouse):
    assert rows(warehouse, "select * from assigned_members where year = 2026") == [
        ("00001", 2026, 3, "Lê Văn Tâm", 2, 5, 3, 60.0),
        ("00001", 2026, 3, "Trần Thị Hoa", 1, 3, 0, 0.0),
    ]
    province = rows(
        warehouse,
        "select pct_cells_with_assigned_member, pct_assigned_present, pct_rated_good "
        "from province_summary where year = 2026",
    )
    assert province == [(75.0, 37.5, 37.5)]  # B reports none of them: A's alone


def test_the_raw_columns_keep_not_reported_apart_from_blank(warehouse):
    cells = rows(warehouse, "select commune_code, cell_code, assigned_member from cells "
                            "where year = 2026 order by all")  # fmt: skip
    assert ("00001", "CB04", None) in cells and ("00002", "CB01", None) in cells
    meetings = rows(warehouse, "select commune_code, assigned_member_attended, meeting_rating "
                               "from meetings where year = 2026 and cell_code = 'CB01' "
                               "and month = 9 order by all")  # fmt: skip
    assert meetings == [("00001", False, "fair"), ("00002", None, None)]


def test_a_rating_of_a_meeting_not_held_rejects_the_return(warehouse):
    found = rows(warehouse, "select sheet, \"row\", \"column\", cell, rule from problems "
                            "where file_name = 'c.xlsx' and severity = 'error'")  # fmt: skip
    assert found == [("Meetings", 3, "meeting_rating", "I3", "rating-meeting-not-held")]


def test_attendances_per_member_by_year(warehouse):
    """The seed's figure: attendances in a year over the distinct members assigned."""
    found = rows(
        warehouse,
        "select year, sum(meetings_attended), count(distinct (commune_code, assigned_member)), "
        "round(sum(meetings_attended) / count(distinct (commune_code, assigned_member)), 2) "
        "from assigned_members group by year order by year",
    )
    assert found == [(2025, 7, 2, 3.5), (2026, 3, 2, 1.5)]


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_the_bulletins_show_them_and_say_when_they_are_not_reported(warehouse):
    folder = warehouse.parent / "bulletins" / "2026-Q3"
    a = pdf_text(folder / "00001-xa-an.pdf")
    assert "Cells with an assigned committee member 75.0% 75.0%" in a  # A, and the province
    assert "Their meetings the member attended 37.5% 37.5%" in a
    assert "Meetings rated: 8, of which good 3 and poor 1." in a
    # by the cell's name, with the member who attended none of its meetings
    assert "attended none of the meetings held (1) CB03 Chi bộ CB03 (Trần Thị Hoa)" in a
    b = pdf_text(folder / "00002-xa-binh.pdf")
    assert "Cells with an assigned committee member – 75.0%" in b  # not reported: not 0
    assert "the return does not report assigned committee members or meeting ratings" in b
    province = pdf_text(folder / "province.pdf")
    assert "Committee members assigned to cells" in province
    assert "over the 1 communes whose returns report them" in province.lower()
    # the seed's figure, year by year: 2025 (7 attendances, 2 members), 2026 so far
    assert "2025 7 2 3.50" in province and "2026 (so far, quarters 1–3) 3 2 1.50" in province
