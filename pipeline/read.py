"""Workbook file -> the four sheets' raw values, each with its Excel row and column.

The reader decides what a file is from its bytes, finds the sheets and header
rows by the aliases the schemas declare, and keeps values as the workbook holds
them; typing them is the validator's job. Bad input never raises: it becomes
problems on the returned ``Workbook``.

Returns made from the province's old forms are read as the clerk meant them (SPEC §3):
sheets known by their header when their name says nothing, hidden sheets left unread,
two-row headers, row-number columns, values merged down over several rows, total rows
checked against the rows above them. Merged ranges come from python-calamine (.xlsx,
.xls) or from the cells' spans in ``content.xml`` (.ods, for which it gives none).
"""

from __future__ import annotations

import hashlib
import io
import math
import operator
import os
import pickle
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import python_calamine as calamine
from xlsxwriter.utility import xl_rowcol_to_cell

from pipeline.folders import folder_to_read
from pipeline.formulas import uncached_formulas
from pipeline.problems import Problem, finding
from pipeline.values import BadValue, UncachedFormula, fold, integer, is_blank, shown, text
from schemas import (
    ORDINAL_ALIASES,
    PERSONAL_ALIASES,
    SHEET_BY_NAME,
    SHEETS,
    TOTAL_LABELS,
    SheetSpec,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_INFLATED_BYTES = 100 * 1024 * 1024
MAX_INFLATE_RATIO = 100
MAX_MEMBERS = 1_000  # a return has a few dozen parts; Excel itself stays far below
HEADER_SEARCH_ROWS = 15
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")


@dataclass
class SheetData:
    """One sheet as read: where each canonical column sits, and the data rows."""

    name: str  # as written in the workbook
    columns: dict[str, tuple[str, int]]  # canonical column -> (header as written, 0-based column)
    rows: list[tuple[int, list[Any]]]  # (Excel row, raw values in the order of ``columns``)
    # The whole sheet, for the feedback copy, pickled and compressed: the run holds every
    # file's sheets until they are validated, and only files with problems need it back
    # (as objects a sheet costs ~150 KB, packed ~5 KB).
    packed_grid: bytes
    key_rows: dict[str, int] = field(default_factory=dict)  # Info only: key -> Excel row
    # The sheet's merged ranges (first row, first column, last row, last column; 0-based),
    # for the feedback copy to look like the clerk's sheet.
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def grid(self) -> list[list[Any]]:
        """The whole sheet as read (a fresh copy each time)."""
        return pickle.loads(zlib.decompress(self.packed_grid))  # packed by this module


def _packed(grid: list[list[Any]]) -> bytes:
    return zlib.compress(pickle.dumps(grid, pickle.HIGHEST_PROTOCOL), 1)


@dataclass
class Workbook:
    """What one file brought: its identity, its sheets, and the problems found reading it."""

    file_name: str  # relative to the raw folder
    sha256: str
    mtime: float
    sheets: dict[str, SheetData] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add_problem(self, rule: str, lang: str, **where: Any) -> None:
        """Note a problem of this file; ``where``: the rest of ``Problem.make``'s arguments."""
        self.problems.append(Problem.make(rule, self.file_name, lang, **where))

    def file_problem(self, rule: str, lang: str, found: str | None = None) -> None:
        """A problem of the whole file; ``found`` is a key of ``FILE_FINDINGS``."""
        self.add_problem(rule, lang, value=finding(found, lang))


def workbook_identity(path: Path, raw_root: Path, data: bytes | None = None) -> Workbook:
    """A workbook with its name, hash and modification time, and nothing read yet."""
    if data is None:
        data = path.read_bytes()
    return Workbook(
        file_name=path.relative_to(raw_root).as_posix(),
        sha256=hashlib.sha256(data).hexdigest(),
        mtime=path.stat().st_mtime,
    )


def read_workbook(path: Path, raw_root: Path, lang: str) -> Workbook:
    """Read one return; every problem found is on the result, nothing is raised."""
    data = path.read_bytes()
    book = workbook_identity(path, raw_root, data)
    verdict, formulas = _refuse(data)
    if verdict:
        book.file_problem(verdict[0], lang, verdict[1])
        return book
    try:
        opened = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        book.file_problem("password-protected", lang)
        return book
    except Exception:  # any reader failure is this file's verdict
        book.file_problem("damaged-file", lang, "unreadable")
        return book
    try:
        _read_sheets(opened, data, data if formulas else None, book, lang)
    except Exception:  # likewise while reading the sheets
        book.sheets.clear()
        book.file_problem("damaged-file", lang, "unreadable")
    _share_values(book)
    return book


def _share_values(book: Workbook) -> None:
    """One object for each repeated value of the rows ("Có", 13.0, a month's date): the
    reader makes one per cell, and the run holds every file's rows until they are
    validated; shared, they take a third less memory and are sent to it in half the time
    (pickle sends a repeated object once)."""
    seen: dict[tuple[type, Any], Any] = {}  # by type too: 1 == 1.0 == True
    share = seen.setdefault
    try:
        for sheet in book.sheets.values():
            for _, values in sheet.rows:
                values[:] = [share((type(v), v), v) for v in values]
    except TypeError:  # a value that cannot be a key (the reader makes none): left as read
        pass


_FORMULA = re.compile(rb"<(?:\w+:)?F[\s>/]")  # a formula element (the window is upper-cased)
# Parts of a workbook that never hold cell formulas: not searched for them (the shared
# strings are the largest part). A sheet may live under any name; these may not.
_NO_FORMULAS = (
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "xl/theme/",
    "docProps/",
    "[Content_Types].xml",
    "_rels/",
    "xl/_rels/",
)
Verdict = tuple[str, str | None]  # (rule, detail) of a file refused before reading


def _refuse(data: bytes) -> tuple[Verdict | None, bool]:
    """Why these bytes cannot be a workbook we open (None when they may be one), and
    whether an .xlsx sheet holds a formula (then its cached values are checked)."""
    if not data:
        return ("empty-file", None), False
    if len(data) > MAX_FILE_BYTES:
        return ("file-too-large", None), False
    if data.startswith(_OLE2):
        return (("password-protected", None) if _ENCRYPTED_OOXML in data else None), False
    if data.startswith(_ZIP):
        return _refuse_zip(data)
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return ("not-a-workbook", "html"), False
    if head.startswith(b"<"):
        return ("not-a-workbook", "xml"), False
    if b"\x00" not in head:
        return ("not-a-workbook", "csv"), False
    return ("not-a-workbook", "unknown"), False


def _refuse_zip(data: bytes) -> tuple[Verdict | None, bool]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if not names & {"xl/workbook.xml", "xl/workbook.bin", "content.xml"}:
                return ("not-a-workbook", "zip"), False
            if len(members) > MAX_MEMBERS:
                return ("unsafe-file", "members"), False
            budget = min(MAX_INFLATED_BYTES, MAX_INFLATE_RATIO * len(data))
            if sum(m.file_size for m in members) > budget:
                return ("unsafe-file", "inflation"), False
            return _inflate_and_screen(archive, members, budget)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, zlib.error):
        # also a member whose real size differs from its header: its CRC check fails
        return ("damaged-file", "truncated"), False


