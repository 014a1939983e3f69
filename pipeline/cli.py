"""Command line: thin commands over the job in ``pipeline.run``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
import duckdb

from pipeline import check, export, progress, status, terminal, values
from pipeline.outputs import RunInProgress
from pipeline.reference import ReferenceError, load_reference
from pipeline.return_template import default_period, write_templates
from pipeline.run import JobError, Options, Outcome, report

QUERIES = Path(__file__).parent / "sql" / "cli"


def _period(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple | None:
    if value is None:
        return None
    try:
        return values.period(value)
    except values.BadValue:
        raise click.BadParameter(f"{value!r} is not a quarter such as 2026-Q3.") from None


_SHARED: dict[str, tuple[tuple[str, ...], dict]] = {
    "raw": (
        ("--raw",),
        {
            "type": click.Path(path_type=Path),
            "default": Path("data/raw"),
            "show_default": True,
            "help": "Folder of return workbooks.",
        },
    ),
    "reference": (
        ("--reference",),
        {
            "type": click.Path(path_type=Path),
            "default": Path("data/reference"),
            "show_default": True,
            "help": "Folder of communes, targets and province.toml.",
        },
    ),
    "out": (
        ("--out",),
        {
            "type": click.Path(path_type=Path),
            "default": Path("data/out"),
            "show_default": True,
            "help": "Folder for the warehouse, bulletins and feedback.",
        },
    ),
    "period": (
        ("--period",),
        {
            "callback": _period,
            "metavar": "YYYY-Qn",
            "help": "Quarter to report, e.g. 2026-Q3 [default: latest with returns].",
        },
    ),
    "lang": (
        ("--lang",),
        {
            "type": click.Choice(["vi", "en"]),
            "help": "Language of bulletins and messages [default: from province.toml].",
        },
    ),
}


def shared_options(*names: str, **helps: str) -> Callable[[click.Command], click.Command]:
    """The options of SPEC §7 that apply to a command, same names and defaults everywhere;
    ``helps`` rewords an option's help for the command (``period="Quarter to show…"``)."""

    def decorate(command: click.Command) -> click.Command:
        for name in reversed(names):
            flags, settings = _SHARED[name]
            command = click.option(
                *flags, **{**settings, "help": helps.get(name, settings["help"])}
            )(command)
        return command

    return decorate


def common_options(command: click.Command) -> click.Command:
    """The options every command shares (SPEC §7)."""
    return shared_options("raw", "reference", "out", "period", "lang")(command)


@click.group()
def main() -> None:
    """Quarterly party-building returns: validate, load, report."""


@main.command(name="report")
@common_options
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Also list every file that was not accepted, with its first error.",
)
def report_command(
    raw: Path, reference: Path, out: Path, period: tuple | None, lang: str | None, verbose: bool
) -> None:
    """Validate every return, build the warehouse, render bulletins and feedback.

    Progress bars show on a terminal; in CI logs and cron mail only the summary is
    printed. Files unchanged since the last run are not read again, and bulletins
    whose data did not change are copied (the cache is in <out>/.cache).

    Example: python -m pipeline report --period 2026-Q3 --lang en
    """
    options = Options(raw, reference, out, period, lang)
    try:
        if sys.stderr.isatty():
            with progress.bars() as bars:
                outcome = report(options, bars)
        else:
            outcome = report(options)
    except (JobError, ReferenceError, RunInProgress) as exc:
        raise click.ClickException(str(exc)) from exc
    _summary(outcome, out)
    if verbose:
        _not_accepted(outcome)


def _not_accepted(outcome: Outcome) -> None:
    assert outcome.warehouse is not None
    with duckdb.connect(outcome.warehouse, read_only=True) as con:
        rows = con.execute(QUERIES.joinpath("not_accepted.sql").read_text()).fetchall()
    for file_name, verdict, errors, warnings, first in rows:
        click.echo(f"  {verdict:<10} {file_name}: errors {errors}, warnings {warnings}")
        if first:
            click.echo(f"             {first}")


