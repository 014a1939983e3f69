"""Sheet ``Meetings``: one row per cell per month of the quarter (SPEC §3)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import column, passes_unless


class Meetings(pa.DataFrameModel):
    """Context columns: _file, _year, _quarter, _cell_known, _members, _month_year,
    _assigned (the cell has an assigned member)."""

    cell_code: Series[str] = column("code", "Mã chi bộ", nullable=False)
    month: Series[pd.Int64Dtype] = column("month", "Tháng", nullable=False)
    regular_meeting: Series[pd.BooleanDtype] = column("bool", "Sinh hoạt định kỳ")
    meeting_date: Series[pa.DateTime] = column("date", "Ngày sinh hoạt")
    attendees: Series[pd.Int64Dtype] = column("int", "Số đảng viên dự", "Số ĐV dự")
    thematic_meeting: Series[pd.BooleanDtype] = column("bool", "Sinh hoạt chuyên đề")
    higher_level_attendees: Series[pd.Int64Dtype] = column("int", "Cán bộ cấp trên dự")
    assigned_member_attended: Series[pd.BooleanDtype] = column(
        "bool", "Cấp ủy phụ trách dự", optional=True
    )
    meeting_rating: Series[str] = column(
        "list:meeting_rating", "Xếp loại", "Xếp loại chất lượng sinh hoạt", optional=True
    )

    @pa.check("higher_level_attendees", name="negative-number")
    def _not_negative(cls, s: pd.Series) -> pd.Series:
        return passes_unless(s < 0)

    @pa.dataframe_check(name="unknown-cell")
    def _known_cell(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["cell_code"].notna() & ~df["_cell_known"])

    @pa.dataframe_check(name="duplicate-meeting")
    def _one_row_per_month(cls, df: pd.DataFrame) -> pd.Series:
        keyed = df[["_file", "cell_code", "month"]].dropna()
        duplicated = keyed.duplicated(keep=False).reindex(df.index, fill_value=False)
        return passes_unless(duplicated)

    @pa.dataframe_check(name="month-outside-quarter")
    def _month_in_quarter(cls, df: pd.DataFrame) -> pd.Series:
        wrong_quarter = (df["month"] - 1) // 3 + 1 != df["_quarter"]
        wrong_year = df["_month_year"].notna() & (df["_month_year"] != df["_year"])
        return passes_unless(wrong_quarter | wrong_year)

    @pa.dataframe_check(name="meeting-date-missing")
    def _date_when_held(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["regular_meeting"] & df["meeting_date"].isna())

    @pa.dataframe_check(name="meeting-date-not-held")
    def _no_date_unless_held(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(~df["regular_meeting"] & df["meeting_date"].notna())

    @pa.dataframe_check(name="meeting-date-outside-month")
    def _date_in_month(cls, df: pd.DataFrame) -> pd.Series:
        dates = df["meeting_date"]
        year = df["_month_year"].fillna(df["_year"])  # a month written 07/2026 carries its year
        outside = (dates.dt.month != df["month"]) | (dates.dt.year != year)
        return passes_unless(dates.notna() & df["month"].notna() & outside)

    @pa.dataframe_check(name="attendees-missing")
    def _attendees_when_held(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["regular_meeting"] & ~(df["attendees"] >= 1).fillna(False))

    @pa.dataframe_check(name="attendees-above-members")
    def _attendees_fit(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["regular_meeting"] & (df["attendees"] > df["_members"]))

    @pa.dataframe_check(name="attendees-not-held")
    def _no_attendees_unless_held(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(~df["regular_meeting"] & (df["attendees"] > 0))

    @pa.dataframe_check(name="attended-meeting-not-held")
    def _attended_when_held(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["assigned_member_attended"] & ~df["regular_meeting"])

    @pa.dataframe_check(name="attended-without-assigned-member")
    def _attended_when_assigned(cls, df: pd.DataFrame) -> pd.Series:
        held = df["regular_meeting"].astype("boolean").fillna(False)
        return passes_unless(df["assigned_member_attended"] & held & ~df["_assigned"])

    @pa.dataframe_check(name="rating-meeting-not-held")
    def _rated_when_held(cls, df: pd.DataFrame) -> pd.Series:
        return passes_unless(df["meeting_rating"].notna() & ~df["regular_meeting"])

    class Config:
        strict = False
        coerce = True


SHEET = "Meetings"
SHEET_ALIASES = ("Sinh hoạt", "Sinh hoạt chi bộ")
