"""Workbook file -> the four sheets' raw values, each with its Excel row and column.

The reader decides what a file is from its bytes, finds the sheets and header
rows by the aliases the schemas declare, and keeps values as the workbook holds
them; typing them is the validator's job. Bad input never raises: it becomes
problems on the returned ``Workbook``.
"""

from __future__ import annotations

import hashlib
import io
import operator
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as calamine
from xlsxwriter.utility import xl_rowcol_to_cell

from pipeline.folders import folder_to_read
from pipeline.formulas import uncached_formulas
from pipeline.problems import Problem, finding
from pipeline.values import UncachedFormula, fold, is_blank, text
from schemas import PERSONAL_ALIASES, SHEETS, SheetSpec

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
    grid: list[list[Any]]  # the whole sheet, for the feedback copy
    key_rows: dict[str, int] = field(default_factory=dict)  # Info only: key -> Excel row


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
        _read_sheets(opened, data if formulas else None, book, lang)
    except Exception:  # likewise while reading the sheets
        book.sheets.clear()
        book.file_problem("damaged-file", lang, "unreadable")
    return book


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


def _read_sheets(
    opened: calamine.CalamineWorkbook, formulas_in: bytes | None, book: Workbook, lang: str
) -> None:
    """Read the sheets; ``formulas_in``: the .xlsx bytes when a sheet holds a formula."""
    formulas = uncached_formulas(formulas_in) if formulas_in else {}
    by_key = {fold(name): name for name in reversed(opened.sheet_names)}
    for spec in SHEETS:
        name = next((by_key[k] for k in map(fold, (spec.name, *spec.aliases)) if k in by_key), None)
        if name is None:
            # named as the Vietnamese template names it, in a Vietnamese message
            written = spec.aliases[0] if lang == "vi" else spec.name
            book.add_problem("missing-sheet", lang, sheet=spec.name, sheet_name=written)
            continue
        grid = opened.get_sheet_by_name(name).to_python(skip_empty_area=False)
        _mark_formulas(grid, formulas.get(name, {}))
        reader = _read_info if spec.name == "Info" else _read_table
        book.sheets[spec.name] = reader(spec, text(name) or name, grid, book, lang)


def _mark_formulas(grid: list[list[Any]], cells: dict[tuple[int, int], UncachedFormula]) -> None:
    """Put the formula where it has no saved result (the reader saw a blank there)."""
    for (r, c), formula in cells.items():
        if r < len(grid) and c < len(grid[r]):
            grid[r][c] = formula


def _aliases(spec: SheetSpec) -> dict[str, str]:
    """Folded header -> canonical column."""
    index: dict[str, str] = {}
    for column, meta in spec.fields().items():
        for alias in (column, *meta["aliases"]):
            index.setdefault(fold(alias), column)
    return index


def expected_header(column: str, meta: dict, lang: str) -> str:
    """How to name a missing column: its first Vietnamese alias, or the canonical name."""
    return meta["aliases"][0] if lang == "vi" and meta["aliases"] else column


def _cell_text(value: Any) -> str:
    try:
        return text(value) or ""
    except ValueError:
        return ""


def cell_reference(row: int | None, col: int | None) -> str | None:
    """The Excel reference (``E4``) of an Excel row and a 0-based column, when both are known."""
    return xl_rowcol_to_cell(row - 1, col) if row and col is not None else None


def _read_info(
    spec: SheetSpec, name: str, grid: list[list[Any]], book: Workbook, lang: str
) -> SheetData:
    aliases = _aliases(spec)
    columns: dict[str, tuple[str, int]] = {}
    key_rows: dict[str, int] = {}
    values: dict[str, Any] = {}
    for r, cells in enumerate(grid):
        label_at = next((c for c, v in enumerate(cells) if not is_blank(v)), None)
        if label_at is None:
            continue
        key = aliases.get(fold(_cell_text(cells[label_at])))
        if key is None or key in columns:
            continue
        columns[key] = (_cell_text(cells[label_at]), label_at + 1)
        key_rows[key] = r + 1
        values[key] = cells[label_at + 1] if label_at + 1 < len(cells) else ""
    required = [c for c, meta in spec.fields().items() if not meta["nullable"]]
    _report_missing(
        book, spec, [c for c in required if c not in columns], None, "missing-info", lang
    )
    ordered = {c: columns[c] for c in spec.fields() if c in columns}
    row = [values[c] for c in ordered]
    return SheetData(name, ordered, [(0, row)], grid, key_rows)


