"""Reviewer pool, conflicts and assignments in the database.

The hard rule lives here and in the ACL: a confirmed conflict means the person is never
assigned and never sees the submission's reviews, whoever asks (chairs included).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from poster_review.accounts.models import Membership, Role, User
from poster_review.accounts.services import add_membership, find_user, invite
from poster_review.assignment.errors import ConflictRefused, NotInPool
from poster_review.assignment.models import (
    Assignment,
    AssignmentLog,
    Bid,
    BidValue,
    Conflict,
    ConflictSource,
    ConflictStatus,
    InvitationState,
    ReviewerProfile,
    ReviewRound,
)
from poster_review.assignment.pool import PoolRow
from poster_review.conferences.models import Conference
from poster_review.db import after_commit_once
from poster_review.i18n import _
from poster_review.notifications.services import queue_email
from poster_review.settings import Settings
from poster_review.submissions.models import Submission

log = logging.getLogger(__name__)


def _log(
    dbsession: Session,
    conference_id: int,
    *,
    user: User | None,
    action: str,
    now: dt.datetime,
    submission_id: int | None = None,
    reviewer_id: int | None = None,
    **details: Any,
) -> None:
    dbsession.add(
        AssignmentLog(
            conference_id=conference_id,
            at=now,
            user_id=user.id if user else None,
            action=action,
            submission_id=submission_id,
            reviewer_id=reviewer_id,
            details=details,
        )
    )


def conflicted_user_ids(dbsession: Session, submission_id: int) -> set[int]:
    """People with a confirmed conflict on this submission."""
    return set(
        dbsession.scalars(
            select(Conflict.user_id).where(
                Conflict.submission_id == submission_id, Conflict.status == ConflictStatus.confirmed
            )
        )
    )


def conflict_pairs(dbsession: Session, conference_id: int) -> set[tuple[int, int]]:
    """(submission_id, user_id) pairs with a confirmed conflict in the conference."""
    rows = dbsession.execute(
        select(Conflict.submission_id, Conflict.user_id).where(
            Conflict.conference_id == conference_id, Conflict.status == ConflictStatus.confirmed
        )
    )
    return {(s, u) for s, u in rows}


def assigned_reviewer_ids(dbsession: Session, submission_id: int) -> set[int]:
    return set(
        dbsession.scalars(
            select(Assignment.reviewer_id).where(Assignment.submission_id == submission_id)
        )
    )


def record_conflict(
    dbsession: Session,
    *,
    conference_id: int,
    submission_id: int,
    user_id: int,
    kind: str,
    source: ConflictSource,
    status: ConflictStatus,
    evidence: str,
    now: dt.datetime,
    decided_by: User | None = None,
) -> Conflict:
    """Create or update one conflict. A chair's earlier decision is not overturned by
    automatic detection (a dismissed suspicion stays dismissed)."""
    existing = dbsession.scalars(
        select(Conflict).where(
            Conflict.submission_id == submission_id,
            Conflict.user_id == user_id,
            Conflict.kind == kind,
        )
    ).one_or_none()
    if existing is not None:
        if source == ConflictSource.detected and existing.decided_at is not None:
            return existing
        existing.status, existing.evidence, existing.source = status, evidence, source
        conflict = existing
    else:
        conflict = Conflict(
            conference_id=conference_id,
            submission_id=submission_id,
            user_id=user_id,
            kind=kind,
            source=source,
            status=status,
            evidence=evidence,
            created_at=now,
        )
        dbsession.add(conflict)
    if decided_by is not None:
        conflict.decided_by_id, conflict.decided_at = decided_by.id, now
    dbsession.flush()
    if status == ConflictStatus.confirmed:
        _drop_conflicted_assignments(dbsession, conflict, now, decided_by)
    return conflict


def _drop_conflicted_assignments(
    dbsession: Session, conflict: Conflict, now: dt.datetime, by: User | None
) -> None:
    gone = dbsession.scalars(
        select(Assignment).where(
            Assignment.submission_id == conflict.submission_id,
            Assignment.reviewer_id == conflict.user_id,
        )
    ).all()
    for assignment in gone:
        dbsession.delete(assignment)
        _log(
            dbsession,
            conflict.conference_id,
            user=by,
            action="removed_for_conflict",
            now=now,
            submission_id=conflict.submission_id,
            reviewer_id=conflict.user_id,
            round=assignment.round.value,
            kind=conflict.kind,
        )
    if gone:
        dbsession.flush()


def declare_conflict(
    dbsession: Session, *, submission: Submission, user: User, now: dt.datetime, reason: str = ""
) -> Conflict:
    """ "I have a conflict": binding at once, removes the person's assignments on this
    submission, which then needs another reviewer (see ``needs_reassignment``)."""
    conflict = record_conflict(
        dbsession,
        conference_id=submission.conference_id,
        submission_id=submission.id,
        user_id=user.id,
        kind="declared",
        source=ConflictSource.reviewer,
        status=ConflictStatus.confirmed,
        evidence=reason[:500] or "declared by the reviewer",
        now=now,
        decided_by=user,
    )
    _log(
        dbsession,
        submission.conference_id,
        user=user,
        action="conflict_declared",
        now=now,
        submission_id=submission.id,
        reviewer_id=user.id,
    )
    log.info("conflict declared submission=%d user=%d", submission.id, user.id)
    return conflict


def decide_conflict(
    dbsession: Session, conflict: Conflict, *, status: ConflictStatus, chair: User, now: dt.datetime
) -> Conflict:
    return record_conflict(
        dbsession,
        conference_id=conflict.conference_id,
        submission_id=conflict.submission_id,
        user_id=conflict.user_id,
        kind=conflict.kind,
        source=ConflictSource.chair,
        status=status,
        evidence=conflict.evidence,
        now=now,
        decided_by=chair,
    )


def in_pool(dbsession: Session, conference_id: int, user_id: int, round_: ReviewRound) -> bool:
    role = Role.judge if round_ == ReviewRound.judging else Role.reviewer
    return (
        dbsession.scalars(
            select(Membership.id).where(
                Membership.conference_id == conference_id,
                Membership.user_id == user_id,
                Membership.role == role,
            )
        ).first()
        is not None
    )


def add_assignment(
    dbsession: Session,
    *,
    conference: Conference,
    submission: Submission,
    reviewer_id: int,
    round_: ReviewRound,
    by: User | None,
    now: dt.datetime,
    source: str = "manual",
    affinity: float | None = None,
) -> Assignment:
    """Assign, refusing a conflicted or non-member reviewer. Idempotent."""
    if (submission.id, reviewer_id) in conflict_pairs(dbsession, conference.id):
        raise ConflictRefused(
            _("This reviewer has a conflict of interest with this poster and cannot be assigned.")
        )
    if not in_pool(dbsession, conference.id, reviewer_id, round_):
        raise NotInPool(_("This person is not a reviewer of this conference."))
    existing = dbsession.scalars(
        select(Assignment).where(
            Assignment.submission_id == submission.id,
            Assignment.reviewer_id == reviewer_id,
            Assignment.round == round_,
        )
    ).one_or_none()
    if existing is not None:
        return existing
    assignment = Assignment(
        conference_id=conference.id,
        submission_id=submission.id,
        reviewer_id=reviewer_id,
        round=round_,
        source=source,
        affinity=affinity,
        created_at=now,
        created_by_id=by.id if by else None,
    )
    dbsession.add(assignment)
    dbsession.flush()
    _log(
        dbsession,
        conference.id,
        user=by,
        action="assigned",
        now=now,
        submission_id=submission.id,
        reviewer_id=reviewer_id,
        round=round_.value,
        source=source,
    )
    return assignment


def remove_assignment(
    dbsession: Session,
    assignment: Assignment,
    *,
    by: User | None,
    now: dt.datetime,
    public_url: str = "",
) -> None:
    """Take a poster off a reviewer's list and tell them (their draft review goes too)."""
    _log(
        dbsession,
        assignment.conference_id,
        user=by,
        action="unassigned",
        now=now,
        submission_id=assignment.submission_id,
        reviewer_id=assignment.reviewer_id,
        round=assignment.round.value,
    )
    reviewer = dbsession.get_one(User, assignment.reviewer_id)
    submission = dbsession.get_one(Submission, assignment.submission_id)
    conference = dbsession.get_one(Conference, assignment.conference_id)
    queue_email(
        dbsession,
        event="assignment_removed",
        to_email=reviewer.email,
        to_name=reviewer.name,
        recipient_id=reviewer.id,
        now=now,
        conference_id=conference.id,
        locale=reviewer.locale or conference.default_locale,
        context={
            "conference_name": conference.name,
            "submissions": [{"number": submission.number, "title": submission.title}],
            "reviews_url": f"{public_url}/c/{conference.slug}/reviews",
        },
    )
    dbsession.delete(assignment)
    dbsession.flush()


