"""Multi-year: the warehouse keeps every quarter ever loaded (issue 7).

Each run rebuilds the warehouse from every file under the raw folder, all years
together, so year-on-year figures work as soon as a province has run a year: here
2025-Q3 and 2026-Q3, reported at 2026-Q3.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from pipeline.run import Options, report
from tests.factory import edited, valid_return, write_reference, write_workbook

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "analysts.md"


def guide_query(heading: str) -> str:
    """The ```sql block under ``### heading`` in the analyst guide, as written there."""
    section = GUIDE.read_text(encoding="utf-8").split(f"### {heading}\n", 1)[1]
    return section.split("```sql\n", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("years")
    province = Options(raw=root / "raw", reference=root / "reference", out=root / "out")
    communes = [("06253", "Xã A", "Cụm 1"), ("00101", "Xã B", "Cụm 1")]
    targets = [(code, year, 4) for code, _, _ in communes for year in (2025, 2026)]
    write_reference(province.reference, communes=communes, targets=targets)
    for year in (2025, 2026):
        for code, _, _ in communes:
            sheets = valid_return(commune=code, year=year, quarter=3)
            if year == 2026:  # two higher-level attendances at each commune's first meeting
                sheets = edited(sheets, "Meetings", 2, "higher_level_attendees", 2)
            write_workbook(province.raw / str(year) / f"{code}.xlsx", sheets)
    outcome = report(province)
    assert outcome.period == (2026, 3)
    return province.out


def query(out: Path, sql: str) -> list[tuple]:
    with duckdb.connect(out / "warehouse.duckdb", read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_quarter_loaded_stays_in_the_warehouse(out):
    assert query(out, "select year, quarter, count(*) from cells group by all order by all") == [
        (2025, 3, 4),
        (2026, 3, 4),
    ]
    assert query(out, "select year, quarter from province_summary order by all") == [
        (2025, 3),
        (2026, 3),
    ]


def test_the_guides_year_by_year_query_compares_the_years(out):
    rows = query(out, guide_query("Higher-level cadres at cell meetings, year by year"))
    # 12 meetings held each year (2 communes × 2 cells × 3 months); 0 then 4 attendances.
    assert [(r[0], r[1], r[2]) for r in rows] == [(2025, 0, 12), (2026, 4, 12)]
    assert rows[0][-1] is None  # no year before 2025
    assert rows[1][-1] == pytest.approx(0.33)  # 4 / 12 − 0


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_province_bulletin_compares_with_a_year_earlier(out):
    pdf = out / "bulletins" / "2026-Q3" / "province.pdf"
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    # Admissions: 2 this quarter, 2 in 2025-Q3: a change of 0 from a year earlier, which
    # exists; the previous quarter (2026-Q2) has no figure, so it is left out, not a "–".
    assert "2 year to date" in flat and "A year earlier = 0 " in flat
    assert "Previous quarter" not in flat