def _inflate_and_screen(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], budget: int
) -> tuple[Verdict | None, bool]:
    """Inflate every member once, counting real bytes (headers can lie) and looking for DTDs.

    Excel never writes a DTD; one is how entity expansion and XXE start. Any member that
    looks like XML is screened, whatever its name: a workbook can point to any part.
    The same pass notes whether a worksheet holds a formula, so the formula scan (a
    second inflation) runs only for the few returns that have one.
    """
    inflated, formulas = 0, False
    for member in members:
        may_hold_formulas = not member.filename.startswith(_NO_FORMULAS)
        with archive.open(member) as stream:
            head, tail, is_xml = True, b"", False
            while chunk := stream.read(65536):
                inflated += len(chunk)
                if inflated > budget:
                    return ("unsafe-file", "inflation"), False
                if head:
                    is_xml = chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
                    head = False
                if is_xml:
                    window = (tail + chunk).upper()
                    if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                        return ("unsafe-file", "dtd"), False
                    if not formulas and may_hold_formulas:
                        formulas = _FORMULA.search(window) is not None
                    tail = chunk[-16:]
    return None, formulas


Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based)
Grid = list[list[Any]]
_VISIBLE = calamine.SheetVisibleEnum.Visible
_WORKSHEET = calamine.SheetTypeEnum.WorkSheet


