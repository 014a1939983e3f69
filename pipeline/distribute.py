"""Send each commune what concerns it for a quarter, and the board its bulletin
(the ``distribute`` command, SPEC §7).

Each commune of ``contacts`` gets one message in the run's language: its status and
what to do, its bulletin, and the feedback workbook of each of its files with problems
(a commune without a return: a reminder with the deadline). The board (``board_email``)
gets the province bulletin and a line per commune. Without a mail server the messages
are written as ``.eml`` files into ``<out>/outbox/<period>/``; with one they are sent,
and every message the server accepts is appended to ``<out>/outbox/sent.jsonl`` at once,
so a failure or a kill loses nothing and a rerun sends only what is left.

A letter's digest is made of what concerns its recipient: a commune's status, its
files and their problems, never the province's figures. A letter is never sent twice
to an address; a commune whose return or feedback changed gets one new letter saying
it replaces the earlier one, and the board a new province bulletin.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import duckdb
import jinja2
import pandas as pd

from pipeline import formats
from pipeline.cache import digest
from pipeline.clock import now
from pipeline.failure import Failure
from pipeline.feedback import feedback_names
from pipeline.labels import N_, label_for, slug, translations
from pipeline.mail import Letter, Outbox, Refused, SmtpServer, as_email, parse_address
from pipeline.outputs import building_dir, swap_in
from pipeline.quarters import Quarter
from pipeline.reference import Reference, load_reference
from pipeline.render import page_name
from pipeline.warehouse import open_read_only

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"
QUERIES = Path(__file__).parent / "sql" / "distribute"
BOARD = "board"
STATUSES = ("on_time", "late", "rejected", "missing")


@dataclass(frozen=True)
class Contact:
    """Where a commune's messages go (several lines of one commune add up)."""

    commune_code: str
    addresses: tuple[str, ...]


@dataclass
class Line:
    """What became of one recipient's letter: for the terminal, and the board's message."""

    recipient: str  # a commune code, or "board"
    commune_name: str
    status: str | None  # the commune's status; None for the board
    to: tuple[str, ...]
    attachments: tuple[str, ...]
    action: str  # written, sent, unchanged, no_contact, refused, left
    replaces: dt.date | None = None  # the date of the earlier letter it replaces
    sent_on: dt.date | None = None  # of the same letter, sent before (unchanged)
    note: str = ""  # the server's answer to a refusal

    @property
    def feedback(self) -> int:
        """How many feedback workbooks the letter carries."""
        return sum(name.endswith(".xlsx") for name in self.attachments)


@dataclass
class Distribution:
    """What ``distribute`` did."""

    period: Quarter
    lang: str
    smtp: bool
    lines: list[Line] = field(default_factory=list)
    outbox: Path | None = None

    @property
    def left(self) -> int:
        """Letters still to deliver (a server refused them, or failed before)."""
        return sum(line.action in ("left", "refused") for line in self.lines)


class ContactsError(Failure):
    """The contacts cannot be used: every bad line, named, one per line."""

    def __init__(self, problems: list[Failure]) -> None:
        super().__init__(problems[0].message, **problems[0].values)
        self.problems = problems

    def text(self, lang: str) -> str:
        return "\n".join(problem.text(lang) for problem in self.problems)


