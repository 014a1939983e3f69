"""Hostile and broken files, generated at test time from real workbooks (no binary is committed).

Each function below returns the bytes of one file; ``corpus()`` names them with the file
name they are dropped under and the verdict SPEC §4 expects, and ``write_corpus`` writes them.
Workbooks start as real files written by openpyxl, xlsxwriter, xlwt or odfpy (or encrypted
by msoffcrypto-tool); one part of the archive is then rewritten the way a broken tool or an
attacker would.

openpyxl writes the sheets of ``valid_return`` as ``xl/worksheets/sheet1.xml`` (Info) to
``sheet4.xml`` (Admissions), with inline strings; xlsxwriter writes the same parts with
shared strings.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile

from tests.factory import Sheets, edited, valid_return, write_with_xlsxwriter

PART = {
    "Info": "xl/worksheets/sheet1.xml",
    "Cells": "xl/worksheets/sheet2.xml",
    "Meetings": "xl/worksheets/sheet3.xml",
    "Admissions": "xl/worksheets/sheet4.xml",
}
MiB = 1024 * 1024
HUGE_TEXT = 40_000  # characters: over Excel's 32,767 per cell
IMG = '<img src="file:///etc/passwd">'
SCRIPT = "<script>alert(1)</script>"
HYPERLINK = '=HYPERLINK("http://evil","x")'


class Text(str):
    """A value openpyxl must store as text even when it starts with '='."""

    __slots__ = ()


# --- real workbooks, in memory -------------------------------------------------------------


def xlsx(sheets: Sheets) -> bytes:
    """``sheets`` as an .xlsx written by openpyxl (inline strings; '=…' is a formula)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            sheet.append(row)
            for c, value in enumerate(row, start=1):
                if isinstance(value, Text):
                    sheet.cell(r, c).data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_shared_strings(sheets: Sheets) -> bytes:
    """``sheets`` as an .xlsx written by xlsxwriter, whose text goes to ``sharedStrings.xml``."""
    buffer = io.BytesIO()
    write_with_xlsxwriter(buffer, sheets)
    return buffer.getvalue()


def xls(sheets: Sheets) -> bytes:
    """``sheets`` as an Excel 97-2003 workbook (xlwt)."""
    book = xlwt.Workbook()
    dates = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write(r, c, value, dates)
                elif value not in ("", None):
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods(sheets: Sheets) -> bytes:
    """``sheets`` as an OpenDocument spreadsheet (pandas' odf writer)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="odf") as writer:
        for name, rows in sheets.items():
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, header=False, index=False)
    return buffer.getvalue()


# --- rewriting one part of an archive ------------------------------------------------------


def rewrite(
    archive: bytes,
    changes: dict[str, Callable[[bytes], bytes]] | None = None,
    extra: dict[str, Callable[[zipfile.ZipFile, str], None]] | None = None,
) -> bytes:
    """A copy of ``archive`` with some members changed and others added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            change = (changes or {}).get(info.filename)
            target.writestr(info.filename, change(data) if change else data)
        for name, write in (extra or {}).items():
            write(target, name)
    return out.getvalue()


def _cell_pattern(ref: str) -> re.Pattern[bytes]:
    return re.compile(rb'<c r="' + ref.encode() + rb'"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)


def replace_cell(sheet_xml: bytes, ref: str, cell_xml: bytes) -> bytes:
    """``sheet_xml`` with the cell ``ref`` (which must exist) replaced by ``cell_xml``."""
    patched, count = _cell_pattern(ref).subn(lambda _: cell_xml, sheet_xml, count=1)
    assert count == 1, f"no cell {ref} in the sheet"
    return patched


def inline(ref: str, xml_text: str) -> bytes:
    """An inline-string cell holding ``xml_text`` (already XML, entities and all)."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{xml_text}</t></is></c>'.encode()


def with_inline(book: bytes, sheet: str, ref: str, xml_text: str) -> bytes:
    return rewrite(book, {PART[sheet]: lambda x: replace_cell(x, ref, inline(ref, xml_text))})


def with_doctype(xml: bytes, doctype: bytes) -> bytes:
    """``xml`` with a document type declaration between its declaration and its root."""
    declaration = re.match(rb"<\?xml[^>]*\?>\s*", xml)
    at = declaration.end() if declaration else 0
    return xml[:at] + doctype + xml[at:]


# --- the corpus ----------------------------------------------------------------------------


def empty() -> bytes:
    return b""


def truncated(book: bytes) -> bytes:
    """The first half of a real workbook, as an interrupted download leaves it."""
    return book[: len(book) // 2]


def csv_text() -> bytes:
    return (
        "commune_code,commune_name,period,submitted_on\r\n"
        "06253,Xã Thử Nghiệm,2026-Q3,05/10/2026\r\n".encode()
    )


def html_page(sheets: Sheets) -> bytes:
    """What a web application's "export to Excel" often really sends: an HTML table."""
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(_shown(v))}</td>" for v in row) + "</tr>"
        for rows in sheets.values()
        for row in rows
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Báo cáo</title></head>"
        f"<body><table>{rows}</table></body></html>\n"
    ).encode()


