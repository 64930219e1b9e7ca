"""Submission state changes: drafts, metadata and authors, PDF revisions, submit,
withdraw, reopen. Every change is recorded in ``submission_events``.

Services take the session explicitly, never commit, and take ``now`` as an argument.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poster_review.accounts.models import Membership, Role, User
from poster_review.accounts.services import add_membership, find_user
from poster_review.conferences.models import Conference
from poster_review.conferences.phases import Action, closed_reason, is_open
from poster_review.errors import Conflict, InvalidInput, PhaseClosed
from poster_review.i18n import _
from poster_review.notifications.services import queue_email
from poster_review.settings import Settings
from poster_review.storage import BlobStore, TooLarge
from poster_review.submissions.authors import AuthorInput, completeness_problems
from poster_review.submissions.errors import NotReady, UploadRefused, Withdrawn
from poster_review.submissions.models import (
    InspectionState,
    PosterFile,
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionState,
)
from poster_review.units import MB

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"


def record(
    dbsession: Session,
    submission: Submission,
    *,
    user: User | None,
    action: str,
    now: dt.datetime,
    **details: Any,
) -> None:
    dbsession.add(
        SubmissionEvent(
            submission_id=submission.id,
            user_id=user.id if user else None,
            at=now,
            action=action,
            details=details,
        )
    )


def is_editable(submission: Submission, conference: Conference, now: dt.datetime) -> bool:
    """Authors may change a draft or a submitted poster until the deadline (with grace),
    or until the chair's reopening ends; never once withdrawn."""
    if submission.state == SubmissionState.withdrawn:
        return False
    if submission.reopened_until is not None and now < submission.reopened_until:
        return True
    return is_open(conference.schedule, Action.submit, now)


def require_editable(submission: Submission, conference: Conference, now: dt.datetime) -> None:
    if submission.state == SubmissionState.withdrawn:
        raise Withdrawn(_("This submission was withdrawn and cannot be changed."))
    if not is_editable(submission, conference, now):
        raise PhaseClosed(
            _("The submission deadline has passed. Only the chairs can reopen a submission now.")
        )


def _next_number(dbsession: Session, conference_id: int) -> int:
    """The next poster number of the conference. The conference row is locked first
    (PostgreSQL), so two drafts created at the same moment cannot both take the same
    number; SQLite's writers are serialised already."""
    dbsession.execute(select(Conference.id).where(Conference.id == conference_id).with_for_update())
    current = dbsession.scalar(
        select(func.max(Submission.number)).where(Submission.conference_id == conference_id)
    )
    return int(current or 0) + 1


def _link_accounts(dbsession: Session, submission: Submission, now: dt.datetime) -> list[User]:
    """Match authors to accounts by e-mail; matched people get the author role.
    Returns the accounts newly linked (to tell them)."""
    linked: list[User] = []
    for author in submission.authors:
        user = find_user(dbsession, author.email)
        if user is not None and author.user_id != user.id:
            author.user_id = user.id
            linked.append(user)
            add_membership(
                dbsession,
                user=user,
                conference_id=submission.conference_id,
                role=Role.author,
                now=now,
            )
        elif user is None:
            author.user_id = None
    return linked


def set_authors(submission: Submission, authors: Sequence[AuthorInput]) -> None:
    submission.authors.clear()
    for position, a in enumerate(authors):
        submission.authors.append(
            SubmissionAuthor(
                position=position,
                name=a.name,
                name_latin=a.name_latin or None,
                email=a.email,
                affiliations="\n".join(a.affiliations),
                country=a.country,
                orcid=a.orcid or None,
                is_presenting=a.presenting,
                is_corresponding=a.corresponding,
                is_student=a.student,
                is_first_time=a.first_time,
            )
        )


