"""Problems -> one feedback workbook per file with problems, for the commune to fix.

Each workbook lists the problems in reading order, then copies the sheets the
clerk sent with every offending cell coloured and commented. Values keep their
type (a number stays a number, a date a date) and, for .xlsx/.xlsm, their number
format; text stays text: a cell that held ``=HYPERLINK(...)`` stays inert.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import xlsxwriter
from babel.dates import format_date
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.worksheet import Worksheet

from pipeline.labels import slug, translations
from pipeline.number_formats import NumberFormat, SheetFormats, is_temporal, read_number_formats
from pipeline.problems import Problem
from pipeline.read import Grid, Merge, Workbook
from pipeline.validate import SHEET_ORDER, Validated
from pipeline.values import shown
from pipeline.workers import fork_map

MAX_SHEET_NAME = 31  # Excel's limit
MARKS = {
    "error": {"bg_color": "#F8B4B4", "border": 1},
    "warning": {"bg_color": "#FFE08A", "border": 1},
}
# Formats for dates and times whose own format is unknown (.xls, .ods, an unreadable
# .xlsx): day first, as Vietnamese clerks write them.
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TIME_FORMAT = "hh:mm:ss"
DURATION_FORMAT = "[h]:mm:ss"
EXCEL_FIRST_DAY = dt.date(1900, 1, 1)  # Excel holds no earlier date

InUse = tuple[str, dt.date]  # the return in use that replaces a file: its name, submitted_on


class Planned(NamedTuple):
    """A feedback workbook to make: for which file, where, and what it says."""

    file_name: str
    sha256: str
    path: Path
    problems: list[Problem]
    accepted: bool
    replaced_by: InUse | None


class _Job(NamedTuple):
    """One feedback workbook to write (in a fork_map worker)."""

    path: Path
    book: Workbook
    problems: list[Problem]
    accepted: bool
    replaced_by: InUse | None
    source: Path | None  # the file itself, for its number formats
    lang: str
    period: tuple[int, int]


def plan_feedback(
    validated: Validated,
    folder: Path,
    period: tuple[int, int],
    names: list[str] | None = None,
) -> list[Planned]:
    """One workbook in ``folder`` per file of the period with problems (of ``names`` only,
    when given), in file order. A file whose period cannot be read goes with the period
    being run."""
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for problem in validated.problems:
        by_file[problem.file_name].append(problem)
    files = validated.files.set_index("file_name")
    replaced = replacements(files)
    chosen: list[tuple[str, str | None]] = []
    for name in files.index if names is None else names:
        facts = files.loc[name]
        of_other_period = pd.notna(facts["year"]) and (
            (int(facts["year"]), int(facts["quarter"])) != period
        )
        if by_file[name] and not of_other_period:
            commune = facts["commune_code"] if isinstance(facts["commune_code"], str) else None
            chosen.append((name, commune))
    workbooks = feedback_names(chosen)
    planned = [
        Planned(
            name,
            str(files.at[name, "sha256"]),
            folder / workbooks[name],
            by_file[name],
            bool(files.at[name, "accepted"]),
            replaced.get(name),
        )
        for name, _commune in chosen
    ]
    return planned


def write_feedback(
    planned: list[Planned],
    books: dict[str, Workbook],
    lang: str,
    period: tuple[int, int],
    raw: Path | None = None,
) -> list[Path]:
    """Write the planned workbooks (``books``: the workbook of each file), over the fork
    pool: a national quarter has a thousand of them. ``raw`` is the folder the file names
    are relative to: the number formats of .xlsx/.xlsm files are read from there (without
    it, dates get a default format)."""
    work = [
        _Job(
            plan.path,
            books[plan.file_name],
            plan.problems,
            plan.accepted,
            plan.replaced_by,
            raw / plan.file_name if raw is not None else None,
            lang,
            period,
        )
        for plan in planned
    ]
    fork_map(_write_job, work)
    return [plan.path for plan in planned]


def feedback_stem(file_name: str, commune: str | None) -> str:
    """The workbook's name: the file's, after its commune code unless it starts with it.

    ``14073_BC_Q3.2026.xlsx`` gives ``14073-bc-q3-2026`` (not ``14073-14073-…``);
    ``bc-q3.xlsx`` of commune 14073 gives ``14073-bc-q3``; ``140731-x.xlsx`` names
    another number, so it gives ``14073-140731-x``. A file naming no commune: ``unknown-…``.
    """
    stem = slug(Path(file_name).stem)
    if commune is None:
        return f"unknown-{stem}"
    if re.match(rf"{re.escape(commune)}(?![0-9])", stem):
        return stem
    return f"{commune}-{stem}"


def replacements(files: pd.DataFrame) -> dict[str, InUse]:
    """File name -> the return in use that makes it moot (``files`` indexed by file name).

    The return in use of a commune and period is its accepted file with the latest
    ``submitted_on`` (ties: the later modification time, then the file name: SPEC §4,
    ``020_submissions.sql``). It replaces the other accepted files (superseded) and the
    rejected files sent before it, by the same order (a rejected file without a readable
    date, by modification time). Files naming no commune or period are never replaced.
    """
    keys = ["commune_code", "year", "quarter"]
    frame = files.reset_index()
    accepted = frame[frame["accepted"]].sort_values(["submitted_on", "mtime", "file_name"])
    in_use = accepted.groupby(keys, dropna=True).tail(1)[
        [*keys, "file_name", "submitted_on", "mtime"]
    ]
    pairs = frame.merge(in_use, on=keys, suffixes=("", "_in_use"))
    pairs = pairs[pairs["file_name"] != pairs["file_name_in_use"]]
    return {
        f.file_name: (f.file_name_in_use, f.submitted_on_in_use.date())
        for f in pairs.itertuples(index=False)
        if f.accepted or _sent_before(f)
    }


def _sent_before(f: Any) -> bool:
    """Whether a rejected file comes before the return in use, in the order that picks it."""
    if pd.notna(f.submitted_on) and f.submitted_on != f.submitted_on_in_use:
        return bool(f.submitted_on < f.submitted_on_in_use)
    return (f.mtime, f.file_name) < (f.mtime_in_use, f.file_name_in_use)


def _write_job(job: _Job) -> None:
    grids = {canonical: data.grid for canonical, data in job.book.sheets.items()}  # unpacked once
    sizes = {
        job.book.sheets[canonical].name: (len(grid), max((len(row) for row in grid), default=0))
        for canonical, grid in grids.items()
    }
    formats: dict[str, SheetFormats] = {}
    if sizes and job.source is not None:  # only a file that was read (and screened) has sheets
        formats = read_number_formats(job.source, job.book.sha256, sizes)
    _write(job, grids, formats)


def feedback_names(files: list[tuple[str, str | None]]) -> dict[str, str]:
    """The workbook name of each (file name, commune code) of a period's files with
    problems, in file order: ``feedback_stem`` + ``.xlsx``, numbered ``-2``, ``-3``… when two
    files share a stem. A pure function of the list, so other stages find the same names.
    """
    names: dict[str, str] = {}
    taken: set[str] = set()
    for file_name, commune in files:
        stem = feedback_stem(file_name, commune)
        name, n = f"{stem}.xlsx", 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}.xlsx"
        taken.add(name)
        names[file_name] = name
    return names


def _verdict(job: _Job) -> str:
    _ = translations(job.lang).gettext
    if job.replaced_by is not None:
        name, day = job.replaced_by
        values = {"file": Path(name).name, "date": _date(day, job.lang)}
        if job.accepted:
            return (
                _(
                    "Nothing to do: the later file %(file)s (submitted on %(date)s) replaces this "
                    "one and is in use. Its problems are listed for information."
                )
                % values
            )
        return (
            _(
                "Nothing to do: this file was rejected, but the later file %(file)s (submitted on "
                "%(date)s) was accepted and is in use. Its problems are listed for information."
            )
            % values
        )
    if job.accepted:
        return _("Accepted, with warnings to fix")
    return _("Rejected: fix the errors and send the file again")


def _date(day: dt.date, lang: str) -> str:
    """As the bulletins write dates: ``05/10/2026`` in Vietnamese, ``5 Oct 2026`` in English."""
    return format_date(day, "dd/MM/yyyy" if lang == "vi" else "d MMM yyyy", locale=lang)


def _write(job: _Job, grids: dict[str, Grid], formats: dict[str, SheetFormats]) -> None:
    _ = translations(job.lang).gettext
    book, problems = job.book, job.problems
    workbook = xlsxwriter.Workbook(
        job.path,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            # no temporary files (slow to remove), and fixed zip entry dates and modes
            "in_memory": True,
        },
    )
    # Fixed metadata so the same problems give the same bytes.
    workbook.set_properties({"created": dt.datetime(job.period[0], 1, 1), "title": book.file_name})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    styles = _Styles(workbook)
    sheet = workbook.add_worksheet(_("Problems")[:MAX_SHEET_NAME])
    widths = (16, 6, 10, 22, 16, 10, 70)  # characters; the message column wraps
    last = len(widths) - 1
    # The file and the verdict across the table's width, so neither runs off a printed page.
    sheet.merge_range(0, 0, 0, last, book.file_name, bold)
    sheet.merge_range(1, 0, 1, last, _verdict(job), bold)
    sheet.set_row(1, 32)
    headers = [
        _("Sheet"),
        _("Row"),
        _("Cell reference"),
        _("Column"),
        _("Value"),
        _("Severity"),
        _("What to do"),
    ]
    for c, header in enumerate(headers):
        sheet.write_string(3, c, header, bold)
    for r, p in enumerate(problems, start=4):
        sheet_name, header = _as_written(book, p)
        cells = [
            sheet_name,
            "",
            p.cell or "",
            header,
            p.value or "",
            _("error") if p.severity == "error" else _("warning"),
            p.message,
        ]
        for c, value in enumerate(cells):
            sheet.write_string(r, c, value, wrap)
        if p.row:
            sheet.write_number(r, 1, p.row, wrap)
        # Excel fits a wrapped row's height when it opens the file, LibreOffice does not:
        # the height is set for the lines the message takes (~75 characters a line).
        sheet.set_row(r, 15 * max(1, -(-len(p.message) // 75)))
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    sheet.freeze_panes(4, 0)
    _printable(sheet)
    sheet.repeat_rows(3)
    _copy_sheets(workbook, book, grids, problems, styles, formats)
    workbook.close()


def _printable(sheet: Any) -> None:
    """Printed on A4 landscape, one page wide: a printed sheet loses no column."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


