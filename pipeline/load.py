"""Validated rows and problems -> the DuckDB warehouse.

The loaded frames land in the ``staging`` schema; ``sql/*.sql`` (run in file-name
order) builds the public relations of SPEC §5 from them, then the plausibility checks
(``pipeline.plausibility``) add their warnings. The file is written for DuckDB 1.0
readers, because analysts often have an older CLI.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from pipeline import plausibility
from pipeline.problems import PROBLEM_COLUMNS
from pipeline.reference import Reference
from pipeline.validate import Validated

SQL_DIR = Path(__file__).parent / "sql"
STORAGE_COMPATIBILITY = "v1.0.0"  # the oldest DuckDB analysts are promised (SPEC §5)


def build_warehouse(
    path: Path, validated: Validated, reference: Reference, lang: str | None = None
) -> Path:
    """Write a complete, checkpointed warehouse at ``path`` (a fresh file); the
    plausibility warnings' messages are in ``lang`` (default: the province's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(path, config={"storage_compatibility_version": STORAGE_COMPATIBILITY})
    try:
        con.execute("create schema staging")
        for name, frame in _staging_frames(validated, reference).items():
            con.from_df(frame).create(f"staging.{name}")
        for script in sorted(SQL_DIR.glob("*.sql")):
            con.execute(script.read_text(encoding="utf-8"))
        settings = reference.settings
        plausibility.record(con, settings.plausibility, lang or settings.language)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def _staging_frames(validated: Validated, reference: Reference) -> dict[str, pd.DataFrame]:
    settings = reference.settings
    frames = {
        "files": validated.files.drop(columns="columns"),
        "columns": _columns(validated.files),
        "problems": _problems(validated),
        "communes": reference.communes,
        "targets": reference.targets,
        "referral_targets": reference.referral_targets,
        "settings": pd.DataFrame(
            {"deadline_days": [settings.deadline_days], "stale_years": [settings.stale_years]}
        ),
    }
    for sheet in ("Cells", "Meetings", "Admissions"):
        rows = validated.sheets[sheet]
        keep = [c for c in rows.columns if not c.startswith("_")]
        frames[sheet.lower()] = rows[keep].assign(
            file_id=rows["_file"].astype("int64"),
            position=range(len(rows)),
            excel_row=rows["_row"].astype("int64"),  # for problems found after load
        )
    return frames


def _columns(files: pd.DataFrame) -> pd.DataFrame:
    """Where each canonical column sits in each file's sheets: its header as written and
    its Excel column letters."""
    rows = [
        (file_id, sheet, column, header, _letters(position))
        for file_id, sheets in zip(files["file_id"], files["columns"], strict=True)
        for sheet, columns in sheets.items()
        for column, (header, position) in columns.items()
    ]
    return pd.DataFrame(rows, columns=["file_id", "sheet", "column", "header", "letters"]).astype(
        {"file_id": "int64", "sheet": "str", "column": "str", "header": "str", "letters": "str"}
    )


@cache
def _letters(position: int) -> str:
    return xl_col_to_name(position)


def _problems(validated: Validated) -> pd.DataFrame:
    frame = pd.DataFrame([asdict(p) for p in validated.problems], columns=list(PROBLEM_COLUMNS))
    frame = frame.astype({c: "str" for c in PROBLEM_COLUMNS if c != "row"})
    frame["row"] = frame["row"].astype("Int64")
    frame["position"] = range(len(frame))
    return frame
