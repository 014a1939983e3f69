"""Check returns as they arrive (the ``check`` command).

The given files are read and validated exactly as ``report`` does (the same worker
processes, the same rules, the province's communes), each gets a verdict and a
feedback workbook when it has problems. The accepted ones are also compared with the
returns in use of the published warehouse, as ``report`` will compare them (SPEC §4a),
so a clerk hears of a jump before the deadline. The warehouse is only read (without
one, the files are compared with each other); the bulletins are never touched.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline import formats, plausibility
from pipeline.clock import today
from pipeline.failure import Failure
from pipeline.feedback import plan_feedback, write_feedback
from pipeline.folders import file_to_read
from pipeline.labels import N_, translations
from pipeline.load import build_warehouse
from pipeline.problems import Problem
from pipeline.quarters import Quarter
from pipeline.read import Workbook, expected_header, is_skipped, raw_files
from pipeline.reference import Reference, load_reference
from pipeline.validate import Validated, validate
from pipeline.warehouse import open_read_only
from pipeline.workers import read_all
from schemas import SHEET_BY_NAME


class NothingToCheck(Failure):
    """No return among the paths given."""


@dataclass
class Checked:
    """What ``check`` found, file by file, in the order given."""

    books: list[Workbook]
    validated: Validated
    lang: str
    feedback: dict[str, Path] = field(default_factory=dict)  # file name -> workbook written
    skipped: list[Path] = field(default_factory=list)  # lock and hidden files named explicitly
    not_compared: Failure | None = None  # why the published warehouse could not be read

    def accepted(self, file_name: str) -> bool:
        files = self.validated.files
        return bool(files.loc[files["file_name"] == file_name, "accepted"].iloc[0])

    @property
    def all_accepted(self) -> bool:
        return bool(self.validated.files["accepted"].all())


def returns_among(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """The files to check, in the order given (a folder: its files, as ``report`` reads
    them), and the lock or hidden files named explicitly, which are skipped."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if not path.exists():
            raise NothingToCheck(
                N_("%(path)s does not exist: give the path of a return workbook, or of a folder."),
                path=path,
            )
        if path.is_dir():
            files += list(raw_files(path, "FILE"))
        elif is_skipped(path):
            skipped.append(path)
        else:
            files.append(path)
    for path in files:
        file_to_read(path)
    unique = list(dict.fromkeys(p.absolute() for p in files))
    return unique, skipped


def check(
    paths: list[Path],
    reference_dir: Path,
    feedback_dir: Path,
    lang: str | None,
    warehouse: Path | None = None,
) -> Checked:
    """Validate the returns among ``paths``, compare the accepted ones with the returns in
    use of ``warehouse`` (when there is one) and write their feedback into ``feedback_dir``.

    File names are relative to the closest folder holding every file.
    """
    reference = load_reference(reference_dir, lang)
    lang = lang or reference.settings.language
    files, skipped = returns_among(paths)
    if not files:
        raise NothingToCheck(N_("No return to check among the files given."))
    root = Path(os.path.commonpath([p.parent for p in files]))
    books = read_all(files, root, lang)
    communes = set(reference.communes["commune_code"])
    validated = validate(books, communes, today(), lang)
    found, not_compared = _compared(validated, reference, warehouse, lang)
    validated = plausibility.joined(validated, found)
    checked = Checked(books, validated, lang, skipped=skipped, not_compared=not_compared)
    checked.feedback = _write_feedback(books, validated, feedback_dir, lang, root)
    return checked


def _compared(
    validated: Validated, reference: Reference, warehouse: Path | None, lang: str
) -> tuple[list[Problem], Failure | None]:
    """The plausibility warnings of the accepted files (SPEC §4a), against the returns in
    use of ``warehouse``; without a warehouse, or when it cannot be read (the reason is
    returned), the files are compared with each other only."""
    if not validated.files["accepted"].any():
        return [], None
    thresholds = reference.settings.plausibility
    with tempfile.TemporaryDirectory(prefix="pipeline-check-") as folder:
        built = build_warehouse(Path(folder) / "checked.duckdb", validated, reference, lang)
        if warehouse is None or not warehouse.exists():
            return plausibility.recorded(built), None
        try:
            with open_read_only(warehouse) as published:
                return plausibility.against(published, built, thresholds, lang), None
        except Failure as failure:
            return plausibility.recorded(built), failure
        except duckdb.Error as error:  # a DuckDB file that is not our warehouse
            reason = Failure(
                N_("The warehouse %(path)s cannot be opened: %(error)s"),
                path=warehouse,
                error=str(error).splitlines()[0],
            )
            return plausibility.recorded(built), reason


