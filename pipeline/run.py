"""The quarterly job, stage by stage: read -> validate -> load -> render -> feedback."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import duckdb

from pipeline import formats, plausibility
from pipeline.cache import (
    IngestCache,
    OutputCache,
    code_digest,
    digest,
    drawing_digest,
    folder_digest,
    reuse_or_make,
)
from pipeline.clock import today
from pipeline.contexts import bulletin_contexts
from pipeline.failure import Failure
from pipeline.feedback import Planned, plan_feedback, write_feedback
from pipeline.folders import file_to_read
from pipeline.labels import N_
from pipeline.load import build_warehouse
from pipeline.outputs import Publication, exclusive
from pipeline.progress import Progress, quiet
from pipeline.read import Workbook, raw_files, workbook_identity
from pipeline.reference import Reference, load_reference
from pipeline.render import Job, bulletin_jobs, render_bulletins, write_index
from pipeline.validate import Validated, combine, subset, validate
from pipeline.workers import fork_map, read_all

QUERIES = Path(__file__).parent / "sql" / "cli"


class JobError(Failure):
    """The job cannot produce its outputs; the message says why and what to do."""


@dataclass(frozen=True)
class Options:
    raw: Path = Path("data/raw")
    reference: Path = Path("data/reference")
    out: Path = Path("data/out")
    period: tuple[int, int] | None = None
    lang: str | None = None


@dataclass
class Outcome:
    """What a run did, for the summary printed at the end.

    ``files`` and its verdicts count the files of the quarter reported; the other files
    read are counted apart: of other quarters, and naming no readable period.
    """

    period: tuple[int, int]
    lang: str
    files: int = 0
    accepted: int = 0
    rejected: int = 0
    superseded: int = 0
    other_quarters: int = 0
    no_period: int = 0
    warehouse: Path | None = None
    bulletins: list[Path] = field(default_factory=list)
    feedback: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds


def choose_period(
    validated: Validated, asked: tuple[int, int] | None, raw: Path = Options.raw
) -> tuple[int, int]:
    """The asked period, else the latest quarter with an accepted return (else any return)."""
    if asked is not None:
        return asked
    latest = latest_quarter(validated, accepted=True) or latest_quarter(validated, accepted=False)
    if latest is not None:
        return latest
    if validated.files.empty:
        raise JobError(
            N_(
                "The raw folder %(raw)s holds no return: put the communes' workbooks in it, "
                "or give their folder with --raw."
            ),
            raw=raw,
        )
    raise _no_period(validated, raw)


def latest_quarter(validated: Validated, *, accepted: bool) -> tuple[int, int] | None:
    """The latest quarter named by a file (an accepted one with ``accepted``), if any."""
    files = validated.files.dropna(subset=["year", "quarter"])
    if accepted:
        files = files[files["accepted"]]
    if files.empty:
        return None
    latest = files.sort_values(["year", "quarter"]).iloc[-1]
    return int(latest["year"]), int(latest["quarter"])


def _no_period(validated: Validated, raw: Path) -> JobError:
    """No file names a readable period: the first one and its first error, named."""
    first = str(validated.files["file_name"].iloc[0])
    errors = [p for p in validated.problems if p.file_name == first and p.severity == "error"]
    others = len(validated.files) - 1
    values: dict = {"raw": raw, "file": first, "problem": errors[0].message if errors else "–"}
    if not others:
        return JobError(
            N_(
                "No return in %(raw)s has a readable period, so there is nothing to report. "
                "%(file)s: %(problem)s"
            ),
            **values,
        )
    return JobError(
        N_(
            "No return in %(raw)s has a readable period, so there is nothing to report. "
            "%(file)s: %(problem)s And %(others)s other files: `python -m pipeline check "
            "%(raw)s` lists the problems of each."
        ),
        others=others,
        **values,
    )


def _has_figures(validated: Validated, period: tuple[int, int], raw: Path) -> None:
    """A quarter without an accepted return has no figures: refused before anything is
    written, naming the latest quarter that has some."""
    files = validated.files
    in_quarter = files[(files["year"] == period[0]) & (files["quarter"] == period[1])]
    if in_quarter["accepted"].any():
        return
    latest = latest_quarter(validated, accepted=True)
    values = {"period": formats.period_code(period), "raw": raw}
    if latest is None:
        raise JobError(
            N_(
                "No quarter has an accepted return in %(raw)s yet, so there are no figures "
                "to print. `python -m pipeline status --period %(period)s` shows who has "
                "reported."
            ),
            **values,
        )
    raise JobError(
        N_(
            "%(period)s has no accepted return, so there are no figures to print; the latest "
            "quarter with returns is %(latest)s (`--period %(latest)s`). `python -m pipeline "
            "status --period %(period)s` shows who has reported."
        ),
        latest=formats.period_code(latest),
        **values,
    )


def report(options: Options, progress: Progress = quiet) -> Outcome:
    """Run the whole quarterly job; ``progress`` is told of the long steps."""
    reference = load_reference(options.reference, options.lang)
    lang = options.lang or reference.settings.language
    timings: dict[str, float] = {}
    with exclusive(options.out):
        books, validated = ingest(
            options.raw, reference, lang, timings, cache_in=options.out, progress=progress
        )
        # Only files with problems need their sheets again (for feedback); the others'
        # grids would be memory the render workers inherit.
        with_problems = {p.file_name for p in validated.problems}
        books = [book for book in books if book.file_name in with_problems]
        period = choose_period(validated, options.period, options.raw)
        _has_figures(validated, period, options.raw)
        built = Publication.begin(options.out, formats.period_code(period))
        kinds = ("warehouse", "bulletins", "feedback")
        outputs = {kind: OutputCache(options.out, kind) for kind in kinds}
        with _timed(timings, N_("load and indicators")):
            _load(built.warehouse, validated, reference, options, lang, outputs["warehouse"])
            # The plausibility warnings, found in the warehouse, are feedback like any other.
            found = plausibility.recorded(built.warehouse)
        validated = replace(plausibility.joined(validated, found), sheets={})
        gc.collect()
        with _timed(timings, N_("render")):
            bulletins = _render(built, period, reference, lang, outputs["bulletins"], progress)
        with _timed(timings, N_("feedback")):
            feedback = _feedback(built, validated, books, period, lang, options.raw, outputs)
        outcome = _counted(Outcome(period=period, lang=lang, timings=timings), built.warehouse)
        built.publish()  # nothing a reader sees changes before this line
        for cache in outputs.values():
            cache.prune()
    outcome.warehouse = built.final_warehouse
    outcome.bulletins = [built.final_bulletins / p.name for p in bulletins]
    outcome.feedback = [built.final_feedback / p.name for p in feedback]
    return outcome


def _load(
    warehouse: Path,
    validated: Validated,
    reference: Reference,
    options: Options,
    lang: str,
    cache: OutputCache,
) -> None:
    """Build the warehouse, or copy the last run's when made of the same things."""
    files = validated.files[["file_name", "sha256", "mtime"]].to_numpy().tolist()
    key = cache.key(today(), lang, folder_digest(options.reference), files)
    reuse_or_make(
        cache,
        [warehouse],
        key=lambda _path: key,
        paths=lambda path: [path],
        make=lambda _made: build_warehouse(warehouse, validated, reference, lang),
    )


