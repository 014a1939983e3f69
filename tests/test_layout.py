"""Nothing leaves the page or overlaps, in either language (issue 11).

Every bulletin of the sample province, and the hardest pages of a large synthetic
province (150 communes of 70-90 cells: the most cells, the longest names, the most
problems, and the province bulletin listing communes and listing clusters), are laid
out exactly as the PDFs are (``render.laid_out``) and checked box by box: no text or
image outside the page's content area, no text over other text or an image, no file
name broken inside its extension, every commune bulletin on one page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline import contexts, render
from pipeline.load import build_warehouse
from pipeline.reference import Reference, load_reference
from pipeline.run import ingest
from tests import layout
from tools import sample

ROOT = Path(__file__).resolve().parent.parent
PERIOD = (2026, 3)


def warehouse(raw: Path, reference: Reference, lang: str, folder: Path) -> Path:
    _books, validated = ingest(raw, reference, lang)
    return build_warehouse(folder / "warehouse.duckdb", validated, reference)


def check(template: str, bulletin: object, lang: str) -> list[str]:
    document = render.laid_out(render.environment(lang), template, bulletin)
    found = layout.defects(document)
    if template == "commune.html" and len(document.pages) != 1:
        found.append(f"{len(document.pages)} pages instead of one")
    if template == "province.html":
        found += broken_extensions(document, bulletin)
    return found


def broken_extensions(document: object, province: contexts.ProvinceBulletin) -> list[str]:
    """File names of the annex whose extension is split over two lines."""
    texts = [m.what for m in layout.marks(document)]
    files = [row["file_name"] for row in province.annex + province.unidentified]
    broken = []
    for name in filter(None, files):
        extension = re.search(r"\.[^./]+$", name)
        if extension and not any(extension.group() in text for text in texts):
            broken.append(f"the extension of {name!r} is split")
    return broken


@pytest.fixture(scope="module", params=["vi", "en"])
def sample_province(request, tmp_path_factory) -> tuple[str, list[render.Job]]:
    lang = request.param
    reference = load_reference(ROOT / "data" / "reference")
    folder = tmp_path_factory.mktemp(lang)
    built = warehouse(ROOT / "data" / "raw", reference, lang, folder)
    return lang, render.bulletin_jobs(*contexts.bulletin_contexts(built, PERIOD, reference), folder)


def test_every_sample_bulletin_fits_its_pages(sample_province):
    lang, jobs = sample_province
    template, province, _ = jobs[0]
    defects = {"province": check(template, render.with_charts(province, lang), lang)}
    for template, bulletin, pdf in jobs[1:]:
        defects[pdf.name] = check(template, bulletin, lang)
    assert {name: found for name, found in defects.items() if found} == {}
    assert len(jobs) == 25  # the province and 24 communes that sent a return


@pytest.fixture(scope="module")
def large_raw(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("large")
    sample.generate(root, communes=150, quarters=(3,), cells_range=(70, 90))
    return root


@pytest.fixture(scope="module", params=["vi", "en"])
def large_province(request, large_raw) -> tuple[str, list[render.Job]]:
    lang = request.param
    reference = load_reference(large_raw / "reference")
    built = warehouse(large_raw / "raw", reference, lang, large_raw / lang)
    return lang, render.bulletin_jobs(
        *contexts.bulletin_contexts(built, PERIOD, reference), large_raw / lang
    )


def hardest(jobs: list[render.Job]) -> list[render.Job]:
    """The commune pages most likely to overflow: most cells, longest names, most problems,
    most cells needing attention."""
    communes = jobs[1:]
    measures = [
        lambda b: len(b.cells),
        lambda b: max((len(c["cell_name"] or "") for c in b.cells), default=0),
        lambda b: len(b.commune["commune_name"]),
        lambda b: len(b.problems),
        lambda b: sum(len(a["cells"]) for a in b.attention.values()),
    ]
    chosen: dict[str, render.Job] = {}
    for measure in measures:
        for job in sorted(communes, key=lambda j: measure(j[1]), reverse=True)[:2]:
            chosen[job[2].name] = job
    return list(chosen.values())


def test_a_large_province_fits_its_pages(large_province, monkeypatch):
    lang, jobs = large_province
    template, province, _ = jobs[0]
    province = render.with_charts(province, lang)
    defects = {"province": check(template, province, lang)}
    # The same bulletin as a national run prints it: one line per cluster.
    monkeypatch.setattr(province, "detailed", False)
    defects["province (clusters)"] = check(template, province, lang)
    for template, bulletin, pdf in hardest(jobs):
        defects[pdf.name] = check(template, bulletin, lang)
    assert {name: found for name, found in defects.items() if found} == {}
    assert len(jobs) > 140 and len(defects) >= 8


def test_the_checker_sees_text_outside_the_page_and_overlapping(sample_province):
    """The check itself bites: a table wider than the page, and a word over another."""
    lang, jobs = sample_province
    template, bulletin, _ = jobs[1]
    env = render.environment(lang)
    html = render.render_html(env, template, bulletin, web=False)
    wide = html.replace(
        "</main>", '<table style="width: 120%"><tr><td class="n">wide</td></tr></table></main>'
    )
    over = html.replace(
        "</main>", '<p>under</p><p style="margin-top: -1.2em; margin-left: 1em">over</p></main>'
    )
    assert layout.defects(render.lay_out(html)) == []
    for broken, expected in ((wide, "outside the content area"), (over, "overlap")):
        found = layout.defects(render.lay_out(broken))
        assert any(d.startswith(expected) for d in found), (expected, found)