class _Sheets:
    """The workbook's sheets, each read once when first needed: values and merged ranges."""

    def __init__(
        self,
        opened: calamine.CalamineWorkbook,
        data: bytes,
        formulas: dict[str, dict[tuple[int, int], UncachedFormula]],
    ) -> None:
        self._opened, self._data, self._formulas = opened, data, formulas
        self._read: dict[str, tuple[Grid, list[Merge]]] = {}
        self._ods: dict[str, list[Merge]] | None = None

    def get(self, name: str) -> tuple[Grid, list[Merge]]:
        if name not in self._read:
            sheet = self._opened.get_sheet_by_name(name)
            grid = sheet.to_python(skip_empty_area=False)
            _mark_formulas(grid, self._formulas.get(name, {}))
            ranges = sheet.merged_cell_ranges  # None: the format's ranges are not read (.ods)
            merges = (
                [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in ranges]
                if ranges is not None
                else self._ods_merges().get(name, [])
            )
            self._read[name] = (grid, merges)
        return self._read[name]

    def _ods_merges(self) -> dict[str, list[Merge]]:
        if self._ods is None:
            self._ods = ods_merges(self._data)
        return self._ods


def _read_sheets(
    opened: calamine.CalamineWorkbook,
    data: bytes,
    formulas_in: bytes | None,
    book: Workbook,
    lang: str,
) -> None:
    """Read the sheets; ``formulas_in``: the .xlsx bytes when a sheet holds a formula."""
    sheets = _Sheets(opened, data, uncached_formulas(formulas_in) if formulas_in else {})
    found = _find_sheets(opened, sheets, book, lang)
    for spec in SHEETS:
        written = _template_sheet_name(spec, lang)
        if not found[spec.name]:
            book.add_problem("missing-sheet", lang, sheet=spec.name, sheet_name=written)
            continue
        # Two of a kind: the first is read (by name before by header), so that its other
        # problems are listed too; the file is rejected either way.
        name, *others = found[spec.name]
        for other in others:
            book.add_problem(
                "duplicate-sheet",
                lang,
                sheet=spec.name,
                sheet_name=text(name) or name,
                other_sheet=text(other) or other,
                kind=written,
            )
        grid, merges = sheets.get(name)
        reader = _read_info if spec.name == "Info" else _read_table
        book.sheets[spec.name] = reader(spec, text(name) or name, grid, merges, book, lang)


def _find_sheets(
    opened: calamine.CalamineWorkbook, sheets: _Sheets, book: Workbook, lang: str
) -> dict[str, list[str]]:
    """Canonical sheet -> the visible sheets holding it: those named by an alias, then
    those whose header holds its required columns (``Sheet1``, ``Biểu 2``). A hidden
    sheet of a kind is noted and left unread."""
    by_name: dict[str, list[str]] = {spec.name: [] for spec in SHEETS}
    by_header: dict[str, list[str]] = {spec.name: [] for spec in SHEETS}
    for meta in opened.sheets_metadata:
        kind = _SHEET_ALIASES.get(fold(meta.name))
        named = kind is not None
        if kind is None and meta.typ == _WORKSHEET:
            try:
                kind = _kind_by_header(*sheets.get(meta.name))
            except calamine.CalamineError:  # a sheet it cannot read is none of the four
                continue
        if kind is None:
            continue
        if meta.visible != _VISIBLE:
            book.add_problem(
                "hidden-sheet-ignored",
                lang,
                sheet=kind,
                sheet_name=text(meta.name) or meta.name,
                kind=_template_sheet_name(SHEET_BY_NAME[kind], lang),
            )
            continue
        (by_name if named else by_header)[kind].append(meta.name)
    return {name: by_name[name] + by_header[name] for name in by_name}


def _template_sheet_name(spec: SheetSpec, lang: str) -> str:
    """A sheet named as the template names it: its first Vietnamese alias in ``vi``."""
    return spec.aliases[0] if lang == "vi" else spec.name


