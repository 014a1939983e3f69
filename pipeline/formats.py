"""Numbers, percentages, dates and quarters as each language writes them.

One place for the bulletins (their Jinja filters) and for what the commands print, so a
figure reads the same on paper and in a terminal: ``1.234``, ``66,7 %``, ``05/10/2026``
in Vietnamese; ``1,234``, ``66.7%``, ``5 Oct 2026`` in English (Babel's data).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from pipeline.labels import translations
from pipeline.quarters import Quarter

NO_FIGURE = "–"


@cache
def locale(lang: str) -> Locale:
    return Locale.parse(lang)


def number(value: int | Decimal | None, lang: str) -> str:
    """A whole number with the language's digit groups; "–" when there is no figure."""
    return NO_FIGURE if value is None else _decimal(value, None, lang)


def percent(value: float | None, lang: str) -> str:
    """One decimal, as the language writes percentages: 66.7% / 66,7 %."""
    if value is None:
        return NO_FIGURE
    figure = _decimal(one_decimal(value), "#,##0.0", lang)
    return f"{figure} %" if lang == "vi" else f"{figure}%"


def decimal(value: float | None, places: int, lang: str) -> str:
    """A number with ``places`` decimals (half away from zero): 3.90 / 3,90."""
    if value is None:
        return NO_FIGURE
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return _decimal(exact, "#,##0." + "0" * places, lang)


def signed(value: float | None, lang: str) -> str:
    """A change with one decimal and its sign (+2.5, -1.0); blank when there is none."""
    if value is None:
        return ""
    figure = format_decimal(one_decimal(value), format="#,##0.0", locale=locale(lang))
    return ("+" if value > 0 else "") + figure


def signed_int(value: int, lang: str) -> str:
    """A change of a count with its sign (+3, -12)."""
    return ("+" if value > 0 else "") + format_decimal(value, locale=locale(lang))


def seconds(value: float, lang: str) -> str:
    """A duration with one decimal: 1.3 s / 1,3 s."""
    return f"{format_decimal(one_decimal(value), format='#,##0.0', locale=locale(lang))} s"


def date(value: dt.date | None, lang: str) -> str:
    """05/10/2026 in Vietnamese, 5 Oct 2026 in English; "–" when there is none."""
    if value is None:
        return NO_FIGURE
    return format_date(value, "dd/MM/yyyy" if lang == "vi" else "d MMM yyyy", locale=locale(lang))


def quarter(period: tuple[int, int], lang: str) -> str:
    """The quarter as the bulletins name it: Quarter 3/2026, Quý 3/2026."""
    _ = translations(lang).gettext
    year, q = period
    return _("Quarter %(q)s/%(y)s") % {"q": q, "y": year}


def period_code(period: tuple[int, int]) -> str:
    """The quarter as ``--period`` takes it and folders are named: 2026-Q3."""
    return Quarter(*period).code


def one_decimal(value: float) -> Decimal:
    """Half away from zero, as Excel shows it (Babel alone would give 6.25 -> 6.2)."""
    return Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@lru_cache(maxsize=1 << 14)
def _decimal(value: int | Decimal, pattern: str | None, lang: str) -> str:
    # Babel takes ~50 µs a number; a page shows the same few hundred values again and again.
    return format_decimal(value, format=pattern, locale=locale(lang))
