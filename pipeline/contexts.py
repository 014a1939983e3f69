"""Warehouse -> what the bulletins show: plain data for the templates.

``ProvinceBulletin`` and ``CommuneBulletin`` are filled from the ``sql/bulletin/*.sql``
queries (each row a ``TypedDict`` of ``pipeline.rows``, the contract between a query and
the templates); ``pipeline.render`` lays them out. Nothing here formats or draws.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from pipeline.quarters import Quarter
from pipeline.reference import Reference
from pipeline.rows import (
    AnnexRow,
    AssignedClusterRow,
    AssignedYearRow,
    CellRow,
    ClusterRow,
    CommuneRow,
    FigureRow,
    ProblemRow,
    ProfileRow,
    ProvinceSummaryRow,
    ReferralRow,
    ResubmissionRow,
    StaleCellRow,
    UnidentifiedRow,
)

QUERIES = Path(__file__).parent / "sql" / "bulletin"
PROFILE_DIMENSIONS = (
    "sex",
    "age_group",
    "ethnic_minority",
    "religion",
    "occupation",
    "education",
    "referred_by",
)

Row = dict[str, Any]

# A province has 60-200 communes; beyond this (a national run) the province bulletin
# lists clusters, not communes, and only the files that were not accepted.
DETAIL_LIMIT = 300


@dataclass
class ProvinceBulletin:
    """Everything the province bulletin shows."""

    province_name: str
    year: int
    quarter: int
    as_of: dt.date | None
    summary: ProvinceSummaryRow
    changes: dict[str, dict[str, float | None]]  # indicator -> {"quarter": Δ, "year": Δ}
    communes: list[CommuneRow]  # one per commune, with status and indicators
    # (cluster, its communes, its subtotal)
    clusters: list[tuple[str | None, list[CommuneRow], ClusterRow | None]]
    stale_cells: list[StaleCellRow]
    profile: dict[str, list[ProfileRow]]  # dimension -> categories with members
    referrals: list[ReferralRow]  # province rows of referrals_vs_target
    resubmissions: list[ResubmissionRow]  # rejected files while an earlier return stays in use
    status_counts: dict[str, int]
    unreported: list[CommuneRow]  # communes with (cell, month) pairs not reported
    figures: list[FigureRow] = field(default_factory=list)  # to verify, by cluster
    annex: list[AnnexRow] = field(default_factory=list)  # every file of the period, by commune
    unidentified: list[UnidentifiedRow] = field(default_factory=list)  # naming no commune
    assigned: list[AssignedClusterRow] = field(default_factory=list)  # by cluster, province last
    assigned_years: list[AssignedYearRow] = field(default_factory=list)  # per member, by year
    charts: dict[str, str] = field(default_factory=dict)  # name -> data: URL of an SVG
    detailed: bool = True  # communes listed one by one (see DETAIL_LIMIT)

    @property
    def figures_by_cluster(self) -> list[tuple[str | None, list[FigureRow]]]:
        """The figures to verify under their cluster, in the query's order."""
        return [(c, list(rows)) for c, rows in itertools.groupby(self.figures, _cluster)]


@dataclass
class CommuneBulletin:
    """One commune's page, with the province figures beside its own."""

    province_name: str
    year: int
    quarter: int
    as_of: dt.date | None
    commune: CommuneRow
    province: ProvinceSummaryRow
    cells: list[CellRow]
    problems: list[ProblemRow]
    resubmissions: list[ResubmissionRow]
    profile: dict[str, list[ProfileRow]] = field(default_factory=dict)
    stale_years: int = 3
    attention: dict[str, Row] = field(default_factory=dict)  # see _attention
    figures: list[FigureRow] = field(default_factory=list)  # plausibility warnings to check
    cell_names: bool = field(init=False)  # whether the attention lists name cells or code them
    figures_shown: list[FigureRow] = field(init=False)  # the first figures to check, printed
    figures_more: int = field(init=False)
    problems_shown: list[ProblemRow] = field(init=False)  # the first problems, printed
    problems_more: int = field(init=False)  # the others, left to the feedback workbook

    def __post_init__(self) -> None:
        self.cell_names = _names_fit(self.attention)
        self.figures_shown = self.figures[:FIGURES_SHOWN]
        self.figures_more = len(self.figures) - len(self.figures_shown)
        # The figures printed take the place of problems: the page keeps its budget.
        self.problems_shown = self.problems[: PROBLEMS_SHOWN - len(self.figures_shown)]
        self.problems_more = len(self.problems) - len(self.problems_shown)


