"""One pandera model per sheet of the return workbook, in reading order."""

from __future__ import annotations

from dataclasses import dataclass

import pandera.pandas as pa

from schemas import admissions, cells, info, meetings


@dataclass(frozen=True)
class SheetSpec:
    """A sheet of the return: its canonical name, aliases and model."""

    name: str
    aliases: tuple[str, ...]
    model: type[pa.DataFrameModel]

    def fields(self) -> dict[str, dict]:
        """Canonical column -> metadata (``kind``, ``aliases``, ``nullable``), in sheet order."""
        columns = self.model.to_schema().columns
        return {
            name: {**(col.metadata or {}), "nullable": col.nullable}
            for name, col in columns.items()
        }


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(info.SHEET, info.SHEET_ALIASES, info.Info),
    SheetSpec(cells.SHEET, cells.SHEET_ALIASES, cells.Cells),
    SheetSpec(meetings.SHEET, meetings.SHEET_ALIASES, meetings.Meetings),
    SheetSpec(admissions.SHEET, admissions.SHEET_ALIASES, admissions.Admissions),
)
SHEET_BY_NAME = {spec.name: spec for spec in SHEETS}
PERSONAL_ALIASES = admissions.PERSONAL_ALIASES

# Headers of a row-number column of the old forms: ignored without a warning (SPEC §3).
ORDINAL_ALIASES = ("STT", "TT", "Số TT", "Số thứ tự", "No.")
# What the first value of a total row reads (SPEC §3): the row is a total, not a cell.
TOTAL_LABELS = ("Tổng cộng", "Tổng", "Cộng", "Total")
