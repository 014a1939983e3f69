"""Generate a fictional province's quarterly returns and reference data (SPEC §2, §3).

``python -m tools.sample --out data`` writes ``data/reference/`` (communes,
targets, referral targets, ``province.toml``) and ``data/raw/<year>-Q<q>/``: one
workbook per commune per quarter, in the many shapes clerks really send. The
same arguments always produce byte-identical files.

Every file is valid per SPEC except the deliberate defects below. Each one goes
to a fixed position of ``communes.csv`` (sorted by code; with 25 communes the
k-th defect of ``_DEFECT_ORDER`` goes to the k-th commune), so :func:`defects`
can name it. Styles (the first group) apply to every return
of that commune and also turn up at random in other files; the exclusive
defects happen in the latest quarter only, exactly once. For the defaults
(25 communes, 2026, quarters 1-3, seed 7):

=====================  =======  ==================================================
defect                 commune  what it looks like
=====================  =======  ==================================================
english_headers        07344    canonical English headers, sheet names, Info keys
title_rows             07353    national motto and a title above every header
numeric_code           07356    Info ``commune_code`` stored as the number 7356
text_numbers           07362    integers stored as text (``"12"``, ``" 12 "``)
dmy_dates              10458    day-first text dates (``05/07/2026``, ``5/7/2026``)
iso_dates              10467    ISO text dates (``2026-07-05``)
nfd                    10470    decomposed Unicode (NFD) in headers and text
bool_x                 10479    booleans written ``x`` / blank
bool_co                14073    booleans written ``Có`` / ``Không``
period_roman           14079    period written ``Quý III/2026``
signature              14085    signature block below the last row of each table
extra_column           14097    an extra ``Ghi chú`` column in ``Cells`` (warning)
unreported_meetings    17379    some (cell, month) rows missing from ``Meetings``
blank_rows             17385    a fully blank row inside the tables
xls_extension          17388    an .xlsx workbook saved under an ``.xls`` name
stale                  17397    at least one stale cell (last admission 2019-2022)
never_admitted         21744    a cell with blank last_admission_year, never admits
no_target              14091    no row in ``targets.csv``
late                   07347    latest quarter: submitted ~20 days after quarter end
missing                10461    latest quarter: no file at all
rejected_then_fixed    07359    latest quarter: ``…_lan1.xlsx`` rejected (attendees
                                above members, a meeting_date outside its month),
                                ``…_lan2_sua.xlsx`` submitted later and accepted
not_a_workbook         10476    latest quarter: an HTML page saved as ``.xls``, next
                                to the commune's proper return
lock_file              14076    latest quarter: an Office lock file ``~$…xlsx``
over_60                17382    latest quarter: one admission aged 61+ (warning)
name_column            17391    latest quarter: a personal-name column ``Họ và tên``
                                in ``Admissions`` (dropped with a warning)
old_forms              (10)     every return in the province's old forms (issue 13):
                                sheets ``Biểu 1`` … ``Biểu 4``, a title over each
                                table, an ``STT`` column, "Đảng viên" merged over
                                "Chính thức" | "Dự bị (*)" and "Sinh hoạt" over
                                "Định kỳ" | "Chuyên đề", line breaks and footnote
                                marks in headers, each cell code merged down over
                                its month rows, a "Tổng cộng" row under ``Cells``
                                and ``Meetings`` (its sums right), Info labels
                                numbered and merged, the date written "ngày 05
                                tháng 10 năm 2026": 07347, 07356, 10458, 10479,
                                14076, 14079, 14091, 17382, 17385, 17391
=====================  =======  ==================================================

Figures that pass every rule but not the comparisons of SPEC §4a, one of each, are then
planted by :func:`_plant_implausible` in the latest quarter's return of communes with
only a style above (each is a warning named after its rule; the cross-quarter ones need
the previous quarter, the outlier ten communes):

=============================  =======  ==========================================
case                           commune  what it looks like
=============================  =======  ==========================================
members_jump                   07353    a cell's official members typed with two
                                        digits swapped (12 for 21)
cell_disappeared               10467    a cell of the previous return left out
last_admission_year_decreased  14085    a cell's last admission year 3 years before
                                        the previous return's
attendance_copied              17385    ``Meetings`` of the previous return sent
                                        again, the months moved on
attendance_outlier             14079    every meeting held fully attended (100 %)
=============================  =======  ==========================================

``old_forms`` is not one commune: about a third of them (``OLD_FORMS_SHARE``), drawn
for each commune from a stream of its own, so that the other files keep their bytes. An
old-form return holds exactly what its template-style twin would (the same figures, the
same meetings left blank or 0), so it is accepted with the twin's problems, found on
other cells; communes with ``english_headers`` or ``rejected_then_fixed`` keep the
template.

With ``messy=False`` only ``no_target``, ``stale`` and ``never_admitted`` remain:
every return is clean (canonical English or Vietnamese headers, real numbers and
Excel dates) and on time, and nothing is planted.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import html
import io
import os
import random
import shutil
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

PROVINCE_NAME = "Tỉnh Sông Hồng"
DEADLINE_DAYS = 10
STALE_YEARS = 3
# A fixed creation date, so that xlsxwriter's docProps do not depend on the clock.
CREATED = datetime(2026, 1, 1, 8, 0, 0)

# What each deliberate defect means; the keys are what :func:`defects` returns.
DEFECT_DESCRIPTIONS: dict[str, str] = {
    "english_headers": "canonical English headers, sheet names and Info keys",
    "title_rows": "title rows (national motto, sheet title) above every header",
    "numeric_code": "Info commune_code stored as a number",
    "text_numbers": "integers stored as text, some with spaces",
    "dmy_dates": "day-first text dates",
    "iso_dates": "ISO text dates",
    "nfd": "decomposed Unicode (NFD) in headers and text",
    "bool_x": "booleans written x / blank",
    "bool_co": "booleans written Có / Không",
    "period_roman": "period written Quý III/2026",
    "signature": "signature block below the last row",
    "extra_column": "extra Ghi chú column in Cells (warning)",
    "unreported_meetings": "some (cell, month) rows missing from Meetings (warning)",
    "blank_rows": "a fully blank row inside the tables",
    "xls_extension": "an .xlsx workbook saved under an .xls name",
    "stale": "at least one stale cell",
    "never_admitted": "a cell with blank last_admission_year and no admission ever",
    "no_target": "no row in targets.csv",
    "late": "latest quarter: submitted about 20 days after quarter end",
    "missing": "latest quarter: no file",
    "rejected_then_fixed": "latest quarter: a rejected return, then an accepted resubmission",
    "not_a_workbook": "latest quarter: an HTML page saved under an .xls name",
    "lock_file": "latest quarter: an Office lock file ~$….xlsx",
    "over_60": "latest quarter: one admission aged over 60 (warning)",
    "name_column": "latest quarter: a personal-name column in Admissions (warning)",
    "members_jump": "latest quarter: a cell's official members with two digits swapped",
    "cell_disappeared": "latest quarter: a cell of the previous return left out",
    "last_admission_year_decreased": "latest quarter: a cell's last admission year moved back",
    "attendance_copied": "latest quarter: Meetings copied from the previous return",
    "attendance_outlier": "latest quarter: every meeting held fully attended",
}
# Order = preferred position in the commune list (spread evenly when there are more communes).
_DEFECT_ORDER = (
    "english_headers", "late", "title_rows", "numeric_code", "rejected_then_fixed", "text_numbers",
    "dmy_dates", "missing", "iso_dates", "nfd", "not_a_workbook", "bool_x", "bool_co", "lock_file",
    "period_roman", "signature", "no_target", "extra_column", "unreported_meetings", "over_60",
    "blank_rows", "xls_extension", "name_column", "stale", "never_admitted",
)  # fmt: skip
# Defects that decide what files a commune sends in the latest quarter: one per commune.
_EXCLUSIVE = ("missing", "late", "rejected_then_fixed", "not_a_workbook", "lock_file")
# Data facts, kept in clean mode too.
_CLEAN_DEFECTS = ("no_target", "stale", "never_admitted")
# Styles that cannot share a commune because they set the same thing.
_CONFLICTS = ({"dmy_dates", "iso_dates"}, {"bool_x", "bool_co"})

# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

_FIRST = (
    "Tân", "Hòa", "Đông", "Tây", "Nam", "Bắc", "Phú", "An", "Bình", "Vĩnh", "Long", "Thạch", "Hưng",
    "Quang", "Minh", "Thanh", "Xuân", "Hải", "Sơn", "Trung", "Phước", "Thuận", "Đại", "Mỹ", "Cẩm",
    "Kim", "Ngọc", "Lạc", "Hồng", "Yên", "Tiên", "Phong", "Thái", "Hiệp", "Tam", "Định", "Gia",
    "Hoàng", "Nghĩa", "Quảng",
)  # fmt: skip
_SECOND = (
    "Phú", "Bình", "Sơn", "Hòa", "Lợi", "Thành", "An", "Hưng", "Lộc", "Thịnh", "Phong", "Lâm",
    "Điền", "Hải", "Tiến", "Xuân", "Thuận", "Nghĩa", "Đức", "Khánh", "Trạch", "Mỹ", "Long", "Hiệp",
    "Tân", "Quang", "Thọ", "Ninh", "Giang", "Châu",
)  # fmt: skip
# Three-syllable names (Tân Phú Đông) once the two-syllable ones run out at national scale.
_THIRD = ("", " Đông", " Tây", " Nam", " Bắc", " Trung", " Thượng", " Hạ")
_ISLANDS = ("Cồn Cỏ", "Hòn Ngư", "Bạch Hải", "Cù Lao Xanh", "Hòn Mê")
_VILLAGES = (
    "Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Đồng Tâm", "Tân Lập", "Phú Mỹ", "An Lạc",
    "Hòa Bình", "Quyết Thắng", "Đoàn Kết", "Tiền Phong", "Thống Nhất", "Lương Sơn", "Đồng Xuân",
    "Bến Đò", "Cầu Đá", "Gò Cát", "Bãi Bồi", "Chợ Mới", "Làng Vạn", "Phú Lợi", "Mỹ Hưng",
    "Tân Thành", "Hưng Long", "Ninh Giang", "Kim Sơn",
)  # fmt: skip
_HIGHLAND_VILLAGES = (
    "Nà Lầu", "Pá Khoang", "Co Mạ", "Nậm Cắn", "Khau Vai", "Phiêng Luông", "Huổi Một", "Bó Mười",
    "Nà Tấu", "Tà Xùa", "Xà Phìn", "Nà Hang",
)  # fmt: skip
_SURNAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý",
)  # fmt: skip
_MIDDLE_MALE = ("Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh")
_MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Thùy")
_GIVEN_MALE = ("Hùng", "Tuấn", "Dũng", "Nam", "Sơn", "Quân", "Bình", "Long", "Hải", "Cường")
_GIVEN_FEMALE = ("Lan", "Hoa", "Mai", "Hương", "Hà", "Thảo", "Linh", "Phương", "Yến", "Trang")

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# ---------------------------------------------------------------------------
# Headers and labels as clerks write them (aliases of SPEC §3)
# ---------------------------------------------------------------------------

_SHEET_NAMES_VI = {
    "Info": ("Thông tin",),
    "Cells": ("Chi bộ", "Danh sách chi bộ"),
    "Meetings": ("Sinh hoạt", "Sinh hoạt chi bộ"),
    "Admissions": ("Kết nạp", "Kết nạp đảng viên"),
}
_INFO_KEYS_VI = {
    "commune_code": ("Mã xã", "Mã đơn vị"),
    "commune_name": ("Tên xã", "Tên đơn vị"),
    "period": ("Kỳ báo cáo",),
    "submitted_on": ("Ngày báo cáo", "Ngày lập"),
    "prepared_by": ("Người lập",),
}
_HEADERS_VI = {
    "cell_code": ("Mã chi bộ",),
    "cell_name": ("Tên chi bộ",),
    "cell_type": ("Loại hình", "Loại hình chi bộ"),
    "official_members": ("Đảng viên chính thức", "Số ĐV chính thức"),
    "probationary_members": ("Đảng viên dự bị", "Số ĐV dự bị"),
    "last_admission_year": ("Năm kết nạp gần nhất",),
    "month": ("Tháng",),
    "regular_meeting": ("Sinh hoạt định kỳ",),
    "meeting_date": ("Ngày sinh hoạt",),
    "attendees": ("Số đảng viên dự", "Số ĐV dự"),
    "thematic_meeting": ("Sinh hoạt chuyên đề",),
    "higher_level_attendees": ("Cán bộ cấp trên dự",),
    "admitted_on": ("Ngày kết nạp",),
    "sex": ("Giới tính",),
    "birth_year": ("Năm sinh",),
    "ethnicity": ("Dân tộc",),
    "religion": ("Tôn giáo",),
    "occupation": ("Nghề nghiệp",),
    "education": ("Trình độ học vấn",),
    "referred_by": ("Đoàn thể giới thiệu",),
}
_CELL_COLUMNS = (
    "cell_code", "cell_name", "cell_type", "official_members", "probationary_members",
    "last_admission_year",
)  # fmt: skip
_MEETING_COLUMNS = (
    "cell_code", "month", "regular_meeting", "meeting_date", "attendees", "thematic_meeting",
    "higher_level_attendees",
)  # fmt: skip
_ADMISSION_COLUMNS = (
    "cell_code", "admitted_on", "sex", "birth_year", "ethnicity", "religion", "occupation",
    "education", "referred_by",
)  # fmt: skip
# Vietnamese labels per canonical code; the first is the dropdown's usual wording.
_LABELS_VI: dict[str, dict[str, tuple[str, ...]]] = {
    "sex": {"male": ("Nam",), "female": ("Nữ",)},
    "occupation": {
        "civil_servant": ("Cán bộ, công chức, viên chức", "Công chức", "Viên chức"),
        "armed_forces": ("Quân đội, Công an", "Công an", "Lực lượng vũ trang"),
        "agriculture": ("Nông, lâm, ngư nghiệp", "Nông dân"),
        "worker": ("Công nhân",),
        "business": ("Kinh doanh", "Tư nhân", "Doanh nghiệp"),
        "student": ("Học sinh, sinh viên", "Sinh viên"),
        "other": ("Khác",),
    },
    "education": {
        "lower_secondary": ("THCS", "Trung học cơ sở"),
        "upper_secondary": ("THPT", "Trung học phổ thông"),
        "vocational": ("Trung cấp",),
        "higher": ("Đại học", "Cao đẳng"),
        "postgraduate": ("Thạc sĩ", "Sau đại học"),
    },
    "referred_by": {
        "youth_union": ("Đoàn Thanh niên",),
        "women_union": ("Hội Phụ nữ",),
        "farmers_union": ("Hội Nông dân",),
        "veterans_association": ("Hội Cựu chiến binh",),
        "fatherland_front": ("Mặt trận Tổ quốc",),
        "trade_union": ("Công đoàn",),
        "none": ("", "Không"),
    },
}
_PERIOD_FORMATS: dict[str, Callable[[int, int], str]] = {
    "canonical": lambda y, q: f"{y}-Q{q}",
    "compact": lambda y, q: f"{y}Q{q}",
    "slash": lambda y, q: f"Q{q}/{y}",
    "space": lambda y, q: f"Q{q} {y}",
    "quy": lambda y, q: f"Quý {q}/{y}",
    "roman": lambda y, q: f"Quý {_ROMAN[q]}/{y}",
    "quy_nam": lambda y, q: f"Quý {q} năm {y}",
}
_NOTES = (
    "Chi bộ mới sáp nhập",
    "Đã kiện toàn chi ủy",
    "Chuyển đến 2 đảng viên",
    "Bí thư mới được bầu",
    "Ghép sinh hoạt với thôn cũ",
)

# ---------------------------------------------------------------------------
# The data model
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Commune:
    """One commune of ``communes.csv``."""

    code: str
    name: str  # "Xã Tân Phú"
    place: str  # "Tân Phú"
    kind: str  # "Xã", "Phường" or "Đặc khu"
    cluster: str
    highland: bool


@dataclass(slots=True)
class _Cell:
    """A party cell as it evolves through the quarters."""

    code: str
    name: str
    kind: str  # canonical cell_type
    label: str  # Vietnamese cell_type label
    official: int
    base_probationary: int  # probationary members not admitted during the simulated year
    last_year: int | None
    status: str  # "active", "stale" or "never"
    admitted: dict[int, int] = field(default_factory=dict)  # quarter -> admissions


@dataclass(frozen=True, slots=True)
class CellRow:
    """A row of the ``Cells`` sheet."""

    code: str
    name: str
    kind: str
    label: str
    official: int
    probationary: int
    last_year: int | None
    admitted_now: bool


@dataclass(frozen=True, slots=True)
class Meeting:
    """A row of the ``Meetings`` sheet."""

    cell_code: str
    month: int
    held: bool
    on: date | None
    attendees: int
    thematic: bool
    higher: int


@dataclass(frozen=True, slots=True)
class Admission:
    """A row of the ``Admissions`` sheet (canonical codes; labels are chosen when written)."""

    cell_code: str
    admitted_on: date
    sex: str
    birth_year: int
    ethnicity: str
    religion: str
    occupation: str
    education: str
    referred_by: str
    name: str  # only written by a return with a personal-name column


@dataclass(frozen=True)
class Style:
    """How one clerk lays a return out; every choice is valid per SPEC."""

    lang: str = "vi"  # headers, sheet names and Info keys
    code_labels: bool = False  # value lists written as canonical codes
    title_rows: bool = False
    numeric_code: bool = False
    text_numbers: bool = False
    dates: str = "excel"  # excel | dmy | iso
    months: str = "number"  # number | text | date
    nfd: bool = False
    booleans: str = "co"  # co | x | yes | native | digit
    period: str = "canonical"
    signature: bool = False
    notes_column: bool = False
    blank_rows: bool = False
    upper_headers: bool = False
    wrapped_headers: bool = False
    unreported: bool = False
    name_column: bool = False
    blank_recent_year: bool = False  # last_admission_year blank for cells admitting now
    by_month: bool = False  # Meetings sorted by month, then cell
    generic_village: bool = False  # "Thôn, bản, tổ dân phố" for every village cell
    old_form: bool = False  # the province's old forms (sheets "Biểu 1" … "Biểu 4")
    extension: str = ".xlsx"
    file_pattern: int = -1  # -1: the clean "<code>_<year>-Q<q>.xlsx"


@dataclass(frozen=True)
class Return:
    """One return workbook's content."""

    commune: Commune
    year: int
    quarter: int
    cells: tuple[CellRow, ...]
    meetings: tuple[Meeting, ...]
    admissions: tuple[Admission, ...]
    submitted_on: date
    prepared_by: str | None