def _write_feedback(
    books: list[Workbook], validated: Validated, folder: Path, lang: str, root: Path
) -> dict[str, Path]:
    """One workbook per file with problems; a new check of a file replaces its workbook.

    Each file is written with its own period (a file whose period cannot be read, with
    the current quarter), into a folder beside ``folder`` first, then moved in.
    """
    with_problems = {p.file_name for p in validated.problems}
    folder.mkdir(parents=True, exist_ok=True)
    now = today()
    current = Quarter.of(now)
    files = validated.files.set_index("file_name")
    written: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(dir=folder, prefix=".check-") as building:
        for book in books:
            if book.file_name not in with_problems:
                continue
            year, quarter = files.at[book.file_name, "year"], files.at[book.file_name, "quarter"]
            period = (int(year), int(quarter)) if pd.notna(year) else current
            planned = plan_feedback(validated, Path(building), period, [book.file_name])
            books_by_name = {book.file_name: book}
            for path in write_feedback(planned, books_by_name, lang, period, root):
                written[book.file_name] = path
        for file_name, path in written.items():
            final = folder / path.name
            path.replace(final)
            written[file_name] = final
    return written


# --- output -----------------------------------------------------------------------------


def print_checked(checked: Checked, console: Console) -> None:
    """Each file's verdict and problems (sheet as the clerk named it, Excel row, cell)."""
    lang = checked.lang
    _ = translations(lang).gettext
    by_file: dict[str, list[Problem]] = {}
    for problem in checked.validated.problems:
        by_file.setdefault(problem.file_name, []).append(problem)
    if checked.not_compared is not None:
        note = _("Not compared with the warehouse, only with each other: %(reason)s") % {
            "reason": checked.not_compared.text(lang)
        }
        console.print(Text(note, style="yellow"))
    for path in checked.skipped:
        line = _("%(file)s: skipped (an Office lock file or a hidden file)") % {"file": path}
        console.print(Text(line))
    for book in checked.books:
        problems = by_file.get(book.file_name, [])
        console.print(_verdict_line(checked, book.file_name, problems))
        if problems:
            console.print(_problem_table(book, problems, lang))
        if book.file_name in checked.feedback:
            feedback = checked.feedback[book.file_name]
            console.print(Text("  " + _("Feedback workbook: %(path)s") % {"path": feedback}))
    accepted = sum(checked.accepted(book.file_name) for book in checked.books)
    counts = {
        "files": formats.number(len(checked.books), lang),
        "accepted": formats.number(accepted, lang),
        "rejected": formats.number(len(checked.books) - accepted, lang),
    }
    console.print(
        Text(_("Files checked: %(files)s · Accepted %(accepted)s · Rejected %(rejected)s") % counts)
    )


def _verdict_line(checked: Checked, file_name: str, problems: list[Problem]) -> Text:
    _ = translations(checked.lang).gettext
    counts = Counter(p.severity for p in problems)
    tally = _("(Errors %(errors)s, Warnings %(warnings)s)") % {
        "errors": formats.number(counts["error"], checked.lang),
        "warnings": formats.number(counts["warning"], checked.lang),
    }
    if not checked.accepted(file_name):
        verdict, style = _("Rejected: fix the errors and send the file again"), "bold red"
    elif problems:
        verdict, style = _("Accepted, with warnings to fix"), "yellow"
    else:
        verdict, style = _("Accepted"), "green"
    line = Text(f"{file_name}: ")
    line.append(verdict, style=style)
    line.append(f" {tally}")
    return line


def _problem_table(book: Workbook, problems: list[Problem], lang: str) -> Table:
    _ = translations(lang).gettext
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0), show_edge=False)
    table.add_column("", width=2)  # indent under the file's line
    for header in (_("Severity"), _("Sheet"), _("Row"), _("Cell reference"), _("Column")):
        table.add_column(header, no_wrap=True)
    table.add_column(_("What to do"))
    styles = {"error": "red", "warning": "yellow"}
    severities = {"error": _("error"), "warning": _("warning")}
    for p in problems:
        sheet, column = as_written(book, p, lang)
        table.add_row(
            "",
            Text(severities[p.severity], style=styles[p.severity]),
            Text(sheet),
            str(p.row) if p.row else "",  # a row number, as Excel shows it: no digit groups
            p.cell or "",
            Text(column),
            Text(p.message),
        )
    return table


def as_written(book: Workbook, problem: Problem, lang: str) -> tuple[str, str]:
    """The problem's sheet and column as the clerk's workbook names them; a sheet or column
    missing from it, as the template of ``lang`` names it (as the message does)."""
    sheet = book.sheets.get(problem.sheet or "")
    spec = SHEET_BY_NAME.get(problem.sheet or "")
    column = problem.column or ""
    if sheet is not None and column in sheet.columns:
        column = sheet.columns[column][0]
    elif spec is not None and column in _fields(spec.name):
        column = expected_header(column, _fields(spec.name)[column], lang)
    if sheet is not None:
        return sheet.name, column
    if spec is not None:
        return (spec.aliases[0] if lang == "vi" else spec.name), column
    return problem.sheet or "", column


@cache
def _fields(sheet: str) -> dict[str, dict]:
    return SHEET_BY_NAME[sheet].fields()