def _kind_by_header(grid: Grid, merges: list[Merge]) -> str | None:
    """The one kind of sheet whose required columns (Info: keys) this sheet's header holds
    (a table's, else Info's)."""
    kinds = [
        spec.name
        for spec in SHEETS
        if spec.name != "Info" and _required(spec) <= _columns_held(grid, merges, _aliases(spec))
    ]
    if not kinds:  # Info's labels may stand anywhere: looked for only in a sheet of no table
        info = SHEET_BY_NAME["Info"]
        kinds = ["Info"] if _required(info) <= set(_info_labels(info, grid, merges)) else []
    return kinds[0] if len(kinds) == 1 else None


@cache
def _required(spec: SheetSpec) -> frozenset[str]:
    return frozenset(c for c, meta in spec.fields().items() if not meta["nullable"])


def _mark_formulas(grid: Grid, cells: dict[tuple[int, int], UncachedFormula]) -> None:
    """Put the formula where it has no saved result (the reader saw a blank there)."""
    for (r, c), formula in cells.items():
        if r < len(grid) and c < len(grid[r]):
            grid[r][c] = formula


@cache
def _aliases(spec: SheetSpec) -> dict[str, str]:
    """Header key -> canonical column."""
    index: dict[str, str] = {}
    for column, meta in spec.fields().items():
        for alias in (column, *meta["aliases"]):
            index.setdefault(_header_key(alias), column)
    return index


_SHEET_ALIASES = {fold(alias): spec.name for spec in SHEETS for alias in (spec.name, *spec.aliases)}
# Footnote marks after a header ("Số ĐV dự (*)", "Năm sinh (1)") and a label's colon.
_FOOTNOTES = re.compile(r"(?:\s*(?:\*+|\(\*+\)|\(\d{1,2}\)|:))+$")


@lru_cache(maxsize=1 << 14)
def _header_key(header: str) -> str:
    """Key for matching a header or an Info label: folded, without footnote marks."""
    return _FOOTNOTES.sub("", fold(header))


_ORDINALS = frozenset(map(_header_key, ORDINAL_ALIASES))
_PERSONAL = frozenset(map(_header_key, PERSONAL_ALIASES))
_TOTALS = frozenset(map(_header_key, TOTAL_LABELS))


def expected_header(column: str, meta: dict, lang: str) -> str:
    """How to name a missing column: its first Vietnamese alias, or the canonical name."""
    return meta["aliases"][0] if lang == "vi" and meta["aliases"] else column


def _cell_text(value: Any) -> str:
    try:
        return text(value) or ""
    except ValueError:
        return ""


def _raw_text(value: Any) -> str:
    """Text as the header search sees it: only text can name a column (numbers and dates
    of the body are skipped unread)."""
    return value if type(value) is str else ""


def cell_reference(row: int | None, col: int | None) -> str | None:
    """The Excel reference (``E4``) of an Excel row and a 0-based column, when both are known."""
    return xl_rowcol_to_cell(row - 1, col) if row and col is not None else None


# --- Info: labels and their values ---------------------------------------------------------


def _info_labels(
    spec: SheetSpec, grid: Grid, merges: list[Merge]
) -> dict[str, tuple[str, int, int]]:
    """Info key -> (label as written, Excel row, 0-based column of its value).

    A row's label is its first cell naming a key (a row number may stand before it); its
    value is the cell after it, or after the label's merged range.
    """
    aliases = _aliases(spec)
    label_end = {(r1, c1): c2 for r1, c1, _r2, c2 in merges}
    found: dict[str, tuple[str, int, int]] = {}
    for r, cells in enumerate(grid):
        for c, value in enumerate(cells):
            if type(value) is not str or not value:
                continue
            key = aliases.get(_header_key(value))
            if key is None:
                continue
            if key not in found:
                found[key] = (_cell_text(value), r + 1, label_end.get((r, c), c) + 1)
            break
    return found


def _read_info(
    spec: SheetSpec, name: str, grid: Grid, merges: list[Merge], book: Workbook, lang: str
) -> SheetData:
    labels = _info_labels(spec, grid, merges)
    required = [c for c, meta in spec.fields().items() if not meta["nullable"]]
    _report_missing(
        book, spec, [c for c in required if c not in labels], None, "missing-info", lang
    )
    ordered = [c for c in spec.fields() if c in labels]
    columns = {c: (labels[c][0], labels[c][2]) for c in ordered}
    key_rows = {c: labels[c][1] for c in ordered}
    row = []
    for c in ordered:
        cells, at = grid[labels[c][1] - 1], labels[c][2]
        row.append(cells[at] if at < len(cells) else "")
    return SheetData(name, columns, [(0, row)], _packed(grid), key_rows, merges)


