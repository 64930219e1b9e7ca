"""Decisions: record, release to authors (with one mail per outcome), publish posters."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from poster_review.accounts.models import User
from poster_review.awards.models import Decision, Outcome
from poster_review.conferences.models import Conference
from poster_review.errors import InvalidInput
from poster_review.i18n import _
from poster_review.notifications.services import queue_email
from poster_review.submissions.models import Submission, SubmissionState

log = logging.getLogger(__name__)


def decisions_of(dbsession: Session, conference_id: int) -> dict[int, Decision]:
    rows = dbsession.scalars(select(Decision).where(Decision.conference_id == conference_id))
    return {d.submission_id: d for d in rows}


def decide(
    dbsession: Session,
    *,
    submission: Submission,
    outcome: Outcome,
    chair: User,
    now: dt.datetime,
    note: str = "",
) -> Decision:
    """Record or change a decision. Withdrawn and draft submissions are not decided."""
    if submission.state != SubmissionState.submitted:
        raise InvalidInput(_("Only submitted posters can be decided."))
    decision = dbsession.scalars(
        select(Decision).where(Decision.submission_id == submission.id)
    ).one_or_none()
    if decision is None:
        decision = Decision(
            submission_id=submission.id, conference_id=submission.conference_id, outcome=outcome
        )
        dbsession.add(decision)
    elif decision.outcome != outcome and decision.notified_at is not None:
        decision.notified_at = None  # a changed decision is told again at the next release
    decision.outcome, decision.note = outcome, note[:2000]
    decision.decided_at, decision.decided_by_id = now, chair.id
    dbsession.flush()
    log.info("decision submission=%d outcome=%s", submission.id, outcome.value)
    return decision


def decide_many(
    dbsession: Session,
    *,
    conference: Conference,
    outcomes: Mapping[int, Outcome],
    chair: User,
    now: dt.datetime,
) -> int:
    posters = {
        s.id: s
        for s in dbsession.scalars(
            select(Submission).where(
                Submission.conference_id == conference.id, Submission.id.in_(list(outcomes))
            )
        )
    }
    for submission_id, outcome in outcomes.items():
        if submission_id in posters:
            decide(
                dbsession, submission=posters[submission_id], outcome=outcome, chair=chair, now=now
            )
    return len(posters)


def release(dbsession: Session, *, conference: Conference, now: dt.datetime) -> int:
    """Show decisions to authors from now on and queue one mail per outcome to the
    corresponding authors of each decided poster not told yet. Returns mails queued."""
    if conference.decisions_at is None or conference.decisions_at > now:
        conference.decisions_at = now
    queued = 0
    rows = dbsession.execute(
        select(Decision, Submission)
        .join(Submission, Submission.id == Decision.submission_id)
        .where(Decision.conference_id == conference.id, Decision.notified_at.is_(None))
    )
    for decision, submission in rows:
        for author in submission.authors:
            if not author.is_corresponding:
                continue
            queue_email(
                dbsession,
                event=f"decision_{decision.outcome.value}",
                to_email=author.email,
                to_name=author.name,
                recipient_id=author.user_id,
                conference_id=conference.id,
                locale=conference.default_locale,
                now=now,
                context={
                    "conference_name": conference.name,
                    "number": submission.number,
                    "title": submission.title,
                    "decision": decision.outcome.value,
                    "note": decision.note,
                },
            )
            queued += 1
        decision.notified_at = now
    dbsession.flush()
    log.info("decisions released conference=%d mails=%d", conference.id, queued)
    return queued


def publish_posters(
    dbsession: Session, *, conference: Conference, now: dt.datetime, publish: bool = True
) -> None:
    """Make accepted posters public (or take them down again)."""
    conference.posters_published_at = now if publish else None
    dbsession.flush()


def is_public(conference: Conference, decision: Decision | None, now: dt.datetime) -> bool:
    return (
        conference.posters_published_at is not None
        and conference.posters_published_at <= now
        and decision is not None
        and decision.outcome.accepted
    )


def public_posters(
    dbsession: Session, conference: Conference, now: dt.datetime
) -> list[Submission]:
    if conference.posters_published_at is None or conference.posters_published_at > now:
        return []
    accepted = [o for o in Outcome if o.accepted]
    return list(
        dbsession.scalars(
            select(Submission)
            .join(Decision, Decision.submission_id == Submission.id)
            .where(
                Submission.conference_id == conference.id,
                Submission.state == SubmissionState.submitted,
                Decision.outcome.in_(accepted),
            )
            .order_by(Submission.number)
        )
    )
