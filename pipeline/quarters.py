"""The calendar quarter a return reports on, and its arithmetic in one place."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from pipeline import values


class Quarter(NamedTuple):
    """A quarter of a year; a ``(year, quarter)`` tuple, so it unpacks and sorts as one."""

    year: int
    quarter: int  # 1-4

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``2026-Q3``, ``Q3/2026``, ``Quý III/2026``…; ``values.BadValue`` otherwise."""
        found = values.period(text)
        if found is None:
            raise values.BadValue("bad-period")
        return cls(*found)

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        """The quarter ``day`` falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        """As ``--period`` takes it and folders are named: ``2026-Q3``."""
        return f"{self.year}-Q{self.quarter}"

    @property
    def months(self) -> tuple[int, int, int]:
        first = self.quarter * 3 - 2
        return first, first + 1, first + 2

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.months[0], 1)

    @property
    def end(self) -> dt.date:
        return self.next.start - dt.timedelta(days=1)

    @property
    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)
        )

    @property
    def previous(self) -> Quarter:
        """The quarter before: Q4 of the year before for Q1."""
        return (
            Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)
        )

    @property
    def year_earlier(self) -> Quarter:
        return Quarter(self.year - 1, self.quarter)
