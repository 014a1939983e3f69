"""What ``report`` prints when it is done, in the language of the run.

The summary counts the files of the quarter it reports, by verdict, then the other files
read; ``--verbose`` adds the files of the quarter not accepted, each with its first error,
and the time each stage took.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import formats
from pipeline.labels import N_, translations
from pipeline.warehouse import open_read_only

if TYPE_CHECKING:
    from pipeline.run import Outcome

QUERIES = Path(__file__).parent / "sql" / "cli"
VERDICTS = {
    "accepted": N_("accepted"),
    "superseded": N_("superseded"),
    "rejected": N_("rejected"),
}


def summary(outcome: Outcome, out: Path) -> list[str]:
    """The lines printed at the end of every run: a small table of counts, then where the
    outputs are."""
    lang = outcome.lang
    _ = translations(lang).gettext
    period = formats.period_code(outcome.period)
    counts = [
        ("  ", _("files of the quarter"), outcome.files),
        ("    ", _(VERDICTS["accepted"]), outcome.accepted),
        ("    ", _(VERDICTS["superseded"]), outcome.superseded),
        ("    ", _(VERDICTS["rejected"]), outcome.rejected),
        ("  ", _("files of other quarters"), outcome.other_quarters),
        ("  ", _("files naming no readable period"), outcome.no_period),
    ]
    labels = [indent + label for indent, label, _count in counts]
    figures = [formats.number(count, lang) for _indent, _label, count in counts]
    left, right = max(map(len, labels)), max(map(len, figures))
    lines = [f"{formats.quarter(outcome.period, lang)} ({period})"]
    lines += [
        f"{label:<{left}}  {figure:>{right}}" for label, figure in zip(labels, figures, strict=True)
    ]
    lines.append(_("Warehouse: %(path)s") % {"path": outcome.warehouse})
    lines.append(
        _("Bulletins (PDF): %(n)s in %(folder)s")
        % {"n": formats.number(len(outcome.bulletins), lang), "folder": out / "bulletins" / period}
    )
    lines.append(
        _("Feedback workbooks: %(n)s in %(folder)s")
        % {"n": formats.number(len(outcome.feedback), lang), "folder": out / "feedback" / period}
    )
    return lines


def not_accepted(outcome: Outcome) -> list[str]:
    """``--verbose``: each file of the quarter (or naming none) not accepted, its first error."""
    assert outcome.warehouse is not None
    lang = outcome.lang
    _ = translations(lang).gettext
    year, quarter = outcome.period
    query = (QUERIES / "not_accepted.sql").read_text(encoding="utf-8")
    with open_read_only(outcome.warehouse) as con:
        rows = con.execute(query, {"year": year, "quarter": quarter}).fetchall()
    width = max(len(_(label)) for label in VERDICTS.values())
    lines: list[str] = []
    for file_name, verdict, errors, warnings, first in rows:
        tally = _("errors %(errors)s, warnings %(warnings)s") % {
            "errors": formats.number(errors, lang),
            "warnings": formats.number(warnings, lang),
        }
        lines.append(f"  {_(VERDICTS[verdict]):<{width}}  {file_name}: {tally}")
        if first:
            lines.append(f"  {'':<{width}}  {first}")
    return lines


def timings(outcome: Outcome) -> str:
    """``--verbose``: the seconds each stage took."""
    _ = translations(outcome.lang).gettext
    stages = " · ".join(
        f"{_(stage)} {formats.seconds(seconds, outcome.lang)}"
        for stage, seconds in outcome.timings.items()
    )
    return _("Time: %(stages)s") % {"stages": stages}