def spreadsheet_ml_2003(sheets: Sheets) -> bytes:
    """``sheets`` in Excel's "XML Spreadsheet 2003" format, which SPEC §3 does not accept."""
    body = "".join(
        f'<Worksheet ss:Name="{escape(name)}"><Table>'
        + "".join(
            "<Row>"
            + "".join(
                f'<Cell><Data ss:Type="String">{escape(_shown(v))}</Data></Cell>' for v in row
            )
            + "</Row>"
            for row in rows
        )
        + "</Table></Worksheet>\n"
        for name, rows in sheets.items()
    )
    return (
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        f'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">\n{body}</Workbook>\n'
    ).encode()


def _shown(value: object) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def password_protected(book: bytes, password: str = "secret") -> bytes:
    """A real agile-encrypted OOXML package, as Excel's "Encrypt with Password" writes it."""
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(book)).encrypt(password, out)
    return out.getvalue()


def stray_cell_at_xfd(book: bytes, sheet: str = "Cells") -> bytes:
    """A dimension of the whole grid and a stray cell in its last corner (XFD1048576)."""
    stray = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'

    def change(xml: bytes) -> bytes:
        xml, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        assert n == 1
        return xml.replace(b"</sheetData>", stray + b"</sheetData>")

    return rewrite(book, {PART[sheet]: change})


def shared_strings_count(book: bytes, count: int = 4_000_000_000) -> bytes:
    """``sharedStrings.xml`` announcing ``count`` strings (needs an xlsxwriter workbook)."""

    def change(xml: bytes) -> bytes:
        xml, n = re.subn(
            rb'count="\d+" uniqueCount="\d+"',
            f'count="{count}" uniqueCount="{count}"'.encode(),
            xml,
        )
        assert n == 1
        return xml

    return rewrite(book, {"xl/sharedStrings.xml": change})


def huge_text(book: bytes, sheet: str, ref: str, length: int = HUGE_TEXT) -> bytes:
    """One cell holding ``length`` characters (openpyxl would not write it: patched in)."""
    return with_inline(book, sheet, ref, "Chi bộ " + "x" * (length - 7))


def control_characters(book: bytes, sheet: str, ref: str) -> bytes:
    """A cell whose text carries C0 control characters: a raw U+0001 and Excel's ``_x0002_``."""
    return with_inline(book, sheet, ref, "Chi bộ\x01 Đông_x0002_")


def xxe(book: bytes, sheet: str = "Info", ref: str = "B2") -> bytes:
    """An external entity pointing at /etc/passwd, used in a cell."""
    doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    patched = with_inline(book, sheet, ref, "&e;")
    return rewrite(patched, {PART[sheet]: lambda x: with_doctype(x, doctype)})


