"""Every rule's message is filled from what its raise site really passes, in both languages.

A placeholder left without a value once printed "after the year of the report ()". Under
pytest ``problems.message`` raises on a placeholder missing or empty, so running one real
file per rule through read + validate, in English and in Vietnamese, fails on any raise
site that forgets one.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.plausibility import RULES
from pipeline.problems import CODES, MissingPlaceholder, Problem, message, placeholders
from pipeline.read import MAX_FILE_BYTES, read_workbook
from pipeline.validate import validate
from schemas import SHEET_BY_NAME
from tests.factory import Sheets, valid_return, write_workbook
from tests.test_layouts import with_hidden_copy
from tests.test_read import with_doctype
from tests.test_validate import (
    CASES,
    COMMUNES,
    FORMULA_CASES,
    PERIOD_CASES,
    TODAY,
    Unforeseen,
    broken,
    empty_cells,
    parser_gap,
    patch_xml,
    validated_files,
)


def without(sheets: Sheets, sheet: str) -> Sheets:
    out = copy.deepcopy(sheets)
    del out[sheet]
    return out


def with_column(sheets: Sheets, sheet: str, header: str, value: str) -> Sheets:
    out = copy.deepcopy(sheets)
    out[sheet][0] = [*out[sheet][0], header]
    out[sheet][1] = [*out[sheet][1], value]
    return out


def without_cell_type(sheets: Sheets) -> Sheets:
    out = copy.deepcopy(sheets)
    out["Cells"] = [row[:2] + row[3:] for row in out["Cells"]]
    return out


def row_without_code(sheets: Sheets) -> Sheets:
    out = copy.deepcopy(sheets)
    out["Cells"].insert(2, [None, "Chi bộ không mã", "Thôn", 7, 0, 2024])
    return out


def info_without(sheets: Sheets, key: str) -> Sheets:
    out = copy.deepcopy(sheets)
    out["Info"] = [pair for pair in out["Info"] if pair[0] != key]
    return out


# Structure: one workbook per rule the reader finds (the value rules are test_validate's CASES).
STRUCTURE: dict[str, Sheets] = {
    "missing-sheet": without(valid_return(), "Meetings"),
    "missing-column": without_cell_type(valid_return()),
    "missing-info": info_without(valid_return(), "submitted_on"),
    "extra-column": with_column(valid_return(), "Meetings", "Ghi chú", "họp muộn"),
    "personal-data-dropped": with_column(valid_return(), "Admissions", "Họ và tên", "Nguyễn Văn"),
    "row-without-cell-code": row_without_code(valid_return()),
    "no-cells": empty_cells(),
    "duplicate-sheet": {**valid_return(), "Chi bộ": valid_return()["Cells"]},
    "total-mismatch": {**valid_return(), "Cells": [*valid_return()["Cells"], ["Tổng", 0, 0, 9]]},
}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Whole files: rule -> bytes, made from a real workbook's bytes.
FILES = {
    "empty-file": lambda real: b"",
    "file-too-large": lambda real: b"PK\x03\x04" + bytes(MAX_FILE_BYTES),
    "not-a-workbook": lambda real: "Mã xã,Kỳ báo cáo\n06253,2026-Q3\n".encode(),
    "password-protected": lambda real: OLE2 + bytes(504) + "EncryptedPackage".encode("utf-16-le"),
    "damaged-file": lambda real: real[: len(real) // 2],
    "unsafe-file": with_doctype("xl/workbook.xml", b"<!DOCTYPE workbook>"),
    "hidden-sheet-ignored": with_hidden_copy,
}


def every_rule_once(folder: Path) -> dict[str, Path]:
    """Expected rule -> a real file that breaks it (the first part of a case id is its rule)."""
    paths: dict[str, Path] = {}
    for case_id, sheets, patch, *_ in CASES + PERIOD_CASES + FORMULA_CASES:
        path = write_workbook(folder / f"{len(paths):03d}.xlsx", sheets)
        if patch:
            patch_xml(path, patch)
        paths[case_id] = path
    for rule, sheets in STRUCTURE.items():
        paths[rule] = write_workbook(folder / f"{len(paths):03d}.xlsx", sheets)
    real = write_workbook(folder / "real" / "real.xlsx", valid_return()).read_bytes()
    for rule, make in FILES.items():
        paths[rule] = folder / f"{len(paths):03d}.xlsx"
        paths[rule].write_bytes(make(real))
    return paths


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_every_rule_renders_from_what_its_raise_site_passes(tmp_path, lang):
    paths = every_rule_once(tmp_path)
    books = [read_workbook(path, tmp_path, lang) for path in paths.values()]

    validated = validate(books, COMMUNES, TODAY, lang)  # raises on a placeholder left empty

    by_file: dict[str, set[str]] = {}
    for p in validated.problems:
        by_file.setdefault(p.file_name, set()).add(p.rule)
        assert "{" not in p.message and "}" not in p.message, p
        assert "''" not in p.message and "()" not in p.message, p
        assert p.severity == CODES[p.rule].severity, p
    for case_id, path in paths.items():
        assert case_id.split("/")[0] in by_file[path.name], (case_id, by_file[path.name])
    unforeseen = {"value-not-checked", "sheet-not-checked"}  # below
    # the plausibility rules compare returns after load: tests/test_plausibility.py
    assert set().union(*by_file.values()) | unforeseen == set(CODES) - set(RULES)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_unforeseen_failures_render_in_both_languages(tmp_path, monkeypatch, lang):
    spec = SHEET_BY_NAME["Cells"]
    monkeypatch.setitem(SHEET_BY_NAME, "Cells", replace(spec, model=Unforeseen))
    parser_gap(monkeypatch)
    files = {
        "huge.xlsx": broken(("Meetings", 2, "attendees", "10^30")),
        "boom.xlsx": broken(("Cells", 2, "cell_name", "BOOM")),
        "far.xlsx": broken(("Admissions", 2, "admitted_on", "01/08/1600")),
    }

    validated = validated_files(tmp_path, files, lang)

    rules = {(p.file_name, p.rule) for p in validated.problems}
    assert rules == {
        ("huge.xlsx", "value-not-checked"),
        ("boom.xlsx", "sheet-not-checked"),
        ("far.xlsx", "sheet-not-checked"),
    }
    for p in validated.problems:
        assert "{" not in p.message and "''" not in p.message, p


# --- the factory -------------------------------------------------------------------------------


def test_a_problem_takes_its_severity_and_message_from_the_catalogue():
    made = Problem.make(
        "extra-column", "a.xlsx", "vi", sheet="Meetings", row=1, cell="H1", header="Ghi chú"
    )

    assert made == Problem(
        file_name="a.xlsx",
        sheet="Meetings",
        row=1,
        column=None,
        cell="H1",
        value=None,
        severity="warning",
        rule="extra-column",
        message="Cột 'Ghi chú' không thuộc mẫu báo cáo nên đã được bỏ qua.",
    )


def test_a_problem_value_fills_the_message_and_an_empty_one_is_stored_as_none():
    made = Problem.make("not-an-integer", "a.xlsx", "en", value="12,5", header="attendees")
    empty = Problem.make("empty-file", "b.xlsx", "en", value="")

    assert (made.value, made.severity) == ("12,5", "error")
    assert made.message == "'attendees' must be a whole number; found '12,5'."
    assert empty.value is None


# --- the guard itself ---------------------------------------------------------------------------


def test_a_missing_or_empty_placeholder_fails_under_tests():
    assert placeholders(CODES["not-an-integer"].en) == ("header", "value")
    with pytest.raises(MissingPlaceholder, match="value"):
        message("not-an-integer", "en", header="official_members")
    with pytest.raises(MissingPlaceholder, match="_year"):
        message("last-admission-after-period", "vi", header="Năm", value="2027", _year=" ")


def test_outside_tests_a_missing_placeholder_is_logged_not_raised(monkeypatch, caplog):
    monkeypatch.delenv("PYTEST_CURRENT_TEST")

    with caplog.at_level(logging.WARNING, logger="pipeline.problems"):
        text = message("last-admission-after-period", "en", header="h", value="2027")

    assert text == "'h' (2027) is after the year of the report ()."
    assert "last-admission-after-period" in caplog.text
    assert "_year" in caplog.text
