"""Outbox delivery over real SMTP (aiosmtpd in-process)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import delete, select

from poster_review.notifications.models import OutboxMessage, OutboxState
from poster_review.notifications.sender import (
    FileTransport,
    SMTPTransport,
    clean_header_text,
    send_batch,
)
from tests.smtp import smtp_server


@pytest.fixture
def outbox(committing_factory):
    created: list[int] = []

    def add(**kw):
        now = dt.datetime.now(dt.UTC)
        values = {
            "event": "test",
            "to_email": "someone@example.org",
            "to_name": "Someone",
            "subject": "Hello",
            "body_text": "Body\n",
            "next_attempt_at": now,
            "created_at": now,
            **kw,
        }
        with committing_factory.begin() as s:
            row = OutboxMessage(**values)
            s.add(row)
            s.flush()
            created.append(row.id)
            return row.id

    yield add
    with committing_factory.begin() as s:
        s.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(created)))


def _row(factory, message_id):
    with factory() as s:
        return s.get_one(OutboxMessage, message_id)


def test_messages_are_delivered_once_with_stable_message_id(committing_factory, settings, outbox):
    ids = [outbox(to_email=f"r{i}@example.org", subject=f"Subject {i}") for i in range(3)]
    with smtp_server() as (recorder, port):
        transport = SMTPTransport("127.0.0.1", port, settings)
        assert send_batch(committing_factory, settings, transport) == (3, 0)
        assert send_batch(committing_factory, settings, transport) == (0, 0)  # nothing twice
        transport.close()
    assert sorted(m["Message-ID"] for m in recorder.messages) == sorted(
        f"<outbox-{i}@localhost>" for i in ids
    )
    for message_id in ids:
        row = _row(committing_factory, message_id)
        assert row.state == OutboxState.sent and row.attempts == 1 and row.sent_at is not None


def test_non_ascii_names_and_subjects_are_encoded(committing_factory, settings, outbox):
    outbox(
        to_name="Айгерим Сейткали",
        to_email="a@example.org",
        subject="Ваш постер принят · 您的海报",
        body_text="Поздравляем!\n",
    )
    with smtp_server() as (recorder, port):
        transport = SMTPTransport("127.0.0.1", port, settings)
        send_batch(committing_factory, settings, transport)
        transport.close()
    [message] = recorder.messages
    assert message["Subject"] == "Ваш постер принят · 您的海报"
    assert message["To"].addresses[0].display_name == "Айгерим Сейткали"
    assert message.get_content().strip() == "Поздравляем!"


def test_header_injection_is_impossible(committing_factory, settings, outbox):
    outbox(to_name="Eve\r\nBcc: victim@example.org", subject="Hi\nBcc: victim@example.org")
    with smtp_server() as (recorder, port):
        transport = SMTPTransport("127.0.0.1", port, settings)
        send_batch(committing_factory, settings, transport)
        transport.close()
    [message] = recorder.messages
    assert message["Bcc"] is None
    assert message["Subject"] == "Hi Bcc: victim@example.org"
    assert clean_header_text("a\r\nb\x00c") == "a b c"


def test_temporary_failure_is_retried_later(committing_factory, settings, outbox):
    message_id = outbox(to_email="busy@example.org")
    with smtp_server() as (recorder, port):
        recorder.replies["busy@example.org"] = "451 4.3.0 Try again later"
        transport = SMTPTransport("127.0.0.1", port, settings)
        assert send_batch(committing_factory, settings, transport) == (0, 0)
        row = _row(committing_factory, message_id)
        assert row.state == OutboxState.queued and row.attempts == 1
        assert "451" in (row.last_error or "")
        assert row.next_attempt_at > dt.datetime.now(dt.UTC)
        # Once due again and the server accepts, it goes out.
        with committing_factory.begin() as s:
            s.get_one(OutboxMessage, message_id).next_attempt_at = dt.datetime.now(dt.UTC)
        del recorder.replies["busy@example.org"]
        assert send_batch(committing_factory, settings, transport) == (1, 0)
        transport.close()
    assert _row(committing_factory, message_id).attempts == 2


def test_permanent_failure_records_the_reason(committing_factory, settings, outbox):
    message_id = outbox(to_email="gone@example.org")
    with smtp_server() as (recorder, port):
        recorder.replies["gone@example.org"] = "550 5.1.1 No such user"
        transport = SMTPTransport("127.0.0.1", port, settings)
        assert send_batch(committing_factory, settings, transport) == (0, 1)
        transport.close()
    row = _row(committing_factory, message_id)
    assert row.state == OutboxState.failed
    assert "550" in (row.last_error or "") and "No such user" in (row.last_error or "")


def test_stuck_claims_are_taken_again_after_the_lease(
    committing_factory, settings, outbox, tmp_path
):
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    message_id = outbox(state=OutboxState.sending, claimed_by="dead-worker", claimed_at=long_ago)
    fresh_claim = outbox(
        state=OutboxState.sending, claimed_by="live-worker", claimed_at=dt.datetime.now(dt.UTC)
    )
    transport = FileTransport(tmp_path)
    sent, _failed = send_batch(committing_factory, settings, transport)
    assert sent == 1
    assert _row(committing_factory, message_id).state == OutboxState.sent
    assert _row(committing_factory, fresh_claim).state == OutboxState.sending
    assert [p.name for p in tmp_path.iterdir()] == [f"outbox-{message_id}_localhost.eml"]


def test_sender_address_from_settings(committing_factory, settings, outbox, tmp_path):
    outbox()
    custom = dataclasses.replace(settings, mail_sender="Poster committee <posters@wlic.example>")
    send_batch(committing_factory, custom, FileTransport(tmp_path))
    [eml] = tmp_path.iterdir()
    text = eml.read_text()
    assert "From: Poster committee <posters@wlic.example>" in text
    assert "@wlic.example>" in text.split("Message-ID:")[1].splitlines()[0]
    with committing_factory() as s:
        assert s.scalars(select(OutboxMessage.state)).all().count(OutboxState.queued) == 0
