"""Background work on Huey: poster ingestion now; thumbnails, reminders and mail later.

One Huey instance per process, its storage chosen by the ``tasks.url`` setting:
``sqlite:PATH`` (the default, ``var/tasks.sqlite``), ``redis://HOST:PORT/DB`` (production,
several app and worker machines) or ``immediate`` (tests: tasks run in the caller).
App processes only enqueue; ``poster-review worker`` consumes, and in development
``poster-review serve`` runs a consumer in the same process so one command is enough.

Tasks are thin: they open a session and call a service, so the same services are
called directly by tests and by ``poster-review demo``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from huey import Huey, crontab
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy.orm import Session, sessionmaker

from poster_review.settings import Settings

log = logging.getLogger(__name__)

# Replaced by configure(); a placeholder that runs tasks at once keeps imports cheap.
huey: Huey = Huey("poster_review", immediate=True)
_state: dict[str, Any] = {}


def configure(settings: Settings, factory: sessionmaker[Session] | None = None) -> Huey:
    """Point the task queue at ``settings.tasks_url`` and give tasks a session factory."""
    url = settings.tasks_url
    if url == "immediate":
        huey.immediate = True
    else:
        if url.startswith("sqlite:"):
            path = url.removeprefix("sqlite:")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": path}
        elif url.startswith("redis://"):
            huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": url}
        else:
            raise ValueError(f"unknown tasks.url {url!r}")
        huey.immediate = False
        huey.storage = huey.create_storage()
    _state["settings"] = settings
    if factory is None:
        from poster_review.db import get_session_factory, make_engine

        factory = get_session_factory(make_engine(settings.database_url))
    _state["factory"] = factory
    return huey


@contextmanager
def task_session() -> Iterator[tuple[Session, Settings]]:
    factory: sessionmaker[Session] = _state["factory"]
    with factory.begin() as session:
        if session.get_bind().dialect.name == "sqlite":
            # Like the web's writing requests: wait for the write lock first, instead of
            # reading a snapshot that another writer may make stale before we write.
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        yield session, _state["settings"]


@huey.task(retries=2, retry_delay=10)
def ingest_poster_file(file_id: int) -> str:
    """Inspect one uploaded PDF and render its thumbnails (in a limited child process)."""
    from poster_review.submissions import ingest
    from poster_review.submissions.models import InspectionState

    # Three steps, so that no transaction stays open during the check, which can take
    # seconds: on SQLite an open transaction would block or be refused its write.
    with task_session() as (session, settings):
        job = ingest.pending_job(session, file_id)
    if job is None:
        return "None"
    outcome = ingest.inspect_blob(settings, job.conference, job.sha256, job.names)
    with task_session() as (session, _settings):
        state = ingest.store_outcome(session, file_id, outcome)
    if state == InspectionState.pending:
        raise InspectionDeferred(file_id)  # huey retries; the periodic sweep after that
    return str(state)


class InspectionDeferred(Exception):
    """The machine was too busy to check a file; the task is retried."""


@huey.periodic_task(crontab(minute="*/5"))
def requeue_stalled_inspections() -> int:
    """Nothing is lost: uploads whose inspection never ran (a worker died) are queued again."""
    from poster_review.submissions.ingest import stalled_file_ids

    with task_session() as (session, _settings):
        ids = stalled_file_ids(session)
    for file_id in ids:
        ingest_poster_file(file_id)
    return len(ids)


@huey.task(retries=2, retry_delay=30)
def detect_conflicts(conference_id: int) -> int:
    """Re-run conflict detection for one conference (after submissions or pool changes)."""
    from poster_review.assignment.runs import detect
    from poster_review.conferences.models import Conference
    from poster_review.db import utcnow

    with task_session() as (session, _settings):
        conference = session.get(Conference, conference_id)
        if conference is None:
            return 0
        summary = detect(session, conference, utcnow())
    return summary.confirmed + summary.suspected


@huey.task(retries=3, retry_delay=30)
def deliver_mail() -> int:
    """Send what the outbox holds (claims make concurrent senders safe)."""
    from poster_review.notifications.sender import make_transport, send_batch

    settings: Settings = _state["settings"]
    transport = make_transport(settings)
    total = 0
    try:
        while True:
            sent, failed = send_batch(_state["factory"], settings, transport)
            total += sent
            if sent + failed == 0:
                return total
    finally:
        transport.close()


@huey.periodic_task(crontab(minute="*"))
def deliver_mail_every_minute() -> int:
    """Retries and anything queued while no worker ran go out within a minute."""
    return int(deliver_mail.call_local())


def includeme(config: Any) -> None:
    configure(config.registry.poster_settings, config.registry["dbsession_factory"])


def start_embedded_consumer(workers: int = 2) -> Any:
    """Run a consumer in this process's threads (development: one command serves all)."""
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.scheduler.start()
    for _, worker in consumer.worker_threads:
        worker.start()
    log.info("embedded task consumer started with %d threads", workers)
    return consumer
