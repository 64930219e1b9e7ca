"""Deliver outbox messages: claim a batch, send each, record the outcome.

Claiming is one UPDATE that only takes rows still due (with ``FOR UPDATE SKIP
LOCKED`` in the sub-select on PostgreSQL; SQLite serialises writers), so two workers
never take the same row. The claim is renewed just before each message is sent, and
a row left in ``sending`` longer than the lease (its worker died) is taken again. The
Message-ID is derived from the outbox id, so a receiving server can drop the rare
duplicate of a message whose delivery was not recorded (see :func:`send_batch`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import smtplib
import socket
import ssl
import time
import uuid
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from poster_review.notifications.models import OutboxMessage, OutboxState
from poster_review.settings import Settings

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 6
#: Control characters and every other line break str.splitlines() knows.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
#: The start of an RFC 2047 encoded word (=?charset?Q?...?=). The email package decodes
#: one found in a value, and Python before 3.11.10 then writes what it decodes to, CR
#: and LF included, into the header: a name "=?utf-8?q?Eve=0D=0ABcc:...?=" added a Bcc.
_ENCODED_WORD = re.compile(r"=\?(?=[^?\s]*\?[bBqQ]\?)")


def clean_header_text(value: str) -> str:
    """Header injection is impossible: control characters (CR, LF...) become spaces and
    text shaped like an encoded word is written apart ("= ?utf-8?q?...") so that it
    stays the literal text it was."""
    return _ENCODED_WORD.sub("= ?", _CONTROL.sub(" ", value)).strip()


def _check_headers(msg: EmailMessage) -> None:
    """Raise ValueError unless the serialised message has exactly the headers we set:
    a last guard against a value the email package turns into several lines."""
    head = bytes(msg).split(b"\n\n", 1)[0]
    written = [
        line.split(b":", 1)[0].decode("ascii", "replace").lower()
        for line in head.split(b"\n")
        if line[:1] not in (b" ", b"\t")
    ]
    if written != [name.lower() for name in msg]:
        raise ValueError("a header value would be written as several header lines")


def build_message(row: OutboxMessage, settings: Settings) -> EmailMessage:
    msg = EmailMessage()
    sender_name, _, sender_addr = settings.mail_sender.rpartition("<")
    msg["From"] = Address(
        clean_header_text(sender_name.strip().strip('"')),
        addr_spec=sender_addr.rstrip(">").strip() or settings.mail_sender,
    )
    msg["To"] = Address(clean_header_text(row.to_name), addr_spec=clean_header_text(row.to_email))
    msg["Subject"] = clean_header_text(row.subject)
    domain = sender_addr.rstrip(">").rpartition("@")[2] or "localhost"
    msg["Message-ID"] = f"<outbox-{row.id}@{domain}>"
    msg["Date"] = format_datetime(row.created_at)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    _check_headers(msg)
    return msg


class Transport:
    def send(self, message: EmailMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        return None


class FileTransport(Transport):
    """Development: each message becomes an .eml file that any mail program opens."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage) -> None:
        name = str(message["Message-ID"]).strip("<>").replace("@", "_")
        (self.directory / f"{name}.eml").write_bytes(bytes(message))


class SMTPTransport(Transport):
    #: Servers drop idle connections (often after 60 s); check one idle longer than
    #: this with NOOP before reusing it, rather than fail a message on a dead socket.
    IDLE_CHECK = 20.0

    def __init__(self, host: str, port: int, settings: Settings) -> None:
        self.host, self.port, self.settings = host, port, settings
        self.conn: smtplib.SMTP | None = None
        self.last_used = 0.0

    def _connect(self) -> smtplib.SMTP:
        security = self.settings.mail_smtp_security
        if security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=30, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=30)
            if security == "starttls":
                conn.starttls(context=ssl.create_default_context())
        if self.settings.mail_smtp_username:
            conn.login(self.settings.mail_smtp_username, self.settings.mail_smtp_password)
        return conn

    def send(self, message: EmailMessage) -> None:
        if self.conn is not None and time.monotonic() - self.last_used > self.IDLE_CHECK:
            try:
                self.conn.noop()
            except (smtplib.SMTPException, OSError):
                self.close()
        if self.conn is None:
            self.conn = self._connect()
        self.conn.send_message(message)
        self.last_used = time.monotonic()

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.conn.quit()
            self.conn = None


def make_transport(settings: Settings) -> Transport:
    spec = settings.mail_transport
    if spec.startswith("file:"):
        return FileTransport(Path(spec.removeprefix("file:")))
    if spec.startswith("smtp://"):
        host, _, port = spec.removeprefix("smtp://").rstrip("/").partition(":")
        return SMTPTransport(host, int(port or 25), settings)
    raise ValueError(f"unknown mail.transport {spec!r}")


def _due(now: dt.datetime, lease: dt.timedelta) -> ColumnElement[bool]:
    return or_(
        and_(OutboxMessage.state == OutboxState.queued, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.state == OutboxState.sending, OutboxMessage.claimed_at < now - lease),
    )


