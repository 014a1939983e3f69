"""Bulletins as a reader gets them: text, figures, pages, fonts, tags, in both languages.

A small province whose figures are worked out by hand:
- Q2: A (cluster "Cụm Bắc", target 8) has CB01 meeting every month and CB02 missing
  June: 1 of 2 cells met every month (50 %). B (cluster "Cụm Bắc", target 4) and C
  (cluster "Cụm Nam", no target) report too.
- Q3: A's two cells meet every month (100 %: a change of +50 points for A). C has 60
  cells (its bulletin must still be one page). B does not report.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import weasyprint

from pipeline import contexts
from pipeline.render import TEMPLATES, TemplateFetcher
from pipeline.run import Options, report
from tests.factory import valid_return, write_reference, write_workbook

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def province(root: Path, lang: str) -> Path:
    options = Options(raw=root / "raw", reference=root / "ref", out=root / "out", lang=lang)
    write_reference(
        options.reference,
        communes=[("00001", "Xã An", "Cụm Bắc"), ("00002", "Xã Bình", "Cụm Bắc"),
                  ("00003", "Phường Cẩm", "Cụm Nam")],
        targets=[("00001", 2026, 8), ("00002", 2026, 4)],
        referral_targets=[("00001", 2026, "youth_union", 2)],
    )  # fmt: skip
    a_q2 = valid_return(commune="00001", quarter=2)
    a_q2["Meetings"] = [row for row in a_q2["Meetings"] if row[:2] != ["CB02", 6]]
    write_workbook(options.raw / "a-q2.xlsx", a_q2)
    write_workbook(options.raw / "b-q2.xlsx", valid_return(commune="00002", quarter=2))
    write_workbook(options.raw / "c-q2.xlsx", valid_return(commune="00003", quarter=2))
    write_workbook(options.raw / "a-q3.xlsx", valid_return(commune="00001", quarter=3))
    big = valid_return(commune="00003", cells=[(f"CB{i:02d}", 20, 1) for i in range(1, 61)])
    for row in big["Cells"][1:]:
        row[1] = f"Chi bộ Thôn Đông Hòa Bình Thượng {row[0]}"
    big["Meetings"] = [row for row in big["Meetings"] if row[1] != 9]  # 60 unreported months
    write_workbook(options.raw / "c-q3.xlsx", big)
    report(options)
    return options.out / "bulletins" / "2026-Q3"


@pytest.fixture(scope="module")
def vi(tmp_path_factory) -> Path:
    return province(tmp_path_factory.mktemp("vi"), "vi")


@pytest.fixture(scope="module")
def en(tmp_path_factory) -> Path:
    return province(tmp_path_factory.mktemp("en"), "en")


def text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True,
                          check=True)  # fmt: skip
    return done.stdout


def pages(pdf: Path) -> int:
    done = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", done.stdout)[1])


@needs_poppler
def test_province_bulletin_in_vietnamese(vi):
    page = text(vi / "province.pdf")
    assert "Bản tin công tác xây dựng Đảng" in page
    assert "Quý 3/2026" in page
    # Cụm Bắc subtotal: admissions 1 + 0 of 8 + 4 (B has no Q3 return: 1 in Q2) = 3/12
    assert re.search(r"Cộng\s+1/2\s+1\s+3 / 12\s+25,0 %", page)
    # cells met every month, province: Q2 5/6 = 83.3 %; Q3 2/62 = 3.2 % (C's 60 cells have
    # no September row, so none met every month): -80.1 points
    assert "Quý trước ▼ -80,1 điểm" in page
    # achievement: Q2 (1 + 1) / 12 = 16.7 %, Q3 (2 + 1) / 12 = 25.0 %: +8.3 points
    assert "Quý trước ▲ +8,3 điểm" in page
    assert "Chưa nộp" in page and "Xã Bình" in page  # B is missing in Q3
    assert "tiến độ cần đạt" in page  # the achievement chart's text is text
    assert "Số liệu đến ngày 05/10/2026" in page and "Lập ngày 23/11/2026" in page


@needs_poppler
def test_province_bulletin_in_english(en):
    page = text(en / "province.pdf")
    assert "Party-building bulletin" in page and "Quarter 3/2026" in page
    assert re.search(r"Subtotal\s+1/2\s+1\s+3 / 12\s+25.0%", page)
    assert "Previous quarter ▼ -80.1 pp" in page
    assert "Previous quarter ▲ +8.3 pp" in page
    assert "Data as of 5 Oct 2026" in page


@needs_poppler
def test_commune_bulletins_are_one_page_even_with_60_cells(vi):
    big = vi / "00003-phuong-cam.pdf"
    assert pages(big) == 1
    page = " ".join(text(big).split())
    # The printed page names the cells needing attention; all 60 lack September.
    assert (
        "Sinh hoạt chưa báo cáo (60): ghi riêng với các buổi không sinh hoạt, chưa tính là đã "
        "sinh hoạt mọi chi bộ" in page
    )
    assert "Chưa sinh hoạt chuyên đề trong quý (60) mọi chi bộ" in page
    # 60 warnings and a figure to check (CB01: 21 members, 12 + 1 in Q2): 1 + 7 shown
    assert "Số liệu cần kiểm tra" in page and "Chi bộ CB01 có 21 đảng viên" in page
    assert "Còn 53 mục khác trong tệp phản hồi." in page
    web = big.with_suffix(".html").read_text(encoding="utf-8")
    assert "CB01 · " in web and "CB60 · " in web  # the web page has the table of every cell
    assert pages(vi / "00001-xa-an.pdf") == 1


def test_attention_lists_name_the_fewer_cells():
    def cell(code: str, met: int, unreported: int = 0, thematic: bool = True) -> dict:
        return {
            "cell_code": code,
            "cell_name": f"Chi bộ {code}",
            "months_met": met,
            "months_unreported": unreported,
            "thematic": thematic,
            "stale": code == "C1",
            "assigned_absent": code == "C4",  # its assigned member attended none
        }

    cells = [cell("C1", 2), cell("C2", 3, thematic=False), cell("C3", 2, 1, False), cell("C4", 1)]
    a = contexts._attention(cells)
    # C3 met 2 months and did not report the third: reported as held every month it reported.
    assert [c["cell_code"] for c in a["missed"]["cells"]] == ["C1", "C4"]
    assert [c["cell_code"] for c in a["unreported"]["cells"]] == ["C3"]
    assert a["no_thematic"] == {"count": 2, "all_but": False, "cells": [cells[1], cells[2]]}
    assert [c["cell_code"] for c in a["stale"]["cells"]] == ["C1"]
    assert [c["cell_code"] for c in a["assigned_absent"]["cells"]] == ["C4"]
    many = [cell(f"C{i}", 3, thematic=i == 5) for i in range(1, 7)]
    a = contexts._attention(many)
    assert a["no_thematic"] == {"count": 5, "all_but": True, "cells": [many[4]]}
    assert contexts._names_fit(a)
    long = [dict(c, cell_name="x" * 500) for c in cells]
    assert not contexts._names_fit(contexts._attention(long))


@needs_poppler
def test_commune_bulletin_compares_with_the_province(vi):
    page = text(vi / "00001-xa-an.pdf")
    assert "Xã An" in page and "Đúng hạn" in page
    # A: 2 of 8 (Q2 1, Q3 1) = 25,0 %; the province: A and B, (2 + 1) / 12 = 25,0 %
    assert re.search(r"Đạt chỉ tiêu năm\s+25,0 %\s+25,0 %", page)


@needs_poppler
def test_every_font_is_embedded(vi):
    for pdf in vi.glob("*.pdf"):
        done = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True)
        fonts = done.stdout.splitlines()[2:]
        assert fonts, pdf.name
        assert all(line.split()[-5] == "yes" for line in fonts), done.stdout  # the emb column


@needs_poppler
def test_tagged_pdf_with_title(vi):
    done = subprocess.run(["pdfinfo", vi / "province.pdf"], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert "Tagged:          yes" in done.stdout
    assert "Title:           Tỉnh Thử – Bản tin công tác xây dựng Đảng, quý 3/2026" in done.stdout


def test_html_twin_is_self_contained_and_declares_its_language(vi):
    html = (vi / "province.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="vi">' in html
    assert "<link" not in html and "http" not in html  # styles and charts are inline
    assert len(re.findall(r'<img src="data:image/svg\+xml;base64,', html)) == 3
    assert all(re.search(r'alt="[^"]{20,}"', img) for img in re.findall(r"<img[^>]*>", html))
    # the PDF made from it names its language and is marked for screen readers
    pdf = weasyprint.HTML(
        string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=TemplateFetcher()
    ).write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=True)
    assert b"/Lang (vi)" in pdf and b"/Marked true" in pdf


def test_a_province_without_targets_or_admissions_still_gets_its_bulletins(tmp_path):
    # no chart can be drawn: the bulletin leaves them out rather than failing
    options = Options(raw=tmp_path / "raw", reference=tmp_path / "ref", out=tmp_path / "out")
    write_reference(options.reference, communes=[("00001", "Xã An", None)], targets=[])
    write_workbook(options.raw / "a.xlsx", valid_return(commune="00001", admissions=0))
    outcome = report(options)
    html = (outcome.bulletins[0].with_suffix(".html")).read_text(encoding="utf-8")
    assert "data:image/svg+xml" not in html
    assert "No admissions this quarter." in html