@dataclass(frozen=True)
class _File:
    """One file to write: a workbook (``ret`` and ``style``) or raw bytes."""

    path: str  # relative to the output folder, POSIX separators
    mtime: float
    ret: Return | None = None
    style: Style | None = None
    payload: bytes = b""


@dataclass
class Plan:
    """Everything :func:`generate` writes, decided before a byte is written."""

    communes: list[Commune]
    defects: dict[str, str]
    files: list[_File]
    old_forms: list[str] = field(default_factory=list)  # codes of communes using old forms


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _ascii(text: str) -> str:
    """Vietnamese without diacritics, as clerks type file names."""
    bare = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in bare if not unicodedata.combining(c))


def _quarter_months(quarter: int) -> tuple[int, int, int]:
    return (3 * quarter - 2, 3 * quarter - 1, 3 * quarter)


def _quarter_end(year: int, quarter: int) -> date:
    month = 3 * quarter
    return date(year, month, calendar.monthrange(year, month)[1])


def _random_day(rng: random.Random, year: int, month: int) -> date:
    return date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def _person(rng: random.Random, female: bool | None = None) -> str:
    if female is None:
        female = rng.random() < 0.5
    middle, given = (_MIDDLE_FEMALE, _GIVEN_FEMALE) if female else (_MIDDLE_MALE, _GIVEN_MALE)
    return f"{rng.choice(_SURNAMES)} {rng.choice(middle)} {rng.choice(given)}"


def _timestamp(day: date, seconds: int = 0) -> float:
    """A file modification time on ``day`` (09:00 UTC); ``seconds`` orders files of a day."""
    return datetime.combine(day, time(9, 0), tzinfo=UTC).timestamp() + seconds


# ---------------------------------------------------------------------------
# Communes and defects
# ---------------------------------------------------------------------------