class _Styles:
    """The workbook's cell formats, made once each: a mark (or none) and a number format."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self._workbook = workbook
        self._made: dict[tuple[str | None, NumberFormat | None], Format | None] = {}

    def get(self, severity: str | None, number_format: NumberFormat | None) -> Format | None:
        key = (severity, number_format)
        if key not in self._made:
            properties: dict[str, Any] = dict(MARKS[severity]) if severity else {}
            if number_format is not None:
                properties["num_format"] = number_format
            self._made[key] = self._workbook.add_format(properties) if properties else None
        return self._made[key]


def _as_written(book: Workbook, problem: Problem) -> tuple[str, str]:
    """The sheet name and column header as they are in the clerk's workbook."""
    data = book.sheets.get(problem.sheet or "")
    if data is None:
        return problem.sheet or "", problem.column or ""
    header = data.columns.get(problem.column or "", (problem.column or "", 0))[0]
    return data.name, header


def _copy_sheets(
    workbook: xlsxwriter.Workbook,
    book: Workbook,
    grids: dict[str, Grid],  # canonical sheet -> its cells as read
    problems: list[Problem],
    styles: _Styles,
    formats: dict[str, SheetFormats],
) -> None:
    """The clerk's sheets as sent, offending cells coloured and commented."""
    marked: dict[str, dict[tuple[int, int], Problem]] = defaultdict(dict)
    for p in problems:
        if p.sheet and p.cell:
            marked[p.sheet].setdefault(xl_cell_to_rowcol(p.cell), p)
    used = {name.casefold() for name in workbook.sheetnames}
    for canonical in sorted(book.sheets, key=SHEET_ORDER.__getitem__):
        data = book.sheets[canonical]
        sheet = workbook.add_worksheet(_sheet_name(data.name, canonical, used))
        _printable(sheet)
        found = formats.get(data.name, {})
        grid = grids[canonical]
        for r1, c1, r2, c2 in _merges_to_draw(data.merges, set(marked[canonical])):
            sheet.merge_range(r1, c1, r2, c2, "")  # its first cell's value is written below
        for r, cells in enumerate(grid):
            for c, value in enumerate(cells):
                problem = marked[canonical].get((r, c))
                if problem is None:
                    if value is not None and value != "":
                        _write_cell(sheet, r, c, value, styles.get, None, found.get((r, c)))
                    continue
                _write_cell(sheet, r, c, value, styles.get, problem.severity, found.get((r, c)))
                sheet.write_comment(r, c, problem.message, {"x_scale": 3, "y_scale": 2})
        sheet.set_column(0, max((len(row) for row in grid), default=1), 16)


