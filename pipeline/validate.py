"""Raw sheet values of many workbooks -> typed rows of the accepted ones, and every problem.

Each sheet of all workbooks is validated in one pandera call (the cost is per
call, not per row), on a frame carrying ``_file`` (position of the workbook)
and ``_row`` (the Excel row) so that every failure points back to a cell.
Context columns (``_year``, ``_members``…) carry what cross-sheet rules need.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa

from pipeline import values
from pipeline.problems import CODES, PANDERA_CHECKS, Problem, expected
from pipeline.quarters import Quarter
from pipeline.read import Workbook, cell_reference, expected_header
from schemas import SHEET_BY_NAME, SHEETS, SheetSpec
from schemas.value_lists import BLANK_MEANS, VALUE_LISTS

SHEET_ORDER = {spec.name: i for i, spec in enumerate(SHEETS)}
# The optional columns of SPEC §3, (sheet, column): absent, their figures are NULL.
OPTIONAL = [
    (spec, column) for spec in SHEETS for column, meta in spec.fields().items() if meta["optional"]
]
_ABSENT = object()  # the value of a column the sheet does not have


@dataclass
class Parsed:
    """A sheet of every workbook, typed; ``raw`` keeps the values as written."""

    frame: pd.DataFrame  # _file, _row, the canonical columns, then context columns
    raw: pd.DataFrame  # same rows and index, values as the reader gave them
    failed: set[tuple[int, str]]  # (row position, column) already reported as unreadable


@dataclass
class Validated:
    """The outcome for a batch of workbooks."""

    files: pd.DataFrame  # one row per workbook (see ``_files``)
    sheets: dict[str, pd.DataFrame]  # typed rows of the accepted workbooks, per sheet
    problems: list[Problem]


def validate(books: list[Workbook], communes: set[str], today: dt.date, lang: str) -> Validated:
    """Validate ``books`` against SPEC §3 and §4 and the province's ``communes``."""
    problems = [p for book in books for p in book.problems]
    parsed = {spec.name: _parse(spec, books, lang, problems) for spec in SHEETS}
    info = _info_context(parsed["Info"].frame, communes, today)
    cells = _cells_context(parsed["Cells"].frame, info, parsed["Admissions"].frame)
    meetings = _meetings_context(parsed["Meetings"].frame, info, cells)
    admissions = _admissions_context(parsed["Admissions"].frame, info, cells)
    typed = {"Info": info, "Cells": cells, "Meetings": meetings, "Admissions": admissions}
    for name, frame in typed.items():
        problems += _run_schema(SHEET_BY_NAME[name], frame, parsed[name], books, lang)
    problems += _unreported_meetings(books, info, cells, meetings, lang)
    problems += _without_cells(books, lang)
    problems.sort(key=problem_order)
    files = _files(books, info, problems)
    accepted = set(files.loc[files["accepted"], "file_id"])
    sheets = {
        name: frame[frame["_file"].isin(accepted)].reset_index(drop=True)
        for name, frame in typed.items()
    }
    return Validated(files, sheets, problems)


def subset(validated: Validated, file_names: set[str]) -> Validated:
    """The outcome of ``file_names`` only: each file's outcome depends on that file alone."""
    files = validated.files[validated.files["file_name"].isin(file_names)]
    ids = set(files["file_id"])
    return Validated(
        files,
        {n: frame[frame["_file"].isin(ids)] for n, frame in validated.sheets.items()},
        [p for p in validated.problems if p.file_name in file_names],
    )


def combine(parts: list[Validated], order: list[str]) -> Validated:
    """One outcome from outcomes of disjoint files, as if validated together in ``order``."""
    position = {name: i for i, name in enumerate(order)}
    files, sheets, problems = [], defaultdict(list), []
    for part in parts:
        renumber = dict(
            zip(part.files["file_id"], part.files["file_name"].map(position), strict=True)
        )
        files.append(part.files.assign(file_id=part.files["file_name"].map(position)))
        for name, frame in part.sheets.items():
            sheets[name].append(frame.assign(_file=frame["_file"].map(renumber)))
        problems += part.problems
    problems.sort(key=problem_order)
    return Validated(
        _concat(files, "file_id"),
        {name: _concat(frames, "_file", "_row") for name, frames in sheets.items()},
        problems,
    )