def _render(
    built: Publication,
    period: tuple[int, int],
    reference: Reference,
    lang: str,
    cache: OutputCache,
    progress: Progress,
) -> list[Path]:
    """The period's bulletins, each copied from the cache when made of the same data."""
    province, communes = bulletin_contexts(built.warehouse, period, reference)
    jobs = bulletin_jobs(province, communes, built.bulletins)
    # Every bulletin is drawn by the system's text libraries and fonts (drawing_digest);
    # the province's charts derive from its data, which its key holds.
    drawn = drawing_digest()

    def key(job: Job) -> str:
        template, bulletin, _pdf = job
        return cache.key(drawn, template, bulletin, today(), lang)

    def make(missing: list[Job]) -> None:
        render_bulletins(missing, lang, progress(N_("Rendering"), len(missing)))

    made = reuse_or_make(cache, jobs, key, lambda job: [job[2], job[2].with_suffix(".html")], make)
    if not made:
        progress(N_("Rendering"), 0)  # shown all the same: nothing needed rendering
    write_index(province, built.bulletins, lang)  # cheap: written every run, never cached
    return [pdf for _template, _bulletin, pdf in jobs]


def _feedback(
    built: Publication,
    validated: Validated,
    books: list[Workbook],
    period: tuple[int, int],
    lang: str,
    raw: Path,
    outputs: dict[str, OutputCache],
) -> list[Path]:
    """A workbook per file of the period with problems, copied from the cache when its
    file and problems are unchanged; a file taken from the ingest cache is read again only
    when its workbook must be made."""
    cache = outputs["feedback"]
    planned = plan_feedback(validated, built.feedback, period)

    def key(plan: Planned) -> str:
        return cache.key(plan.file_name, plan.sha256, plan.problems, plan.accepted,
                         plan.replaced_by, lang, period)  # fmt: skip

    def make(missing: list[Planned]) -> None:
        read = {book.file_name: book for book in books}
        unread = [raw / plan.file_name for plan in missing if plan.file_name not in read]
        read.update((book.file_name, book) for book in read_all(unread, raw, lang))
        write_feedback(missing, read, lang, period, raw)

    reuse_or_make(cache, planned, key, lambda plan: [plan.path], make)
    return [plan.path for plan in planned]


