"""`python -m pipeline check FILE...`: a verdict per file, each problem, feedback, exit code."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.factory import edited, valid_return, write_reference, write_workbook

ROOT = Path(__file__).resolve().parent.parent
LAN1 = ROOT / "data" / "raw" / "2026-Q3" / "bao cao quy 3 - phuong tay ninh_lan1.xlsx"


@pytest.fixture
def returns(province):
    """A good return (06253), a bad one (00101: Cells!D3 is not a number) and one with a
    warning only (06253's Q2: no Meetings row for CB02 in May)."""
    write_reference(province.reference, communes=[("06253", "Xã A", None), ("00101", "Xã B", None)])
    write_workbook(province.raw / "good.xlsx", valid_return())
    bad = edited(valid_return(commune="00101"), "Cells", 3, "official_members", "mười")
    write_workbook(province.raw / "bad.xlsx", bad)
    warned = valid_return(quarter=2)
    del warned["Meetings"][5]  # CB02, month 5
    write_workbook(province.raw / "warned.xlsx", warned)
    return province


def check(province, *extra: str):
    return CliRunner().invoke(
        main,
        [
            "check",
            "--reference", str(province.reference),
            "--out", str(province.out),
            "--lang", "en",
            *extra,
        ],
    )  # fmt: skip


def test_a_rejected_file_exits_1_with_sheet_row_and_cell(returns):
    result = check(returns, str(returns.raw / "bad.xlsx"), str(returns.raw / "good.xlsx"))

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert (
        lines[0]
        == "bad.xlsx: Rejected: fix the errors and send the file again (Errors 1, Warnings 0)"
    )
    problem = lines[2].split()
    assert problem[:5] == ["error", "Cells", "3", "D3", "official_members"]
    assert "mười" in lines[2]
    assert "good.xlsx: Accepted (Errors 0, Warnings 0)" in lines
    assert lines[-1] == "Files checked: 2 · Accepted 1 · Rejected 1"

    feedback = returns.out / "feedback" / "check" / "00101-bad.xlsx"
    assert f"  Feedback workbook: {feedback}" in lines
    sheet = openpyxl.load_workbook(feedback).worksheets[0]
    assert sheet["A2"].value == "Rejected: fix the errors and send the file again"
    assert [sheet.cell(5, c).value for c in (1, 2, 3, 4, 5)] == [
        "Cells", 3, "D3", "official_members", "mười"
    ]  # fmt: skip
    # an accepted file without problems gets no workbook; nothing else is written
    assert sorted(p.name for p in feedback.parent.iterdir()) == ["00101-bad.xlsx"]
    assert sorted(p.name for p in returns.out.iterdir()) == ["feedback"]
    assert sorted(p.name for p in (returns.out / "feedback").iterdir()) == ["check"]


def test_every_file_accepted_exits_0(returns):
    result = check(returns, str(returns.raw / "good.xlsx"), str(returns.raw / "warned.xlsx"))

    assert result.exit_code == 0, result.output
    assert "good.xlsx: Accepted (Errors 0, Warnings 0)" in result.output
    assert "warned.xlsx: Accepted, with warnings to fix (Errors 0, Warnings 1)" in result.output
    warning = next(
        line for line in result.output.splitlines() if line.lstrip().startswith("warning")
    )
    assert warning.split()[:2] == ["warning", "Meetings"]
    assert "CB02 in 5/2026" in warning
    # warnings are worth a workbook too
    assert (returns.out / "feedback" / "check" / "06253-warned.xlsx").exists()


def test_feedback_option_and_a_new_check_replaces_the_workbook(returns, tmp_path):
    folder = tmp_path / "mail"
    for _ in range(2):
        result = check(returns, "--feedback", str(folder), str(returns.raw / "bad.xlsx"))
        assert result.exit_code == 1
    assert sorted(p.name for p in folder.iterdir()) == ["00101-bad.xlsx"]  # not 00101-bad-2
    assert not (returns.out / "feedback").exists()


def test_a_folder_is_checked_as_report_reads_it(returns):
    (returns.raw / "~$bad.xlsx").write_bytes(b"\x00lock")  # skipped silently, as in report
    sub = returns.raw / "2026-Q2"
    sub.mkdir()
    shutil.move(returns.raw / "warned.xlsx", sub / "warned.xlsx")

    result = check(returns, str(returns.raw))

    assert result.exit_code == 1
    assert "Files checked: 3 · Accepted 2 · Rejected 1" in result.output
    assert "2026-Q2/warned.xlsx: Accepted, with warnings to fix" in result.output
    assert "~$" not in result.output


def test_a_lock_file_named_explicitly_is_skipped_with_a_note(returns):
    lock = returns.raw / "~$good.xlsx"
    lock.write_bytes(b"\x00lock")
    result = check(returns, str(lock), str(returns.raw / "good.xlsx"))
    assert result.exit_code == 0, result.output
    assert "~$good.xlsx: skipped" in result.output
    assert "Files checked: 1 · Accepted 1 · Rejected 0" in result.output


def test_the_samples_rejected_resubmission(tmp_path):
    """The sample's first Tây Ninh file: attendees above members and a date outside its month."""
    result = CliRunner().invoke(
        main,
        [
            "check", str(LAN1),
            "--reference", str(ROOT / "data" / "reference"),
            "--feedback", str(tmp_path),
            "--lang", "vi",
        ],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{LAN1.name}: Bị trả lại: sửa các lỗi rồi gửi lại tệp (Lỗi 2,")
    assert lines[2].split()[:6] == ["lỗi", "Sinh", "hoạt", "22", "E22", "attendees"]
    assert lines[3].split()[:6] == ["lỗi", "Sinh", "hoạt", "25", "D25", "meeting_date"]
    assert "'Số đảng viên dự' (98)" in lines[2]
    assert (tmp_path / "07359-bao-cao-quy-3-phuong-tay-ninh-lan1.xlsx").exists()


def test_cannot_check_exits_2(province):
    write_workbook(province.raw / "good.xlsx", valid_return())
    result = check(province, str(province.raw / "good.xlsx"))  # no reference folder
    assert result.exit_code == 2
    # No province.toml to say otherwise: the message is in Vietnamese ("does not exist").
    assert "reference" in result.output and "không tồn tại" in result.output

    write_reference(province.reference)
    (province.raw / "~$lock.xlsx").write_bytes(b"\x00")
    result = check(province, str(province.raw / "~$lock.xlsx"))
    assert result.exit_code == 2
    assert "No return to check" in result.output

    result = check(province)  # FILE is required: a usage error
    assert result.exit_code == 2
