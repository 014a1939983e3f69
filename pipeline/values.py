"""Turn one cell's value, as a reader gives it, into the typed value SPEC §3 means.

Every parser returns the parsed value, or raises ``BadValue`` carrying the rule
code of the problem; blanks come back as ``None`` and the schema decides whether
a blank is allowed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

MAX_TEXT = 32_767  # Excel's own limit on the characters in one cell
_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


class UncachedFormula(str):
    """A formula saved without its result: the reader saw a blank (SPEC §4)."""

    __slots__ = ()


class BadValue(ValueError):
    """A value that cannot be read as its column's type; ``code`` names the rule."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@lru_cache(maxsize=1 << 16)  # the same headers and labels recur in every return
def fold(text: str) -> str:
    """Key for case-, accent- and whitespace-insensitive matching."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    kind = type(value)
    if kind is str:
        return not value.strip()
    return kind is float and math.isnan(value)


def text(value: Any) -> str | None:
    """NFC-normalised, trimmed text; numbers read back as the clerk typed them."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    out = unicodedata.normalize("NFC", str(value)).strip()
    if _C0.search(out):
        raise BadValue("control-characters")
    if len(out) > MAX_TEXT:
        raise BadValue("text-too-long")
    return out or None


def code(value: Any) -> str | None:
    """An identifier compared upper-cased (``cb01`` is ``CB01``)."""
    out = text(value)
    return out.upper() if out is not None else None


def commune_code(value: Any) -> str | None:
    """The 5-digit administrative code; the number 6253 is ``"06253"``."""
    out = text(value)
    if out is None:
        return None
    if not re.fullmatch(r"[0-9]{1,5}", out):  # isdigit() would let "²" through
        raise BadValue("bad-commune-code")
    return out.zfill(5)


