"""Indicators of SPEC §6 on small provinces whose figures are worked out by hand below."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipeline.run import Options, report
from tests.factory import (
    ADMISSIONS_HEADER,
    CELLS_HEADER,
    MEETINGS_HEADER,
    write_reference,
    write_workbook,
)

D = dt.date


def info(commune: str, period: str, submitted: dt.date) -> list[list]:
    return [["commune_code", commune], ["period", period], ["submitted_on", submitted]]


def admission(cell: str, day: dt.date, born: int, sex: str = "Nữ", **kw: str) -> list:
    return [
        cell,
        day,
        sex,
        born,
        kw.get("ethnicity", "Kinh"),
        kw.get("religion", ""),
        kw.get("occupation", "Nông dân"),
        kw.get("education", "THPT"),
        kw.get("referred_by", ""),
    ]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """Three communes; A reports Q1 and Q3, B reports Q3 late, C never reports.

    A (target 8), Q3: CB01 has 10 official + 2 probationary members and meets in months
    7, 8, 9 with 12, 10 and 9 attendees (thematic in month 8, 2 higher-level attendees in
    month 7); CB02 has 20 members, meets in month 7 with 20 attendees (1 higher-level), does
    not meet in month 8 and has no row for month 9. One admission in Q3 (CB01, aged 25),
    two in Q1 (CB01, aged 40 and 61).
    B (no target), Q3, submitted 2026-10-20 (deadline 10 October): one cell of 5 members,
    last admission 2020, meets every month with 5 attendees.
    C (target 4): no return.
    """
    root = tmp_path_factory.mktemp("province")
    province = Options(raw=root / "raw", reference=root / "reference", out=root / "out")
    write_reference(
        province.reference,
        communes=[("06253", "Xã A", "Cụm 1"), ("00101", "Xã B", "Cụm 1"), ("00202", "Xã C", None)],
        targets=[("06253", 2026, 8), ("00202", 2026, 4)],
        referral_targets=[("06253", 2026, "youth_union", 2), ("00101", 2026, "youth_union", 1)],
    )
    a_q1 = {
        "Info": info("06253", "2026-Q1", D(2026, 4, 5)),
        "Cells": [CELLS_HEADER, ["CB01", "Chi bộ 1", "Thôn", 10, 2, 2026]],
        "Meetings": [MEETINGS_HEADER]
        + [["CB01", m, "x", D(2026, m, 3), 10, "", 0] for m in (1, 2, 3)],
        "Admissions": [
            ADMISSIONS_HEADER,
            admission("CB01", D(2026, 2, 1), 1986, "Nam", referred_by="Đoàn Thanh niên"),
            admission("CB01", D(2026, 3, 1), 1965, ethnicity="Tày", religion="Phật giáo"),
        ],
    }
    a_q3 = {
        "Info": info("06253", "2026-Q3", D(2026, 10, 5)),
        "Cells": [
            CELLS_HEADER,
            ["CB01", "Chi bộ 1", "Thôn", 10, 2, 2026],
            ["CB02", "Chi bộ 2", "Cơ quan", 20, 0, 2024],
        ],
        "Meetings": [
            MEETINGS_HEADER,
            ["CB01", 7, "x", D(2026, 7, 3), 12, "", 2],
            ["CB01", 8, "x", D(2026, 8, 3), 10, "x", 0],
            ["CB01", 9, "x", D(2026, 9, 3), 9, "", 0],
            ["CB02", 7, "Có", D(2026, 7, 9), 20, "", 1],
            ["CB02", 8, "Không", "", "", "", 0],
        ],
        "Admissions": [
            ADMISSIONS_HEADER,
            admission("CB01", D(2026, 8, 15), 2001, referred_by="Đoàn Thanh niên"),
        ],
    }
    b_q3 = {
        "Info": info("00101", "2026-Q3", D(2026, 10, 20)),
        "Cells": [CELLS_HEADER, ["CB01", "Chi bộ Bản", "Bản", 5, 0, 2020]],
        "Meetings": [MEETINGS_HEADER]
        + [["CB01", m, "x", D(2026, m, 3), 5, "", 0] for m in (7, 8, 9)],
        "Admissions": [ADMISSIONS_HEADER],
    }
    write_workbook(province.raw / "a-q1.xlsx", a_q1)
    write_workbook(province.raw / "a-q3.xlsx", a_q3)
    write_workbook(province.raw / "b-q3.xlsx", b_q3)
    outcome = report(province)  # 2026-Q3: the summary counts its files, and the others apart
    assert (outcome.accepted, outcome.rejected, outcome.other_quarters) == (2, 0, 1)
    con = duckdb.connect(outcome.warehouse, read_only=True)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.sql(sql).fetchall()


def test_admissions_vs_target(warehouse):
    got = rows(
        warehouse,
        "select commune_code, quarter, admissions_quarter, admissions_ytd, admissions_target,"
        " achievement_pct, expected_pct, on_pace from admissions_vs_target order by all",
    )
    assert got == [
        # every commune for every quarter with an accepted return (Q1 and Q3)
        ("00101", 1, 0, 0, None, None, 25.0, None),
        ("00101", 3, 0, 0, None, None, 75.0, None),
        ("00202", 1, 0, 0, 4, 0.0, 25.0, False),
        ("00202", 3, 0, 0, 4, 0.0, 75.0, False),
        ("06253", 1, 2, 2, 8, 25.0, 25.0, True),
        ("06253", 3, 1, 3, 8, 37.5, 75.0, False),
    ]


def test_cell_meetings(warehouse):
    got = rows(
        warehouse,
        "select commune_code, cells, cells_met_every_month, pct_met_every_month, cells_thematic,"
        " pct_thematic, attendance_rate, higher_level_attendances, meetings_held,"
        " meetings_attendance_85, pct_attendance_85, meetings_unreported"
        " from cell_meetings where quarter = 3 order by commune_code",
    )
    assert got == [
        ("00101", 1, 1, 100.0, 0, 0.0, 100.0, 0, 3, 3, 100.0, 0),
        # attendance: (12 + 10 + 9 + 20) / (12 * 3 + 20) = 51 / 56; at >= 85 %: 12/12, 20/20
        ("06253", 2, 1, 50.0, 1, 50.0, pytest.approx(100 * 51 / 56), 3, 4, 2, 50.0, 1),
    ]


def test_stale_cells(warehouse):
    assert rows(warehouse, "select * from stale_cells order by all") == [
        # B's cell: 2026 - 2020 = 6 years >= 3; A's CB02 (2024) is 2 years: not stale
        ("00101", 2026, 3, "CB01", "Chi bộ Bản", 2020, 6),
    ]


def test_submission_status(warehouse):
    got = rows(
        warehouse,
        "select commune_code, quarter, status, submitted_on, file_name"
        " from submission_status order by all",
    )
    assert got == [
        ("00101", 1, "missing", None, None),
        ("00101", 3, "late", D(2026, 10, 20), "b-q3.xlsx"),
        ("00202", 1, "missing", None, None),
        ("00202", 3, "missing", None, None),
        ("06253", 1, "on_time", D(2026, 4, 5), "a-q1.xlsx"),
        ("06253", 3, "on_time", D(2026, 10, 5), "a-q3.xlsx"),
    ]


def test_new_member_profile(warehouse):
    got = rows(
        warehouse,
        "select commune_code, quarter, dimension, category, members from new_member_profile"
        " where commune_code is null order by all",
    )
    assert got == [
        (None, 1, "age_group", "30_and_over", 2),  # aged 40 and 61
        (None, 1, "education", "upper_secondary", 2),
        (None, 1, "ethnic_minority", "no", 1),
        (None, 1, "ethnic_minority", "yes", 1),
        (None, 1, "occupation", "agriculture", 2),
        (None, 1, "referred_by", "none", 1),
        (None, 1, "referred_by", "youth_union", 1),
        (None, 1, "religion", "no", 1),
        (None, 1, "religion", "yes", 1),
        (None, 1, "sex", "female", 1),
        (None, 1, "sex", "male", 1),
        (None, 3, "age_group", "under_30", 1),
        (None, 3, "education", "upper_secondary", 1),
        (None, 3, "ethnic_minority", "no", 1),
        (None, 3, "occupation", "agriculture", 1),
        (None, 3, "referred_by", "youth_union", 1),
        (None, 3, "religion", "no", 1),
        (None, 3, "sex", "female", 1),
    ]


def test_referrals_vs_target(warehouse):
    got = rows(
        warehouse,
        "select commune_code, quarter, referred_by, referrals_ytd, referrals_target,"
        " achievement_pct from referrals_vs_target order by quarter, commune_code nulls last",
    )
    assert got == [
        ("00101", 1, "youth_union", 0, 1, 0.0),
        ("06253", 1, "youth_union", 1, 2, 50.0),
        (None, 1, "youth_union", 1, 3, pytest.approx(100 / 3)),
        ("00101", 3, "youth_union", 0, 1, 0.0),
        ("06253", 3, "youth_union", 2, 2, 100.0),
        (None, 3, "youth_union", 2, 3, pytest.approx(200 / 3)),
    ]


def test_province_summary(warehouse):
    columns = [d[0] for d in warehouse.sql("select * from province_summary").description]
    q3 = dict(
        zip(
            columns,
            rows(warehouse, "select * from province_summary where quarter = 3")[0],
            strict=True,
        )
    )
    assert q3 == {
        "year": 2026,
        "quarter": 3,
        "communes_expected": 3,
        "communes_accepted": 2,
        "communes_on_time": 1,
        "admissions_quarter": 1,
        "admissions_ytd": 3,
        "admissions_target": 12,  # A 8 + C 4; B has none
        "achievement_pct": 25.0,  # (3 + 0) / 12
        "cells": 3,
        "cells_met_every_month": 2,
        "pct_met_every_month": pytest.approx(200 / 3),
        "cells_thematic": 1,
        "pct_thematic": pytest.approx(100 / 3),
        # (51 + 15) / (56 + 15): sums over meetings, never an average of communes' rates
        "attendance_rate": pytest.approx(100 * 66 / 71),
        "stale_cells": 1,
        "official_members": 35,
        "probationary_members": 2,
        # no return reports assigned members or ratings: not reported, never 0
        "pct_cells_with_assigned_member": None,
        "pct_assigned_present": None,
        "pct_rated_good": None,
    }


def test_public_relations_have_comments(warehouse):
    missing = rows(
        warehouse,
        "select table_name, column_name from duckdb_columns()"
        " where database_name = current_database() and schema_name = 'main'"
        " and comment is null",
    )
    assert missing == []
    tables = rows(
        warehouse,
        "select table_name from duckdb_tables()"
        " where database_name = current_database() and schema_name = 'main'"
        " and comment is null",
    )
    assert tables == []
