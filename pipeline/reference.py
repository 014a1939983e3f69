"""Reference data and province settings maintained by the province (SPEC §2).

``data/reference/`` holds ``communes``, ``targets`` and optionally
``referral_targets`` (each ``.csv`` or ``.xlsx``), and ``province.toml``. They are
validated like returns, but a problem here stops the run: every return would be
judged against a wrong list. ``ReferenceError`` lists every problem found, each
with its file and line, in the run's language.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
import python_calamine as calamine

from pipeline import values
from pipeline.problems import LANGUAGES, REFERENCE_CODES, message, reference_text
from schemas.reference import Communes, ReferralTargets, Targets
from schemas.value_lists import VALUE_LISTS

CONFIG_FILE = "province.toml"
MAX_LISTED = 50  # problems written out in the error; the rest are counted


@dataclass(frozen=True)
class ReferenceProblem:
    """One problem of the reference data: where it is and what to fix."""

    file: str
    sheet: str | None  # the worksheet of an .xlsx file
    line: int | None  # as a text editor (CSV, TOML) or Excel (XLSX) numbers it
    column: str | None
    value: str | None
    rule: str
    message: str

    def located(self, lang: str) -> str:
        """The problem on one line, starting with where it is."""
        place = "file" if self.line is None else "line" if self.sheet is None else "row"
        where = reference_text(place, lang, file=self.file, sheet=self.sheet, line=self.line)
        return f"{where}: {self.message}"


class ReferenceError(Exception):
    """The reference folder cannot be used; the message lists what to fix, one per line."""

    def __init__(self, problems: list[ReferenceProblem], lang: str) -> None:
        self.problems = problems
        self.lang = lang
        super().__init__(_listed(problems, lang))


@dataclass(frozen=True)
class Thresholds:
    """When a plausibility check fires (SPEC §4a): the contract's values, which the
    ``[plausibility]`` table of ``province.toml`` may override."""

    members_jump_min: int = 5  # members-jump: at least this many members…
    members_jump_pct: float = 25.0  # …and more than this % of last quarter's
    attendance_copied_cells: int = 5  # attendance-copied: cells compared, at least
    attendance_outlier_z: float = 3.5  # attendance-outlier: |modified z-score| above
    attendance_outlier_communes: int = 10  # …among at least this many communes


@dataclass(frozen=True)
class Settings:
    """Province-level settings (``province.toml``)."""

    province_name: str = "Tỉnh"
    deadline_days: int = 10
    stale_years: int = 3
    language: str = "vi"
    board_email: str | None = None
    plausibility: Thresholds = Thresholds()


@dataclass(frozen=True)
class Reference:
    settings: Settings
    communes: pd.DataFrame  # commune_code, commune_name, cluster
    targets: pd.DataFrame  # commune_code, year, admissions_target
    referral_targets: pd.DataFrame  # commune_code, year, referred_by, referrals_target


@dataclass(frozen=True)
class _Table:
    name: str
    model: type[pa.DataFrameModel]
    required: bool
    key: tuple[str, ...]  # unique in the file

    def columns(self) -> dict[str, Any]:
        return self.model.to_schema().columns


_COMMUNES = _Table("communes", Communes, required=True, key=("commune_code",))
_TARGETS = _Table("targets", Targets, required=True, key=("commune_code", "year"))
_REFERRALS = _Table(
    "referral_targets", ReferralTargets, required=False, key=("commune_code", "year", "referred_by")
)


def load_reference(folder: Path, lang: str | None = None) -> Reference:
    """Read and check the reference folder; raises ``ReferenceError`` listing what to fix.

    Messages are in ``lang``, else the ``language`` of province.toml, else Vietnamese.
    """
    folder = Path(folder)
    if not folder.is_dir():
        lang = lang if lang in LANGUAGES else "vi"
        rule = "reference-not-a-folder" if folder.exists() else "reference-folder-missing"
        raise ReferenceError([_Found(lang).problem(rule, folder)], lang)
    config = _read_config(folder / CONFIG_FILE)
    language = config.raw.get("language")
    lang = lang if lang in LANGUAGES else language if language in LANGUAGES else "vi"
    found = _Found(lang)
    settings = _settings(folder / CONFIG_FILE, config, found)
    communes = _checked(folder, _COMMUNES, found, known=None)
    known = None
    if communes is not None and not found.problems_of(folder, _COMMUNES):
        # Against a list with a broken line, a good code would be called unknown.
        known = _Known(set(communes["commune_code"].dropna()), _file_of(folder, _COMMUNES))
    targets = _checked(folder, _TARGETS, found, known)
    referrals = _checked(folder, _REFERRALS, found, known)
    if found.problems:
        raise ReferenceError(found.in_order(), lang)
    assert communes is not None and targets is not None
    return Reference(
        settings=settings,
        communes=_published(communes, _COMMUNES),
        targets=_published(targets, _TARGETS),
        referral_targets=_published(referrals, _REFERRALS),
    )


def _listed(problems: list[ReferenceProblem], lang: str) -> str:
    lines = [p.located(lang) for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(reference_text("more", lang, count=len(problems) - MAX_LISTED))
    if len(problems) > 1:
        lines.insert(0, reference_text("heading", lang, count=len(problems)))
    return "\n".join(lines)


class _Found:
    """The problems found so far, with messages in the run's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.problems: list[ReferenceProblem] = []

    def problem(
        self,
        rule: str,
        path: Path,
        *,
        sheet: str | None = None,
        line: int | None = None,
        column: str | None = None,
        value: Any = None,
        **params: Any,
    ) -> ReferenceProblem:
        shown = values.shown(value) or None
        text = message(rule, self.lang, column=column, value=shown, **params)
        return ReferenceProblem(str(path), sheet, line, column, shown, rule, text)

    def add(self, rule: str, path: Path, **where: Any) -> None:
        self.problems.append(self.problem(rule, path, **where))

    def problems_of(self, folder: Path, table: _Table) -> list[ReferenceProblem]:
        names = {str(folder / f"{table.name}.{ext}") for ext in ("csv", "xlsx")}
        return [p for p in self.problems if p.file in names]

    def in_order(self) -> list[ReferenceProblem]:
        """File by file as they were read, each from its first line down."""
        files = {p.file: rank for rank, p in reversed(list(enumerate(self.problems)))}
        return sorted(self.problems, key=lambda p: (files[p.file], p.line or 0))