def _concat(frames: list[pd.DataFrame], *order: str) -> pd.DataFrame:
    # Empty parts would loosen the column types of the others.
    kept = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(kept).sort_values(list(order), kind="stable").reset_index(drop=True)


# --- parsing -----------------------------------------------------------------------------


def _parser(kind: str) -> Callable[[Any], Any]:
    if kind.startswith("list:"):
        name = kind.removeprefix("list:")
        index = values.label_index(VALUE_LISTS[name])
        return lambda v: values.labelled(v, index, BLANK_MEANS.get(name))
    if kind == "bool":
        index = values.label_index(VALUE_LISTS["boolean"])
        return lambda v: values.labelled(v, index, "false") == "true"
    return {
        "text": values.text,
        "code": values.code,
        "commune_code": values.commune_code,
        "int": values.integer,
        "date": values.date,
        "month": values.month,
        "period": values.period,
    }[kind]


_DTYPES = {"int": "Int64", "month": "Int64", "bool": "boolean", "date": "datetime64[us]"}


def _parse(spec: SheetSpec, books: list[Workbook], lang: str, problems: list[Problem]) -> Parsed:
    """One typed frame for a sheet of every workbook; unreadable values become problems."""
    fields = spec.fields()
    frame = pd.DataFrame(_gathered(spec, books))
    raw_frame = frame.copy()
    failed: set[tuple[int, str]] = set()
    for column, meta in fields.items():
        raw_values = frame[column].tolist()
        parsed, bad_at = _parsed(_parser(meta["kind"]), raw_values)
        for i in bad_at:
            bad, raw = parsed[i], raw_values[i]
            parsed[i] = None
            failed.add((i, column))
            book = books[int(frame.at[i, "_file"])]
            problems.append(
                _problem(
                    book,
                    spec,
                    int(frame.at[i, "_row"]),
                    column,
                    raw,
                    bad.code,
                    lang,
                    {"choices": _choices(meta, lang)},
                )
            )
        if meta["kind"] == "month":
            frame["_month_year"] = pd.array([p[1] if p else None for p in parsed], dtype="Int64")
            parsed = [p[0] if p else None for p in parsed]
        if meta["kind"] == "period":
            frame["_year"] = pd.array([p[0] if p else None for p in parsed], dtype="Int64")
            frame["_quarter"] = pd.array([p[1] if p else None for p in parsed], dtype="Int64")
            parsed = [f"{p[0]}-Q{p[1]}" if p else None for p in parsed]
        typed, refused = _typed(parsed, _DTYPES.get(meta["kind"], "str"))
        for i in refused:
            failed.add((i, column))
            book = books[int(frame.at[i, "_file"])]
            extra = {"expected": expected(meta["kind"], lang)}
            row = int(frame.at[i, "_row"])
            raw = raw_values[i]
            problems.append(
                _problem(book, spec, row, column, raw, "value-not-checked", lang, extra)
            )
        frame[column] = typed
    return Parsed(frame, raw_frame, failed)


def _typed(parsed: list[Any], dtype: str) -> tuple[pd.Series, list[int]]:
    """The column as ``dtype``, and the positions of parsed values it cannot hold
    (blanked in ``parsed``).

    The parsers keep values in range (numbers, years); this is the guard for any value
    they let through, so that one file can never stop the batch.
    """
    if dtype == "str":
        return pd.Series(parsed, dtype=object).astype("str"), []
    try:
        return pd.Series(parsed, dtype=dtype), []
    except (TypeError, ValueError, OverflowError):
        pass
    refused = []
    for i, value in enumerate(parsed):
        try:
            pd.Series([value], dtype=dtype)
        except (TypeError, ValueError, OverflowError):
            parsed[i] = None
            refused.append(i)
    return pd.Series(parsed, dtype=dtype), refused


