"""Mail as messages and backends, in the manner of Django's e-mail backends.

A ``Letter`` is built once (who, what it says, what it carries) and knows nothing of
how it travels. ``as_email`` makes it a standard ``EmailMessage``; a backend then
carries it: ``Outbox`` writes ``.eml`` files any mail program opens, ``SmtpServer``
hands it to a mail server. What was sent is recorded by the job, not the backends.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import mimetypes
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

POLICY = email.policy.SMTP  # CRLF line ends, long headers folded, non-ASCII encoded (RFC 2047)


@dataclass(frozen=True)
class Letter:
    """One message: for a commune (its code) or the board ("board")."""

    recipient: str
    to: tuple[str, ...]
    subject: str
    body: str
    attachments: tuple[tuple[Path, str], ...]  # a file, and its name in the message
    digest: str  # what it says and carries, for the record; equal digests: the same letter
    file_name: str  # of its .eml in the outbox


def parse_address(text: str) -> Address:
    """An e-mail address (``name@domain.tld``); ``ValueError`` when it is not one."""
    try:
        address = Address(addr_spec=text.strip())
    except (ValueError, IndexError) as exc:  # the parser raises either on malformed input
        raise ValueError(text) from exc
    if not address.username or "." not in address.domain or address.domain.endswith("."):
        raise ValueError(text)
    return address


def as_email(letter: Letter, sender: str, when: dt.datetime) -> EmailMessage:
    """The letter as a standard message with its attachments; the same letter, sender and
    time give the same bytes (its boundary and Message-ID come from its digest)."""
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = ", ".join(letter.to)
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(when)
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{letter.digest[:24]}.{letter.recipient}@{domain}>"
    message.set_content(letter.body)
    for path, name in letter.attachments:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        maintype, subtype = kind.split("/", 1)
        # a Vietnamese name is encoded by the email package (RFC 2231)
        message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=name)
    if letter.attachments:
        message.set_boundary(f"=={letter.digest[:32]}==")
    return message


class Outbox:
    """Writes each message as an ``.eml`` file into ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage, file_name: str) -> Path:
        path = self.folder / file_name
        path.write_bytes(message.as_bytes(policy=POLICY))
        return path


class Refused(Exception):
    """The server refused the message; ``whom`` is the sender or the refused recipients."""

    def __init__(self, whom: list[str], answer: str, sender: bool = False) -> None:
        super().__init__(answer)
        self.whom = whom
        self.answer = answer
        self.sender = sender


class SmtpServer:
    """A connection to a mail server: STARTTLS when offered, a login when the environment
    gives ``SMTP_USER`` and ``SMTP_PASSWORD`` (never a command-line argument)."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.connection = smtplib.SMTP(host, port, timeout=timeout)
        self.connection.ehlo()
        if self.connection.has_extn("starttls"):
            self.connection.starttls(context=ssl.create_default_context())
            self.connection.ehlo()
        user, password = os.environ.get("SMTP_USER"), os.environ.get("SMTP_PASSWORD")
        if user and password:
            self.connection.login(user, password)

    def send(self, message: EmailMessage, recipients: list[str]) -> tuple[list[str], str]:
        """Hand ``message`` to the server for ``recipients``: those it accepted, and its
        answer to the message (kept in the record). ``Refused`` when it takes none of them
        or refuses the sender; other failures raise ``smtplib.SMTPException`` or ``OSError``.

        The steps of ``smtplib.SMTP.sendmail``, kept apart to learn the server's answer.
        """
        smtp = self.connection
        sender = str(message["From"])
        code, text = smtp.mail(sender)
        if code != 250:
            smtp.rset()
            raise Refused([sender], _answer(code, text), sender=True)
        accepted, refusals = [], []
        for recipient in recipients:
            code, text = smtp.rcpt(recipient)
            if code in (250, 251):
                accepted.append(recipient)
            else:
                refusals.append(f"{recipient}: {_answer(code, text)}")
        if not accepted:
            smtp.rset()
            raise Refused(recipients, "; ".join(refusals))
        code, text = smtp.data(message.as_bytes(policy=POLICY))
        if code != 250:
            smtp.rset()
            raise smtplib.SMTPDataError(code, text)
        return accepted, "; ".join([_answer(code, text), *refusals])

    def close(self) -> None:
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            self.connection.close()


def _answer(code: int, text: bytes | str) -> str:
    words = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {words}".strip()