def assignments_of(
    dbsession: Session, *, conference_id: int, reviewer_id: int, round_: ReviewRound | None = None
) -> list[Assignment]:
    query = select(Assignment).where(
        Assignment.conference_id == conference_id, Assignment.reviewer_id == reviewer_id
    )
    if round_ is not None:
        query = query.where(Assignment.round == round_)
    return list(dbsession.scalars(query.order_by(Assignment.id)))


def ensure_profile(
    dbsession: Session, *, conference_id: int, user: User, **values: Any
) -> ReviewerProfile:
    profile = dbsession.scalars(
        select(ReviewerProfile).where(
            ReviewerProfile.conference_id == conference_id, ReviewerProfile.user_id == user.id
        )
    ).one_or_none()
    if profile is None:
        profile = ReviewerProfile(conference_id=conference_id, user_id=user.id)
        dbsession.add(profile)
    for key, value in values.items():
        setattr(profile, key, value)
    dbsession.flush()
    return profile


def clear_assignments(
    dbsession: Session, conference_id: int, pairs: Iterable[tuple[int, int]]
) -> None:
    for submission_id, reviewer_id in pairs:
        dbsession.execute(
            delete(Assignment).where(
                Assignment.conference_id == conference_id,
                Assignment.submission_id == submission_id,
                Assignment.reviewer_id == reviewer_id,
            )
        )


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    invited: int