def create_draft(
    dbsession: Session,
    *,
    conference: Conference,
    user: User,
    now: dt.datetime,
    title: str,
    abstract: str = "",
    keywords: str = "",
    track_id: int | None = None,
    language: str = "en",
    licence: str | None = None,
    authors: Sequence[AuthorInput] = (),
    declared_conflicts: str = "",
) -> Submission:
    if not is_open(conference.schedule, Action.submit, now):
        raise PhaseClosed(closed_reason(Action.submit))
    submission = Submission(
        conference_id=conference.id,
        number=_next_number(dbsession, conference.id),
        title=title,
        abstract=abstract,
        keywords=keywords,
        track_id=track_id,
        presentation_language=language,
        licence=licence or conference.licence_list[0],
        declared_conflicts=declared_conflicts,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    dbsession.add(submission)
    set_authors(
        submission,
        authors
        or [
            AuthorInput(
                name=user.name,
                email=user.email,
                name_latin=user.name_latin or "",
                presenting=True,
                corresponding=True,
            )
        ],
    )
    dbsession.flush()
    add_membership(dbsession, user=user, conference_id=conference.id, role=Role.author, now=now)
    _link_accounts(dbsession, submission, now)
    record(dbsession, submission, user=user, action="created", now=now, title=title)
    log.info("submission created id=%d conference=%d", submission.id, conference.id)
    return submission


def update(
    dbsession: Session,
    submission: Submission,
    *,
    conference: Conference,
    user: User,
    now: dt.datetime,
    expected_version: int,
    title: str,
    abstract: str,
    keywords: str,
    track_id: int | None,
    language: str,
    licence: str,
    authors: Sequence[AuthorInput],
    declared_conflicts: str = "",
) -> list[str]:
    """Save metadata and authors; returns the names of the fields that changed.

    Raises Conflict when someone else saved since the form was loaded (nothing is
    overwritten), PhaseClosed after the deadline.
    """
    require_editable(submission, conference, now)
    # Lock the row and read it again (PostgreSQL; SQLite writers already hold the
    # database lock): a co-author's save that committed meanwhile is seen here and told
    # as a conflict, with the stored values, instead of failing at flush.
    dbsession.refresh(submission, with_for_update=True)
    if submission.version != expected_version:
        raise Conflict(
            _(
                "A co-author saved this submission while you were editing. Your "
                "changes were not saved; they are shown below so you can copy them."
            )
        )
    if licence not in conference.licence_list:
        raise InvalidInput(_("Please choose one of the offered licences."))
    before = {
        "title": submission.title,
        "abstract": submission.abstract,
        "keywords": submission.keywords,
        "track_id": submission.track_id,
        "presentation_language": submission.presentation_language,
        "licence": submission.licence,
        "authors": [(a.name, a.email) for a in submission.authors],
        "declared_conflicts": submission.declared_conflicts,
    }
    submission.title, submission.abstract, submission.keywords = title, abstract, keywords
    submission.declared_conflicts = declared_conflicts
    submission.track_id, submission.presentation_language = track_id, language
    submission.licence = licence
    previous_emails = {a.email for a in submission.authors}
    set_authors(submission, authors)
    after = {
        "title": title,
        "abstract": abstract,
        "keywords": keywords,
        "track_id": track_id,
        "presentation_language": language,
        "licence": licence,
        "authors": [(a.name, a.email) for a in authors],
        "declared_conflicts": declared_conflicts,
    }
    changed = [k for k in before if before[k] != after[k]]
    if {"authors", "declared_conflicts"} & set(changed):
        from poster_review.assignment.services import schedule_detection

        schedule_detection(dbsession, conference.id)
    if not changed:
        return []
    submission.updated_at = now
    dbsession.flush()
    _link_accounts(dbsession, submission, now)
    for author in submission.authors:
        if author.email not in previous_emails:
            queue_email(
                dbsession,
                event="coauthor_added",
                to_email=author.email,
                to_name=author.name,
                recipient_id=author.user_id,
                now=now,
                conference_id=conference.id,
                locale=conference.default_locale,
                context={
                    "conference_name": conference.name,
                    "title": submission.title or "-",
                    "added_by": user.name,
                },
            )
    record(dbsession, submission, user=user, action="updated", now=now, fields=changed)
    if submission.state == SubmissionState.submitted:
        _receipt(dbsession, submission, conference, now, event="submission_updated")
    log.info("submission updated id=%d fields=%s", submission.id, ",".join(changed))
    return changed


def attach_pdf(
    dbsession: Session,
    store: BlobStore,
    submission: Submission,
    *,
    conference: Conference,
    user: User,
    stream: BinaryIO,
    filename: str,
    now: dt.datetime,
) -> PosterFile:
    """Store an uploaded PDF (streamed, hashed, fsynced) as the new current revision,
    waiting for inspection. The blob is written before the row, so a row never points
    at a missing file; a failed upload leaves no row."""
    require_editable(submission, conference, now)
    head = stream.read(1024)
    if PDF_MAGIC not in head:
        raise UploadRefused(
            _("This file is not a PDF. Export your poster as PDF and upload that file.")
        )
    stream.seek(0)
    limit = conference.poster_max_mb * MB
    try:
        blob = store.put(stream, max_bytes=limit)
    except TooLarge:
        raise UploadRefused(
            _(
                "The file is larger than ${mb} MB, the limit of this "
                "conference. Reduce image resolution when exporting the PDF.",
                mapping={"mb": conference.poster_max_mb},
            )
        ) from None
    for old in submission.files:
        old.is_current = False
    poster = PosterFile(
        sha256=blob.sha256,
        size=blob.size,
        original_filename=safe_filename(filename),
        uploaded_at=now,
        uploaded_by_id=user.id,
        is_current=True,
        inspection=InspectionState.pending,
    )
    submission.files.append(poster)
    submission.updated_at = now
    dbsession.flush()
    record(
        dbsession,
        submission,
        user=user,
        action="file_uploaded",
        now=now,
        file_id=poster.id,
        sha256=blob.sha256,
        size=blob.size,
    )
    log.info("poster uploaded submission=%d file=%d size=%d", submission.id, poster.id, blob.size)
    return poster


def safe_filename(name: str) -> str:
    """Keep only the last path part, without control characters, at most 200 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    cleaned = cleaned.strip(" .") or "poster.pdf"
    return cleaned[-200:]


def readiness_problems(submission: Submission) -> list[str]:
    problems = []
    if not submission.title.strip():
        problems.append(_("Give your poster a title."))
    if not submission.abstract.strip():
        problems.append(_("Write the abstract."))
    authors = [
        AuthorInput(
            name=a.name,
            email=a.email,
            affiliations=tuple(a.affiliation_list),
            presenting=a.is_presenting,
            corresponding=a.is_corresponding,
        )
        for a in submission.authors
    ]
    problems += completeness_problems(authors)
    current = submission.current_file
    if current is None:
        problems.append(_("Upload the poster as a PDF."))
    elif current.inspection == InspectionState.pending:
        problems.append(_("Your PDF is still being checked; this takes a few seconds."))
    elif current.inspection != InspectionState.accepted:
        problems.append(
            _("Your PDF could not be accepted; see the report below and upload a corrected file.")
        )
    return problems


def submit(
    dbsession: Session,
    submission: Submission,
    *,
    conference: Conference,
    user: User,
    now: dt.datetime,
) -> Submission:
    require_editable(submission, conference, now)
    problems = readiness_problems(submission)
    if problems:
        raise NotReady(problems)
    first_time = submission.state != SubmissionState.submitted
    submission.state = SubmissionState.submitted
    submission.submitted_at = now
    submission.updated_at = now
    dbsession.flush()
    from poster_review.assignment.services import schedule_detection

    schedule_detection(dbsession, conference.id)
    record(
        dbsession,
        submission,
        user=user,
        action="submitted",
        now=now,
        file_id=submission.current_file.id if submission.current_file else None,
    )
    _receipt(
        dbsession,
        submission,
        conference,
        now,
        event="submission_received" if first_time else "submission_updated",
    )
    log.info("submission submitted id=%d", submission.id)
    return submission


def _receipt(
    dbsession: Session,
    submission: Submission,
    conference: Conference,
    now: dt.datetime,
    *,
    event: str,
) -> None:
    current = submission.current_file
    for author in submission.authors:
        if not author.is_corresponding and author.user_id is None:
            continue
        queue_email(
            dbsession,
            event=event,
            to_email=author.email,
            to_name=author.name,
            recipient_id=author.user_id,
            now=now,
            conference_id=conference.id,
            locale=conference.default_locale,
            context={
                "conference_name": conference.name,
                "number": submission.number,
                "title": submission.title,
                "sha256": current.sha256 if current else "",
                "deadline": conference.submission_deadline_at,
                "timezone": conference.timezone,
            },
        )


def withdraw(
    dbsession: Session,
    submission: Submission,
    *,
    conference: Conference,
    user: User,
    now: dt.datetime,
    reason: str = "",
) -> Submission:
    if submission.state == SubmissionState.withdrawn:
        return submission  # a double click withdraws once
    submission.state = SubmissionState.withdrawn
    submission.withdrawn_at = now
    submission.updated_at = now
    dbsession.flush()
    record(dbsession, submission, user=user, action="withdrawn", now=now, reason=reason[:500])
    _receipt(dbsession, submission, conference, now, event="submission_withdrawn")
    log.info("submission withdrawn id=%d", submission.id)
    return submission


def reopen(
    dbsession: Session, submission: Submission, *, chair: User, until: dt.datetime, now: dt.datetime
) -> Submission:
    if until <= now:
        raise InvalidInput(_("Choose a time in the future."))
    submission.reopened_until = until
    if submission.state == SubmissionState.withdrawn:
        submission.state = SubmissionState.draft
    dbsession.flush()
    record(dbsession, submission, user=chair, action="reopened", now=now, until=until.isoformat())
    return submission


def submissions_of(dbsession: Session, *, conference_id: int, user: User) -> list[Submission]:
    return list(
        dbsession.scalars(
            select(Submission)
            .join(SubmissionAuthor)
            .where(Submission.conference_id == conference_id, SubmissionAuthor.user_id == user.id)
            .order_by(Submission.number)
            .distinct()
        )
    )


def author_user_ids(dbsession: Session, submission_id: int) -> set[int]:
    return set(
        dbsession.scalars(
            select(SubmissionAuthor.user_id).where(
                SubmissionAuthor.submission_id == submission_id,
                SubmissionAuthor.user_id.is_not(None),
            )
        )
    )


def chair_ids(dbsession: Session, conference_id: int) -> set[int]:
    return set(
        dbsession.scalars(
            select(Membership.user_id).where(
                Membership.conference_id == conference_id, Membership.role == Role.chair
            )
        )
    )


def history(dbsession: Session, submission_id: int) -> list[tuple[SubmissionEvent, str | None]]:
    rows = dbsession.execute(
        select(SubmissionEvent, User.name)
        .outerjoin(User, User.id == SubmissionEvent.user_id)
        .where(SubmissionEvent.submission_id == submission_id)
        .order_by(SubmissionEvent.id)
    )
    return [(event, name) for event, name in rows]


def settings_upload_limit(settings: Settings, conference: Conference) -> int:
    return min(settings.max_upload_bytes, conference.poster_max_mb * MB)
