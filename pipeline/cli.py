"""Command line: thin commands over the job in ``pipeline.run``."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import values
from pipeline.outputs import RunInProgress
from pipeline.reference import ReferenceError
from pipeline.run import JobError, Options, Outcome, report


def _period(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple | None:
    if value is None:
        return None
    try:
        return values.period(value)
    except values.BadValue:
        raise click.BadParameter(f"{value!r} is not a quarter such as 2026-Q3.") from None


def common_options(command: click.Command) -> click.Command:
    """The options every command shares (SPEC §7)."""
    for option in reversed(
        [
            click.option(
                "--raw",
                type=click.Path(path_type=Path),
                default=Path("data/raw"),
                show_default=True,
                help="Folder of return workbooks.",
            ),
            click.option(
                "--reference",
                type=click.Path(path_type=Path),
                default=Path("data/reference"),
                show_default=True,
                help="Folder of communes, targets and province.toml.",
            ),
            click.option(
                "--out",
                type=click.Path(path_type=Path),
                default=Path("data/out"),
                show_default=True,
                help="Folder for the warehouse, bulletins and feedback.",
            ),
            click.option(
                "--period",
                callback=_period,
                metavar="YYYY-Qn",
                help="Quarter to report, e.g. 2026-Q3 [default: latest with returns].",
            ),
            click.option(
                "--lang",
                type=click.Choice(["vi", "en"]),
                help="Language of bulletins and messages [default: from province.toml].",
            ),
        ]
    ):
        command = option(command)
    return command


@click.group()
def main() -> None:
    """Quarterly party-building returns: validate, load, report."""


@main.command(name="report")
@common_options
def report_command(
    raw: Path, reference: Path, out: Path, period: tuple | None, lang: str | None
) -> None:
    """Validate every return, build the warehouse, render bulletins and feedback.

    Example: python -m pipeline report --period 2026-Q3 --lang en
    """
    try:
        outcome = report(Options(raw, reference, out, period, lang))
    except (JobError, ReferenceError, RunInProgress) as exc:
        raise click.ClickException(str(exc)) from exc
    _summary(outcome, out)


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
