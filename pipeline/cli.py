"""Command line: thin commands over the job in ``pipeline.run``.

Each command first settles the language of the run (``--lang``, else the province's
``province.toml``), then checks the paths it was given, then works. Whatever stops it is
one line on stderr in that language, never a traceback: the project's own failures
(``Failure``) are translated; click's usage errors (an unknown option, a missing
argument) stay in English, on one line too.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from pipeline import export, formats, progress, status, summary, terminal, values
from pipeline.failure import Failure
from pipeline.folders import folder_to_read, folder_to_write, no_file_in_the_way, reason
from pipeline.labels import N_, translations
from pipeline.quarters import Quarter
from pipeline.reference import ReferenceError, Settings, load_reference

# The job's modules (WeasyPrint, matplotlib, pandera: seconds to import) are imported by
# the commands that work, after their options and paths are checked: a mistyped option
# is answered at once.

# The language of what is said before the province's settings are read (or when they
# cannot be): the project's default, as for a province.toml without `language`.
DEFAULT_LANG = Settings().language
# The job's stages as the progress bars name them, translated when shown.
STAGES = (N_("Reading"), N_("Validating"), N_("Rendering"))
_LANG = "pipeline.lang"  # where a command keeps its language, in click's context
# Paths are checked by the commands themselves (``pipeline.folders``), in the run's language.
_PATH = click.Path(path_type=Path, readable=False)


class BadOption(Failure):
    """An option's value is not understood: a usage error (exit status 2)."""