def ingest(
    raw: Path,
    reference: Reference,
    lang: str,
    timings: dict[str, float] | None = None,
    *,
    cache_in: Path | None = None,
    progress: Progress = quiet,
) -> tuple[list[Workbook], Validated]:
    """Read and validate every file of ``raw``: what ``report`` and ``status`` share.

    With ``cache_in`` (the out folder), files unchanged since the last run (same name,
    modification time and sha256) are taken from its cache, not read again; the
    workbooks returned are those read.
    """
    timings = {} if timings is None else timings
    paths = [file_to_read(path) for path in raw_files(raw)]  # unreadable: said before reading
    communes = set(reference.communes["commune_code"])
    cache = None
    if cache_in is not None:
        settings = (code_digest(), sorted(communes), today(), lang)
        cache = IngestCache(cache_in, digest(*settings))
    with _timed(timings, N_("read")):
        kept, to_read = _reusable(paths, raw, cache)
        books = read_all(to_read, raw, lang, advance=progress(N_("Reading"), len(to_read)))
    with _timed(timings, N_("validate")):
        advance = progress(N_("Validating"), len(books))
        parts = validate_halves(books, communes, lang) if books or kept is None else []
        advance(len(books))
        if kept is not None:
            parts.append(kept)
        validated = combine(parts, [p.relative_to(raw).as_posix() for p in paths])
        if cache is not None:
            cache.store(validated)
    return books, validated


# Below this many files one process validates faster than two: a fork and the pickled
# halves cost more than they save.
SPLIT_FROM = 200
_BATCH: list[Workbook] = []  # the workbooks of a split validation: forked, never pickled


def validate_halves(books: list[Workbook], communes: set[str], lang: str) -> list[Validated]:
    """The outcome of ``books`` in parts to ``combine``: validation is one process's work
    (pandas, pandera), so a large batch is split in two halves validated side by side by
    forked workers, which inherit the workbooks (only their outcomes come back pickled).
    Each file's outcome depends on that file alone, so the parts combine to the whole."""
    if len(books) < SPLIT_FROM:
        return [validate(books, communes, today(), lang)]
    middle = len(books) // 2
    _BATCH[:] = books
    try:
        check = partial(_validate_slice, communes=communes, day=today(), lang=lang)
        return fork_map(check, [(0, middle), (middle, len(books))])
    finally:
        _BATCH.clear()


def _validate_slice(
    bounds: tuple[int, int], communes: set[str], day: dt.date, lang: str
) -> Validated:
    start, stop = bounds
    return validate(_BATCH[start:stop], communes, day, lang)


def _reusable(
    paths: list[Path], raw: Path, cache: IngestCache | None
) -> tuple[Validated | None, list[Path]]:
    """The cached outcome of the files unchanged since the last run, and the others."""
    previous = cache.load() if cache is not None else None
    if previous is None:
        return None, paths
    known = set(previous.files[["file_name", "sha256", "mtime"]].itertuples(index=False, name=None))
    unchanged, changed = set(), []
    for path in paths:
        identity = workbook_identity(path, raw)
        if (identity.file_name, identity.sha256, identity.mtime) in known:
            unchanged.add(identity.file_name)
        else:
            changed.append(path)
    return subset(previous, unchanged), changed


@contextlib.contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[stage] = time.perf_counter() - start


def _counted(outcome: Outcome, warehouse: Path) -> Outcome:
    """The files of the quarter by verdict, and the others read, from the run's warehouse."""
    year, quarter = outcome.period
    query = (QUERIES / "files.sql").read_text(encoding="utf-8")
    with duckdb.connect(warehouse, read_only=True) as con:
        result = con.execute(query, {"year": year, "quarter": quarter})
        names = [d[0] for d in result.description]
        row = result.fetchone()
    assert row is not None
    for name, count in zip(names, row, strict=True):
        setattr(outcome, name, int(count))
    return outcome
