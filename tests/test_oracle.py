"""Oracle test: the warehouse figures equal what SPEC §3–§6 defines.

A small, messy province is written here from scratch (its own communes, codes,
writers and layouts; nothing from ``tests/factory.py``), the whole quarterly job
runs on it, and every row of the indicator relations is compared with values
computed by a tiny plain-Python oracle over the same canonical data (no
pipeline code, no SQL), cross-checked by hand-computed literals for the
province figures.

The province (year 2026, quarters 1 and 2; deadline 10 days; stale at 3 years):

=======  =====================  =======  ======  ==============================
code     name                   cluster  target  returns
=======  =====================  =======  ======  ==============================
00715    Phường Hòa Lạc         Cụm Bắc  6       Q1 on time; Q2 accepted + a later
                                                 rejected resubmission
00718    Xã Tân Minh            Cụm Bắc  4       Q1 on time; Q2 two accepted (later
                                                 submitted_on wins)
02104    Xã Đồng Tâm            Cụm Nam  5       Q1 late; Q2 on time
02110    Đặc khu Cồn Cỏ         Cụm Nam  3       Q1 on time (on the deadline);
                                                 Q2 missing
13579    Xã Vĩnh Phú            Cụm Nam  none    Q1, Q2 on time (2025 target only)
=======  =====================  =======  ======  ==============================

Referral targets: 00715 (youth_union 3, farmers_union 2) and 02110 (youth_union 2).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
import xlsxwriter

from pipeline.run import Options, report

YEAR = 2026
TODAY = dt.date(2026, 11, 23)
DEADLINE_DAYS = 10
STALE_YEARS = 3

# --------------------------------------------------------------------------- reference

COMMUNES = [
    ("00715", "Phường Hòa Lạc", "Cụm Bắc"),
    ("00718", "Xã Tân Minh", "Cụm Bắc"),
    ("02104", "Xã Đồng Tâm", "Cụm Nam"),
    ("02110", "Đặc khu Cồn Cỏ", "Cụm Nam"),
    ("13579", "Xã Vĩnh Phú", "Cụm Nam"),
]
COMMUNE_NAME = {code: name for code, name, _ in COMMUNES}
# 13579 has a target for 2025 only: it has no 2026 target.
TARGET_ROWS = [
    ("00715", 2026, 6),
    ("00718", 2026, 4),
    ("02104", 2026, 5),
    ("02110", 2026, 3),
    ("13579", 2025, 7),
]
TARGETS = {(c, y): t for c, y, t in TARGET_ROWS}
REFERRAL_TARGET_ROWS = [
    ("00715", 2026, "youth_union", 3),
    ("00715", 2026, "farmers_union", 2),
    ("02110", 2026, "youth_union", 2),  # 02110 does not report in Q2: its row stays
]

# ----------------------------------------------------------------- canonical return data


@dataclass(frozen=True)
class Cell:
    code: str  # as written (may be lower case)
    name: str
    cell_type: str  # label as written
    official: int
    probationary: int
    last_year: int | None


@dataclass(frozen=True)
class Meeting:
    cell: str  # as written
    month: int
    held: bool
    day: int | None
    attendees: int | None
    thematic: bool = False
    higher: int = 0


@dataclass(frozen=True)
class Admission:
    cell: str
    admitted_on: dt.date
    sex: str  # labels as written
    birth_year: int
    ethnicity: str
    religion: str
    occupation: str
    education: str
    referred_by: str


@dataclass(frozen=True)
class Style:
    """How a clerk laid the workbook out."""

    writer: str  # "xlsxwriter" | "openpyxl"
    headers: str  # "en" | "vi" | "vi_upper" | "vi_plain"
    period: str
    dates: str = "excel"  # "excel" | "dmy" (05/04/2026) | "dmy_short" (5/4/2026) | "iso"
    numbers: str = "int"  # "int" | "text" ("12") | "padded" (" 12 ")
    months: str = "int"  # "int" | "mm/yyyy" | "date" | "text"
    true: Any = "x"
    false: Any = ""
    commune_as_number: bool = False
    titles: bool = False
    extra_column: bool = False
    signature: bool = False
    blank_row: bool = False
    reversed_columns: bool = False


@dataclass
class Return:
    path: str  # relative to raw/
    commune: str
    quarter: int
    submitted_on: dt.date
    style: Style
    cells: list[Cell]
    meetings: list[Meeting]
    admissions: list[Admission] = field(default_factory=list)
    status: str = "accepted"  # what SPEC §4 says the file's status is
    mtime: float | None = None

    @property
    def year(self) -> int:
        return YEAR


def held(cell: str, month: int, attendees: int, **kw: Any) -> Meeting:
    return Meeting(cell, month, True, 10 + month % 5, attendees, **kw)


def not_held(cell: str, month: int, **kw: Any) -> Meeting:
    return Meeting(cell, month, False, None, None, **kw)


def adm(cell: str, on: str, *rest: Any) -> Admission:
    return Admission(cell, dt.date.fromisoformat(on), *rest)


D = dt.date

# 00715 Phường Hòa Lạc -------------------------------------------------------------------
HL_Q1 = Return(
    "2026-Q1/hoa_lac_quy1.xlsx",
    "00715",
    1,
    D(2026, 4, 5),
    Style(
        "xlsxwriter",
        "vi",
        "Quý I/2026",
        dates="dmy_short",  # "5/4/2026" is 5 April: on time (month-first would be late)
        numbers="text",
        months="int",
        true="x",
        false="",
        commune_as_number=True,  # 715 -> "00715"
        titles=True,
    ),
    cells=[
        Cell("CB01", "Chi bộ Khu phố 1", "Tổ dân phố", 20, 2, 2026),
        Cell("cb02", "Chi bộ Trường THCS Hòa Lạc", "Trường học", 12, 1, 2024),
        Cell("CB03", "Chi bộ Công an phường", "Công an", 8, 0, 2024),
    ],
    meetings=[
        held("cb01", 1, 20, higher=1),
        held("CB01", 2, 19, thematic=True),
        held("CB01", 3, 18),  # 18/22 < 85 %
        held("CB02", 1, 13),
        held("cb02", 2, 12),
        held("CB02", 3, 11, higher=2),  # 11/13 < 85 %
        held("CB03", 1, 8),
        held("CB03", 2, 7),
        held("CB03", 3, 7, thematic=True),
    ],
    admissions=[
        adm("CB01", "2026-02-14", "Nữ", 2001, "Kinh", "", "Sinh viên", "THPT", "Đoàn Thanh niên"),
    ],
)
HL_Q2 = Return(
    "2026-Q2/hoa_lac_quy2.xlsx",
    "00715",
    2,
    D(2026, 7, 3),
    Style(
        "openpyxl",
        "vi",
        "Quý II/2026",
        dates="dmy",
        numbers="padded",
        months="mm/yyyy",
        true="Có",
        false="Không",
        titles=True,
    ),
    cells=[
        Cell("CB01", "Chi bộ Khu phố 1", "Tổ dân phố", 20, 3, 2026),
        Cell("CB02", "Chi bộ Trường THCS Hòa Lạc", "Trường học", 12, 2, 2026),
        Cell("CB03", "Chi bộ Công an phường", "Công an", 8, 0, 2024),
    ],
    meetings=[
        held("CB01", 4, 23),
        held("CB01", 5, 20),  # 20/23 >= 85 %
        held("CB01", 6, 19, thematic=True),  # 19/23 < 85 %
        held("CB02", 4, 12),  # 12/14 >= 85 %
        held("CB02", 5, 14, higher=1),
        not_held("CB02", 6),
        held("CB03", 4, 8),
        held("CB03", 5, 8),
        held("CB03", 6, 6),  # 6/8 < 85 %
    ],
    admissions=[
        adm("CB02", "2026-05-20", "Nam", 1990, "Kinh", "Phật giáo", "Viên chức", "Đại học",
            "Hội Nông dân"),
        adm("CB01", "2026-06-02", "Nữ", 2004, "Tày", "", "Sinh viên", "THPT", "Đoàn Thanh niên"),
    ],
)  # fmt: skip
# A later resubmission with an error (an admission dated after the quarter): rejected, so
# the return above stays in use; its different figures must not reach the indicators.
HL_Q2_REJECTED = replace(
    HL_Q2,
    path="2026-Q2/hoa_lac_quy2_bo_sung.xlsx",
    submitted_on=D(2026, 7, 8),
    status="rejected",
    cells=[
        Cell("CB01", "Chi bộ Khu phố 1", "Tổ dân phố", 20, 3, 2026),
        Cell("CB02", "Chi bộ Trường THCS Hòa Lạc", "Trường học", 12, 2, 2026),
        Cell("CB03", "Chi bộ Công an phường", "Công an", 8, 1, 2026),
    ],
    meetings=[
        held(c, m, n) for c, n in (("CB01", 23), ("CB02", 14), ("CB03", 8)) for m in (4, 5, 6)
    ],
    admissions=[
        *HL_Q2.admissions,
        adm("CB03", "2026-07-02", "Nam", 1995, "Kinh", "", "Nông dân", "THCS", "Đoàn Thanh niên"),
    ],
)

# 00718 Xã Tân Minh ----------------------------------------------------------------------
TM_Q1 = Return(
    "2026-Q1/TanMinh-Q1.xlsx",
    "00718",
    1,
    D(2026, 4, 8),
    Style("openpyxl", "en", "2026-Q1", dates="excel", true=True, false=False),
    cells=[
        Cell("TM01", "Chi bộ thôn Tân Lập", "village", 30, 1, 2025),
        Cell("TM02", "Chi bộ Công ty May Tân Minh", "Doanh nghiệp", 6, 0, 2023),  # stale: 3 years
    ],
    meetings=[
        held("TM01", 1, 28),
        held("TM01", 2, 27, thematic=True),
        held("TM01", 3, 26),  # 26/31 < 85 %
        held("TM02", 1, 6),
        not_held("TM02", 2),
        held("TM02", 3, 5, higher=1),  # 5/6 < 85 %
    ],
)
TM_Q2_B = Return(
    "2026-Q2/tan_minh_a.xlsx",
    "00718",
    2,
    D(2026, 7, 9),
    Style("xlsxwriter", "en", "2026Q2", dates="excel", true="Yes", false="No"),
    cells=[
        Cell("TM01", "Chi bộ thôn Tân Lập", "village", 30, 2, 2026),
        Cell("TM02", "Chi bộ Công ty May Tân Minh", "enterprise", 6, 0, 2023),
    ],
    meetings=[
        held("TM01", 4, 30),
        held("TM01", 5, 28),  # 28/32 >= 85 %
        held("TM01", 6, 27, higher=2),  # 27/32 < 85 %
        held("TM02", 4, 6),
        held("TM02", 5, 6, thematic=True),
        held("TM02", 6, 6),
    ],
    admissions=[
        # aged 64 at admission: a warning (needs provincial approval), still accepted
        adm("TM01", "2026-04-18", "M", 1962, "Kinh", "Phật giáo", "agriculture",
            "lower_secondary", "veterans_association"),
        # aged exactly 30: 30_and_over
        adm("TM01", "2026-06-25", "female", 1996, "Khmer", "None", "worker", "upper_secondary",
            "women_union"),
    ],
)  # fmt: skip
# An earlier accepted return for the same quarter: superseded by the one above although its
# file name sorts later and its file is modified later.
TM_Q2_A = Return(
    "2026-Q2/tan_minh_z.xlsx",
    "00718",
    2,
    D(2026, 7, 2),
    Style("openpyxl", "en", "2026-Q2", dates="iso", true="Y", false="N"),
    status="superseded",
    cells=[
        Cell("TM01", "Chi bộ thôn Tân Lập", "village", 30, 1, 2026),
        Cell("TM02", "Chi bộ Công ty May Tân Minh", "enterprise", 6, 0, 2025),
    ],
    meetings=[held(c, m, n) for c, n in (("TM01", 31), ("TM02", 6)) for m in (4, 5, 6)],
    admissions=[
        adm("TM01", "2026-05-05", "M", 1980, "Kinh", "", "worker", "higher", "youth_union"),
    ],
)

# 02104 Xã Đồng Tâm ----------------------------------------------------------------------
DT_Q1 = Return(
    "2026-Q1/dong tam bao cao quy 1.xlsx",
    "02104",
    1,
    D(2026, 4, 15),  # late: after 31 March + 10 days
    Style(
        "xlsxwriter",
        "vi",
        "Q1/2026",
        dates="dmy",
        numbers="padded",
        months="text",
        true="Có",
        false="Không",
        titles=True,
        extra_column=True,
        signature=True,
        blank_row=True,
    ),
    cells=[
        Cell("DT01", "Chi bộ thôn Đông", "Thôn", 15, 0, 2022),  # stale: 4 years
        Cell("DT02", "Chi bộ thôn Đoài", "Thôn", 10, 2, 2026),
    ],
    meetings=[
        held("DT01", 1, 15, higher=2),
        held("DT01", 2, 13),  # 13/15 >= 85 %
        # (DT01, March) has no row: a warning, counts as not met
        held("DT02", 1, 10, thematic=True),  # 10/12 < 85 %
        held("DT02", 2, 11),
        held("DT02", 3, 12),
    ],
    admissions=[
        adm("DT02", "2026-03-10", "Nam", 1998, " Kinh ", "Không", "Công nhân", "Trung cấp", ""),
    ],
)  # fmt: skip
DT_Q2 = Return(
    "2026-Q2/dongtam_q2.xlsx",
    "02104",
    2,
    D(2026, 7, 6),
    Style("openpyxl", "en", "Q2 2026", dates="excel", reversed_columns=True),
    cells=[
        Cell("DT01", "Chi bộ thôn Đông", "village", 15, 0, 2022),
        Cell("DT02", "Chi bộ thôn Đoài", "village", 11, 1, 2026),
    ],
    meetings=[
        held("DT01", 4, 14),
        held("DT01", 5, 12),  # 12/15 < 85 %
        held("DT01", 6, 15, thematic=True, higher=1),
        held("DT02", 4, 12),
        not_held("DT02", 5),
        held("DT02", 6, 11),  # 11/12 >= 85 %
    ],
)

# 02110 Đặc khu Cồn Cỏ (Q1 only) ---------------------------------------------------------
CC_Q1 = Return(
    "2026-Q1/concco.xlsx",
    "02110",
    1,
    D(2026, 4, 10),  # exactly on the deadline: on time
    Style(
        "openpyxl",
        "vi_upper",
        "Quý 1 năm 2026",
        dates="excel",
        numbers="text",
        months="mm/yyyy",
        true="Có",
        false="Không",
    ),
    cells=[
        Cell("CC01", "Chi bộ Quân sự đặc khu", "Quân sự", 9, 1, 2026),
        Cell("CC02", "Chi bộ Cơ quan đặc khu", "Cơ quan", 18, 2, 2024),
    ],
    meetings=[
        held("CC01", 1, 10, higher=3),
        held("CC01", 2, 9),
        held("CC01", 3, 8),  # 8/10 < 85 %
        held("CC02", 1, 17),  # 17/20 is exactly 85 %: counts
        held("CC02", 2, 20),
        held("CC02", 3, 19, thematic=True),
    ],
    admissions=[
        adm(
            "CC01",
            "2026-01-20",
            "Nam",
            2000,
            "Kinh",
            "Công giáo",
            "Quân đội",
            "THPT",
            "Đoàn Thanh niên",
        ),
    ],
)

# 13579 Xã Vĩnh Phú (no 2026 target) -----------------------------------------------------
VP_Q1 = Return(
    "2026-Q1/vinhphu_q1.xlsx",
    "13579",
    1,
    D(2026, 4, 2),
    Style("xlsxwriter", "en", "Q1 2026", dates="iso", months="date", true="1", false="0"),
    cells=[
        Cell("VP01", "Chi bộ thôn Vĩnh An", "village", 14, 1, None),  # blank, admits in Q1
        Cell("VP02", "Chi bộ Hợp tác xã", "other", 5, 0, None),  # no admission on record
        Cell("VP03", "Chi bộ Trạm y tế", "public_service", 9, 0, 2024),
    ],
    meetings=[
        held("VP01", 1, 15),
        held("VP01", 2, 14),
        held("VP01", 3, 13),  # 13/15 >= 85 %
        not_held("VP02", 1),
        not_held("VP02", 2),
        held("VP02", 3, 4),  # 4/5 < 85 %
        held("VP03", 1, 9),
        held("VP03", 2, 8, thematic=True),  # 8/9 >= 85 %
        held("VP03", 3, 9, higher=1),
    ],
    admissions=[
        adm("VP01", "2026-03-05", "F", 1985, "Mường", "None", "business", "postgraduate",
            "women_union"),
    ],
)  # fmt: skip
VP_Q2 = Return(
    "2026-Q2/vinhphu_q2.xlsx",
    "13579",
    2,
    D(2026, 7, 5),
    Style(
        "xlsxwriter",
        "vi_plain",
        "Quý 2/2026",
        dates="dmy_short",  # "5/7/2026" is 5 July
        numbers="text",
        months="int",
        true="x",
        false="",
        titles=True,
    ),
    cells=[
        Cell("VP01", "Chi bộ thôn Vĩnh An", "Thôn", 14, 1, None),  # Q1 admission: not stale
        Cell("VP02", "Chi bộ Hợp tác xã", "Khác", 5, 0, None),
        Cell("VP03", "Chi bộ Trạm y tế", "Trạm y tế", 9, 0, 2024),
    ],
    meetings=[
        held("VP01", 4, 15),
        held("VP01", 5, 15),
        held("VP01", 6, 14, thematic=True),
        held("VP02", 4, 5),
        not_held("VP02", 5),
        not_held("VP02", 6, thematic=True, higher=2),  # a thematic meeting, no regular one
        held("VP03", 4, 8),
        held("VP03", 5, 9),
        held("VP03", 6, 9),
    ],
)

RETURNS = [HL_Q1, TM_Q1, DT_Q1, CC_Q1, VP_Q1, HL_Q2, HL_Q2_REJECTED, TM_Q2_B, TM_Q2_A, DT_Q2, VP_Q2]
# make the superseded return the most recently modified file, so only submitted_on can decide
MTIMES = {TM_Q2_B.path: 1_780_000_000.0, TM_Q2_A.path: 1_790_000_000.0}

# ------------------------------------------------------------------------ writing files

HEADERS = {
    "Cells": {
        "cell_code": "Mã chi bộ",
        "cell_name": "Tên chi bộ",
        "cell_type": "Loại hình",
        "official_members": "Đảng viên chính thức",
        "probationary_members": "Đảng viên dự bị",
        "last_admission_year": "Năm kết nạp gần nhất",
    },
    "Meetings": {
        "cell_code": "Mã chi bộ",
        "month": "Tháng",
        "regular_meeting": "Sinh hoạt định kỳ",
        "meeting_date": "Ngày sinh hoạt",
        "attendees": "Số đảng viên dự",
        "thematic_meeting": "Sinh hoạt chuyên đề",
        "higher_level_attendees": "Cán bộ cấp trên dự",
    },
    "Admissions": {
        "cell_code": "Mã chi bộ",
        "admitted_on": "Ngày kết nạp",
        "sex": "Giới tính",
        "birth_year": "Năm sinh",
        "ethnicity": "Dân tộc",
        "religion": "Tôn giáo",
        "occupation": "Nghề nghiệp",
        "education": "Trình độ học vấn",
        "referred_by": "Đoàn thể giới thiệu",
    },
}
SHEET_NAMES_VI = {
    "Info": "Thông tin",
    "Cells": "Chi bộ",
    "Meetings": "Sinh hoạt",
    "Admissions": "Kết nạp",
}
INFO_KEYS_VI = ["Mã xã", "Tên xã", "Kỳ báo cáo", "Ngày báo cáo", "Người lập"]
INFO_KEYS_EN = ["commune_code", "commune_name", "period", "submitted_on", "prepared_by"]
TITLES = {
    "Cells": "DANH SÁCH CHI BỘ",
    "Meetings": "TÌNH HÌNH SINH HOẠT CHI BỘ",
    "Admissions": "DANH SÁCH ĐẢNG VIÊN MỚI KẾT NẠP",
}


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def header(style: Style, sheet: str, column: str) -> str:
    if style.headers == "en":
        return column
    vi = HEADERS[sheet][column]
    return {"vi": vi, "vi_upper": vi.upper(), "vi_plain": strip_accents(vi)}[style.headers]


def as_date(style: Style, value: dt.date | None) -> Any:
    if value is None:
        return None
    if style.dates == "excel":
        return value
    if style.dates == "iso":
        return value.isoformat()
    if style.dates == "dmy":
        return value.strftime("%d/%m/%Y")
    return f"{value.day}/{value.month}/{value.year}"  # dmy_short


def as_number(style: Style, value: int | None) -> Any:
    if value is None:
        return None
    return {"int": value, "text": str(value), "padded": f" {value} "}[style.numbers]


def as_month(style: Style, month: int) -> Any:
    if style.months == "mm/yyyy":
        return f"{month:02d}/{YEAR}"
    if style.months == "date":
        return dt.date(YEAR, month, 1)
    if style.months == "text":
        return f" {month} "
    return month


def sheets_of(ret: Return) -> dict[str, list[list[Any]]]:
    """The workbook as rows of values, in the clerk's layout."""
    s = ret.style
    keys = INFO_KEYS_VI if s.headers != "en" else INFO_KEYS_EN
    code: Any = int(ret.commune) if s.commune_as_number else ret.commune
    info = [
        [keys[0], code],
        [keys[1], COMMUNE_NAME[ret.commune]],
        [keys[2], s.period],
        [keys[3], as_date(s, ret.submitted_on)],
        [keys[4], "Trần Văn Bình"],
    ]
    boolean = {True: s.true, False: s.false}
    cells = [
        [c.code, c.name, c.cell_type, as_number(s, c.official), as_number(s, c.probationary),
         as_number(s, c.last_year)]
        for c in ret.cells
    ]  # fmt: skip
    meetings = [
        [
            m.cell,
            as_month(s, m.month),
            boolean[m.held],
            as_date(s, dt.date(YEAR, m.month, m.day) if m.day else None),
            as_number(s, m.attendees),
            boolean[m.thematic],
            as_number(s, m.higher) if m.higher else None,
        ]
        for m in ret.meetings
    ]
    admissions = [
        [a.cell, as_date(s, a.admitted_on), a.sex, as_number(s, a.birth_year), a.ethnicity,
         a.religion, a.occupation, a.education, a.referred_by]
        for a in ret.admissions
    ]  # fmt: skip
    out = {"Info": info}
    for sheet, rows in (("Cells", cells), ("Meetings", meetings), ("Admissions", admissions)):
        head = [header(s, sheet, c) for c in HEADERS[sheet]]
        if s.extra_column and sheet == "Meetings":
            head.append("Ghi chú")
            rows = [[*r, "đã nhắc" if i == 0 else None] for i, r in enumerate(rows)]
        if s.reversed_columns:
            head = head[::-1]
            rows = [r[::-1] for r in rows]
        body = [list(r) for r in rows]
        if s.blank_row and len(body) > 2:
            body.insert(2, [None] * len(head))
        grid: list[list[Any]] = []
        if s.titles:
            grid += [["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], ["Độc lập - Tự do - Hạnh phúc"], []]
            grid += [[None, TITLES[sheet]], []]
        grid += [head, *body]
        if s.signature:
            grid += [
                [],
                [None, "Người lập biểu", None, "T/M Đảng ủy"],
                [None, "(ký, ghi rõ họ tên)"],
            ]
        out[sheet] = grid
    if s.headers != "en":
        out = {SHEET_NAMES_VI[k]: v for k, v in out.items()}
    return out


def write_xlsxwriter(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                else:
                    sheet.write(r, c, value)
    book.close()


def write_openpyxl(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def write_province(root: Path) -> Options:
    raw, reference, out = root / "raw", root / "reference", root / "out"
    reference.mkdir(parents=True)
    (reference / "communes.csv").write_text(
        "commune_code,commune_name,cluster\n" + "".join(f"{c},{n},{k}\n" for c, n, k in COMMUNES),
        encoding="utf-8",
    )
    (reference / "targets.csv").write_text(
        "commune_code,year,admissions_target\n"
        + "".join(f"{c},{y},{t}\n" for c, y, t in TARGET_ROWS),
        encoding="utf-8",
    )
    (reference / "referral_targets.csv").write_text(
        "commune_code,year,referred_by,referrals_target\n"
        + "".join(f"{c},{y},{r},{t}\n" for c, y, r, t in REFERRAL_TARGET_ROWS),
        encoding="utf-8",
    )
    (reference / "province.toml").write_text(
        'province_name = "Tỉnh Kiểm Định"\n'
        f"deadline_days = {DEADLINE_DAYS}\nstale_years = {STALE_YEARS}\n"
        'language = "vi"\n',
        encoding="utf-8",
    )
    for ret in RETURNS:
        path = raw / ret.path
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = write_xlsxwriter if ret.style.writer == "xlsxwriter" else write_openpyxl
        writer(path, sheets_of(ret))
        if ret.path in MTIMES:
            os.utime(path, (MTIMES[ret.path], MTIMES[ret.path]))
    return Options(raw=raw, reference=reference, out=out, period=(YEAR, 2), lang="en")


# ------------------------------------------------------------------- the plain oracle
# My reading of SPEC §3 value lists, for the labels used above.
SEX = {"Nam": "male", "M": "male", "Nữ": "female", "F": "female", "female": "female"}
OCCUPATION = {
    "Sinh viên": "student",
    "Viên chức": "civil_servant",
    "Công nhân": "worker",
    "Quân đội": "armed_forces",
    "agriculture": "agriculture",
    "worker": "worker",
    "business": "business",
}
EDUCATION = {
    "THPT": "upper_secondary",
    "Đại học": "higher",
    "Trung cấp": "vocational",
    "lower_secondary": "lower_secondary",
    "upper_secondary": "upper_secondary",
    "postgraduate": "postgraduate",
}
REFERRED_BY = {
    "Đoàn Thanh niên": "youth_union",
    "Hội Nông dân": "farmers_union",
    "": "none",
    "veterans_association": "veterans_association",
    "women_union": "women_union",
}
NO_RELIGION = {"", "không", "none"}


def quarter_end(quarter: int) -> dt.date:
    return dt.date(YEAR, 3 * quarter, 30 if quarter in (2, 3) else 31)


def in_use() -> dict[tuple[str, int], Return]:
    """(commune, quarter) -> the accepted return in use (latest submitted_on)."""
    chosen: dict[tuple[str, int], Return] = {}
    for ret in RETURNS:
        if ret.status == "rejected":
            continue
        key = (ret.commune, ret.quarter)
        if key not in chosen or ret.submitted_on > chosen[key].submitted_on:
            chosen[key] = ret
    return chosen


USED = in_use()
QUARTERS = sorted({q for _, q in USED})  # quarters with at least one accepted return
CODES = [c for c, _, _ in COMMUNES]


def used_admissions(commune: str | None, last_quarter: int, first_quarter: int = 1) -> list:
    return [
        a
        for (c, q), ret in USED.items()
        if (commune is None or c == commune) and first_quarter <= q <= last_quarter
        for a in ret.admissions
    ]


def pct(numerator: float, denominator: float | None) -> float | None:
    return None if not denominator else 100 * numerator / denominator


def oracle_submissions(raw: Path) -> list[dict]:
    return [
        {
            "file_name": ret.path,
            "sha256": hashlib.sha256((raw / ret.path).read_bytes()).hexdigest(),
            "commune_code": ret.commune,
            "year": YEAR,
            "quarter": ret.quarter,
            "submitted_on": ret.submitted_on,
            "status": ret.status,
        }
        for ret in RETURNS
    ]


def oracle_submission_status() -> list[dict]:
    rows = []
    for q in QUARTERS:
        for code in CODES:
            ret = USED.get((code, q))
            if ret is None:
                status = "missing"  # no commune here has only rejected files
            elif ret.submitted_on <= quarter_end(q) + dt.timedelta(days=DEADLINE_DAYS):
                status = "on_time"
            else:
                status = "late"
            rows.append(
                {
                    "commune_code": code,
                    "commune_name": COMMUNE_NAME[code],
                    "year": YEAR,
                    "quarter": q,
                    "status": status,
                    "submitted_on": ret.submitted_on if ret else None,
                    "file_name": ret.path if ret else None,
                }
            )
    return rows


def oracle_admissions_vs_target() -> list[dict]:
    rows = []
    for q in QUARTERS:
        for code in CODES:
            ytd = len(used_admissions(code, q))
            target = TARGETS.get((code, YEAR))
            achievement = pct(ytd, target)
            rows.append(
                {
                    "commune_code": code,
                    "year": YEAR,
                    "quarter": q,
                    "admissions_quarter": len(used_admissions(code, q, q)),
                    "admissions_ytd": ytd,
                    "admissions_target": target,
                    "achievement_pct": achievement,
                    "expected_pct": 25.0 * q,
                    "on_pace": None if achievement is None else achievement >= 25 * q,
                }
            )
    return rows


def oracle_referrals_vs_target() -> list[dict]:
    rows = []
    for q in QUARTERS:
        province: dict[str, list[int]] = {}
        for code, year, referred_by, target in REFERRAL_TARGET_ROWS:
            ytd = sum(REFERRED_BY[a.referred_by] == referred_by for a in used_admissions(code, q))
            rows.append(
                {
                    "commune_code": code,
                    "year": year,
                    "quarter": q,
                    "referred_by": referred_by,
                    "referrals_ytd": ytd,
                    "referrals_target": target,
                    "achievement_pct": pct(ytd, target),
                }
            )
            sums = province.setdefault(referred_by, [0, 0])
            sums[0] += ytd
            sums[1] += target
        for referred_by, (ytd, target) in province.items():
            rows.append(
                {
                    "commune_code": None,
                    "year": YEAR,
                    "quarter": q,
                    "referred_by": referred_by,
                    "referrals_ytd": ytd,
                    "referrals_target": target,
                    "achievement_pct": pct(ytd, target),
                }
            )
    return rows


def meeting_figures(ret: Return) -> dict:
    members = {c.code.upper(): c.official + c.probationary for c in ret.cells}
    months = range(3 * ret.quarter - 2, 3 * ret.quarter + 1)
    rows = {(m.cell.upper(), m.month): m for m in ret.meetings}
    held_rows = [m for m in ret.meetings if m.held]
    met_every = [c for c in members if all(rows.get((c, mo)) and rows[c, mo].held for mo in months)]
    thematic = {m.cell.upper() for m in ret.meetings if m.thematic}
    at_85 = [m for m in held_rows if 100 * m.attendees >= 85 * members[m.cell.upper()]]
    return {
        "cells": len(members),
        "cells_met_every_month": len(met_every),
        "cells_thematic": len(thematic),
        "attendees": sum(m.attendees for m in held_rows),
        "members_at_meetings": sum(members[m.cell.upper()] for m in held_rows),
        "higher_level_attendances": sum(m.higher for m in ret.meetings),
        "meetings_held": len(held_rows),
        "meetings_attendance_85": len(at_85),
        "meetings_unreported": sum((c, mo) not in rows for c in members for mo in months),
    }


def oracle_cell_meetings() -> list[dict]:
    rows = []
    for (code, q), ret in sorted(USED.items()):
        f = meeting_figures(ret)
        rows.append(
            {
                "commune_code": code,
                "year": YEAR,
                "quarter": q,
                "cells": f["cells"],
                "cells_met_every_month": f["cells_met_every_month"],
                "pct_met_every_month": pct(f["cells_met_every_month"], f["cells"]),
                "cells_thematic": f["cells_thematic"],
                "pct_thematic": pct(f["cells_thematic"], f["cells"]),
                "attendance_rate": pct(f["attendees"], f["members_at_meetings"]),
                "higher_level_attendances": f["higher_level_attendances"],
                "meetings_held": f["meetings_held"],
                "meetings_attendance_85": f["meetings_attendance_85"],
                "pct_attendance_85": pct(f["meetings_attendance_85"], f["meetings_held"]),
                "meetings_unreported": f["meetings_unreported"],
            }
        )
    return rows


def oracle_stale_cells() -> list[dict]:
    rows = []
    for (code, q), ret in sorted(USED.items()):
        for cell in ret.cells:
            on_record = [
                a.admitted_on.year
                for a in used_admissions(code, q)
                if a.cell.upper() == cell.code.upper()
            ]
            years = [y for y in (cell.last_year, *on_record) if y is not None]
            without = YEAR - max(years) if years else None
            if without is None or without >= STALE_YEARS:
                rows.append(
                    {
                        "commune_code": code,
                        "year": YEAR,
                        "quarter": q,
                        "cell_code": cell.code.upper(),
                        "cell_name": cell.name,
                        "last_admission_year": cell.last_year,
                        "years_without_admission": without,
                    }
                )
    return rows


def profile_of(admissions: list[Admission]) -> Counter:
    counts: Counter = Counter()
    for a in admissions:
        age = a.admitted_on.year - a.birth_year
        counts["sex", SEX[a.sex]] += 1
        counts["age_group", "under_30" if age < 30 else "30_and_over"] += 1
        counts["ethnic_minority", "no" if a.ethnicity.strip() == "Kinh" else "yes"] += 1
        religion = "no" if a.religion.strip().lower() in NO_RELIGION else "yes"
        counts["religion", religion] += 1
        counts["occupation", OCCUPATION[a.occupation]] += 1
        counts["education", EDUCATION[a.education]] += 1
        counts["referred_by", REFERRED_BY[a.referred_by]] += 1
    return counts


def oracle_new_member_profile() -> list[dict]:
    rows = []
    for q in QUARTERS:
        for code in [*CODES, None]:
            counts = profile_of(used_admissions(code, q, q))
            rows += [
                {
                    "commune_code": code,
                    "year": YEAR,
                    "quarter": q,
                    "dimension": d,
                    "category": c,
                    "members": n,
                }
                for (d, c), n in counts.items()
            ]
    return rows


def oracle_province_summary() -> list[dict]:
    rows = []
    for q in QUARTERS:
        returns = [ret for (_, rq), ret in USED.items() if rq == q]
        figures = [meeting_figures(ret) for ret in returns]
        status = [r for r in oracle_submission_status() if r["quarter"] == q]
        with_target = [c for c in CODES if (c, YEAR) in TARGETS]
        target = sum(TARGETS[c, YEAR] for c in with_target)
        cells = sum(f["cells"] for f in figures)
        met = sum(f["cells_met_every_month"] for f in figures)
        thematic = sum(f["cells_thematic"] for f in figures)
        rows.append(
            {
                "year": YEAR,
                "quarter": q,
                "communes_expected": len(CODES),
                "communes_accepted": len(returns),
                "communes_on_time": sum(r["status"] == "on_time" for r in status),
                "admissions_quarter": len(used_admissions(None, q, q)),
                "admissions_ytd": len(used_admissions(None, q)),
                "admissions_target": target,
                "achievement_pct": pct(
                    sum(len(used_admissions(c, q)) for c in with_target), target
                ),
                "cells": cells,
                "cells_met_every_month": met,
                "pct_met_every_month": pct(met, cells),
                "cells_thematic": thematic,
                "pct_thematic": pct(thematic, cells),
                "attendance_rate": pct(
                    sum(f["attendees"] for f in figures),
                    sum(f["members_at_meetings"] for f in figures),
                ),
                "stale_cells": sum(r["quarter"] == q for r in oracle_stale_cells()),
                "official_members": sum(c.official for ret in returns for c in ret.cells),
                "probationary_members": sum(c.probationary for ret in returns for c in ret.cells),
            }
        )
    return rows


# ------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Options:
    root = tmp_path_factory.mktemp("oracle_province")
    options = write_province(root)
    with pytest.MonkeyPatch.context() as mp:
        epoch = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC).timestamp()
        mp.setenv("SOURCE_DATE_EPOCH", str(int(epoch)))
        report(options)
    return options


@pytest.fixture(scope="module")
def wh(run: Options):
    con = duckdb.connect(str(run.out / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def fetch(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> list[dict]:
    quoted = ", ".join(f'"{c}"' for c in columns)
    cursor = con.execute(f"select {quoted} from {relation}")
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def sort_key(row: dict, key: list[str]) -> tuple:
    return tuple((row[k] is None, "" if row[k] is None else row[k]) for k in key)


def assert_rows(got: list[dict], expected: list[dict], key: list[str]) -> None:
    """Same keys, then each row equal (floats within pytest.approx)."""
    got = sorted(got, key=lambda r: sort_key(r, key))
    expected = sorted(expected, key=lambda r: sort_key(r, key))
    assert [tuple(r[k] for k in key) for r in got] == [tuple(r[k] for k in key) for r in expected]
    for g, e in zip(got, expected, strict=True):
        assert g == pytest.approx(e), f"row {tuple(e[k] for k in key)}"


# -------------------------------------------------------------- the oracle, by hand
# Literal figures computed by hand from SPEC §6 for the data above; they check the oracle.


def test_oracle_agrees_with_hand_computed_figures():
    summary = {r["quarter"]: r for r in oracle_province_summary()}
    q1, q2 = summary[1], summary[2]
    assert (q1["communes_accepted"], q1["communes_on_time"]) == (5, 4)
    assert (q2["communes_accepted"], q2["communes_on_time"]) == (4, 4)
    assert (q1["admissions_quarter"], q1["admissions_ytd"], q1["admissions_target"]) == (4, 4, 18)
    assert (q2["admissions_quarter"], q2["admissions_ytd"], q2["admissions_target"]) == (4, 8, 18)
    assert q1["achievement_pct"] == pytest.approx(100 * 3 / 18)  # 13579's admission excluded
    assert q2["achievement_pct"] == pytest.approx(100 * 7 / 18)
    assert (q1["cells"], q1["cells_met_every_month"], q1["cells_thematic"]) == (12, 9, 6)
    assert (q2["cells"], q2["cells_met_every_month"], q2["cells_thematic"]) == (10, 7, 5)
    assert q1["attendance_rate"] == pytest.approx(100 * 423 / 467)
    assert q2["attendance_rate"] == pytest.approx(100 * 352 / 381)
    assert (q1["stale_cells"], q1["official_members"], q1["probationary_members"]) == (3, 156, 10)
    assert (q2["stale_cells"], q2["official_members"], q2["probationary_members"]) == (3, 130, 9)
    meetings = {(r["commune_code"], r["quarter"]): r for r in oracle_cell_meetings()}
    assert meetings["02104", 1]["meetings_unreported"] == 1
    assert meetings["02104", 1]["cells_met_every_month"] == 1
    assert meetings["00715", 1]["meetings_attendance_85"] == 7
    assert meetings["00715", 1]["attendance_rate"] == pytest.approx(100 * 115 / 129)
    assert meetings["00718", 2]["attendance_rate"] == pytest.approx(100 * 103 / 114)
    stale = {
        (r["quarter"], r["cell_code"]): r["years_without_admission"] for r in oracle_stale_cells()
    }
    assert stale == {
        (1, "TM02"): 3,
        (1, "DT01"): 4,
        (1, "VP02"): None,
        (2, "TM02"): 3,
        (2, "DT01"): 4,
        (2, "VP02"): None,
    }
    referrals = {
        (r["commune_code"], r["quarter"], r["referred_by"]): r["referrals_ytd"]
        for r in oracle_referrals_vs_target()
    }
    assert referrals["02110", 2, "youth_union"] == 1  # reported in Q1 only
    assert referrals[None, 2, "youth_union"] == 3
    assert referrals[None, 2, "farmers_union"] == 1


# ----------------------------------------------------------------- warehouse vs oracle


def test_submissions(run, wh):
    columns = ["file_name", "sha256", "commune_code", "year", "quarter", "submitted_on", "status"]
    got = fetch(wh, "submissions", [*columns, "errors", "warnings"])
    assert_rows(
        [{c: r[c] for c in columns} for r in got], oracle_submissions(run.raw), ["file_name"]
    )
    by_file = {r["file_name"]: r for r in got}
    for ret in RETURNS:
        row = by_file[ret.path]
        assert (row["errors"] > 0) == (ret.status == "rejected"), ret.path
    # the missing (cell, month) row and the admission aged over 60 are warnings
    assert by_file[DT_Q1.path]["warnings"] >= 1
    assert by_file[TM_Q2_B.path]["warnings"] >= 1


def test_problems_for_warnings(wh):
    rows = fetch(wh, "problems", ["file_name", "sheet", "row", "column", "cell", "severity"])
    # SPEC §3: age problems are reported on birth_year; header on row 1, first admission row 2
    assert {
        "file_name": TM_Q2_B.path,
        "sheet": "Admissions",
        "row": 2,
        "column": "birth_year",
        "cell": "D2",
        "severity": "warning",
    } in rows
    assert any(
        r["file_name"] == DT_Q1.path and r["sheet"] == "Meetings" and r["severity"] == "warning"
        for r in rows
    )
    assert not any(r["severity"] == "error" for r in rows if r["file_name"] != HL_Q2_REJECTED.path)


def test_submission_status(wh):
    columns = [
        "commune_code", "commune_name", "year", "quarter", "status", "submitted_on", "file_name",
    ]  # fmt: skip
    assert_rows(
        fetch(wh, "submission_status", columns),
        oracle_submission_status(),
        ["year", "quarter", "commune_code"],
    )


def test_admissions_vs_target(wh):
    columns = [
        "commune_code", "year", "quarter", "admissions_quarter", "admissions_ytd",
        "admissions_target", "achievement_pct", "expected_pct", "on_pace",
    ]  # fmt: skip
    assert_rows(
        fetch(wh, "admissions_vs_target", columns),
        oracle_admissions_vs_target(),
        ["year", "quarter", "commune_code"],
    )


def test_referrals_vs_target(wh):
    columns = [
        "commune_code", "year", "quarter", "referred_by", "referrals_ytd", "referrals_target",
        "achievement_pct",
    ]  # fmt: skip
    assert_rows(
        fetch(wh, "referrals_vs_target", columns),
        oracle_referrals_vs_target(),
        ["year", "quarter", "commune_code", "referred_by"],
    )


def test_cell_meetings(wh):
    columns = list(oracle_cell_meetings()[0])
    assert_rows(
        fetch(wh, "cell_meetings", columns),
        oracle_cell_meetings(),
        ["year", "quarter", "commune_code"],
    )


def test_stale_cells(wh):
    columns = list(oracle_stale_cells()[0])
    assert_rows(
        fetch(wh, "stale_cells", columns),
        oracle_stale_cells(),
        ["year", "quarter", "commune_code", "cell_code"],
    )


def test_new_member_profile(wh):
    columns = ["commune_code", "year", "quarter", "dimension", "category", "members"]
    got = fetch(wh, "new_member_profile", columns)
    # SPEC does not say whether empty categories get a row: compare the non-zero ones
    assert all(r["members"] >= 0 for r in got)
    assert_rows(
        [r for r in got if r["members"]],
        oracle_new_member_profile(),
        ["year", "quarter", "commune_code", "dimension", "category"],
    )
    province = {
        (r["quarter"], r["dimension"], r["category"]): r["members"]
        for r in got
        if r["commune_code"] is None and r["members"]
    }
    assert {k: v for k, v in province.items() if k[1] in ("sex", "age_group")} == {
        (1, "sex", "female"): 2,
        (1, "sex", "male"): 2,
        (1, "age_group", "under_30"): 3,
        (1, "age_group", "30_and_over"): 1,
        (2, "sex", "female"): 2,
        (2, "sex", "male"): 2,
        (2, "age_group", "under_30"): 1,
        (2, "age_group", "30_and_over"): 3,
    }


def test_province_summary(wh):
    columns = list(oracle_province_summary()[0])
    assert_rows(
        fetch(wh, "province_summary", columns), oracle_province_summary(), ["year", "quarter"]
    )
