"""The contract between the bulletin queries and the templates (issue 12): every query of
``sql/bulletin/`` makes exactly the columns its row type in ``pipeline.rows`` declares, in
order, with values of the declared types, on the sample province's real warehouse."""

from __future__ import annotations

import datetime as dt
import shutil
import types
import typing
from pathlib import Path

import duckdb
import pytest

from pipeline.contexts import QUERIES, query_rows
from pipeline.load import build_warehouse
from pipeline.reference import load_reference
from pipeline.rows import QUERY_ROWS
from pipeline.run import ingest
from tests.factory import valid_return, write_workbook

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The sample province, and a rejected resubmission of commune 14073 sent after the
    return in use (the sample has none), so every query gives rows."""
    root = tmp_path_factory.mktemp("rows")
    shutil.copytree(ROOT / "data" / "raw", root / "raw")
    late = valid_return(commune="14073", submitted_on=dt.date(2026, 10, 25))
    late["Meetings"][1][4] = 999  # attendees above members: rejected
    write_workbook(root / "raw" / "2026-Q3" / "14073-lan2.xlsx", late)
    reference = load_reference(ROOT / "data" / "reference", "en")
    _books, validated = ingest(root / "raw", reference, "en")
    return build_warehouse(root / "w.duckdb", validated, reference)


def allowed(annotation: object) -> tuple[type, ...]:
    """The Python types a column of ``annotation`` may hold (None included when optional)."""
    kinds = (
        typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    )
    return tuple(type(None) if k is None else k for k in kinds)


def test_every_bulletin_query_has_a_row_type():
    assert sorted(p.stem for p in QUERIES.glob("*.sql")) == sorted(QUERY_ROWS)


@pytest.mark.parametrize("name", sorted(QUERY_ROWS))
def test_each_query_makes_the_columns_and_types_of_its_row(warehouse, name):
    declared = typing.get_type_hints(QUERY_ROWS[name])
    with duckdb.connect(warehouse, read_only=True) as con:
        columns, rows = query_rows(con, name, {"year": 2026, "quarter": 3})
    assert columns == list(declared)
    assert rows, f"{name} gives no row on the sample: nothing is checked"
    for row in rows:
        for column, value in row.items():
            kinds = allowed(declared[column])
            if float in kinds and isinstance(value, int) and not isinstance(value, bool):
                continue  # an int where a float may be is a number all the same
            if isinstance(value, bool) and bool not in kinds:
                raise AssertionError(f"{name}.{column}: a bool where {kinds} is declared")
            assert isinstance(value, kinds), (name, column, value, kinds)
            if isinstance(value, dt.datetime):
                raise AssertionError(f"{name}.{column}: a datetime where a date is declared")
