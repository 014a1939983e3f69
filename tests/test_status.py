"""`python -m pipeline status`: who has reported, from the raw folder as it is now.

The sample province's facts (``tools/sample.py``): in 2026-Q3 commune 07347 is late,
10461 sent nothing, 07359 sent a rejected file then an accepted one, and an HTML page
saved as ``.xls`` names no commune.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.factory import edited, valid_return, write_reference, write_workbook

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = [
    "commune_code",
    "commune_name",
    "status",
    "submitted_on",
    "file_name",
    "errors",
    "warnings",
]
LAN1 = "2026-Q3/bao cao quy 3 - phuong tay ninh_lan1.xlsx"
LAN2 = "2026-Q3/bao cao quy 3 - phuong tay ninh_lan2_sua.xlsx"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample province: data/raw and data/reference."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(ROOT / "data" / "raw", root / "raw")
    shutil.copytree(ROOT / "data" / "reference", root / "reference")
    return root


def status(raw: Path, reference: Path, *extra: str) -> str:
    result = CliRunner().invoke(
        main, ["status", "--raw", str(raw), "--reference", str(reference), *extra]
    )
    assert result.exit_code == 0, result.output
    return result.output


def by_commune(rows: list[dict]) -> dict[str, dict]:
    return {row["commune_code"]: row for row in rows}


def test_sample_q3_as_csv(sample, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default --out, data/out, would be here
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    output = status(sample / "raw", sample / "reference", "--period", "2026-Q3", "--format", "csv")

    assert output.splitlines()[0] == ",".join(COLUMNS)
    rows = by_commune(list(csv.DictReader(io.StringIO(output))))
    assert len(rows) == 25  # every commune of the reference, sorted by code
    assert list(rows) == sorted(rows)
    assert rows["07347"] == {
        "commune_code": "07347",
        "commune_name": "Phường Xuân Đức",
        "status": "late",
        "submitted_on": "2026-10-22",
        "file_name": "2026-Q3/PhuongXuanDuc_ChiBo_Q3-2026 (1).xlsx",
        "errors": "0",
        "warnings": "0",
    }
    assert rows["10461"] == {
        "commune_code": "10461",
        "commune_name": "Xã Hoàng Lộc",
        "status": "missing",
        "submitted_on": "",
        "file_name": "",
        "errors": "",
        "warnings": "",
    }
    # the corrected resubmission is in use; the rejected first file does not count
    assert rows["07359"]["status"] == "on_time"
    assert rows["07359"]["file_name"] == LAN2
    assert [r["status"] for r in rows.values()].count("on_time") == 23
    # nothing written: no data/out, and the temporary warehouse is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_default_period_is_the_latest_quarter_and_json_keeps_types(sample):
    rows = json.loads(status(sample / "raw", sample / "reference", "--format", "json"))
    assert all(list(row) == COLUMNS for row in rows)
    rows = by_commune(rows)
    assert rows["07347"]["status"] == "late"  # 2026-Q3, the latest quarter with returns
    assert rows["10461"] == {
        "commune_code": "10461",
        "commune_name": "Xã Hoàng Lộc",
        "status": "missing",
        "submitted_on": None,
        "file_name": None,
        "errors": None,
        "warnings": None,
    }
    # 4 of the return itself, and the members jump the sample plants (SPEC §4a)
    assert rows["07353"]["warnings"] == 5 and rows["07353"]["errors"] == 0


def test_an_earlier_quarter(sample):
    rows = json.loads(
        status(sample / "raw", sample / "reference", "--period", "Q2/2026", "--format", "json")
    )
    rows = by_commune(rows)
    assert rows["10461"]["status"] == "on_time"  # it reported in Q2
    assert rows["07347"]["file_name"] == "2026-Q2/07347_BC_Q2.2026.xlsx"


def test_the_raw_folder_as_it_is_now_rejected_with_its_problem_count(sample, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(sample / "raw", raw)
    (raw / LAN2).unlink()  # the corrected file has not arrived yet

    output = status(raw, sample / "reference", "--lang", "en")

    line = next(line for line in output.splitlines() if "07359" in line)
    cells = [cell.strip() for cell in line.split("|")]
    assert cells[1:8] == ["07359", "Phường Tây Ninh", "Rejected", "4 Oct 2026", "2", "0", LAN1]
    assert "Communes: 25 · On time 22 · Late 1 · Rejected 1 · Missing 1" in output
    assert "Quarter 3/2026" in output
    # the HTML page saved as .xls names no commune: listed apart
    assert "Files that name no commune or period:\n  2026-Q3/ThaiBinh_export_Q3_2026.xls" in output
    assert "\x1b[" not in output  # not a terminal: no colour codes
    assert all(line == line.rstrip() for line in output.splitlines())


def test_vietnamese_table(sample):
    output = status(sample / "raw", sample / "reference")  # province.toml: vi
    lines = output.splitlines()
    assert lines[0] == "Quý 3/2026"
    assert lines[2].split("|")[1:7] == [
        " Xã    ", "                     ", " Tình trạng ", " Ngày nộp   ", " Lỗi ", " Cảnh báo "
    ]  # fmt: skip
    assert [cell.strip() for cell in row(lines, "07347")[1:7]] == [
        "07347", "Phường Xuân Đức", "Trễ hạn", "22/10/2026", "0", "0"
    ]  # fmt: skip
    assert [cell.strip() for cell in row(lines, "10461")[1:8]] == [
        "10461", "Xã Hoàng Lộc", "Chưa nộp", "", "", "", ""
    ]  # fmt: skip
    assert lines[-3:] == [
        "Các xã: 25 · Đúng hạn 23 · Trễ hạn 1 · Bị trả lại 0 · Chưa nộp 1",
        "Tệp không ghi rõ xã hoặc kỳ báo cáo:",
        "  2026-Q3/ThaiBinh_export_Q3_2026.xls",
    ]


def test_english_table_dates_as_the_bulletins_write_them(sample):
    lines = status(sample / "raw", sample / "reference", "--lang", "en").splitlines()
    assert lines[0] == "Quarter 3/2026"
    assert [cell.strip() for cell in lines[2].split("|")[1:8]] == [
        "Commune", "", "Status", "Submitted", "Errors", "Warnings", "File"
    ]  # fmt: skip
    assert [cell.strip() for cell in row(lines, "07347")[1:7]] == [
        "07347", "Phường Xuân Đức", "Late", "22 Oct 2026", "0", "0"
    ]  # fmt: skip
    assert [cell.strip() for cell in row(lines, "07344")[4:5]] == ["5 Oct 2026"]
    assert lines[-3:] == [
        "Communes: 25 · On time 23 · Late 1 · Rejected 0 · Missing 1",
        "Files that name no commune or period:",
        "  2026-Q3/ThaiBinh_export_Q3_2026.xls",
    ]


def row(lines: list[str], code: str) -> list[str]:
    return next(line for line in lines if f"| {code} " in line).split("|")


def test_before_any_return_of_the_quarter_is_accepted(province):
    """No accepted return anywhere yet: every commune is still rejected or missing."""
    write_reference(
        province.reference,
        communes=[("06253", "Xã A", None), ("00101", "Xã B", None), ("00202", "Xã C", None)],
    )
    bad = edited(valid_return(commune="06253"), "Cells", 3, "official_members", "mười")
    write_workbook(province.raw / "a.xlsx", bad)
    write_workbook(province.raw / "b.xlsx", edited(bad, "Info", 0, "commune_code", "00101"))
    (province.raw / "notes.txt").write_text("not a return", encoding="utf-8")

    rows = by_commune(
        json.loads(status(province.raw, province.reference, "--format", "json"))
    )  # default period: the only one found, 2026-Q3

    assert {code: row["status"] for code, row in rows.items()} == {
        "00101": "rejected",
        "00202": "missing",
        "06253": "rejected",
    }
    assert rows["06253"]["file_name"] == "a.xlsx"
    assert (rows["06253"]["errors"], rows["06253"]["warnings"]) == (1, 0)
    assert rows["06253"]["submitted_on"] == "2026-10-05"


def test_a_period_without_any_file_lists_every_commune_missing(province):
    write_reference(province.reference, communes=[("06253", "Xã A", None)])
    write_workbook(province.raw / "q3.xlsx", valid_return())
    output = status(province.raw, province.reference, "--period", "2026-Q1", "--format", "csv")
    assert output.splitlines()[1:] == ["06253,Xã A,missing,,,,"]


def test_no_raw_folder_is_an_error(province):
    write_reference(province.reference)
    result = CliRunner().invoke(
        main,
        ["status", "--raw", str(province.raw / "nope"), "--reference", str(province.reference)],
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {province.raw / 'nope'} does not exist: give --raw an existing folder."
    ]


def test_nothing_received_yet_suggests_a_period(province):
    write_reference(province.reference)
    result = CliRunner().invoke(
        main, ["status", "--raw", str(province.raw), "--reference", str(province.reference)]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: The raw folder {province.raw} holds no return: put the communes' workbooks "
        "in it, or give their folder with --raw. Give --period (e.g. --period 2026-Q3) to see "
        "who has not reported yet."
    ]
