"""Validation of real return files (SPEC §3 and §4): one case per rule a file can break.

Each case builds the factory's valid return, breaks it (one cell with ``edited``, or one
row added/removed), writes a real .xlsx with openpyxl, reads it and validates it. The
problems are compared as literal lists of ``(sheet, row, column, cell, rule, severity)``.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa
import pytest

from pipeline.plausibility import RULES
from pipeline.problems import CODES, Problem
from pipeline.read import read_workbook
from pipeline.run import report
from pipeline.validate import Validated, validate
from schemas import SHEET_BY_NAME
from schemas.cells import Cells
from tests.factory import (
    Sheets,
    edited,
    valid_return,
    with_assignments,
    write_reference,
    write_workbook,
)

TODAY = dt.date(2026, 11, 23)
COMMUNES = {"06253"}


def run(
    tmp_path: Path,
    sheets: Sheets,
    lang: str = "en",
    patch: dict[str, str] | None = None,
    name: str = "return.xlsx",
) -> Validated:
    path = write_workbook(tmp_path / name, sheets)
    if patch:
        patch_xml(path, patch)
    return validate([read_workbook(path, tmp_path, lang)], COMMUNES, TODAY, lang)


def patch_xml(path: Path, replacements: dict[str, str]) -> None:
    """Rewrite text inside the workbook's XML: for values openpyxl refuses to write."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.endswith(".xml"):
                for old, new in replacements.items():
                    body = body.replace(old.encode(), new.encode())
            target.writestr(info, body)
    path.write_bytes(out.getvalue())


@dataclass
class Outcome:
    """What validation said about one file."""

    problems: list[Problem]
    accepted: bool
    file: dict  # the file's row of ``Validated.files``
    sheets: dict[str, pd.DataFrame]  # typed rows of this file (empty when rejected)


def outcomes(folder: Path, cases: dict[str, tuple], lang: str = "en") -> dict[str, Outcome]:
    """Write every case as its own real file and validate them all in one call.

    ``cases``: id -> (sheets, XML patch or None). One call is how the pipeline runs, and
    it keeps the suite fast: pandera's cost is per call, not per row.
    """
    books = []
    for file_id, (sheets, patch) in enumerate(cases.values()):
        path = write_workbook(folder / f"{file_id:03d}.xlsx", sheets)
        if patch:
            patch_xml(path, patch)
        books.append(read_workbook(path, folder, lang))
    validated = validate(books, COMMUNES, TODAY, lang)
    out = {}
    for file_id, case_id in enumerate(cases):
        book = books[file_id]
        out[case_id] = Outcome(
            [p for p in validated.problems if p.file_name == book.file_name],
            bool(validated.files.loc[file_id, "accepted"]),
            validated.files.loc[file_id].to_dict(),
            {
                name: frame[frame["_file"] == file_id].reset_index(drop=True)
                for name, frame in validated.sheets.items()
            },
        )
    return out


def single(validated: Validated) -> Outcome:
    (file,) = validated.files.to_dict("records")
    return Outcome(validated.problems, bool(file["accepted"]), file, validated.sheets)


BATCH: dict[str, tuple] = {}  # case id -> (sheets, XML patch): validated together once


def batched(case_id: str, sheets: Sheets, patch: dict[str, str] | None = None) -> str:
    assert case_id not in BATCH, case_id
    BATCH[case_id] = (sheets, patch)
    return case_id


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> dict[str, Outcome]:
    return outcomes(tmp_path_factory.mktemp("batch"), BATCH)


def found(outcome: Outcome) -> list[tuple]:
    return sorted(
        ((p.sheet, p.row, p.column, p.cell, p.rule, p.severity) for p in outcome.problems),
        key=repr,
    )


def broken(*edits: tuple, base: Sheets | None = None) -> Sheets:
    """The valid return with each ``(sheet, excel_row, column, value)`` edit applied."""
    sheets = base if base is not None else valid_return()
    for edit in edits:
        sheets = edited(sheets, *edit)
    return sheets


def with_row(sheet: str, row: list, base: Sheets | None = None) -> Sheets:
    sheets = copy.deepcopy(base if base is not None else valid_return())
    sheets[sheet].append(row)
    return sheets


def without_row(sheet: str, excel_row: int) -> Sheets:
    sheets = copy.deepcopy(valid_return())
    del sheets[sheet][excel_row - 1]
    return sheets


class Unreported(tuple):
    """The expected warning for a (cell, month) without a row; ``value`` names them."""

    value: str


def not_reported(value: str) -> Unreported:
    """A missing (cell, month) row: a warning on the Meetings sheet, with no row or cell."""
    expected = Unreported(("Meetings", None, None, None, "meeting-not-reported", "warning"))
    expected.value = value
    return expected


PLACEHOLDER = "PLACEHOLDER-TEXT"

E = "error"
W = "warning"