def _gathered(spec: SheetSpec, books: list[Workbook]) -> dict[str, list[Any]]:
    """The sheet's rows of every workbook, column by column (``_file``, ``_row``, then the
    canonical columns): each sheet's rows turned into columns at C speed."""
    fields = spec.fields()
    columns: dict[str, list[Any]] = {"_file": [], "_row": [], **{c: [] for c in fields}}
    for file_id, book in enumerate(books):
        sheet = book.sheets.get(spec.name)
        if sheet is None or not sheet.rows:
            continue
        excel_rows, raws = zip(*sheet.rows, strict=True)
        held = dict(zip(sheet.columns, zip(*raws, strict=True), strict=True))
        count = len(excel_rows)
        columns["_file"].extend([file_id] * count)
        columns["_row"].extend(excel_rows)
        for column in fields:
            # A column the sheet lacks reads a marker: "not reported", not blank.
            columns[column].extend(held.get(column, (_ABSENT,) * count))
    return columns


def _parsed(parse: Callable[[Any], Any], raw_values: list[Any]) -> tuple[list[Any], list[int]]:
    """``parse`` of each value, its BadValue instead of raising, and the positions of the
    BadValues; each distinct raw value is parsed once.

    A column of a national quarter holds a few hundred distinct values in a million
    rows ("x", small numbers, the value-list labels): the look-ups run at C speed. Where
    a column mixes values of types that compare equal (``1 == 1.0 == True`` in Python,
    a formula without a value and a text), the type is part of the key: they do not
    parse alike.
    """

    def run(raw: Any) -> Any:
        if raw is _ABSENT:
            return None  # the column is not in the sheet: not reported, not blank
        try:
            if isinstance(raw, values.UncachedFormula):
                raise values.BadValue("formula-without-value")
            return parse(raw)
        except values.BadValue as bad:
            return bad

    kinds = set(map(type, raw_values))
    by_type = len(kinds & {bool, int, float}) > 1 or {str, values.UncachedFormula} <= kinds
    # Keyed by the value alone elsewhere (most columns): no pair to make for each value.
    keys: list[Any] = raw_values
    if by_type:
        keys = list(zip(map(type, raw_values), raw_values, strict=True))
    try:
        memo = {key: run(key[1] if by_type else key) for key in dict.fromkeys(keys)}
    except TypeError:  # a value that cannot be a key (the reader makes none)
        parsed = [run(raw) for raw in raw_values]
        return parsed, [i for i, p in enumerate(parsed) if isinstance(p, values.BadValue)]
    bad = {key for key, result in memo.items() if isinstance(result, values.BadValue)}
    bad_at = [i for i, key in enumerate(keys) if key in bad] if bad else []
    return list(map(memo.__getitem__, keys)), bad_at


def _choices(meta: dict, lang: str) -> str:
    kind = meta["kind"]
    name = "boolean" if kind == "bool" else kind.removeprefix("list:")
    if name not in VALUE_LISTS:
        return ""
    if lang == "vi":
        return ", ".join(labels[0] for labels in VALUE_LISTS[name].values() if labels)
    return ", ".join(VALUE_LISTS[name])


# --- context for cross-sheet rules ------------------------------------------------------


def _info_context(info: pd.DataFrame, communes: set[str], today: dt.date) -> pd.DataFrame:
    info = info.copy()
    info["_commune_known"] = info["commune_code"].isin(communes)
    # An unreadable period is that file's problem, never a reason to stop the batch.
    info["_period_start"] = pd.Series(
        [
            pd.Timestamp(Quarter(int(y), int(q)).start) if pd.notna(y) and pd.notna(q) else pd.NaT
            for y, q in zip(info["_year"], info["_quarter"], strict=True)
        ],
        index=info.index,
        dtype="datetime64[us]",
    )
    info["_today"] = pd.Timestamp(today)
    info["_period"] = info["period"]
    return info