class _Said(click.ClickException):
    """A failure already put into words in the run's language, printed as it is."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True, file=file)


class _Commands(click.Group):
    """A group whose usage errors take one line too (click's own take three or four)."""

    def main(self, *args: Any, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **extra)
        try:
            code = super().main(*args, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()  # nothing given: the group's help
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            where = f" (see: {exc.ctx.command_path} --help)" if exc.ctx else ""
            click.echo(f"Error: {exc.format_message()}{where}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _language() -> str:
    return click.get_current_context().meta.get(_LANG, DEFAULT_LANG)


def _set_language(lang: str) -> str:
    click.get_current_context().meta[_LANG] = lang
    return lang


def _fail(message: str, exit_code: int) -> NoReturn:
    _ = translations(_language()).gettext
    raise _Said(_("Error: %(message)s") % {"message": message}, exit_code)


def one_line(exit_code: int = 1) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Whatever stops the command is one line in the run's language, exit ``exit_code``
    (2 for an option's value that is not understood)."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> None:
            try:
                command(*args, **kwargs)
            except BadOption as exc:
                _fail(exc.text(_language()), 2)
            except Failure as exc:
                _fail(exc.text(_language()), exit_code)
            except ReferenceError as exc:  # already in words, by the reference's reader
                _fail(str(exc), exit_code)
            except BrokenPipeError:  # `… | head` stopped reading: nothing more to say
                # as the Python docs advise: no flush to the closed pipe at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                sys.exit(1)
            except OSError as exc:  # the disk filled up, rights changed during the run…
                said = Failure(
                    N_(
                        "%(path)s: %(reason)s. Check the folder's rights and free space, "
                        "then run again."
                    ),
                    path=exc.filename2 or exc.filename or "?",  # a rename: its target
                    reason=reason(exc),
                )
                _fail(said.text(_language()), exit_code)

        return run

    return decorate


def _province(reference: Path, lang: str | None) -> str:
    """The language of the run: ``--lang``, else the province's. The reference folder is
    checked and read on the way, so a problem there is said first."""
    _set_language(lang or DEFAULT_LANG)
    folder_to_read(reference, "--reference")
    settings = load_reference(reference, lang).settings
    return _set_language(lang or settings.language)


def _quarter(value: str | None) -> Quarter | None:
    """The quarter given with ``--period``, in any form a return may write it."""
    if value is None:
        return None
    try:
        return Quarter.parse(value)
    except values.BadValue:
        raise BadOption(
            N_("--period %(value)s is not a quarter: write it as 2026-Q3 (a year, Q, 1 to 4)."),
            value=value,
        ) from None


_SHARED: dict[str, tuple[tuple[str, ...], dict]] = {
    "raw": (
        ("--raw",),
        {
            "type": _PATH,
            "default": Path("data/raw"),
            "show_default": True,
            "help": "Folder of return workbooks.",
        },
    ),
    "reference": (
        ("--reference",),
        {
            "type": _PATH,
            "default": Path("data/reference"),
            "show_default": True,
            "help": "Folder of communes, targets and province.toml.",
        },
    ),
    "out": (
        ("--out",),
        {
            "type": _PATH,
            "default": Path("data/out"),
            "show_default": True,
            "help": "Folder for the warehouse, bulletins and feedback.",
        },
    ),
    "period": (
        ("--period",),
        {
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


@click.group(cls=_Commands)
def main() -> None:
    """Quarterly party-building returns: validate, load, report."""


@main.command(name="report")
@common_options
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Also list the files of the quarter that were not accepted, with their first "
    "error, and the time each stage took.",
)
@one_line()
def report_command(
    raw: Path, reference: Path, out: Path, period: str | None, lang: str | None, verbose: bool
) -> None:
    """Validate every return, build the warehouse, render bulletins and feedback.

    Progress bars show on a terminal; in CI logs and cron mail only the summary is
    printed: the files of the quarter by verdict, the other files read, where the
    outputs are. Files unchanged since the last run are not read again, and bulletins
    whose data did not change are copied (the cache is in <out>/.cache). A quarter
    without an accepted return has no figures: the command then exits 1 and leaves the
    earlier outputs as they were.

    Example: python -m pipeline report --period 2026-Q3 --lang en
    """
    lang = _province(reference, lang)
    quarter = _quarter(period)
    folder_to_read(raw, "--raw")
    folder_to_write(out, "--out")
    from pipeline.run import Options, report

    options = Options(raw, reference, out, quarter, lang)
    if sys.stderr.isatty():
        _ = translations(lang).gettext
        with progress.bars() as bars:
            outcome = report(options, lambda stage, total: bars(_(stage), total))
    else:
        outcome = report(options)
    for line in summary.summary(outcome, out):
        click.echo(line)
    if verbose:
        for line in summary.not_accepted(outcome):
            click.echo(line)
        click.echo(summary.timings(outcome))


_PERIOD_HINT = N_("Give --period (e.g. --period 2026-Q3) to see who has not reported yet.")


@main.command(name="status", short_help="Who has reported for a quarter, as of now.")
@shared_options(
    "raw",
    "reference",
    "period",
    "lang",
    period="Quarter to show, e.g. 2026-Q3 [default: latest with returns].",
    lang="Language of the table and messages [default: from province.toml]; csv and json "
    "always carry the status codes and ISO dates.",
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
@one_line()
def status_command(
    raw: Path, reference: Path, period: str | None, lang: str | None, fmt: str
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
    lang = _province(reference, lang)
    quarter = _quarter(period)
    folder_to_read(raw, "--raw")
    from pipeline.run import JobError

    try:
        found = status.collect(raw, reference, quarter, lang)
    except JobError as exc:
        if quarter is not None:
            raise
        _ = translations(lang).gettext
        _fail(f"{exc.text(lang)} {_(_PERIOD_HINT)}", 1)
    if fmt == "csv":
        click.echo(status.as_csv(found), nl=False)
    elif fmt == "json":
        click.echo(status.as_json(found), nl=False)
    else:
        status.print_table(found, terminal.console())


@main.command(name="check", short_help="Check returns as they arrive; exit 1 if any is rejected.")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=_PATH,
    metavar="FILE...",
)
@shared_options(
    "reference",
    "out",
    "lang",
    out="Output folder: its warehouse.duckdb holds the returns in use the files are compared "
    "with; feedback goes to <out>/feedback/check unless --feedback is given.",
    lang="Language of the messages and feedback [default: from province.toml].",
)
@click.option(
    "--feedback",
    "feedback_dir",
    type=_PATH,
    metavar="DIR",
    help="Folder for the feedback workbooks [default: <out>/feedback/check]. A new check "
    "of a file replaces its workbook there.",
)
@one_line(exit_code=2)  # 1 means "a file was rejected"
def check_command(
    files: tuple[Path, ...],
    reference: Path,
    out: Path,
    lang: str | None,
    feedback_dir: Path | None,
) -> None:
    """Check returns as they arrive, with the same rules as `report`.

    FILE may be a workbook or a folder (every file in it, as `report` reads the raw
    folder). Each problem is printed with its sheet and column as named in the
    workbook, Excel row and cell, then each file's verdict. An accepted file is also
    compared with the returns in use of <out>/warehouse.duckdb (the commune's previous
    quarter, the other communes), as `report` will compare it. A file with problems gets a
    feedback workbook, as `report` writes them, in <out>/feedback/check (or --feedback
    DIR). The warehouse is only read and the bulletins are not touched; file names are
    shown relative to the folder holding all the files given.

    Exit status: 0 when every file is accepted (warnings allowed), 1 when any file is
    rejected, 2 when the files could not be checked (a bad option, a missing file, no
    reference folder).

    \b
    Example:
      python -m pipeline check data/raw/2026-Q3/new_return.xlsx && echo accepted
    """
    lang = _province(reference, lang)
    from pipeline import check

    target = feedback_dir if feedback_dir is not None else out / "feedback" / "check"
    check.returns_among(list(files))  # every file there and readable before a folder is made
    folder_to_write(target, "--feedback" if feedback_dir is not None else "--out")
    checked = check.check(list(files), reference, target, lang, out / "warehouse.duckdb")
    check.print_checked(checked, terminal.console())
    if not checked.all_accepted:
        sys.exit(1)


@main.command(name="export", short_help="Export the warehouse as Parquet files.")
@click.option(
    "--warehouse",
    type=_PATH,
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
    type=_PATH,
    default=Path("data/out/export"),
    show_default=True,
    help="Destination folder. Each relation exported replaces its earlier export there; "
    "other files are left alone.",
)
@shared_options(
    "reference",
    "lang",
    reference="Folder of province.toml, whose language the messages follow.",
    lang="Language of the messages [default: from province.toml].",
)
@one_line()
def export_command(warehouse: Path, fmt: str, out: Path, reference: Path, lang: str | None) -> None:
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
    lang = _export_language(reference, lang)
    _ = translations(lang).gettext
    exported = export.export(warehouse, out, fmt)
    for item in exported:
        shown = f"{item.path}/" if item.partitioned else str(item.path)
        rows = _("%(n)s rows") % {"n": f"{formats.number(item.rows, lang):>8}"}
        click.echo(f"{item.relation:<22} {rows}  {shown}")
    click.echo(
        _("%(n)s relations exported to %(folder)s")
        % {"n": formats.number(len(exported), lang), "folder": out}
    )


def _export_language(reference: Path, lang: str | None) -> str:
    """The export needs the province's settings only for their language: without them
    (no reference folder where the export runs) it speaks the default one."""
    if lang is None and reference.is_dir():
        try:
            return _province(reference, None)
        except ReferenceError:
            pass
    return _set_language(lang or DEFAULT_LANG)


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
@one_line()
def templates_command(reference: Path, out: Path, period: str | None, lang: str | None) -> None:
    """Write a return template for every commune, for the clerks to fill in.

    One workbook per commune of the reference, <out>/templates/<period>/<code>-<name>.xlsx:
    Info prefilled (code, name, period), the cells of the commune's latest accepted
    return up to the period, a Meetings row per cell and month, dropdowns and checks
    on every column, and an instructions sheet. Files are replaced, others left alone.

    \b
    Example:
      python -m pipeline templates --period 2026-Q4
    """
    lang = _province(reference, lang)
    _ = translations(lang).gettext
    from pipeline.prefill import write_templates

    warehouse = no_file_in_the_way(out, "--out") / "warehouse.duckdb"
    quarter = _quarter(period) or _following_quarter(warehouse)
    folder = folder_to_write(out, "--out") / "templates" / formats.period_code(quarter)
    paths = write_templates(
        load_reference(reference, lang),
        warehouse if warehouse.exists() else None,
        folder,
        quarter,
        lang,
    )
    counts = {
        "n": formats.number(len(paths), lang),
        "period": formats.period_code(quarter),
        "folder": folder,
    }
    click.echo(_("%(n)s templates for %(period)s in %(folder)s") % counts)


def _following_quarter(warehouse: Path) -> tuple[int, int]:
    """The quarter after the latest in the warehouse: the templates' default period."""
    from pipeline.prefill import default_period

    quarter = default_period(warehouse)
    if quarter is not None:
        return quarter
    if warehouse.exists():
        raise Failure(
            N_(
                "No accepted return in %(warehouse)s to follow: give the quarter, "
                "e.g. --period 2026-Q4."
            ),
            warehouse=warehouse,
        )
    raise Failure(
        N_(
            "No warehouse at %(warehouse)s (run `make report` first): give the quarter, "
            "e.g. --period 2026-Q4."
        ),
        warehouse=warehouse,
    )


def _server(value: str | None) -> tuple[str, int] | None:
    """``--smtp HOST:PORT`` as (host, port)."""
    if value is None:
        return None
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise BadOption(
            N_(
                "--smtp %(value)s is not a mail server: write it as HOST:PORT "
                "(mail.tinh.gov.vn:587)."
            ),
            value=value,
        )
    return host, int(port)


@main.command(name="distribute", short_help="Send each commune its bulletin and feedback.")
@shared_options(
    "reference",
    "out",
    "period",
    "lang",
    out="Output folder: the bulletins and feedback to send are read from there, the outbox "
    "and the record of what was sent are written under <out>/outbox.",
    period="Quarter to send, e.g. 2026-Q3 [default: the latest with returns].",
    lang="Language of the messages [default: from province.toml].",
)
@click.option(
    "--smtp",
    metavar="HOST:PORT",
    help="Send through this mail server (STARTTLS when it offers it; a login from the "
    "environment variables SMTP_USER and SMTP_PASSWORD). Without it, the messages are "
    "written as .eml files into <out>/outbox/<period>/ for review.",
)
@click.option(
    "--sender",
    metavar="ADDRESS",
    help="The From address [default: board_email of province.toml].",
)
@one_line()
def distribute_command(
    reference: Path,
    out: Path,
    period: str | None,
    lang: str | None,
    smtp: str | None,
    sender: str | None,
) -> None:
    """Send each commune of contacts.csv its bulletin and feedback, and the board its bulletin.

    Each commune gets one message in the run's language saying its status and what to do,
    with its bulletin PDF and the feedback workbook of each of its files with problems; a
    commune without a return gets a reminder with the deadline. The board (board_email in
    province.toml) gets the province bulletin and a line per commune. Without --smtp the
    messages are written as .eml files to review or send from a mail program. With --smtp
    each message the server accepts is recorded at once in <out>/outbox/sent.jsonl: a
    message is never sent twice, a rerun after a failure sends only what is left, and a
    commune whose return or feedback changed gets one new message replacing the earlier.

    Exit status: 0 when every message was written or sent, 1 when some are left (the
    server failed or refused an address) or nothing could be done.

    \b
    Example:
      python -m pipeline distribute                       # the outbox, to review
      SMTP_USER=bantochuc SMTP_PASSWORD=… python -m pipeline distribute \\
          --smtp mail.tinh.gov.vn:587 --sender bantochuc@tinh.gov.vn
    """
    lang = _province(reference, lang)
    quarter = _quarter(period)
    server = _server(smtp)
    from pipeline.distribute import distribute
    from pipeline.sent import print_distribution

    done = distribute(out, reference, quarter, lang, server, sender)
    print_distribution(done, terminal.console())
    if done.left:
        _ = translations(lang).gettext
        _fail(
            _(
                "%(n)s message(s) are left (see above): correct what the server refused, then "
                "run the command again; what was sent is not sent again."
            )
            % {"n": formats.number(done.left, lang)},
            1,
        )
