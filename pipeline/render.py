"""Bulletin contexts -> HTML (Jinja2) -> PDF (WeasyPrint), and the quarter's web index.

Python hands the templates plain data (``pipeline.contexts``); the templates lay it out
and format it with the filters below (``pipeline.formats``). The province's charts are
drawn here (matplotlib, ``pipeline.charts``), only when its bulletin is rendered.
"""

from __future__ import annotations

import base64
import re
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import weasyprint
from markupsafe import Markup
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from pipeline import charts, formats
from pipeline.clock import today
from pipeline.contexts import ProvinceBulletin, Row
from pipeline.labels import label_for, slug, translations
from pipeline.progress import Advance
from pipeline.workers import fork_map

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

Job = tuple[str, Any, Path]  # template, bulletin context, the PDF to write (and its HTML twin)


def bulletin_jobs(province: ProvinceBulletin, communes: list[Any], folder: Path) -> list[Job]:
    """What to render into ``folder``: the province bulletin, then each commune's."""
    jobs: list[Job] = [("province.html", province, folder / "province.pdf")]
    jobs += [("commune.html", b, folder / page_name(b.commune, ".pdf")) for b in communes]
    return jobs


def render_bulletins(jobs: list[Job], lang: str, advance: Advance = lambda _n: None) -> list[Path]:
    """Write each bulletin as a tagged PDF (PDF/UA) and its HTML twin, over a pool of forked
    workers (rendering is most of a run); the province's charts are drawn first."""
    for _template, bulletin, _pdf in jobs:
        if isinstance(bulletin, ProvinceBulletin) and not bulletin.charts:
            with_charts(bulletin, lang)
    return fork_map(partial(_render_job, lang=lang), jobs, advance)


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


def _render_job(job: tuple[str, object, Path], lang: str) -> Path:
    template, bulletin, pdf = job
    return _write(environment(lang), template, bulletin, pdf)


def _charts(b: ProvinceBulletin, lang: str) -> dict[str, str]:
    """The province charts as ``data:`` URLs, the only kind of image the fetcher serves."""
    gettext, label = translations(lang).gettext, label_for(lang)
    expected = b.summary["expected_pct"]
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
    env.filters["decimal2"] = lambda v: formats.decimal(v, 2, lang)
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
        generated_on=today(),
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