# id, sheets, XML patch, expected problems, accepted
CASES = [
    # --- single values -------------------------------------------------------------------
    (
        "required-value/Info-commune_code",
        broken(("Info", 1, "commune_code", None)),
        None,
        [("Info", 1, "commune_code", "B1", "required-value", E)],
        False,
    ),
    (
        "required-value/Cells-cell_name",
        broken(("Cells", 2, "cell_name", None)),
        None,
        [("Cells", 2, "cell_name", "B2", "required-value", E)],
        False,
    ),
    (
        "required-value/Cells-cell_type-list",
        broken(("Cells", 3, "cell_type", "  ")),
        None,
        [("Cells", 3, "cell_type", "C3", "required-value", E)],
        False,
    ),
    (
        "required-value/Admissions-ethnicity",
        broken(("Admissions", 2, "ethnicity", None)),
        None,
        [("Admissions", 2, "ethnicity", "E2", "required-value", E)],
        False,
    ),
    (
        "required-value/Admissions-birth_year",
        broken(("Admissions", 2, "birth_year", None)),
        None,
        [("Admissions", 2, "birth_year", "D2", "required-value", E)],
        False,
    ),
    (
        "not-an-integer/Cells-word",
        broken(("Cells", 2, "official_members", "mười")),
        None,
        [("Cells", 2, "official_members", "D2", "not-an-integer", E)],
        False,
    ),
    (
        "not-an-integer/Cells-fraction",
        broken(("Cells", 3, "probationary_members", 0.5)),
        None,
        [("Cells", 3, "probationary_members", "E3", "not-an-integer", E)],
        False,
    ),
    (
        "not-an-integer/Meetings-decimal-comma-text",
        broken(("Meetings", 2, "attendees", "12,5")),
        None,
        [("Meetings", 2, "attendees", "E2", "not-an-integer", E)],
        False,
    ),
    (
        "not-a-date/Info-submitted_on",
        broken(("Info", 4, "submitted_on", "hôm qua")),
        None,
        [("Info", 4, "submitted_on", "B4", "not-a-date", E)],
        False,
    ),
    (
        "not-a-date/Admissions-impossible-day",
        broken(("Admissions", 2, "admitted_on", "31/02/2026")),
        None,
        [("Admissions", 2, "admitted_on", "B2", "not-a-date", E)],
        False,
    ),
    (
        "two-digit-year/Info-submitted_on",
        broken(("Info", 4, "submitted_on", "5/10/26")),
        None,
        [("Info", 4, "submitted_on", "B4", "two-digit-year", E)],
        False,
    ),
    (
        "not-a-date/Meetings-month-first-is-never-read",
        broken(("Meetings", 2, "meeting_date", "07/31/2026")),
        None,
        [("Meetings", 2, "meeting_date", "D2", "not-a-date", E)],
        False,
    ),
    (
        "not-in-list/Cells-cell_type",
        broken(("Cells", 2, "cell_type", "Chợ")),
        None,
        [("Cells", 2, "cell_type", "C2", "not-in-list", E)],
        False,
    ),
    (
        "not-in-list/Meetings-boolean",
        broken(("Meetings", 3, "regular_meeting", "có lẽ")),
        None,
        [("Meetings", 3, "regular_meeting", "C3", "not-in-list", E)],
        False,
    ),
    (
        "not-in-list/Admissions-sex",
        broken(("Admissions", 2, "sex", "X")),
        None,
        [("Admissions", 2, "sex", "C2", "not-in-list", E)],
        False,
    ),
    (
        "not-in-list/Admissions-occupation",
        broken(("Admissions", 2, "occupation", "Hưu trí")),
        None,
        [("Admissions", 2, "occupation", "G2", "not-in-list", E)],
        False,
    ),
    (
        "not-in-list/Admissions-education",
        broken(("Admissions", 2, "education", "Mẫu giáo")),
        None,
        [("Admissions", 2, "education", "H2", "not-in-list", E)],
        False,
    ),
    (
        "not-in-list/Admissions-referred_by",
        broken(("Admissions", 2, "referred_by", "Hội Người cao tuổi")),
        None,
        [("Admissions", 2, "referred_by", "I2", "not-in-list", E)],
        False,
    ),
    (
        "bad-commune-code/letters",
        broken(("Info", 1, "commune_code", "XA-06253")),
        None,
        [("Info", 1, "commune_code", "B1", "bad-commune-code", E)],
        False,
    ),
    (
        "bad-commune-code/six-digits",
        broken(("Info", 1, "commune_code", "062530")),
        None,
        [("Info", 1, "commune_code", "B1", "bad-commune-code", E)],
        False,
    ),
    (
        "bad-month/13",
        broken(("Meetings", 2, "month", 13)),
        None,
        [
            ("Meetings", 2, "month", "B2", "bad-month", E),
            not_reported("CB01 7/2026"),
        ],
        False,
    ),
    (
        "bad-month/words",
        broken(("Meetings", 5, "month", "tháng bảy")),
        None,
        [
            ("Meetings", 5, "month", "B5", "bad-month", E),
            not_reported("CB02 7/2026"),
        ],
        False,
    ),
    (
        "control-characters/Cells-cell_name",
        broken(("Cells", 2, "cell_name", PLACEHOLDER)),
        {PLACEHOLDER: "Chi bộ_x0001_ 1"},  # how Excel stores U+0001
        [("Cells", 2, "cell_name", "B2", "control-characters", E)],
        False,
    ),
    (
        "control-characters/Info-prepared_by",
        broken(("Info", 5, "prepared_by", PLACEHOLDER)),
        {PLACEHOLDER: "Nguyễn_x001B_Lan"},
        [("Info", 5, "prepared_by", "B5", "control-characters", E)],
        False,
    ),
    (
        "text-too-long/Cells-cell_name",
        broken(("Cells", 3, "cell_name", PLACEHOLDER)),
        {PLACEHOLDER: "a" * 32_768},  # openpyxl truncates at 32,767 itself
        [("Cells", 3, "cell_name", "B3", "text-too-long", E)],
        False,
    ),
    (
        "not-an-integer/Meetings-malformed-digit-groups",
        broken(("Meetings", 2, "attendees", "1.00.0")),
        None,
        [("Meetings", 2, "attendees", "E2", "not-an-integer", E)],
        False,
    ),
    (
        "not-an-integer/Cells-same-separator-twice",
        broken(("Cells", 2, "official_members", "1.000.5")),
        None,
        [("Cells", 2, "official_members", "D2", "not-an-integer", E)],
        False,
    ),
    (
        "number-too-large/Cells-text",
        broken(("Cells", 2, "official_members", "99999999999999999999")),
        None,
        [("Cells", 2, "official_members", "D2", "number-too-large", E)],
        False,
    ),
    (
        "number-too-large/Admissions-number",
        broken(("Admissions", 2, "birth_year", 1e20)),  # a real number cell
        None,
        [("Admissions", 2, "birth_year", "D2", "number-too-large", E)],
        False,
    ),
    (
        "number-too-large/Meetings-ten-digits",
        broken(("Meetings", 3, "higher_level_attendees", "1.000.000.000")),
        None,
        [("Meetings", 3, "higher_level_attendees", "G3", "number-too-large", E)],
        False,
    ),
    (
        "year-out-of-range/Admissions-text-date",
        broken(("Admissions", 2, "admitted_on", "01/08/1600")),
        None,
        [("Admissions", 2, "admitted_on", "B2", "year-out-of-range", E)],
        False,
    ),
    (
        "year-out-of-range/Meetings-excel-date",
        broken(("Meetings", 2, "meeting_date", dt.date(9999, 7, 10))),
        None,
        [("Meetings", 2, "meeting_date", "D2", "year-out-of-range", E)],
        False,
    ),
    (
        "year-out-of-range/Info-submitted_on",
        broken(("Info", 4, "submitted_on", "0001-10-05")),
        None,
        [("Info", 4, "submitted_on", "B4", "year-out-of-range", E)],
        False,
    ),
    # --- rules of the return -------------------------------------------------------------
    (
        "unknown-commune",
        broken(("Info", 1, "commune_code", "06254")),
        None,
        [("Info", 1, "commune_code", "B1", "unknown-commune", E)],
        False,
    ),
    (
        "period-in-future",
        valid_return(year=2027, quarter=1, submitted_on=dt.date(2026, 11, 20)),
        None,
        [("Info", 3, "period", "B3", "period-in-future", E)],
        False,
    ),
    (
        "negative-number/Meetings-higher_level_attendees",
        broken(("Meetings", 2, "higher_level_attendees", -2)),
        None,
        [("Meetings", 2, "higher_level_attendees", "G2", "negative-number", E)],
        False,
    ),
    (
        "negative-number/Cells-official_members",
        broken(("Cells", 3, "official_members", "-1")),
        None,
        [
            ("Cells", 3, "official_members", "D3", "negative-number", E),
            # attendees ≤ official + probationary = -1: the cell's meetings break it too.
            ("Meetings", 5, "attendees", "E5", "attendees-above-members", E),
            ("Meetings", 6, "attendees", "E6", "attendees-above-members", E),
            ("Meetings", 7, "attendees", "E7", "attendees-above-members", E),
        ],
        False,
    ),
    (
        "duplicate-cell/case-insensitive",
        with_row("Cells", ["cb02", "Chi bộ CB02 (lặp)", "Thôn", 20, 0, 2025]),
        None,
        [
            ("Cells", 3, "cell_code", "A3", "duplicate-cell", E),
            ("Cells", 4, "cell_code", "A4", "duplicate-cell", E),
        ],
        False,
    ),
    (
        "last-admission-after-period",
        broken(("Cells", 3, "last_admission_year", 2027)),
        None,
        [("Cells", 3, "last_admission_year", "F3", "last-admission-after-period", E)],
        False,
    ),
    (
        "admissions-above-probationary",
        broken(("Cells", 2, "probationary_members", 0)),
        None,
        [
            ("Cells", 2, "probationary_members", "E2", "admissions-above-probationary", E),
            # the cell now has 10 members, its meetings list 12 attendees.
            ("Meetings", 2, "attendees", "E2", "attendees-above-members", E),
            ("Meetings", 3, "attendees", "E3", "attendees-above-members", E),
            ("Meetings", 4, "attendees", "E4", "attendees-above-members", E),
        ],
        False,
    ),
    (
        "last-admission-year-mismatch",
        broken(("Cells", 2, "last_admission_year", 2025)),
        None,
        [("Cells", 2, "last_admission_year", "F2", "last-admission-year-mismatch", E)],
        False,
    ),
    (
        "unknown-cell/Meetings",
        broken(("Meetings", 2, "cell_code", "CB09")),
        None,
        [
            ("Meetings", 2, "cell_code", "A2", "unknown-cell", E),
            not_reported("CB01 7/2026"),
        ],
        False,
    ),
    (
        "unknown-cell/Admissions",
        broken(("Admissions", 2, "cell_code", "CB09")),
        None,
        [("Admissions", 2, "cell_code", "A2", "unknown-cell", E)],
        False,
    ),
    (
        "duplicate-meeting",
        with_row("Meetings", ["cb01", "07/2026", "x", dt.date(2026, 7, 24), 11, "", 0]),
        None,
        [
            ("Meetings", 2, "month", "B2", "duplicate-meeting", E),
            ("Meetings", 8, "month", "B8", "duplicate-meeting", E),
        ],
        False,
    ),
    (
        "month-outside-quarter",
        broken(("Meetings", 2, "month", 10)),
        None,
        [
            ("Meetings", 2, "month", "B2", "month-outside-quarter", E),
            ("Meetings", 2, "meeting_date", "D2", "meeting-date-outside-month", E),
            not_reported("CB01 7/2026"),
        ],
        False,
    ),
    (
        "meeting-date-missing",
        broken(("Meetings", 3, "meeting_date", None)),
        None,
        [("Meetings", 3, "meeting_date", "D3", "meeting-date-missing", E)],
        False,
    ),
    (
        "meeting-date-not-held",
        broken(("Meetings", 4, "regular_meeting", "Không"), ("Meetings", 4, "attendees", None)),
        None,
        [("Meetings", 4, "meeting_date", "D4", "meeting-date-not-held", E)],
        False,
    ),
    (
        "meeting-date-not-held/with-attendees",
        broken(("Meetings", 4, "regular_meeting", "Không")),
        None,
        [
            ("Meetings", 4, "meeting_date", "D4", "meeting-date-not-held", E),
            ("Meetings", 4, "attendees", "E4", "attendees-not-held", E),
        ],
        False,
    ),
    (
        "meeting-date-outside-month/other-month",
        broken(("Meetings", 2, "meeting_date", dt.date(2026, 8, 10))),
        None,
        [("Meetings", 2, "meeting_date", "D2", "meeting-date-outside-month", E)],
        False,
    ),
    (
        "meeting-date-outside-month/other-year",
        broken(("Meetings", 5, "meeting_date", "10/07/2025")),
        None,
        [("Meetings", 5, "meeting_date", "D5", "meeting-date-outside-month", E)],
        False,
    ),
    (
        "attendees-missing/blank",
        broken(("Meetings", 6, "attendees", None)),
        None,
        [("Meetings", 6, "attendees", "E6", "attendees-missing", E)],
        False,
    ),
    (
        "attendees-missing/zero",
        broken(("Meetings", 6, "attendees", 0)),
        None,
        [("Meetings", 6, "attendees", "E6", "attendees-missing", E)],
        False,
    ),
    (
        "attendees-above-members",
        broken(("Meetings", 2, "attendees", 13)),
        None,
        [("Meetings", 2, "attendees", "E2", "attendees-above-members", E)],
        False,
    ),
    (
        "attendees-not-held",
        broken(("Meetings", 7, "regular_meeting", None), ("Meetings", 7, "meeting_date", None)),
        None,
        [("Meetings", 7, "attendees", "E7", "attendees-not-held", E)],
        False,
    ),
    (
        "attended-meeting-not-held",
        broken(
            ("Meetings", 2, "regular_meeting", None),
            ("Meetings", 2, "meeting_date", None),
            ("Meetings", 2, "attendees", None),
            base=with_assignments(valid_return(), {"CB01": "Lê Văn Tâm"}, {("CB01", 7): "x"}),
        ),
        None,
        [("Meetings", 2, "assigned_member_attended", "H2", "attended-meeting-not-held", E)],
        False,
    ),
    (
        "attended-without-assigned-member",
        with_assignments(valid_return(), {"CB01": "Lê Văn Tâm"}, {("CB02", 7): "Có"}),
        None,
        [("Meetings", 5, "assigned_member_attended", "H5", "attended-without-assigned-member", E)],
        False,
    ),
    (
        "rating-meeting-not-held",
        broken(
            ("Meetings", 3, "regular_meeting", "Không"),
            ("Meetings", 3, "meeting_date", None),
            ("Meetings", 3, "attendees", None),
            base=with_assignments(valid_return(), {}, ratings={("CB01", 8): "Tốt"}),
        ),
        None,
        [("Meetings", 3, "meeting_rating", "I3", "rating-meeting-not-held", E)],
        False,
    ),
    (
        "not-in-list/Meetings-meeting_rating",
        with_assignments(valid_return(), {}, ratings={("CB01", 8): "Xuất sắc"}),
        None,
        [("Meetings", 3, "meeting_rating", "I3", "not-in-list", E)],
        False,
    ),
    (
        "meeting-not-reported",
        without_row("Meetings", 3),
        None,
        [not_reported("CB01 8/2026")],
        True,
    ),
    (
        "admission-outside-quarter/earlier-quarter",
        broken(("Admissions", 2, "admitted_on", dt.date(2026, 5, 1))),
        None,
        [("Admissions", 2, "admitted_on", "B2", "admission-outside-quarter", E)],
        False,
    ),
    (
        "admission-outside-quarter/same-quarter-last-year",
        broken(("Admissions", 2, "admitted_on", "01/08/2025")),
        None,
        [("Admissions", 2, "admitted_on", "B2", "admission-outside-quarter", E)],
        False,
    ),
    (
        "admission-under-18",
        broken(("Admissions", 2, "birth_year", 2009)),
        None,
        [("Admissions", 2, "birth_year", "D2", "admission-under-18", E)],
        False,
    ),
    (
        "admission-over-60",
        broken(("Admissions", 2, "birth_year", 1960)),
        None,
        [("Admissions", 2, "birth_year", "D2", "admission-over-60", W)],
        True,
    ),
]