def _with_period(frame: pd.DataFrame, info: pd.DataFrame) -> pd.DataFrame:
    period = info[["_file", "_year", "_quarter", "_period"]]
    drop = [c for c in ("_year", "_quarter", "_period") if c in frame.columns]
    return frame.drop(columns=drop).merge(period, on="_file", how="left")


def _cells_context(
    cells: pd.DataFrame, info: pd.DataFrame, admissions: pd.DataFrame
) -> pd.DataFrame:
    counts = admissions.groupby(["_file", "cell_code"]).size().rename("_admissions").reset_index()
    out = _with_period(cells, info).merge(counts, on=["_file", "cell_code"], how="left")
    out["_admissions"] = out["_admissions"].fillna(0).astype("Int64")
    return out


def _cell_facts(cells: pd.DataFrame) -> pd.DataFrame:
    facts = cells.dropna(subset=["cell_code"]).drop_duplicates(["_file", "cell_code"])
    facts = facts.assign(
        _members=facts["official_members"] + facts["probationary_members"],
        _cell_known=True,
        _assigned=facts["assigned_member"].notna(),
    )
    return facts[["_file", "cell_code", "_members", "_cell_known", "_assigned"]]


def _meetings_context(
    meetings: pd.DataFrame, info: pd.DataFrame, cells: pd.DataFrame
) -> pd.DataFrame:
    out = _with_period(meetings, info).merge(
        _cell_facts(cells), on=["_file", "cell_code"], how="left"
    )
    for flag in ("_cell_known", "_assigned"):  # an unknown cell: not known, none assigned
        out[flag] = out[flag].astype("boolean").fillna(False).astype(bool)
    return out


def _admissions_context(
    admissions: pd.DataFrame, info: pd.DataFrame, cells: pd.DataFrame
) -> pd.DataFrame:
    out = _with_period(admissions, info).merge(
        _cell_facts(cells)[["_file", "cell_code", "_cell_known"]],
        on=["_file", "cell_code"],
        how="left",
    )
    out["_cell_known"] = out["_cell_known"].astype("boolean").fillna(False).astype(bool)
    out["_age"] = out["admitted_on"].dt.year - out["birth_year"]
    return out


# --- schema checks -> problems ----------------------------------------------------------


def _run_schema(
    spec: SheetSpec, frame: pd.DataFrame, parsed: Parsed, books: list[Workbook], lang: str
) -> list[Problem]:
    failures, unplaced = _failures(spec, frame)
    unchecked: dict[int, set[str]] = {}  # file -> columns of the failures no row can carry
    if unplaced:  # a failure pandera cannot put on a row: find the files that cause it
        culprits = _culprits(spec, frame, sorted(set(frame["_file"])))
        unchecked = {file_id: unplaced for file_id in culprits}
        # The other files are checked again without them (a check that raised checked
        # nobody); the culprits' other findings came from values pandera could not type.
        failures = _failures(spec, frame[~frame["_file"].isin(culprits)])[0]
    raw, failed = parsed.raw, parsed.failed
    fields = spec.fields()
    out: list[Problem] = []
    seen: set[tuple[int, str, str]] = set()
    for failure in failures.itertuples(index=False):
        i = int(failure.index)
        file_id = int(frame.at[i, "_file"])
        rule = PANDERA_CHECKS.get(str(failure.check), str(failure.check))
        column = (CODES[rule].column if rule in CODES else None) or str(failure.column)
        if rule not in CODES:  # a check outside the catalogue, e.g. a dtype pandera refused
            if column not in fields:
                unchecked.setdefault(file_id, set()).add("")
                continue
            rule = "value-not-checked"
        book = books[file_id]
        sheet = book.sheets[spec.name]
        if (i, rule, column) in seen or (i, column) in failed or column not in sheet.columns:
            continue  # reported once, or already as unreadable, or as a missing column
        seen.add((i, rule, column))
        context = {k: values.shown(v) for k, v in frame.loc[i].items() if str(k).startswith("_")}
        context["expected"] = expected(fields[column]["kind"], lang)
        out.append(
            _problem(
                book, spec, int(frame.at[i, "_row"]), column, raw.at[i, column], rule, lang, context
            )
        )
    out += [_sheet_problem(books[f], spec, cols, lang) for f, cols in sorted(unchecked.items())]
    return out


