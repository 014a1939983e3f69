"""docs/analysts.md works as written: every example runs on the sample province's
warehouse (and in the older DuckDB CLI analysts use), its list of relations is the
warehouse's own COMMENTs, and every relation and column of the contract has one."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.export import export
from pipeline.run import Options, report
from tools import guide

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "analysts.md"
SPEC = ROOT.parent / "shared" / "SPEC.md"
DUCKDB_CLI = Path(sys.executable).parent / "duckdb"

# SPEC §5 with the columns §8 adds: the public relations and their columns.
CONTRACT = {
    "communes": "commune_code, commune_name, cluster",
    "targets": "commune_code, year, admissions_target",
    "submissions": "file_name, sha256, commune_code, year, quarter, submitted_on, status, "
    "errors, warnings",
    "problems": "file_name, sheet, row, column, cell, value, severity, rule, message",
    "cells": "commune_code, year, quarter, cell_code, cell_name, cell_type, official_members, "
    "probationary_members, last_admission_year, assigned_member",
    "meetings": "commune_code, year, quarter, cell_code, month, regular_meeting, meeting_date, "
    "attendees, thematic_meeting, higher_level_attendees, assigned_member_attended, "
    "meeting_rating",
    "admissions": "commune_code, year, quarter, cell_code, admitted_on, sex, birth_year, "
    "age_at_admission, ethnicity, ethnic_minority, religion, occupation, education, referred_by",
    "admissions_vs_target": "commune_code, year, quarter, admissions_quarter, admissions_ytd, "
    "admissions_target, achievement_pct, expected_pct, on_pace",
    "referrals_vs_target": "commune_code, year, quarter, referred_by, referrals_ytd, "
    "referrals_target, achievement_pct",
    "cell_meetings": "commune_code, year, quarter, cells, cells_met_every_month, "
    "pct_met_every_month, cells_thematic, pct_thematic, attendance_rate, "
    "higher_level_attendances, meetings_held, meetings_attendance_85, pct_attendance_85, "
    "meetings_unreported, cells_with_assigned_member, pct_cells_with_assigned_member, "
    "meetings_assigned_present, pct_assigned_present, cells_assigned_absent, meetings_rated, "
    "meetings_rated_good, pct_rated_good, meetings_rated_poor",
    "assigned_members": "commune_code, year, quarter, assigned_member, cells, meetings_held, "
    "meetings_attended, attendance_pct",
    "stale_cells": "commune_code, year, quarter, cell_code, cell_name, last_admission_year, "
    "years_without_admission",
    "new_member_profile": "commune_code, year, quarter, dimension, category, members",
    "submission_status": "commune_code, commune_name, year, quarter, status, submitted_on, "
    "file_name",
    "province_summary": "year, quarter, communes_expected, communes_accepted, communes_on_time, "
    "admissions_quarter, admissions_ytd, admissions_target, achievement_pct, cells, "
    "cells_met_every_month, pct_met_every_month, cells_thematic, pct_thematic, "
    "attendance_rate, stale_cells, official_members, probationary_members, "
    "pct_cells_with_assigned_member, pct_assigned_present, pct_rated_good",
}


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", GUIDE.read_text("utf-8"), re.M | re.S)


def first_line(sql: str) -> str:
    return sql.strip().splitlines()[0].lstrip("- ")[:60]


SQL = blocks("sql")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder after `make report` and `python -m pipeline export` on the sample."""
    root = tmp_path_factory.mktemp("project")
    data = root / "data"
    shutil.copytree(ROOT / "data" / "raw", data / "raw")
    shutil.copytree(ROOT / "data" / "reference", data / "reference")
    report(Options(raw=data / "raw", reference=data / "reference", out=data / "out", lang="en"))
    export(data / "out" / "warehouse.duckdb", data / "out" / "export")
    return root


def test_the_guide_has_the_examples_asked_for():
    assert len(SQL) >= 6
    text = GUIDE.read_text("utf-8")
    for topic in ("by cluster", "two months in a row", "year by year", "Who joined", "Parquet"):
        assert topic in text
    assert any("read_parquet('data/out/export/" in sql for sql in SQL)


