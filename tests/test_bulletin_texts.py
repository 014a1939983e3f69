"""What the bulletins say must be true and say it one way (issue 11, items 2, 4-7).

A province of three communes, reported in both languages:
- A (00001) names its sheets in Vietnamese ("Thông tin", "Chi bộ", "Sinh hoạt", "Kết nạp"),
  has an extra column in "Chi bộ" and leaves CB02's September meeting unreported;
- B (00002) sent a return without its Admissions sheet (rejected);
- a web page saved as ``.xls`` names no commune;
- only A has a referral target (youth union 2), while both A and C admit members
  referred by the youth union; C (00003) has no admissions target.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import matplotlib as mpl
import openpyxl
import pytest

from pipeline import charts
from pipeline.labels import label_for
from pipeline.run import Options, report
from tests.factory import valid_return, write_reference, write_workbook

VIETNAMESE_SHEETS = {
    "Info": "Thông tin",
    "Cells": "Chi bộ",
    "Meetings": "Sinh hoạt",
    "Admissions": "Kết nạp",
}


def province(root: Path, lang: str) -> Path:
    options = Options(raw=root / "raw", reference=root / "ref", out=root / "out", lang=lang)
    write_reference(
        options.reference,
        communes=[("00001", "Xã An", "Cụm Bắc"), ("00002", "Xã Bình", "Cụm Bắc"),
                  ("00003", "Xã Cẩm", "Cụm Nam")],
        targets=[("00001", 2026, 8), ("00002", 2026, 4)],
        referral_targets=[("00001", 2026, "youth_union", 2)],
    )  # fmt: skip
    a = valid_return(commune="00001")
    a["Cells"][0].append("Ghi chú")  # an extra column: a warning on G1
    a["Meetings"] = [row for row in a["Meetings"] if row[:2] != ["CB02", 9]]
    write_workbook(options.raw / "a.xlsx", {VIETNAMESE_SHEETS[k]: v for k, v in a.items()})
    b = valid_return(commune="00002")
    del b["Admissions"]
    write_workbook(options.raw / "b.xlsx", b)
    c = valid_return(commune="00003", cells=[("CB01", 10, 3), ("CB02", 20, 0)], admissions=3)
    write_workbook(options.raw / "c.xlsx", c)
    (options.raw / "bao-cao.xls").write_text("<html><body><table><tr><td>1</td></tr></table>")
    report(options)
    return options.out / "bulletins" / "2026-Q3"


@pytest.fixture(scope="module")
def vi(tmp_path_factory) -> Path:
    return province(tmp_path_factory.mktemp("vi"), "vi")


@pytest.fixture(scope="module")
def en(tmp_path_factory) -> Path:
    return province(tmp_path_factory.mktemp("en"), "en")


def text(pdf: Path, layout: bool = False) -> str:
    """The PDF's text, words separated by single spaces (with ``layout``: as laid out)."""
    args = ["pdftotext", *(["-layout"] if layout else []), pdf, "-"]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return done.stdout if layout else " ".join(done.stdout.split())


def test_problems_are_listed_under_the_clerks_sheet_names(vi, en):
    for folder in (vi, en):
        page = text(folder / "00001-xa-an.pdf")
        assert "Chi bộ G1" in page  # the extra column, on the clerk's "Chi bộ" sheet
        assert "Cells G1" not in page and "Cells " not in page.split("Ghi chú")[0][-40:]
    assert "Sinh hoạt cảnh báo" in text(vi / "00001-xa-an.pdf")
    assert "Sinh hoạt warning" in text(en / "00001-xa-an.pdf")
    # B has no Admissions sheet: named as the template of the run's language names it
    assert "Kết nạp lỗi" in text(vi / "00002-xa-binh.pdf")
    assert "Admissions error" in text(en / "00002-xa-binh.pdf")


def test_unreported_meetings_are_worded_one_way(vi, en):
    page = text(en / "00001-xa-an.pdf")
    wording = "Meetings not reported (1): listed apart from meetings not held, not counted as met"
    assert wording in page
    assert "neither held nor missed" not in page and "counted as not held" not in page
    assert "Did not meet every month" not in page  # CB02 held every month it reported
    assert "1 met every month" in page  # CB01 only: CB02's unreported month is not met
    province = text(en / "province.pdf")
    assert "listed apart from meetings not held" in province
    vi_page = text(vi / "00001-xa-an.pdf")
    assert "ghi riêng với các buổi không sinh hoạt, chưa tính là đã sinh hoạt" in vi_page
    assert "được tính là không sinh hoạt" not in vi_page