PERIOD_CASES = [
    (
        "bad-period/quarter-5",
        broken(("Info", 3, "period", "2026-Q5")),
        None,
        [("Info", 3, "period", "B3", "bad-period", E)],
        False,
    ),
    (
        "bad-period/year-only",
        broken(("Info", 3, "period", 2026)),
        None,
        [("Info", 3, "period", "B3", "bad-period", E)],
        False,
    ),
    (
        "year-out-of-range/Info-period",
        broken(("Info", 3, "period", "0000-Q1")),  # once a crash of the whole batch
        None,
        [("Info", 3, "period", "B3", "year-out-of-range", E)],
        False,
    ),
    (
        "required-value/Info-period",
        broken(("Info", 3, "period", None)),
        None,
        [("Info", 3, "period", "B3", "required-value", E)],
        False,
    ),
]


def empty_cells() -> Sheets:
    sheets = valid_return(admissions=0)
    sheets["Cells"] = sheets["Cells"][:1]
    sheets["Meetings"] = sheets["Meetings"][:1]
    return sheets


FORMULA_CASES = [
    (
        "formula-without-value/required-column",
        broken(("Cells", 3, "official_members", "=10+10")),  # openpyxl saves no cached value
        None,
        [("Cells", 3, "official_members", "D3", "formula-without-value", E)],
        False,
    ),
    (
        "formula-without-value/optional-column",
        broken(("Cells", 3, "last_admission_year", "=2024+1")),
        None,
        [("Cells", 3, "last_admission_year", "F3", "formula-without-value", E)],
        False,
    ),
]


