"""The quarterly job, stage by stage: read -> validate -> load -> render -> feedback."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.feedback import write_feedback
from pipeline.load import build_warehouse
from pipeline.outputs import Staging, exclusive
from pipeline.read import Workbook
from pipeline.reference import Reference, load_reference
from pipeline.render import generated_on, render_bulletins
from pipeline.validate import Validated, validate
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


def report(options: Options) -> Outcome:
    """Run the whole quarterly job."""
    reference = load_reference(options.reference)
    lang = options.lang or reference.settings.language
    timings: dict[str, float] = {}
    with exclusive(options.out):
        books, validated = ingest(options.raw, reference, lang, timings)
        period = choose_period(validated, options.period)
        staging = Staging.begin(options.out, f"{period[0]}-Q{period[1]}")
        with _timed(timings, "load and indicators"):
            build_warehouse(staging.warehouse, validated, reference)
        with _timed(timings, "render"):
            bulletins = render_bulletins(
                staging.warehouse, staging.bulletins, period, lang, reference
            )
        with _timed(timings, "feedback"):
            feedback = write_feedback(books, validated, staging.feedback, period, lang)
        staging.publish()  # nothing a reader sees changes before this line
    outcome = Outcome(period=period, lang=lang, files=len(books), timings=timings)
    outcome.warehouse = staging.final_warehouse
    outcome.bulletins = [staging.final_bulletins / p.name for p in bulletins]
    outcome.feedback = [staging.final_feedback / p.name for p in feedback]
    return _counted(outcome)


def ingest(
    raw: Path, reference: Reference, lang: str, timings: dict[str, float] | None = None
) -> tuple[list[Workbook], Validated]:
    """Read and validate every file of ``raw``: what ``report``, ``status`` and ``check`` share."""
    timings = {} if timings is None else timings
    with _timed(timings, "read"):
        books = read_all(list(raw_files(raw)), raw, lang)
    with _timed(timings, "validate"):
        communes = set(reference.communes["commune_code"])
        validated = validate(books, communes, today(), lang)
    return books, validated


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
