"""Plausibility across quarters and communes (SPEC §4a): figures that pass every rule of a
return but not a comparison with the commune's previous quarter or the other communes.

Each rule is one query of ``sql/plausibility/`` over a few temporary views: the returns
judged (``judged``, with the Excel rows and column letters to point at) and every return
in use they are compared with (``in_use_cells``, ``in_use_meetings``…). ``report`` judges
every return in use of the warehouse it builds (``inputs/warehouse.sql``; ``record`` stores
the warnings); ``check`` judges the files it checks against the published warehouse
(``inputs/checked.sql``; ``against``). A rule's rows become warnings of the one problem
type, their messages from ``CODES``. They never reject a file.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd

from pipeline import formats
from pipeline.problems import BLANK_FIGURE, Problem
from pipeline.reference import Thresholds
from pipeline.validate import Validated, problem_order

SQL = Path(__file__).parent / "sql" / "plausibility"
# The rules in the order a commune reads them; each is sql/plausibility/<rule>.sql.
RULES = (
    "members-jump",
    "cell-disappeared",
    "last-admission-year-decreased",
    "attendance-copied",
    "attendance-outlier",
)
# How each rule's figures are written in its message: counts, years or percentages.
FIGURES = {
    "members-jump": "count",
    "cell-disappeared": "count",
    "last-admission-year-decreased": "year",
    "attendance-copied": "count",
    "attendance-outlier": "percent",
}
SHEETS = ("Cells", "Meetings")  # where the rules point, in reading order


class Finding(NamedTuple):
    """A row of a rule's query: where it points (SPEC §4a) and the figures compared."""

    file_name: str
    commune_code: str
    year: int
    quarter: int
    sheet: str
    row: int | None
    column: str | None
    cell: str | None
    value: str | None
    cell_code: str | None
    cell_name: str | None
    header: str | None  # the column's header as the clerk wrote it
    figure: float | None  # this return's figure
    compared: float | None  # last quarter's, or the quarter's median
    admitted: int | None  # members-jump: admissions of the quarter in the cell
    rule: str


def findings(con: duckdb.DuckDBPyConnection, thresholds: Thresholds) -> list[Finding]:
    """Every rule's rows over the input views in place, in reading order."""
    con.execute(_sql("inputs/judged.sql"))
    params = asdict(thresholds)
    found: list[Finding] = []
    for rule in RULES:
        sql = _sql(f"{rule.replace('-', '_')}.sql")
        used = {name: value for name, value in params.items() if f"${name}" in sql}
        found += [Finding(*row, rule) for row in con.execute(sql, used).fetchall()]
    return sorted(found, key=_reading_order)


def problems(found: list[Finding], lang: str) -> list[Problem]:
    """The warnings of ``found``, with messages in ``lang``."""
    return [_problem(finding, lang) for finding in found]


def record(con: duckdb.DuckDBPyConnection, thresholds: Thresholds, lang: str) -> None:
    """Judge every return in use of the warehouse being built on ``con``; store the
    warnings in ``staging.plausibility``, ``problems`` and ``submissions.warnings``."""
    con.execute(_sql("inputs/warehouse.sql"))
    found = findings(con, thresholds)
    rows = [
        {**finding._asdict(), **asdict(problem), "position": position}
        for position, (finding, problem) in enumerate(
            zip(found, problems(found, lang), strict=True)
        )
    ]
    frame = pd.DataFrame(rows, columns=[*Finding._fields, "severity", "message", "position"])
    con.register("found", frame[_STORED])
    try:
        con.execute(_sql("record.sql"))
    finally:
        con.unregister("found")


def recorded(warehouse: Path) -> list[Problem]:
    """The plausibility warnings a warehouse holds, in reading order."""
    columns = ", ".join(f'"{name}"' for name in _PROBLEM_FIELDS)
    with duckdb.connect(warehouse, read_only=True) as con:
        rows = con.execute(f"select {columns} from staging.plausibility order by position")
        found = rows.fetchall()
    return [Problem(*row) for row in found]


def against(
    published: duckdb.DuckDBPyConnection, checked: Path, thresholds: Thresholds, lang: str
) -> list[Problem]:
    """The warnings of the returns of the ``checked`` warehouse (built from the files
    ``check`` reads), compared with the returns in use of the ``published`` one."""
    path = str(checked).replace("'", "''")
    published.execute(f"attach '{path}' as checked (read_only)")
    try:
        published.execute(_sql("inputs/checked.sql"))
        return problems(findings(published, thresholds), lang)
    finally:
        published.execute("detach checked")


def joined(validated: Validated, found: list[Problem]) -> Validated:
    """``validated`` with the plausibility warnings among each file's own problems, in
    reading order (sheet, row, cell), and counted in its files' warnings."""
    if not found:
        return validated
    ordered = sorted([*validated.problems, *found], key=problem_order)  # stable
    counts = pd.Series([p.file_name for p in found]).value_counts()
    files = validated.files.copy()
    files["warnings"] += files["file_name"].map(counts).fillna(0).astype(files["warnings"].dtype)
    return replace(validated, files=files, problems=ordered)


# --- helpers -----------------------------------------------------------------------------

_PROBLEM_FIELDS = tuple(Problem.__dataclass_fields__)
_STORED = [
    "file_name", "commune_code", "year", "quarter", "rule", "sheet", "row", "column", "cell",
    "value", "severity", "message", "cell_code", "cell_name", "figure", "compared", "admitted",
    "position",
]  # fmt: skip


def _sql(name: str) -> str:
    return (SQL / name).read_text(encoding="utf-8")


def _reading_order(f: Finding) -> tuple[Any, ...]:
    return (
        f.file_name,
        SHEETS.index(f.sheet),
        f.row is not None,
        f.row or 0,
        RULES.index(f.rule),
        f.cell_code or "",
    )


def _problem(f: Finding, lang: str) -> Problem:
    kind = FIGURES[f.rule]
    value = formats.percent(f.figure, lang) if kind == "percent" else f.value
    return Problem.make(
        f.rule,
        f.file_name,
        lang,
        sheet=f.sheet,
        row=f.row,
        column=f.column,
        cell=f.cell,
        value=value,
        cell_code=f.cell_code,
        cell_name=f.cell_name,
        header=f.header,
        figure=_written(f.figure, kind, lang),
        compared=_written(f.compared, kind, lang),
        admitted=_written(f.admitted, "count", lang),
    )


def _written(figure: float | None, kind: str, lang: str) -> str:
    """A figure as the bulletins write it; a year as an identifier (no digit groups)."""
    if figure is None:
        return BLANK_FIGURE[lang == "vi"]
    if kind == "percent":
        return formats.percent(figure, lang)
    if kind == "year":
        return str(int(figure))
    return formats.number(int(figure), lang)
