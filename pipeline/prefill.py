"""Pre-filled return workbooks for the communes, ready for the next quarter (SPEC §3).

``write_templates`` writes one ``.xlsx`` per commune of the reference data, named
``<commune_code>-<slug of the commune name>.xlsx``. Each template is a return the
reader accepts as it is once the clerk has filled it in:

- an instructions sheet (``Hướng dẫn``; the reader ignores sheets it does not
  know, silently) and a hidden ``Danh mục`` sheet holding the dropdown lists;
- ``Thông tin`` (Info) with the commune code, name and period filled in, and
  ``submitted_on`` and ``prepared_by`` left for the clerk;
- ``Chi bộ`` (Cells) copied from the commune's latest accepted return at or
  before the period, found in the warehouse's ``cells`` table (empty, headers
  only, when there is no warehouse or no such return). ``last_admission_year``
  also takes the year of any admission on record, because a return whose cell
  admitted in its own quarter may leave that year blank;
- ``Sinh hoạt`` (Meetings) with a row per cell and month of the quarter, cell
  code and month filled in;
- ``Kết nạp`` (Admissions) with its headers only.

Headers are named as the reader names a missing column (``read.expected_header``:
the first Vietnamese alias of each column in the schemas, the canonical English
names with ``lang="en"``; sheet names likewise), so they always match the reader.
Every other text (instructions, input messages, titles) is written in English here
and translated through the gettext catalog (``pipeline/locale``).

Every value list of SPEC §3 is an Excel dropdown of labels the reader accepts;
whole numbers and dates are validated where SPEC gives a range, and ``cell_code``
in Meetings and Admissions is a dropdown of the codes typed in the Cells sheet.
Blank ``regular_meeting`` cells of the prefilled rows are shaded until filled: a
blank there reads as "not held".

Protection: each data sheet is protected without a password, with the header
row locked (the label column on Info) and the data cells unlocked: the first
``DATA_ROWS`` data rows from end to end (Excel deletes a row only when none of
its cells is locked), and the table's columns all the way down. Clerks can
type, add rows at the bottom, insert and delete rows, sort and resize columns;
they cannot edit a header by mistake. One thing protection does prevent: a row
inserted right under the header takes the header's (locked) format, as Excel
copies the format from above; inserting anywhere lower, or typing below the
table, works. Excel lets anyone remove the protection (Review > Unprotect
Sheet), and the reader neither needs nor checks it.

The output depends only on the inputs: the workbook's creation date is the
first day of the period and xlsxwriter stamps the zip members with a fixed
date, so rerunning gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from pipeline.labels import N_, label_for, slug, translations
from pipeline.quarters import Quarter
from pipeline.read import expected_header
from pipeline.reference import Reference
from pipeline.warehouse import open_read_only
from schemas import SHEET_BY_NAME
from schemas.value_lists import VALUE_LISTS

DATA_ROWS = 500  # rows below the header unlocked and validated (more with a long table)
FIRST_PARTY_YEAR = 1930  # the Party was founded in 1930: no cell admitted earlier
OLDEST_BIRTH_YEAR = 1900
ADULT_AGE = 18


# --- words: English in the code, Vietnamese in the gettext catalog ---------------------------

# The sheets only the template has (the reader ignores them).
_OWN_SHEETS = {"Instructions": N_("Instructions"), "Lists": N_("Lists")}
TITLE = N_("PARTY-BUILDING RETURN %(year)s-Q%(quarter)s")
TODO = N_("To fill in")  # Info: what the clerk fills in
CHECK = N_("Check this value")  # title of Excel's message on a value its validation refuses

# Input messages, by column (or "Sheet.column"); placeholders are those of _words.
HINTS = {
    "Info.submitted_on": N_("Date the return was prepared, day/month/year, e.g. %(example_date)s."),
    "Info.prepared_by": N_("Name of the person who prepared the return."),
    "Cells.cell_code": N_("Cell code, e.g. CB01. One row per cell, each code once."),
    "cell_code": N_("Pick a cell code listed in the %(cells)s sheet."),
    "cell_name": N_("Full name of the cell."),
    "cell_type": N_("Pick the cell type from the list."),
    "official_members": N_("Official members at quarter end (a whole number, 0 or more)."),
    "probationary_members": N_(
        "Probationary members at quarter end, including those admitted this quarter."
    ),
    "last_admission_year": N_(
        "Year of the cell's latest admission (not after %(year)s); blank if it never admitted "
        "anyone. %(year)s if it admitted this quarter."
    ),
    "month": N_("Month of the quarter: %(first_month)s to %(last_month)s."),
    "regular_meeting": N_("Yes if the cell held its regular meeting that month, No otherwise."),
    "meeting_date": N_(
        "Meeting date, in the month of the %(month)s column (day/month/year). Blank if no meeting."
    ),
    "attendees": N_(
        "Members present: 1 to the cell's official + probationary members. Blank if no meeting."
    ),
    "thematic_meeting": N_("Yes if the cell held a thematic meeting that month; blank means No."),
    "higher_level_attendees": N_(
        "Committee members and commune or province cadres who attended; blank means 0."
    ),
    "assigned_member": N_(
        "The commune committee member assigned to attend and guide this cell's meetings; "
        "blank if none."
    ),
    "assigned_member_attended": N_(
        "Yes if the cell's assigned committee member attended the meeting held; blank means No."
    ),
    "meeting_rating": N_("The cell committee's rating of the meeting held; blank if not rated."),
    "admitted_on": N_("Admission date, within %(year)s-Q%(quarter)s (day/month/year)."),
    "sex": N_("Pick male or female."),
    "birth_year": N_(
        "Year of birth (4 digits). New members are at least 18; over 60 needs provincial approval."
    ),
    "ethnicity": N_("Ethnic group, e.g. Kinh, Tay, Thai, Muong, Khmer."),
    "religion": N_("Religion; blank or None when none."),
    "occupation": N_("Pick the occupation from the list."),
    "education": N_("Pick the education level from the list."),
    "referred_by": N_("Mass organisation that referred the member; blank or none when none."),
}


def _instruction_lines(has_history: bool) -> list[tuple[str, str]]:
    """(style, text to translate) lines of the instructions sheet, before the value lists.

    Placeholders are those of ``_words`` and ``_instructions``; style is title, heading or text.
    """
    history = (
        N_(
            "• Prefilled from the latest accepted return (%(source_year)s-Q%(source_quarter)s). "
            "Update it to the quarter's end: add new cells, remove dissolved or merged ones, "
            "correct the member counts."
        )
        if has_history
        else N_("• No accepted return yet: write one row per cell.")
    )
    return [
        ("title", TITLE),
        ("text", N_("%(name)s (code %(code)s) — %(province)s")),
        ("text", N_("Due: %(due)s at the latest (%(days)s days after the quarter ends).")),
        ("heading", N_("General")),
        (
            "text",
            N_(
                "• Do not rename sheets or change, delete or add columns. Header rows are "
                "locked; data cells, new rows and deleted rows work as usual."
            ),
        ),
        ("text", N_("• Where a column has a dropdown, pick a value from it.")),
        ("text", N_("• Write dates day/month/year, e.g. 05/01/2027.")),
        (
            "text",
            N_(
                "• Do not write names, ID card or party card numbers of new members: "
                "such columns are dropped when the return is received."
            ),
        ),
        ("text", N_("• Save as Excel Workbook (.xlsx), without a password.")),
        ("heading", N_("Sheet «%(info)s»")),
        ("text", N_("• Commune code, name and period are filled in: do not change them.")),
        (
            "text",
            N_("• Fill in %(submitted_on)s (the date of the return) and %(prepared_by)s."),
        ),
        ("heading", N_("Sheet «%(cells)s»: one row per cell")),
        ("text", history),
        (
            "text",
            N_(
                "• Each %(cell_code)s once. %(probationary_members)s include this quarter's "
                "admissions."
            ),
        ),
        (
            "text",
            N_(
                "• %(last_admission_year)s: year of the cell's latest admission, blank if none "
                "ever; %(year)s for a cell that admitted this quarter."
            ),
        ),
        (
            "text",
            N_(
                "• %(assigned_member)s: the commune committee member assigned to attend and "
                "guide the cell's meetings, prefilled from the latest return; blank if none."
            ),
        ),
        ("heading", N_("Sheet «%(meetings)s»: one row per cell and month")),
        (
            "text",
            N_(
                "• Rows are laid out with cell code and month. Do not delete them: for a month "
                "without a meeting pick «%(no)s» in %(regular_meeting)s. A blank there reads as "
                "no meeting."
            ),
        ),
        (
            "text",
            N_(
                "• Meeting held: fill in %(meeting_date)s (in that month) and %(attendees)s (1 to "
                "the cell's official + probationary members). Not held: leave both blank."
            ),
        ),
        (
            "text",
            N_(
                "• %(thematic_meeting)s: «%(yes)s» when a thematic meeting took place. "
                "%(higher_level_attendees)s: cadres from commune or province who attended; "
                "blank is 0."
            ),
        ),
        (
            "text",
            N_(
                "• %(assigned_member_attended)s: «%(yes)s» when the committee member named in "
                "%(assigned_member)s («%(cells)s») attended a meeting held. %(meeting_rating)s: "
                "the cell committee's rating of a meeting held. Both stay blank for a month "
                "without a meeting."
            ),
        ),
        ("text", N_("• A cell added in «%(cells)s» needs its 3 rows here.")),
        ("heading", N_("Sheet «%(admissions)s»: one row per member admitted")),
        ("text", N_("• Leave the sheet empty when nobody was admitted this quarter.")),
        (
            "text",
            N_(
                "• %(admitted_on)s within %(year)s-Q%(quarter)s. Age at admission (year "
                "admitted minus birth year) at least 18; over 60 needs provincial approval."
            ),
        ),
        ("text", N_("• %(religion)s and %(referred_by)s: blank or none when there is none.")),
        (
            "text",
            N_(
                "• A cell's admissions in the quarter are at most its %(probationary_members)s, "
                "and its %(last_admission_year)s is %(year)s or blank."
            ),
        ),
        ("heading", N_("Value lists")),
    ]


def _sheet_names(lang: str) -> dict[str, str]:
    """Canonical sheet (and "Instructions", "Lists") -> its name in the workbook.

    The reader's sheets are named as the reader names a missing one (the first Vietnamese
    alias, or the canonical name), so the name always matches; the others are translated.
    """
    gettext = translations(lang).gettext
    return {
        "Instructions": gettext(_OWN_SHEETS["Instructions"]),
        **{s.name: s.aliases[0] if lang == "vi" else s.name for s in SHEET_BY_NAME.values()},
        "Lists": gettext(_OWN_SHEETS["Lists"]),
    }


def _words(lang: str, period: tuple[int, int]) -> dict[str, Any]:
    """The placeholders of the hints and instructions: every column's header as the reader
    expects it, the sheet names (lower case), Yes and No, and the quarter's figures."""
    year, quarter = period
    label = label_for(lang)
    after = Quarter(*period).next.start
    words: dict[str, Any] = {
        column: expected_header(column, meta, lang)
        for spec in SHEET_BY_NAME.values()
        for column, meta in spec.fields().items()
    }
    words |= {sheet.lower(): name for sheet, name in _sheet_names(lang).items()}
    return words | {
        "yes": label("yes"),
        "no": label("no"),
        "year": year,
        "quarter": quarter,
        "first_month": Quarter(year, quarter).months[0],
        "last_month": Quarter(year, quarter).months[-1],
        "example_date": f"05/{after:%m/%Y}",  # a day in the month the return is due
    }