def distribute(
    out: Path,
    reference_dir: Path,
    period: tuple[int, int] | None,
    lang: str | None,
    smtp: tuple[str, int] | None = None,
    sender: str | None = None,
) -> Distribution:
    """Write (or, with ``smtp``, send) the quarter's messages; see the module docstring.

    Everything is checked (contacts, addresses, the bulletins) before anything is
    written or sent.
    """
    reference = load_reference(reference_dir, lang)
    lang = lang or reference.settings.language
    board = _board_address(reference)
    sender = _sender(sender, board)
    contacts = load_contacts(reference_dir, set(reference.communes["commune_code"]))
    with open_read_only(out / "warehouse.duckdb") as con:
        quarter = Quarter(*period) if period else _latest(con)
        communes = _query(con, "communes", quarter)
        files = _query(con, "files", quarter)
        unidentified = _query(con, "unidentified", quarter)[0]["files"]
    bulletins = out / "bulletins" / quarter.code
    if not (bulletins / "province.pdf").is_file():
        raise Failure(
            N_(
                "There are no bulletins for %(period)s in %(folder)s yet: run `python -m "
                "pipeline report --period %(period)s` first."
            ),
            period=quarter.code,
            folder=bulletins,
        )
    record = Record(out / "outbox" / "sent.jsonl")
    letters, lines = _commune_letters(
        communes,
        files,
        contacts,
        (bulletins, out / "feedback" / quarter.code),
        record,
        reference,
        quarter,
        lang,
    )
    board_letter = _board_letter(
        board, communes, letters, lines, unidentified, bulletins, record, reference, quarter, lang
    )
    letters.append(board_letter)
    carried = tuple(path.name for path, _shown in board_letter.attachments)
    replaces = record.replaced(quarter, BOARD, board_letter.digest)
    lines.append(Line(BOARD, "", None, board_letter.to, carried, "new", replaces))
    result = Distribution(quarter, lang, smtp is not None, lines)
    when = now()
    if smtp is None:
        result.outbox = _write_outbox(out, quarter, letters, lines, record, sender, when)
    else:
        _send(smtp, letters, lines, record, sender, when, quarter)
    return result


# --- contacts and addresses -------------------------------------------------------------