PROBLEMS_SHOWN = 8  # lines of problems and figures on a one-page bulletin; the feedback
FIGURES_SHOWN = 3  # workbook lists them all


def bulletin_contexts(
    warehouse: Path, period: tuple[int, int], reference: Reference
) -> tuple[ProvinceBulletin, list[CommuneBulletin]]:
    """The bulletins of ``period``: the province's, and one per commune that sent a return."""
    year, quarter = period
    with duckdb.connect(warehouse, read_only=True) as con:
        province, communes = _contexts(con, reference.settings.province_name, year, quarter)
    for bulletin in communes:
        bulletin.stale_years = reference.settings.stale_years
    return province, communes


# --- data --------------------------------------------------------------------------------


def _query(con: duckdb.DuckDBPyConnection, name: str, **params: int) -> list[Any]:
    """The rows of a bulletin query, each a ``QUERY_ROWS[name]`` (``pipeline.rows``)."""
    return query_rows(con, name, params)[1]


def _query_one(con: duckdb.DuckDBPyConnection, name: str, **params: int) -> Any:
    """The single row of a query; every column None when it has none (no accepted return)."""
    columns, rows = query_rows(con, name, params)
    return rows[0] if rows else dict.fromkeys(columns)


def query_rows(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, int]
) -> tuple[list[str], list[Row]]:
    """A bulletin query's column names and rows (as dicts), run with the ``params`` it uses."""
    sql = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    relation = con.execute(sql, used)
    columns = [d[0] for d in relation.description]
    return columns, [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def _contexts(
    con: duckdb.DuckDBPyConnection, province_name: str, year: int, quarter: int
) -> tuple[ProvinceBulletin, list[CommuneBulletin]]:
    p = {"year": year, "quarter": quarter}
    summary = _query_one(con, "province_summary", **p)
    communes = _query(con, "communes", **p)
    as_of = _query_one(con, "as_of", **p)["as_of"]
    profile_rows = _query(con, "profile", **p)
    resubmissions = _query(con, "resubmissions", **p)
    by_commune: dict[str | None, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for row in profile_rows:
        by_commune[row["commune_code"]][row["dimension"]].append(row)
    clusters: dict[str | None, list[Row]] = defaultdict(list)
    for row in communes:
        clusters[row["cluster"]].append(row)
    subtotals = {row["cluster"]: row for row in _query(con, "clusters", **p)}
    status_counts = {s: 0 for s in ("on_time", "late", "rejected", "missing")}
    for row in communes:
        status_counts[row["status"]] += 1
    referrals = [r for r in _query(con, "referrals", **p) if r["commune_code"] is None]
    figures = _query(con, "figures", **p)
    figures_of: dict[str, list[Row]] = defaultdict(list)
    for row in figures:
        figures_of[row["commune_code"]].append(row)
    province = ProvinceBulletin(
        province_name=province_name,
        year=year,
        quarter=quarter,
        as_of=as_of,
        summary=summary,
        changes=_changes(con, summary, year, quarter),
        communes=communes,
        clusters=[(name, rows, subtotals.get(name)) for name, rows in clusters.items()],
        stale_cells=_query(con, "stale_cells", **p),
        profile=_ordered_profile(by_commune[None]),
        referrals=referrals,
        resubmissions=resubmissions,
        status_counts=status_counts,
        unreported=[c for c in communes if (c["meetings_unreported"] or 0) > 0],
        figures=figures,
        annex=_query(con, "annex", **p),
        unidentified=_query(con, "unidentified", **p),
        assigned=_query(con, "assigned_clusters", **p),
        assigned_years=_query(con, "assigned_years", **p),
        detailed=len(communes) <= DETAIL_LIMIT,
    )
    cells: dict[str, list[Row]] = defaultdict(list)
    for row in _query(con, "cells", **p):
        cells[row["commune_code"]].append(row)
    problems: dict[str, list[Row]] = defaultdict(list)
    for row in _query(con, "problems", **p):
        problems[row["commune_code"]].append(row)
    bulletins = [
        CommuneBulletin(
            province_name=province_name,
            year=year,
            quarter=quarter,
            as_of=as_of,
            commune=row,
            province=summary,
            cells=cells[row["commune_code"]],
            problems=problems[row["commune_code"]],
            resubmissions=[r for r in resubmissions if r["commune_code"] == row["commune_code"]],
            profile=_ordered_profile(by_commune[row["commune_code"]]),
            attention=_attention(cells[row["commune_code"]]),
            figures=figures_of[row["commune_code"]],
        )
        for row in communes
        if row["status"] != "missing"
    ]
    return province, bulletins


def _cluster(row: FigureRow) -> str | None:
    return row["cluster"]


def _attention(cells: list[Row]) -> dict[str, Row]:
    """The cells a commune should follow up, by reason; one cell may have several.

    A month without a row is "not reported", never "not held" (SPEC §6), so a cell
    is listed as missing a meeting only for months reported as not held. A reason
    that concerns most cells names the others instead ("every cell except …"), and
    long lists give codes without names, so the page stays one page.
    """
    reasons = {
        "missed": [c for c in cells if c["months_met"] + c["months_unreported"] < 3],
        "unreported": [c for c in cells if c["months_unreported"] > 0],
        "no_thematic": [c for c in cells if not c["thematic"]],
        "stale": [c for c in cells if c["stale"]],
        "assigned_absent": [c for c in cells if c["assigned_absent"]],
    }
    attention: dict[str, Row] = {}
    for reason, listed in reasons.items():
        codes = {c["cell_code"] for c in listed}
        # "every cell except" suits reasons any cell may have, not a cell's own facts
        all_but = len(listed) > len(cells) / 2 and reason not in ("stale", "assigned_absent")
        shown = [c for c in cells if c["cell_code"] not in codes] if all_but else listed
        attention[reason] = {"count": len(listed), "all_but": all_but, "cells": shown}
    return attention


def _names_fit(attention: dict[str, Row]) -> bool:
    """Whether the cells listed can be named, not only coded, and keep to one page."""
    length = sum(len(c["cell_name"] or "") + 12 for a in attention.values() for c in a["cells"])
    return length <= NAMES_BUDGET


NAMES_BUDGET = 2400  # characters of cell names that fit the page beside everything else


# Indicators shown with their change from the previous quarter and from a year earlier.
TRENDS = (
    "admissions_quarter",
    "achievement_pct",
    "pct_met_every_month",
    "pct_thematic",
    "attendance_rate",
    "stale_cells",
)


def _changes(
    con: duckdb.DuckDBPyConnection, summary: Row, year: int, quarter: int
) -> dict[str, dict[str, float | None]]:
    """Each trend indicator's change, None where the earlier quarter has no figure."""
    this = Quarter(year, quarter)
    before = {
        "quarter": _query_one(con, "province_summary", **this.previous._asdict()),
        "year": _query_one(con, "province_summary", **this.year_earlier._asdict()),
    }
    return {
        name: {
            when: None
            if row.get(name) is None or summary.get(name) is None
            else summary[name] - row[name]
            for when, row in before.items()
        }
        for name in TRENDS
    }


def _ordered_profile(rows: dict[str, list[Row]]) -> dict[str, list[Row]]:
    return {d: rows[d] for d in PROFILE_DIMENSIONS if d in rows}