def _report_missing(
    book: Workbook, spec: SheetSpec, columns: list[str], row: int | None, rule: str, lang: str
) -> None:
    """One problem per column (or Info key) the sheet lacks, named in the clerk's language."""
    fields = spec.fields()
    for column in columns:
        header = expected_header(column, fields[column], lang)
        book.add_problem(rule, lang, sheet=spec.name, row=row, column=column, header=header)


# --- tables: the header -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Header:
    """A column's header: the texts to match, in order, and the cell that holds it."""

    written: tuple[str, ...]  # group and sub-header joined, then the sub-header alone
    row: int  # 0-based
    col: int

    def match(self, aliases: dict[str, str]) -> tuple[str | None, str]:
        """The canonical column it names (None: none) and its text as matched."""
        for written in self.written:
            column = aliases.get(_header_key(written))
            if column is not None:
                return column, written
        return None, self.written[0]

    def keys(self) -> set[str]:
        return {_header_key(w) for w in self.written}


def _headers(
    grid: Grid, r: int, two_rows: bool, merges: list[Merge], as_text: Callable[[Any], str]
) -> list[_Header]:
    """The headers of row ``r``, or of rows ``r - 1`` and ``r`` read as one two-row header
    (``merges``: at least those covering row ``r - 1``).

    Two rows: a group header merged across columns of the upper row is joined to each
    sub-header below it; a header merged down over both rows, or written in the upper
    row alone, stands alone.
    """
    bottom = grid[r]
    if not two_rows:
        return [_Header((t,), r, c) for c, v in enumerate(bottom) if (t := as_text(v))]
    top = grid[r - 1]
    spans: dict[int, tuple[str, int, int]] = {}  # column -> (text, row, column) of its merge
    for r1, c1, r2, c2 in merges:
        if r1 <= r - 1 <= r2 and r1 < len(grid) and c1 < len(grid[r1]):
            for c in range(c1, c2 + 1):
                spans[c] = (as_text(grid[r1][c1]), r1, c1)
    out: list[_Header] = []
    for c in range(max(len(top), len(bottom))):
        sub = as_text(bottom[c]) if c < len(bottom) else ""
        merged = spans.get(c)
        group = merged[0] if merged else as_text(top[c]) if c < len(top) else ""
        if sub:
            out.append(_Header((f"{group} {sub}", sub) if group else (sub,), r, c))
        elif merged:
            if merged[2] == c and group:  # written once, in the merge's first column
                out.append(_Header((group,), merged[1], c))
        elif group:
            out.append(_Header((group,), r - 1, c))
    return out


def _row_hits(cells: list[Any], aliases: dict[str, str]) -> set[str]:
    """The known columns one row names (what ``_hits`` gives for it, at the speed every row
    of every sheet's first 15 needs)."""
    return {
        aliases[key]
        for value in cells
        if type(value) is str and value and (key := _header_key(value)) in aliases
    }


def _hits(headers: list[_Header], aliases: dict[str, str]) -> set[str]:
    return {column for h in headers if (column := h.match(aliases)[0]) is not None}


def _find_header(
    grid: Grid, merges: list[Merge], aliases: dict[str, str]
) -> tuple[int, bool] | None:
    """The header's (last) row and whether it spans two rows: the reading among the first
    15 rows that names the most known columns (at least two); on a tie, the earlier, and
    one row rather than two."""
    best, best_hits = None, 1
    covering = _covering(merges, HEADER_SEARCH_ROWS)
    most = len(set(aliases.values()))
    for r in range(min(len(grid), HEADER_SEARCH_ROWS)):
        single = len(_row_hits(grid[r], aliases))
        if single > best_hits:
            best, best_hits = (r, False), single
            if single == most:  # every column named: later readings can only tie
                return best
        # Two rows only where the lower row names a column or the upper one holds a range
        # merged across columns (a group): not under every row of the body.
        upper = covering.get(r - 1, [])
        if r and (single or any(c2 > c1 for _r1, c1, _r2, c2 in upper)):
            double = len(_hits(_headers(grid, r, True, upper, _raw_text), aliases))
            if double > best_hits:
                best, best_hits = (r, True), double
    return best