def billion_laughs(book: bytes, sheet: str = "Info", ref: str = "B2") -> bytes:
    """Nested entities that expand to 10^9 "lol"s, used in a cell."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = ("<!DOCTYPE lolz [" + "".join(entities) + "]>").encode()
    patched = with_inline(book, sheet, ref, "&lol9;")
    return rewrite(patched, {PART[sheet]: lambda x: with_doctype(x, doctype)})


def _zeros(size: int) -> Callable[[zipfile.ZipFile, str], None]:
    def write(archive: zipfile.ZipFile, name: str) -> None:
        info = zipfile.ZipInfo(name, date_time=(2026, 10, 5, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        chunk = bytes(MiB)
        with archive.open(info, "w", force_zip64=size > 2**31) as member:
            for _ in range(size // MiB):
                member.write(chunk)

    return write


def zip_bomb(book: bytes, inflated: int = 101 * MiB) -> bytes:
    """A workbook carrying a member of zeros that inflates past 100 MB (~100 kB packed)."""
    return rewrite(book, extra={"xl/media/image1.bin": _zeros(inflated)})


def ratio_bomb(book: bytes, inflated: int = 8 * MiB) -> bytes:
    """Under 100 MB inflated, but over 100 times the packed size."""
    return rewrite(book, extra={"xl/media/image1.bin": _zeros(inflated)})


def too_large(book: bytes, size: int = 21 * MiB) -> bytes:
    """Over the 20 MB limit: a workbook carrying an incompressible picture."""
    noise = random.Random(6253).randbytes(size)

    def picture(archive: zipfile.ZipFile, name: str) -> None:
        archive.writestr(name, noise, compress_type=zipfile.ZIP_STORED)  # noise does not shrink

    return rewrite(book, extra={"xl/media/image1.png": picture})


def too_many_parts(book: bytes, parts: int = 1_001) -> bytes:
    """A workbook with more parts than any real one (an archive of tiny members)."""
    extra = {f"xl/media/image{i}.png": lambda z, name: z.writestr(name, b"x") for i in range(parts)}
    return rewrite(book, extra=extra)


def lying_sizes(archive: bytes, member: str, declared: int = 4096) -> bytes:
    """``archive`` whose headers (local and central) say ``member`` inflates to ``declared``."""
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo(member)
    out = bytearray(archive)
    struct.pack_into("<I", out, info.header_offset + 22, declared)  # local file header
    at = archive.find(b"PK\x01\x02")
    while at != -1:  # central directory entries
        length = struct.unpack_from("<H", archive, at + 28)[0]
        if archive[at + 46 : at + 46 + length] == member.encode():
            struct.pack_into("<I", out, at + 24, declared)
        at = archive.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def lying_bomb(book: bytes, inflated: int = 101 * MiB) -> bytes:
    """A zip bomb whose headers claim 4 kB: the real size is known only by inflating it."""
    return lying_sizes(zip_bomb(book, inflated), "xl/media/image1.bin")


def lying_sheet(book: bytes, padding: int = 101 * MiB, sheet: str = "Cells") -> bytes:
    """A sheet padded with blanks past 100 MB whose headers claim 4 kB."""
    return lying_sizes(
        rewrite(book, {PART[sheet]: lambda x: x + b" " * padding}), PART[sheet], declared=4096
    )


def renamed_part(book: bytes, part: str, new_name: str) -> bytes:
    """``book`` with ``part`` stored under ``new_name``, every reference to it updated."""
    old_ref, new_ref = part.removeprefix("xl/").encode(), new_name.removeprefix("xl/").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(book)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info).replace(old_ref, new_ref)
            target.writestr(new_name if info.filename == part else info.filename, data)
    return out.getvalue()


def dtd_in_odd_part(book: bytes, new_name: str, sheet: str = "Cells") -> bytes:
    """An XXE declaration (not used) in a sheet stored under a name not ending in ``.xml``.

    The rels may name a part anything; Excel still never writes a DTD.
    """
    doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    patched = rewrite(book, {PART[sheet]: lambda x: with_doctype(x, doctype)})
    return renamed_part(patched, PART[sheet], new_name)


def office_lock() -> bytes:
    """What Excel leaves as ``~$name.xlsx`` while a workbook is open: owner name, padding."""
    owner = b"Nguyen Thi Lan"
    return bytes([len(owner)]) + owner + b"\x00" * (54 - len(owner)) + b"\x20\x00" * 55


def libreoffice_lock() -> bytes:
    """What LibreOffice leaves as ``.~lock.name.xlsx#``."""
    return b"Nguyen Thi Lan,lan,PC-XA,23.11.2026 09:12,file:///C:/Users/lan/AppData;\n"


# --- the returns behind the corpus ---------------------------------------------------------


def valid(commune: str) -> Sheets:
    """The factory's valid return of ``commune`` (2026-Q3, submitted 5 October 2026)."""
    return valid_return(commune=commune)


