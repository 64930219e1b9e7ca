"""The outbox under real conditions: ``poster-review send-mail`` processes against a
real SMTP server (aiosmtpd, in this process) and a real database (SQLite or PostgreSQL).

The guarantee these tests pin down (see ``sender.send_batch``): every queued message
reaches the server at least once; a message reaches it twice only when a worker dies
between the server's acceptance and the ``sent`` record, and then both copies carry
the same Message-ID.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, func, insert, select, update

from poster_review.conferences.models import Conference
from poster_review.notifications import services
from poster_review.notifications.models import OutboxMessage, OutboxState
from poster_review.notifications.sender import (
    LEASE,
    MAX_ATTEMPTS,
    SMTPTransport,
    Transport,
    send_batch,
)
from tests.smtp import Recorder, free_port, smtp_server

REPO = Path(__file__).resolve().parents[3]
CLI = "import sys; from poster_review.cli import main; sys.exit(main())"
MESSAGE_ID = re.compile(r"<outbox-(\d+)@")


@dataclasses.dataclass
class GatedRecorder(Recorder):
    """Records when each message arrived; can hold a DATA reply until released, and
    can wait for a second client before accepting anything."""

    arrived: list[float] = dataclasses.field(default_factory=list)
    peers: set[Any] = dataclasses.field(default_factory=set)
    wait_for_clients: int = 0
    hold_at: int | None = None  # hold the reply to the n-th message (1-based)
    held: threading.Event = dataclasses.field(default_factory=threading.Event)
    release: threading.Event = dataclasses.field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.add(session.peer)
        deadline = time.monotonic() + 20
        while len(self.peers) < self.wait_for_clients and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        reply = await super().handle_DATA(server, session, envelope)
        self.arrived.append(time.monotonic())
        if self.hold_at is not None and len(self.messages) == self.hold_at:
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return reply


@contextmanager
def serve(recorder: Recorder) -> Iterator[int]:
    """Like tests.smtp.smtp_server, with a recorder of our own."""
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def outbox_id(message: Any) -> int:
    found = MESSAGE_ID.match(str(message["Message-ID"]))
    assert found, message["Message-ID"]
    return int(found[1])


def outbox_ids(recorder: Recorder) -> list[int]:
    return [outbox_id(m) for m in recorder.messages]


@pytest.fixture
def tag(committing_factory):
    """A unique event name for this test's rows, deleted afterwards."""
    name = f"load-{os.getpid()}-{time.monotonic_ns()}"
    with committing_factory() as s:
        waiting = s.scalar(
            select(func.count()).where(
                OutboxMessage.state.in_([OutboxState.queued, OutboxState.sending])
            )
        )
    assert waiting == 0, "another test left mail in the outbox"
    yield name
    with committing_factory.begin() as s:
        s.execute(delete(OutboxMessage).where(OutboxMessage.event == name))


def queue(factory, tag: str, n: int, **kw: Any) -> list[int]:
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "event": tag,
            "to_email": f"r{i}@example.org",
            "to_name": f"Reader {i}",
            "subject": f"Message {i}",
            "body_text": f"Body {i}\n",
            "state": OutboxState.queued,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            **kw,
        }
        for i in range(n)
    ]
    with factory.begin() as s:
        s.execute(insert(OutboxMessage), rows)
        return list(s.scalars(select(OutboxMessage.id).where(OutboxMessage.event == tag)))


def states(factory, tag: str) -> collections.Counter[OutboxState]:
    with factory() as s:
        return collections.Counter(
            s.scalars(select(OutboxMessage.state).where(OutboxMessage.event == tag))
        )


