"""Sheet ``Admissions``: one row per member admitted in the quarter (SPEC §3).

No names or personal identifiers are kept: the reader drops such columns.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import column, passes_unless


class Admissions(pa.DataFrameModel):
    """Context: ``_file``, ``_year``, ``_quarter``, ``_cell_known``."""

    cell_code: Series[str] = column("code", "Mã chi bộ", nullable=False)
    admitted_on: Series[pa.DateTime] = column("date", "Ngày kết nạp", nullable=False)
    sex: Series[str] = column("list:sex", "Giới tính", nullable=False)
    birth_year: Series[pd.Int64Dtype] = column("int", "Năm sinh", nullable=False)
    ethnicity: Series[str] = column("text", "Dân tộc", nullable=False)
    religion: Series[str] = column("text", "Tôn giáo")
    occupation: Series[str] = column("list:occupation", "Nghề nghiệp", nullable=False)
    education: Series[str] = column("list:education", "Trình độ học vấn", nullable=False)
    referred_by: Series[str] = column("list:referred_by", "Đoàn thể giới thiệu")

    @pa.dataframe_check(name="unknown-cell")
    def _known_cell(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["cell_code"].notna() & ~df["_cell_known"])

    @pa.dataframe_check(name="admission-outside-quarter")
    def _in_quarter(cls, df: pd.DataFrame) -> pd.Series:
        dates = df["admitted_on"]
        outside = (dates.dt.year != df["_year"]) | (dates.dt.quarter != df["_quarter"])
        return passes_unless(dates.notna() & outside)

    @pa.dataframe_check(name="admission-under-18")
    def _adult(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["admitted_on"].dt.year - df["birth_year"] < 18)

    @pa.dataframe_check(name="admission-over-60")
    def _needs_approval(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["admitted_on"].dt.year - df["birth_year"] > 60)

    class Config:
        strict = False
        coerce = True


SHEET = "Admissions"
SHEET_ALIASES = ("Kết nạp", "Kết nạp đảng viên")

# Headers of columns that would carry a person's identity: dropped at ingest.
PERSONAL_ALIASES = (
    "Họ và tên",
    "Họ tên",
    "Tên",
    "Tên đảng viên",
    "Name",
    "Full name",
    "CCCD",
    "CMND",
    "Số CCCD",
    "Số CMND",
    "ID",
    "Số định danh",
    "Số thẻ đảng viên",
)