def _covering(merges: list[Merge], rows: int) -> dict[int, list[Merge]]:
    """Row -> the merged ranges covering it, for the first ``rows`` rows."""
    out: dict[int, list[Merge]] = {}
    for merge in merges:
        for r in range(merge[0], min(merge[2], rows - 1) + 1):
            out.setdefault(r, []).append(merge)
    return out


def _columns_held(grid: Grid, merges: list[Merge], aliases: dict[str, str]) -> set[str]:
    found = _find_header(grid, merges, aliases)
    if found is None:
        return set()
    return _hits(_headers(grid, *found, merges, _raw_text), aliases)


def _erase_column(grid: Grid, header_at: int, column: int) -> None:
    """Forget a personal-data column's values: not even the feedback copy may keep them."""
    for cells in grid[header_at + 1 :]:
        if column < len(cells):
            cells[column] = ""


# --- tables: the rows -----------------------------------------------------------------------


def _body(grid: Grid, start: int, merges: list[Merge]) -> Grid:
    """The rows from ``start``, a value merged down over several rows in each of them.

    Only the rows a merge covers are copied: the grid itself stays as the clerk sees it
    (the feedback copy is made from it).
    """
    body = grid[start:]
    copied: set[int] = set()
    for r1, c1, r2, _c2 in merges:
        if r1 < start or r2 == r1 or r1 >= len(grid) or c1 >= len(grid[r1]):
            continue
        value = grid[r1][c1]
        for r in range(r1 + 1, min(r2, len(grid) - 1) + 1):
            i = r - start
            if i not in copied:
                body[i] = list(body[i])
                copied.add(i)
            if c1 < len(body[i]):
                body[i][c1] = value
    return body


def _is_total(cells: list[Any]) -> bool:
    """A total row: its first value reads "Tổng cộng", "Tổng", "Cộng" or "Total"."""
    for value in cells:  # is_blank, inlined: every row of every table passes here
        if type(value) is str:
            if value.strip():
                return _header_key(value) in _TOTALS
        elif value is not None and not (type(value) is float and math.isnan(value)):
            return False
    return False


def _whole(value: Any) -> int | None:
    """A whole number, or None (blank, words, a date...)."""
    try:
        return integer(value)
    except BadValue:
        return None


def _read_table(
    spec: SheetSpec, name: str, grid: Grid, merges: list[Merge], book: Workbook, lang: str
) -> SheetData:
    fields = spec.fields()
    aliases = _aliases(spec)
    found_header = _find_header(grid, merges, aliases)
    if found_header is None:
        if any(not is_blank(v) for cells in grid for v in cells):
            required = [c for c in fields if not fields[c]["optional"]]
            _report_missing(book, spec, required, None, "missing-column", lang)
        return SheetData(name, {}, [], _packed(grid), merges=merges)

    header_at, two_rows = found_header
    header_row = header_at + 1
    found: dict[str, tuple[str, int]] = {}
    ordinals: set[int] = set()
    for h in _headers(grid, header_at, two_rows, merges, _cell_text):
        column, header = h.match(aliases)
        if column is not None and column not in found:
            found[column] = (header, h.col)
            continue
        keys = h.keys()
        if keys & _ORDINALS:  # a row number of the old forms: nothing to say
            ordinals.add(h.col)
            continue
        if keys & _PERSONAL:
            _erase_column(grid, header_at, h.col)
            rule = "personal-data-dropped"
        else:
            rule = "extra-column"
        cell = cell_reference(h.row + 1, h.col)
        book.add_problem(rule, lang, sheet=spec.name, row=h.row + 1, cell=cell, header=header)
    missing = [c for c in fields if c not in found and not fields[c]["optional"]]
    _report_missing(book, spec, missing, header_row, "missing-column", lang)
    columns = {c: found[c] for c in fields if c in found}
    body = _body(grid, header_at + 1, merges)
    numbering = _numbering_row(body)
    rows = _table_rows(spec, columns, body, header_row, ordinals, numbering, book, lang)
    return SheetData(name, columns, rows, _packed(grid), merges=merges)