def _labels(name: str, lang: str) -> list[str]:
    """The dropdown of a value list: labels the reader accepts, in list order.

    Vietnamese: every label of the list (a clerk picks "Đại học" or "Cao đẳng", both
    ``higher``), but only the first of ``boolean`` and ``sex`` (not ``x``, ``M``, ``F``).
    English: the canonical codes, and Yes/No.
    """
    if name == "boolean":
        label = label_for(lang)
        return [label("yes"), label("no")]
    if lang != "vi":
        return list(VALUE_LISTS[name])
    if name == "sex":
        return [labels[0] for labels in VALUE_LISTS[name].values()]
    return list(dict.fromkeys(label for labels in VALUE_LISTS[name].values() for label in labels))


# The label a prefilled code is written with, when not its first one: the cells of a
# "village" code are villages, hamlets or urban residential groups alike.
_PREFILL_LABELS = {"cell_type": {"village": "Thôn, bản, tổ dân phố"}}


def period_label(period: tuple[int, int], lang: str) -> str:
    """The period as SPEC §3 accepts it: ``Quý 4/2026`` in Vietnamese, ``2026-Q4`` in English."""
    year, quarter = period
    return f"Quý {quarter}/{year}" if lang == "vi" else f"{year}-Q{quarter}"


def _instructions(
    lang: str,
    commune: dict[str, Any],
    period: tuple[int, int],
    source: tuple[int, int] | None,
    reference: Reference,
) -> list[tuple[str, str]]:
    """(style, text) lines of the instructions sheet; style is title, heading or text."""
    gettext = translations(lang).gettext
    settings = reference.settings
    due = Quarter(*period).end + dt.timedelta(days=settings.deadline_days)
    words = _words(lang, period) | {
        "name": commune["commune_name"] or commune["commune_code"],
        "code": commune["commune_code"],
        "province": settings.province_name,
        "due": f"{due:%d/%m/%Y}",
        "days": settings.deadline_days,
    }
    if source:
        words |= {"source_year": source[0], "source_quarter": source[1]}
    lines = [(style, gettext(text) % words) for style, text in _instruction_lines(bool(source))]
    # each list under the header of its column (a list and its column share their name)
    lists = ("cell_type", "sex", "occupation", "education", "referred_by")
    return lines + [("text", f"• {words[n]}: {'; '.join(_labels(n, lang))}") for n in lists]


