"""An analyst holds the warehouse in the DuckDB CLI while the board runs the commands.

The CLI is the real one the project installs (``.venv/bin/duckdb``, DuckDB 1.x), kept
open on its stdin like a session at a prompt. Held read-write it locks every other
process out: ``report`` still publishes (it renames a new file over the old one), the
commands that do not read the warehouse work, and those that do say so in one line
naming the holder. Held ``-readonly``, as the README tells analysts, it blocks nobody.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import main
from pipeline.run import Options, report
from tests.factory import valid_return, write_reference, write_workbook

ROOT = Path(__file__).resolve().parent.parent
DUCKDB_CLI = Path(sys.executable).parent / "duckdb"

pytestmark = pytest.mark.skipif(not DUCKDB_CLI.exists(), reason="no DuckDB CLI in the venv")


class Session:
    """The DuckDB CLI at its prompt on a file, answering one query at a time."""

    def __init__(self, database: Path, *flags: str) -> None:
        self.process = subprocess.Popen(
            [DUCKDB_CLI, *flags, "-csv", "-noheader", str(database)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, sql: str) -> str:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(sql + ";\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def province(province: Options) -> Options:
    write_reference(province.reference, communes=[("06253", "Xã A", None), ("00101", "Xã B", None)])
    write_workbook(province.raw / "a.xlsx", valid_return())
    report(province)
    return province


@pytest.fixture
def held(province: Options) -> Iterator[Session]:
    """The warehouse open read-write, as `duckdb data/out/warehouse.duckdb` opens it."""
    session = Session(province.out / "warehouse.duckdb")
    assert session.ask("select count(*) from submissions") == "1"  # the lock is held
    yield session
    session.close()


def invoke(*argv: str) -> Result:
    return CliRunner().invoke(main, list(argv))


def holder_of(result: Result, session: Session) -> str:
    """The pid the message names: the CLI's (the venv's `duckdb` script starts it)."""
    pid = re.search(r"\(pid (\d+)\)", result.stderr)
    assert pid, result.stderr
    stat = Path(f"/proc/{pid[1]}/stat").read_text().rsplit(")", 1)[1].split()
    assert pid[1] == str(session.process.pid) or stat[1] == str(session.process.pid)
    return pid[1]


def test_report_publishes_while_an_analyst_holds_the_warehouse(province, held):
    write_workbook(province.raw / "b.xlsx", valid_return(commune="00101"))

    result = invoke(
        "report", "--raw", str(province.raw), "--reference", str(province.reference),
        "--out", str(province.out),
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert held.ask("select count(*) from submissions") == "1"  # the analyst's file, still
    with duckdb.connect(province.out / "warehouse.duckdb", read_only=True) as con:
        assert con.execute("select count(*) from submissions").fetchall() == [(2,)]


def test_status_and_check_do_not_need_the_warehouse(province, held):
    common = ["--reference", str(province.reference)]
    status = invoke("status", "--raw", str(province.raw), *common, "--format", "csv")
    assert status.exit_code == 0, status.output
    assert status.stdout.splitlines()[1].startswith("00101,Xã B,missing")
    check = invoke("check", str(province.raw / "a.xlsx"), *common, "--out", str(province.out))
    assert check.exit_code == 0, check.output
    assert check.stdout.splitlines()[-1] == "Files checked: 1 · Accepted 1 · Rejected 0"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_templates_and_export_say_who_holds_it_in_one_line(province, held, tmp_path, lang):
    warehouse = province.out / "warehouse.duckdb"
    reference = ["--reference", str(province.reference), "--lang", lang]
    runs = [
        invoke("templates", *reference, "--out", str(province.out)),
        invoke("templates", *reference, "--out", str(province.out), "--period", "2026-Q4"),
        invoke("export", *reference, "--warehouse", str(warehouse), "--out", str(tmp_path / "x")),
    ]
    for result in runs:
        assert result.exit_code == 1
        assert result.stdout == ""
        pid = holder_of(result, held)
        assert result.stderr.splitlines() == [
            f"Error: The warehouse {warehouse} is held open for writing by duckdb (pid {pid}): "
            "close that session (analysts: open the warehouse with `duckdb -readonly`), then "
            "run again."
            if lang == "en"
            else f"Lỗi: Kho dữ liệu {warehouse} đang được duckdb (pid {pid}) mở để ghi: hãy đóng "
            "phiên đó (người phân tích nên mở kho bằng `duckdb -readonly`) rồi chạy lại."
        ]
    assert not (province.out / "templates").exists()
    assert not (tmp_path / "x").exists()


def test_a_readonly_session_as_the_readme_shows_blocks_nobody(province, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/duckdb -readonly data/out/warehouse.duckdb" in readme
    session = Session(province.out / "warehouse.duckdb", "-readonly")
    try:
        assert session.ask("select count(*) from submissions") == "1"
        reference = ["--reference", str(province.reference)]
        templates = invoke("templates", *reference, "--out", str(province.out))
        assert templates.exit_code == 0, templates.output
        warehouse = province.out / "warehouse.duckdb"
        export = invoke(
            "export", *reference, "--warehouse", str(warehouse), "--out", str(tmp_path / "x")
        )
        assert export.exit_code == 0, export.output
        write_workbook(province.raw / "b.xlsx", valid_return(commune="00101"))
        done = invoke(
            "report", "--raw", str(province.raw), "--reference", str(province.reference),
            "--out", str(province.out),
        )  # fmt: skip
        assert done.exit_code == 0, done.output
        assert session.ask("select count(*) from submissions") == "1"
    finally:
        session.close()