def _report_missing(
    book: Workbook, spec: SheetSpec, columns: list[str], row: int | None, rule: str, lang: str
) -> None:
    """One problem per column (or Info key) the sheet lacks, named in the clerk's language."""
    fields = spec.fields()
    for column in columns:
        header = expected_header(column, fields[column], lang)
        book.add_problem(rule, lang, sheet=spec.name, row=row, column=column, header=header)


def _find_header(grid: list[list[Any]], aliases: dict[str, str]) -> int | None:
    best, best_hits = None, 1  # a header names at least two known columns
    for r, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        # Only text can name a column; numbers and dates of the body are skipped unfolded.
        keys = (fold(_cell_text(v)) for v in cells if isinstance(v, str) and v)
        hits = len({aliases[k] for k in keys if k in aliases})
        if hits > best_hits:
            best, best_hits = r, hits
    return best


def _erase_column(grid: list[list[Any]], header_at: int, column: int) -> None:
    """Forget a personal-data column's values: not even the feedback copy may keep them."""
    for cells in grid[header_at + 1 :]:
        if column < len(cells):
            cells[column] = ""


def _read_table(
    spec: SheetSpec, name: str, grid: list[list[Any]], book: Workbook, lang: str
) -> SheetData:
    fields = spec.fields()
    aliases = _aliases(spec)
    personal = {fold(a) for a in PERSONAL_ALIASES}
    header_at = _find_header(grid, aliases)
    if header_at is None:
        if any(not is_blank(v) for cells in grid for v in cells):
            required = [c for c in fields if not fields[c]["optional"]]
            _report_missing(book, spec, required, None, "missing-column", lang)
        return SheetData(name, {}, [], grid)

    header_row = header_at + 1
    found: dict[str, tuple[str, int]] = {}
    for c, value in enumerate(grid[header_at]):
        header = _cell_text(value)
        if not header:
            continue
        column = aliases.get(fold(header))
        if column is not None and column not in found:
            found[column] = (header, c)
            continue
        if fold(header) in personal:
            _erase_column(grid, header_at, c)
            rule = "personal-data-dropped"
        else:
            rule = "extra-column"
        cell = cell_reference(header_row, c)
        book.add_problem(rule, lang, sheet=spec.name, row=header_row, cell=cell, header=header)
    missing = [c for c in fields if c not in found and not fields[c]["optional"]]
    _report_missing(book, spec, missing, header_row, "missing-column", lang)
    columns = {c: found[c] for c in fields if c in found}

    body = grid[header_at + 1 :]
    code_at = columns["cell_code"][1] if "cell_code" in columns else None

    def code_of(cells: list[Any]) -> Any:
        return cells[code_at] if code_at is not None and code_at < len(cells) else None

    # The table ends at its last row with a cell code (a signature block may follow).
    last = next((i for i in range(len(body) - 1, -1, -1) if not is_blank(code_of(body[i]))), -1)
    positions = [c for _, c in columns.values()]
    pick = operator.itemgetter(*positions) if len(positions) > 1 else None
    rectangular = pick and max(positions) < min((len(cells) for cells in body), default=0)

    def values_of(cells: list[Any]) -> list[Any]:
        if rectangular:  # the usual grid, picked at C speed
            return list(pick(cells))
        return [cells[c] if c < len(cells) else "" for c in positions]

    rows: list[tuple[int, list[Any]]] = []
    for i, cells in enumerate(body[: last + 1]):
        if not is_blank(code_of(cells)):
            rows.append((header_row + 1 + i, values_of(cells)))
        elif not all(is_blank(v) for v in cells):
            book.add_problem(
                "row-without-cell-code",
                lang,
                sheet=spec.name,
                row=header_row + 1 + i,
                column="cell_code",
                cell=cell_reference(header_row + 1 + i, code_at),
                header=columns["cell_code"][0],
            )
    return SheetData(name, columns, rows, grid)


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