QUERIES = Path(__file__).parent / "sql" / "prefill"


def _query(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text(encoding="utf-8")


def default_period(warehouse: Path) -> tuple[int, int] | None:
    """The quarter after the latest one with an accepted return in the warehouse, if any."""
    if not warehouse.exists():
        return None
    with open_read_only(warehouse) as con:
        row = con.execute(_query("latest_quarter")).fetchone()
    return Quarter(int(row[0]), int(row[1])).next if row else None


# --- history ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _History:
    """The cells of a commune's latest accepted return at or before the period."""

    source: tuple[int, int] | None
    cells: list[dict[str, Any]]


def _histories(warehouse: Path | None, period: tuple[int, int]) -> dict[str, _History]:
    if warehouse is None or not warehouse.exists():
        return {}
    key = period[0] * 10 + period[1]
    with open_read_only(warehouse) as con:
        cells = con.execute(_query("cells"), {"key": key}).fetchall()
        admitted = con.execute(_query("admitted"), {"key": key}).fetchall()
    latest_admission = {(c, cell): int(y) for c, cell, y in admitted if y is not None}
    out: dict[str, _History] = {}
    columns = ("cell_code", "cell_name", "cell_type", "official_members", "probationary_members")
    for commune, year, quarter, *values in cells:
        history = out.setdefault(commune, _History((int(year), int(quarter)), []))
        cell = dict(zip(columns, values[:5], strict=True))
        years = [y for y in (values[5], latest_admission.get((commune, cell["cell_code"]))) if y]
        cell["last_admission_year"] = max(years) if years else None
        cell["assigned_member"] = values[6]  # the committee member assigned last quarter
        history.cells.append(cell)
    return out


# --- writing ----------------------------------------------------------------------------------


def write_templates(
    reference: Reference, warehouse: Path | None, folder: Path, period: tuple[int, int], lang: str
) -> list[Path]:
    """Write one return template per commune of ``reference`` into ``folder``; their paths.

    ``lang`` is ``vi`` (Vietnamese sheet names, headers, labels and instructions) or
    ``en`` (the canonical names of SPEC §3). Files already in ``folder`` under the same
    names are replaced; other files are left alone.
    """
    if lang not in ("vi", "en"):
        raise ValueError(f"No template words for language {lang!r} (vi or en).")
    histories = _histories(warehouse, period)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for commune in reference.communes.to_dict("records"):
        name = commune.get("commune_name")
        commune["commune_name"] = name if isinstance(name, str) and name.strip() else None
        code = commune["commune_code"]
        path = folder / f"{code}-{slug(commune['commune_name'] or '')}.xlsx"
        history = histories.get(code, _History(None, []))
        _Template(path, commune, period, lang, history, reference).write()
        written.append(path)
    return written


class _Template:
    """One commune's workbook, written sheet by sheet."""

    def __init__(
        self,
        path: Path,
        commune: dict[str, Any],
        period: tuple[int, int],
        lang: str,
        history: _History,
        reference: Reference,
    ) -> None:
        self.path = path
        self.commune = commune
        self.period = period
        self.lang = lang
        self.gettext = translations(lang).gettext
        self.words = _words(lang, period)
        self.history = history
        self.reference = reference
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.book.set_properties(
            {
                "created": dt.datetime.combine(Quarter(*period).start, dt.time()),
                "title": self.gettext(TITLE) % self.words,
                "subject": f"{commune['commune_code']} {commune['commune_name'] or ''}".strip(),
            }
        )
        add = self.book.add_format
        self.fmt = {
            "header": add(
                {
                    "bold": True,
                    "text_wrap": True,
                    "valign": "vcenter",
                    "align": "center",
                    "bg_color": "#DDEBF7",
                    "border": 1,
                    "locked": True,
                }
            ),
            "locked": add({"locked": True}),
            "label": add({"bold": True, "locked": True, "bg_color": "#DDEBF7", "border": 1}),
            "hint": add({"italic": True, "font_color": "#595959", "text_wrap": True}),
            "title": add({"bold": True, "font_size": 14}),
            "heading": add({"bold": True, "font_size": 12, "top": 1}),
            "text": add({"text_wrap": True, "valign": "top"}),
            "todo": add({"bg_color": "#FFF2CC"}),
            # data cells: unlocked, typed
            "any": add({"locked": False}),
            "str": add({"locked": False, "num_format": "@"}),
            "int": add({"locked": False, "num_format": "0"}),
            "date": add({"locked": False, "num_format": "dd/mm/yyyy"}),
        }
        self.sheet_names = _sheet_names(lang)
        self.list_ranges: dict[str, str] = {}

    # -- helpers --

    def _ref(self, sheet: str) -> str:
        name = self.sheet_names[sheet].replace("'", "''")
        return f"'{name}'"

    def _hint(self, key: str) -> str:
        return self.gettext(HINTS[key]) % self.words

    def _validate(self, ws: Worksheet, rows: tuple[int, int], col: int, rule: dict) -> None:
        ws.data_validation(rows[0], col, rows[1], col, rule)

    # -- the workbook --

    def write(self) -> None:
        instructions = self.book.add_worksheet(self.sheet_names["Instructions"])
        info = self.book.add_worksheet(self.sheet_names["Info"])
        cells = self.book.add_worksheet(self.sheet_names["Cells"])
        meetings = self.book.add_worksheet(self.sheet_names["Meetings"])
        admissions = self.book.add_worksheet(self.sheet_names["Admissions"])
        lists = self.book.add_worksheet(self.sheet_names["Lists"])
        self._write_lists(lists)
        self._write_instructions(instructions)
        self._write_info(info)
        cell_rows = [
            [
                self._label("cell_type", c[name]) if name == "cell_type" else c[name]
                for name in SHEET_BY_NAME["Cells"].fields()
            ]
            for c in self.history.cells
        ]
        self._write_table(cells, "Cells", cell_rows)
        first = Quarter(*self.period).months[0]
        blanks = [None] * (len(SHEET_BY_NAME["Meetings"].fields()) - 2)
        meeting_rows = [
            [c["cell_code"], month, *blanks]
            for c in self.history.cells
            for month in range(first, first + 3)
        ]
        self._write_table(meetings, "Meetings", meeting_rows)
        self._write_table(admissions, "Admissions", [])
        instructions.activate()
        self.book.close()

    def _label(self, name: str, code: Any) -> Any:
        """A canonical code as its dropdown label (an unknown value is kept as it is)."""
        if code not in VALUE_LISTS[name] or self.lang != "vi":
            return code
        return _PREFILL_LABELS.get(name, {}).get(code, VALUE_LISTS[name][code][0])

    def _write_lists(self, ws: Worksheet) -> None:
        names = ["boolean", *(n for n in VALUE_LISTS if n != "boolean")]
        for c, name in enumerate(names):
            labels = _labels(name, self.lang)
            ws.write_string(0, c, name, self.fmt["label"])
            for r, label in enumerate(labels, start=1):
                ws.write_string(r, c, label)
            letter = xl_col_to_name(c)
            self.list_ranges[name] = (
                f"={self._ref('Lists')}!${letter}$2:${letter}${len(labels) + 1}"
            )
            ws.set_column(c, c, max(len(x) for x in [name, *labels]) + 2)
        ws.protect("", {"format_columns": True})
        ws.hide()

    def _write_instructions(self, ws: Worksheet) -> None:
        ws.set_column(0, 0, 110)
        lines = _instructions(
            self.lang, self.commune, self.period, self.history.source, self.reference
        )
        row = 0
        for style, text in lines:
            if style == "heading":
                row += 1
            ws.write_string(row, 0, text, self.fmt[style])
            row += 1
        ws.protect("", {"format_columns": True, "format_rows": True})

    def _write_info(self, ws: Worksheet) -> None:
        fields = SHEET_BY_NAME["Info"].fields()
        ws.set_column(0, 0, 24, self.fmt["locked"])
        ws.set_column(1, 1, 32, self.fmt["any"])
        ws.set_column(2, 2, 70, self.fmt["hint"])
        ws.write_string(0, 0, self.gettext(TITLE) % self.words, self.fmt["title"])
        values = {
            "commune_code": self.commune["commune_code"],
            "commune_name": self.commune["commune_name"] or "",
            "period": period_label(self.period, self.lang),
        }
        row = 2
        for column, meta in fields.items():
            ws.write_string(row, 0, expected_header(column, meta, self.lang), self.fmt["label"])
            if column in values:
                ws.write_string(row, 1, values[column], self.fmt["str"])
            elif meta["kind"] == "date":
                ws.write_blank(row, 1, None, self.fmt["date"])
                ws.write_string(row, 2, f"{self.gettext(TODO)}: {self._hint(f'Info.{column}')}")
                self._validate(
                    ws,
                    (row, row),
                    1,
                    self._date_rule(f"Info.{column}", ">=", Quarter(*self.period).start),
                )
                ws.conditional_format(
                    row, 1, row, 1, {"type": "blanks", "format": self.fmt["todo"]}
                )
            else:
                ws.write_blank(row, 1, None, self.fmt["str"])
                ws.write_string(row, 2, f"{self.gettext(TODO)}: {self._hint(f'Info.{column}')}")
                self._validate(ws, (row, row), 1, self._any_rule(f"Info.{column}"))
            row += 1
        ws.protect("", {"format_columns": True, "format_rows": True})

    def _write_table(self, ws: Worksheet, sheet: str, rows: list[list[Any]]) -> None:
        fields = SHEET_BY_NAME[sheet].fields()
        last = max(DATA_ROWS, len(rows) + 200)
        data = (1, last)
        ws.set_row(0, 32, self.fmt["header"])
        for c, (column, meta) in enumerate(fields.items()):
            text = expected_header(column, meta, self.lang)
            width = 30 if column == "cell_name" else max(12, min(len(text) + 4, 30))
            ws.set_column(c, c, width, self.fmt[self._style(meta["kind"])])
            ws.write_string(0, c, text, self.fmt["header"])
            self._validate(ws, data, c, self._rule(sheet, column, meta, c))
        # Excel deletes a row only when none of its cells is locked: the data rows are unlocked
        # from end to end (unlocking every column instead makes xlsxwriter walk 16,384 columns
        # in every row). A new cell takes its row's format, so the number formats of the
        # columns apply below these rows only; Excel formats a typed date by itself.
        for r in range(data[0], data[1] + 1):
            ws.set_row(r, None, self.fmt["any"])
        for r, values in enumerate(rows, start=1):
            for c, ((_, meta), value) in enumerate(zip(fields.items(), values, strict=True)):
                if value is None:
                    continue
                if meta["kind"] in ("int", "month"):
                    ws.write_number(r, c, int(value), self.fmt["int"])
                else:
                    ws.write_string(r, c, str(value), self.fmt[self._style(meta["kind"])])
        if sheet == "Meetings" and rows:
            col = list(fields).index("regular_meeting")
            letter = xl_col_to_name(col)
            ws.conditional_format(
                1,
                col,
                len(rows),
                col,
                {
                    "type": "formula",
                    "criteria": f'=AND($A2<>"",ISBLANK({letter}2))',
                    "format": self.fmt["todo"],
                },
            )
        ws.freeze_panes(1, 1)
        ws.protect(
            "",
            {
                "format_columns": True,
                "format_rows": True,
                "insert_rows": True,
                "delete_rows": True,
                "sort": True,
                "autofilter": True,
            },
        )

    @staticmethod
    def _style(kind: str) -> str:
        return {"int": "int", "month": "int", "date": "date", "text": "str", "code": "str"}.get(
            kind, "any"
        )

    # -- validation rules --

    def _messages(self, key: str) -> dict[str, Any]:
        text = self._hint(key)
        return {
            "input_message": text[:255],
            "error_title": self.gettext(CHECK),
            "error_message": text[:255],
        }

    def _any_rule(self, key: str) -> dict[str, Any]:
        return {"validate": "any", **self._messages(key)}

    def _date_rule(
        self, key: str, criteria: str, low: dt.date, high: dt.date | None = None
    ) -> dict[str, Any]:
        rule: dict[str, Any] = {"validate": "date", "criteria": criteria, **self._messages(key)}
        if high is None:
            rule["value"] = dt.datetime.combine(low, dt.time())
        else:
            rule["minimum"] = dt.datetime.combine(low, dt.time())
            rule["maximum"] = dt.datetime.combine(high, dt.time())
        return rule

    def _int_rule(self, key: str, low: int, high: int | None = None) -> dict[str, Any]:
        rule: dict[str, Any] = {"validate": "integer", **self._messages(key)}
        if high is None:
            rule.update(criteria=">=", value=low)
        else:
            rule.update(criteria="between", minimum=low, maximum=high)
        return rule

    def _rule(self, sheet: str, column: str, meta: dict, col: int) -> dict[str, Any]:
        """The data validation of one column of a table sheet."""
        year, quarter = self.period
        key = f"{sheet}.{column}" if f"{sheet}.{column}" in HINTS else column
        kind = meta["kind"]
        if kind == "bool" or kind.startswith("list:"):
            name = "boolean" if kind == "bool" else kind.removeprefix("list:")
            return {"validate": "list", "source": self.list_ranges[name], **self._messages(key)}
        if column == "cell_code" and sheet != "Cells":
            cells = self._ref("Cells")
            source = f"=OFFSET({cells}!$A$2,0,0,MAX(1,COUNTA({cells}!$A:$A)-1),1)"
            # a warning, not a stop: "cb01" is CB01 to the reader, not to Excel
            return {
                "validate": "list",
                "source": source,
                "error_type": "warning",
                **self._messages(key),
            }
        if column == "month":
            months = Quarter(year, quarter).months
            return self._int_rule(key, months[0], months[-1])
        if column == "last_admission_year":
            return self._int_rule(key, FIRST_PARTY_YEAR, year)
        if column == "birth_year":
            return self._int_rule(key, OLDEST_BIRTH_YEAR, year - ADULT_AGE)
        if kind == "int":
            return self._int_rule(key, 0)
        if column == "meeting_date":
            # a date in the month of the row's month column (when it is a plain number)
            fields = list(SHEET_BY_NAME[sheet].fields())
            d = f"{xl_col_to_name(col)}2"
            m = f"${xl_col_to_name(fields.index('month'))}2"
            start, end = Quarter(*self.period).start, Quarter(*self.period).next.start
            formula = (
                f"=AND(ISNUMBER({d}),{d}>=DATE({start.year},{start.month},1),"
                f"{d}<DATE({end.year},{end.month},1),OR(NOT(ISNUMBER({m})),MONTH({d})={m}))"
            )
            return {"validate": "custom", "value": formula, **self._messages(key)}
        if kind == "date":
            return self._date_rule(
                key, "between", Quarter(*self.period).start, Quarter(*self.period).end
            )
        return self._any_rule(key)
