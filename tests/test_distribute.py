"""Sending each commune its bulletin and feedback (issue 14), through a real SMTP server.

The server is aiosmtpd, started by the tests on 127.0.0.1; it keeps every message it
accepts, and can be told to fail after some, to refuse an address, or to stall. The
province: A (00001) accepted with a warning (a feedback workbook), two addresses;
B (00002) rejected; C (00003) accepted, with no contact; D (00004) sent nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from pipeline.distribute import ContactsError, distribute
from pipeline.failure import Failure
from pipeline.run import Options, report
from tests.factory import valid_return, write_reference, write_workbook

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (
    'province_name = "Tỉnh Thử"\ndeadline_days = 10\nstale_years = 3\nlanguage = "vi"\n'
    'board_email = "bantochuc@tinh.example"\n'
)
CONTACTS = (
    "commune_code,email,name\n"
    "00001,vanphong@an.example;bithu@an.example,Văn phòng\n"
    "00002,vanphong@binh.example,\n"
    "00004,vanphong@dong.example,\n"
)


class Mailbox:
    """What the server accepted; knobs to make it fail, refuse or stall."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.fail_after: int | None = None  # accept this many messages, then answer 451
        self.refuse: set[str] = set()  # addresses refused at RCPT
        self.stall_at: int | None = None  # the n-th message (0-based) stalls at RCPT
        self.logins: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        if self.stall_at is not None and len(self.messages) == self.stall_at:
            await asyncio.sleep(60)  # the client is killed meanwhile
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.fail_after is not None and len(self.messages) >= self.fail_after:
            return "451 4.3.0 try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 queued"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mailbox():
    box = Mailbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        box.logins.append(auth_data.login.decode())
        return AuthResult(success=auth_data.password == b"s3cret")

    controller = Controller(
        box, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
        auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    box.server = ("127.0.0.1", controller.port)  # type: ignore[attr-defined]
    yield box
    controller.stop()


def make_province(root: Path) -> Options:
    options = Options(raw=root / "raw", reference=root / "ref", out=root / "out")
    write_reference(
        options.reference,
        communes=[("00001", "Xã An", None), ("00002", "Xã Bình", None),
                  ("00003", "Xã Cẩm", None), ("00004", "Xã Đông", None)],
        settings=SETTINGS,
    )  # fmt: skip
    (options.reference / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    a = valid_return(commune="00001")
    a["Cells"][0].append("Ghi chú")  # an extra column: a warning, a feedback workbook
    write_workbook(options.raw / "Báo cáo xã An.xlsx", a)
    b = valid_return(commune="00002")
    b["Meetings"][1][4] = 999  # attendees above members: rejected
    write_workbook(options.raw / "binh.xlsx", b)
    write_workbook(options.raw / "cam.xlsx", valid_return(commune="00003"))
    report(options)
    return options


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The province after `report`, copied afresh for each test (reports are slow)."""
    root = tmp_path_factory.mktemp("built")
    make_province(root)
    return root


@pytest.fixture
def province(built, tmp_path) -> Options:
    shutil.copytree(built, tmp_path / "p")
    root = tmp_path / "p"
    return Options(raw=root / "raw", reference=root / "ref", out=root / "out")


def send(province: Options, mailbox: Mailbox, **kwargs):
    return distribute(province.out, province.reference, None, None, mailbox.server, **kwargs)


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def record(province: Options) -> list[dict]:
    path = province.out / "outbox" / "sent.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# --- the outbox ---------------------------------------------------------------------------


def test_the_outbox_holds_one_message_per_contact_and_the_boards(province):
    done = distribute(province.out, province.reference, None, None)
    outbox = province.out / "outbox" / "2026-Q3"
    assert done.outbox == outbox
    assert sorted(p.name for p in outbox.iterdir()) == [
        "00001-xa-an.eml", "00002-xa-binh.eml", "00004-xa-dong.eml", "board.eml",
    ]  # fmt: skip
    parsed = {
        p.name: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in outbox.iterdir()
    }
    bulletins = province.out / "bulletins" / "2026-Q3"
    feedback = province.out / "feedback" / "2026-Q3"

    a = parsed["00001-xa-an.eml"]
    assert a["Subject"] == "Xã An: bản tin quý 3/2026"
    assert a["To"] == "vanphong@an.example, bithu@an.example"
    assert a["From"] == "bantochuc@tinh.example"
    assert attachments(a) == {
        "Bản tin 2026-Q3 - Xã An.pdf": (bulletins / "00001-xa-an.pdf").read_bytes(),
        "Phản hồi - Báo cáo xã An.xlsx": (feedback / "00001-bao-cao-xa-an.xlsx").read_bytes(),
    }
    body = a.get_body(("plain",)).get_content()
    assert "đúng hạn" in body and "1 cảnh báo" in body

    b = parsed["00002-xa-binh.eml"]
    assert "bị trả lại" in b["Subject"]
    assert list(attachments(b)) == ["Bản tin 2026-Q3 - Xã Bình.pdf", "Phản hồi - binh.xlsx"]
    assert "1 lỗi" in b.get_body(("plain",)).get_content()

    d = parsed["00004-xa-dong.eml"]  # nothing sent: a reminder with the deadline
    assert "nhắc" in d["Subject"] and attachments(d) == {}
    assert "10/10/2026" in d.get_body(("plain",)).get_content()  # 30 Sep + 10 days

    board = parsed["board.eml"]
    assert board["To"] == "bantochuc@tinh.example"
    assert list(attachments(board)) == ["Bản tin 2026-Q3 - Tỉnh Thử.pdf"]
    text = board.get_body(("plain",)).get_content()
    assert "00003 Xã Cẩm (Đúng hạn): không có địa chỉ" in text  # no contact: said so
    assert "00004 Xã Đông (Chưa nộp): thư nhắc, gửi vanphong@dong.example" in text
    # the raw message: a Vietnamese subject and file name, encoded as mail programs expect
    raw = (outbox / "00001-xa-an.eml").read_bytes()
    assert b"Subject: =?utf-8?" in raw and b"filename*=utf-8''B%E1%BA%A3n%20tin" in raw


def test_the_outbox_is_the_same_twice(province):
    distribute(province.out, province.reference, None, None)
    first = {p.name: p.read_bytes() for p in (province.out / "outbox" / "2026-Q3").iterdir()}
    distribute(province.out, province.reference, None, None)
    again = {p.name: p.read_bytes() for p in (province.out / "outbox" / "2026-Q3").iterdir()}
    assert again == first


# --- through a mail server ----------------------------------------------------------------


def test_every_contact_gets_exactly_its_message_and_an_unchanged_rerun_sends_nothing(
    province, mailbox
):
    done = send(province, mailbox)
    assert done.left == 0
    assert len(mailbox.messages) == 4
    for address in ("vanphong@an.example", "bithu@an.example"):
        [message] = mailbox.to(address)
        assert message["Subject"] == "Xã An: bản tin quý 3/2026"
    assert len(mailbox.to("vanphong@binh.example")) == 1
    assert len(mailbox.to("vanphong@dong.example")) == 1
    assert len(mailbox.to("bantochuc@tinh.example")) == 1
    sent = record(province)
    assert [e["recipient"] for e in sent] == ["00001", "00002", "00004", "board"]
    assert all(e["answer"].startswith("250") for e in sent)
    assert sent[0]["accepted"] == ["vanphong@an.example", "bithu@an.example"]

    again = send(province, mailbox)
    assert len(mailbox.messages) == 4  # nothing sent twice
    assert {line.action for line in again.lines} == {"unchanged", "no_contact"}
    assert len(record(province)) == 4


def test_a_server_failing_part_way_leaves_a_rerun_that_sends_the_rest_once(province, mailbox):
    mailbox.fail_after = 2
    with pytest.raises(Failure) as failed:
        send(province, mailbox)
    assert "2 thư còn lại" in failed.value.text("vi") or "2 message(s) are left" in str(
        failed.value
    )
    assert [e["recipient"] for e in record(province)] == ["00001", "00002"]
    mailbox.fail_after = None
    send(province, mailbox)
    by_address: dict[str, int] = {}
    for rcpts, _message in mailbox.messages:
        for address in rcpts:
            by_address[address] = by_address.get(address, 0) + 1
    assert by_address == dict.fromkeys(
        ["vanphong@an.example", "bithu@an.example", "vanphong@binh.example",
         "vanphong@dong.example", "bantochuc@tinh.example"], 1
    )  # fmt: skip


def test_a_process_killed_between_two_messages_loses_nothing(province, mailbox):
    mailbox.stall_at = 2  # the third message waits at RCPT: the sender is killed there
    command = [
        sys.executable, "-m", "pipeline", "distribute", "--out", str(province.out),
        "--reference", str(province.reference), "--smtp", "{}:{}".format(*mailbox.server),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while len(mailbox.messages) < 2 or len(record(province)) < 2:
        assert time.monotonic() < deadline, "the first two messages never arrived"
        time.sleep(0.05)
    time.sleep(0.3)  # it is now stalled on the third
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert len(record(province)) == 2
    mailbox.stall_at = None
    send(province, mailbox)
    recipients = [tuple(rcpts) for rcpts, _ in mailbox.messages]
    assert len(recipients) == len(set(recipients)) == 4  # each delivered exactly once


def test_a_resubmission_sends_the_communes_and_the_boards_new_messages_only(province, mailbox):
    send(province, mailbox)
    fixed = valid_return(commune="00002", submitted_on=dt.date(2026, 10, 8))
    write_workbook(province.raw / "binh-sua.xlsx", fixed)
    report(Options(province.raw, province.reference, province.out))
    done = send(province, mailbox)
    assert len(mailbox.messages) == 6
    new = [m for _rcpts, m in mailbox.messages[4:]]
    assert [m["To"] for m in new] == ["vanphong@binh.example", "bantochuc@tinh.example"]
    assert "thay cho thư ngày" in new[0].get_body(("plain",)).get_content()
    assert "đúng hạn" in new[0].get_body(("plain",)).get_content()
    assert list(attachments(new[0])) == ["Bản tin 2026-Q3 - Xã Bình.pdf", "Phản hồi - binh.xlsx"]
    actions = {line.recipient: line.action for line in done.lines}
    assert actions == {"00001": "unchanged", "00002": "sent", "00003": "no_contact",
                       "00004": "unchanged", "board": "sent"}  # fmt: skip


def test_a_refused_address_is_said_and_the_fixed_one_alone_gets_it_later(province, mailbox):
    mailbox.refuse = {"bithu@an.example"}
    done = send(province, mailbox)
    assert done.left == 1
    [line] = [line for line in done.lines if line.action == "refused"]
    assert line.recipient == "00001" and "550" in line.note
    assert len(mailbox.to("vanphong@an.example")) == 1
    contacts = province.reference / "contacts.csv"
    contacts.write_text(contacts.read_text().replace("bithu@an.example", "bithu2@an.example"))
    mailbox.refuse = set()
    send(province, mailbox)
    assert len(mailbox.to("vanphong@an.example")) == 1  # not sent again
    assert len(mailbox.to("bithu2@an.example")) == 1


def test_a_login_comes_from_the_environment_and_is_never_written(province, mailbox, monkeypatch):
    monkeypatch.setenv("SMTP_USER", "bantochuc")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    send(province, mailbox)
    assert mailbox.logins == ["bantochuc"] and len(mailbox.messages) == 4
    assert "s3cret" not in (province.out / "outbox" / "sent.jsonl").read_text()


# --- what stops the command before anything is sent ---------------------------------------


def test_an_invalid_address_stops_before_anything_is_sent(province, mailbox):
    contacts = province.reference / "contacts.csv"
    contacts.write_text(contacts.read_text().replace("vanphong@binh.example", "vanphong@binh"))
    with pytest.raises(ContactsError) as stopped:
        send(province, mailbox)
    assert stopped.value.text("en") == (
        "contacts.csv, line 3: vanphong@binh is not an e-mail address (name@domain): correct it."
    )
    assert mailbox.messages == [] and record(province) == []


def test_the_command_says_in_one_line_what_is_missing(province):
    def run(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "pipeline", "distribute", "--out", str(province.out),
                   "--reference", str(province.reference), "--lang", "en", *args]  # fmt: skip
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)

    done = run("--period", "2026-Q2")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: There are no bulletins for 2026-Q2")
    assert len(done.stderr.splitlines()) == 1
    done = run("--smtp", "localhost")
    assert done.returncode == 2 and "HOST:PORT" in done.stderr
    toml = province.reference / "province.toml"
    toml.write_text(SETTINGS.replace('board_email = "bantochuc@tinh.example"\n', ""))
    done = run()
    assert done.returncode == 1 and "province.toml has no board_email" in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_the_command_prints_a_line_per_recipient(province, mailbox):
    command = [sys.executable, "-m", "pipeline", "distribute", "--out", str(province.out),
               "--reference", str(province.reference), "--lang", "en",
               "--smtp", "{}:{}".format(*mailbox.server)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Quarter 3/2026"
    assert any(re.match(r"00003 +Xã Cẩm .*no address in contacts.csv$", line) for line in lines)
    assert lines[-1] == "4 messages sent, 0 unchanged since they were sent"
