"""The HTML bulletins as a small web site, checked in a real browser (headless Chromium).

The sample province is reported once; its pages are loaded as ``file://`` URLs at a
desktop's width (1280 px) and a phone's (390 px). A screenshot of each kind of page at
each width is saved in the test's tmp folder.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from pipeline import charts, contexts, render, run
from pipeline.labels import label_for
from pipeline.run import Options, report
from tests.factory import valid_return, write_reference, write_workbook

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium and chromium-driver (make test)
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# This machine has no network: nothing may try to reach it, or wait for it.
FLAGS = (
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
    *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
    "--hide-scrollbars",  # the page's width is the window's, as on a phone
)
WIDTHS = (1280, 390)


def start_chromium(binary: Path, driver: Path, profile: Path) -> WebDriver:
    """Headless Chromium with a fresh profile; a clear failure when it is not installed."""
    missing = [str(p) for p in (binary, driver) if not p.is_file()]
    if missing:
        pytest.fail(
            f"The web bulletins are tested in headless Chromium, and {', '.join(missing)} "
            "is missing: run `make test` as root (it installs Debian's chromium and "
            "chromium-driver), or `apt-get install chromium chromium-driver`.",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = str(binary)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(str(driver)))


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    driver = start_chromium(CHROMIUM, CHROMEDRIVER, tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample province's bulletins of 2026-Q3, in Vietnamese (its language)."""
    out = tmp_path_factory.mktemp("site")
    data = ROOT / "data"
    report(Options(raw=data / "raw", reference=data / "reference", out=out))
    return out / "bulletins" / "2026-Q3"


def query(site: Path, sql: str) -> list[tuple]:
    with duckdb.connect(site.parent.parent / "warehouse.duckdb", read_only=True) as con:
        return con.execute(sql).fetchall()


def commune_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.glob("*.html") if p.name not in ("index.html", "province.html"))


def kinds(site: Path) -> dict[str, Path]:
    """A page of each kind; the commune is the one with the biggest page (most cells)."""
    biggest = max(commune_pages(site), key=lambda p: (p.stat().st_size, p.name))
    return {"index": site / "index.html", "province": site / "province.html", "commune": biggest}


def show(browser: WebDriver, page: Path, width: int = 1280) -> None:
    if browser.execute_script("return window.innerWidth") != width:
        browser.set_window_size(width, 900)
    browser.get(page.as_uri())
    assert browser.execute_script("return window.innerWidth") == width


def screenshot(browser: WebDriver, path: Path) -> None:
    """The whole page, as tall as it is, at the window's width."""
    width, height = browser.execute_script(
        "return [window.innerWidth, document.documentElement.scrollHeight]"
    )
    clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip}
    )
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(browser, site, width, tmp_path):
    too_wide = {}
    for page in sorted(site.glob("*.html")):
        show(browser, page, width)
        scroll = browser.execute_script("return document.documentElement.scrollWidth")
        if scroll > width:
            too_wide[page.name] = scroll
    assert too_wide == {}
    for kind, page in kinds(site).items():
        show(browser, page, width)
        screenshot(browser, tmp_path / f"{kind}-{width}.png")
    if width < 500:  # the province's table is wider than a phone: it scrolls by itself
        show(browser, site / "province.html", width)
        overflow, scroll, client = browser.execute_script(
            "const t = document.querySelector('table.ranked');"
            "return [getComputedStyle(t).overflowX, t.scrollWidth, t.clientWidth]"
        )
        assert overflow == "auto" and scroll > client


def test_every_link_leads_to_a_page_of_the_site(browser, site):
    links: dict[str, set[str]] = {}
    for page in sorted(site.glob("*.html")):
        show(browser, page)
        hrefs = browser.execute_script(
            "return [...document.querySelectorAll('a[href]')].map(a => a.href)"
        )
        links[page.name] = set()
        for href in hrefs:
            url = urlsplit(href)
            target = Path(unquote(url.path))
            assert (url.scheme, target.parent) == ("file", site), (page.name, href)
            assert target.is_file(), (page.name, href)
            links[page.name].add(target.name)
    communes = {p.name for p in commune_pages(site)}
    assert links["index.html"] >= communes | {"province.html"}
    assert "index.html" in links["province.html"]
    assert all({"index.html", "province.html"} <= links[name] for name in communes)


def test_the_province_table_links_each_commune_to_its_page(browser, site):
    status = dict(
        query(
            site,
            "select commune_name, status from submission_status where year = 2026 and quarter = 3",
        )
    )
    assert "missing" in status.values()  # the sample has a commune without a return
    show(browser, site / "province.html")
    rows = browser.execute_script(
        "return [...document.querySelectorAll('table.ranked tbody tr')]"
        ".filter(tr => !tr.matches('.cluster, .subtotal, .total'))"
        ".map(tr => [tr.cells[0].textContent.trim(), tr.cells[0].querySelector('a')?.href])"
    )
    assert sorted(name for name, _ in rows) == sorted(status)
    for name, href in rows:
        if status[name] == "missing":
            assert href is None, name  # no page to go to
            continue
        browser.get(href)
        assert browser.find_element(By.TAG_NAME, "h1").text == name