def load_contacts(folder: Path, communes: set[str]) -> dict[str, Contact]:
    """The ``contacts`` of the reference folder (CSV or XLSX), every address checked; a
    ``ContactsError`` naming each bad line stops the command before anything is sent."""
    path = next(
        (p for p in (folder / "contacts.csv", folder / "contacts.xlsx") if p.is_file()), None
    )
    if path is None:
        raise Failure(
            N_(
                "%(folder)s has no contacts.csv: add one with the columns commune_code, email "
                "and name (a commune's addresses separated by ;)."
            ),
            folder=folder,
        )
    problems: list[Failure] = []
    found: dict[str, list[str]] = {}
    for line, row in _rows(path):
        where = {"file": path.name, "line": line}
        code = _commune_code(row.get("commune_code", ""))
        if code not in communes:
            problems.append(
                Failure(
                    N_("%(file)s, line %(line)s: %(code)s is not a commune of communes.csv."),
                    code=code or "''",
                    **where,
                )
            )
            continue
        addresses = [a.strip() for a in (row.get("email") or "").split(";") if a.strip()]
        if not addresses:
            problems.append(Failure(N_("%(file)s, line %(line)s: no e-mail address."), **where))
        for address in addresses:
            try:
                parse_address(address)
            except ValueError:
                problems.append(
                    Failure(
                        N_(
                            "%(file)s, line %(line)s: %(address)s is not an e-mail address "
                            "(name@domain): correct it."
                        ),
                        address=address,
                        **where,
                    )
                )
        known = found.setdefault(code, [])
        known += [a for a in addresses if a not in known]
    if problems:
        raise ContactsError(problems)
    return {code: Contact(code, tuple(addresses)) for code, addresses in found.items()}


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line as an editor or Excel numbers it, the row by column) of a contacts file."""
    try:
        if path.suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            frame = pd.read_excel(path, dtype=str, engine="calamine").fillna("")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise Failure(
            N_("%(file)s cannot be read (%(reason)s): save it as UTF-8 CSV with a header row."),
            file=path.name,
            reason=str(exc).splitlines()[0],
        ) from None
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    missing = [c for c in ("commune_code", "email") if c not in frame.columns]
    if missing:
        raise Failure(
            N_("%(file)s has no column %(column)s: its header must be commune_code,email,name."),
            file=path.name,
            column=", ".join(missing),
        )
    for i, row in enumerate(frame.to_dict("records")):
        yield i + 2, row


def _commune_code(text: str) -> str:
    """As the reference reads it: "6253" (a code that lost its zero) is "06253"."""
    code = text.strip().removesuffix(".0")
    return code.zfill(5) if code.isdigit() else code


def _board_address(reference: Reference) -> str:
    board = reference.settings.board_email
    if not board:
        raise Failure(
            N_(
                "province.toml has no board_email: add the board's address, for example "
                'board_email = "bantochuc@tinh.gov.vn"; it receives the province bulletin.'
            )
        )
    try:
        parse_address(board)
    except ValueError:
        raise Failure(
            N_("board_email in province.toml is not an e-mail address: %(address)s."),
            address=board,
        ) from None
    return board


def _sender(sender: str | None, board: str) -> str:
    if sender is None:
        return board
    try:
        parse_address(sender)
    except ValueError:
        raise Failure(
            N_("--sender %(address)s is not an e-mail address."), address=sender
        ) from None
    return sender


# --- the letters ------------------------------------------------------------------------


def _latest(con: duckdb.DuckDBPyConnection) -> Quarter:
    row = con.execute((QUERIES / "latest.sql").read_text(encoding="utf-8")).fetchone()
    if row is None:
        raise Failure(N_("The warehouse holds no accepted return: there is nothing to send."))
    return Quarter(int(row[0]), int(row[1]))


def _query(con: duckdb.DuckDBPyConnection, name: str, quarter: Quarter) -> list[dict[str, Any]]:
    sql = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    params = {k: v for k, v in quarter._asdict().items() if f"${k}" in sql}
    relation = con.execute(sql, params)
    columns = [d[0] for d in relation.description]
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def _commune_letters(
    communes: list[dict[str, Any]],
    files: list[dict[str, Any]],
    contacts: dict[str, Contact],
    folders: tuple[Path, Path],  # the period's bulletins, its feedback
    record: Record,
    reference: Reference,
    quarter: Quarter,
    lang: str,
) -> tuple[list[Letter], list[Line]]:
    bulletins, feedback = folders
    # The feedback workbooks, named as the report named them from the same files.
    ordered = sorted(files, key=lambda f: PurePosixPath(f["file_name"]))
    names = feedback_names([(f["file_name"], f["commune_code"]) for f in ordered])
    workbooks = {file_name: feedback / name for file_name, name in names.items()}
    by_commune: dict[str, list[dict[str, Any]]] = {}
    for row in files:
        by_commune.setdefault(row["commune_code"], []).append(row)
    deadline = quarter.end + dt.timedelta(days=reference.settings.deadline_days)
    letters: list[Letter] = []
    lines: list[Line] = []
    for commune in communes:
        code, name, status = commune["commune_code"], commune["commune_name"], commune["status"]
        own_files = by_commune.get(code, [])
        contact = contacts.get(code)
        if contact is None:
            lines.append(Line(code, name, status, (), (), "no_contact"))
            continue
        key = _commune_digest(quarter, commune, own_files)
        attachments = _attachments(commune, own_files, bulletins, workbooks, quarter, lang)
        replaces = record.replaced(quarter, code, key)
        subject, body = _render(
            "commune.txt",
            lang,
            c=commune,
            later_rejected=[f for f in own_files if f["after_in_use"]],
            deadline=deadline,
            deadline_passed=now().date() > deadline,
            replaces=replaces,
            attachments=[shown for _path, shown in attachments],
            province_name=reference.settings.province_name,
            year=quarter.year,
            quarter=quarter.quarter,
        )
        letters.append(
            Letter(code, contact.addresses, subject, body, tuple(attachments), key,
                   f"{code}-{slug(name)}.eml")
        )  # fmt: skip
        carried = tuple(path.name for path, _shown in attachments)
        lines.append(Line(code, name, status, contact.addresses, carried, "new", replaces))
    return letters, lines


def _attachments(
    commune: dict[str, Any],
    files: list[dict[str, Any]],
    bulletins: Path,
    workbooks: dict[str, Path],
    quarter: Quarter,
    lang: str,
) -> list[tuple[Path, str]]:
    """The commune's bulletin and the feedback workbook of each of its files with problems,
    each under a name that says what it is ("Bản tin 2026-Q3 - Xã Hiệp Hải.pdf")."""
    _ = translations(lang).gettext
    found: list[tuple[Path, str]] = []
    pdf = bulletins / page_name(commune, ".pdf")
    if pdf.is_file():
        shown = _("Bulletin %(period)s - %(commune)s") % {
            "period": quarter.code,
            "commune": commune["commune_name"],
        }
        found.append((pdf, f"{shown}.pdf"))
    for row in files:
        path = workbooks[row["file_name"]]
        if path.is_file():
            shown = _("Feedback - %(file)s") % {"file": PurePosixPath(row["file_name"]).stem}
            found.append((path, f"{shown}.xlsx"))
    return found


def _commune_digest(quarter: Quarter, commune: dict[str, Any], files: list[dict[str, Any]]) -> str:
    """What a commune's letter is about: its status, the return in use and its files'
    problems (never the province's figures, which move with every other commune)."""
    in_use = commune["sha256"] if commune["status"] in ("on_time", "late") else None
    problems = [(f["sha256"], f["status"], f["problems_digest"]) for f in files]
    return digest(quarter.code, commune["commune_code"], commune["status"], in_use, problems)


def _board_letter(
    board: str,
    communes: list[dict[str, Any]],
    letters: list[Letter],
    lines: list[Line],
    unidentified: int,
    bulletins: Path,
    record: Record,
    reference: Reference,
    quarter: Quarter,
    lang: str,
) -> Letter:
    # A new board letter whenever any commune's standing changed, whether or not it has
    # a contact: the province bulletin changed with it.
    standing = [(c["commune_code"], c["status"], c["sha256"]) for c in communes]
    key = digest(quarter.code, BOARD, [letter.digest for letter in letters], standing, unidentified)
    for line in lines:
        letter = next((x for x in letters if x.recipient == line.recipient), None)
        if letter is not None and not _pending(letter, record, quarter):
            line.action, line.sent_on = (
                "unchanged",
                record.sent_on(quarter, line.recipient, letter.digest),
            )
    subject, body = _render(
        "board.txt",
        lang,
        counts={s: sum(c["status"] == s for c in communes) for s in STATUSES},
        lines=lines,
        unidentified=unidentified,
        replaces=record.replaced(quarter, BOARD, key),
        province_name=reference.settings.province_name,
        year=quarter.year,
        quarter=quarter.quarter,
    )
    _ = translations(lang).gettext
    shown = _("Bulletin %(period)s - %(commune)s") % {
        "period": quarter.code,
        "commune": reference.settings.province_name,
    }
    attachment = (bulletins / "province.pdf", f"{shown}.pdf")
    return Letter(BOARD, (board,), subject, body, (attachment,), key, "board.eml")


@cache
def _environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,  # plain-text mail, never HTML
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = lambda v: formats.date(v, lang)
    env.filters["num"] = lambda v: formats.number(v, lang)
    env.filters["name"] = lambda v: PurePosixPath(v).name  # a file's name, without its folder
    env.globals["label"] = label_for(lang)
    return env


def _render(template: str, lang: str, **context: Any) -> tuple[str, str]:
    """The subject (the template's first line) and the body of a message."""
    text = _environment(lang).get_template(template).render(**context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


# --- the record of what was sent ---------------------------------------------------------


class Record:
    """``sent.jsonl``: one line per message a server accepted, written through to the disk
    as it is accepted, so what was sent survives any failure or kill."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries = list(self._read())

    def _read(self) -> Iterator[dict[str, Any]]:
        if not self.path.is_file():
            return
        for text in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(text)
            except json.JSONDecodeError:
                continue  # a line cut short by a kill: that message's fate is unknown
            if isinstance(entry, dict):
                yield entry

    def _of(self, quarter: Quarter, recipient: str) -> list[dict[str, Any]]:
        return [
            e
            for e in self.entries
            if e.get("period") == quarter.code and e.get("recipient") == recipient
        ]

    def delivered(self, quarter: Quarter, recipient: str, key: str) -> set[str]:
        """The addresses that already accepted the letter ``key``."""
        return {
            address
            for entry in self._of(quarter, recipient)
            if entry.get("digest") == key
            for address in entry.get("accepted", [])
        }

    def replaced(self, quarter: Quarter, recipient: str, key: str) -> dt.date | None:
        """When the recipient was last sent another letter of the quarter (None: never)."""
        earlier = [e for e in self._of(quarter, recipient) if e.get("digest") != key]
        return dt.date.fromisoformat(earlier[-1]["sent_on"]) if earlier else None

    def sent_on(self, quarter: Quarter, recipient: str, key: str) -> dt.date | None:
        same = [e for e in self._of(quarter, recipient) if e.get("digest") == key]
        return dt.date.fromisoformat(same[-1]["sent_on"]) if same else None

    def append(self, entry: dict[str, Any]) -> None:
        """Write ``entry`` through to the disk before anything else is sent."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        self.entries.append(entry)


# --- carrying the letters ---------------------------------------------------------------


def _pending(letter: Letter, record: Record, quarter: Quarter) -> list[str]:
    """The letter's addresses that have not accepted it yet."""
    done = record.delivered(quarter, letter.recipient, letter.digest)
    return [address for address in letter.to if address not in done]


def _line(lines: list[Line], recipient: str) -> Line:
    return next(line for line in lines if line.recipient == recipient)


def _write_outbox(
    out: Path,
    quarter: Quarter,
    letters: list[Letter],
    lines: list[Line],
    record: Record,
    sender: str,
    when: dt.datetime,
) -> Path:
    """Every letter not yet delivered, as .eml files; the period's outbox replaced whole."""
    final = out / "outbox" / quarter.code
    building = building_dir(final)
    outbox = Outbox(building)
    for letter in letters:
        line = _line(lines, letter.recipient)
        if _pending(letter, record, quarter):
            outbox.send(as_email(letter, sender, when), letter.file_name)
            line.action = "written"
        else:
            line.action = "unchanged"
            line.sent_on = record.sent_on(quarter, letter.recipient, letter.digest)
    swap_in(building, final)
    return final


def _send(
    smtp: tuple[str, int],
    letters: list[Letter],
    lines: list[Line],
    record: Record,
    sender: str,
    when: dt.datetime,
    quarter: Quarter,
) -> None:
    """Send every letter not yet delivered, recording each as the server accepts it; the
    board's last, so it is sent only once the communes' are."""
    todo: list[tuple[Letter, list[str]]] = []
    for letter in letters:
        pending = _pending(letter, record, quarter)
        line = _line(lines, letter.recipient)
        if pending:
            line.action = "left"
            todo.append((letter, pending))
        else:
            line.action = "unchanged"
            line.sent_on = record.sent_on(quarter, letter.recipient, letter.digest)
    if not todo:
        return
    server = _connect(smtp)
    try:
        for letter, pending in todo:
            line = _line(lines, letter.recipient)
            try:
                accepted, answer = server.send(as_email(letter, sender, when), pending)
            except Refused as refused:
                if refused.sender:
                    raise Failure(
                        N_(
                            "The mail server refused the sender %(sender)s (%(answer)s): give "
                            "--sender an address it accepts. %(left)s message(s) were not sent."
                        ),
                        sender=sender,
                        answer=refused.answer,
                        left=sum(x.action == "left" for x in lines),
                    ) from None
                line.action, line.note = "refused", refused.answer
                continue
            record.append(
                {
                    "period": quarter.code,
                    "recipient": letter.recipient,
                    "digest": letter.digest,
                    "to": pending,
                    "accepted": accepted,
                    "subject": letter.subject,
                    "attachments": [
                        {"name": shown, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
                        for path, shown in letter.attachments
                    ],
                    "answer": answer,
                    "sent_on": when.date().isoformat(),
                    "sent_at": when.isoformat(timespec="seconds"),
                }
            )
            line.action = "sent" if len(accepted) == len(pending) else "refused"
            line.note = "" if line.action == "sent" else answer
    except (OSError, smtplib.SMTPException) as exc:
        raise Failure(
            N_(
                "The mail server failed (%(error)s): %(left)s message(s) are left. What was "
                "sent is recorded in %(record)s; run the command again to send the rest."
            ),
            error=str(exc) or type(exc).__name__,
            left=sum(line.action == "left" for line in lines),
            record=record.path,
        ) from None
    finally:
        server.close()


def _connect(smtp: tuple[str, int]) -> SmtpServer:
    host, port = smtp
    try:
        return SmtpServer(host, port)
    except (OSError, smtplib.SMTPException) as exc:
        raise Failure(
            N_(
                "Cannot reach the mail server %(server)s (%(error)s): check --smtp HOST:PORT "
                "and, if it needs one, SMTP_USER and SMTP_PASSWORD. Nothing was sent."
            ),
            server=f"{host}:{port}",
            error=str(exc) or type(exc).__name__,
        ) from None
