"""Outputs survive: kill -9 at any stage, a reader holding the warehouse, two runs at once."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.outputs import exclusive
from pipeline.run import report
from tests.factory import valid_return, write_reference, write_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_RAW = ROOT / "data" / "raw"
SAMPLE_REFERENCE = ROOT / "data" / "reference"


def command(out: Path, raw: Path = SAMPLE_RAW, reference: Path = SAMPLE_REFERENCE) -> list[str]:
    return [sys.executable, "-m", "pipeline", "report", "--raw", str(raw),
            "--reference", str(reference), "--out", str(out)]  # fmt: skip


def snapshot(out: Path) -> dict[str, str]:
    """Every published file -> sha256 of its bytes (leftovers and the lock left out).

    The warehouse is compared by its rows: DuckDB files are not byte-reproducible.
    """
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and p.name != "warehouse.duckdb"
        and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def warehouse_rows(out: Path) -> list[tuple]:
    with duckdb.connect(out / "warehouse.duckdb", read_only=True) as con:
        return con.execute("select * from submissions order by file_name").fetchall()


def wait_for(predicate, process: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.005)
    return False


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    subprocess.run(command(out), check=True, capture_output=True, cwd=ROOT)
    return out


STAGES = {
    "loading the warehouse": lambda out: (out / ".warehouse.duckdb.building").exists(),
    "rendering bulletins": lambda out: any((out / "bulletins" / ".2026-Q3.building").glob("*.pdf")),
    "writing feedback": lambda out: any((out / "feedback" / ".2026-Q3.building").glob("*.xlsx")),
}


@pytest.mark.parametrize("stage", list(STAGES))
def test_kill_9_leaves_the_previous_outputs_intact(finished, tmp_path, stage):
    out = tmp_path / "out"
    subprocess.run(["cp", "-a", str(finished), str(out)], check=True)
    shutil.rmtree(out / ".cache")  # with the cache, the run would be over too soon to kill
    before, rows = snapshot(out), warehouse_rows(out)

    process = subprocess.Popen(command(out), cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    reached = wait_for(lambda: STAGES[stage](out), process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert reached, f"the run ended before {stage}"

    # Whatever the stage, the published outputs are the previous ones, readable.
    assert snapshot(out) == before
    assert warehouse_rows(out) == rows

    # The next run succeeds and clears the leftovers.
    subprocess.run(command(out), check=True, capture_output=True, cwd=ROOT)
    leftovers = [p for p in out.rglob(".*") if p.name not in (".run.lock", ".cache")]
    assert leftovers == []
    assert snapshot(out) == before  # same inputs, same outputs
    assert warehouse_rows(out) == rows


def test_an_analyst_holding_the_warehouse_open_never_blocks_the_run(province):
    write_reference(province.reference, communes=[("06253", "Xã A", None), ("00101", "Xã B", None)])
    write_workbook(province.raw / "a.xlsx", valid_return())
    report(province)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True);"
         "print(con.execute('select count(*) from submissions').fetchall()[0][0], flush=True);"
         "sys.stdin.readline();"
         "print(con.execute('select count(*) from submissions').fetchall()[0][0], flush=True)",
         str(province.out / "warehouse.duckdb")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "1"  # the analyst's session is open

    write_workbook(province.raw / "b.xlsx", valid_return(commune="00101"))
    done = subprocess.run(command(province.out, province.raw, province.reference),
                          capture_output=True, text=True, cwd=ROOT, timeout=120)  # fmt: skip

    assert done.returncode == 0, done.stderr
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "1"  # their session still reads the old file
    holder.wait(timeout=10)
    assert len(warehouse_rows(province.out)) == 2  # a new session sees the new one


def test_a_second_run_at_the_same_time_is_refused_with_a_reason(province):
    write_reference(province.reference)
    write_workbook(province.raw / "a.xlsx", valid_return())
    with exclusive(province.out):
        result = CliRunner().invoke(
            main,
            [
                "report",
                "--raw",
                str(province.raw),
                "--reference",
                str(province.reference),
                "--out",
                str(province.out),
            ],
        )
    assert result.exit_code == 1
    assert f"Another run is writing to {province.out} (pid {os.getpid()})" in result.output
    assert not (province.out / "warehouse.duckdb").exists()


def test_a_run_killed_between_two_renames_is_recovered(province):
    write_reference(province.reference)
    write_workbook(province.raw / "a.xlsx", valid_return())
    report(province)
    bulletins = province.out / "bulletins" / "2026-Q3"
    # As a run killed after moving the old set aside, before moving the new one in.
    bulletins.rename(bulletins.with_name(".2026-Q3.old"))
    (bulletins.with_name(".2026-Q3.building")).mkdir()
    report(province)
    assert sorted(p.name for p in bulletins.iterdir()) == [
        "06253-xa-thu-nghiem.html",
        "06253-xa-thu-nghiem.pdf",
        "index.html",
        "province.html",
        "province.pdf",
    ]
    assert sorted(p.name for p in bulletins.parent.iterdir()) == ["2026-Q3"]