# A label of a column in the row that numbers them: a letter or a number, maybe in
# brackets, a number maybe followed by how its column is worked out ("(3) = (1) + (2)").
_COLUMN_LABEL = re.compile(r"\(?\s*(?:([A-Za-z])|(\d{1,2}))\s*\)?(?:\s*=[\s\d()+\-*/x×.]+)?")


def _numbering_row(body: Grid) -> int | None:
    """Where the row numbering the table's columns is (the old forms have one right under
    their header: "(1)", "(2)" …, or "A", "B", "1", "2" …), or None: it is not data.

    It is the first row under the header that is not blank, and reads at least three
    labels, left to right: letters from A, then numbers from 1, each the next in turn. A
    row of data never reads so (a cell code, a month, a mark or a name breaks the run).
    """
    first = next((i for i, cells in enumerate(body) if not all(map(is_blank, cells))), None)
    if first is None:
        return None
    letter, number, labels = "a", 1, 0
    for value in body[first]:
        try:
            written = text(value)  # 3.0 reads "3"
        except BadValue:
            return None
        if written is None:
            continue
        found = _COLUMN_LABEL.fullmatch(written)
        if found is None:
            return None
        if found[1] is not None and found[1].lower() == letter and number == 1:
            letter = chr(ord(letter) + 1)
        elif found[2] is not None and int(found[2]) == number:
            number += 1
        else:
            return None
        labels += 1
    return first if labels >= 3 else None


def _table_rows(
    spec: SheetSpec,
    columns: dict[str, tuple[str, int]],
    body: Grid,
    header_row: int,
    ordinals: set[int],
    numbering: int | None,
    book: Workbook,
    lang: str,
) -> list[tuple[int, list[Any]]]:
    """The rows of cells (or meetings, admissions) with their Excel rows; total rows are
    checked, not kept, and the row numbering the columns (``numbering``) is skipped."""
    code_at = columns["cell_code"][1] if "cell_code" in columns else None

    def code_of(cells: list[Any]) -> Any:
        return cells[code_at] if code_at is not None and code_at < len(cells) else None

    def is_row(cells: list[Any]) -> bool:
        return not is_blank(code_of(cells)) and not _is_total(cells)

    def blank(cells: list[Any]) -> bool:  # a row number alone is no data (forms come numbered)
        return all(is_blank(v) for c, v in enumerate(cells) if c not in ordinals)

    # The table ends at its last row with a cell code (a signature block may follow).
    last = next((i for i in range(len(body) - 1, -1, -1) if is_row(body[i])), -1)
    positions = [c for _, c in columns.values()]
    pick = operator.itemgetter(*positions) if len(positions) > 1 else None
    rectangular = pick and max(positions) < min((len(cells) for cells in body), default=0)

    def values_of(cells: list[Any]) -> list[Any]:
        if rectangular:  # the usual grid, picked at C speed
            return list(pick(cells))
        return [cells[c] if c < len(cells) else "" for c in positions]

    rows: list[tuple[int, list[Any]]] = []
    since_total = 0  # rows[since_total:] are the rows a total row adds up
    for i, cells in enumerate(body):
        if i == numbering:
            continue
        excel_row = header_row + 1 + i
        code = code_of(cells)
        has_code = not is_blank(code)
        if has_code and code_at == 0:  # the code is the row's first value: one look-up
            total = type(code) is str and _header_key(code) in _TOTALS
        else:
            total = _is_total(cells)
        if total:
            # A grand total right under subtotals adds up every row above it.
            above = rows[since_total:] or rows
            _check_total(spec, columns, cells, excel_row, above, book, lang)
            since_total = len(rows)
        elif i <= last and has_code:
            rows.append((excel_row, values_of(cells)))
        elif i <= last:
            if not blank(cells):
                book.add_problem(
                    "row-without-cell-code",
                    lang,
                    sheet=spec.name,
                    row=excel_row,
                    column="cell_code",
                    cell=cell_reference(excel_row, code_at),
                    header=columns["cell_code"][0],
                )
        elif not blank(cells):
            break  # below the table and its totals: a signature block, notes
    return rows