def _merges_to_draw(merges: list[Merge], flagged: set[tuple[int, int]]) -> list[Merge]:
    """The sheet's merged ranges to draw again, as the clerk drew them; not a range over a
    flagged cell other than its first (merged, the cell's colour and comment would be
    hidden), nor one overlapping a range already drawn (Excel refuses the file)."""
    drawn: list[Merge] = []
    for r1, c1, r2, c2 in merges:
        if (r1, c1) == (r2, c2):
            continue
        if any(r1 <= r <= r2 and c1 <= c <= c2 and (r, c) != (r1, c1) for r, c in flagged):
            continue
        if any(r1 <= b2 and b1 <= r2 and c1 <= d2 and d1 <= c2 for b1, d1, b2, d2 in drawn):
            continue
        drawn.append((r1, c1, r2, c2))
    return drawn


def _sheet_name(name: str, canonical: str, used: set[str]) -> str:
    """The clerk's sheet name when Excel allows it here, else the canonical one."""
    candidate = name[:MAX_SHEET_NAME]
    if (
        not candidate
        or candidate.casefold() in used
        or re.search(r"[\[\]:*?/\\]", candidate)
        or candidate.startswith("'")
        or candidate.endswith("'")
        or candidate.casefold() == "history"  # reserved by Excel
    ):
        candidate, n = canonical, 1
        while candidate.casefold() in used:
            n += 1
            candidate = f"{canonical} {n}"
    used.add(candidate.casefold())
    return candidate


