"""Warehouse -> bulletin contexts -> HTML (Jinja2) -> PDF (WeasyPrint).

Python gathers plain data (``ProvinceBulletin``, ``CommuneBulletin``) from the
``sql/bulletin/*.sql`` queries; templates lay it out and format it with the
filters below. Bulletins of a period are written into a folder beside the final
one and swapped in whole (see ``pipeline.outputs``).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import pickle
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import duckdb
import jinja2
import weasyprint
from markupsafe import Markup
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from pipeline import charts, formats
from pipeline.cache import OutputCache, code_digest, digest, drawing_digest
from pipeline.labels import label_for, slug, translations
from pipeline.progress import Advance, Progress, quiet
from pipeline.reference import Reference
from pipeline.workers import fork_map

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
QUERIES = Path(__file__).parent / "sql" / "bulletin"
PROFILE_DIMENSIONS = (
    "sex",
    "age_group",
    "ethnic_minority",
    "religion",
    "occupation",
    "education",
    "referred_by",
)

Row = dict[str, Any]

# A province has 60-200 communes; beyond this (a national run) the province bulletin
# lists clusters, not communes, and only the files that were not accepted.
DETAIL_LIMIT = 300


@dataclass
class ProvinceBulletin:
    """Everything the province bulletin shows."""

    province_name: str
    year: int
    quarter: int
    as_of: dt.date | None
    summary: Row  # the province_summary row
    changes: dict[str, dict[str, float | None]]  # indicator -> {"quarter": Δ, "year": Δ}
    communes: list[Row]  # one per commune, with status and indicators
    clusters: list[tuple[str | None, list[Row], Row | None]]  # (cluster, communes, subtotal)
    stale_cells: list[Row]
    profile: dict[str, list[Row]]  # dimension -> categories with members
    referrals: list[Row]  # province rows of referrals_vs_target
    resubmissions: list[Row]  # rejected files while an earlier return stays in use
    status_counts: dict[str, int]
    unreported: list[Row]  # communes with (cell, month) pairs not reported
    annex: list[Row] = field(default_factory=list)  # every file of the period, by commune
    unidentified: list[Row] = field(default_factory=list)  # files naming no commune/period
    charts: dict[str, str] = field(default_factory=dict)  # name -> data: URL of an SVG
    detailed: bool = True  # communes listed one by one (see DETAIL_LIMIT)


@dataclass
class CommuneBulletin:
    """One commune's page, with the province figures beside its own."""

    province_name: str
    year: int
    quarter: int
    as_of: dt.date | None
    commune: Row
    province: Row
    cells: list[Row]
    problems: list[Row]
    resubmissions: list[Row]
    profile: dict[str, list[Row]] = field(default_factory=dict)
    stale_years: int = 3
    attention: dict[str, Row] = field(default_factory=dict)  # see _attention
    cell_names: bool = field(init=False)  # whether the attention lists name cells or code them

    def __post_init__(self) -> None:
        self.cell_names = _names_fit(self.attention)


def render_bulletins(
    warehouse: Path,
    folder: Path,
    period: tuple[int, int],
    lang: str,
    reference: Reference,
    cache: OutputCache | None = None,
    progress: Progress = quiet,
) -> list[Path]:
    """Write into ``folder`` the province bulletin and one per commune that sent a return.

    Each bulletin is a tagged PDF (PDF/UA) and its HTML twin for the web. A bulletin
    whose data, templates, code and date are those of one in ``cache`` is copied.
    """
    jobs = [
        (template, bulletin, folder / name)
        for template, bulletin, name in bulletins(warehouse, period, reference)
    ]
    province = jobs[0][1]
    code = digest(code_digest(), drawing_digest()) if cache else ""
    # The charts derive from the province's data: the key needs only the data. Pickle
    # describes it as faithfully as repr, seven times faster.
    keys = [
        digest(code, template, pickle.dumps(b, protocol=5), generated_on(), lang)
        for template, b, _ in jobs
    ]
    missing = [
        (job, key)
        for job, key in zip(jobs, keys, strict=True)
        if not (cache and _fetch(cache, key, job[2]))
    ]
    if any(job[1] is province for job, _ in missing):
        with_charts(province, lang)
    _render_all([job for job, _ in missing], lang, progress("Rendering", len(missing)))
    if cache:
        for (_, _, pdf), key in missing:
            cache.keep(key + ".pdf", pdf)
            cache.keep(key + ".html", pdf.with_suffix(".html"))
    write_index(province, folder, lang)  # cheap: written every run, never cached
    return [pdf for _, _, pdf in jobs]


Job = tuple[str, Any, str]  # template, bulletin context, file name of the PDF