def _check_total(
    spec: SheetSpec,
    columns: dict[str, tuple[str, int]],
    cells: list[Any],
    excel_row: int,
    above: list[tuple[int, list[Any]]],
    book: Workbook,
    lang: str,
) -> None:
    """Each number of a total row against the sum of its column's rows since the last total.

    A column holding words ("x", "Có") is not added up: only numbers have a sum.
    """
    for j, (column, (header, col)) in enumerate(columns.items()):
        total = _whole(cells[col]) if col < len(cells) else None
        rows_sum = _column_sum(above, j) if total is not None else None
        if rows_sum is None or rows_sum == total:
            continue
        book.add_problem(
            "total-mismatch",
            lang,
            sheet=spec.name,
            row=excel_row,
            column=column,
            cell=cell_reference(excel_row, col),
            value=shown(cells[col]),
            header=header,
            rows_sum=str(rows_sum),
        )


def _column_sum(rows: list[tuple[int, list[Any]]], j: int) -> int | None:
    """The sum of the ``j``-th values of ``rows``; None when one is not a whole number."""
    total = 0
    for _, values in rows:
        value = values[j]
        if type(value) is int or (type(value) is float and value.is_integer()):
            total += int(value)  # as calamine gives numbers: no parsing
        elif not is_blank(value):
            number = _whole(value)
            if number is None:
                return None
            total += number
    return total


# --- .ods merged ranges --------------------------------------------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def ods_merges(data: bytes) -> dict[str, list[Merge]]:
    """Sheet name -> merged ranges of an OpenDocument spreadsheet.

    python-calamine reads no merged ranges from .ods files: they are the spans of
    ``content.xml``'s cells (the file was screened for DTDs and entities before).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = archive.read("content.xml")
    except (KeyError, zipfile.BadZipFile, OSError, zlib.error):
        return {}
    if b"-spanned" not in content:  # no merged cell at all: the usual case
        return {}
    try:
        return _spans(content)
    except (ElementTree.ParseError, ValueError):  # calamine read it: ranges are a bonus
        return {}


def _spans(content: bytes) -> dict[str, list[Merge]]:
    out: dict[str, list[Merge]] = {}
    depth, row, col, repeat = 0, 0, 0, 1
    merges: list[Merge] = []
    for event, element in ElementTree.iterparse(io.BytesIO(content), ("start", "end")):
        tag = element.tag
        if tag == f"{_TABLE}table":
            depth += 1 if event == "start" else -1
            if event == "start" and depth == 1:
                merges, row = out.setdefault(element.get(f"{_TABLE}name", ""), []), 0
        elif depth != 1:  # a table inside a cell: not the sheet's grid
            continue
        elif tag == f"{_TABLE}table-row":
            if event == "start":
                col, repeat = 0, int(element.get(f"{_TABLE}number-rows-repeated", 1))
            else:
                row += repeat
                element.clear()
        elif tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell") and event == "start":
            rows = int(element.get(f"{_TABLE}number-rows-spanned", 1))
            cols = int(element.get(f"{_TABLE}number-columns-spanned", 1))
            if rows > 1 or cols > 1:
                merges.append((row, col, row + rows - 1, col + cols - 1))
            col += int(element.get(f"{_TABLE}number-columns-repeated", 1))
    return out


# --- the raw folder ------------------------------------------------------------------------


def is_skipped(path: Path) -> bool:
    """Office lock files and hidden files are not returns."""
    return path.name.startswith(("~$", ".")) or not path.is_file()


def raw_files(raw: Path, option: str = "--raw") -> Iterator[Path]:
    """Files of the raw folder and its sub-folders, in a stable order.

    A sub-folder that cannot be listed stops the run (``rglob`` would skip it unsaid).
    """
    folder_to_read(raw, option)
    found: list[Path] = []

    def refuse(error: OSError) -> None:
        folder_to_read(Path(error.filename or raw), option)
        raise error  # listed after all: let the run say what the system said

    for folder, _folders, names in os.walk(raw, onerror=refuse):
        found += (Path(folder) / name for name in names)
    yield from (p for p in sorted(found) if not is_skipped(p))