def import_pool(
    dbsession: Session,
    settings: Settings,
    *,
    conference: Conference,
    rows: Iterable[PoolRow],
    inviter: User,
    now: dt.datetime,
) -> ImportSummary:
    """Add or update reviewers from checked CSV rows. A person is matched by e-mail, so
    importing the same file twice updates instead of duplicating; people without an
    account get an invitation to create one."""
    created = updated = invited = 0
    for row in rows:
        user = find_user(dbsession, row.email)
        if user is None:
            user = User(email=row.email, name=row.name, created_at=now)
            dbsession.add(user)
            dbsession.flush()
            invite(
                dbsession,
                settings,
                conference=conference,
                email=row.email,
                name=row.name,
                role=Role.reviewer,
                inviter=inviter,
                now=now,
            )
            invited += 1
        add_membership(
            dbsession, user=user, conference_id=conference.id, role=Role.reviewer, now=now
        )
        existed = (
            dbsession.scalars(
                select(ReviewerProfile.id).where(
                    ReviewerProfile.conference_id == conference.id,
                    ReviewerProfile.user_id == user.id,
                )
            ).first()
            is not None
        )
        ensure_profile(
            dbsession,
            conference_id=conference.id,
            user=user,
            affiliations="\n".join(row.affiliations),
            country=row.country,
            topics=", ".join(row.topics),
            languages=" ".join(row.languages),
            max_load=row.max_load,
            orcid=row.orcid or None,
            updated_at=now,
            state=InvitationState.invited
            if user.password_hash is None
            else InvitationState.accepted,
        )
        updated += existed
        created += not existed
    schedule_detection(dbsession, conference.id)
    _log(
        dbsession,
        conference.id,
        user=inviter,
        action="pool_imported",
        now=now,
        created=created,
        updated=updated,
        invited=invited,
    )
    return ImportSummary(created, updated, invited)


def save_bids(
    dbsession: Session,
    *,
    conference: Conference,
    user: User,
    bids: dict[int, BidValue],
    now: dt.datetime,
) -> int:
    """Store the reviewer's bids; a "conflict" bid is a binding declared conflict."""
    valid = set(
        dbsession.scalars(
            select(Submission.id).where(
                Submission.conference_id == conference.id, Submission.id.in_(list(bids))
            )
        )
    )
    current = {
        b.submission_id: b
        for b in dbsession.scalars(
            select(Bid).where(Bid.conference_id == conference.id, Bid.user_id == user.id)
        )
    }
    for submission_id, value in bids.items():
        if submission_id not in valid:
            continue
        bid = current.get(submission_id)
        if bid is None:
            bid = Bid(
                conference_id=conference.id,
                submission_id=submission_id,
                user_id=user.id,
                value=value,
            )
            dbsession.add(bid)
        bid.value, bid.updated_at = value, now
        if value == BidValue.conflict:
            declare_conflict(
                dbsession,
                submission=dbsession.get_one(Submission, submission_id),
                user=user,
                now=now,
                reason="declared while bidding",
            )
    dbsession.flush()
    return len(valid)


def schedule_detection(dbsession: Session, conference_id: int) -> None:
    """Run conflict detection in the background once this transaction commits (after a
    submission or the reviewer pool changed). Nothing runs if it rolls back."""

    def detect() -> None:
        from poster_review import tasks

        tasks.detect_conflicts(conference_id)

    after_commit_once(dbsession, f"detect:{conference_id}", detect)
