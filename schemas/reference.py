"""The reference data the province maintains (SPEC §2): one pandera model per file.

Values are typed by ``pipeline.reference`` before these run (kinds as in the return
sheets, plus ``year``); context columns: ``_line`` (the line in the file), ``_first``
(the line of an earlier row with the same key), ``_commune_known`` (in ``communes``).
"""

from __future__ import annotations

from typing import Optional

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas._fields import column, passes_unless

YEARS = (1900, 2100)


def _after_first(df: pd.DataFrame) -> pd.Series:
    return passes_unless(df["_first"].notna())


def _unknown_commune(df: pd.DataFrame) -> pd.Series:
    return passes_unless(df["commune_code"].notna() & ~df["_commune_known"])


class Communes(pa.DataFrameModel):
    """One row per commune expected to report; key ``commune_code``."""

    commune_code: Series[str] = column("commune_code", nullable=False)
    commune_name: Series[str] = column("text", nullable=False)
    cluster: Optional[Series[str]] = column("text")  # noqa: UP045 - pandera reads Optional

    @pa.dataframe_check(name="reference-duplicate-commune")
    def _once(cls, df: pd.DataFrame) -> pd.Series:
        return _after_first(df)

    class Config:
        strict = False
        coerce = True


class Targets(pa.DataFrameModel):
    """One row per commune and year: the annual target of new members."""

    commune_code: Series[str] = column("commune_code", nullable=False)
    year: Series[pd.Int64Dtype] = column("year", nullable=False)
    admissions_target: Series[pd.Int64Dtype] = column("int", nullable=False)

    @pa.check("year", name="reference-bad-year")
    def _a_year(cls, s: pd.Series) -> pd.Series:
        return passes_unless((s < YEARS[0]) | (s > YEARS[1]))

    @pa.check("admissions_target", name="reference-negative")
    def _not_negative(cls, s: pd.Series) -> pd.Series:
        return passes_unless(s < 0)

    @pa.dataframe_check(name="reference-unknown-commune")
    def _known(cls, df: pd.DataFrame) -> pd.Series:
        return _unknown_commune(df)

    @pa.dataframe_check(name="reference-duplicate-target")
    def _once(cls, df: pd.DataFrame) -> pd.Series:
        return _after_first(df)

    class Config:
        strict = False
        coerce = True


class ReferralTargets(pa.DataFrameModel):
    """One row per commune, year and mass organisation: candidates it is to bring forward."""

    commune_code: Series[str] = column("commune_code", nullable=False)
    year: Series[pd.Int64Dtype] = column("year", nullable=False)
    referred_by: Series[str] = column("list:referred_by", nullable=False)
    referrals_target: Series[pd.Int64Dtype] = column("int", nullable=False)

    @pa.check("year", name="reference-bad-year")
    def _a_year(cls, s: pd.Series) -> pd.Series:
        return passes_unless((s < YEARS[0]) | (s > YEARS[1]))

    @pa.check("referrals_target", name="reference-negative")
    def _not_negative(cls, s: pd.Series) -> pd.Series:
        return passes_unless(s < 0)

    @pa.dataframe_check(name="reference-unknown-commune")
    def _known(cls, df: pd.DataFrame) -> pd.Series:
        return _unknown_commune(df)

    @pa.dataframe_check(name="reference-duplicate-referral")
    def _once(cls, df: pd.DataFrame) -> pd.Series:
        return _after_first(df)

    class Config:
        strict = False
        coerce = True