def _make_communes(count: int, seed: int) -> list[Commune]:
    """The province's communes, sorted by code, grouped into clusters (former districts)."""
    rng = random.Random(f"{seed}:communes")
    pairs = [f"{a} {b}" for a in _FIRST for b in _SECOND if a != b]
    rng.shuffle(pairs)
    places = [p + s for s in _THIRD for p in pairs]
    island = count >= 10
    mainland = count - island
    clusters = max(1, min(4, mainland // 3)) if mainland < 60 else -(-mainland // 12)
    cluster_places = pairs[-clusters:]  # the end of the list, rarely a commune's name
    small = clusters <= 6
    code = rng.randrange(1300, 3000) * 3 if small else rng.randrange(30, 300) * 3
    out: list[Commune] = []
    used = 0
    for k in range(clusters):
        size = mainland // clusters + (k < mainland % clusters)
        if k == 0 and clusters > 1:
            cluster, kinds = f"Thành phố {cluster_places[k]}", ("Phường",)
        elif k == 1 and clusters > 2:
            cluster, kinds = f"Thị xã {cluster_places[k]}", ("Phường", "Xã")
        else:
            cluster, kinds = f"Huyện {cluster_places[k]}", ("Xã",)
        highland = k == clusters - 1 and clusters > 2
        for i in range(size):
            kind = kinds[i % len(kinds)]
            place = places[used]
            used += 1
            out.append(Commune(f"{code:05d}", f"{kind} {place}", place, kind, cluster, highland))
            code += rng.choice((3, 3, 3, 6))
        # Codes jump between former districts; in a small province past 10000, so some
        # codes keep a leading zero and some do not.
        code += rng.randrange(700, 1400) * 3 if small else rng.randrange(1, 10) * 3
    if island:
        name = _ISLANDS[rng.randrange(len(_ISLANDS))]
        code = max(code, 20000) + rng.randrange(0, 500) * 3
        out.append(
            Commune(f"{code:05d}", f"Đặc khu {name}", name, "Đặc khu", f"Huyện đảo {name}", False)
        )
    if code > 99999:
        raise ValueError("too many communes for 5-digit codes")
    return out


def _assign_defects(communes: list[Commune], messy: bool) -> dict[str, str]:
    """Which commune gets which deliberate defect, by position in the commune list."""
    n = len(communes)
    names = _DEFECT_ORDER if messy else tuple(d for d in _DEFECT_ORDER if d in _CLEAN_DEFECTS)
    # Exclusive defects choose first so that small provinces still get them.
    ordered = sorted(names, key=lambda d: (d not in _EXCLUSIVE, _DEFECT_ORDER.index(d)))
    held: dict[int, set[str]] = {i: set() for i in range(n)}

    def fits(defect: str, i: int, empty_only: bool) -> bool:
        mine = held[i]
        if empty_only and mine:
            return False
        if "missing" in mine or (defect == "missing" and mine):
            return False
        if defect in _EXCLUSIVE and mine & set(_EXCLUSIVE):
            return False
        return not any(defect in group and mine & group for group in _CONFLICTS)

    out: dict[str, str] = {}
    for defect in ordered:
        start = _DEFECT_ORDER.index(defect) * n // len(_DEFECT_ORDER)
        probe = [(start + k) % n for k in range(n)]
        chosen = next((i for i in probe if fits(defect, i, True)), None)
        if chosen is None:
            chosen = next((i for i in probe if fits(defect, i, False)), None)
        if chosen is not None:
            held[chosen].add(defect)
            out[defect] = communes[chosen].code
    return {d: out[d] for d in _DEFECT_ORDER if d in out}


# ---------------------------------------------------------------------------
# Cells, meetings, admissions
# ---------------------------------------------------------------------------


def _make_cells(
    rng: random.Random, commune: Commune, count: int, year: int, stale: int, never: int
) -> list[_Cell]:
    """The commune's cells: institutions first, then villages or residential groups."""
    place, local = commune.place, commune.kind.lower()
    institutions = [
        ("Chi bộ Cơ quan Đảng - Đoàn thể", "agency", "Cơ quan", (10, 35)),
        ("Chi bộ Quân sự", "armed_forces", "Quân sự", (8, 20)),
        (f"Chi bộ Trường THCS {place}", "public_service", "Trường học", (8, 30)),
        ("Chi bộ Trạm y tế", "public_service", "Trạm y tế", (8, 16)),
        (f"Chi bộ Công an {local}", "armed_forces", "Công an", (8, 25)),
        ("Chi bộ Cơ quan chính quyền", "agency", "Cơ quan", (10, 35)),
        (f"Chi bộ Trường Tiểu học {place}", "public_service", "Trường học", (8, 25)),
        (f"Chi bộ Hợp tác xã Nông nghiệp {place}", "enterprise", "Doanh nghiệp", (8, 15)),
        (f"Chi bộ Trường Mầm non {place}", "public_service", "Đơn vị sự nghiệp", (8, 20)),
        ("Chi bộ Hưu trí", "other", "Khác", (15, 45)),
        (f"Chi bộ Công ty TNHH {place}", "enterprise", "Doanh nghiệp", (8, 20)),
    ]
    n_inst = min(len(institutions), max(1, round(count * 0.4)))
    specs = [(name, kind, label, size) for name, kind, label, size in institutions[:n_inst]]
    if commune.kind == "Phường":
        prefix, label = rng.choice((("Tổ dân phố", "Tổ dân phố"), ("Khu phố", "Tổ dân phố")))
        pool: Sequence[str] = ()
    elif commune.highland:
        prefix, label, pool = "Bản", "Bản", _HIGHLAND_VILLAGES
    else:
        prefix, label = rng.choice((("Thôn", "Thôn"), ("Thôn", "Thôn"), ("Xóm", "Xóm")))
        pool = _VILLAGES
    named = rng.sample(list(pool), min(len(pool), count - n_inst))
    for i in range(count - n_inst):
        village = named[i] if i < len(named) else str(i - len(named) + 1)
        specs.append((f"Chi bộ {prefix} {village}", "village", label, (15, 60)))

    cells = [
        _Cell(
            code=f"CB{i + 1:02d}",
            name=name,
            kind=kind,
            label=label,
            official=rng.randint(*size),
            base_probationary=rng.choices((0, 1, 2), (4, 4, 2))[0],
            last_year=year - rng.choice((1, 1, 2)),
            status="active",
        )
        for i, (name, kind, label, size) in enumerate(specs)
    ]
    # Stale and never-admitting cells are taken from the end (villages), leaving one active.
    candidates = list(range(1, len(cells)))
    rng.shuffle(candidates)
    for i in candidates[:never]:
        cells[i].status, cells[i].last_year = "never", None
    for i in candidates[never : never + stale]:
        cells[i].status, cells[i].last_year = "stale", year - rng.randint(4, 7)
    return cells


def _probationary(cell: _Cell, quarter: int) -> int:
    """Probationary members at quarter end: admissions stay probationary for 12 months."""
    recent = sum(n for q, n in cell.admitted.items() if quarter - 3 <= q <= quarter)
    return cell.base_probationary + recent


def _make_admission(
    rng: random.Random, cell: _Cell, commune: Commune, year: int, quarter: int, old: bool
) -> Admission:
    admitted_on = _random_day(rng, year, rng.choice(_quarter_months(quarter)))
    female = rng.random() < 0.45
    if old:
        age = rng.randint(61, 63)
    else:
        low, high = rng.choices(((18, 25), (26, 35), (36, 45), (46, 55)), (10, 8, 4, 1))[0]
        age = rng.randint(low, high)
    minorities = ("Tày", "Mường", "Khmer", "Thái", "Nùng", "Dao")
    minority_share = 0.6 if commune.highland else 0.1
    ethnicity = rng.choice(minorities) if rng.random() < minority_share else "Kinh"
    religion = rng.choices(("", "Không", "Phật giáo", "Công giáo"), (55, 25, 12, 8))[0]
    if cell.kind == "armed_forces":
        occupation = "armed_forces"
    elif cell.kind in ("agency", "public_service"):
        occupation = "civil_servant"
    elif cell.kind == "enterprise":
        occupation = rng.choice(("worker", "business"))
    else:
        occupation = rng.choices(
            ("agriculture", "student", "worker", "business", "civil_servant", "other"),
            (40, 12, 14, 12, 8, 6),
        )[0]
    education = rng.choices(
        ("lower_secondary", "upper_secondary", "vocational", "higher", "postgraduate"),
        (10, 40, 15, 30, 5),
    )[0]
    referred_by = rng.choices(
        (
            "youth_union",
            "women_union",
            "farmers_union",
            "veterans_association",
            "fatherland_front",
            "trade_union",
            "none",
        ),
        (40, 15, 15, 5, 5, 8, 12),
    )[0]
    return Admission(
        cell_code=cell.code,
        admitted_on=admitted_on,
        sex="female" if female else "male",
        birth_year=admitted_on.year - age,
        ethnicity=ethnicity,
        religion=religion,
        occupation=occupation,
        education=education,
        referred_by=referred_by,
        name=_person(rng, female),
    )


def _make_meetings(
    rng: random.Random, cells: Sequence[CellRow], year: int, quarter: int
) -> list[Meeting]:
    """One row per cell per month: held ~90 %, a thematic meeting in ~60 % of cells."""
    months = _quarter_months(quarter)
    out: list[Meeting] = []
    for cell in cells:
        members = cell.official + cell.probationary
        held = [rng.random() < 0.9 for _ in months]
        thematic_month = None
        if rng.random() < 0.6 and any(held):
            thematic_month = rng.choice([m for m, h in zip(months, held, strict=True) if h])
        for month, was_held in zip(months, held, strict=True):
            if was_held:
                attendees = rng.randint(max(1, -(-members * 7 // 10)), members)
                higher = rng.choices((0, 1, 2), (6, 3, 1))[0]
                on: date | None = _random_day(rng, year, month)
            else:
                attendees, higher, on = 0, 0, None
            out.append(
                Meeting(cell.code, month, was_held, on, attendees, month == thematic_month, higher)
            )
    return out


def _drop_unreported(rng: random.Random, meetings: list[Meeting]) -> list[Meeting]:
    """Leave out one to three (cell, month) rows, as clerks do."""
    gone = set(rng.sample(range(len(meetings)), min(len(meetings) - 1, rng.randint(1, 3))))
    return [m for i, m in enumerate(meetings) if i not in gone]


def _break_meetings(rng: random.Random, ret: Return) -> Return:
    """The first submission of ``rejected_then_fixed``: two real errors in ``Meetings``."""
    members = {c.code: c.official + c.probationary for c in ret.cells}
    held = [i for i, m in enumerate(ret.meetings) if m.held and m.on is not None]
    if len(held) < 2:  # a tiny commune that met at most once: break any rows there are
        held = list(range(len(ret.meetings)))
    first, second = rng.sample(held, 2) if len(held) > 1 else (held[0], None)
    meetings = list(ret.meetings)
    typo = meetings[first]
    # A typed extra digit: more attendees than the cell has members.
    meetings[first] = replace(
        typo,
        held=True,
        on=typo.on or _random_day(rng, ret.year, typo.month),
        attendees=members[typo.cell_code] * 10 + typo.attendees % 10,
    )
    if second is not None:
        wrong = meetings[second]
        on = wrong.on or _random_day(rng, ret.year, wrong.month)
        wrong = replace(wrong, held=True, attendees=max(1, wrong.attendees))
        # Typed the neighbouring month: still inside the quarter, outside the row's month.
        first_month = _quarter_months(ret.quarter)[0]
        month = wrong.month + 1 if wrong.month == first_month else wrong.month - 1
        meetings[second] = replace(wrong, on=date(ret.year, month, min(on.day, 28)))
    return replace(ret, meetings=tuple(meetings))


# ---------------------------------------------------------------------------
# Styles and file names
# ---------------------------------------------------------------------------


def _random_style(rng: random.Random) -> Style:
    """A messy clerk's habits for one return; every draw happens, so streams stay aligned."""
    lang = "vi" if rng.random() < 0.75 else "en"
    code_labels = rng.random() < 0.6 and lang == "en"
    return Style(
        lang=lang,
        code_labels=code_labels,
        title_rows=rng.random() < 0.35,
        numeric_code=rng.random() < 0.3,
        text_numbers=rng.random() < 0.2,
        dates=rng.choices(("excel", "dmy", "iso"), (55, 33, 12))[0],
        months=rng.choices(("number", "text", "date"), (75, 15, 10))[0],
        nfd=rng.random() < 0.15,
        booleans=rng.choices(("co", "x", "yes", "native", "digit"), (35, 30, 10, 15, 10))[0],
        period=rng.choice(list(_PERIOD_FORMATS)),
        signature=rng.random() < 0.3,
        notes_column=rng.random() < 0.1,
        blank_rows=rng.random() < 0.1,
        upper_headers=rng.random() < 0.15,
        wrapped_headers=rng.random() < 0.15,
        unreported=rng.random() < 0.1,
        blank_recent_year=rng.random() < 0.15,
        by_month=rng.random() < 0.3,
        generic_village=rng.random() < 0.2,
        extension=".xls" if rng.random() < 0.03 else ".xlsx",
        file_pattern=rng.randrange(7),
    )


def _clean_style(rng: random.Random) -> Style:
    lang = "vi" if rng.random() < 0.6 else "en"
    return Style(lang=lang, booleans="co" if lang == "vi" else "yes")


_FORCED: dict[str, dict[str, object]] = {
    "english_headers": {"lang": "en"},
    "title_rows": {"title_rows": True},
    "numeric_code": {"numeric_code": True},
    "text_numbers": {"text_numbers": True},
    "dmy_dates": {"dates": "dmy"},
    "iso_dates": {"dates": "iso"},
    "nfd": {"nfd": True},
    "bool_x": {"booleans": "x"},
    "bool_co": {"booleans": "co"},
    "period_roman": {"period": "roman"},
    "signature": {"signature": True},
    "extra_column": {"notes_column": True},
    "unreported_meetings": {"unreported": True},
    "blank_rows": {"blank_rows": True},
    "xls_extension": {"extension": ".xls"},
}


# A third of the clerks adapt the province's old forms rather than the template (issue 13).
OLD_FORMS_SHARE = 1 / 3
# Defects an old form does not carry: its headers are Vietnamese, and the sample's
# old-form returns are all accepted.
_NOT_IN_OLD_FORMS = {"english_headers", "rejected_then_fixed"}


def _fills_old_forms(commune: Commune, mine: set[str], seed: int, messy: bool) -> bool:
    """Whether the commune's clerk sends every return in the old forms.

    Drawn from a stream of its own, so that no other draw of the sample moves.
    """
    draw = random.Random(f"{seed}:{commune.code}:form").random()
    return messy and not mine & _NOT_IN_OLD_FORMS and draw < OLD_FORMS_SHARE


def _file_name(commune: Commune, year: int, quarter: int, style: Style, suffix: str = "") -> str:
    """A file name such as clerks send; it carries no meaning."""
    ascii_name = _ascii(commune.name)
    camel = "".join(w.capitalize() for w in ascii_name.split())
    lower = ascii_name.lower()
    ext = style.extension
    patterns = (
        f"BaoCao_Q{quarter}_{year}_{camel}{suffix}{ext}",
        f"bao cao quy {quarter} - {lower}{suffix}{ext}",
        f"{commune.code}_BC_Q{quarter}.{year}{suffix}{ext}",
        f"Báo cáo quý {_ROMAN[quarter]} năm {year} - {commune.name}{suffix}{ext}",
        f"{camel}_ChiBo_Q{quarter}-{year}{suffix} (1){ext}",
        f"BC_XDD_{lower.replace(' ', '_')}_q{quarter}_{year}{suffix}_final{ext}",
        f"{commune.code} {commune.name} Q{quarter}-{year}{suffix}{ext}",
    )
    if style.file_pattern < 0:
        return f"{commune.code}_{year}-Q{quarter}{suffix}{ext}"
    return patterns[style.file_pattern]


def _lock_file(user: str) -> bytes:
    """Bytes like an Office owner file: the user's name twice, padded to 165 bytes."""
    ascii_user = _ascii(user)[:53].encode("ascii")
    wide = _ascii(user)[:53].encode("utf-16-le")
    body = bytes([len(ascii_user)]) + ascii_user.ljust(53, b" ") + bytes([len(ascii_user), 0])
    return (body + wide).ljust(165, b"\x20")[:165]


def _web_page(ret: Return) -> bytes:
    """What a web portal's "export to Excel" button gives: an HTML table named .xls."""
    rows = "\n".join(
        f"<tr><td>{c.code}</td><td>{html.escape(c.name)}</td><td>{html.escape(c.label)}</td>"
        f"<td>{c.official}</td><td>{c.probationary}</td></tr>"
        for c in ret.cells
    )
    page = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">\n'
        '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>Danh sách chi bộ - {html.escape(ret.commune.name)}</title></head>\n"
        '<body><table border="1">\n'
        "<tr><th>Mã chi bộ</th><th>Tên chi bộ</th><th>Loại hình</th>"
        "<th>Đảng viên chính thức</th><th>Đảng viên dự bị</th></tr>\n"
        f"{rows}\n</table></body></html>\n"
    )
    return page.encode("utf-8")


# ---------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------


def plan(
    communes: int = 25,
    year: int = 2026,
    quarters: tuple[int, ...] = (1, 2, 3),
    seed: int = 7,
    cells_range: tuple[int, int] = (6, 14),
    messy: bool = True,
) -> Plan:
    """Decide every file's content; :func:`generate` only writes them."""
    if communes < 1 or not quarters or not set(quarters) <= {1, 2, 3, 4}:
        raise ValueError("need at least one commune and quarters among 1-4")
    if not 1 <= cells_range[0] <= cells_range[1]:
        raise ValueError("need 1 <= cells-min <= cells-max")
    quarters = tuple(sorted(set(quarters)))
    province = _make_communes(communes, seed)
    chosen = _assign_defects(province, messy)
    by_code: dict[str, set[str]] = {}
    for defect, code in chosen.items():
        by_code.setdefault(code, set()).add(defect)

    files: list[_File] = []
    applied = dict(chosen)
    old_forms: list[str] = []
    for commune in province:
        mine = by_code.get(commune.code, set())
        old = _fills_old_forms(commune, mine, seed, messy)
        sent, failed = _commune_files(commune, mine, year, quarters, seed, cells_range, messy, old)
        files += sent
        for defect in failed:  # a commune too small to take it
            applied.pop(defect, None)
        if old:
            old_forms.append(commune.code)
    files.extend(_reference_files(province, applied, year, seed))
    if messy:
        files, planted = _plant_implausible(files, province, applied, quarters)
        applied.update(planted)
    return Plan(province, applied, _unique(files), old_forms)


def _unique(files: list[_File]) -> list[_File]:
    """Sorted by path; a name two communes happen to share gets a number, never overwrites."""
    seen: set[str] = set()
    out: list[_File] = []
    for item in sorted(files, key=lambda f: f.path):
        path, n = item.path, 1
        while path.casefold() in seen:
            n += 1
            stem, dot, ext = item.path.rpartition(".")
            path = f"{stem} ({n}).{ext}" if dot else f"{item.path} ({n})"
        seen.add(path.casefold())
        out.append(replace(item, path=path))
    return sorted(out, key=lambda f: f.path)


def _commune_files(
    commune: Commune,
    mine: set[str],
    year: int,
    quarters: tuple[int, ...],
    seed: int,
    cells_range: tuple[int, int],
    messy: bool,
    old_form: bool,
) -> tuple[list[_File], set[str]]:
    """The commune's files for every quarter, and the defects it was too small to take."""
    rng = random.Random(f"{seed}:{commune.code}:data")
    style_rng = random.Random(f"{seed}:{commune.code}:style")
    count = rng.randint(*cells_range)
    never = min(1 if "never_admitted" in mine else 0, count - 1)
    stale = max(rng.choices((0, 1, 2), (6, 3, 1))[0], "stale" in mine)
    stale = min(stale, max(0, count - 1 - never))
    cells = _make_cells(rng, commune, count, year, stale, never)
    clerk = _person(rng)
    failed = {d for d, ok in (("stale", stale), ("never_admitted", never)) if d in mine and not ok}

    files: list[_File] = []
    for quarter in quarters:
        now = mine if quarter == quarters[-1] else set()  # exclusive defects: latest quarter
        wants_one = bool(now & {"over_60", "name_column"})
        rows, meetings, admissions = _simulate_quarter(
            rng, commune, cells, year, quarter, wants_one, "over_60" in now
        )
        if wants_one and not admissions:
            failed |= now & {"over_60", "name_column"}

        style = _random_style(style_rng) if messy else _clean_style(style_rng)
        for defect in mine:
            style = replace(style, **_FORCED.get(defect, {}))  # type: ignore[arg-type]
        style = replace(style, name_column="name_column" in now)
        if old_form:
            style = replace(style, old_form=True)
        if style.unreported:
            meetings = _drop_unreported(rng, meetings)
        delay = rng.choice((1, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 10))
        submitted_on = _quarter_end(year, quarter) + timedelta(days=delay)
        # prepared_by is optional, and some clerks leave it out.
        prepared_by = None if messy and rng.random() < 0.1 else clerk
        ret = Return(
            commune,
            year,
            quarter,
            rows,
            tuple(meetings),
            tuple(admissions),
            submitted_on,
            prepared_by,
        )
        files += _files_sent(rng, ret, style, now, clerk)
    return files, failed


def _simulate_quarter(
    rng: random.Random,
    commune: Commune,
    cells: list[_Cell],
    year: int,
    quarter: int,
    wants_one: bool,
    first_over_60: bool,
) -> tuple[tuple[CellRow, ...], list[Meeting], list[Admission]]:
    """Advance the cells by one quarter: member drift, admissions, meetings."""
    for cell in cells:
        cell.official = min(60, max(8, cell.official + rng.choice((-1, 0, 0, 0, 0, 1))))
        drift = rng.choice((-1, 0, 0, 0, 1))
        cell.base_probationary = min(2, max(0, cell.base_probationary + drift))
    wanted = rng.choices(range(6), (3, 5, 5, 4, 2, 1))[0]
    if wants_one:
        wanted = max(wanted, 1)
    admissions: list[Admission] = []
    for _ in range(wanted):
        # Probationary members stay at most 4: a cell admits only while it has room.
        room = [c for c in cells if c.status == "active" and _probationary(c, quarter) < 4]
        if not room:
            break
        cell = rng.choice(room)
        cell.admitted[quarter] = cell.admitted.get(quarter, 0) + 1
        cell.last_year = year
        old = first_over_60 and not admissions
        admissions.append(_make_admission(rng, cell, commune, year, quarter, old))
    for cell in cells:
        # The drift may have raised a cell that admitted earlier past 4: lower it back.
        cell.base_probationary -= max(0, _probationary(cell, quarter) - 4)
    admissions.sort(key=lambda a: (a.admitted_on, a.cell_code))
    rows = tuple(
        CellRow(
            c.code,
            c.name,
            c.kind,
            c.label,
            c.official,
            _probationary(c, quarter),
            c.last_year,
            quarter in c.admitted,
        )
        for c in cells
    )
    return rows, _make_meetings(rng, rows, year, quarter), admissions


def _files_sent(
    rng: random.Random, ret: Return, style: Style, now: set[str], clerk: str
) -> list[_File]:
    """What the commune drops into the raw folder for one quarter, defects included."""
    if "missing" in now:
        return []
    folder = f"raw/{ret.year}-Q{ret.quarter}"
    end = _quarter_end(ret.year, ret.quarter)
    if "late" in now:
        ret = replace(ret, submitted_on=end + timedelta(days=rng.randint(18, 22)))
    if "rejected_then_fixed" in now:
        first_day = end + timedelta(days=rng.randint(1, 4))
        second_day = first_day + timedelta(days=rng.randint(2, 5))
        broken = _break_meetings(rng, replace(ret, submitted_on=first_day))
        fixed = replace(ret, submitted_on=second_day)
        return [
            _File(
                f"{folder}/{_file_name(ret.commune, ret.year, ret.quarter, style, suffix)}",
                _timestamp(version.submitted_on),
                version,
                style,
            )
            for version, suffix in ((broken, "_lan1"), (fixed, "_lan2_sua"))
        ]
    name = _file_name(ret.commune, ret.year, ret.quarter, style)
    files = [_File(f"{folder}/{name}", _timestamp(ret.submitted_on), ret, style)]
    if "lock_file" in now:
        # Office names its lock file "~$" plus the name without its first two characters.
        lock = "~$" + Path(name).stem[2:] + ".xlsx"
        stamp = _timestamp(ret.submitted_on, 60)
        files.append(_File(f"{folder}/{lock}", stamp, payload=_lock_file(clerk)))
    if "not_a_workbook" in now:
        web = f"{_ascii(ret.commune.place).replace(' ', '')}_export_Q{ret.quarter}_{ret.year}.xls"
        stamp = _timestamp(ret.submitted_on - timedelta(days=1))
        files.append(_File(f"{folder}/{web}", stamp, payload=_web_page(ret)))
    return files


# ---------------------------------------------------------------------------
# Implausible figures (SPEC §4a), planted after everything else is decided
# ---------------------------------------------------------------------------

# The cases in order; the k-th starts its search at the k-th fifth of the candidates.
_IMPLAUSIBLE = (
    "members_jump", "cell_disappeared", "last_admission_year_decreased", "attendance_copied",
    "attendance_outlier",
)  # fmt: skip
_ACROSS_COMMUNES = ("attendance_outlier",)  # needs no previous quarter, but ten communes


def _plant_implausible(
    files: list[_File], communes: list[Commune], defects: dict[str, str], quarters: tuple[int, ...]
) -> tuple[list[_File], dict[str, str]]:
    """The files with one case of each implausible figure planted in the latest quarter's
    return of a commune whose defects are only styles, and case -> commune code.

    Nothing random is drawn: the other files stay byte for byte what they were.
    """
    latest = quarters[-1]
    has_previous = len(quarters) > 1 and quarters[-2] == latest - 1
    returns = {
        (f.ret.commune.code, f.ret.quarter): i for i, f in enumerate(files) if f.ret is not None
    }
    styled = set(_FORCED) - {"unreported_meetings"}
    holders = {code for d, code in defects.items() if d not in styled}
    candidates = [c.code for c in communes if c.code not in holders and (c.code, latest) in returns]
    planted: dict[str, str] = {}
    for k, case in enumerate(_IMPLAUSIBLE):
        across = case in _ACROSS_COMMUNES
        if not candidates or (across and len(communes) < 10) or (not across and not has_previous):
            continue
        start = k * len(candidates) // len(_IMPLAUSIBLE) + 1
        for n in range(len(candidates)):
            code = candidates[(start + n) % len(candidates)]
            if code in planted.values():
                continue
            i = returns[(code, latest)]
            ret = files[i].ret
            before = files[returns[(code, latest - 1)]].ret if has_previous else None
            assert ret is not None
            changed = _PLANTERS[case](ret, before)
            if changed is not None:
                files[i] = replace(files[i], ret=changed)
                planted[case] = code
                break
    return files, planted


def _members_jump(ret: Return, _before: Return | None) -> Return | None:
    """A cell's official members with their two digits swapped (the smallest such jump that
    passes max(5, 25 %)); more members, so no attendance exceeds them."""
    admitted = {c.code: sum(a.cell_code == c.code for a in ret.admissions) for c in ret.cells}
    jumps = []
    for i, cell in enumerate(ret.cells):
        typed = int(str(cell.official)[::-1]) if 10 <= cell.official <= 99 else 0
        members = cell.official + cell.probationary
        if typed - cell.official > max(5, members / 4) + admitted[cell.code]:
            jumps.append((typed - cell.official, i, typed))
    if not jumps:
        return None
    _jump, i, typed = min(jumps)
    cells = list(ret.cells)
    cells[i] = replace(cells[i], official=typed)
    return replace(ret, cells=tuple(cells))


def _cell_disappeared(ret: Return, _before: Return | None) -> Return | None:
    """The last cell that admitted nobody this quarter left out, with its meetings."""
    gone = [c for c in ret.cells if not c.admitted_now and ret.cells.index(c) > 0]
    if not gone:
        return None
    code = gone[-1].code
    return replace(
        ret,
        cells=tuple(c for c in ret.cells if c.code != code),
        meetings=tuple(m for m in ret.meetings if m.cell_code != code),
    )


def _last_admission_year_decreased(ret: Return, before: Return | None) -> Return | None:
    """A cell that admitted nobody this quarter, its last admission year 3 years earlier."""
    assert before is not None
    earlier = {c.code: c.last_year for c in before.cells}
    for i, cell in enumerate(ret.cells):
        if not cell.admitted_now and cell.last_year is not None and earlier.get(cell.code):
            cells = list(ret.cells)
            cells[i] = replace(cell, last_year=cell.last_year - 3)
            return replace(ret, cells=tuple(cells))
    return None


def _attendance_copied(ret: Return, before: Return | None) -> Return | None:
    """The previous return's meetings sent again, each moved three months on; only where
    every attendance still fits the cell and at least five cells meet in both quarters."""
    assert before is not None
    members = {c.code: c.official + c.probationary for c in ret.cells}
    moved = [m for m in before.meetings if m.cell_code in members]
    if any(m.attendees > members[m.cell_code] for m in moved):
        return None
    if len({m.cell_code for m in moved if m.held}) < 5:
        return None
    copied = [replace(m, month=m.month + 3, on=_months_on(m.on, 3)) for m in moved]
    kept = [m for m in ret.meetings if m.cell_code not in {c.cell_code for c in moved}]
    return replace(ret, meetings=tuple(sorted(copied + kept, key=lambda m: (m.cell_code, m.month))))


def _months_on(day: date | None, months: int) -> date | None:
    if day is None:
        return None
    month = day.month + months
    return date(day.year, month, min(day.day, calendar.monthrange(day.year, month)[1]))


def _attendance_outlier(ret: Return, _before: Return | None) -> Return | None:
    """Every meeting held attended by all the cell's members."""
    members = {c.code: c.official + c.probationary for c in ret.cells}
    if not any(m.held for m in ret.meetings):
        return None
    full = [replace(m, attendees=members[m.cell_code]) if m.held else m for m in ret.meetings]
    return replace(ret, meetings=tuple(full))


_PLANTERS: dict[str, Callable[[Return, Return | None], Return | None]] = {
    "members_jump": _members_jump,
    "cell_disappeared": _cell_disappeared,
    "last_admission_year_decreased": _last_admission_year_decreased,
    "attendance_copied": _attendance_copied,
    "attendance_outlier": _attendance_outlier,
}


def _reference_files(
    communes: list[Commune], defects: dict[str, str], year: int, seed: int
) -> list[_File]:
    """``communes.csv``, ``targets.csv``, ``referral_targets.csv``, ``contacts.csv`` and
    ``province.toml``."""
    rng = random.Random(f"{seed}:reference")
    stamp = _timestamp(date(year, 1, 5))

    def table(header: Sequence[str], rows: list[Sequence[object]]) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8")

    no_target = defects.get("no_target")
    targets = [(c.code, year, rng.randint(4, 15)) for c in communes if c.code != no_target]
    referral_rows: list[Sequence[object]] = []
    picked = rng.sample(communes, min(len(communes), rng.choice((3, 4))))
    unions = ("youth_union", "farmers_union", "women_union", "veterans_association", "trade_union")
    for commune in sorted(picked, key=lambda c: c.code):
        for union in sorted(rng.sample(unions, rng.randint(2, 3)), key=unions.index):
            referral_rows.append((commune.code, year, union, rng.randint(1, 4)))
    toml = (
        f'province_name = "{PROVINCE_NAME}"\n'
        f"deadline_days = {DEADLINE_DAYS}\n"
        f"stale_years = {STALE_YEARS}\n"
        'language = "vi"\n'
        f'board_email = "bantochuc@{MAIL_DOMAIN}"\n'
    )
    return [
        _File(
            "reference/communes.csv",
            stamp,
            payload=table(
                ("commune_code", "commune_name", "cluster"),
                [(c.code, c.name, c.cluster) for c in communes],
            ),
        ),
        _File(
            "reference/targets.csv",
            stamp,
            payload=table(("commune_code", "year", "admissions_target"), targets),
        ),
        _File(
            "reference/referral_targets.csv",
            stamp,
            payload=table(
                ("commune_code", "year", "referred_by", "referrals_target"), referral_rows
            ),
        ),
        _File(
            "reference/contacts.csv",
            stamp,
            payload=table(("commune_code", "email", "name"), _contacts(communes, defects)),
        ),
        _File("reference/province.toml", stamp, payload=toml.encode("utf-8")),
    ]


MAIL_DOMAIN = "songhong.example"  # a reserved domain (RFC 2606): nothing is ever delivered


def _contacts(communes: list[Commune], defects: dict[str, str]) -> list[Sequence[object]]:
    """Every commune's office address; the first has a second one (its secretary), and
    the commune without a target has none, so `distribute` shows both cases."""
    rows: list[Sequence[object]] = []
    for i, commune in enumerate(communes):
        if commune.code == defects.get("no_target"):
            continue
        local = "-".join(_ascii(commune.name).lower().split())
        addresses = [f"vanphong.{local}@{MAIL_DOMAIN}"]
        if i == 0:
            addresses.append(f"bithu.{local}@{MAIL_DOMAIN}")
        rows.append((commune.code, ";".join(addresses), f"Văn phòng Đảng ủy {commune.name}"))
    return rows


# ---------------------------------------------------------------------------
# Writing a workbook
# ---------------------------------------------------------------------------


class _Writer:
    """Writes one return in one style; the per-value whims come from ``rng``."""

    def __init__(self, book: xlsxwriter.Workbook, style: Style, rng: random.Random) -> None:
        self.book, self.style, self.rng = book, style, rng
        self.header = book.add_format(
            {
                "bold": True,
                "text_wrap": True,
                "valign": "vcenter",
                "border": 1,
                "bg_color": "#DDEBF7",
            }
        )
        self.title = book.add_format({"bold": True, "align": "center"})
        self.date_format = book.add_format({"num_format": "dd/mm/yyyy"})
        self.month_format = book.add_format({"num_format": "mm/yyyy"})
        self.code_format = book.add_format({"num_format": "00000"})
        self.motto_left = rng.random() < 0.5  # one title layout per file
        # One wording per value list and file: a clerk picks from the same dropdown.
        self.labels = {
            (lst, code): rng.choice(labels)
            for lst, by_code in _LABELS_VI.items()
            for code, labels in by_code.items()
        }

    def text(self, ws: Worksheet, row: int, col: int, value: str | None) -> None:
        if value:
            form = "NFD" if self.style.nfd else "NFC"
            ws.write_string(row, col, unicodedata.normalize(form, value))

    def integer(self, ws: Worksheet, row: int, col: int, value: int | None) -> None:
        if value is None:
            return
        if self.style.text_numbers and self.rng.random() < 0.7:
            ws.write_string(row, col, f" {value} " if self.rng.random() < 0.3 else str(value))
        else:
            ws.write_number(row, col, value)

    def day(self, ws: Worksheet, row: int, col: int, value: date | None) -> None:
        if value is None:
            return
        if self.style.dates == "excel":
            ws.write_datetime(row, col, value, self.date_format)
        elif self.style.dates == "iso":
            ws.write_string(row, col, value.isoformat())
        elif self.rng.random() < 0.6:
            ws.write_string(row, col, f"{value.day:02d}/{value.month:02d}/{value.year}")
        else:
            ws.write_string(row, col, f"{value.day}/{value.month}/{value.year}")

    def month(self, ws: Worksheet, row: int, col: int, year: int, month: int) -> None:
        if self.style.months == "text":
            ws.write_string(row, col, f"{month:02d}/{year}")
        elif self.style.months == "date":
            ws.write_datetime(row, col, date(year, month, 1), self.month_format)
        else:
            self.integer(ws, row, col, month)

    def boolean(self, ws: Worksheet, row: int, col: int, value: bool, blank_false: bool) -> None:
        kind = self.style.booleans
        if kind == "native":
            ws.write_boolean(row, col, value)
        elif kind == "digit":
            ws.write_number(row, col, int(value))
        elif value or not blank_false:
            words = {"co": ("Có", "Không"), "x": ("x", ""), "yes": ("Yes", "No")}[kind]
            self.text(ws, row, col, words[0] if value else words[1])

    def label(self, lst: str, code: str) -> str:
        if self.style.code_labels:
            return "" if code == "none" else code
        return self.labels[(lst, code)]

    def headers(self, ws: Worksheet, row: int, names: Sequence[str]) -> None:
        for col, name in enumerate(names):
            shown = name
            if self.style.upper_headers:
                shown = shown.upper()
            if self.style.wrapped_headers and shown.count(" ") >= 2:
                # Alt+Enter in the middle of a long header; whitespace does not count.
                words = shown.split(" ")
                half = len(words) // 2
                shown = " ".join(words[:half]) + "\n" + " ".join(words[half:])
            form = "NFD" if self.style.nfd else "NFC"
            ws.write_string(row, col, unicodedata.normalize(form, shown), self.header)

    def column_names(self, columns: Sequence[str]) -> list[str]:
        if self.style.lang == "en":
            return list(columns)
        return [self.pick(_HEADERS_VI[c]) for c in columns]

    def pick(self, options: Sequence[str]) -> str:
        return options[0] if len(options) == 1 or self.rng.random() < 0.7 else options[1]

    def sheet(self, canonical: str) -> Worksheet:
        name = canonical if self.style.lang == "en" else self.pick(_SHEET_NAMES_VI[canonical])
        return self.book.add_worksheet(name)

    def titles(self, ws: Worksheet, ret: Return, title: str, width: int) -> int:
        """The national motto and a sheet title; returns the header's row index."""
        if not self.style.title_rows:
            return 0
        last = max(width - 1, 1)
        if not self.motto_left:
            ws.merge_range(0, 0, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", self.title)
            ws.merge_range(1, 0, 1, last, "Độc lập - Tự do - Hạnh phúc", self.title)
        else:
            self.text(ws, 0, 0, f"ĐẢNG BỘ {ret.commune.name.upper()}")
            self.text(ws, 0, min(3, last), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
            self.text(ws, 1, min(3, last), "Độc lập - Tự do - Hạnh phúc")
        period = f"QUÝ {ret.quarter}/{ret.year}"
        ws.merge_range(3, 0, 3, last, f"{title} {period}", self.title)
        return 5 if self.rng.random() < 0.5 else 4

    def signature(self, ws: Worksheet, ret: Return, row: int, width: int) -> None:
        """A signature block after a blank row, away from the cell_code column."""
        if not self.style.signature:
            return
        right = max(2, width - 3)
        when = ret.submitted_on
        self.text(
            ws,
            row + 1,
            right,
            f"{ret.commune.place}, ngày {when.day:02d} tháng {when.month:02d} năm {when.year}",
        )
        self.text(ws, row + 2, 1, "Người lập biểu")
        self.text(ws, row + 2, right, "T/M ĐẢNG ỦY")
        self.text(ws, row + 3, right, "Bí thư")
        self.text(ws, row + 6, 1, ret.prepared_by or "")
        self.text(ws, row + 6, right, _person(self.rng))

    def data_rows(self, start: int, count: int) -> list[int]:
        """Row indexes for ``count`` records, with a stray blank row in some files."""
        gap = self.rng.randrange(1, count) if self.style.blank_rows and count > 1 else None
        return [start + i + (gap is not None and i >= gap) for i in range(count)]


def _write_info(w: _Writer, ret: Return) -> None:
    ws = w.sheet("Info")
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 28)
    row = 0
    if w.style.title_rows:
        w.text(ws, 0, 0, "BÁO CÁO CÔNG TÁC XÂY DỰNG ĐẢNG")
        row = 2

    def key(canonical: str) -> str:
        return canonical if w.style.lang == "en" else w.pick(_INFO_KEYS_VI[canonical])

    w.text(ws, row, 0, key("commune_code"))
    if w.style.numeric_code:
        ws.write_number(
            row, 1, int(ret.commune.code), w.code_format if w.rng.random() < 0.5 else None
        )
    else:
        ws.write_string(row, 1, ret.commune.code)
    w.text(ws, row + 1, 0, key("commune_name"))
    w.text(ws, row + 1, 1, ret.commune.name)
    w.text(ws, row + 2, 0, key("period"))
    w.text(ws, row + 2, 1, _PERIOD_FORMATS[w.style.period](ret.year, ret.quarter))
    w.text(ws, row + 3, 0, key("submitted_on"))
    w.day(ws, row + 3, 1, ret.submitted_on)
    if ret.prepared_by:
        w.text(ws, row + 4, 0, key("prepared_by"))
        w.text(ws, row + 4, 1, ret.prepared_by)


def _write_cells(w: _Writer, ret: Return) -> None:
    ws = w.sheet("Cells")
    names = w.column_names(_CELL_COLUMNS)
    if w.style.notes_column:
        names.append("Ghi chú")
    assigned = _assignments(ret)
    if assigned is not None:
        names.append(_OPTIONAL_HEADERS[w.style.lang][0])
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 38)
    ws.set_column(2, len(names) - 1, 14)
    top = w.titles(ws, ret, "DANH SÁCH CHI BỘ", len(names))
    w.headers(ws, top, names)
    rows = w.data_rows(top + 1, len(ret.cells))
    for r, cell in zip(rows, ret.cells, strict=True):
        ws.write_string(r, 0, cell.code)
        w.text(ws, r, 1, cell.name)
        if w.style.code_labels:
            kind = cell.kind
        elif cell.kind == "village" and w.style.generic_village:
            kind = "Thôn, bản, tổ dân phố"
        else:
            kind = cell.label
        w.text(ws, r, 2, kind)
        w.integer(ws, r, 3, cell.official)
        w.integer(ws, r, 4, cell.probationary)
        blank = cell.admitted_now and w.style.blank_recent_year
        w.integer(ws, r, 5, None if blank else cell.last_year)
        if w.style.notes_column and w.rng.random() < 0.2:
            w.text(ws, r, 6, w.rng.choice(_NOTES))
        if assigned is not None:
            w.text(ws, r, len(names) - 1, assigned.members.get(cell.code))
    w.signature(ws, ret, rows[-1] + 1, len(names))


def _start_meetings(w: _Writer, ret: Return) -> tuple[Worksheet, list[str], int, bool, bool]:
    """The Meetings sheet with its header, and how this clerk writes what was not held."""
    ws = w.sheet("Meetings")
    names = w.column_names(_MEETING_COLUMNS)
    assigned = _assignments(ret)
    if assigned is not None:
        names += list(_OPTIONAL_HEADERS[w.style.lang][1:])
    ws.set_column(0, len(names) - 1, 14)
    top = w.titles(ws, ret, "TÌNH HÌNH SINH HOẠT CHI BỘ", len(names))
    w.headers(ws, top, names)
    zero_blank = w.rng.random() < 0.5  # "blank or 0 when not held"
    false_blank = w.rng.random() < 0.5  # thematic: blank = false
    return ws, names, top, zero_blank, false_blank


def _write_meetings(w: _Writer, ret: Return) -> None:
    ws, names, top, zero_blank, false_blank = _start_meetings(w, ret)
    assigned = _assignments(ret)
    meetings = list(ret.meetings)
    if w.style.by_month:
        meetings.sort(key=lambda m: (m.month, m.cell_code))
    rows = w.data_rows(top + 1, len(meetings))
    for r, m in zip(rows, meetings, strict=True):
        ws.write_string(r, 0, m.cell_code)
        w.month(ws, r, 1, ret.year, m.month)
        w.boolean(ws, r, 2, m.held, blank_false=False)
        w.day(ws, r, 3, m.on)
        w.integer(ws, r, 4, None if not m.held and zero_blank else m.attendees)
        w.boolean(ws, r, 5, m.thematic, blank_false=false_blank)
        w.integer(ws, r, 6, None if m.higher == 0 and zero_blank else m.higher)
        if assigned is not None:
            attended, rating = assigned.meetings.get((m.cell_code, m.month), (False, None))
            if m.cell_code in assigned.members:
                w.boolean(ws, r, 7, attended, blank_false=True)
            w.text(ws, r, 8, rating)
    if rows:
        w.signature(ws, ret, rows[-1] + 1, len(names))


# The optional columns of SPEC §3: the committee member assigned to each cell ("Project
# 16"), whether they attended its meetings, and the meeting's rating. About one commune in
# seven leaves them out (their figures are then NULL); the others keep one committee from
# quarter to quarter. Drawn from their own random streams: the rest of a return is as if
# the columns did not exist.
_OPTIONAL_HEADERS = {
    "vi": ("Cấp ủy viên phụ trách", "Cấp ủy phụ trách dự", "Xếp loại"),
    "en": ("assigned_member", "assigned_member_attended", "meeting_rating"),
}
_RATINGS = (("Tốt", 0.45), ("Khá", 0.35), ("Trung bình", 0.15), ("Kém", 0.05))


@dataclass(frozen=True)
class _Assignments:
    members: dict[str, str]  # cell code -> its assigned committee member
    meetings: dict[tuple[str, int], tuple[bool, str | None]]  # (cell, month) -> attended, rating


def _assignments(ret: Return) -> _Assignments | None:
    """What a return writes in the optional columns; None for a commune that leaves them out."""
    committee = random.Random(f"assigned:{ret.commune.code}")
    if committee.random() < 0.15:
        return None
    people = [_person(committee) for _ in range(committee.randint(4, 7))]
    # most members attend most meetings of their cells; some hardly go
    keen = {person: committee.choice((0.95, 0.85, 0.8, 0.7, 0.35)) for person in people}
    members = {
        cell.code: committee.choice(people)
        for cell in sorted(ret.cells, key=lambda c: c.code)
        if committee.random() < 0.85
    }
    quarter = random.Random(f"assigned:{ret.commune.code}:{ret.year}-Q{ret.quarter}")
    meetings: dict[tuple[str, int], tuple[bool, str | None]] = {}
    for m in ret.meetings:
        if m.held:
            rated = quarter.random() < 0.9
            label = quarter.choices([r for r, _ in _RATINGS], [w for _, w in _RATINGS])[0]
            attended = m.cell_code in members and quarter.random() < keen[members[m.cell_code]]
            meetings[(m.cell_code, m.month)] = (attended, label if rated else None)
    return _Assignments(members, meetings)


def _write_admissions(w: _Writer, ret: Return) -> None:
    ws = w.sheet("Admissions")
    names = w.column_names(_ADMISSION_COLUMNS)
    if w.style.name_column:
        names.insert(1, "Họ và tên")
    ws.set_column(0, len(names) - 1, 14)
    top = w.titles(ws, ret, "DANH SÁCH ĐẢNG VIÊN MỚI KẾT NẠP", len(names))
    w.headers(ws, top, names)
    shift = 1 if w.style.name_column else 0
    rows = w.data_rows(top + 1, len(ret.admissions))
    for r, a in zip(rows, ret.admissions, strict=True):
        ws.write_string(r, 0, a.cell_code)
        if w.style.name_column:
            w.text(ws, r, 1, a.name)
        w.day(ws, r, 1 + shift, a.admitted_on)
        sex = a.sex if w.style.code_labels else w.label("sex", a.sex)
        w.text(ws, r, 2 + shift, sex)
        w.integer(ws, r, 3 + shift, a.birth_year)
        w.text(ws, r, 4 + shift, a.ethnicity)
        religion = "None" if a.religion == "Không" and w.style.lang == "en" else a.religion
        w.text(ws, r, 5 + shift, religion)
        w.text(ws, r, 6 + shift, w.label("occupation", a.occupation))
        w.text(ws, r, 7 + shift, w.label("education", a.education))
        w.text(ws, r, 8 + shift, w.label("referred_by", a.referred_by))
    # No signature under an empty table: with no cell_code row it is not "after the last row".
    if rows:
        w.signature(ws, ret, rows[-1] + 1, len(names))


# ---------------------------------------------------------------------------
# The province's old forms (issue 13): the same return, laid out as clerks adapt it
# ---------------------------------------------------------------------------


class _OldForm:
    """The old forms' look: titles over the table, headers (some merged) with borders."""

    def __init__(self, w: _Writer, ws: Worksheet) -> None:
        self.w, self.ws = w, ws
        # Made here, not in _Writer: a format added to a workbook is written into it, and
        # the template-style returns must keep their bytes.
        self.merged = w.book.add_format({"valign": "vcenter", "align": "center"})

    def shown(self, text: str) -> str:
        return unicodedata.normalize("NFD" if self.w.style.nfd else "NFC", text)

    def put(
        self, row: int, col: int, value: str | int, fmt: object, rows: int = 1, cols: int = 1
    ) -> None:
        """One value, merged over ``rows`` × ``cols`` cells."""
        shown = self.shown(value) if isinstance(value, str) else value
        if rows > 1 or cols > 1:
            self.ws.merge_range(row, col, row + rows - 1, col + cols - 1, shown, fmt)
        else:
            self.ws.write(row, col, shown, fmt)

    def header(self, row: int, col: int, text: str, rows: int = 1, cols: int = 1) -> None:
        self.put(row, col, text, self.w.header, rows, cols)

    def titles(self, ret: Return, title: str, width: int) -> int:
        """The party committee and the table's title; returns the header's first row."""
        self.put(0, 0, f"ĐẢNG BỘ {ret.commune.name.upper()}", self.w.title, cols=width)
        period = f"QUÝ {_ROMAN[ret.quarter]}/{ret.year}"
        self.put(1, 0, f"{title} {period}", self.w.title, cols=width)
        return 3

    def total(self, row: int, cols: int) -> None:
        self.put(row, 0, "Tổng cộng", self.w.title, cols=cols)

    def signature(self, ret: Return, row: int, width: int) -> None:
        """Below the table, clear of the cell-code column (B), as the template's is."""
        if self.w.style.signature:
            right = width - 2
            when = ret.submitted_on
            place = (
                f"{ret.commune.place}, ngày {when.day:02d} tháng {when.month:02d} năm {when.year}"
            )
            self.w.text(self.ws, row + 1, right, place)
            self.w.text(self.ws, row + 2, 2, "Người lập biểu")
            self.w.text(self.ws, row + 2, right, "T/M ĐẢNG ỦY")
            self.w.text(self.ws, row + 6, 2, ret.prepared_by or "")
            self.w.text(self.ws, row + 6, right, _person(self.w.rng))


def _runs(rows: list[int], codes: list[str]) -> list[tuple[int, int]]:
    """(first, last) index of each run of adjacent rows with one cell code: what a clerk
    merges (a blank row or another cell ends a run)."""
    runs: list[tuple[int, int]] = []
    for i, code in enumerate(codes):
        if runs and codes[runs[-1][1]] == code and rows[runs[-1][1]] + 1 == rows[i]:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _write_old_info(w: _Writer, ret: Return) -> None:
    """``Biểu 1``: numbered labels over two columns, the value in the fourth; the date in
    words."""
    form = _OldForm(w, w.book.add_worksheet("Biểu 1"))
    form.ws.set_column(0, 0, 5)
    form.ws.set_column(1, 2, 12)
    form.ws.set_column(3, 3, 30)
    form.put(0, 0, f"ĐẢNG BỘ {ret.commune.name.upper()}", w.title, cols=4)
    form.put(1, 0, "BÁO CÁO CÔNG TÁC XÂY DỰNG ĐẢNG", w.title, cols=4)
    when = ret.submitted_on
    pairs: list[tuple[str, str | int | None]] = [
        ("Mã đơn vị:", int(ret.commune.code) if w.style.numeric_code else ret.commune.code),
        ("Tên đơn vị:", ret.commune.name),
        ("Kỳ báo cáo:", _PERIOD_FORMATS[w.style.period](ret.year, ret.quarter)),
        ("Ngày lập:", f"ngày {when.day:02d} tháng {when.month} năm {when.year}"),
        ("Người lập:", ret.prepared_by),
    ]
    for i, (label, value) in enumerate(p for p in pairs if p[1] is not None):
        form.ws.write_number(3 + i, 0, i + 1)
        form.put(3 + i, 1, label, None, cols=2)
        if isinstance(value, int):
            form.ws.write_number(3 + i, 3, value, w.code_format)
        else:
            w.text(form.ws, 3 + i, 3, value)


def _write_old_cells(w: _Writer, ret: Return) -> None:
    """``Biểu 2``: "Đảng viên" merged over "Chính thức" | "Dự bị", numbered rows, a total."""
    form = _OldForm(w, w.book.add_worksheet("Biểu 2"))
    width = 8 if w.style.notes_column else 7
    form.ws.set_column(0, 0, 5)
    form.ws.set_column(1, 1, 9)
    form.ws.set_column(2, 2, 36)
    form.ws.set_column(3, width - 1, 12)
    top = form.titles(ret, "DANH SÁCH CHI BỘ", width)
    form.header(top, 0, "STT", rows=2)
    form.header(top, 1, "Mã\nchi bộ", rows=2)
    form.header(top, 2, "Tên chi bộ", rows=2)
    form.header(top, 3, "Loại hình\nchi bộ", rows=2)
    form.header(top, 4, "Đảng viên", cols=2)
    form.header(top + 1, 4, "Chính thức")
    form.header(top + 1, 5, "Dự bị (*)")
    form.header(top, 6, "Năm kết nạp\ngần nhất", rows=2)
    if w.style.notes_column:
        form.header(top, 7, "Ghi chú", rows=2)
    rows = w.data_rows(top + 2, len(ret.cells))
    for n, (r, cell) in enumerate(zip(rows, ret.cells, strict=True), start=1):
        form.ws.write_number(r, 0, n)
        form.ws.write_string(r, 1, cell.code)
        w.text(form.ws, r, 2, cell.name)
        kind = cell.label
        if cell.kind == "village" and w.style.generic_village:
            kind = "Thôn, bản, tổ dân phố"
        w.text(form.ws, r, 3, kind)
        w.integer(form.ws, r, 4, cell.official)
        w.integer(form.ws, r, 5, cell.probationary)
        blank = cell.admitted_now and w.style.blank_recent_year
        w.integer(form.ws, r, 6, None if blank else cell.last_year)
        if w.style.notes_column and w.rng.random() < 0.2:
            w.text(form.ws, r, 7, w.rng.choice(_NOTES))
    total = rows[-1] + 1
    form.total(total, 4)
    w.integer(form.ws, total, 4, sum(c.official for c in ret.cells))
    w.integer(form.ws, total, 5, sum(c.probationary for c in ret.cells))
    w.text(form.ws, total + 1, 0, "(*) Đảng viên dự bị tính đến ngày cuối quý.")
    form.signature(ret, total + 2, width)


def _write_old_meetings(w: _Writer, ret: Return, blanks: tuple[bool, bool]) -> None:
    """``Biểu 3``: "Sinh hoạt" over "Định kỳ" | "Chuyên đề", each cell's number and code
    merged down over its month rows, a total of attendees. ``blanks``: whether a meeting
    not held has blank figures (not 0) and a thematic meeting not held a blank."""
    form = _OldForm(w, w.book.add_worksheet("Biểu 3"))
    form.ws.set_column(0, 0, 5)
    form.ws.set_column(1, 7, 12)
    top = form.titles(ret, "TÌNH HÌNH SINH HOẠT CHI BỘ", 8)
    form.header(top, 0, "STT", rows=2)
    form.header(top, 1, "Mã chi bộ", rows=2)
    form.header(top, 2, "Tháng", rows=2)
    form.header(top, 3, "Sinh hoạt", cols=2)
    form.header(top + 1, 3, "Định kỳ")
    form.header(top + 1, 4, "Chuyên đề")
    form.header(top, 5, "Ngày\nsinh hoạt", rows=2)
    form.header(top, 6, "Số ĐV dự", rows=2)
    form.header(top, 7, "Cán bộ cấp trên dự (*)", rows=2)
    meetings = list(ret.meetings)  # by cell, whatever the clerk's habit: the form is so
    zero_blank, false_blank = blanks
    rows = w.data_rows(top + 2, len(meetings))
    for n, (first, last) in enumerate(_runs(rows, [m.cell_code for m in meetings]), start=1):
        form.put(rows[first], 0, n, form.merged, rows=rows[last] - rows[first] + 1)
        code = meetings[first].cell_code
        form.put(rows[first], 1, code, form.merged, rows=rows[last] - rows[first] + 1)
    for r, m in zip(rows, meetings, strict=True):
        w.month(form.ws, r, 2, ret.year, m.month)
        w.boolean(form.ws, r, 3, m.held, blank_false=False)
        w.boolean(form.ws, r, 4, m.thematic, blank_false=false_blank)
        w.day(form.ws, r, 5, m.on)
        w.integer(form.ws, r, 6, None if not m.held and zero_blank else m.attendees)
        w.integer(form.ws, r, 7, None if m.higher == 0 and zero_blank else m.higher)
    total = rows[-1] + 1
    form.total(total, 3)
    w.integer(form.ws, total, 6, sum(m.attendees for m in meetings))
    w.integer(form.ws, total, 7, sum(m.higher for m in meetings))
    w.text(form.ws, total + 1, 0, "(*) Đồng chí cấp ủy, cán bộ xã, tỉnh dự sinh hoạt.")
    form.signature(ret, total + 2, 8)


def _write_old_admissions(w: _Writer, ret: Return) -> None:
    """``Biểu 4``: a numbered list under a one-row header with a footnote mark."""
    form = _OldForm(w, w.book.add_worksheet("Biểu 4"))
    names = ["STT", "Mã chi bộ", "Ngày\nkết nạp", "Giới tính", "Năm sinh (*)", "Dân tộc"]
    names += ["Tôn giáo", "Nghề nghiệp", "Trình độ\nhọc vấn", "Đoàn thể\ngiới thiệu"]
    if w.style.name_column:
        names.insert(2, "Họ và tên")
    form.ws.set_column(0, 0, 5)
    form.ws.set_column(1, len(names) - 1, 13)
    top = form.titles(ret, "DANH SÁCH ĐẢNG VIÊN MỚI KẾT NẠP", len(names))
    for c, name in enumerate(names):
        form.header(top, c, name)
    at = 3 if w.style.name_column else 2  # the admission date's column
    rows = w.data_rows(top + 1, len(ret.admissions))
    for n, (r, a) in enumerate(zip(rows, ret.admissions, strict=True), start=1):
        w.text(form.ws, r, 0, f"{n}.")
        form.ws.write_string(r, 1, a.cell_code)
        if w.style.name_column:
            w.text(form.ws, r, 2, a.name)
        w.day(form.ws, r, at, a.admitted_on)
        w.text(form.ws, r, at + 1, w.labels[("sex", a.sex)])  # Vietnamese, as the form is
        w.integer(form.ws, r, at + 2, a.birth_year)
        w.text(form.ws, r, at + 3, a.ethnicity)
        # written as the template-style return would (the warehouse keeps it as written)
        w.text(
            form.ws,
            r,
            at + 4,
            "None" if a.religion == "Không" and w.style.lang == "en" else a.religion,
        )
        w.text(form.ws, r, at + 5, w.labels[("occupation", a.occupation)])
        w.text(form.ws, r, at + 6, w.labels[("education", a.education)])
        w.text(form.ws, r, at + 7, w.labels[("referred_by", a.referred_by)])
    below = rows[-1] + 1 if rows else top + 1
    w.text(form.ws, below, 0, "(*) Năm sinh ghi đủ bốn chữ số.")
    if rows:
        form.signature(ret, below, len(names))


def _twin_blanks(ret: Return, style: Style, rng: random.Random) -> tuple[bool, bool]:
    """How the template-style twin of an old-form return writes meetings not held.

    A blank attendees cell is "not reported" where a 0 is "none": the old form must blank
    the same cells for its figures to be the twin's, so the twin's clerk is replayed.
    """
    scratch = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    w = _Writer(scratch, replace(style, old_form=False), rng)
    _write_info(w, ret)
    _write_cells(w, ret)
    blanks = _start_meetings(w, ret)[3:]
    scratch.close()
    return blanks


def _write_workbook(path: Path, ret: Return, style: Style, rng: random.Random) -> None:
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    book.set_properties({"created": CREATED, "author": ret.prepared_by or ""})
    twin = random.Random()
    twin.setstate(rng.getstate())
    writer = _Writer(book, style, rng)
    if style.old_form:
        _write_old_info(writer, ret)
        _write_old_cells(writer, ret)
        _write_old_meetings(writer, ret, _twin_blanks(ret, style, twin))
        _write_old_admissions(writer, ret)
    else:
        _write_info(writer, ret)
        _write_cells(writer, ret)
        _write_meetings(writer, ret)
        _write_admissions(writer, ret)
    book.close()


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def defects(
    communes: int = 25,
    year: int = 2026,
    quarters: tuple[int, ...] = (1, 2, 3),
    seed: int = 7,
    cells_range: tuple[int, int] = (6, 14),
    messy: bool = True,
) -> dict[str, str]:
    """Defect name -> commune_code for these arguments (see the module docstring)."""
    return plan(communes, year, quarters, seed, cells_range, messy).defects


def generate(
    out: Path,
    communes: int = 25,
    year: int = 2026,
    quarters: tuple[int, ...] = (1, 2, 3),
    seed: int = 7,
    cells_range: tuple[int, int] = (6, 14),
    messy: bool = True,
) -> None:
    """Write ``out/raw/`` and ``out/reference/`` afresh (only those two folders)."""
    decided = plan(communes, year, quarters, seed, cells_range, messy)
    _write(Path(out), decided, seed)


def _write(out: Path, decided: Plan, seed: int) -> None:
    for sub in ("raw", "reference"):
        shutil.rmtree(out / sub, ignore_errors=True)
    for item in decided.files:  # already sorted by path
        path = out / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if item.ret is not None and item.style is not None:
            _write_workbook(path, item.ret, item.style, random.Random(f"{seed}:{item.path}"))
        else:
            path.write_bytes(item.payload)
        # Modification times follow submitted_on: the pipeline breaks ties with them.
        os.utime(path, (item.mtime, item.mtime))


def _summary(decided: Plan) -> str:
    names = {c.code: c.name for c in decided.communes}
    returns = sum(1 for f in decided.files if f.ret is not None)
    lines = [f"{len(decided.communes)} communes, {returns} workbooks, {len(decided.files)} files"]
    width = max((len(d) for d in [*decided.defects, "old_forms"]), default=0)
    lines += [f"  {d:<{width}} {c}  {names[c]}" for d, c in decided.defects.items()]
    lines.append(f"  {'old_forms':<{width}} {', '.join(decided.old_forms) or '-'}")
    return "\n".join(lines)


def _quarters(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("quarters look like 1,2,3") from None
    if not values or not set(values) <= {1, 2, 3, 4}:
        raise argparse.ArgumentTypeError("quarters are among 1,2,3,4")
    return values


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m tools.sample --out data``."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.sample",
        description="Write a fictional province's returns (raw/) and reference data "
        "(reference/) into OUT. Example: python -m tools.sample --out data",
    )
    parser.add_argument("--out", type=Path, default=Path("data"), help="output folder")
    parser.add_argument("--communes", type=int, default=25)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--quarters", type=_quarters, default=(1, 2, 3), help="e.g. 1,2,3")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cells-min", type=int, default=6)
    parser.add_argument("--cells-max", type=int, default=14)
    parser.add_argument(
        "--clean",
        action="store_true",
        help="only clean, valid, on-time returns (no deliberate defects)",
    )
    args = parser.parse_args(argv)
    try:
        decided = plan(
            args.communes,
            args.year,
            args.quarters,
            args.seed,
            (args.cells_min, args.cells_max),
            not args.clean,
        )
    except ValueError as exc:
        parser.error(str(exc))
    _write(args.out, decided, args.seed)
    print(f"Wrote {args.out}/raw and {args.out}/reference")
    print(_summary(decided))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
