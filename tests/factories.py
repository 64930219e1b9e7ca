"""Test data builders. They flush, never commit."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session

from poster_review.accounts import passwords
from poster_review.accounts.models import Membership, Role, User
from poster_review.conferences.models import Conference, Track
from poster_review.settings import Settings, parse
from poster_review.storage import blob_store
from poster_review.submissions.models import (
    InspectionState,
    PosterFile,
    Submission,
    SubmissionAuthor,
    SubmissionState,
)

_counter = itertools.count(1)
TEST_PASSWORD = "correct horse battery"
_CHEAP = parse(
    {
        "poster_review.argon2_time_cost": "1",
        "poster_review.argon2_memory_kib": "8",
        "poster_review.argon2_parallelism": "1",
    },
    environ={},
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_user(
    dbsession: Session,
    *,
    settings: Settings | None = None,
    confirmed: bool = True,
    password: str = TEST_PASSWORD,
    **kw: Any,
) -> User:
    n = next(_counter)
    kw.setdefault("email", f"person{n}@example.org")
    kw.setdefault("name", f"Person {n}")
    user = User(
        password_hash=passwords.hash_password(settings or _CHEAP, password),
        email_confirmed_at=now() if confirmed else None,
        **kw,
    )
    dbsession.add(user)
    dbsession.flush()
    return user


def make_conference(dbsession: Session, *, phase: str = "submission", **kw: Any) -> Conference:
    """A conference whose calendar puts ``now`` in ``phase``:
    "before", "submission", "review", "decided", "session", "published"."""
    n = next(_counter)
    t = now()
    day = dt.timedelta(days=1)
    offsets = {  # (call opens, deadline, reviews open, reviews close, decisions, session start)
        "before": (10, 40, 50, 70, 80, 120),
        "submission": (-10, 20, 30, 50, 60, 100),
        "review": (-40, -10, -5, 20, 30, 60),
        "decided": (-80, -50, -45, -20, -10, 30),
        "session": (-120, -90, -85, -60, -50, -0.1),
        "published": (-150, -120, -115, -90, -80, -20),
    }[phase]
    call, deadline, r_open, r_close, decisions, session = (t + o * day for o in offsets)
    defaults: dict[str, Any] = {
        "slug": f"conf-{n}",
        "name": f"Conference {n}",
        "timezone": "Asia/Almaty",
        "call_opens_at": call,
        "submission_deadline_at": deadline,
        "reviews_open_at": r_open,
        "reviews_close_at": r_close,
        "decisions_at": decisions,
        "final_version_due_at": decisions + 14 * day,
        "session_starts_at": session,
        "session_ends_at": session + dt.timedelta(hours=3),
        "awards_published_at": t - day if phase == "published" else None,
    }
    defaults.update(kw)
    conference = Conference(**defaults)
    dbsession.add(conference)
    dbsession.flush()
    return conference


def make_track(
    dbsession: Session, conference: Conference, name: str = "Digital preservation"
) -> Track:
    track = Track(name=name, position=len(conference.tracks))
    conference.tracks.append(track)
    dbsession.flush()
    return track


def add_role(dbsession: Session, user: User, conference: Conference, role: Role) -> Membership:
    membership = Membership(user_id=user.id, conference_id=conference.id, role=role)
    dbsession.add(membership)
    dbsession.flush()
    dbsession.expire(user, ["memberships"])
    return membership


def make_submission(
    dbsession: Session,
    conference: Conference,
    *,
    authors: list[User],
    title: str = "Open repositories in Central Asia",
    state: str = "draft",
    **kw: Any,
) -> Submission:
    """A submission whose authors are linked to the given accounts (first presents)."""
    from sqlalchemy import func, select

    number = (
        dbsession.scalar(
            select(func.max(Submission.number)).where(Submission.conference_id == conference.id)
        )
        or 0
    ) + 1
    submission = Submission(
        conference_id=conference.id,
        number=number,
        title=title,
        abstract=kw.pop("abstract", "An abstract of about two hundred words."),
        state=SubmissionState(state),
        **kw,
    )
    for position, user in enumerate(authors):
        submission.authors.append(
            SubmissionAuthor(
                position=position,
                name=user.name,
                email=user.email,
                user_id=user.id,
                affiliations="National Library of Kazakhstan",
                country="KZ",
                is_presenting=position == 0,
                is_corresponding=position == 0,
            )
        )
    dbsession.add(submission)
    dbsession.flush()
    return submission


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
)


def make_poster_file(
    dbsession: Session,
    settings: Settings,
    submission: Submission,
    *,
    data: bytes | None = None,
    inspection: str = "accepted",
) -> PosterFile:
    """A stored PDF revision (with thumbnails) marked as inspected."""
    from tests.pdfs import poster_pdf

    store = blob_store(settings.upload_dir)
    blob = store.put_bytes(data or poster_pdf(submission.title))
    thumb = store.put_bytes(PNG_1PX)
    blind = store.put_bytes(poster_pdf(submission.title, text="anonymised copy"))
    for old in submission.files:
        old.is_current = False
    poster = PosterFile(
        sha256=blob.sha256,
        size=blob.size,
        original_filename="poster.pdf",
        is_current=True,
        inspection=InspectionState(inspection),
        report={"errors": [], "warnings": []},
        pages=1,
        page_width_mm=841.0,
        page_height_mm=1189.0,
        thumb_small_sha256=thumb.sha256,
        thumb_large_sha256=thumb.sha256,
        blind_sha256=blind.sha256,
    )
    submission.files.append(poster)
    dbsession.flush()
    return poster


def make_assignment(
    dbsession: Session,
    *,
    conference: Conference | None = None,
    reviewer: User | None = None,
    submission: Submission | None = None,
    round_: str = "review",
) -> Any:
    """An assignment of a (new) reviewer to a (new) submitted poster."""
    from poster_review.assignment.models import ReviewRound
    from poster_review.assignment.services import add_assignment

    conference = conference or make_conference(dbsession, phase="review")
    reviewer = reviewer or make_user(dbsession)
    role = Role.judge if round_ == "judging" else Role.reviewer
    if not any(m.conference_id == conference.id and m.role == role for m in reviewer.memberships):
        add_role(dbsession, reviewer, conference, role)
    submission = submission or make_submission(
        dbsession, conference, authors=[make_user(dbsession)], state="submitted"
    )
    return add_assignment(
        dbsession,
        conference=conference,
        submission=submission,
        reviewer_id=reviewer.id,
        round_=ReviewRound(round_),
        by=None,
        now=now(),
    )