@pytest.mark.parametrize("sql", SQL, ids=[first_line(s) for s in SQL])
def test_every_sql_example_returns_rows(project, sql, monkeypatch):
    monkeypatch.chdir(project)  # the examples use the paths of a project folder
    with duckdb.connect("data/out/warehouse.duckdb", read_only=True) as con:
        rows = con.execute(sql).fetchall()
    assert rows, "the example returns no row on the sample province"


def test_the_examples_run_in_the_older_duckdb_cli(project):
    """Analysts often have an older DuckDB than the pipeline's (SPEC §5)."""
    if not DUCKDB_CLI.exists():
        pytest.skip("the duckdb-cli package is not installed in the environment")
    for sql in SQL:
        done = subprocess.run(
            [DUCKDB_CLI, "-readonly", "-csv", "data/out/warehouse.duckdb"],
            input=sql,
            cwd=project,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and not done.stderr, (first_line(sql), done.stderr)
        assert len(done.stdout.splitlines()) >= 2, first_line(sql)  # a header and rows


def test_the_python_example_runs(project, monkeypatch, capsys):
    monkeypatch.chdir(project)
    (code,) = blocks("python")
    exec(compile(code, str(GUIDE), "exec"), {})
    assert "2026" in capsys.readouterr().out


def test_the_list_of_relations_is_the_warehouses_comments(project):
    with duckdb.connect(project / "data/out/warehouse.duckdb", read_only=True) as con:
        generated = guide.relations_markdown(con)
    assert guide.section(GUIDE.read_text("utf-8")) == generated, (
        "docs/analysts.md is out of date: run `make report` then `python -m tools.guide`"
    )


def test_every_relation_and_column_of_the_contract_has_a_comment(project):
    with duckdb.connect(project / "data/out/warehouse.duckdb", read_only=True) as con:
        relations = dict(
            con.execute(
                "select table_name, comment from duckdb_tables()"
                " where schema_name = 'main' and database_name = current_database()"
                " union all select view_name, comment from duckdb_views()"
                " where schema_name = 'main' and database_name = current_database()"
                " and not internal"
            ).fetchall()
        )
        columns = {
            (t, c): comment
            for t, c, comment in con.execute(
                "select table_name, column_name, comment from duckdb_columns()"
                " where schema_name = 'main' and database_name = current_database()"
            ).fetchall()
        }
    for relation, names in CONTRACT.items():
        assert (relations.get(relation) or "").strip(), f"{relation} has no comment"
        for column in names.split(", "):
            assert (columns.get((relation, column)) or "").strip(), f"{relation}.{column}"


def _spec_table(section: str) -> dict[str, list[str]]:
    """Relation → column names of a SPEC table, the notes in parentheses dropped."""
    found = {}
    for relation, columns in re.findall(r"^\| `(\w+)`(?: \(new\))? \| (.+) \|$", section, re.M):
        bare = re.sub(r"\([^()]*(\([^()]*\)[^()]*)*\)", "", columns)
        found[relation] = [c.strip() for c in bare.split(",")]
    return found


@pytest.mark.skipif(not SPEC.exists(), reason="the contract ../shared/SPEC.md is not here")
def test_the_contract_above_is_spec_section_5_with_the_additions_of_section_8():
    """§8 lists the columns being added to §5; they are built, so the warehouse holds both."""
    text = SPEC.read_text("utf-8")
    contract = _spec_table(text[text.index("## 5.") : text.index("## 6.")])
    if "## 8." in text:
        for relation, added in _spec_table(text[text.index("## 8.") :]).items():
            contract[relation] = contract.get(relation, []) + added
    assert {relation: ", ".join(columns) for relation, columns in contract.items()} == CONTRACT


def test_the_readme_example_prints_what_the_readme_shows(project):
    """The README's first query, run as the README says (the CLI, read-only), prints exactly
    the table the README shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```sql\n(-- admissions against.*?)```\n```\n(.*?)```", readme, re.S)
    sql, shown = example.groups()
    warehouse = project / "data" / "out" / "warehouse.duckdb"
    done = subprocess.run(
        [DUCKDB_CLI, "-readonly", warehouse, "-c", sql], capture_output=True, text=True, check=True
    )
    assert done.stdout == shown
    assert "-readonly data/out/warehouse.duckdb" in readme