def with_cell_names(sheets: Sheets, *names: str) -> Sheets:
    """``sheets`` with the cells' names replaced by ``names`` (Cells rows 2, 3…)."""
    for row, name in enumerate(names, start=2):
        sheets = edited(sheets, "Cells", row, "cell_name", Text(name))
    return sheets


def markup_names(commune: str) -> Sheets:
    """A valid return whose cells are named with HTML: text, to be printed as written.

    Of its four cells, only the two named with HTML lack a thematic meeting, so the
    printed bulletin names them.
    """
    cells = [("CB01", 10, 2), ("CB02", 20, 0), ("CB03", 9, 0), ("CB04", 8, 1)]
    sheets = valid_return(commune=commune, cells=cells)
    for row in sheets["Meetings"][1:]:
        if row[0] in ("CB03", "CB04"):
            row[5] = "x"  # thematic_meeting
    return with_cell_names(sheets, IMG, SCRIPT)


def hyperlink_in_rejected(commune: str) -> Sheets:
    """A return rejected for one negative number (Meetings G2), with a cell named ``=HYPERLINK``."""
    sheets = with_cell_names(valid(commune), HYPERLINK)
    return edited(sheets, "Meetings", 2, "higher_level_attendees", -1)


def formula_without_value(commune: str) -> bytes:
    """``=1+1`` as openpyxl writes it: a formula with no cached result, in Cells D3."""
    return xlsx(edited(valid(commune), "Cells", 3, "official_members", "=1+1"))


@dataclass(frozen=True)
class Expected:
    """What SPEC §4 asks of one hostile file."""

    rule: str | None  # the one problem expected (an error); None when accepted or skipped
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    advice: str = ""  # words of the English message that tell the clerk what to do
    commune: str | None = None  # the commune a readable return belongs to
    skipped: bool = False  # a lock file: not a return at all


@dataclass(frozen=True)
class Hostile:
    name: str  # the file name in the raw folder
    make: Callable[[], bytes]
    expected: Expected


SAVE_AS = "Save As"

# The province: three plain valid returns, and one commune per readable hostile return.
VALID = {"10001": "valid-a.xlsx", "10002": "valid-b.xlsx", "10003": "valid-c.xlsx"}
MARKUP, XLS_AS_XLSX, ODS, HYPERLINK_COMMUNE, HUGE, FORMULA, CONTROL = (
    "10004",
    "10005",
    "10006",
    "10007",
    "10008",
    "10009",
    "10010",
)
COMMUNES = {
    "10001": "Xã An Bình",
    "10002": "Xã Bình Minh",
    "10003": "Phường Cao Xanh",
    MARKUP: "Xã Đông Hòa",
    XLS_AS_XLSX: "Xã Hà Lầm",
    ODS: "Xã Hòa Bình",
    HYPERLINK_COMMUNE: "Xã Kim Sơn",
    HUGE: "Xã Lộc Thọ",
    FORMULA: "Xã Minh Thành",
    CONTROL: "Xã Nam Hải",
}


def _base() -> bytes:
    """A valid return of a commune that has its own valid file too: hostile copies of it."""
    return xlsx(valid("10001"))


def _whole_file(rule: str, advice: str = SAVE_AS) -> Expected:
    return Expected(rule, advice=advice)


