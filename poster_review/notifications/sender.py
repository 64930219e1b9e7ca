"""Deliver outbox messages: claim a batch, send each, record the outcome.

Claiming is one UPDATE that only takes rows still ``queued`` (with ``FOR UPDATE SKIP
LOCKED`` in the sub-select on PostgreSQL; SQLite serialises writers), so two workers
never take the same row. A row stuck in ``sending`` longer than the lease (a worker
died) is queued again. The Message-ID is derived from the outbox id, so a receiving
server can drop the rare duplicate of a message whose delivery was not recorded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import smtplib
import socket
import ssl
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from poster_review.notifications.models import OutboxMessage, OutboxState
from poster_review.settings import Settings

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 6
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean_header_text(value: str) -> str:
    """Header injection is impossible: control characters (CR, LF...) become spaces."""
    return _CONTROL.sub(" ", value).strip()


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
    def __init__(self, host: str, port: int, settings: Settings) -> None:
        self.host, self.port, self.settings = host, port, settings
        self.conn: smtplib.SMTP | None = None

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
        if self.conn is None:
            self.conn = self._connect()
        self.conn.send_message(message)

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


def claim(dbsession: Session, *, worker: str, now: dt.datetime, limit: int) -> list[int]:
    candidates = (
        select(OutboxMessage.id)
        .where(
            or_(
                and_(
                    OutboxMessage.state == OutboxState.queued, OutboxMessage.next_attempt_at <= now
                ),
                and_(
                    OutboxMessage.state == OutboxState.sending,
                    OutboxMessage.claimed_at < now - LEASE,
                ),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if dbsession.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(dbsession.scalars(candidates))
    if not ids:
        return []
    dbsession.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(ids),
            or_(
                OutboxMessage.state == OutboxState.queued,
                and_(
                    OutboxMessage.state == OutboxState.sending,
                    OutboxMessage.claimed_at < now - LEASE,
                ),
            ),
        )
        .values(state=OutboxState.sending, claimed_by=worker, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return list(
        dbsession.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.claimed_by == worker,
                OutboxMessage.state == OutboxState.sending,
            )
        )
    )


def send_batch(
    factory: sessionmaker[Session],
    settings: Settings,
    transport: Transport,
    *,
    limit: int = 100,
    worker: str | None = None,
) -> tuple[int, int]:
    """Claim and send up to ``limit`` messages. Returns (sent, failed)."""
    worker = worker or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.UTC)
    with factory.begin() as dbsession:
        ids = claim(dbsession, worker=worker, now=now, limit=limit)
    sent = failed = 0
    for message_id in ids:
        with factory.begin() as dbsession:
            row = dbsession.get_one(OutboxMessage, message_id)
            message = build_message(row, settings)
        error: str | None = None
        permanent = False
        try:
            transport.send(message)
        except smtplib.SMTPResponseException as exc:
            error, permanent = f"{exc.smtp_code} {exc.smtp_error!r}", 500 <= exc.smtp_code < 600
            transport.close()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            error = "recipient refused: " + "; ".join(
                f"{code} {msg.decode(errors='replace')}" for code, msg in exc.recipients.values()
            )
            permanent = all(500 <= code < 600 for code in codes)
            transport.close()
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
            transport.close()
        with factory.begin() as dbsession:
            row = dbsession.get_one(OutboxMessage, message_id)
            row.attempts += 1
            row.claimed_by = None
            if error is None:
                row.state, row.sent_at, row.last_error = (
                    OutboxState.sent,
                    dt.datetime.now(dt.UTC),
                    None,
                )
                sent += 1
            elif permanent or row.attempts >= MAX_ATTEMPTS:
                row.state, row.last_error = OutboxState.failed, error
                failed += 1
            else:
                # Exponential back-off: 1, 2, 4, 8, 16 minutes.
                row.state, row.last_error = OutboxState.queued, error
                row.next_attempt_at = dt.datetime.now(dt.UTC) + dt.timedelta(
                    minutes=2 ** (row.attempts - 1)
                )
        log.info("mail id=%d %s", message_id, "sent" if error is None else "not sent")
    return sent, failed