def check_rule(outcome: Outcome, expected: list[tuple], is_accepted: bool) -> None:
    assert found(outcome) == sorted(expected, key=repr)
    assert outcome.accepted is is_accepted
    assert sorted(p.value for p in outcome.problems if p.rule == "meeting-not-reported") == sorted(
        e.value for e in expected if isinstance(e, Unreported)
    )
    # Each message names the header as written in the workbook (the factory writes the
    # canonical names as headers).
    for p in outcome.problems:
        if p.column and "{header}" in CODES[p.rule].en:
            assert f"'{p.column}'" in p.message, p.message
    # A rejected file brings nothing to the typed sheets.
    assert all(frame.empty for frame in outcome.sheets.values()) is not is_accepted


@pytest.mark.parametrize(
    ("case_id", "expected", "is_accepted"),
    [
        pytest.param(batched(case_id, sheets, patch), expected, ok, id=case_id)
        for case_id, sheets, patch, expected, ok in CASES
    ]
    + [
        pytest.param(batched(case_id, sheets, patch), expected, ok, id=case_id)
        for case_id, sheets, patch, expected, ok in FORMULA_CASES
    ],
)
def test_rule(batch, case_id, expected, is_accepted):
    check_rule(batch[case_id], expected, is_accepted)


@pytest.mark.parametrize(
    ("sheets", "expected", "is_accepted"),
    [
        pytest.param(sheets, expected, ok, id=case_id)
        for case_id, sheets, _, expected, ok in PERIOD_CASES
    ],
)
def test_rule_on_period(tmp_path, sheets, expected, is_accepted):
    # Alone: an unreadable period once crashed the whole batch.
    check_rule(single(run(tmp_path, sheets)), expected, is_accepted)


def test_no_cells(batch):
    outcome = batch[NO_CELLS]

    assert [(p.sheet, p.rule, p.severity) for p in outcome.problems] == [("Cells", "no-cells", E)]
    assert not outcome.accepted


NO_CELLS = batched("no-cells", empty_cells())

FILE_AND_STRUCTURE_RULES = {
    "empty-file",
    "file-too-large",
    "not-a-workbook",
    "password-protected",
    "damaged-file",
    "unsafe-file",
    "missing-sheet",
    "missing-column",
    "missing-info",
    "extra-column",
    "personal-data-dropped",
    "row-without-cell-code",
    "hidden-sheet-ignored",  # these three in test_layouts.py
    "duplicate-sheet",
    "total-mismatch",
}  # tested in test_read.py
UNFORESEEN_RULES = {"value-not-checked", "sheet-not-checked"}  # tested below: "Unforeseen"


def test_every_value_and_schema_rule_has_a_case():
    cases = CASES + PERIOD_CASES + FORMULA_CASES
    for case_id, _, _, expected, _ in cases:
        assert case_id.split("/")[0] in {p[4] for p in expected}, case_id
    covered = {case[0].split("/")[0] for case in cases} | {"no-cells"}
    # the plausibility rules compare returns after load: tests/test_plausibility.py
    assert covered == set(CODES) - FILE_AND_STRUCTURE_RULES - UNFORESEEN_RULES - set(RULES)


# --- problem details -----------------------------------------------------------------------

VALID = batched("valid", valid_return())


def test_untouched_valid_return_has_no_problem_and_is_accepted(batch):
    outcome = batch[VALID]

    assert outcome.problems == []
    assert outcome.accepted
    assert (outcome.file["errors"], outcome.file["warnings"]) == (0, 0)
    assert {name: len(frame) for name, frame in outcome.sheets.items()} == {
        "Info": 1,
        "Cells": 2,
        "Meetings": 6,
        "Admissions": 1,
    }


def test_untouched_valid_return_alone(tmp_path):
    validated = run(tmp_path, valid_return())

    assert validated.problems == []
    (file,) = validated.files.to_dict("records")
    assert file["file_name"] == "return.xlsx"
    assert file["commune_code"] == "06253"
    assert (file["year"], file["quarter"]) == (2026, 3)
    assert file["submitted_on"] == pd.Timestamp(2026, 10, 5)
    assert (file["errors"], file["warnings"], file["accepted"]) == (0, 0, True)


