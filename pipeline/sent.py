"""What ``distribute`` prints: a line per recipient and a count, in the run's language."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline import formats
from pipeline.distribute import BOARD, Distribution, Line
from pipeline.labels import N_, label_for, translations

ACTIONS = {
    "written": N_("written to the outbox"),
    "sent": N_("sent"),
    "unchanged": N_("already sent, unchanged"),
    "no_contact": N_("no address in contacts.csv"),
    "refused": N_("refused by the server"),
    "left": N_("not sent: the server failed"),
}
STYLES = {"refused": "bold red", "left": "red", "no_contact": "yellow", "unchanged": "dim"}


def print_distribution(done: Distribution, console: Console) -> None:
    """A table of the recipients, then where the messages went and how many."""
    _ = translations(done.lang).gettext
    label = label_for(done.lang)
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
    for header in (_("Commune"), "", _("Status"), _("To"), _("Attachments"), _("Message")):
        table.add_column(header, no_wrap=header != _("Message"))
    for line in done.lines:
        name = _("Party Organisation Board") if line.recipient == BOARD else line.commune_name
        table.add_row(
            "" if line.recipient == BOARD else line.recipient,
            name,
            label(line.status) if line.status else "",
            ", ".join(line.to),
            formats.number(len(line.attachments), done.lang) if line.to else "",
            Text(_action(line, done.lang), style=STYLES.get(line.action, "")),
        )
    console.print(Text(formats.quarter(done.period, done.lang), style="bold"))
    console.print(table)
    counts = {action: sum(line.action == action for line in done.lines) for action in ACTIONS}
    if done.outbox is not None:
        console.print(
            Text(
                _("%(n)s messages written to %(folder)s")
                % {"n": formats.number(counts["written"], done.lang), "folder": done.outbox}
            )
        )
    else:
        console.print(
            Text(
                _("%(sent)s messages sent, %(unchanged)s unchanged since they were sent")
                % {
                    "sent": formats.number(counts["sent"], done.lang),
                    "unchanged": formats.number(counts["unchanged"], done.lang),
                }
            )
        )


def _action(line: Line, lang: str) -> str:
    _ = translations(lang).gettext
    said = _(ACTIONS[line.action])
    if line.action == "unchanged" and line.sent_on:
        said += f" ({formats.date(line.sent_on, lang)})"
    elif line.replaces and line.action in ("written", "sent"):
        said += " " + _("(replaces the message of %(date)s)") % {
            "date": formats.date(line.replaces, lang)
        }
    if line.note:
        said += f": {line.note}"
    return said