def _write_cell(
    sheet: Worksheet,
    r: int,
    c: int,
    value: Any,
    style: Callable[[str | None, NumberFormat | None], Format | None],
    severity: str | None,
    number_format: NumberFormat | None,
) -> None:
    """One value of the grid with its type: a number stays a number, a date a date."""
    if isinstance(value, str):  # a formula's text too: never written as a formula
        if value:
            sheet.write_string(r, c, value, style(severity, number_format))
        elif severity:
            sheet.write_blank(r, c, None, style(severity, None))
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value, style(severity, number_format))
    elif isinstance(value, int | float) and math.isfinite(value):
        sheet.write_number(r, c, value, style(severity, number_format))
    elif _is_excel_time(value):
        if number_format is None or not is_temporal(number_format):
            number_format = _default_format(value)
        sheet.write_datetime(r, c, value, style(severity, number_format))
    else:  # what Excel cannot hold as a value, as text
        text = shown(value)
        if text:
            sheet.write_string(r, c, text, style(severity, number_format))
        elif severity:
            sheet.write_blank(r, c, None, style(severity, None))


def _is_excel_time(value: Any) -> bool:
    """A date, time or duration that Excel can hold as one (not before 1900, not negative)."""
    if isinstance(value, dt.timedelta):
        return value >= dt.timedelta(0)
    if isinstance(value, dt.time):
        return value.tzinfo is None
    if isinstance(value, dt.datetime):
        return value.tzinfo is None and value.date() >= EXCEL_FIRST_DAY
    return isinstance(value, dt.date) and value >= EXCEL_FIRST_DAY


def _default_format(value: dt.date | dt.time | dt.timedelta) -> str:
    if isinstance(value, dt.timedelta):
        return DURATION_FORMAT
    if isinstance(value, dt.time):
        return TIME_FORMAT
    if isinstance(value, dt.datetime) and value.time() != dt.time(0):
        return DATETIME_FORMAT
    return DATE_FORMAT