BOUNDARIES = [
    batched("ok/exactly-18", broken(("Admissions", 2, "birth_year", 2008))),
    batched("ok/exactly-60", broken(("Admissions", 2, "birth_year", 1966))),
    batched("ok/last-year-blank", broken(("Cells", 2, "last_admission_year", None))),
    batched(
        "ok/not-held-zero-attendees",
        broken(
            ("Meetings", 2, "regular_meeting", "Không"),
            ("Meetings", 2, "meeting_date", None),
            ("Meetings", 2, "attendees", 0),
        ),
    ),
    batched("ok/current-quarter-is-not-future", valid_return(quarter=4)),
    batched("ok/quarter-end", broken(("Admissions", 2, "admitted_on", "30/09/2026"))),
    batched("ok/quarter-start", broken(("Admissions", 2, "admitted_on", "1/7/2026"))),
    batched("ok/month-end-iso", broken(("Meetings", 4, "meeting_date", "2026-09-30"))),
    batched("ok/higher-level-blank", broken(("Meetings", 4, "higher_level_attendees", None))),
    batched("ok/no-admissions", valid_return(admissions=0)),
]


@pytest.mark.parametrize("case_id", BOUNDARIES)
def test_boundaries_are_accepted(batch, case_id):
    outcome = batch[case_id]

    assert found(outcome) == []
    assert outcome.accepted


MONTH_OF_LAST_YEAR = batched("month-of-last-year", broken(("Meetings", 2, "month", "07/2025")))


def test_month_of_another_year_is_outside_the_quarter(batch):
    outcome = batch[MONTH_OF_LAST_YEAR]

    assert ("Meetings", 2, "month", "B2", "month-outside-quarter", E) in found(outcome)
    assert not outcome.accepted


DETAILS = batched(
    "details",
    broken(
        ("Cells", 2, "official_members", "mười"),
        ("Cells", 3, "cell_type", "Chợ"),
        ("Meetings", 5, "attendees", 21),
    ),
)


def test_problem_values_and_messages(batch):
    by_rule = {p.rule: p for p in batch[DETAILS].problems}

    assert by_rule["not-an-integer"].value == "mười"
    assert by_rule["not-an-integer"].message == (
        "'official_members' must be a whole number; found 'mười'."
    )
    assert by_rule["not-in-list"].value == "Chợ"
    assert by_rule["not-in-list"].message == (
        "'Chợ' is not an accepted value of 'cell_type'. Use one of: village, agency, "
        "public_service, enterprise, armed_forces, other."
    )
    assert by_rule["attendees-above-members"].value == "21"
    assert by_rule["attendees-above-members"].message == (
        "'attendees' (21) is more than the cell's 20 members (official and probationary, from "
        "the sheet of cells)."
    )


UNREPORTED = batched("unreported-cb02-august", without_row("Meetings", 6))


def test_meeting_not_reported_names_the_cell_and_month(batch):
    (problem,) = batch[UNREPORTED].problems

    assert problem.value == "CB02 8/2026"
    assert problem.message == (
        "No row for cell CB02 in 8/2026: this meeting is not reported. It is listed apart from "
        "meetings not held, but until it is reported the cell does not count as having met every "
        "month. Add the row, saying whether the meeting was held."
    )


def test_meeting_not_reported_in_vietnamese(tmp_path):
    (problem,) = run(tmp_path, without_row("Meetings", 6), lang="vi").problems

    assert problem.value == "CB02 8/2026"
    assert problem.message == (
        "Không có dòng của chi bộ CB02 tháng 8/2026: buổi sinh hoạt này chưa được báo cáo. Buổi "
        "chưa báo cáo được ghi riêng, không tính là không sinh hoạt, nhưng khi chưa báo cáo thì "
        "chi bộ chưa được tính là sinh hoạt đủ các tháng. Hãy bổ sung dòng, ghi rõ có sinh hoạt "
        "hay không."
    )