def _failures(spec: SheetSpec, frame: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    """The failures pandera places on a row, and the columns of those it cannot place.

    A column is ``""`` when the failure names none (a whole-frame check that raised).
    """
    placed = pd.DataFrame(columns=["column", "check", "index"])
    try:
        spec.model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    except Exception:  # a check that cannot run at all is this batch's unplaced failure
        return placed, {""}
    else:
        return placed, set()
    fields = spec.fields()
    located = cases["index"].notna()
    unplaced = {str(c) if c in fields else "" for c in cases.loc[~located, "column"]}
    return cases[located], unplaced


def _culprits(spec: SheetSpec, frame: pd.DataFrame, files: list[int]) -> list[int]:
    """The files whose rows alone reproduce an unplaced failure, found by halving.

    One bad file among n costs about 2·log2(n) validations of ever smaller frames.
    A failure that only comes from files together is blamed on all of them.
    """
    if len(files) == 1:
        return files
    half = len(files) // 2
    found: list[int] = []
    for part in (files[:half], files[half:]):
        if _failures(spec, frame[frame["_file"].isin(part)])[1]:
            found += _culprits(spec, frame, part)
    return found or files


def _sheet_problem(book: Workbook, spec: SheetSpec, columns: set[str], lang: str) -> Problem:
    """A sheet that could not be checked, on the column when pandera named just one."""
    column = next(iter(columns)) if len(columns) == 1 and "" not in columns else None
    written = book.sheets[spec.name].name
    return Problem.make(
        "sheet-not-checked",
        book.file_name,
        lang,
        sheet=spec.name,
        column=column,
        sheet_name=written,
    )


def _unreported_meetings(
    books: list[Workbook],
    info: pd.DataFrame,
    cells: pd.DataFrame,
    meetings: pd.DataFrame,
    lang: str,
) -> list[Problem]:
    """A missing (cell, month) row is a warning: the meeting counts as not held."""
    periods = {
        int(f): (int(y), int(q))
        for f, y, q in info.dropna(subset=["_quarter"])[["_file", "_year", "_quarter"]].itertuples(
            index=False
        )
    }
    # Plain lists: itertuples over pandas' extension arrays costs seconds nationally.
    held = meetings[["_file", "cell_code", "month"]].dropna()
    reported = set(zip(*(held[c].tolist() for c in held.columns), strict=True))
    listed = cells[["_file", "cell_code"]].dropna().drop_duplicates()
    months = {
        file_id: (year, Quarter(year, quarter).months)
        for file_id, (year, quarter) in periods.items()
        if "Meetings" in books[file_id].sheets
    }
    out: list[Problem] = []
    for file_id, cell_code in zip(*(listed[c].tolist() for c in listed.columns), strict=True):
        year, quarter_months = months.get(file_id, (0, ()))
        for month in quarter_months:
            if (file_id, cell_code, month) not in reported:
                out.append(
                    Problem.make(
                        "meeting-not-reported",
                        books[file_id].file_name,
                        lang,
                        sheet="Meetings",
                        value=f"{cell_code} {month}/{year}",
                        cell_code=cell_code,
                        month=f"{month}/{year}",
                    )
                )
    return out


def _without_cells(books: list[Workbook], lang: str) -> list[Problem]:
    """A return must list its cells: every other sheet refers to them."""
    return [
        Problem.make(
            "no-cells", book.file_name, lang, sheet="Cells", sheet_name=book.sheets["Cells"].name
        )
        for book in books
        if "Cells" in book.sheets
        and not book.sheets["Cells"].rows
        and not any(p.sheet == "Cells" and p.rule == "missing-column" for p in book.problems)
    ]


def _problem(
    book: Workbook,
    spec: SheetSpec,
    row: int,
    column: str,
    raw: Any,
    rule: str,
    lang: str,
    extra: dict[str, str],
) -> Problem:
    sheet = book.sheets[spec.name]
    meta = spec.fields()[column]
    header, col = sheet.columns.get(column, (expected_header(column, meta, lang), None))
    if spec.name == "Info":
        row = sheet.key_rows.get(column, row)
    return Problem.make(
        rule,
        book.file_name,
        lang,
        sheet=spec.name,
        row=row or None,
        column=column,
        cell=cell_reference(row, col),
        value=values.shown(raw),
        **extra,
        header=header,
    )


def problem_order(p: Problem) -> tuple:
    """A file's problems in reading order: sheet by sheet, row by row, cell by cell."""
    return (p.file_name, SHEET_ORDER.get(p.sheet or "", -1), p.row or 0, p.cell or "", p.rule)


def _reported(column: str) -> str:
    """The column of ``Validated.files`` saying whether a return has an optional column."""
    return f"{column}_reported"


def _written(sheet: str) -> str:
    """The column of ``Validated.files`` holding the name the workbook gives ``sheet``."""
    return f"{sheet.lower()}_sheet"


def _files(books: list[Workbook], info: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    counts = Counter((p.file_name, p.severity) for p in problems)
    # Plain lists, not a look-up per file in the frame (a third of a millisecond each).
    held = ("commune_code", "_year", "_quarter", "submitted_on")
    found = zip(*(info[c].tolist() for c in held), strict=True)
    by_file = dict(zip(info["_file"].tolist(), found, strict=True))
    rows = []
    for file_id, book in enumerate(books):
        commune_code, year, quarter, submitted_on = by_file.get(file_id, (None,) * len(held))
        rows.append(
            {
                "file_id": file_id,
                "file_name": book.file_name,
                "sha256": book.sha256,
                "mtime": book.mtime,
                "commune_code": commune_code,
                "year": year,
                "quarter": quarter,
                "submitted_on": submitted_on,
                "errors": counts[(book.file_name, "error")],
                "warnings": counts[(book.file_name, "warning")],
                # each sheet's name as the clerk wrote it, for the messages of later stages
                **{
                    _written(spec.name): book.sheets[spec.name].name
                    if spec.name in book.sheets
                    else None
                    for spec in SHEETS
                },
                # whether the return has each optional column: its figures are NULL if not
                **{
                    _reported(column): spec.name in book.sheets
                    and column in book.sheets[spec.name].columns
                    for spec, column in OPTIONAL
                },
                # where each column sits, for problems found after load (plausibility)
                "columns": {name: dict(sheet.columns) for name, sheet in book.sheets.items()},
            }
        )
    files = pd.DataFrame(
        rows,
        columns=[
            "file_id",
            "file_name",
            "sha256",
            "mtime",
            "commune_code",
            "year",
            "quarter",
            "submitted_on",
            "errors",
            "warnings",
            *(_written(spec.name) for spec in SHEETS),
            *(_reported(column) for _spec, column in OPTIONAL),
            "columns",
        ],
    )
    files = files.astype({"year": "Int64", "quarter": "Int64", "submitted_on": "datetime64[us]"})
    for column in ("commune_code", *(_written(spec.name) for spec in SHEETS)):
        files[column] = files[column].astype("str")
    files["accepted"] = files["errors"] == 0
    return files
