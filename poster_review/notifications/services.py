"""Queue messages in the outbox, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

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
    log.info("mail queued id=%d event=%s", message.id, event)
    return message