def _summary(outcome: Outcome, out: Path) -> None:
    year, quarter = outcome.period
    click.echo(f"Period {year}-Q{quarter}: {outcome.files} files read")
    click.echo(f"  accepted   {outcome.accepted}")
    click.echo(f"  superseded {outcome.superseded}")
    click.echo(f"  rejected   {outcome.rejected}")
    click.echo(f"Warehouse:  {outcome.warehouse}")
    click.echo(
        f"Bulletins:  {len(outcome.bulletins)} PDF in {out / 'bulletins' / f'{year}-Q{quarter}'}"
    )
    click.echo(
        f"Feedback:   {len(outcome.feedback)} workbooks in "
        f"{out / 'feedback' / f'{year}-Q{quarter}'}"
    )
    stages = " · ".join(f"{stage} {seconds:.1f} s" for stage, seconds in outcome.timings.items())
    click.echo(f"Time:       {stages}")


_PERIOD_HINT = " Give --period (e.g. --period 2026-Q3) to see who has not reported yet."


@main.command(name="status", short_help="Who has reported for a quarter, as of now.")
@shared_options(
    "raw",
    "reference",
    "period",
    "lang",
    period="Quarter to show, e.g. 2026-Q3 [default: latest with returns].",
    lang="Language of the table's labels [default: from province.toml]; csv and json "
    "always carry the status codes.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(status.FORMATS),
    default="table",
    show_default=True,
    help="table for people (with a count summary); csv or json on stdout for scripts and "
    "mailing lists, with the columns " + ", ".join(status.COLUMNS) + ".",
)
def status_command(
    raw: Path, reference: Path, period: tuple | None, lang: str | None, fmt: str
) -> None:
    """Who has reported for a quarter, from the raw folder as it is now.

    One row per commune of the reference: on_time, late, rejected (with the errors and
    warnings of its latest rejected file) or missing. Every file of the raw folder is read
    and validated as `report` does and a throw-away warehouse is built in a temporary
    folder, so it can run before the deadline, before any report run. Nothing is written
    (hence no --out): the warehouse, bulletins and feedback stay as the last report left
    them. Rows of on_time and late communes name the return in use and its warning count;
    files that name no known commune are listed under the table.

    \b
    Example:
      python -m pipeline status --period 2026-Q3 --format csv > status.csv
    """
    try:
        found = status.collect(raw, reference, period, lang)
    except (JobError, ReferenceError) as exc:
        hint = "" if period or isinstance(exc, ReferenceError) else _PERIOD_HINT
        raise click.ClickException(f"{exc}{hint}") from exc
    if fmt == "csv":
        click.echo(status.as_csv(found), nl=False)
    elif fmt == "json":
        click.echo(status.as_json(found), nl=False)
    else:
        status.print_table(found, terminal.console())


class _CannotCheck(click.ClickException):
    exit_code = 2  # 1 means "a file was rejected"


@main.command(name="check", short_help="Check returns as they arrive; exit 1 if any is rejected.")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    metavar="FILE...",
)
@shared_options(
    "reference",
    "out",
    "lang",
    out="Output folder; feedback goes to <out>/feedback/check unless --feedback is given.",
    lang="Language of the messages and feedback [default: from province.toml].",
)
@click.option(
    "--feedback",
    "feedback_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Folder for the feedback workbooks [default: <out>/feedback/check]. A new check "
    "of a file replaces its workbook there.",
)
def check_command(
    files: tuple[Path, ...],
    reference: Path,
    out: Path,
    lang: str | None,
    feedback_dir: Path | None,
) -> None:
    """Check returns as they arrive, with the same rules as `report`.

    FILE may be a workbook or a folder (every file in it, as `report` reads the raw
    folder). Each problem is printed with its sheet (as named in the workbook), Excel
    row, cell and column, then each file's verdict. A file with problems gets a feedback
    workbook, as `report` writes them, in <out>/feedback/check (or --feedback DIR). The
    warehouse and the bulletins are not touched; file names are shown relative to the
    folder holding all the files given.

    Exit status: 0 when every file is accepted (warnings allowed), 1 when any file is
    rejected, 2 when the files could not be checked (bad option, no reference folder).

    \b
    Example:
      python -m pipeline check data/raw/2026-Q3/new_return.xlsx && echo accepted
    """
    target = feedback_dir if feedback_dir is not None else out / "feedback" / "check"
    try:
        checked = check.check(list(files), reference, target, lang)
    except (ReferenceError, check.NothingToCheck) as exc:
        raise _CannotCheck(str(exc)) from exc
    check.print_checked(checked, terminal.console())
    if not checked.all_accepted:
        sys.exit(1)


