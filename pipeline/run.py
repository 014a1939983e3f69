"""The quarterly job, stage by stage: read -> validate -> load -> render -> feedback."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from pipeline.cache import IngestCache, OutputCache, code_digest, digest, folder_digest
from pipeline.feedback import write_feedback
from pipeline.load import build_warehouse
from pipeline.outputs import Staging, exclusive
from pipeline.progress import Progress, quiet
from pipeline.read import Workbook, workbook_identity
from pipeline.reference import Reference, load_reference
from pipeline.render import generated_on, render_bulletins
from pipeline.validate import Validated, combine, subset, validate
from pipeline.workers import read_all


class JobError(Exception):
    """The job cannot produce its outputs; the message says why."""


@dataclass(frozen=True)
class Options:
    raw: Path = Path("data/raw")
    reference: Path = Path("data/reference")
    out: Path = Path("data/out")
    period: tuple[int, int] | None = None
    lang: str | None = None


@dataclass
class Outcome:
    """What a run did, for the summary printed at the end."""

    period: tuple[int, int]
    lang: str
    files: int = 0
    accepted: int = 0
    rejected: int = 0
    superseded: int = 0
    warehouse: Path | None = None
    bulletins: list[Path] = field(default_factory=list)
    feedback: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds


def is_skipped(path: Path) -> bool:
    """Office lock files and hidden files are not returns."""
    return path.name.startswith(("~$", ".")) or not path.is_file()


def raw_files(raw: Path) -> Iterator[Path]:
    """Files of the raw folder, in a stable order."""
    if not raw.is_dir():
        raise JobError(f"The raw folder {raw} does not exist.")
    yield from (p for p in sorted(raw.rglob("*")) if not is_skipped(p))


def today() -> dt.date:
    """The run's date: SOURCE_DATE_EPOCH when set, so reruns can be reproduced."""
    return generated_on()


def choose_period(validated: Validated, asked: tuple[int, int] | None) -> tuple[int, int]:
    """The asked period, else the latest quarter with an accepted return (else any return)."""
    if asked is not None:
        return asked
    files = validated.files.dropna(subset=["year", "quarter"])
    for candidates in (files[files["accepted"]], files):
        if len(candidates):
            latest = candidates.sort_values(["year", "quarter"]).iloc[-1]
            return int(latest["year"]), int(latest["quarter"])
    raise JobError("No return with a readable period was found: there is nothing to report.")


def report(options: Options, progress: Progress = quiet) -> Outcome:
    """Run the whole quarterly job; ``progress`` is told of the long steps."""
    reference = load_reference(options.reference)
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
        period = choose_period(validated, options.period)
        staging = Staging.begin(options.out, f"{period[0]}-Q{period[1]}")
        kinds = ("warehouse", "bulletins", "feedback")
        outputs = {kind: OutputCache(options.out, kind) for kind in kinds}
        with _timed(timings, "load and indicators"):
            _load(staging.warehouse, validated, reference, options, lang, outputs["warehouse"])
        validated = replace(validated, sheets={})  # loaded; feedback needs files and problems
        gc.collect()
        with _timed(timings, "render"):
            bulletins = render_bulletins(
                staging.warehouse,
                staging.bulletins,
                period,
                lang,
                reference,
                outputs["bulletins"],
                progress,
            )
        with _timed(timings, "feedback"):
            # Files taken from the cache are read again only if their feedback is not.
            feedback = write_feedback(
                books,
                validated,
                staging.feedback,
                period,
                lang,
                raw=options.raw,
                read_more=lambda names: read_all(
                    [options.raw / n for n in names], options.raw, lang
                ),
                cache=outputs["feedback"],
            )
        staging.publish()  # nothing a reader sees changes before this line
        for cache in outputs.values():
            cache.prune()
    outcome = Outcome(period=period, lang=lang, files=len(validated.files), timings=timings)
    outcome.warehouse = staging.final_warehouse
    outcome.bulletins = [staging.final_bulletins / p.name for p in bulletins]
    outcome.feedback = [staging.final_feedback / p.name for p in feedback]
    return _counted(outcome)


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
    inputs = (code_digest(), today(), lang, folder_digest(options.reference), files)
    key = digest(*inputs) + ".duckdb"
    if not cache.fetch(key, warehouse):
        build_warehouse(warehouse, validated, reference)
        cache.keep(key, warehouse)


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
    paths = list(raw_files(raw))
    communes = set(reference.communes["commune_code"])
    cache = None
    if cache_in is not None:
        settings = (code_digest(), sorted(communes), today(), lang)
        cache = IngestCache(cache_in, digest(*settings))
    with _timed(timings, "read"):
        kept, to_read = _reusable(paths, raw, cache)
        books = read_all(to_read, raw, lang, advance=progress("Reading", len(to_read)))
    with _timed(timings, "validate"):
        advance = progress("Validating", len(books))
        parts = [validate(books, communes, today(), lang)] if books or kept is None else []
        advance(len(books))
        if kept is not None:
            parts.append(kept)
        validated = combine(parts, [p.relative_to(raw).as_posix() for p in paths])
        if cache is not None:
            cache.store(validated)
    return books, validated


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


def _counted(outcome: Outcome) -> Outcome:
    assert outcome.warehouse is not None
    with duckdb.connect(outcome.warehouse, read_only=True) as con:
        counts = dict(con.sql("select status, count(*) from submissions group by all").fetchall())
    outcome.accepted = counts.get("accepted", 0)
    outcome.rejected = counts.get("rejected", 0)
    outcome.superseded = counts.get("superseded", 0)
    return outcome
