"""The number formats of a return's cells, for the feedback copy of the clerk's sheets.

python-calamine gives values without their formats. For an .xlsx/.xlsm, openpyxl
reads the stylesheet (which style shows which format, as openpyxl itself reads
them) and each sheet's cells are scanned for their style: openpyxl's read-only
worksheets cost ~25 ms a return (every value parsed again, the shared strings
too), the scan ~3 ms. Nothing here may fail a run: a file that changed since it
was read, is not an .xlsx, or holds anything odd simply has no formats (the
defaults apply).
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, is_date_format, is_timedelta_format
from openpyxl.styles.stylesheet import Stylesheet

from pipeline.formulas import cell_position, sheet_members
from pipeline.values import text

# A built-in format's index (Excel shows it as the reader's locale says: 14 is the short
# date, day first in Vietnam), or a format code of the workbook's own.
NumberFormat = int | str
SheetFormats = dict[tuple[int, int], NumberFormat]  # 0-based (row, column); General left out

_ZIP = b"PK\x03\x04"
MAX_FORMAT_CODE = 255  # Excel's limit
# Built-in formats that are dates or times in every locale (ECMA-376 §18.8.30).
_BUILTIN_DATES = {*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)}
_STYLES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData\b(.*)</(?:[\w.-]+:)?sheetData>", re.DOTALL)
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"""\b(r|s)\s*=\s*["']([^"']*)["']""")


def read_number_formats(
    path: Path, sha256: str, sheets: dict[str, tuple[int, int]]
) -> dict[str, SheetFormats]:
    """Sheet name (as read) -> the formats of its cells within ``(rows, columns)``.

    Only when ``path`` still holds the bytes that were read and screened (``sha256``):
    other bytes, another format, or any error give ``{}``.
    """
    try:
        data = path.read_bytes()
        if not data.startswith(_ZIP) or hashlib.sha256(data).hexdigest() != sha256:
            return {}
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _formats(archive, sheets)
    except Exception:  # a hostile or odd file only loses its formats
        return {}


@cache  # asked for every formatted cell; a workbook has a handful of formats
def is_temporal(number_format: NumberFormat) -> bool:
    """Whether the format shows a date, a time or a duration."""
    if isinstance(number_format, int):
        return number_format in _BUILTIN_DATES
    return is_date_format(number_format) or is_timedelta_format(number_format)


def _formats(
    archive: zipfile.ZipFile, sheets: dict[str, tuple[int, int]]
) -> dict[str, SheetFormats]:
    names = set(archive.namelist())
    styles = _style_formats(archive, names)
    if not any(styles):
        return {}  # every cell General: no sheet to scan
    found: dict[str, SheetFormats] = {}
    for name, member in sheet_members(archive, names):
        name = text(name) or name  # as the reader names sheets
        if name in sheets and name not in found:
            found[name] = _scan(archive.read(member), styles, *sheets[name])
    return found


def _style_formats(archive: zipfile.ZipFile, names: set[str]) -> list[NumberFormat | None]:
    """Cell style index -> its number format (None: General), as openpyxl reads it."""
    part = "xl/styles.xml"
    if "xl/_rels/workbook.xml.rels" in names:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        for rel in rels.iter(f"{_PKG_REL}Relationship"):
            if rel.get("Type") == _STYLES_TYPE:
                target = rel.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                part = posixpath.normpath(part)
    if part not in names:
        return []
    stylesheet = Stylesheet.from_tree(ElementTree.fromstring(archive.read(part)))
    custom = stylesheet.number_formats
    formats: list[NumberFormat | None] = []
    for style in stylesheet.cell_styles:
        number = int(style.numFmtId)
        if number < BUILTIN_FORMATS_MAX_SIZE:
            formats.append(number or None)
        else:
            code = str(custom[number - BUILTIN_FORMATS_MAX_SIZE])
            formats.append(code if 0 < len(code) <= MAX_FORMAT_CODE else None)
    return formats


def _scan(xml: bytes, styles: list[NumberFormat | None], rows: int, columns: int) -> SheetFormats:
    """The formatted cells of a sheet's XML, up to the grid's ``rows`` and ``columns``."""
    formats: SheetFormats = {}
    data = _SHEET_DATA.search(xml)
    if data is None:
        return formats
    r = c = -1
    for tag in _TAG.finditer(xml, data.start(1), data.end(1)):
        attributes = dict(_ATTRIBUTE.findall(tag[2]))
        if tag[1] == b"row":  # rows and cells may omit their reference: they follow on
            r, c = (int(attributes[b"r"]) - 1 if b"r" in attributes else r + 1), -1
            if r >= rows:
                break  # rows come in order; the rest are styled blanks past the data
            continue
        position = cell_position(attributes.get(b"r", b""))
        if position:
            r, c = position
        else:
            c += 1
        style = int(attributes.get(b"s", b"0"))
        if 0 <= r < rows and c < columns and 0 < style < len(styles) and styles[style]:
            formats[(r, c)] = styles[style]  # type: ignore[assignment]
    return formats