def test_a_commune_page_links_back_to_the_province_and_the_index(browser, site):
    page = kinds(site)["commune"]
    show(browser, page)
    browser.find_element(By.LINK_TEXT, "Bản tin toàn tỉnh").click()
    assert browser.current_url == (site / "province.html").as_uri()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Bản tin công tác xây dựng Đảng"
    browser.back()
    browser.find_element(By.LINK_TEXT, "Tất cả bản tin của quý").click()
    assert browser.current_url == (site / "index.html").as_uri()
    browser.back()
    pdf = browser.find_element(By.LINK_TEXT, "Bản PDF để in").get_attribute("href")
    assert pdf == page.with_suffix(".pdf").as_uri()


def test_the_index_lists_every_commune_by_cluster_with_its_status(browser, site):
    label = label_for("vi")
    expected = [
        (cluster, name, label(status), status != "missing")
        for cluster, name, status in query(
            site,
            "select c.cluster, c.commune_name, s.status from communes c "
            "join submission_status s using (commune_code) where s.year = 2026 and s.quarter = 3",
        )
    ]
    show(browser, site / "index.html")
    assert browser.execute_script("return document.documentElement.lang") == "vi"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Các bản tin công tác xây dựng Đảng"
    rows = browser.execute_script(
        "let cluster = null; const rows = [];"
        "for (const tr of document.querySelectorAll('table.index tbody tr')) {"
        "  if (tr.matches('.cluster')) { cluster = tr.textContent.trim(); continue; }"
        "  rows.push([cluster, tr.cells[0].textContent.trim(), tr.cells[1].textContent.trim(),"
        "             tr.cells[0].querySelector('a') !== null]); }"
        "return rows;"
    )
    assert sorted(map(tuple, rows)) == sorted(expected)
    clusters = [cluster for cluster, *_ in rows]
    runs = [c for i, c in enumerate(clusters) if i == 0 or c != clusters[i - 1]]
    assert len(runs) == len(set(runs))  # each cluster's communes together, under its name


@pytest.mark.parametrize("kind, table", [("province", "table.ranked"), ("commune", "table.cells")])
def test_highlighted_rows_have_a_legend_in_their_colour(browser, site, kind, table):
    page = kinds(site)[kind]
    show(browser, page)
    highlight, legend, swatch, text = browser.execute_script(
        "const table = document.querySelector(arguments[0]);"
        "const cell = table.querySelector('tr.attention td');"
        "const legend = table.nextElementSibling;"
        "return [getComputedStyle(cell).backgroundColor, legend.matches('p.legend'),"
        "        getComputedStyle(legend, '::before').backgroundColor, legend.textContent]",
        table,
    )
    assert highlight not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    assert legend and swatch == highlight
    assert text.startswith("Tô màu:")


def test_charts_are_drawn_with_text_the_size_of_the_page_text(browser, site):
    show(browser, site / "province.html", 1280)
    body, main, images = browser.execute_script(
        "const r = document.querySelector('main').getBoundingClientRect();"
        "return [parseFloat(getComputedStyle(document.querySelector('main')).fontSize),"
        "        [r.left, window.innerWidth - r.right],"
        "        [...document.querySelectorAll('figure.chart img')]"
        "          .map(img => [img.getBoundingClientRect().width, img.naturalWidth])]"
    )
    assert len(images) == 3
    chart_text = charts.mpl.rcParams["font.size"] * 4 / 3  # points -> CSS pixels
    for shown, natural in images:
        assert chart_text * shown / natural == pytest.approx(body, rel=0.05)
    left, right = main  # a measure, centred: not the whole width of a desktop screen
    assert left == pytest.approx(right, abs=2) and left > 64


def test_the_index_is_written_every_run_even_when_the_bulletins_come_from_the_cache(
    tmp_path, monkeypatch
):
    options = Options(raw=tmp_path / "raw", reference=tmp_path / "ref", out=tmp_path / "out")
    write_reference(
        options.reference, communes=[("00001", "Xã An", "Cụm Bắc"), ("00002", "Xã Bình", None)]
    )
    write_workbook(options.raw / "a.xlsx", valid_return(commune="00001"))
    report(options)
    index = options.out / "bulletins" / "2026-Q3" / "index.html"
    first = index.read_text(encoding="utf-8")
    assert '<html lang="en">' in first and "Commune bulletins" in first  # the run's language
    assert '<a href="00001-xa-an.html">Xã An</a>' in first and "<td>Xã Bình</td>" in first
    assert '<a href="province.html">Province bulletin</a>' in first
    rendered = []
    render_all = run.render_bulletins
    monkeypatch.setattr(
        run, "render_bulletins", lambda jobs, *a: rendered.append(len(jobs)) or render_all(jobs, *a)
    )
    index.unlink()
    report(options)
    assert rendered == []  # every bulletin was copied from the cache: none rendered
    assert index.read_text(encoding="utf-8") == first  # and the index written again, the same


def test_the_printed_bulletins_have_none_of_the_web_parts(site):
    with duckdb.connect(site.parent.parent / "warehouse.duckdb", read_only=True) as con:
        province, communes = contexts._contexts(con, "Tỉnh Sông Hồng", 2026, 3)
    province.charts = render._charts(province, "vi")
    env = render.environment("vi")
    for template, bulletin in (("province.html", province), ("commune.html", communes[0])):
        web = render.render_html(env, template, bulletin, web=True)
        printed = render.render_html(env, template, bulletin, web=False)
        assert "<nav" in web and "<a " in web and "viewport" in web
        assert not any(part in printed for part in ("<nav", "<a ", "viewport", "style="))


def test_without_chromium_the_tests_fail_saying_what_to_install(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium chromium-driver"):
        start_chromium(tmp_path / "chromium", CHROMEDRIVER, tmp_path)
