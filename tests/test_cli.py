"""The command line as the provincial board uses it: exit codes and what it prints."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import main
from pipeline.outputs import exclusive
from pipeline.run import Options, report
from tests.factory import edited, valid_return, write_reference, write_workbook

VI_SETTINGS = 'province_name = "Tỉnh Thử"\nlanguage = "vi"\n'


def args(province, *extra: str) -> list[str]:
    return [
        "report",
        "--raw", str(province.raw),
        "--reference", str(province.reference),
        "--out", str(province.out),
        *extra,
    ]  # fmt: skip


def invoke(*argv: str) -> Result:
    return CliRunner().invoke(main, list(argv))


@pytest.fixture
def mixed(province: Options) -> Options:
    """Q3: 06253 sent two accepted files (the later one in use), 00101 a rejected one; 06253
    also sent its Q2 return; ``empty.xlsx`` names no period."""
    communes = [("06253", "Xã A", None), ("00101", "Xã B", None)]
    write_reference(province.reference, communes=communes)
    write_workbook(province.raw / "good.xlsx", valid_return())
    later = edited(valid_return(), "Info", 0, "submitted_on", "2026-10-07")
    write_workbook(province.raw / "good-again.xlsx", later)
    bad = edited(valid_return(commune="00101"), "Cells", 2, "official_members", "mười")
    write_workbook(province.raw / "bad.xlsx", bad)
    write_workbook(province.raw / "q2" / "good.xlsx", valid_return(quarter=2))
    (province.raw / "empty.xlsx").write_bytes(b"")
    (province.raw / "~$good.xlsx").write_bytes(b"\x00lock")  # Office lock file: skipped
    return province


def test_the_summary_counts_the_files_of_the_quarter_and_verbose_lists_its_rejections(mixed):
    result = invoke(*args(mixed, "--lang", "en", "--verbose"))

    assert result.exit_code == 0, result.output
    out = mixed.out
    lines = result.stdout.splitlines()
    assert lines[:10] == [
        "Quarter 3/2026 (2026-Q3)",
        "  files of the quarter             3",
        "    accepted                       1",
        "    superseded                     1",
        "    rejected                       1",
        "  files of other quarters          1",
        "  files naming no readable period  1",
        f"Warehouse: {out / 'warehouse.duckdb'}",
        f"Bulletins (PDF): 3 in {out / 'bulletins' / '2026-Q3'}",
        f"Feedback workbooks: 2 in {out / 'feedback' / '2026-Q3'}",
    ]
    *files, time = lines[10:]
    assert files == [
        "  rejected    bad.xlsx: errors 1, warnings 0",
        "              'official_members' must be a whole number; found 'mười'.",
        "  rejected    empty.xlsx: errors 1, warnings 0",
        "              The file is empty (0 bytes). Send the return workbook again.",
        "  superseded  good.xlsx: errors 0, warnings 0",
    ]  # the Q2 file is not the quarter's: not listed
    stages = [stage.rsplit(" ", 2)[0] for stage in time.removeprefix("Time: ").split(" · ")]
    assert stages == ["read", "validate", "load and indicators", "render", "feedback"]
    assert time.endswith(" s") and "." in time.split(" · ")[0]
    assert "\x1b[" not in result.output  # no progress bar when not on a terminal
    # what the summary counts is there
    assert len(list((out / "bulletins" / "2026-Q3").glob("*.pdf"))) == 3
    assert len(list((out / "feedback" / "2026-Q3").glob("*.xlsx"))) == 2
    with duckdb.connect(out / "warehouse.duckdb", read_only=True) as con:
        assert con.execute("select count(*) from submissions").fetchall() == [(5,)]


def test_the_summary_in_vietnamese_from_province_toml(mixed):
    write_reference(
        mixed.reference, communes=[("06253", "Xã A", None), ("00101", "Xã B", None)],
        settings=VI_SETTINGS,
    )  # fmt: skip
    result = invoke(*args(mixed, "--verbose"))

    assert result.exit_code == 0, result.output
    out = mixed.out
    lines = result.stdout.splitlines()
    assert lines[:10] == [
        "Quý 3/2026 (2026-Q3)",
        "  tệp của quý                    3",
        "    được chấp nhận               1",
        "    bị thay thế                  1",
        "    bị trả lại                   1",
        "  tệp của các quý khác           1",
        "  tệp không đọc được kỳ báo cáo  1",
        f"Kho dữ liệu: {out / 'warehouse.duckdb'}",
        f"Bản tin (PDF): 3 trong {out / 'bulletins' / '2026-Q3'}",
        f"Tệp phản hồi: 2 trong {out / 'feedback' / '2026-Q3'}",
    ]
    *files, time = lines[10:]
    assert files == [
        "  bị trả lại      bad.xlsx: lỗi 1, cảnh báo 0",
        "                  'official_members' phải là số nguyên; giá trị hiện tại là 'mười'.",
        "  bị trả lại      empty.xlsx: lỗi 1, cảnh báo 0",
        "                  Tệp rỗng (0 byte). Vui lòng gửi lại tệp báo cáo.",
        "  bị thay thế     good.xlsx: lỗi 0, cảnh báo 0",
    ]
    stages = [stage.rsplit(" ", 2)[0] for stage in time.removeprefix("Thời gian: ").split(" · ")]
    assert stages == [
        "đọc",
        "kiểm tra",
        "nạp dữ liệu và tính chỉ tiêu",
        "tạo bản tin",
        "tệp phản hồi",
    ]
    assert "," in time.split(" · ")[0]  # 0,3 s: a decimal comma, as the bulletins write it


def snapshot(out: Path) -> dict[str, str]:
    """Every published output (the cache and the lock left out) -> sha256 of its bytes."""
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.relative_to(out).as_posix().startswith((".cache", ".run.lock"))
    }


def test_a_quarter_without_an_accepted_return_prints_nothing_and_changes_nothing(mixed):
    assert invoke(*args(mixed)).exit_code == 0
    before = snapshot(mixed.out)
    assert "warehouse.duckdb" in before and len(before) > 5

    for quarter in ("2026-Q1", "Q2/2026"):  # Q1: no file at all; Q2: accepted, see below
        result = invoke(*args(mixed, "--period", quarter))
        if quarter == "Q2/2026":
            assert result.exit_code == 0  # 06253's Q2 return is accepted
            before = snapshot(mixed.out)
            continue
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            "Error: 2026-Q1 has no accepted return, so there are no figures to print; the "
            "latest quarter with returns is 2026-Q3 (`--period 2026-Q3`). `python -m pipeline "
            "status --period 2026-Q1` shows who has reported."
        ]
    assert snapshot(mixed.out) == before  # byte for byte, the warehouse included
    assert not (mixed.out / "bulletins" / "2026-Q1").exists()


def test_a_quarter_with_only_a_rejected_return_is_refused_in_vietnamese(province):
    write_reference(province.reference, settings=VI_SETTINGS)
    write_workbook(province.raw / "q3.xlsx", valid_return())
    bad = edited(valid_return(quarter=2), "Cells", 2, "official_members", "mười")
    write_workbook(province.raw / "q2.xlsx", bad)
    assert invoke(*args(province)).exit_code == 0
    before = snapshot(province.out)

    result = invoke(*args(province, "--period", "2026-Q2"))

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Lỗi: Kỳ 2026-Q2 chưa có báo cáo nào được chấp nhận nên chưa có số liệu để in; quý gần "
        "nhất có báo cáo là 2026-Q3 (`--period 2026-Q3`). Lệnh `python -m pipeline status "
        "--period 2026-Q2` cho biết xã nào đã nộp."
    ]
    assert snapshot(province.out) == before


def test_no_accepted_return_at_all(province):
    write_reference(province.reference)
    bad = edited(valid_return(), "Cells", 2, "official_members", "mười")
    write_workbook(province.raw / "bad.xlsx", bad)

    result = invoke(*args(province))

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: No quarter has an accepted return in {province.raw} yet, so there are no "
        "figures to print. `python -m pipeline status --period 2026-Q3` shows who has reported."
    ]
    assert not (province.out / "warehouse.duckdb").exists()


def test_a_second_run_at_the_same_time_is_refused_in_the_runs_language(province):
    write_reference(province.reference, settings=VI_SETTINGS)
    write_workbook(province.raw / "a.xlsx", valid_return())
    with exclusive(province.out):
        result = invoke(*args(province))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Lỗi: Một lượt chạy khác đang ghi vào {province.out} (pid {os.getpid()}). Hãy đợi "
        "lượt đó xong rồi chạy lại."
    ]


def test_missing_reference_folder_fails_with_a_reason(province):
    result = invoke(*args(province))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Lỗi: {province.reference} không tồn tại: hãy chỉ cho --reference một thư mục có thật."
    ]  # no province.toml to say otherwise: the project's default language
    result = invoke(*args(province, "--lang", "en"))
    assert result.stderr.splitlines() == [
        f"Error: {province.reference} does not exist: give --reference an existing folder."
    ]


def test_no_readable_period_names_the_file_and_its_problem(province):
    write_reference(province.reference)
    (province.raw / "x.xlsx").write_bytes(b"")
    result = invoke(*args(province))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: No return in {province.raw} has a readable period, so there is nothing to "
        "report. x.xlsx: The file is empty (0 bytes). Send the return workbook again."
    ]
    (province.raw / "notes.txt").write_text("not a return", encoding="utf-8")
    result = invoke(*args(province))
    assert result.stderr.splitlines() == [
        f"Error: No return in {province.raw} has a readable period, so there is nothing to "
        "report. notes.txt: The file is not an Excel workbook (it is text (CSV)). Open it in "
        "Excel and use Save As → Excel Workbook (.xlsx), then send it again. And 1 other "
        f"files: `python -m pipeline check {province.raw}` lists the problems of each."
    ]


def test_bad_period_option_is_a_usage_error_in_the_runs_language(province):
    write_reference(province.reference, settings=VI_SETTINGS)
    result = invoke(*args(province, "--period", "2026-Q9"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Lỗi: --period 2026-Q9 không phải là một quý: hãy ghi theo dạng 2026-Q3 (năm, chữ Q, "
        "số quý từ 1 đến 4)."
    ]


def test_clicks_own_usage_errors_take_one_line(province):
    result = invoke(*args(province, "--lang", "fr"))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: Invalid value for '--lang': 'fr' is not one of 'vi', 'en'. "
        "(see: main report --help)"
    ]


def test_period_option_selects_the_quarter(province):
    write_reference(province.reference)
    write_workbook(province.raw / "q2.xlsx", valid_return(quarter=2))
    write_workbook(province.raw / "q3.xlsx", valid_return(quarter=3))
    result = invoke(*args(province, "--period", "Q2/2026"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "Quarter 2/2026 (2026-Q2)",
        "  files of the quarter             1",
    ]
    assert (province.out / "bulletins" / "2026-Q2" / "province.pdf").exists()


def test_the_job_reports_its_progress_stage_by_stage(province):
    write_reference(province.reference, communes=[("06253", "Xã A", None), ("00101", "Xã B", None)])
    write_workbook(province.raw / "a.xlsx", valid_return())
    write_workbook(province.raw / "b.xlsx", valid_return(commune="00101"))
    seen: dict[str, list[int]] = {}

    def progress(stage: str, total: int):
        seen[stage] = [total, 0]
        return lambda n: seen[stage].__setitem__(1, seen[stage][1] + n)

    report(province, progress)
    assert seen == {"Reading": [2, 2], "Validating": [2, 2], "Rendering": [3, 3]}
    seen.clear()
    report(province, progress)  # nothing changed: nothing read, nothing rendered
    assert seen == {"Reading": [0, 0], "Validating": [0, 0], "Rendering": [0, 0]}


def test_every_command_and_option_has_help():
    assert sorted(main.commands) == [
        "check", "distribute", "export", "report", "status", "templates",
    ]  # fmt: skip
    for name, command in main.commands.items():
        assert command.help, name
        options = [p for p in command.params if p.param_type_name == "option"]
        assert all(option.help for option in options), name
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0


def test_templates_follow_the_latest_quarter_of_the_warehouse(province):
    write_reference(province.reference, communes=[("06253", "Xã A", None), ("00101", "Xã B", None)])
    write_workbook(province.raw / "a.xlsx", valid_return())
    assert invoke(*args(province)).exit_code == 0
    common = ["--reference", str(province.reference), "--out", str(province.out)]

    result = invoke("templates", *common)

    assert result.exit_code == 0, result.output
    folder = province.out / "templates" / "2026-Q4"  # the quarter after 2026-Q3
    assert result.stdout.splitlines() == [f"2 templates for 2026-Q4 in {folder}"]
    assert sorted(p.name for p in folder.iterdir()) == ["00101-xa-b.xlsx", "06253-xa-a.xlsx"]
    vi = invoke("templates", *common, "--lang", "vi")
    assert vi.stdout.splitlines() == [f"2 mẫu báo cáo kỳ 2026-Q4 trong {folder}"]
    missing = invoke("templates", *common[:2], "--out", str(province.raw))
    assert missing.exit_code == 1
    assert missing.stderr.splitlines() == [
        f"Error: No warehouse at {province.raw / 'warehouse.duckdb'} (run `make report` first): "
        "give the quarter, e.g. --period 2026-Q4."
    ]
