"""Find formulas saved without a result in an .xlsx/.xlsm (SPEC §4).

Excel always saves a formula's last result; files written by scripts often do
not, and a reader then sees a blank. Such cells are marked so that the
validator can say "open the file in Excel and save it again".
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from functools import cache
from xml.etree import ElementTree

from xlsxwriter.utility import xl_cell_to_rowcol

from pipeline.values import UncachedFormula

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REFERENCE = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")  # A1 to XFD1048576, Excel's last cell


def uncached_formulas(data: bytes) -> dict[str, dict[tuple[int, int], UncachedFormula]]:
    """Sheet name -> {(0-based row, column): formula} for formulas without a cached value.

    Only called on archives already checked for size and DTDs by the reader.
    """
    found: dict[str, dict[tuple[int, int], UncachedFormula]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            return found
        for sheet_name, member in sheet_members(archive, names):
            xml = archive.read(member)
            if b"<f" not in xml and b":f" not in xml:
                continue  # the common case: no formula at all
            cells = _scan(xml)
            if cells:
                found[sheet_name] = cells
    return found


def sheet_members(archive: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, zip member) of each worksheet of an .xlsx, in workbook order."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels_name = "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if rels_name in names:
        for rel in ElementTree.fromstring(archive.read(rels_name)).iter(f"{_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[rel.get("Id", "")] = posixpath.normpath(path)
    out = []
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        member = targets.get(sheet.get(f"{_REL}id", ""))
        if member in names:
            out.append((sheet.get("name", ""), member))
    return out


def _scan(xml: bytes) -> dict[tuple[int, int], UncachedFormula]:
    cells: dict[tuple[int, int], UncachedFormula] = {}
    for _, element in ElementTree.iterparse(io.BytesIO(xml)):
        if element.tag != f"{_MAIN}c":
            continue
        formula = element.find(f"{_MAIN}f")
        value = element.find(f"{_MAIN}v")
        if formula is not None and (value is None or not (value.text or "").strip()):
            position = cell_position(element.get("r", "").encode())
            if position:
                cells[position] = UncachedFormula("=" + (formula.text or ""))
        element.clear()
    return cells


def cell_position(reference: bytes) -> tuple[int, int] | None:
    """0-based (row, column) of a cell reference such as ``b"AB12"``; None if it is not one.

    Bytes, as the number formats' scan of every cell finds them (decoding each costs a
    third more).
    """
    match = _REFERENCE.fullmatch(reference)
    return (int(match[2]) - 1, _column(match[1])) if match else None


@cache  # sheets repeat a few columns in every row: each one's letters are read once
def _column(letters: bytes) -> int:
    return xl_cell_to_rowcol(letters.decode() + "1")[1]
