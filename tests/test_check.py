"""`python -m pipeline check FILE...`: a verdict per file, each problem, feedback, exit code."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.factory import edited, valid_return, write_reference, write_workbook

ROOT = Path(__file__).resolve().parent.parent
LAN1 = ROOT / "data" / "raw" / "2026-Q3" / "bao cao quy 3 - phuong tay ninh_lan1.xlsx"
ACCEPTED_WITH_WARNING = ROOT / "data" / "raw" / "2026-Q3" / "14073_BC_Q3.2026.xlsx"


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


def sample_check(tmp_path: Path, *extra: str):
    return CliRunner().invoke(
        main,
        [
            "check", str(LAN1), str(ACCEPTED_WITH_WARNING),
            "--reference", str(ROOT / "data" / "reference"),
            "--feedback", str(tmp_path),
            *extra,
        ],
    )  # fmt: skip


def test_the_samples_rejected_resubmission_in_vietnamese(tmp_path):
    """The sample's first Tây Ninh file: attendees above members and a date outside its month;
    the province speaks Vietnamese (province.toml), and so does every line."""
    result = sample_check(tmp_path)

    assert result.exit_code == 1, result.output
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        f"{LAN1.name}: Bị trả lại: sửa các lỗi rồi gửi lại tệp (Lỗi 2, Cảnh báo 0)",
        "    Mức độ  Trang tính  Dòng  Ô    Cột              Cần làm gì",
        "    lỗi     Sinh hoạt   22    E22  Số đảng viên dự  'Số đảng viên dự' (98) lớn hơn tổng "
        "số 9 đảng viên của chi bộ (chính thức và dự bị, theo trang danh sách chi bộ).",
        "    lỗi     Sinh hoạt   25    D25  Ngày sinh hoạt   'Ngày sinh hoạt' (28/08/2026) không "
        "thuộc tháng của dòng này.",
        f"  Tệp phản hồi: {tmp_path / '07359-bao-cao-quy-3-phuong-tay-ninh-lan1.xlsx'}",
        f"{ACCEPTED_WITH_WARNING.name}: Được chấp nhận, còn cảnh báo cần sửa (Lỗi 0, Cảnh báo 1)",
        "    Mức độ    Trang tính        Dòng  Ô   Cột  Cần làm gì",
        "    cảnh báo  Danh sách chi bộ  6     G6       Cột 'Ghi chú' không thuộc mẫu báo cáo nên "
        "đã được bỏ qua.",
        f"  Tệp phản hồi: {tmp_path / '14073-bc-q3-2026.xlsx'}",
        "Số tệp đã kiểm tra: 2 · Được chấp nhận 1 · Bị trả lại 1",
    ]
    assert (tmp_path / "07359-bao-cao-quy-3-phuong-tay-ninh-lan1.xlsx").exists()


def test_the_samples_files_in_english_keep_the_clerks_sheet_and_column_names(tmp_path):
    result = sample_check(tmp_path, "--lang", "en")

    assert result.exit_code == 1, result.output
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        f"{LAN1.name}: Rejected: fix the errors and send the file again (Errors 2, Warnings 0)",
        "    Severity  Sheet      Row  Cell reference  Column           What to do",
        "    error     Sinh hoạt  22   E22             Số đảng viên dự  'Số đảng viên dự' (98) is "
        "more than the cell's 9 members (official and probationary, from the sheet of cells).",
        "    error     Sinh hoạt  25   D25             Ngày sinh hoạt   'Ngày sinh hoạt' "
        "(28/08/2026) is not in the month of this row.",
        f"  Feedback workbook: {tmp_path / '07359-bao-cao-quy-3-phuong-tay-ninh-lan1.xlsx'}",
        f"{ACCEPTED_WITH_WARNING.name}: Accepted, with warnings to fix (Errors 0, Warnings 1)",
        "    Severity  Sheet             Row  Cell reference  Column  What to do",
        "    warning   Danh sách chi bộ  6    G6                      The column 'Ghi chú' is not "
        "part of the return and was ignored.",
        f"  Feedback workbook: {tmp_path / '14073-bc-q3-2026.xlsx'}",
        "Files checked: 2 · Accepted 1 · Rejected 1",
    ]


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("vi", ["lỗi", "Meetings", "1", "Số đảng viên dự", "Thiếu cột 'Số đảng viên dự'"]),
        ("en", ["error", "Meetings", "1", "attendees", "The column 'attendees' is missing"]),
    ],
)
def test_a_missing_column_is_named_as_the_template_of_the_language_names_it(returns, lang, line):
    sheets = valid_return()
    at = sheets["Meetings"][0].index("attendees")
    sheets["Meetings"] = [row[:at] + row[at + 1 :] for row in sheets["Meetings"]]
    write_workbook(returns.raw / "no-attendees.xlsx", sheets)

    result = check(returns, str(returns.raw / "no-attendees.xlsx"), "--lang", lang)

    assert result.exit_code == 1, result.output
    # the sheet as the clerk named it; the column it lacks, as the template names it
    fields = re.split(r"\s{2,}", result.stdout.splitlines()[2].strip())
    assert fields[:4] == line[:4] and fields[4].startswith(line[4])


def test_a_failure_while_writing_is_one_line_too(returns, tmp_path):
    folder = tmp_path / "mail"
    (folder / "00101-bad.xlsx").mkdir(parents=True)  # a folder where the workbook goes

    result = check(returns, "--feedback", str(folder), str(returns.raw / "bad.xlsx"))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: {folder / '00101-bad.xlsx'}: it is a folder. Check the folder's rights and "
        "free space, then run again."
    ]


def test_cannot_check_exits_2(province):
    write_workbook(province.raw / "good.xlsx", valid_return())
    result = check(province, str(province.raw / "good.xlsx"))  # no reference folder
    assert result.exit_code == 2
    assert "reference" in result.output and "does not exist" in result.output  # --lang en

    write_reference(province.reference)
    (province.raw / "~$lock.xlsx").write_bytes(b"\x00")
    result = check(province, str(province.raw / "~$lock.xlsx"))
    assert result.exit_code == 2
    assert "No return to check" in result.output

    result = check(province)  # FILE is required: a usage error
    assert result.exit_code == 2
