"""The command line as the provincial board uses it: exit codes and what it prints."""

from __future__ import annotations

import duckdb
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.run import report
from tests.factory import edited, valid_return, write_reference, write_workbook


def args(province, *extra: str) -> list[str]:
    return [
        "report",
        "--raw", str(province.raw),
        "--reference", str(province.reference),
        "--out", str(province.out),
        *extra,
    ]  # fmt: skip


def test_report_exits_0_with_a_rejected_file_and_prints_a_summary(province):
    write_reference(province.reference, communes=[("06253", "Xã A", None), ("00101", "Xã B", None)])
    write_workbook(province.raw / "good.xlsx", valid_return())
    bad = edited(valid_return(commune="00101"), "Cells", 2, "official_members", "mười")
    write_workbook(province.raw / "bad.xlsx", bad)
    (province.raw / "~$good.xlsx").write_bytes(b"\x00lock")  # Office lock file: skipped

    result = CliRunner().invoke(main, args(province, "--lang", "en"))

    assert result.exit_code == 0, result.output
    assert "2 files read" in result.output
    assert "accepted   1" in result.output
    assert "rejected   1" in result.output
    assert (province.out / "bulletins" / "2026-Q3" / "province.pdf").exists()
    assert (province.out / "feedback" / "2026-Q3" / "00101-bad.xlsx").exists()
    with duckdb.connect(province.out / "warehouse.duckdb", read_only=True) as con:
        assert con.execute("select count(*) from submissions").fetchall() == [(2,)]


def test_missing_reference_folder_fails_with_a_reason(province):
    result = CliRunner().invoke(main, args(province))
    assert result.exit_code == 1
    # No province.toml to say otherwise: the message is in Vietnamese ("does not exist").
    assert "reference" in result.output and "không tồn tại" in result.output


def test_nothing_to_report_fails_with_a_reason(province):
    write_reference(province.reference)
    (province.raw / "notes.txt").write_text("not a return", encoding="utf-8")
    result = CliRunner().invoke(main, args(province))
    assert result.exit_code == 1
    assert "nothing to report" in result.output


def test_bad_period_option_is_a_usage_error(province):
    write_reference(province.reference)
    result = CliRunner().invoke(main, args(province, "--period", "2026-Q9"))
    assert result.exit_code == 2
    assert "2026-Q9" in result.output


def test_period_option_selects_the_quarter(province):
    write_reference(province.reference)
    write_workbook(province.raw / "q2.xlsx", valid_return(quarter=2))
    write_workbook(province.raw / "q3.xlsx", valid_return(quarter=3))
    result = CliRunner().invoke(main, args(province, "--period", "Q2/2026"))
    assert result.exit_code == 0, result.output
    assert "Period 2026-Q2" in result.output
    assert (province.out / "bulletins" / "2026-Q2" / "province.pdf").exists()


def test_verbose_lists_the_files_not_accepted_with_their_first_error(province):
    write_reference(province.reference, communes=[("06253", "Xã A", None), ("00101", "Xã B", None)])
    write_workbook(province.raw / "good.xlsx", valid_return())
    bad = edited(valid_return(commune="00101"), "Cells", 2, "official_members", "mười")
    write_workbook(province.raw / "bad.xlsx", bad)

    result = CliRunner().invoke(main, args(province, "--lang", "en", "--verbose"))

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("  rejected   bad.xlsx: errors 1, warnings 0")
    assert "'mười'" in lines[at + 1] and "whole number" in lines[at + 1]
    assert "good.xlsx" not in result.output.split("Time:")[-1]
    assert "\x1b[" not in result.output  # no progress bar when not on a terminal


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
    assert sorted(main.commands) == ["check", "export", "report", "status", "templates"]
    for name, command in main.commands.items():
        assert command.help, name
        options = [p for p in command.params if p.param_type_name == "option"]
        assert all(option.help for option in options), name
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0


def test_templates_follow_the_latest_quarter_of_the_warehouse(province):
    write_reference(province.reference, communes=[("06253", "Xã A", None), ("00101", "Xã B", None)])
    write_workbook(province.raw / "a.xlsx", valid_return())
    assert CliRunner().invoke(main, args(province)).exit_code == 0
    common = ["--reference", str(province.reference), "--out", str(province.out)]

    result = CliRunner().invoke(main, ["templates", *common])

    assert result.exit_code == 0, result.output
    folder = province.out / "templates" / "2026-Q4"  # the quarter after 2026-Q3
    assert result.output.strip() == f"2 templates for 2026-Q4 in {folder}"
    assert sorted(p.name for p in folder.iterdir()) == ["00101-xa-b.xlsx", "06253-xa-a.xlsx"]
    missing = CliRunner().invoke(main, ["templates", *common[:2], "--out", str(province.raw)])
    assert missing.exit_code == 1 and "--period 2026-Q4" in missing.output
