"""`python -m pipeline export`: the warehouse as Parquet, read back with DuckDB."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.load import build_warehouse
from pipeline.reference import load_reference
from pipeline.run import ingest

ROOT = Path(__file__).resolve().parent.parent
PARTITIONED = {
    "admissions",
    "admissions_vs_target",
    "assigned_members",
    "cell_meetings",
    "cells",
    "meetings",
    "new_member_profile",
    "province_summary",
    "referrals_vs_target",
    "stale_cells",
    "submission_status",
}
SINGLE = {"communes", "targets", "referral_targets", "problems", "submissions"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/out with the sample province's warehouse (built as `report` builds it)."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(ROOT / "data" / "raw", root / "raw")
    reference = load_reference(ROOT / "data" / "reference")
    _books, validated = ingest(root / "raw", reference, "en")
    build_warehouse(root / "out" / "warehouse.duckdb", validated, reference)
    return root / "out"


def export(*args: str, lang: str = "en"):
    return CliRunner().invoke(main, ["export", *args, "--lang", lang])


def parquet(path: Path) -> str:
    return f"read_parquet('{path}/**/*.parquet')" if path.is_dir() else f"'{path}'"


def test_every_relation_round_trips(out):
    result = export("--warehouse", str(out / "warehouse.duckdb"), "--out", str(out / "export"))
    assert result.exit_code == 0, result.output
    folder = out / "export"
    assert result.output.splitlines()[-1] == f"16 relations exported to {folder}"
    assert {p.name for p in folder.iterdir()} == PARTITIONED | {f"{r}.parquet" for r in SINGLE}

    with duckdb.connect(out / "warehouse.duckdb", read_only=True) as con:
        for relation in sorted(PARTITIONED | SINGLE):
            path = folder / (relation if relation in PARTITIONED else f"{relation}.parquet")
            expected = con.execute(f"select * from {relation} order by all").fetchall()
            got = con.execute(f"select * from {parquet(path)} order by all").fetchall()
            assert len(got) == len(expected) > 0, relation
            assert got == expected, relation  # same columns, in the same order, same values
            line = next(x for x in result.output.splitlines() if x.split()[0] == relation)
            assert f" {len(expected):,} rows " in line  # 2,247: digit groups as in English


def test_partitions_by_year_and_quarter(out, tmp_path):
    result = export("--warehouse", str(out / "warehouse.duckdb"), "--out", str(tmp_path / "share"))
    assert result.exit_code == 0, result.output
    cells = tmp_path / "share" / "cells"
    assert sorted(p.relative_to(cells).as_posix() for p in cells.rglob("*.parquet")) == [
        f"year=2026/quarter={q}/data_0.parquet" for q in (1, 2, 3)
    ]
    with duckdb.connect() as con:
        one_file = cells / "year=2026" / "quarter=3" / "data_0.parquet"
        # year and quarter are in the file as well, in their place and type
        alone = f"read_parquet('{one_file}', hive_partitioning = false)"
        columns = con.execute(
            f"select column_name, column_type from (describe select * from {alone})"
        ).fetchall()
        assert columns[:3] == [
            ("commune_code", "VARCHAR"), ("year", "INTEGER"), ("quarter", "INTEGER")
        ]  # fmt: skip
        assert con.execute(f"select distinct year, quarter from {alone}").fetchall() == [(2026, 3)]
        # submissions keeps the unreadable file (year NULL) in its single file
        unreadable = con.execute(
            f"select file_name from '{tmp_path / 'share' / 'submissions.parquet'}'"
            " where year is null"
        ).fetchall()
        assert unreadable == [("2026-Q3/ThaiBinh_export_Q3_2026.xls",)]


def test_same_warehouse_same_bytes_and_a_rerun_replaces(out, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for folder in (first, second, second):  # the second folder twice: replaced in place
        assert (
            export("--warehouse", str(out / "warehouse.duckdb"), "--out", str(folder)).exit_code
            == 0
        )
    (second / "notes.txt").write_text("the analyst's own file", encoding="utf-8")
    assert export("--warehouse", str(out / "warehouse.duckdb"), "--out", str(second)).exit_code == 0

    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(second) for p in second.rglob("*") if p.is_file() and p.name != "notes.txt"
    )
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (second / "notes.txt").exists()  # other files are left alone
    assert not [p for p in second.iterdir() if p.name.startswith(".")]  # no leftovers


def test_no_warehouse_says_run_report_first(tmp_path):
    result = export(
        "--warehouse", str(tmp_path / "warehouse.duckdb"), "--out", str(tmp_path / "export")
    )
    assert result.exit_code == 1
    assert "run `make report`" in result.output
    assert not (tmp_path / "export").exists()


def test_in_vietnamese_with_the_bulletins_digit_groups(out, tmp_path):
    result = export("--warehouse", str(out / "warehouse.duckdb"), "--out", str(tmp_path), lang="vi")
    assert result.exit_code == 0, result.output
    with duckdb.connect(out / "warehouse.duckdb", read_only=True) as con:
        (meetings,) = con.execute("select count(*) from meetings").fetchone()
    assert meetings > 999  # so that it has a digit group
    lines = result.stdout.splitlines()
    grouped = f"{meetings:,}".replace(",", ".")
    assert f"meetings               {grouped:>8} dòng  {tmp_path / 'meetings'}/" in lines
    assert lines[-1] == f"Đã xuất 16 bảng vào {tmp_path}"


def test_only_parquet_for_now(out, tmp_path):
    result = export(
        "--warehouse", str(out / "warehouse.duckdb"), "--format", "csv", "--out", str(tmp_path)
    )
    assert result.exit_code == 2
    assert "parquet" in result.output
