"""The rows the bulletin queries hand to the templates: the contract between the two.

One ``TypedDict`` per query of ``sql/bulletin/`` (``QUERY_ROWS``), its keys the query's
columns in order; ``tests/test_rows.py`` runs every query and checks its columns and
value types against these, so a template never reads a column a query stopped making.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict


class AnnexRow(TypedDict):
    """A file received for the period, by commune (or a commune that sent none)."""

    commune_code: str
    commune_name: str
    commune_status: str  # submission_status.status
    file_name: str | None  # None: the commune sent nothing
    file_status: str | None  # accepted, superseded, rejected
    submitted_on: dt.date | None
    errors: int | None
    warnings: int | None


class AsOfRow(TypedDict):
    as_of: dt.date | None  # the latest submitted_on of the period


class AssignedClusterRow(TypedDict):
    """Assigned members and ratings of a cluster (or the province, last), over the returns
    that report them; None figures where none does."""

    cluster: str | None  # None: the province
    province: bool
    communes_reporting: int
    pct_cells_with_assigned_member: float | None
    pct_assigned_present: float | None
    cells_assigned_absent: int
    pct_rated_good: float | None
    meetings_rated_poor: int | None


class AssignedYearRow(TypedDict):
    """Attendances of the assigned members, a year (so far, for the period's year)."""

    year: int
    to_quarter: int
    attendances: int
    members: int
    per_member: float


class CellRow(TypedDict):
    """A cell of a commune's return in use, with its quarter's meetings."""

    commune_code: str
    cell_code: str
    cell_name: str
    members: int  # official + probationary
    months_met: int
    months_unreported: int  # months of the quarter with no row in Meetings
    thematic: bool
    attendance_rate: float | None
    stale: bool
    years_without_admission: int | None  # None: no admission on record
    assigned_member: str | None  # None: none assigned, or not reported
    assigned_absent: bool | None  # held a meeting, its member attended none; None: not reported


class ClusterRow(TypedDict):
    """A cluster's subtotal: sums of numerators over sums of denominators."""

    cluster: str
    communes: int
    communes_accepted: int
    admissions_quarter: int | None
    admissions_ytd: int | None
    admissions_target: int | None
    admissions_ytd_with_target: int | None  # what achievement_pct divides
    achievement_pct: float | None
    on_pace: bool | None
    pct_met_every_month: float | None
    pct_thematic: float | None
    attendance_rate: float | None
    stale_cells: int


class CommuneRow(TypedDict):
    """A commune of the province with its status and indicators for the period."""

    commune_code: str
    commune_name: str
    cluster: str | None
    status: str  # on_time, late, rejected, missing
    submitted_on: dt.date | None
    file_name: str | None
    admissions_quarter: int
    admissions_ytd: int
    admissions_target: int | None
    achievement_pct: float | None
    expected_pct: float
    on_pace: bool | None
    cells: int | None  # None: no accepted return
    cells_met_every_month: int | None
    pct_met_every_month: float | None
    cells_thematic: int | None
    pct_thematic: float | None
    attendance_rate: float | None
    higher_level_attendances: int | None
    meetings_held: int | None
    pct_attendance_85: float | None
    meetings_unreported: int | None
    # assigned members and ratings: None when the return does not report them
    cells_with_assigned_member: int | None
    pct_cells_with_assigned_member: float | None
    meetings_assigned_present: int | None
    pct_assigned_present: float | None
    cells_assigned_absent: int | None
    meetings_rated: int | None
    meetings_rated_good: int | None
    pct_rated_good: float | None
    meetings_rated_poor: int | None
    stale_cells: int
    errors: int
    warnings: int


class FigureRow(TypedDict):
    """A figure to verify: a plausibility warning of a return in use (SPEC §4a)."""

    commune_code: str
    commune_name: str
    cluster: str | None
    rule: str
    sheet: str  # canonical
    sheet_name: str | None  # as written in the clerk's workbook
    cell: str | None  # None: the warning is on no single cell
    cell_code: str | None  # the party cell concerned, if one
    cell_name: str | None
    figure: float | None  # this return's figure; None: blank, or the cell is missing
    compared: float | None  # last quarter's figure, or the quarter's median
    admitted: int | None  # members-jump: the cell's admissions of the quarter
    message: str


class ProblemRow(TypedDict):
    """A problem a commune still has to fix, its sheet as the clerk's workbook names it."""

    commune_code: str
    status: str  # of its file
    file_name: str
    sheet: str | None  # canonical
    row: int | None
    column: str | None
    cell: str | None
    value: str | None
    severity: str
    rule: str
    message: str
    sheet_name: str | None  # as written; None when the workbook has no such sheet


class ProfileRow(TypedDict):
    commune_code: str | None  # None: the province
    year: int
    quarter: int
    dimension: str
    category: str
    members: int


class ProvinceSummaryRow(TypedDict):
    """The province_summary row of the period, with what the pages show beside it."""

    year: int | None  # None (every value None): no accepted return for the quarter
    quarter: int | None
    communes_expected: int | None
    communes_accepted: int | None
    communes_on_time: int | None
    admissions_quarter: int | None
    admissions_ytd: int | None
    admissions_target: int | None
    achievement_pct: float | None
    cells: int | None
    cells_met_every_month: int | None
    pct_met_every_month: float | None
    cells_thematic: int | None
    pct_thematic: float | None
    attendance_rate: float | None
    stale_cells: int | None
    official_members: int | None
    probationary_members: int | None
    pct_cells_with_assigned_member: float | None  # None: no return reports them
    pct_assigned_present: float | None
    pct_rated_good: float | None
    members: int | None
    admissions_ytd_with_target: int | None
    expected_pct: float | None


class ReferralRow(TypedDict):
    commune_code: str | None  # None: the province
    year: int
    quarter: int
    referred_by: str
    referrals_ytd: int
    referrals_target: int
    achievement_pct: float | None
    communes: int  # the communes with that organisation's target


class ResubmissionRow(TypedDict):
    """A rejected file sent after the return in use, which stays in use."""

    commune_code: str
    rejected_file: str
    rejected_submitted_on: dt.date | None
    file_in_use: str
    in_use_submitted_on: dt.date


class StaleCellRow(TypedDict):
    commune_name: str
    commune_code: str
    year: int
    quarter: int
    cell_code: str
    cell_name: str
    last_admission_year: int | None
    years_without_admission: int | None


class UnidentifiedRow(TypedDict):
    """A file that names no commune or period, with the first error that says why."""

    file_name: str
    errors: int
    warnings: int
    first_error: str | None


QUERY_ROWS: dict[str, type] = {
    "annex": AnnexRow,
    "assigned_clusters": AssignedClusterRow,
    "assigned_years": AssignedYearRow,
    "as_of": AsOfRow,
    "cells": CellRow,
    "clusters": ClusterRow,
    "communes": CommuneRow,
    "figures": FigureRow,
    "problems": ProblemRow,
    "profile": ProfileRow,
    "province_summary": ProvinceSummaryRow,
    "referrals": ReferralRow,
    "resubmissions": ResubmissionRow,
    "stale_cells": StaleCellRow,
    "unidentified": UnidentifiedRow,
}