@pytest.fixture
def worker(tmp_path, raw_settings, database_url):
    """Start ``poster-review send-mail`` in its own process (own engine, own SMTP
    connection) against the test database and the given SMTP port."""
    ini = tmp_path / "worker.ini"
    lines = ["[app:main]", "use = egg:poster_review"]
    for key, value in raw_settings.items():
        if key not in {"here", "sqlalchemy.url", "mail.transport"}:
            lines.append(f"{key} = {value.replace('%', '%%')}")
    ini.write_text("\n".join(lines) + "\n")
    started: list[subprocess.Popen[str]] = []

    def start(port: int, batch: int = 50) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("POSTER_REVIEW_")}
        env["POSTER_REVIEW_SQLALCHEMY_URL"] = database_url
        env["POSTER_REVIEW_MAIL_TRANSPORT"] = f"smtp://127.0.0.1:{port}"
        command = [sys.executable, "-c", CLI, "-c", str(ini), "send-mail", "--batch", str(batch)]
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def finish(process: subprocess.Popen[str]) -> int:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    sent = re.search(r"sent (\d+), failed (\d+)", out)
    assert sent, out
    return int(sent[1])


def test_two_concurrent_workers_deliver_each_of_1000_messages_once(committing_factory, tag, worker):
    ids = queue(committing_factory, tag, 1000)
    recorder = GatedRecorder(wait_for_clients=2)  # nothing is accepted until both connect
    with serve(recorder) as port:
        started = time.monotonic()
        first, second = worker(port), worker(port)
        sent = [finish(first), finish(second)]
        elapsed = time.monotonic() - started
    assert all(n > 0 for n in sent), sent  # both really worked
    assert sum(sent) == 1000
    delivered = collections.Counter(outbox_ids(recorder))
    assert sorted(delivered) == sorted(ids)
    assert set(delivered.values()) == {1}
    assert states(committing_factory, tag) == {OutboxState.sent: 1000}
    with committing_factory() as s:
        attempts = set(s.scalars(select(OutboxMessage.attempts).where(OutboxMessage.event == tag)))
    assert attempts == {1}
    window = recorder.arrived[-1] - recorder.arrived[0]
    print(
        f"\n1000 messages, 2 workers {sent}: {elapsed:.1f} s with start-up, "
        f"{1000 / window:.0f} messages/s while sending"
    )


def test_killed_worker_loses_nothing_and_duplicates_only_the_message_in_flight(
    committing_factory, tag, worker
):
    ids = queue(committing_factory, tag, 60)
    recorder = GatedRecorder(hold_at=8)
    with serve(recorder) as port:
        victim = worker(port, batch=20)
        assert recorder.held.wait(60), "the worker never reached the 8th message"
        # The server has the 8th message; the worker waits for the reply and dies.
        victim.send_signal(signal.SIGKILL)
        victim.wait(30)
        recorder.release.set()
        in_flight = outbox_ids(recorder)[7]
        assert states(committing_factory, tag) == {
            OutboxState.sent: 7,
            OutboxState.sending: 13,  # the one in flight and the rest of its batch
            OutboxState.queued: 40,
        }
        # A new worker sends everything else; the dead worker's rows wait for the lease.
        assert finish(worker(port, batch=20)) == 40
        assert states(committing_factory, tag)[OutboxState.sending] == 13
        assert len(recorder.messages) == 48  # 7 + the one in flight + 40
        # Ten minutes later (the lease), the next run takes them over.
        with committing_factory.begin() as s:
            for row in s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.event == tag, OutboxMessage.state == OutboxState.sending
                )
            ):
                row.claimed_at -= LEASE + dt.timedelta(seconds=1)
        assert finish(worker(port, batch=20)) == 13
    delivered = collections.Counter(outbox_ids(recorder))
    assert sorted(delivered) == sorted(ids)  # no loss
    assert {i: n for i, n in delivered.items() if n > 1} == {in_flight: 2}
    assert states(committing_factory, tag) == {OutboxState.sent: 60}


class TakeOverAfterFirst(Transport):
    """Sends through ``inner``; after the first message, another worker takes over the
    rest of the batch, as happens when this worker's lease runs out mid-batch."""

    def __init__(self, inner: Transport, factory, tag: str) -> None:
        self.inner, self.factory, self.tag, self.count = inner, factory, tag, 0

    def send(self, message):
        self.inner.send(message)
        self.count += 1
        if self.count == 1:
            current = outbox_id(message)
            with self.factory.begin() as s:
                s.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.event == self.tag, OutboxMessage.id != current)
                    .where(OutboxMessage.state == OutboxState.sending)
                    .values(claimed_by="other-worker")
                )

    def close(self):
        self.inner.close()