def corpus() -> list[Hostile]:
    """Every hostile file, with its name in the raw folder and the verdict SPEC §4 expects."""
    return [
        Hostile("empty.xlsx", empty, _whole_file("empty-file", "Send the return workbook")),
        Hostile("truncated.xlsx", lambda: truncated(_base()), _whole_file("damaged-file")),
        Hostile("csv-as.xlsx", csv_text, _whole_file("not-a-workbook")),
        Hostile("web-page.xls", lambda: html_page(valid("10001")), _whole_file("not-a-workbook")),
        Hostile(
            "xml-2003.xls",
            lambda: spreadsheet_ml_2003(valid("10001")),
            _whole_file("not-a-workbook"),
        ),
        Hostile(
            "password.xlsx",
            lambda: password_protected(_base()),
            _whole_file("password-protected", "Remove the password"),
        ),
        Hostile("stray-xfd.xlsx", lambda: stray_cell_at_xfd(_base()), _whole_file("damaged-file")),
        Hostile(
            "shared-strings-4e9.xlsx",
            lambda: shared_strings_count(xlsx_shared_strings(valid("10001"))),
            _whole_file("damaged-file"),
        ),
        Hostile("xxe.xlsx", lambda: xxe(_base()), _whole_file("unsafe-file")),
        Hostile("billion-laughs.xlsx", lambda: billion_laughs(_base()), _whole_file("unsafe-file")),
        Hostile("zip-bomb.xlsx", lambda: zip_bomb(_base()), _whole_file("unsafe-file")),
        Hostile("ratio-bomb.xlsx", lambda: ratio_bomb(_base()), _whole_file("unsafe-file")),
        Hostile(
            "too-large.xlsx", lambda: too_large(_base()), _whole_file("file-too-large", "20 MB")
        ),
        Hostile("many-parts.xlsx", lambda: too_many_parts(_base()), _whole_file("unsafe-file")),
        Hostile("lying-sheet.xlsx", lambda: lying_sheet(_base()), _whole_file("damaged-file")),
        Hostile(
            "huge-cell.xlsx",
            lambda: huge_text(xlsx(valid(HUGE)), "Cells", "B2"),
            Expected("text-too-long", "Cells", 2, "cell_name", "B2", "Shorten it", HUGE),
        ),
        Hostile(
            "formula.xlsx",
            lambda: formula_without_value(FORMULA),
            Expected(
                "formula-without-value",
                "Cells",
                3,
                "official_members",
                "D3",
                "save it again",
                FORMULA,
            ),
        ),
        Hostile(
            "control.xlsx",
            lambda: control_characters(xlsx(valid(CONTROL)), "Cells", "B3"),
            Expected("control-characters", "Cells", 3, "cell_name", "B3", "Retype", CONTROL),
        ),
        Hostile(
            "hyperlink.xlsx",
            lambda: xlsx(hyperlink_in_rejected(HYPERLINK_COMMUNE)),
            Expected(
                "negative-number",
                "Meetings",
                2,
                "higher_level_attendees",
                "G2",
                "cannot be negative",
                HYPERLINK_COMMUNE,
            ),
        ),
        Hostile("markup.xlsx", lambda: xlsx(markup_names(MARKUP)), Expected(None, commune=MARKUP)),
        Hostile(
            "xls-named.xlsx", lambda: xls(valid(XLS_AS_XLSX)), Expected(None, commune=XLS_AS_XLSX)
        ),
        Hostile("calc.ods", lambda: ods(valid(ODS)), Expected(None, commune=ODS)),
        Hostile("~$valid-a.xlsx", office_lock, Expected(None, skipped=True)),
        Hostile(".~lock.valid-b.xlsx#", libreoffice_lock, Expected(None, skipped=True)),
    ]


def spec_gaps() -> list[Hostile]:
    """Hostile files that once slipped past the reader's screens: a DTD in a part not named
    .xml, and a bomb whose zip headers lie about its size."""
    return [
        Hostile(
            "dtd-in-upper-case-part.xlsx",
            lambda: dtd_in_odd_part(_base(), "xl/worksheets/sheet2.XML"),
            _whole_file("unsafe-file"),
        ),
        Hostile(
            "dtd-in-dat-part.xlsx",
            lambda: dtd_in_odd_part(_base(), "xl/worksheets/sheet2.dat"),
            _whole_file("unsafe-file"),
        ),
        # Headers that lie about sizes make the archive corrupt: its CRC check fails while
        # every member is inflated and counted, so it is rejected as damaged.
        Hostile("lying-bomb.xlsx", lambda: lying_bomb(_base()), _whole_file("damaged-file")),
    ]


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def write_valid(folder: Path) -> dict[str, Path]:
    """The three plain valid returns: commune -> path."""
    return {commune: write(folder, name, xlsx(valid(commune))) for commune, name in VALID.items()}


def write_corpus(folder: Path, hostiles: list[Hostile] | None = None) -> dict[str, Hostile]:
    """Drop every hostile file into ``folder``: file name -> what it is."""
    files = {h.name: h for h in (hostiles if hostiles is not None else corpus())}
    for hostile in files.values():
        write(folder, hostile.name, hostile.make())
    return files


def first_line(path: str = "/etc/passwd") -> str:
    """The first line of a local file that must never reach a bulletin."""
    with Path(path).open(encoding="utf-8", errors="replace") as handle:
        return handle.readline().strip()
