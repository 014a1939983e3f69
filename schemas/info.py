"""Sheet ``Info``: key/value pairs identifying the return (SPEC §3)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import column, passes_unless


class Info(pa.DataFrameModel):
    """One row per workbook. Context columns (``_…``) are added by the validator."""

    commune_code: Series[str] = column("commune_code", "Mã xã", "Mã đơn vị", nullable=False)
    commune_name: Series[str] = column("text", "Tên xã", "Tên đơn vị")
    period: Series[str] = column("period", "Kỳ báo cáo", nullable=False)
    submitted_on: Series[pa.DateTime] = column("date", "Ngày báo cáo", "Ngày lập", nullable=False)
    prepared_by: Series[str] = column("text", "Người lập")

    @pa.dataframe_check(name="unknown-commune")
    def _known_commune(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["commune_code"].notna() & ~df["_commune_known"])

    @pa.dataframe_check(name="period-in-future")
    def _not_future(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["_period_start"] > df["_today"])

    class Config:
        strict = False
        coerce = True


SHEET = "Info"
SHEET_ALIASES = ("Thông tin",)