def integer(value: Any) -> int | None:
    """Whole numbers, also as text: ``" 12 "``, thousands ``1.000``/``1,000``/``1 000``, ``12,0``.

    Three digits after a single ``.`` or ``,`` are a thousands group (SPEC §3), so
    ``1.000`` is 1000 while ``1.00`` and ``1.0000`` are 1 (a zero decimal part).
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise BadValue("not-an-integer")
    if isinstance(value, int):
        return _bounded(value)
    if isinstance(value, float):
        if value.is_integer():
            return _bounded(int(value))
        raise BadValue("not-an-integer")
    if isinstance(value, str):
        return _integer_text(value)
    raise BadValue("not-an-integer")


# The largest magnitude a figure of a return may have: no count or year comes near it, and
# the warehouse stores 32-bit integers (a sum of two such figures must still fit).
MAX_DIGITS = 9
_SPACES = str.maketrans(dict.fromkeys("\u00a0\u2007\u2009\u202f", " "))
_NUMBER = re.compile(
    r"(?P<sign>[+-]?)"
    r"(?P<whole>\d{1,3}(?P<sep>[., ])\d{3}(?:(?P=sep)\d{3})*|\d+)"
    r"(?:(?P<point>[.,])(?P<fraction>\d+))?"
)


def _integer_text(value: str) -> int:
    m = _NUMBER.fullmatch(value.translate(_SPACES).strip())
    if m is None or (m["fraction"] and m["fraction"].strip("0")):
        raise BadValue("not-an-integer")
    if m["point"] and m["point"] == m["sep"]:  # 1.000.0: neither groups nor a decimal part
        raise BadValue("not-an-integer")
    digits = m["whole"].replace(m["sep"] or " ", "")
    return _bounded(int(m["sign"] + digits))


def _bounded(number: int) -> int:
    if abs(number) >= 10**MAX_DIGITS:
        raise BadValue("number-too-large")
    return number


def date(value: Any) -> dt.date | None:
    """Excel dates, ISO ``2026-07-05``, day-first ``05/07/2026`` (never month-first) or
    ``ngày 05 tháng 7 năm 2026``; a two-digit year (``5/7/26``) is refused, not guessed."""
    parsed = _date(value)
    if parsed is not None:
        _plausible_year(parsed.year)
    return parsed


def _date(value: Any) -> dt.date | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        raw = value.strip()
        if m := _ISO_DATE.fullmatch(raw):
            return _calendar_date(m["year"], m["month"], m["day"])
        if m := _DAY_FIRST.fullmatch(raw) or _DAY_FIRST_VI.fullmatch(fold(raw)):
            if len(m["year"]) == 2:  # 26 could be 1926 or 2026: the clerk knows which
                raise BadValue("two-digit-year")
            return _calendar_date(m["year"], m["month"], m["day"])
    raise BadValue("not-a-date")


_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")
_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4}|\d{2})")
# "ngày 05 tháng 7 năm 2026", folded (no accents, lower case, single spaces)
_DAY_FIRST_VI = re.compile(
    r"ngay (?P<day>\d{1,2}) thang (?P<month>\d{1,2}) nam (?P<year>\d{4}|\d{2})"
)


def _calendar_date(year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:  # 31/02/2026
        raise BadValue("not-a-date") from None


# Years a return's dates and periods may have. Outside them a date is a typing slip, and
# pandas cannot hold dates before 1677 or after 2262 at all.
YEARS = range(1900, 2101)


def _plausible_year(year: int) -> None:
    if year not in YEARS:
        raise BadValue("year-out-of-range")


def month(value: Any) -> tuple[int, int | None] | None:
    """A month as ``(month, year or None)``: 1–12, a date, or ``07/2026``."""
    if is_blank(value):
        return None
    if isinstance(value, dt.date):
        return value.month, value.year
    if isinstance(value, str) and (m := re.fullmatch(r"\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*", value)):
        number, year = int(m[1]), int(m[2])
    else:
        try:
            number, year = integer(value), None
        except BadValue:
            try:
                parsed = date(value)
            except BadValue:
                raise BadValue("bad-month") from None
            return (parsed.month, parsed.year) if parsed else None
    if number is None or not 1 <= number <= 12:
        raise BadValue("bad-month")
    return number, year


_PERIOD_PATTERNS = (
    r"(?P<y>\d{4})\s*-?\s*q(?P<q>[1-4])",
    r"q(?P<q>[1-4])\s*[/ -]\s*(?P<y>\d{4})",
    r"quy\s*(?P<q>[1-4]|iv|iii|ii|i)\s*(?:/|nam)\s*(?P<y>\d{4})",
)


def period(value: Any) -> tuple[int, int] | None:
    """``(year, quarter)`` from ``2026-Q3``, ``Q3/2026``, ``Quý III/2026``, ``Quý 3 năm 2026``…"""
    raw = text(value)
    if raw is None:
        return None
    key = fold(raw)
    for pattern in _PERIOD_PATTERNS:
        if m := re.fullmatch(pattern, key):
            q = m["q"].upper()
            _plausible_year(int(m["y"]))
            return int(m["y"]), _ROMAN[q] if q in _ROMAN else int(q)
    raise BadValue("bad-period")


def label_index(value_list: dict[str, list[str]]) -> dict[str, str]:
    """Folded label (and the canonical code itself) -> canonical code, for ``labelled``.

    ``value_list`` is one of ``schemas.value_lists.VALUE_LISTS``: canonical code -> labels.
    """
    index: dict[str, str] = {}
    for canonical, labels in value_list.items():
        for label in [canonical, *labels]:
            index[fold(label)] = canonical
    return index


def labelled(value: Any, labels: dict[str, str], blank: str | None = None) -> str | None:
    """The canonical code of a value list (``labels`` maps folded label → code)."""
    if is_blank(value):
        return blank
    if isinstance(value, bool):
        value = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    found = labels.get(fold(str(value)))
    if found is None:
        raise BadValue("not-in-list")
    return found


def shown(value: Any) -> str:
    """A value as the clerk would recognise it: dates day/month/year, whole numbers bare."""
    try:
        if value is None or (not isinstance(value, str) and bool(value != value)):
            return ""  # None, NaN, NaT
    except TypeError:  # pandas' NA refuses to be a boolean
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
