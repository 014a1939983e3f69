"""Sheet ``Cells``: one row per party cell at quarter end (SPEC §3)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import column, passes_unless


class Cells(pa.DataFrameModel):
    """One row per cell. Context: ``_file``, ``_year``, ``_admissions`` (admissions of the cell)."""

    cell_code: Series[str] = column("code", "Mã chi bộ", nullable=False)
    cell_name: Series[str] = column("text", "Tên chi bộ", nullable=False)
    cell_type: Series[str] = column(
        "list:cell_type", "Loại hình", "Loại hình chi bộ", nullable=False
    )
    official_members: Series[pd.Int64Dtype] = column(
        "int", "Đảng viên chính thức", "Số ĐV chính thức", nullable=False
    )
    probationary_members: Series[pd.Int64Dtype] = column(
        "int", "Đảng viên dự bị", "Số ĐV dự bị", nullable=False
    )
    last_admission_year: Series[pd.Int64Dtype] = column("int", "Năm kết nạp gần nhất")
    # The commune committee member assigned to the cell's meetings ("Project 16").
    assigned_member: Series[str] = column(
        "text", "Cấp ủy viên phụ trách", "Đồng chí phụ trách", optional=True
    )

    @pa.check("official_members", "probationary_members", name="negative-number")
    def _not_negative(cls, s: pd.Series) -> pd.Series:
        return passes_unless(s < 0)

    @pa.dataframe_check(name="duplicate-cell")
    def _unique_cell(cls, df: pd.DataFrame) -> pd.Series:
        keyed = df[["_file", "cell_code"]].dropna()
        duplicated = keyed.duplicated(keep=False).reindex(df.index, fill_value=False)
        return passes_unless(duplicated)

    @pa.dataframe_check(name="last-admission-after-period")
    def _not_after_period(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["last_admission_year"] > df["_year"])

    @pa.dataframe_check(name="admissions-above-probationary")
    def _admissions_fit(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["_admissions"] > df["probationary_members"])

    @pa.dataframe_check(name="last-admission-year-mismatch")
    def _admission_year(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless((df["_admissions"] > 0) & (df["last_admission_year"] != df["_year"]))

    class Config:
        strict = False
        coerce = True


SHEET = "Cells"
SHEET_ALIASES = ("Chi bộ", "Danh sách chi bộ")
