"""Bad command lines and folders, command by command: one line each, never a traceback.

Each case runs ``python -m pipeline`` as the board would, in a subprocess, and reads back
its exit status and what it wrote on stdout and stderr. Cases needing a file or a folder
this user may not read or write run as ``nobody`` when the tests run as root (root may
read anything).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.run import Options, report
from tests.factory import valid_return, write_reference, write_workbook

ROOT = Path(__file__).resolve().parent.parent
# util-linux's setpriv: a Python preexec_fn calling setuid is refused the exec here.
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@dataclass(frozen=True)
class Place:
    """A province on disk: reference folders in both languages, a raw folder with one
    return, a published warehouse, and things where they should not be."""

    root: Path

    def __truediv__(self, name: str) -> Path:
        return self.root / name


@dataclass(frozen=True)
class Case:
    argv: list[str]
    exit_code: int
    line: str  # the one line expected on stderr
    as_nobody: bool = False


def cases(p: Place) -> dict[str, Case]:
    """Every command with a file where a folder is expected, a folder that cannot be made
    or written, unreadable files, a bad quarter, an empty raw folder, no reference."""
    en = ["--reference", str(p / "reference")]
    vi = ["--reference", str(p / "reference-vi")]
    file = p / "notes.md"
    out = ["--out", str(p / "out")]  # not for report: two runs on one folder refuse each other
    return {
        # report ------------------------------------------------------------------------
        "report --raw FILE": Case(
            ["report", "--raw", str(file), *en, "--out", str(p / "open" / "r1")],
            1,
            f"Error: {file} is a file, not a folder: give --raw a folder.",
        ),
        "report --out FILE/x": Case(
            ["report", "--raw", str(p / "raw"), *en, "--out", f"{file}/x"],
            1,
            f"Error: {file}/x cannot be a folder: {file} is a file. Give --out another folder.",
        ),
        "report --reference FILE": Case(
            ["report", "--reference", str(file), "--lang", "en"],
            1,
            f"Error: {file} is a file, not a folder: give --reference a folder.",
        ),
        "report --reference MISSING (vi, the default)": Case(
            ["report", "--reference", str(p / "nowhere")],
            1,
            f"Lỗi: {p / 'nowhere'} không tồn tại: hãy chỉ cho --reference một thư mục có thật.",
        ),
        "report --raw MISSING (vi)": Case(
            ["report", "--raw", str(p / "nowhere"), *vi, "--out", str(p / "open" / "r2")],
            1,
            f"Lỗi: {p / 'nowhere'} không tồn tại: hãy chỉ cho --raw một thư mục có thật.",
        ),
        "report --period 2026-Q5": Case(
            ["report", "--raw", str(p / "raw"), *en, "--period", "2026-Q5"],
            2,
            "Error: --period 2026-Q5 is not a quarter: write it as 2026-Q3 (a year, Q, 1 to 4).",
        ),
        "report --raw EMPTY": Case(
            ["report", "--raw", str(p / "empty"), *en, "--out", str(p / "open" / "r3")],
            1,
            f"Error: The raw folder {p / 'empty'} holds no return: put the communes' workbooks "
            "in it, or give their folder with --raw.",
        ),
        "report --raw (only an empty x.xlsx)": Case(
            ["report", "--raw", str(p / "one-empty"), *en, "--out", str(p / "open" / "r4")],
            1,
            f"Error: No return in {p / 'one-empty'} has a readable period, so there is nothing "
            "to report. x.xlsx: The file is empty (0 bytes). Send the return workbook again.",
        ),
        "report --out /proc/…": Case(
            ["report", "--raw", str(p / "raw"), *en, "--out", "/proc/pipeline-out"],
            1,
            "Error: The folder /proc/pipeline-out cannot be created (no folder can be made "
            "there): give --out a folder this user can write in.",
        ),
        "report: an unreadable file": Case(
            ["report", "--raw", str(p / "raw-locked"), *en, "--out", str(p / "open" / "o1")],
            1,
            f"Error: {p / 'raw-locked' / 'locked.xlsx'} cannot be read (permission denied): "
            "let this user read it, then run again.",
            as_nobody=True,
        ),
        "report: an unreadable sub-folder": Case(
            ["report", "--raw", str(p / "raw-shut"), *en, "--out", str(p / "open" / "o2")],
            1,
            f"Error: The folder {p / 'raw-shut' / 'shut'} cannot be read (permission denied): "
            "let this user read it, or give --raw another folder.",
            as_nobody=True,
        ),
        "report --out UNWRITABLE": Case(
            ["report", "--raw", str(p / "raw"), *en, "--out", str(p / "shut-out")],
            1,
            f"Error: Nothing can be written in the folder {p / 'shut-out'} (permission denied): "
            "give --out a folder this user can write in.",
            as_nobody=True,
        ),
        "report --xyzzy (click's own, one line)": Case(
            ["report", "--xyzzy"],
            2,
            "Error: No such option '--xyzzy'. (see: python -m pipeline report --help)",
        ),
        # status ------------------------------------------------------------------------
        "status --raw FILE": Case(
            ["status", "--raw", str(file), *en],
            1,
            f"Error: {file} is a file, not a folder: give --raw a folder.",
        ),
        "status --raw EMPTY": Case(
            ["status", "--raw", str(p / "empty"), *vi],
            1,
            f"Lỗi: Thư mục {p / 'empty'} không có tệp báo cáo nào: hãy đặt tệp báo cáo của các "
            "xã vào đó, hoặc chỉ ra thư mục chứa chúng bằng --raw. Hãy ghi rõ --period (ví dụ "
            "--period 2026-Q3) để xem xã nào chưa nộp báo cáo.",
        ),
        "status --period 2026-Q5": Case(
            ["status", "--raw", str(p / "raw"), *en, "--period", "2026-Q5"],
            2,
            "Error: --period 2026-Q5 is not a quarter: write it as 2026-Q3 (a year, Q, 1 to 4).",
        ),
        "status --reference MISSING": Case(
            ["status", "--raw", str(p / "raw"), "--reference", str(p / "nowhere"), "--lang", "en"],
            1,
            f"Error: {p / 'nowhere'} does not exist: give --reference an existing folder.",
        ),
        # check -------------------------------------------------------------------------
        "check MISSING": Case(
            ["check", str(p / "nowhere.xlsx"), *en, *out],
            2,
            f"Error: {p / 'nowhere.xlsx'} does not exist: give the path of a return workbook, "
            "or of a folder.",
        ),
        "check EMPTY": Case(
            ["check", str(p / "empty"), *en, *out],
            2,
            "Error: No return to check among the files given.",
        ),
        "check --feedback FILE": Case(
            ["check", str(p / "raw" / "a.xlsx"), *en, "--feedback", str(file)],
            2,
            f"Error: {file} is a file, not a folder: give --feedback a folder.",
        ),
        "check --out FILE/x": Case(
            ["check", str(p / "raw" / "a.xlsx"), *vi, "--out", f"{file}/x"],
            2,
            f"Lỗi: {file}/x/feedback/check không thể là thư mục: {file} là một tệp. Hãy chỉ cho "
            "--out một thư mục khác.",
        ),
        "check --reference MISSING": Case(
            ["check", str(p / "raw" / "a.xlsx"), "--reference", str(p / "nowhere"), "--lang", "en"],
            2,
            f"Error: {p / 'nowhere'} does not exist: give --reference an existing folder.",
        ),
        "check: an unreadable file": Case(
            ["check", str(p / "raw-locked" / "locked.xlsx"), *en, "--out", str(p / "open" / "o3")],
            2,
            f"Error: {p / 'raw-locked' / 'locked.xlsx'} cannot be read (permission denied): "
            "let this user read it, then run again.",
            as_nobody=True,
        ),
        "check without FILE (click's own, one line)": Case(
            ["check", *en],
            2,
            "Error: Missing argument 'FILE...'. (see: python -m pipeline check --help)",
        ),
        # templates ---------------------------------------------------------------------
        "templates --out FILE/x": Case(
            ["templates", *en, "--out", f"{file}/x"],
            1,
            f"Error: {file}/x cannot be a folder: {file} is a file. Give --out another folder.",
        ),
        "templates --period 2026-Q5 (vi)": Case(
            ["templates", *vi, *out, "--period", "2026-Q5"],
            2,
            "Lỗi: --period 2026-Q5 không phải là một quý: hãy ghi theo dạng 2026-Q3 (năm, chữ "
            "Q, số quý từ 1 đến 4).",
        ),
        "templates without a warehouse": Case(
            ["templates", *en, "--out", str(p / "empty")],
            1,
            f"Error: No warehouse at {p / 'empty' / 'warehouse.duckdb'} (run `make report` "
            "first): give the quarter, e.g. --period 2026-Q4.",
        ),
        "templates: a warehouse that is not one": Case(
            ["templates", *en, "--out", str(p / "fake-out")],
            1,
            f"Error: {p / 'fake-out' / 'warehouse.duckdb'} is not a DuckDB warehouse: give the "
            "warehouse.duckdb that `report` writes.",
        ),
        "templates --reference MISSING": Case(
            ["templates", "--reference", str(p / "nowhere"), "--lang", "en", *out],
            1,
            f"Error: {p / 'nowhere'} does not exist: give --reference an existing folder.",
        ),
        # export ------------------------------------------------------------------------
        "export --warehouse FILE": Case(
            ["export", "--warehouse", str(file), *en, "--out", str(p / "export")],
            1,
            f"Error: {file} is not a DuckDB warehouse: give the warehouse.duckdb that `report` "
            "writes.",
        ),
        "export --warehouse FOLDER": Case(
            ["export", "--warehouse", str(p / "out"), *en, "--out", str(p / "export")],
            1,
            f"Error: {p / 'out'} is a folder, not a warehouse: give the warehouse.duckdb file.",
        ),
        "export --warehouse MISSING (vi)": Case(
            ["export", "--warehouse", str(p / "nowhere.duckdb"), *vi],
            1,
            f"Lỗi: Không có kho dữ liệu tại {p / 'nowhere.duckdb'}: hãy chạy `make report` "
            "(hoặc `python -m pipeline report`) trước.",
        ),
        "export --out FILE": Case(
            ["export", "--warehouse", str(p / "out" / "warehouse.duckdb"), *en, "--out", str(file)],
            1,
            f"Error: {file} is a file, not a folder: give --out a folder.",
        ),
        "export --out FILE/x": Case(
            ["export", "--warehouse", str(p / "out" / "warehouse.duckdb"), *en, "--out",
             f"{file}/x"],
            1,
            f"Error: {file}/x cannot be a folder: {file} is a file. Give --out another folder.",
        ),
        "export: an unreadable warehouse": Case(
            ["export", "--warehouse", str(p / "locked-out" / "warehouse.duckdb"), *en],
            1,
            f"Error: {p / 'locked-out' / 'warehouse.duckdb'} cannot be read (permission "
            "denied): let this user read it, then run again.",
            as_nobody=True,
        ),
        "export --out UNWRITABLE": Case(
            ["export", "--warehouse", str(p / "out" / "warehouse.duckdb"), *en, "--out",
             str(p / "shut-out")],
            1,
            f"Error: Nothing can be written in the folder {p / 'shut-out'} (permission denied): "
            "give --out a folder this user can write in.",
            as_nobody=True,
        ),
    }  # fmt: skip


@pytest.fixture(scope="module")
def place() -> Iterator[Place]:
    # Not under pytest's tmp_path: its folders are private to root, and some cases run as
    # nobody, who must reach everything but the locked things.
    root = Path(tempfile.mkdtemp(prefix="pipeline-bad-input-"))
    root.chmod(0o755)
    p = Place(root)
    communes = [("06253", "Xã A", None)]
    write_reference(p / "reference", communes=communes)
    write_reference(p / "reference-vi", communes=communes, settings='language = "vi"\n')
    write_workbook(p / "raw" / "a.xlsx", valid_return())
    report(Options(raw=p / "raw", reference=p / "reference", out=p / "out"))
    (p / "notes.md").write_text("not a folder", encoding="utf-8")
    (p / "empty").mkdir()
    (p / "one-empty").mkdir()
    (p / "one-empty" / "x.xlsx").write_bytes(b"")
    (p / "fake-out").mkdir()
    (p / "fake-out" / "warehouse.duckdb").write_text("not a database", encoding="utf-8")
    shutil.copytree(p / "raw", p / "raw-locked")
    shutil.copy(p / "raw" / "a.xlsx", p / "raw-locked" / "locked.xlsx")
    (p / "raw-locked" / "locked.xlsx").chmod(0)
    shutil.copytree(p / "raw", p / "raw-shut")
    (p / "raw-shut" / "shut").mkdir()
    (p / "raw-shut" / "shut").chmod(0)
    shutil.copytree(p / "out", p / "locked-out")
    (p / "locked-out" / "warehouse.duckdb").chmod(0)
    (p / "shut-out").mkdir()
    (p / "shut-out").chmod(0o555)
    (p / "open").mkdir()
    (p / "mpl").mkdir()
    for path in (p / "open", p / "mpl"):
        path.chmod(0o777)
    for path in root.rglob("*"):  # world-readable, but for what is locked on purpose
        locked = path.name in ("locked.xlsx", "shut", "shut-out") or "shut" in path.parts
        if not locked and path.parts[-2:] != ("locked-out", "warehouse.duckdb"):
            path.chmod(0o777 if path.is_dir() else 0o644)
    yield p
    for path in (p / "raw-shut" / "shut", p / "shut-out"):
        path.chmod(0o755)
    shutil.rmtree(root, ignore_errors=True)


def _run(p: Place, case: Case) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pipeline", *case.argv]
    if case.as_nobody and os.geteuid() == 0:
        command = [*AS_NOBODY, *command]
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "MPLCONFIGDIR": str(p / "mpl"), "HOME": str(p / "open")},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def done(place: Place) -> dict[str, subprocess.CompletedProcess]:
    """Every case, run two at a time (each is a Python starting up)."""
    every = cases(place)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda case: _run(place, case), every.values())
        return dict(zip(every, results, strict=True))


@pytest.mark.parametrize("name", list(cases(Place(Path("/p")))))
def test_one_line_and_the_exit_status(place, done, name):
    case, result = cases(place)[name], done[name]
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [case.line]
    assert result.returncode == case.exit_code


def test_no_case_changed_the_published_outputs(place, done):
    """The failed commands left the warehouse and the bulletins alone, wrote no folder."""
    assert done  # every case has run
    assert sorted(p.name for p in (place / "out").iterdir() if not p.name.startswith(".")) == [
        "bulletins",
        "feedback",
        "warehouse.duckdb",
    ]
    assert not (place / "export").exists()
    assert list((place / "empty").iterdir()) == []
