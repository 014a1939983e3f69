"""Problems -> one feedback workbook per file with problems, for the commune to fix.

Each workbook lists the problems in reading order, then copies the sheets the
clerk sent with every offending cell coloured and commented. Values are written
as plain strings: a cell that held ``=HYPERLINK(...)`` stays inert text.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from pipeline.cache import OutputCache, code_digest, digest
from pipeline.labels import slug, translations
from pipeline.problems import Problem
from pipeline.read import Workbook, column_letter
from pipeline.validate import SHEET_ORDER, Validated
from pipeline.values import shown
from pipeline.workers import fork_map

MAX_SHEET_NAME = 31  # Excel's limit


def write_feedback(
    books: list[Workbook],
    validated: Validated,
    folder: Path,
    period: tuple[int, int],
    lang: str,
    *,
    read_more: Callable[[list[str]], list[Workbook]] | None = None,
    cache: OutputCache | None = None,
) -> list[Path]:
    """Write into ``folder`` one workbook per file of the period with problems.

    The files are those of ``books``; with ``read_more``, every file of ``validated``,
    those not in ``books`` read by ``read_more`` when their workbook is not already in
    ``cache``. A file whose period cannot be read is reported with the period being run.
    """
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for problem in validated.problems:
        by_file[problem.file_name].append(problem)
    files = validated.files.set_index("file_name")
    read = {book.file_name: book for book in books}
    names = list(files.index) if read_more else list(read)
    code = code_digest() if cache else ""
    planned: list[tuple[str, Path, str]] = []  # file name, workbook, cache key
    taken: set[str] = set()
    for name in names:
        facts = files.loc[name]
        of_other_period = pd.notna(facts["year"]) and (
            (int(facts["year"]), int(facts["quarter"])) != period
        )
        if not by_file[name] or of_other_period:
            continue
        commune = facts["commune_code"] if isinstance(facts["commune_code"], str) else "unknown"
        path = _free_name(folder, f"{commune}-{slug(Path(name).stem)}", taken)
        key = digest(code, name, facts["sha256"], by_file[name], facts["accepted"], lang, period)
        planned.append((name, path, key + ".xlsx"))
    missing = [entry for entry in planned if not (cache and cache.fetch(entry[2], entry[1]))]
    unread = [name for name, _, _ in missing if name not in read]
    if unread and read_more:
        read.update((book.file_name, book) for book in read_more(unread))
    work = [
        (path, read[name], by_file[name], bool(files.at[name, "accepted"]), lang, period)
        for name, path, _ in missing
    ]
    fork_map(_write_job, work)  # a national quarter has a thousand of them
    if cache:
        for _, path, key in missing:
            cache.keep(key, path)
    return [path for _, path, _ in planned]


def _write_job(job: tuple[Path, Workbook, list[Problem], bool, str, tuple[int, int]]) -> None:
    path, book, problems, accepted, lang, period = job
    _write(path, book, problems, accepted, translations(lang).gettext, period)


def _free_name(folder: Path, stem: str, taken: set[str]) -> Path:
    """``stem.xlsx`` in ``folder``, numbered when two files of a commune share a name."""
    name, n = f"{stem}.xlsx", 1
    while name in taken or (folder / name).exists():
        n += 1
        name = f"{stem}-{n}.xlsx"
    taken.add(name)
    return folder / name


def _write(
    path: Path,
    book: Workbook,
    problems: list[Problem],
    accepted: bool,
    _: Any,
    period: tuple[int, int],
) -> None:
    workbook = xlsxwriter.Workbook(
        path, {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    # Fixed metadata so the same problems give the same bytes.
    workbook.set_properties({"created": dt.datetime(period[0], 1, 1), "title": book.file_name})
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    marks = {
        "error": workbook.add_format({"bg_color": "#F8B4B4", "border": 1}),
        "warning": workbook.add_format({"bg_color": "#FFE08A", "border": 1}),
    }
    sheet = workbook.add_worksheet(_("Problems")[:MAX_SHEET_NAME])
    verdict = (
        _("Accepted, with warnings to fix")
        if accepted
        else _("Rejected: fix the errors and send the file again")
    )
    sheet.write_string(0, 0, book.file_name, bold)
    sheet.write_string(1, 0, verdict, bold)
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
            sheet.write_string(r, c, value, wrap if c == 6 else None)
        if p.row:
            sheet.write_number(r, 1, p.row)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 2, 7)
    sheet.set_column(3, 4, 20)
    sheet.set_column(5, 5, 9)
    sheet.set_column(6, 6, 90)
    sheet.freeze_panes(4, 0)
    _copy_sheets(workbook, book, problems, marks)
    workbook.close()


def _as_written(book: Workbook, problem: Problem) -> tuple[str, str]:
    """The sheet name and column header as they are in the clerk's workbook."""
    data = book.sheets.get(problem.sheet or "")
    if data is None:
        return problem.sheet or "", problem.column or ""
    header = data.columns.get(problem.column or "", (problem.column or "", 0))[0]
    return data.name, header


def _copy_sheets(
    workbook: xlsxwriter.Workbook, book: Workbook, problems: list[Problem], marks: dict
) -> None:
    """The clerk's sheets as sent, offending cells coloured and commented."""
    marked: dict[str, dict[tuple[int, int], Problem]] = defaultdict(dict)
    for p in problems:
        if p.sheet and p.cell and p.row:
            col = _column_index(p.cell)
            marked[p.sheet].setdefault((p.row - 1, col), p)
    used = {"problems"}
    for canonical in sorted(book.sheets, key=SHEET_ORDER.__getitem__):
        data = book.sheets[canonical]
        name = data.name[:MAX_SHEET_NAME]
        if name.casefold() in used:
            name = canonical
        used.add(name.casefold())
        sheet = workbook.add_worksheet(name)
        for r, cells in enumerate(data.grid):
            for c, value in enumerate(cells):
                problem = marked[canonical].get((r, c))
                text = shown(value)
                if text or problem:
                    sheet.write_string(r, c, text, marks[problem.severity] if problem else None)
                if problem:
                    sheet.write_comment(r, c, problem.message, {"x_scale": 3, "y_scale": 2})
        sheet.set_column(0, max((len(row) for row in data.grid), default=1), 16)


def _column_index(cell: str) -> int:
    letters = "".join(ch for ch in cell if ch.isalpha())
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    assert column_letter(index - 1) == letters
    return index - 1
