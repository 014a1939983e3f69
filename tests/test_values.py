"""Numbers stored as text (SPEC §3): digit groups, zero decimal parts, and near misses.

The same values go through real workbooks in ``test_validate.py`` (``digit-groups`` and the
``not-an-integer`` and ``number-too-large`` cases); here every spelling is listed once.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from pipeline import values


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("+12", 12),
        ("-3", -3),
        # thousands: groups of three after ".", "," or a space (no-break spaces too)
        ("1.000", 1000),
        ("1,000", 1000),
        ("1 000", 1000),
        ("1\u00a0000", 1000),
        ("1\u202f000", 1000),  # narrow no-break space
        ("12.345", 12345),
        ("1.000.000", 1_000_000),
        ("1,000,000", 1_000_000),
        ("1 000 000", 1_000_000),
        ("-1.000", -1000),
        # a zero decimal part is dropped, of any length but three (three digits are a group)
        ("12.0", 12),
        ("12,0", 12),
        ("1.00", 1),
        ("1.0000", 1),
        ("1.000,00", 1000),  # Vietnamese: "." groups, "," decimals
        ("1,000.00", 1000),  # English: "," groups, "." decimals
        ("12 000,0", 12000),
        # numbers the workbook stores as numbers
        (12, 12),
        (12.0, 12),
        (999_999_999, 999_999_999),
    ],
)
def test_integer_spellings(written, number):
    assert values.integer(written) == number


@pytest.mark.parametrize(
    "written",
    [
        "1.5",
        "12,50",  # a decimal part that is not zero
        "1.000,5",
        "1.00.0",  # groups must be three digits
        "1.000.0",  # "." both as group and decimal separator
        "1,00,000",  # Indian grouping
        "12 5",
        "12.",
        ".5",
        "1/2",
        "mười",
        "1e3",
        0.5,
        True,
        dt.date(2026, 7, 1),
    ],
)
def test_other_non_integers_are_errors(written):
    with pytest.raises(values.BadValue) as raised:
        values.integer(written)
    assert raised.value.code == "not-an-integer"


@pytest.mark.parametrize(
    "written", ["1000000000", "1.000.000.000", "99999999999999999999", 1e20, 2**63, -(10**9)]
)
def test_numbers_of_more_than_nine_digits_are_too_large(written):
    # The warehouse stores 32-bit integers: a sum of two figures must still fit.
    with pytest.raises(values.BadValue) as raised:
        values.integer(written)
    assert raised.value.code == "number-too-large"


@pytest.mark.parametrize(
    ("parse", "written"),
    [
        (values.date, "31/12/1899"),
        (values.date, "01/01/2101"),
        (values.date, dt.datetime(9999, 12, 31)),
        (values.period, "0000-Q1"),
        (values.period, "Quý 3/1600"),
    ],
)
def test_years_outside_1900_to_2100_are_refused(parse, written):
    with pytest.raises(values.BadValue) as raised:
        parse(written)
    assert raised.value.code == "year-out-of-range"


def test_commune_code_is_ascii_digits():
    assert values.commune_code("6253") == "06253"
    assert values.commune_code(6253) == "06253"
    for written in ("0625²", "６２５３", "062530"):
        with pytest.raises(values.BadValue):
            values.commune_code(written)


@pytest.mark.parametrize(
    "written",
    [
        "05/07/2026",
        "5/7/2026",
        "05-07-2026",
        "05.07.2026",
        "2026-07-05",
        "ngày 05 tháng 7 năm 2026",
        "Ngày 5 tháng 07 năm 2026",
        "NGÀY  5  THÁNG 7 NĂM 2026",
        unicodedata.normalize("NFD", "ngày 05 tháng 7 năm 2026"),
        dt.date(2026, 7, 5),
        dt.datetime(2026, 7, 5),
    ],
)
def test_date_spellings(written):
    assert values.date(written) == dt.date(2026, 7, 5)


@pytest.mark.parametrize("written", ["5/7/26", "05.07.26", "05-07-26", "ngày 5 tháng 7 năm 26"])
def test_a_two_digit_year_is_refused_not_guessed(written):
    with pytest.raises(values.BadValue) as raised:
        values.date(written)
    assert raised.value.code == "two-digit-year"


@pytest.mark.parametrize(
    "written", ["07/31/2026", "31/02/2026", "5/7/202", "ngày 5 tháng 7", "tháng 7 năm 2026", "26"]
)
def test_other_dates_are_not_dates(written):
    with pytest.raises(values.BadValue) as raised:
        values.date(written)
    assert raised.value.code == "not-a-date"