# --- province.toml -------------------------------------------------------------------------

_SETTING_KINDS = {
    "province_name": "text",
    "deadline_days": "number",
    "stale_years": "number",
    "language": "language",
    "board_email": "text",
    "plausibility": "table",
}
# The keys of the [plausibility] table: whole numbers, or numbers that may have decimals.
_THRESHOLD_KINDS = {
    "members_jump_min": "number",
    "members_jump_pct": "positive",
    "attendance_copied_cells": "number",
    "attendance_outlier_z": "positive",
    "attendance_outlier_communes": "number",
}


@dataclass(frozen=True)
class _Config:
    """province.toml as read: its text and settings, or the line where it breaks."""

    text: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    broken: bool = False
    broken_line: int | None = None


def _read_config(path: Path) -> _Config:
    if not path.exists():
        return _Config()  # the defaults
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _Config(broken=True, broken_line=data.count(b"\n", 0, exc.start) + 1)
    try:
        return _Config(text, tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:  # its message ends "(at line 3, column 5)"
        line = re.search(r"at line (\d+)", str(exc))
        return _Config(text, broken=True, broken_line=int(line[1]) if line else None)


def _settings(path: Path, config: _Config, found: _Found) -> Settings:
    if config.broken:
        found.add("reference-bad-toml", path, line=config.broken_line)
    chosen: dict[str, Any] = {}
    for key, value in config.raw.items():
        line = _setting_line(config.text, key)
        kind = _SETTING_KINDS.get(key)
        if kind is None:
            keys = ", ".join(_SETTING_KINDS)
            found.add("reference-unknown-setting", path, line=line, key=key, keys=keys)
        elif (rule := _setting_problem(kind, value)) is not None:
            found.add(rule, path, line=line, key=key, value=_toml_shown(value))
        elif kind == "table":
            chosen[key] = _thresholds(path, config.text, value, found)
        else:
            chosen[key] = value
    return Settings(**chosen)


def _thresholds(path: Path, text: str, table: dict[str, Any], found: _Found) -> Thresholds:
    """The ``[plausibility]`` table: each key checked as the top-level settings are."""
    chosen: dict[str, Any] = {}
    for key, value in table.items():
        line = _setting_line(text, key)
        kind = _THRESHOLD_KINDS.get(key)
        if kind is None:
            keys = ", ".join(_THRESHOLD_KINDS)
            name = f"plausibility.{key}"
            found.add("reference-unknown-setting", path, line=line, key=name, keys=keys)
        elif (rule := _setting_problem(kind, value)) is not None:
            found.add(rule, path, line=line, key=key, value=_toml_shown(value))
        else:
            chosen[key] = float(value) if kind == "positive" else value
    return Thresholds(**chosen)


def _setting_problem(kind: str, value: Any) -> str | None:
    if kind == "text":
        return None if isinstance(value, str) and value.strip() else "reference-setting-text"
    if kind == "number":
        whole = isinstance(value, int) and not isinstance(value, bool)
        return None if whole and value > 0 else "reference-setting-number"
    if kind == "positive":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        positive = number and math.isfinite(value) and value > 0
        return None if positive else "reference-setting-positive"
    if kind == "table":
        return None if isinstance(value, dict) else "reference-setting-table"
    return None if value in LANGUAGES else "reference-setting-language"


def _setting_line(text: str, key: str) -> int | None:
    """The line of ``key = …`` (or of a table's ``[key]``) in province.toml."""
    pattern = re.compile(rf"\s*(?:(['\"]?){re.escape(key)}\1\s*=|\[\s*{re.escape(key)}\s*\])")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _toml_shown(value: Any) -> str:
    """A value as it is written in the TOML file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


# --- communes, targets, referral targets ---------------------------------------------------

Records = list[tuple[int, list[Any]]]  # (line, values) of every line, blank ones too


@dataclass(frozen=True)
class _Known:
    """The communes of the province, to check the codes of the other files against."""

    codes: set[str]
    file: str  # how the communes file is named in messages


@dataclass(frozen=True)
class _Source:
    path: Path
    sheet: str | None  # the worksheet of an .xlsx
    records: Records


def _checked(
    folder: Path, table: _Table, found: _Found, known: _Known | None
) -> pd.DataFrame | None:
    """The typed rows of one file (None when it is missing or unreadable)."""
    source = _source(folder, table, found)
    if source is None:
        return None
    before = len(found.problems)
    rows = _rows(source, table, found)
    if rows is None:
        return None
    frame, failed = _parsed(source, table, rows, found)
    if table is _COMMUNES and frame.empty and len(found.problems) == before:
        found.add("reference-no-communes", source.path, sheet=source.sheet)
    frame = _with_context(frame, table, known)
    _validate(source, table, frame, rows, failed, found, known)
    return frame


def _file_of(folder: Path, table: _Table) -> str:
    csv_path = folder / f"{table.name}.csv"
    return csv_path.name if csv_path.exists() else f"{table.name}.xlsx"


def _source(folder: Path, table: _Table, found: _Found) -> _Source | None:
    csv_path, xlsx_path = folder / f"{table.name}.csv", folder / f"{table.name}.xlsx"
    if csv_path.exists() and xlsx_path.exists():
        found.add("reference-two-files", folder, name=table.name)
        return None
    if csv_path.exists():
        return _read_csv(csv_path, found)
    if xlsx_path.exists():
        return _read_xlsx(xlsx_path, found)
    if table.required:
        found.add("reference-file-missing", folder, name=table.name, expected=_header(table))
    return None


def _read_csv(path: Path, found: _Found) -> _Source | None:
    data = path.read_bytes()
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        found.add("reference-not-utf8", path, line=line, name=path.stem)
        return None
    records: Records = []
    reader = csv.reader(io.StringIO(content, newline=""))
    start = 1
    try:
        for fields_ in reader:
            records.append((start, fields_))
            start = reader.line_num + 1
    except csv.Error:  # a NUL byte: not text
        found.add("reference-not-utf8", path, line=start, name=path.stem)
        return None
    return _Source(path, None, records)


def _read_xlsx(path: Path, found: _Found) -> _Source | None:
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        sheet = book.sheet_names[0]
        grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception:  # any reader failure means the same to the province: save it again
        found.add("reference-unreadable", path, name=path.stem)
        return None
    return _Source(path, sheet, [(i, row) for i, row in enumerate(grid, start=1)])


def _rows(source: _Source, table: _Table, found: _Found) -> list[tuple[int, dict]] | None:
    """Each data line as canonical column -> raw value; None when the header is unusable."""
    records = [(line, row) for line, row in source.records if not all(map(values.is_blank, row))]
    where = {"sheet": source.sheet}
    if not records:
        found.add("reference-empty-file", source.path, **where, expected=_header(table))
        return None
    (header_line, header), *data = records
    if delimiter := _one_cell(header, source, found.lang):
        rule = _delimiter_rule(source)
        found.add(rule, source.path, **where, line=header_line, name=table.name, **delimiter)
        return None
    names = [values.fold(_safe_text(v)).replace(" ", "_") for v in header]
    position = {name: i for i, name in reversed(list(enumerate(names)))}
    columns = table.columns()
    missing = [c for c, col in columns.items() if col.required and c not in position]
    for column in missing:
        found.add(
            "reference-missing-column",
            source.path,
            **where,
            line=header_line,
            column=column,
            expected=_header(table),
        )
    if missing:
        return None
    rows = []
    for line, row in data:
        if _malformed(source, table, row, len(header), line, found):
            continue
        rows.append((line, {c: _at(row, position.get(c)) for c in columns}))
    return rows


def _malformed(
    source: _Source, table: _Table, row: list, width: int, line: int, found: _Found
) -> bool:
    """A CSV line with another count of values than the header, or a line in one cell."""
    where = {"sheet": source.sheet, "line": line}
    if delimiter := _one_cell(row, source, found.lang):
        found.add(_delimiter_rule(source), source.path, **where, name=table.name, **delimiter)
        return True
    if source.sheet is None:
        count = len(row) if len(row) < width else width + sum(1 for v in row[width:] if v.strip())
        if count != width:
            found.add("reference-field-count", source.path, **where, found=len(row), count=width)
            return True
    return False


_SEPARATORS = {None: (";", "\t", "|"), "xlsx": (",", ";", "\t")}


def _one_cell(row: list, source: _Source, lang: str) -> dict[str, str] | None:
    """The separator of a line whose values all sit in its first cell, if it is one."""
    filled = [v for v in row if not values.is_blank(v)]
    if len(filled) != 1 or not isinstance(row[0], str) or values.is_blank(row[0]):
        return None
    for separator in _SEPARATORS[None if source.sheet is None else "xlsx"]:
        if separator in row[0]:
            tab = reference_text("delimiter-tab", lang)
            return {"delimiter": tab if separator == "\t" else f"'{separator}'"}
    return None


def _delimiter_rule(source: _Source) -> str:
    return "reference-delimiter" if source.sheet is None else "reference-one-cell"


def _at(row: list, index: int | None) -> Any:
    return row[index] if index is not None and index < len(row) else None


def _safe_text(value: Any) -> str:
    try:
        return values.text(value) or ""
    except values.BadValue:
        return ""


def _header(table: _Table) -> str:
    return ",".join(table.columns())


# --- typing and checking -------------------------------------------------------------------

_PARSE_RULES = {
    "bad-commune-code": "reference-bad-code",
    "control-characters": "reference-bad-text",
    "text-too-long": "reference-bad-text",
    "not-an-integer": "reference-not-whole-number",
    "number-too-large": "reference-too-large",
    "not-in-list": "reference-not-in-list",
}
_DTYPES = {"int": "Int64", "year": "Int64"}


def _parser(kind: str) -> Callable[[Any], Any]:
    if kind.startswith("list:"):
        index = values.label_index(VALUE_LISTS[kind.removeprefix("list:")])
        return lambda v: values.labelled(v, index)
    return {
        "commune_code": values.commune_code,
        "text": values.text,
        "int": values.integer,
        "year": values.integer,
    }[kind]


def _parsed(
    source: _Source, table: _Table, rows: list[tuple[int, dict]], found: _Found
) -> tuple[pd.DataFrame, set[tuple[int, str]]]:
    """Typed rows (``_line`` first); unreadable values become problems and blanks."""
    failed: set[tuple[int, str]] = set()
    typed: dict[str, list[Any]] = {"_line": [line for line, _ in rows]}
    for column, schema_column in table.columns().items():
        kind = schema_column.metadata["kind"]
        parse = _parser(kind)
        out = []
        for i, (line, raw) in enumerate(rows):
            try:
                out.append(parse(raw[column]))
            except values.BadValue as bad:
                out.append(None)
                failed.add((i, column))
                rule = "reference-bad-year" if kind == "year" else _PARSE_RULES[bad.code]
                found.add(
                    rule,
                    source.path,
                    sheet=source.sheet,
                    line=line,
                    column=column,
                    value=raw[column],
                    choices=_choices(kind, found.lang),
                )
        typed[column] = out
    frame = pd.DataFrame(typed)
    for column, schema_column in table.columns().items():
        dtype = _DTYPES.get(schema_column.metadata["kind"], "str")
        frame[column] = pd.Series(typed[column], dtype=dtype)
    return frame, failed


def _choices(kind: str, lang: str) -> str | None:
    if not kind.startswith("list:"):
        return None
    listed = VALUE_LISTS[kind.removeprefix("list:")]
    if lang == "vi":
        return ", ".join(labels[0] for labels in listed.values() if labels)
    return ", ".join(listed)


def _with_context(frame: pd.DataFrame, table: _Table, known: _Known | None) -> pd.DataFrame:
    frame = frame.copy()
    key = list(table.key)
    keyed = frame.dropna(subset=key)
    first = keyed.groupby(key, sort=False)["_line"].transform("first")
    frame["_first"] = first.where(first != keyed["_line"]).reindex(frame.index).astype("Int64")
    # Without a usable list of communes, every code would be "unknown": not checked then.
    frame["_commune_known"] = (
        frame["commune_code"].isin(known.codes) if known is not None else True
    ) | frame["commune_code"].isna()
    return frame


def _validate(
    source: _Source,
    table: _Table,
    frame: pd.DataFrame,
    rows: list[tuple[int, dict]],
    failed: set[tuple[int, str]],
    found: _Found,
    known: _Known | None,
) -> None:
    if frame.empty:
        return
    try:
        table.model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    else:
        return
    seen: set[tuple[int | None, str]] = set()
    for failure in failures.itertuples(index=False):
        rule = "reference-required" if failure.check == "not_nullable" else str(failure.check)
        located = failure.index is not None and not pd.isna(failure.index)
        i = int(failure.index) if located else None
        if rule not in REFERENCE_CODES or i is None:
            rule = "reference-not-checked"  # a check that could not run: say so, not crash
        column = REFERENCE_CODES[rule].column or str(failure.column)
        if (i, column) in failed or (i, column) in seen:
            continue
        seen.add((i, column))
        if i is None:
            found.add(rule, source.path, sheet=source.sheet, column=column)
            continue
        line, raw = rows[i]
        found.add(
            rule,
            source.path,
            sheet=source.sheet,
            line=line,
            column=column,
            value=raw.get(column),
            **_context(frame, raw, i, source, found.lang, known),
        )


def _context(
    frame: pd.DataFrame, raw: dict, i: int, source: _Source, lang: str, known: _Known | None
) -> dict[str, str | None]:
    """What the messages of whole-row checks name besides the value."""
    first = frame.at[i, "_first"]
    place = "first-line" if source.sheet is None else "first-row"
    return {
        "first": None if pd.isna(first) else reference_text(place, lang, line=int(first)),
        "year": values.shown(frame.at[i, "year"]) if "year" in frame else None,
        "referred_by": values.shown(raw.get("referred_by")) or None,
        "communes": known.file if known is not None else None,
    }


def _published(frame: pd.DataFrame | None, table: _Table) -> pd.DataFrame:
    """The rows as the warehouse takes them, in a stable order."""
    columns = list(table.columns())
    if frame is None:
        kinds = {c: _DTYPES.get(table.columns()[c].metadata["kind"], "str") for c in columns}
        return pd.DataFrame({c: pd.Series(dtype=kind) for c, kind in kinds.items()})
    out = frame[columns].copy()
    return out.sort_values(columns[:2]).reset_index(drop=True)