def titled() -> Sheets:
    sheets = broken(("Meetings", 3, "attendees", 13), ("Info", 1, "commune_code", "06254"))
    titles = [["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], ["Độc lập - Tự do - Hạnh phúc"], []]
    sheets["Meetings"] = [*copy.deepcopy(titles), *sheets["Meetings"]]
    sheets["Info"] = [*copy.deepcopy(titles), *sheets["Info"]]
    return sheets


TITLED = batched("titled", titled())


def test_problem_rows_are_excel_rows_below_title_rows(batch):
    assert found(batch[TITLED]) == [
        ("Info", 4, "commune_code", "B4", "unknown-commune", E),
        ("Meetings", 6, "attendees", "E6", "attendees-above-members", E),
    ]


# --- typed values --------------------------------------------------------------------------

TYPED = batched(
    "typed",
    broken(
        ("Info", 1, "commune_code", 6253),
        ("Cells", 2, "cell_code", "cb01"),
        ("Cells", 2, "official_members", " 12 "),
        ("Meetings", 2, "meeting_date", "05/07/2026"),
        ("Meetings", 2, "attendees", " 14 "),
        ("Meetings", 3, "month", "08/2026"),
        ("Meetings", 4, "month", dt.date(2026, 9, 1)),
        ("Admissions", 2, "admitted_on", "2026-08-01"),
        ("Admissions", 2, "referred_by", None),
        ("Admissions", 2, "sex", "nữ"),
        ("Admissions", 2, "birth_year", "2001"),
        ("Admissions", 2, "ethnicity", unicodedata.normalize("NFD", " Tày ")),
        ("Cells", 3, "cell_name", unicodedata.normalize("NFD", "  Chi bộ Thôn Đông  ")),
    ),
)


def test_accepted_values_are_typed(batch):
    outcome = batch[TYPED]

    assert found(outcome) == []
    assert outcome.file["commune_code"] == "06253"
    info, cells = outcome.sheets["Info"], outcome.sheets["Cells"]
    meetings, admissions = outcome.sheets["Meetings"], outcome.sheets["Admissions"]
    assert info["commune_code"].tolist() == ["06253"]
    assert cells["cell_code"].tolist() == ["CB01", "CB02"]
    assert cells["official_members"].tolist() == [12, 20]
    assert cells["cell_type"].tolist() == ["village", "village"]
    # Text is NFC and trimmed.
    assert cells["cell_name"].tolist() == ["Chi bộ CB01", "Chi bộ Thôn Đông"]
    assert admissions["ethnicity"].tolist() == ["Tày"]
    assert unicodedata.is_normalized("NFC", admissions["ethnicity"].iloc[0])
    assert meetings["cell_code"].tolist() == ["CB01"] * 3 + ["CB02"] * 3
    assert meetings["meeting_date"].iloc[0] == pd.Timestamp(2026, 7, 5)
    assert meetings["attendees"].iloc[0] == 14
    assert meetings["month"].tolist() == [7, 8, 9, 7, 8, 9]
    assert admissions["admitted_on"].tolist() == [pd.Timestamp(2026, 8, 1)]
    assert admissions["referred_by"].tolist() == ["none"]
    assert admissions["sex"].tolist() == ["female"]
    assert admissions["birth_year"].tolist() == [2001]
    assert admissions["occupation"].tolist() == ["agriculture"]
    assert admissions["education"].tolist() == ["upper_secondary"]


DIGIT_GROUPS = batched(
    "digit-groups",
    broken(
        ("Cells", 2, "official_members", "1.000"),
        ("Cells", 2, "probationary_members", "2,0"),
        ("Cells", 3, "official_members", "1\u00a0000"),  # a no-break space, as Excel pastes it
        ("Cells", 3, "probationary_members", "0.00"),
        ("Meetings", 2, "attendees", "12.0"),
        ("Meetings", 3, "higher_level_attendees", "1,000"),
        ("Meetings", 4, "higher_level_attendees", "1 000 000"),
        ("Admissions", 2, "birth_year", "2.001"),
    ),
)


def test_numbers_stored_as_text_with_digit_groups_are_read_as_numbers(batch):
    outcome = batch[DIGIT_GROUPS]

    assert found(outcome) == []
    cells, meetings = outcome.sheets["Cells"], outcome.sheets["Meetings"]
    assert cells["official_members"].tolist() == [1000, 1000]
    assert cells["probationary_members"].tolist() == [2, 0]
    assert meetings["attendees"].tolist()[:1] == [12]
    assert meetings["higher_level_attendees"].tolist()[:3] == [0, 1000, 1_000_000]
    assert outcome.sheets["Admissions"]["birth_year"].tolist() == [2001]


def test_commune_code_stored_as_number_keeps_its_leading_zero(tmp_path):
    validated = run(tmp_path, broken(("Info", 1, "commune_code", 6253)))

    assert validated.problems == []
    assert validated.files["commune_code"].tolist() == ["06253"]
    assert validated.sheets["Info"]["commune_code"].tolist() == ["06253"]


PERIODS = [
    batched(f"period/{written}", broken(("Info", 3, "period", written)))
    for written in (
        "2026-Q3",
        "2026Q3",
        "Q3/2026",
        "Q3 2026",
        "Quý 3/2026",
        "Quý III/2026",
        "quý iii/2026",
        "Quý 3 năm 2026",
        "QUÝ 3 NĂM 2026",
    )
]


@pytest.mark.parametrize("case_id", PERIODS)
def test_period_spellings(batch, case_id):
    outcome = batch[case_id]

    assert found(outcome) == []
    assert outcome.sheets["Info"]["period"].tolist() == ["2026-Q3"]
    assert (outcome.file["year"], outcome.file["quarter"]) == (2026, 3)


BOOLEANS = [
    (batched(f"boolean/{written!r}", broken(("Meetings", 3, "thematic_meeting", written))), meaning)
    for written, meaning in (
        ("x", True),
        ("X", True),
        ("Có", True),
        ("co", True),
        ("✓", True),
        ("Yes", True),
        (1, True),
        (True, True),
        (None, False),
        ("", False),
        ("Không", False),
        ("N", False),
        (0, False),
        (False, False),
    )
]


@pytest.mark.parametrize(("case_id", "meaning"), BOOLEANS)
def test_boolean_labels(batch, case_id, meaning):
    outcome = batch[case_id]

    assert found(outcome) == []
    assert outcome.sheets["Meetings"]["thematic_meeting"].tolist() == [
        False,
        meaning,
        False,
        False,
        False,
        False,
    ]


HELD = batched(
    "held-labels",
    broken(("Meetings", 2, "regular_meeting", "Có"), ("Meetings", 3, "regular_meeting", "✓")),
)


def test_regular_meeting_labels_for_held(batch):
    outcome = batch[HELD]

    assert found(outcome) == []
    assert outcome.sheets["Meetings"]["regular_meeting"].tolist() == [True] * 6


CACHED_FORMULA = batched(
    "formula-with-cached-value",
    broken(("Cells", 3, "official_members", "=10+10")),
    {"<f>10+10</f><v />": "<f>10+10</f><v>20</v>"},
)


def test_formula_with_cached_value_is_read_by_its_value(batch):
    outcome = batch[CACHED_FORMULA]

    assert found(outcome) == []
    assert outcome.sheets["Cells"]["official_members"].tolist() == [10, 20]


def test_values_equal_across_types_are_parsed_by_their_own_type(tmp_path):
    # TRUE, 1 and 1.0 compare equal in Python: each distinct value is parsed once, and
    # the check box's TRUE must not take the number's reading (nor the other way round).
    sheets = broken(("Cells", 2, "official_members", True), ("Cells", 3, "official_members", 1))
    outcome = run(tmp_path, sheets)

    cells = [(p.row, p.column, p.rule) for p in outcome.problems if p.sheet == "Cells"]
    assert cells == [(2, "official_members", "not-an-integer")]


# --- Vietnamese -------------------------------------------------------------------------------

VI_SHEETS = {
    "Info": "Thông tin",
    "Cells": "Chi bộ",
    "Meetings": "Sinh hoạt",
    "Admissions": "Kết nạp",
}
VI_HEADERS = {
    "Info": {
        "commune_code": "Mã xã",
        "commune_name": "Tên xã",
        "period": "Kỳ báo cáo",
        "submitted_on": "Ngày báo cáo",
        "prepared_by": "Người lập",
    },
    "Cells": {
        "cell_code": "Mã chi bộ",
        "cell_name": "Tên chi bộ",
        "cell_type": "Loại hình chi bộ",
        "official_members": "Số ĐV chính thức",
        "probationary_members": "Số ĐV dự bị",
        "last_admission_year": "Năm kết nạp gần nhất",
    },
    "Meetings": {
        "cell_code": "Mã chi bộ",
        "month": "Tháng",
        "regular_meeting": "Sinh hoạt định kỳ",
        "meeting_date": "Ngày sinh hoạt",
        "attendees": "SỐ ĐV DỰ",
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


def vietnamese(sheets: Sheets) -> Sheets:
    """The same return with Vietnamese sheet names and headers, and a title row on Info."""
    out: Sheets = {}
    for name, rows in copy.deepcopy(sheets).items():
        headers = VI_HEADERS[name]
        if name == "Info":
            rows = [["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], *([headers[k], v] for k, v in rows)]
        else:
            rows[0] = [headers[h] for h in rows[0]]
        out[VI_SHEETS[name]] = rows
    return out


@pytest.fixture(scope="module")
def in_vietnamese(tmp_path_factory) -> dict[str, Outcome]:
    broken_vi = broken(
        ("Info", 4, "submitted_on", "hôm qua"),
        ("Cells", 3, "cell_type", "Chợ"),
        ("Meetings", 2, "attendees", 13),
        ("Meetings", 5, "regular_meeting", "có lẽ"),
        ("Admissions", 2, "birth_year", 2010),
    )
    return outcomes(
        tmp_path_factory.mktemp("vi"),
        {"valid": (vietnamese(valid_return()), None), "broken": (vietnamese(broken_vi), None)},
        lang="vi",
    )


def test_vietnamese_workbook_is_accepted(in_vietnamese):
    outcome = in_vietnamese["valid"]

    assert outcome.problems == []
    assert outcome.accepted
    assert len(outcome.sheets["Meetings"]) == 6


def test_vietnamese_messages_name_the_header_as_written(in_vietnamese):
    problems = in_vietnamese["broken"].problems

    assert [(p.sheet, p.row, p.column, p.cell, p.rule, p.message) for p in problems] == [
        (
            "Info",
            5,  # below the title row
            "submitted_on",
            "B5",
            "not-a-date",
            "'Ngày báo cáo' phải là ngày theo dạng ngày/tháng/năm (ví dụ 05/07/2026); giá trị "
            "hiện tại là 'hôm qua'.",
        ),
        (
            "Cells",
            3,
            "cell_type",
            "C3",
            "not-in-list",
            "'Chợ' không phải giá trị hợp lệ của 'Loại hình chi bộ'. Hãy dùng một trong các giá "
            "trị: Thôn, Cơ quan, Đơn vị sự nghiệp, Doanh nghiệp, Quân sự, Khác.",
        ),
        (
            "Meetings",
            2,
            "attendees",
            "E2",
            "attendees-above-members",
            "'SỐ ĐV DỰ' (13) lớn hơn tổng số 12 đảng viên của chi bộ (chính thức và dự bị, theo "
            "trang danh sách chi bộ).",
        ),
        (
            "Meetings",
            5,
            "regular_meeting",
            "C5",
            "not-in-list",
            "'có lẽ' không phải giá trị hợp lệ của 'Sinh hoạt định kỳ'. Hãy dùng một trong các "
            "giá trị: Có, Không.",
        ),
        (
            "Admissions",
            2,
            "birth_year",
            "D2",
            "admission-under-18",
            "Với 'Năm sinh' 2010, đảng viên mới 16 tuổi khi kết nạp; tuổi tối thiểu là 18.",
        ),
    ]


# --- several files in one call ---------------------------------------------------------------


def test_several_files_keep_their_problems_on_the_right_file(tmp_path):
    raw = tmp_path / "raw"
    files = {
        "a-good.xlsx": valid_return(),
        "b-other-commune.xlsx": broken(
            ("Meetings", 3, "attendees", 13), base=valid_return("06254")
        ),
        "c-unknown.xlsx": valid_return("09999"),
        "d-warning.xlsx": broken(("Admissions", 2, "birth_year", 1950), base=valid_return("06255")),
    }
    paths = [write_workbook(raw / name, sheets) for name, sheets in files.items()]
    (raw / "e-empty.xlsx").write_bytes(b"")
    paths.append(raw / "e-empty.xlsx")
    books = [read_workbook(path, raw, "en") for path in paths]

    validated = validate(books, {"06253", "06254", "06255"}, TODAY, "en")

    by_file = {
        name: [(p.sheet, p.row, p.cell, p.rule) for p in validated.problems if p.file_name == name]
        for name in [*files, "e-empty.xlsx"]
    }
    assert by_file == {
        "a-good.xlsx": [],
        "b-other-commune.xlsx": [("Meetings", 3, "E3", "attendees-above-members")],
        "c-unknown.xlsx": [("Info", 1, "B1", "unknown-commune")],
        "d-warning.xlsx": [("Admissions", 2, "D2", "admission-over-60")],
        "e-empty.xlsx": [(None, None, None, "empty-file")],
    }
    files_frame = validated.files.set_index("file_name")
    assert files_frame["accepted"].to_dict() == {
        "a-good.xlsx": True,
        "b-other-commune.xlsx": False,
        "c-unknown.xlsx": False,
        "d-warning.xlsx": True,
        "e-empty.xlsx": False,
    }
    assert files_frame["commune_code"].to_dict()["b-other-commune.xlsx"] == "06254"
    assert files_frame[["errors", "warnings"]].loc["d-warning.xlsx"].tolist() == [0, 1]
    # Same cell codes in different files are not duplicates; only accepted files are typed.
    assert sorted(validated.sheets["Info"]["commune_code"]) == ["06253", "06255"]
    assert len(validated.sheets["Cells"]) == 4
    assert len(validated.sheets["Meetings"]) == 12


# --- unforeseen failures: one file's problem, never a stopped run -----------------------------


def parser_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsers that let through what they now refuse: dates of any year, integers of any size.

    Stands for a gap nobody has found yet; what is checked is that it stays one file's problem.
    """
    from pipeline import values

    plain_integer = values.integer
    monkeypatch.setattr(values, "date", values._date)
    monkeypatch.setattr(values, "integer", lambda v: 10**30 if v == "10^30" else plain_integer(v))


def validated_files(tmp_path: Path, files: dict[str, Sheets], lang: str = "en") -> Validated:
    raw = tmp_path / "raw"
    paths = [write_workbook(raw / name, sheets) for name, sheets in files.items()]
    return validate([read_workbook(path, raw, lang) for path in paths], COMMUNES, TODAY, lang)


def by_file(validated: Validated) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {name: [] for name in validated.files["file_name"]}
    for p in validated.problems:
        out[p.file_name].append((p.sheet, p.row, p.column, p.cell, p.rule, p.message))
    return out


def test_a_value_no_dtype_can_hold_is_that_file_problem(tmp_path, monkeypatch):
    parser_gap(monkeypatch)
    files = {
        "a.xlsx": valid_return(),
        "b-huge.xlsx": broken(("Cells", 3, "official_members", "10^30")),
        "c.xlsx": valid_return(cells=[("CB07", 7, 1)]),
    }

    validated = validated_files(tmp_path, files)

    assert by_file(validated) == {
        "a.xlsx": [],
        "b-huge.xlsx": [
            (
                "Cells",
                3,
                "official_members",
                "D3",
                "value-not-checked",
                "'official_members' holds '10^30', which could not be checked as a whole number. "
                "Type it again as a whole number, save the file and send it again.",
            )
        ],
        "c.xlsx": [],
    }
    assert validated.files.set_index("file_name")["accepted"].to_dict() == {
        "a.xlsx": True,
        "b-huge.xlsx": False,
        "c.xlsx": True,
    }
    cells = validated.sheets["Cells"]
    assert cells[["_file", "cell_code", "official_members"]].values.tolist() == [
        [0, "CB01", 10],
        [0, "CB02", 20],
        [2, "CB07", 7],
    ]


def test_a_failure_without_a_row_rejects_only_the_files_that_cause_it(tmp_path, monkeypatch):
    parser_gap(monkeypatch)  # 1600 then reaches pandera, which cannot hold it as datetime64[ns]
    files = {f"{n}.xlsx": valid_return() for n in "abcdefg"}
    files["c.xlsx"] = broken(("Admissions", 2, "admitted_on", "01/08/1600"))
    files["f.xlsx"] = broken(("Admissions", 2, "admitted_on", dt.date(2262, 8, 1)))
    files["g.xlsx"] = broken(("Admissions", 2, "cell_code", "CB09"))  # still checked

    validated = validated_files(tmp_path, files, lang="vi")

    not_checked = (
        "Admissions",
        None,
        "admitted_on",
        None,
        "sheet-not-checked",
        "Không kiểm tra được trang 'Admissions': có một giá trị thuộc loại không lường trước "
        "(ví dụ một ngày hoặc một số nằm quá xa khoảng hợp lệ). Hãy kiểm tra các ngày và số "
        "trong trang, lưu tệp rồi gửi lại.",
    )
    problems = by_file(validated)
    assert problems["c.xlsx"] == [not_checked]
    assert problems["f.xlsx"] == [not_checked]
    assert [p[:5] for p in problems["g.xlsx"]] == [
        ("Admissions", 2, "cell_code", "A2", "unknown-cell")
    ]
    assert all(problems[f"{n}.xlsx"] == [] for n in "abde")
    accepted = validated.files.set_index("file_name")["accepted"]
    assert sorted(accepted[accepted].index) == ["a.xlsx", "b.xlsx", "d.xlsx", "e.xlsx"]
    admissions = validated.sheets["Admissions"]
    assert sorted(admissions["_file"]) == [0, 1, 3, 4]
    assert set(admissions["admitted_on"]) == {pd.Timestamp(2026, 8, 1)}


class Unforeseen:
    """The Cells schema with two checks outside the catalogue: one raises on a value it never
    expected (pandera then names no row), one has no rule code (pandera names the row)."""

    @staticmethod
    def to_schema() -> pa.DataFrameSchema:
        schema = copy.deepcopy(Cells.to_schema())
        schema.checks = [*schema.checks, pa.Check(Unforeseen._breaks, name="duplicate-cell")]
        schema.columns["official_members"].checks.append(pa.Check.le(500))
        return schema

    @staticmethod
    def validate(frame: pd.DataFrame, lazy: bool) -> pd.DataFrame:
        return Unforeseen.to_schema().validate(frame, lazy=lazy)

    @staticmethod
    def _breaks(df: pd.DataFrame) -> pd.Series:
        if (df["cell_name"] == "BOOM").any():
            raise TypeError("a check meets a value it never expected")
        return df["cell_name"].notna() | df["cell_name"].isna()


def test_checks_that_fail_unforeseen_reject_only_the_files_concerned(tmp_path, monkeypatch):
    spec = SHEET_BY_NAME["Cells"]
    monkeypatch.setitem(SHEET_BY_NAME, "Cells", replace(spec, model=Unforeseen))
    files = {
        "a.xlsx": valid_return(),
        "b.xlsx": broken(("Cells", 2, "cell_name", "BOOM")),
        "c.xlsx": broken(("Cells", 3, "official_members", 600)),
        "d.xlsx": broken(("Cells", 3, "last_admission_year", 2027)),
        "e.xlsx": valid_return(cells=[("CB07", 7, 1)]),
    }

    validated = validated_files(tmp_path, files)

    problems = by_file(validated)
    assert problems == {
        "a.xlsx": [],
        "b.xlsx": [
            (
                "Cells",
                None,
                None,
                None,
                "sheet-not-checked",
                "The sheet 'Cells' could not be checked: a value in it is of a kind the checks do "
                "not expect (such as a date or a number far out of range). Check the dates and "
                "numbers of the sheet, save the file and send it again.",
            )
        ],
        "c.xlsx": [
            (
                "Cells",
                3,
                "official_members",
                "D3",
                "value-not-checked",
                "'official_members' holds '600', which could not be checked as a whole number. "
                "Type it again as a whole number, save the file and send it again.",
            )
        ],
        # the other files are still checked by every rule
        "d.xlsx": [
            (
                "Cells",
                3,
                "last_admission_year",
                "F3",
                "last-admission-after-period",
                "'last_admission_year' (2027) is after the year of the report (2026).",
            )
        ],
        "e.xlsx": [],
    }
    assert validated.files["accepted"].tolist() == [True, False, False, False, True]
    assert validated.sheets["Cells"]["cell_code"].tolist() == ["CB01", "CB02", "CB07"]


def test_huge_numbers_and_far_dates_reject_their_file_and_the_run_loads_the_others(province):
    # Each of these once stopped the province's whole run with a traceback.
    communes = [("06253", "Xã A", None), ("00101", "Xã B", None), ("00102", "Xã C", None)]
    write_reference(province.reference, communes=communes)
    write_workbook(province.raw / "a-good.xlsx", valid_return())
    huge = "99999999999999999999"
    huge = broken(("Cells", 2, "official_members", huge), base=valid_return("00101"))
    write_workbook(province.raw / "b-huge.xlsx", huge)
    far = broken(("Admissions", 2, "admitted_on", dt.date(9999, 8, 1)), base=valid_return("00102"))
    write_workbook(province.raw / "c-far-date.xlsx", far)

    report(replace(province, lang="en"))

    with duckdb.connect(province.out / "warehouse.duckdb", read_only=True) as con:
        statuses = con.execute("select file_name, status from submissions order by 1").fetchall()
        problems = con.execute(
            "select file_name, sheet, cell, rule, message from problems order by 1"
        ).fetchall()
        cells = con.execute(
            "select commune_code, cell_code, official_members, probationary_members from cells "
            "order by 1, 2"
        ).fetchall()
        admissions = con.execute(
            "select commune_code, count(*) from admissions group by 1"
        ).fetchall()
    assert statuses == [
        ("a-good.xlsx", "accepted"),
        ("b-huge.xlsx", "rejected"),
        ("c-far-date.xlsx", "rejected"),
    ]
    assert problems == [
        (
            "b-huge.xlsx",
            "Cells",
            "D2",
            "number-too-large",
            "'official_members' (99999999999999999999) has more than 9 digits: no count or year "
            "of a return is that large. Check the figure.",
        ),
        (
            "c-far-date.xlsx",
            "Admissions",
            "B2",
            "year-out-of-range",
            "'admitted_on' (01/08/9999) is not between the years 1900 and 2100. Check the year.",
        ),
    ]
    assert cells == [("06253", "CB01", 10, 2), ("06253", "CB02", 20, 0)]
    assert admissions == [("06253", 1)]