def test_the_achievement_shows_the_fraction_it_divides(en):
    province = text(en / "province.pdf")
    # A admitted 1 of its 8 (B rejected, C has no target): 1 / 12 = 8.3 %, not (1 + 3) / 12
    assert "4 year to date" in province
    assert "1 of the 12 target (communes with a target)" in province
    assert "8.3%" in province
    commune = text(en / "00001-xa-an.pdf", layout=True)
    # A beside the province, both counting only the communes with a target
    assert re.search(r"year to date / target\s+1\s*/\s*8\s+1\s*/\s*12\b", commune)


def test_referrals_say_which_communes_they_count(en):
    province = text(en / "province.pdf")
    assert "counted only in the communes given a referral target" in province
    # 4 youth-union admissions this quarter in the profile, 1 counted against A's target
    assert "Youth Union: 4" in province
    assert "Youth Union 1 1 2 50.0%" in province  # communes with a target, referred, target


def test_a_file_naming_no_commune_gets_its_own_advice(vi, en):
    province = text(en / "province.pdf")
    assert "bao-cao.xls The file is not an Excel workbook (it is a web page (HTML))" in province
    assert "use the return template" not in province
    assert "Lưu thành" in text(vi / "province.pdf")


def test_no_dash_stands_for_a_change_without_an_earlier_figure(en):
    province = text(en / "province.pdf")
    # one quarter only: no previous quarter, no year earlier, so no change is printed
    assert "Previous quarter" not in province and "year earlier" not in province


def test_profile_panels_are_compact_and_values_clear_the_bars():
    rows = {
        "sex": [{"category": "male", "members": 17}, {"category": "female", "members": 21}],
        "age_group": [{"category": "under_30", "members": 19}],
        "occupation": [{"category": c, "members": n} for c, n in
                       (("student", 4), ("worker", 2), ("agriculture", 13), ("other", 2))],
        "education": [{"category": "higher", "members": 11},
                      {"category": "vocational", "members": 5}],
    }  # fmt: skip
    mpl.use("Agg")
    figure = charts.profile_figure(rows, label_for("en"))
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    thickness = set()
    for axes in figure.axes:
        bars = [p for p in axes.patches]
        height = axes.get_window_extent().height
        for bar, value in zip(bars, axes.texts, strict=True):
            box, label = bar.get_window_extent(), value.get_window_extent(renderer)
            assert label.x0 >= box.x1 + 2, axes.get_title()  # a gap after the bar's end
            assert label.x1 <= axes.get_window_extent().x1 + 1  # and inside the panel
            thickness.add(round(box.height, 1))
        if axes.get_title() in ("Sex", "Education"):  # two bars, alone in their row's height
            assert sum(b.get_window_extent().height for b in bars) >= 0.5 * height
    assert max(thickness) - min(thickness) <= 0.5  # one bar thickness in every panel


@pytest.mark.parametrize("rejected_later", [True, False])
def test_a_rejected_file_of_the_same_day_is_ordered_as_returns_are(tmp_path, rejected_later):
    """Same submitted_on: the later modification time comes after (SPEC §4). The bulletin's
    notice and the feedback workbook's verdict follow that one order."""
    options = Options(raw=tmp_path / "raw", reference=tmp_path / "ref", out=tmp_path / "out")
    write_reference(options.reference, communes=[("00001", "Xã An", None)])
    good = write_workbook(options.raw / "good.xlsx", valid_return(commune="00001"))
    bad_return = valid_return(commune="00001")
    bad_return["Meetings"][1][4] = 999  # attendees above members: rejected
    bad = write_workbook(options.raw / "bad.xlsx", bad_return)
    early, late = 1_790_000_000, 1_790_003_600
    os.utime(bad, (late, late) if rejected_later else (early, early))
    os.utime(good, (early, early) if rejected_later else (late, late))
    report(options)
    page = text(options.out / "bulletins" / "2026-Q3" / "00001-xa-an.pdf")
    assert ("bad.xlsx was rejected; the earlier accepted return" in page) is rejected_later
    verdict = openpyxl.load_workbook(options.out / "feedback" / "2026-Q3" / "00001-bad.xlsx")
    line = verdict.worksheets[0]["A2"].value
    assert line.startswith("Rejected: fix the errors") is rejected_later, line