def test_worker_skips_messages_another_worker_took_over(committing_factory, settings, tag):
    queue(committing_factory, tag, 5)
    with smtp_server() as (recorder, port):
        transport = TakeOverAfterFirst(
            SMTPTransport("127.0.0.1", port, settings), committing_factory, tag
        )
        assert send_batch(committing_factory, settings, transport, worker="me") == (1, 0)
        transport.close()
    assert len(recorder.messages) == 1
    with committing_factory() as s:
        owners = collections.Counter(
            s.execute(
                select(OutboxMessage.state, OutboxMessage.claimed_by).where(
                    OutboxMessage.event == tag
                )
            ).all()
        )
    assert owners == {(OutboxState.sent, None): 1, (OutboxState.sending, "other-worker"): 4}


@pytest.fixture
def conference_id(committing_factory):
    with committing_factory.begin() as s:
        conference = Conference(slug=f"mail-{time.monotonic_ns()}", name="Mail test")
        s.add(conference)
        s.flush()
        conference_id = conference.id
    yield conference_id
    with committing_factory.begin() as s:
        s.execute(delete(Conference).where(Conference.id == conference_id))


def test_temporary_failures_back_off_then_fail_and_resend_delivers(
    committing_factory, settings, tag, conference_id
):
    [message_id] = queue(
        committing_factory, tag, 1, to_email="busy@example.org", conference_id=conference_id
    )
    delays = []
    with smtp_server() as (recorder, port):
        recorder.replies["busy@example.org"] = "451 4.3.0 Mailbox busy, try again later"
        transport = SMTPTransport("127.0.0.1", port, settings)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            before = dt.datetime.now(dt.UTC)
            sent_failed = send_batch(committing_factory, settings, transport)
            with committing_factory.begin() as s:
                row = s.get_one(OutboxMessage, message_id)
                assert row.attempts == attempt and "451" in (row.last_error or "")
                if row.state == OutboxState.queued:
                    delays.append(round((row.next_attempt_at - before).total_seconds() / 60))
                    row.next_attempt_at = before  # time passes
            assert sent_failed == ((0, 1) if attempt == MAX_ATTEMPTS else (0, 0))
        assert delays == [1, 2, 4, 8, 16]
        with committing_factory() as s:
            row = s.get_one(OutboxMessage, message_id)
            assert row.state == OutboxState.failed
            assert row.last_error == "recipient refused: 451 4.3.0 Mailbox busy, try again later"
        # The mailbox frees up; the chair presses "Resend".
        del recorder.replies["busy@example.org"]
        with committing_factory.begin() as s:
            services.resend(
                s, conference_id=conference_id, message_id=message_id, now=dt.datetime.now(dt.UTC)
            )
        assert send_batch(committing_factory, settings, transport) == (1, 0)
        transport.close()
    assert outbox_ids(recorder) == [message_id]


def test_unbuildable_messages_fail_for_good_and_the_batch_goes_on(
    committing_factory, settings, tag
):
    bad = queue(committing_factory, tag, 1, to_email="a@example.org\r\nBcc: b@example.org")
    good = queue(committing_factory, f"{tag}-good", 1)
    try:
        with smtp_server() as (recorder, port):
            transport = SMTPTransport("127.0.0.1", port, settings)
            assert send_batch(committing_factory, settings, transport) == (1, 1)
            transport.close()
        assert outbox_ids(recorder) == good
        with committing_factory() as s:
            row = s.get_one(OutboxMessage, bad[0])
        assert row.state == OutboxState.failed
        assert (row.last_error or "").startswith("cannot build the message")
    finally:
        with committing_factory.begin() as s:
            s.execute(delete(OutboxMessage).where(OutboxMessage.event == f"{tag}-good"))
