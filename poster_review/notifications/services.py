"""Queue messages in the outbox, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from poster_review.notifications.models import OutboxMessage, OutboxState
from poster_review.notifications.rendering import render_email

log = logging.getLogger(__name__)


def queue_email(
    dbsession: Session,
    *,
    event: str,
    to_email: str,
    to_name: str,
    context: Mapping[str, Any],
    now: dt.datetime,
    locale: str = "en",
    recipient_id: int | None = None,
    conference_id: int | None = None,
) -> OutboxMessage:
    """Render ``event`` for one recipient and write it to the outbox (not sent yet)."""
    subject, body = render_email(event, {**context, "recipient_name": to_name}, locale)
    message = OutboxMessage(
        event=event,
        to_email=to_email,
        to_name=to_name,
        subject=subject,
        body_text=body,
        recipient_id=recipient_id,
        conference_id=conference_id,
        state=OutboxState.queued,
        next_attempt_at=now,
        created_at=now,
    )
    dbsession.add(message)
    dbsession.flush()
    _deliver_after_commit(dbsession)
    log.info("mail queued id=%d event=%s", message.id, event)
    return message


def _deliver_after_commit(dbsession: Session) -> None:
    """Once the transaction that queued mail commits, ask a worker to send it now (the
    periodic task would within a minute anyway). Nothing is sent if it rolls back."""
    if dbsession.info.get("mail_hook"):
        return
    dbsession.info["mail_hook"] = True

    def after_commit(session: Session) -> None:
        session.info.pop("mail_hook", None)
        from poster_review import tasks

        if not tasks.huey.immediate:  # tests deliver explicitly
            tasks.deliver_mail()

    def after_rollback(session: Session) -> None:
        session.info.pop("mail_hook", None)

    event.listen(dbsession, "after_commit", after_commit, once=True)
    event.listen(dbsession, "after_soft_rollback", after_rollback, once=True)