def bulletins(warehouse: Path, period: tuple[int, int], reference: Reference) -> list[Job]:
    """The bulletins of ``period``: the province's first, then one per commune that sent
    a return, each with its template and the name of its PDF."""
    year, quarter = period
    with duckdb.connect(warehouse, read_only=True) as con:
        province, communes = _contexts(con, reference.settings.province_name, year, quarter)
    jobs: list[Job] = [("province.html", province, "province.pdf")]
    for bulletin in communes:
        bulletin.stale_years = reference.settings.stale_years
        jobs.append(("commune.html", bulletin, page_name(bulletin.commune, ".pdf")))
    return jobs


def with_charts(province: ProvinceBulletin, lang: str) -> ProvinceBulletin:
    """The province bulletin with its charts drawn (the costly part, done only when needed)."""
    province.charts = _charts(province, lang)
    return province


def page_name(commune: Row, suffix: str = ".html") -> str:
    """A commune bulletin's file name: its code and its name in ASCII."""
    return f"{commune['commune_code']}-{slug(commune['commune_name'])}{suffix}"


def write_index(province: ProvinceBulletin, folder: Path, lang: str) -> Path:
    """The quarter's web index: the province page and every commune's, by cluster."""
    index = folder / "index.html"
    html = render_html(environment(lang), "index.html", province, web=True)
    index.write_text(html, encoding="utf-8")
    return index


def index_clusters(province: ProvinceBulletin) -> list[tuple[str | None, list[Row]]]:
    """Communes by cluster, in the province table's cluster order, by name within one."""
    return [
        (cluster, sorted(rows, key=lambda r: (slug(r["commune_name"]), r["commune_code"])))
        for cluster, rows, _ in province.clusters
    ]


def _fetch(cache: OutputCache, key: str, pdf: Path) -> bool:
    return cache.fetch(key + ".pdf", pdf) and cache.fetch(key + ".html", pdf.with_suffix(".html"))


def _render_all(
    jobs: list[tuple[str, Any, Path]], lang: str, advance: Advance = lambda _n: None
) -> list[Path]:
    """Render every bulletin, over a pool of forked workers (rendering is most of a run)."""
    return fork_map(partial(_render_job, lang=lang), jobs, advance)


def _render_job(job: tuple[str, object, Path], lang: str) -> Path:
    template, bulletin, pdf = job
    return _write(environment(lang), template, bulletin, pdf)


# --- data --------------------------------------------------------------------------------


def _query(con: duckdb.DuckDBPyConnection, name: str, **params: int) -> list[Row]:
    return _rows(con, name, params)[1]


def _query_one(con: duckdb.DuckDBPyConnection, name: str, **params: int) -> Row:
    """The single row of a query; every column None when it has none (no accepted return)."""
    columns, rows = _rows(con, name, params)
    return rows[0] if rows else dict.fromkeys(columns)