@main.command(name="export", short_help="Export the warehouse as Parquet files.")
@click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/out/warehouse.duckdb"),
    show_default=True,
    help="The warehouse to export (opened read-only).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(export.FORMATS),
    default="parquet",
    show_default=True,
    help="File format; Parquet is the only one for now.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/out/export"),
    show_default=True,
    help="Destination folder. Each relation exported replaces its earlier export there; "
    "other files are left alone.",
)
def export_command(warehouse: Path, fmt: str, out: Path) -> None:
    """Export the warehouse as Parquet files for other tools (Polars, Spark, Trino…).

    Every public relation is written. Those with year and quarter columns are folders
    partitioned the hive way, <relation>/year=2026/quarter=3/data_0.parquet (year and
    quarter kept in the files too); the others (communes, targets, referral_targets,
    problems, and submissions, whose year and quarter are empty for unreadable files)
    are single files <relation>.parquet. Rows are sorted, so the same warehouse gives
    the same files. Run `make report` first.

    \b
    Example:
      python -m pipeline export --format parquet --out /srv/share/party-returns
    """
    target = out
    try:
        exported = export.export(warehouse, target, fmt)
    except export.ExportError as exc:
        raise click.ClickException(str(exc)) from exc
    for item in exported:
        shown = f"{item.path}/" if item.partitioned else str(item.path)
        click.echo(f"{item.relation:<22} {item.rows:>8} rows  {shown}")
    click.echo(f"{len(exported)} relations exported to {target}")


@main.command(name="templates", short_help="Write pre-filled return templates for the communes.")
@shared_options(
    "reference",
    "out",
    "period",
    "lang",
    out="Output folder: templates go to <out>/templates/<period>/, cells prefilled from "
    "<out>/warehouse.duckdb when it exists.",
    period="Quarter the templates are for, e.g. 2026-Q4 [default: the quarter after the "
    "latest in the warehouse].",
    lang="Language of the templates (sheet names, headers, dropdowns, instructions) "
    "[default: from province.toml].",
)
def templates_command(reference: Path, out: Path, period: tuple | None, lang: str | None) -> None:
    """Write a return template for every commune, for the clerks to fill in.

    One workbook per commune of the reference, <out>/templates/<period>/<code>-<name>.xlsx:
    Info prefilled (code, name, period), the cells of the commune's latest accepted
    return up to the period, a Meetings row per cell and month, dropdowns and checks
    on every column, and an instructions sheet. Files are replaced, others left alone.

    \b
    Example:
      python -m pipeline templates --period 2026-Q4
    """
    try:
        ref = load_reference(reference)
    except ReferenceError as exc:
        raise click.ClickException(str(exc)) from exc
    warehouse = out / "warehouse.duckdb"
    if period is None:
        period = default_period(warehouse)
        if period is None:
            raise click.ClickException(
                f"No accepted return in {warehouse} to follow: give the quarter, "
                "e.g. --period 2026-Q4."
                if warehouse.exists()
                else f"No warehouse at {warehouse} (run `make report` first): give the "
                "quarter, e.g. --period 2026-Q4."
            )
    year, quarter = period
    folder = out / "templates" / f"{year}-Q{quarter}"
    paths = write_templates(
        ref,
        warehouse if warehouse.exists() else None,
        folder,
        period,
        lang or ref.settings.language,
    )
    click.echo(f"{len(paths)} templates for {year}-Q{quarter} in {folder}")