def claim(
    dbsession: Session,
    *,
    worker: str,
    now: dt.datetime,
    limit: int,
    lease: dt.timedelta = LEASE,
) -> list[int]:
    """Mark up to ``limit`` due messages as ``sending`` by ``worker``; return their ids.

    One UPDATE ... RETURNING, so no other statement runs between choosing rows and
    taking them. On PostgreSQL the rows are chosen with FOR UPDATE SKIP LOCKED, so a
    second worker takes the next rows instead of waiting; on SQLite the UPDATE takes
    the database's write lock before it reads, so a second worker waits and then finds
    the rows already taken.
    """
    candidates = (
        select(OutboxMessage.id).where(_due(now, lease)).order_by(OutboxMessage.id).limit(limit)
    )
    if dbsession.get_bind().dialect.name == "postgresql":
        # A CTE with FOR UPDATE runs once. As an IN (sub-select) PostgreSQL may run it
        # again for each row, skip the rows this UPDATE just changed and take them all.
        chosen = candidates.with_for_update(skip_locked=True).cte("chosen")
        statement = update(OutboxMessage).where(OutboxMessage.id == chosen.c.id)
    else:
        statement = update(OutboxMessage).where(OutboxMessage.id.in_(candidates.scalar_subquery()))
    taken = dbsession.scalars(
        statement.where(_due(now, lease))
        .values(state=OutboxState.sending, claimed_by=worker, claimed_at=now)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(taken)


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off after a temporary failure: 1, 2, 4, 8, 16 minutes."""
    return dt.timedelta(minutes=2 ** (attempts - 1))


def _classify(exc: Exception) -> tuple[str, bool]:
    """(the error to show the chair, whether retrying is pointless)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        error = "recipient refused: " + "; ".join(
            f"{code} {msg.decode(errors='replace')}" for code, msg in exc.recipients.values()
        )
        return error, all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        error_text = exc.smtp_error
        if isinstance(error_text, bytes):
            error_text = error_text.decode(errors="replace")
        return f"{exc.smtp_code} {error_text}", 500 <= exc.smtp_code < 600
    return f"{type(exc).__name__}: {exc}", False


def _take(
    factory: sessionmaker[Session], message_id: int, worker: str, settings: Settings
) -> tuple[EmailMessage | None, int, str | None]:
    """Renew ``worker``'s claim on one message and build it: (message, attempts so far,
    error if it cannot be built). The message is None if another worker took the row
    over (our lease ran out while earlier messages of the batch were sent)."""
    with factory.begin() as dbsession:
        row = dbsession.scalars(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.claimed_by == worker,
                OutboxMessage.state == OutboxState.sending,
            )
            .values(claimed_at=dt.datetime.now(dt.UTC))
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False)
        ).one_or_none()
        if row is None:
            return None, 0, None
        try:
            return build_message(row, settings), row.attempts, None
        except (ValueError, TypeError, LookupError, MessageError) as exc:
            return None, row.attempts, f"cannot build the message: {exc}"


def _record(
    factory: sessionmaker[Session],
    message_id: int,
    worker: str,
    *,
    attempts: int,
    error: str | None,
    permanent: bool,
) -> OutboxState:
    now = dt.datetime.now(dt.UTC)
    values: dict[str, object] = {"attempts": attempts, "claimed_by": None}
    if error is None:
        state = OutboxState.sent
        values |= {"sent_at": now, "last_error": None}
    elif permanent or attempts >= MAX_ATTEMPTS:
        state = OutboxState.failed
        values |= {"last_error": error}
    else:
        state = OutboxState.queued
        values |= {"last_error": error, "next_attempt_at": now + retry_delay(attempts)}
    with factory.begin() as dbsession:
        result = dbsession.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker)
            .values(state=state, **values)
            .execution_options(synchronize_session=False)
        )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        # Only if one send outlasted the lease: the new owner will send it again.
        log.warning("mail id=%d was taken over while being sent", message_id)
    return state


def new_worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def send_batch(
    factory: sessionmaker[Session],
    settings: Settings,
    transport: Transport,
    *,
    limit: int = 100,
    worker: str | None = None,
    lease: dt.timedelta = LEASE,
) -> tuple[int, int]:
    """Claim and send up to ``limit`` messages. Returns (sent, failed for good).

    Guarantee: every queued message is handed to the mail server at least once. It is
    handed over twice only if the worker stops (killed, or its database connection
    lost) after the server accepted the message and before ``sent`` was recorded, or
    if one send outlasts the lease; every copy carries the same Message-ID
    ``<outbox-ID@domain>``, so duplicates can be recognised. Each transaction starts
    with its write, which SQLite needs to let two workers run side by side.
    """
    worker = worker or new_worker_name()
    with factory.begin() as dbsession:
        ids = claim(dbsession, worker=worker, now=dt.datetime.now(dt.UTC), limit=limit, lease=lease)
    sent = failed = 0
    for message_id in ids:
        message, attempts, error = _take(factory, message_id, worker, settings)
        if message is None and error is None:
            log.info("mail id=%d taken over by another worker", message_id)
            continue
        permanent = error is not None
        if message is not None:
            try:
                transport.send(message)
            except (OSError, smtplib.SMTPException) as exc:
                error, permanent = _classify(exc)
                transport.close()
        state = _record(
            factory, message_id, worker, attempts=attempts + 1, error=error, permanent=permanent
        )
        sent += state == OutboxState.sent
        failed += state == OutboxState.failed
        log.info("mail id=%d %s", message_id, state.value)
    return sent, failed