def _rows(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, int]
) -> tuple[list[str], list[Row]]:
    sql = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    relation = con.execute(sql, used)
    columns = [d[0] for d in relation.description]
    return columns, [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def _contexts(
    con: duckdb.DuckDBPyConnection, province_name: str, year: int, quarter: int
) -> tuple[ProvinceBulletin, list[CommuneBulletin]]:
    p = {"year": year, "quarter": quarter}
    summary = _query_one(con, "province_summary", **p)
    communes = _query(con, "communes", **p)
    as_of = _query_one(con, "as_of", **p)["as_of"]
    profile_rows = _query(con, "profile", **p)
    resubmissions = _query(con, "resubmissions", **p)
    by_commune: dict[str | None, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for row in profile_rows:
        by_commune[row["commune_code"]][row["dimension"]].append(row)
    clusters: dict[str | None, list[Row]] = defaultdict(list)
    for row in communes:
        clusters[row["cluster"]].append(row)
    subtotals = {row["cluster"]: row for row in _query(con, "clusters", **p)}
    status_counts = {s: 0 for s in ("on_time", "late", "rejected", "missing")}
    for row in communes:
        status_counts[row["status"]] += 1
    referrals = [r for r in _query(con, "referrals", **p) if r["commune_code"] is None]
    province = ProvinceBulletin(
        province_name=province_name,
        year=year,
        quarter=quarter,
        as_of=as_of,
        summary=summary,
        changes=_changes(con, summary, year, quarter),
        communes=communes,
        clusters=[(name, rows, subtotals.get(name)) for name, rows in clusters.items()],
        stale_cells=_query(con, "stale_cells", **p),
        profile=_ordered_profile(by_commune[None]),
        referrals=referrals,
        resubmissions=resubmissions,
        status_counts=status_counts,
        unreported=[c for c in communes if (c["meetings_unreported"] or 0) > 0],
        annex=_query(con, "annex", **p),
        unidentified=_query(con, "unidentified", **p),
        detailed=len(communes) <= DETAIL_LIMIT,
    )
    cells: dict[str, list[Row]] = defaultdict(list)
    for row in _query(con, "cells", **p):
        cells[row["commune_code"]].append(row)
    problems: dict[str, list[Row]] = defaultdict(list)
    for row in _query(con, "problems", **p):
        problems[row["commune_code"]].append(row)
    bulletins = [
        CommuneBulletin(
            province_name=province_name,
            year=year,
            quarter=quarter,
            as_of=as_of,
            commune=row,
            province=summary,
            cells=cells[row["commune_code"]],
            problems=problems[row["commune_code"]],
            resubmissions=[r for r in resubmissions if r["commune_code"] == row["commune_code"]],
            profile=_ordered_profile(by_commune[row["commune_code"]]),
            attention=_attention(cells[row["commune_code"]]),
        )
        for row in communes
        if row["status"] != "missing"
    ]
    return province, bulletins


def _attention(cells: list[Row]) -> dict[str, Row]:
    """The cells a commune should follow up, by reason; one cell may have several.

    A month without a row is "not reported", never "not held" (SPEC §6), so a cell
    is listed as missing a meeting only for months reported as not held. A reason
    that concerns most cells names the others instead ("every cell except …"), and
    long lists give codes without names, so the page stays one page.
    """
    reasons = {
        "missed": [c for c in cells if c["months_met"] + c["months_unreported"] < 3],
        "unreported": [c for c in cells if c["months_unreported"] > 0],
        "no_thematic": [c for c in cells if not c["thematic"]],
        "stale": [c for c in cells if c["stale"]],
    }
    attention: dict[str, Row] = {}
    for reason, listed in reasons.items():
        codes = {c["cell_code"] for c in listed}
        all_but = len(listed) > len(cells) / 2 and reason != "stale"
        shown = [c for c in cells if c["cell_code"] not in codes] if all_but else listed
        attention[reason] = {"count": len(listed), "all_but": all_but, "cells": shown}
    return attention


def _names_fit(attention: dict[str, Row]) -> bool:
    """Whether the cells listed can be named, not only coded, and keep to one page."""
    length = sum(len(c["cell_name"] or "") + 12 for a in attention.values() for c in a["cells"])
    return length <= NAMES_BUDGET


NAMES_BUDGET = 2400  # characters of cell names that fit the page beside everything else


# Indicators shown with their change from the previous quarter and from a year earlier.
TRENDS = (
    "admissions_quarter",
    "achievement_pct",
    "pct_met_every_month",
    "pct_thematic",
    "attendance_rate",
    "stale_cells",
)


def _changes(
    con: duckdb.DuckDBPyConnection, summary: Row, year: int, quarter: int
) -> dict[str, dict[str, float | None]]:
    """Each trend indicator's change, None where the earlier quarter has no figure."""
    before = {
        "quarter": _query_one(
            con, "province_summary", year=year - (quarter == 1), quarter=quarter - 1 or 4
        ),
        "year": _query_one(con, "province_summary", year=year - 1, quarter=quarter),
    }
    return {
        name: {
            when: None
            if row.get(name) is None or summary.get(name) is None
            else summary[name] - row[name]
            for when, row in before.items()
        }
        for name in TRENDS
    }


def _charts(b: ProvinceBulletin, lang: str) -> dict[str, str]:
    """The province charts as ``data:`` URLs, the only kind of image the fetcher serves."""
    gettext, label = translations(lang).gettext, label_for(lang)
    expected = 25.0 * b.quarter
    achievement = gettext("% of the annual target achieved")
    many = sum(c["achievement_pct"] is not None for c in b.communes) > charts.BAR_PER_COMMUNE_LIMIT
    svgs = {
        "achievement": None
        if many
        else charts.achievement_by_commune(
            b.communes, expected, achievement, gettext("expected pace")
        ),
        "achievement_histogram": charts.achievement_histogram(
            b.communes, expected, achievement, gettext("Communes")
        )
        if many
        else None,
        "profile": charts.profile(b.profile, label),
        "referrals": charts.referrals(b.referrals, label, gettext("Referred"), gettext("Target")),
    }
    return {
        name: "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        for name, svg in svgs.items()
        if svg is not None
    }


def _ordered_profile(rows: dict[str, list[Row]]) -> dict[str, list[Row]]:
    return {d: rows[d] for d in PROFILE_DIMENSIONS if d in rows}


# --- presentation ------------------------------------------------------------------------


@cache
def environment(lang: str) -> jinja2.Environment:
    """Jinja environment for ``lang``: autoescaped, strict, with locale-aware filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # cell values are data, never markup
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    # In running text a percentage stays on one line ("75,0 %" never ends a line on "75,0");
    # attributes (alt texts) take the plain text.
    env.filters["pct"] = lambda v: Markup('<span class="nobreak">{}</span>').format(
        formats.percent(v, lang)
    )
    env.filters["pct_text"] = lambda v: formats.percent(v, lang)
    env.filters["num"] = lambda v: formats.number(v, lang)
    env.filters["date"] = lambda v: formats.date(v, lang)
    env.filters["signed"] = lambda v: formats.signed(v, lang)
    env.filters["signed_int"] = lambda v: formats.signed_int(v, lang)
    env.filters["file"] = breakable_file_name
    env.globals["lang"] = lang
    env.globals["label"] = label_for(lang)
    env.globals["index_clusters"] = index_clusters
    env.filters["page_name"] = page_name
    env.filters["chart_em"] = chart_em
    return env


def chart_em(url: str) -> str:
    """A chart's width on a web page, in em, so that its text is the size of the page's.

    Matplotlib draws the text at ``font.size`` points in an SVG ``width`` points wide:
    shown ``width / font.size`` em wide, the chart's text is 1 em.
    """
    found = _SVG_WIDTH.search(base64.b64decode(url.partition(",")[2]))
    if found is None:
        raise ValueError("a chart without its width in points")
    return f"{float(found[1]) / charts.mpl.rcParams['font.size']:.2f}"


_SVG_WIDTH = re.compile(rb'<svg[^>]*\swidth="([\d.]+)pt"')


_NAME_PART = re.compile(r"[^/_\-]*[/_\-]+|[^/_\-]+$")


def breakable_file_name(name: str | None) -> Markup | str:
    """A file name that wraps after its separators (``/``, ``_``, ``-``) and spaces, never
    inside a word or its extension ("…_final.xlsx", not "…final.xl" / "sx").

    Each part is an inline block, and lines may break between inline blocks; the text
    itself is unchanged (no invisible break characters end up in a copied file name).
    """
    if not name:
        return "–"
    out = Markup()
    for token in re.split(r"(\s+)", name):
        parts = _NAME_PART.findall(token)
        if len(parts) < 2:
            out += token
            continue
        out += Markup("").join(Markup('<span class="part">{}</span>').format(p) for p in parts)
    return out


class TemplateFetcher(URLFetcher):
    """Serve only the project's own template assets and ``data:`` URLs; nothing else is read.

    A cell name such as ``<img src="file:///etc/passwd">`` is escaped text anyway; this
    is the second lock on the door.
    """

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_relative_to(TEMPLATES) and path.is_file():
                mime = _MIME.get(path.suffix, "application/octet-stream")
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        raise ValueError(f"refused to fetch {url}")


_MIME = {".css": "text/css", ".svg": "image/svg+xml", ".ttf": "font/ttf", ".png": "image/png"}


def render_html(
    env: jinja2.Environment,
    template: str,
    bulletin: object,
    *,
    web: bool,
    inline_css: bool | None = None,
) -> str:
    """The bulletin as an HTML page: for the web (self-contained, every detail) or for print.

    The print page links the stylesheet, which each worker parses once.
    """
    return env.get_template(template).render(
        b=bulletin,
        generated_on=generated_on(),
        inline_css=web if inline_css is None else inline_css,
        web=web,
        page=template.removesuffix(".html"),  # the web pages' links depend on the kind
    )


@cache
def _stylesheet() -> tuple[weasyprint.CSS, FontConfiguration]:
    # Parsed once per process: parsing it for every page cost ~60 ms a bulletin.
    fonts = FontConfiguration()
    css = weasyprint.CSS(
        filename=TEMPLATES / "bulletin.css", font_config=fonts, url_fetcher=TemplateFetcher()
    )
    return css, fonts


def generated_on() -> dt.date:
    """The date printed as the generation date: SOURCE_DATE_EPOCH when set, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return now.date()


def laid_out(env: jinja2.Environment, template: str, bulletin: object) -> weasyprint.Document:
    """The printed bulletin as WeasyPrint lays it out: its pages and boxes, before the PDF."""
    return lay_out(render_html(env, template, bulletin, web=False))


def lay_out(html: str) -> weasyprint.Document:
    """A printed page's HTML laid out with the bulletin stylesheet, as the PDFs are."""
    css, fonts = _stylesheet()
    document = weasyprint.HTML(
        string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=TemplateFetcher()
    )
    return document.render(stylesheets=[css], font_config=fonts, **PDF_OPTIONS)


# PDF/UA: tagged, so screen readers read the bulletin in order.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


def _write(env: jinja2.Environment, template: str, bulletin: object, pdf: Path) -> Path:
    pdf.with_suffix(".html").write_text(
        render_html(env, template, bulletin, web=True), encoding="utf-8"
    )
    laid_out(env, template, bulletin).write_pdf(pdf, **PDF_OPTIONS)
    return pdf
