"""Write the demo congress into the database: people, calendar, tracks, 40 posters with
generated PDFs inspected like real uploads, then the reviewing (awards, assignments and
reviews, see :mod:`poster_review.demo.load_reviewing`). Idempotent: a second run
changes nothing."""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from poster_review.accounts import passwords
from poster_review.accounts.models import Membership, Role, User
from poster_review.assignment.models import ConflictSource, ConflictStatus, ReviewerProfile
from poster_review.assignment.services import record_conflict
from poster_review.conferences.models import BlindMode, Conference, Track
from poster_review.demo.content import DemoCongress, PosterState, build_demo
from poster_review.demo.rubric import store_rubrics
from poster_review.settings import Settings
from poster_review.storage import blob_store
from poster_review.submissions import ingest
from poster_review.submissions.models import (
    PosterFile,
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionState,
)

log = logging.getLogger(__name__)

#: Demo passwords, printed by `poster-review demo` and written in the README.
DEMO_PASSWORDS = {
    "chair": "chair-demo-2026",
    "reviewer": "reviewer-demo-2026",
    "author": "author-demo-2026",
}


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    slug: str
    accounts: tuple[tuple[str, str, str], ...]  # (role, email, password)
    posters: int


def demo_today(zone: str = "Asia/Almaty") -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()


def _user(
    dbsession: Session,
    settings: Settings,
    *,
    email: str,
    name: str,
    name_latin: str | None,
    password: str | None,
    now: dt.datetime,
    locale: str | None = None,
) -> User:
    user = dbsession.scalars(select(User).where(User.email == email)).one_or_none()
    if user is None:
        user = User(
            email=email,
            name=name,
            name_latin=name_latin,
            created_at=now,
            email_confirmed_at=now,
            locale=locale,
            password_hash=passwords.hash_password(settings, password) if password else None,
        )
        dbsession.add(user)
        dbsession.flush()
    return user


def _member(
    dbsession: Session, user: User, conference: Conference, role: Role, now: dt.datetime
) -> None:
    exists = dbsession.scalars(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.conference_id == conference.id,
            Membership.role == role,
        )
    ).first()
    if exists is None:
        dbsession.add(
            Membership(user_id=user.id, conference_id=conference.id, role=role, created_at=now)
        )


def _conference(dbsession: Session, demo: DemoCongress, now: dt.datetime) -> Conference:
    c = demo.conference
    schedule = c.phases.to_schedule(c.time_zone)
    conference = Conference(
        slug=c.slug,
        name=c.name,
        short_name=c.short_name,
        venue=c.venue,
        description=(
            "A poster session of the world library congress: digital preservation, "
            "inclusion, AI literacy, open science, indigenous knowledge and library "
            "spaces."
        ),
        timezone=c.time_zone,
        default_locale="en",
        languages=" ".join(c.languages),
        blind_mode=BlindMode.double,
        contact_email="posters@example.org",
        created_at=now,
        **{
            field: getattr(schedule, field)
            for field in (
                "call_opens_at",
                "submission_deadline_at",
                "grace_minutes",
                "bidding_open_at",
                "reviews_open_at",
                "reviews_close_at",
                "decisions_at",
                "final_version_due_at",
                "session_starts_at",
                "session_ends_at",
            )
        },
    )
    dbsession.add(conference)
    for position, t in enumerate(demo.tracks):
        conference.tracks.append(Track(name=t.name, description=t.description, position=position))
    dbsession.flush()
    return conference


def _people(
    dbsession: Session,
    settings: Settings,
    demo: DemoCongress,
    conference: Conference,
    now: dt.datetime,
) -> None:
    chair = _user(
        dbsession,
        settings,
        email=demo.chair.email,
        name=demo.chair.name,
        name_latin=demo.chair.latin_name,
        password=DEMO_PASSWORDS["chair"],
        now=now,
        locale=demo.chair.locale,
    )
    _member(dbsession, chair, conference, Role.chair, now)
    demo_emails = {a.email for a in demo.accounts}
    for reviewer in demo.reviewers:
        password = DEMO_PASSWORDS["reviewer"] if reviewer.email in demo_emails else None
        user = _user(
            dbsession,
            settings,
            email=reviewer.email,
            name=reviewer.name,
            name_latin=reviewer.latin_name,
            password=password,
            now=now,
        )
        _member(dbsession, user, conference, Role.reviewer, now)
        _member(dbsession, user, conference, Role.judge, now)
        track_ids = [
            t.id
            for t in conference.tracks
            for d in demo.tracks
            if d.name == t.name and d.slug in reviewer.tracks
        ]
        dbsession.add(
            ReviewerProfile(
                conference_id=conference.id,
                user_id=user.id,
                affiliations="\n".join(i.name for i in reviewer.affiliations),
                country=reviewer.country,
                orcid=reviewer.orcid,
                topics=", ".join(reviewer.expertise),
                track_ids=track_ids,
                languages=" ".join(reviewer.languages),
                min_load=reviewer.min_load,
                max_load=reviewer.max_load,
                coauthor_emails="\n".join(reviewer.past_coauthor_emails),
                updated_at=now,
            )
        )
    for account in demo.accounts:
        if account.role == "author":
            poster = demo.posters_of(account.email)[0]
            author = next(a for a in poster.authors if a.email == account.email)
            _user(
                dbsession,
                settings,
                email=account.email,
                name=author.name,
                name_latin=author.latin_name,
                password=DEMO_PASSWORDS["author"],
                now=now,
            )


def _aware(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """The demo's times are wall-clock times in the conference zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=zone).astimezone(dt.UTC)


def _posters(
    dbsession: Session,
    settings: Settings,
    demo: DemoCongress,
    conference: Conference,
    now: dt.datetime,
) -> list[tuple[Submission, PosterFile]]:
    """Write every poster; returns the (submission, file) pairs whose PDF needs checking."""
    from poster_review.demo.posters import render_poster

    zone = zoneinfo.ZoneInfo(conference.timezone)
    track_ids = {t.slug: track.id for t, track in zip(demo.tracks, conference.tracks, strict=True)}
    store = blob_store(settings.upload_dir)
    pending: list[tuple[Submission, PosterFile]] = []
    for p in demo.posters:
        created = _aware(p.created_at, zone) or now
        submitted = _aware(p.submitted_at, zone)
        withdrawn = _aware(p.withdrawn_at, zone)
        submission = Submission(
            conference_id=conference.id,
            number=p.number,
            track_id=track_ids.get(p.track),
            title=p.title,
            abstract=p.abstract,
            keywords=", ".join(p.keywords),
            presentation_language=p.language,
            licence=p.licence,
            state=SubmissionState(p.state.value),
            created_at=created,
            updated_at=submitted or created,
            submitted_at=submitted,
            withdrawn_at=withdrawn,
        )
        for position, a in enumerate(p.authors):
            account = dbsession.scalars(select(User).where(User.email == a.email)).one_or_none()
            submission.authors.append(
                SubmissionAuthor(
                    position=position,
                    name=a.name,
                    name_latin=a.latin_name,
                    email=a.email,
                    affiliations="\n".join(i.name for i in a.affiliations),
                    country=a.country,
                    orcid=a.orcid,
                    is_presenting=a.presenting,
                    is_corresponding=a.corresponding,
                    is_student=a.student,
                    user_id=account.id if account else None,
                )
            )
            if account is not None:
                _member(dbsession, account, conference, Role.author, now)
        dbsession.add(submission)
        dbsession.flush()
        events = [
            ("created", created, {"title": p.title}),
            ("submitted", submitted, {}),
            ("withdrawn", withdrawn, {"reason": p.withdrawal_reason or ""}),
        ]
        for action, at, details in events:
            if at is not None:
                dbsession.add(
                    SubmissionEvent(
                        submission_id=submission.id, at=at, action=action, details=details
                    )
                )
        # Some drafts have no PDF yet, as in real life.
        if p.state != PosterState.DRAFT or p.number % 2 == 0:
            blob = store.put_bytes(render_poster(p, conference.name))
            upload = PosterFile(
                sha256=blob.sha256,
                size=blob.size,
                original_filename=f"poster-{p.number}.pdf",
                uploaded_at=submitted or created,
                is_current=True,
            )
            submission.files.append(upload)
            pending.append((submission, upload))
    dbsession.flush()
    return pending


def _conflicts(
    dbsession: Session, demo: DemoCongress, conference: Conference, now: dt.datetime
) -> None:
    """The demo's known conflicts, as detection and declarations would record them."""
    for known in demo.expected_conflicts:
        user = dbsession.scalars(select(User).where(User.email == known.person_email)).one()
        submission = dbsession.scalars(
            select(Submission).where(
                Submission.conference_id == conference.id, Submission.number == known.poster_number
            )
        ).one()
        declared = known.kind.value == "declared"
        record_conflict(
            dbsession,
            conference_id=conference.id,
            submission_id=submission.id,
            user_id=user.id,
            kind=known.kind.value,
            source=ConflictSource.reviewer if declared else ConflictSource.detected,
            status=ConflictStatus.confirmed,
            evidence=known.reason,
            now=now,
        )


def load_demo(
    dbsession: Session,
    settings: Settings,
    *,
    today: dt.date | None = None,
    inspect: bool = True,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Create the demo congress unless it exists. ``inspect=False`` skips PDF checks
    (fast tests); the files then stay "pending" as if the worker had not run yet."""
    say = progress or (lambda _msg: None)
    day = today or demo_today()
    demo = build_demo(day)
    accounts = tuple((a.role, a.email, DEMO_PASSWORDS[a.role]) for a in demo.accounts)
    existing = dbsession.scalars(
        select(Conference).where(Conference.slug == demo.conference.slug)
    ).one_or_none()
    if existing is not None:
        count = len(
            dbsession.scalars(
                select(Submission.id).where(Submission.conference_id == existing.id)
            ).all()
        )
        return DemoSummary(False, existing.slug, accounts, count)

    now = dt.datetime.now(dt.UTC)
    conference = _conference(dbsession, demo, now)
    _people(dbsession, settings, demo, conference, now)
    pending = _posters(dbsession, settings, demo, conference, now)
    _conflicts(dbsession, demo, conference, now)
    store_rubrics(dbsession, conference.id, now)
    say(f"{len(demo.posters)} posters written, {len(pending)} PDFs generated")
    # Imported here: the solver and the award rules pull in scikit-learn and SciPy,
    # which a run that finds the demo already loaded does not need.
    from poster_review.demo.load_reviewing import load_reviewing

    reviewing = load_reviewing(dbsession, demo, conference, today=day)
    say(
        f"{reviewing.assignments} assignments, {reviewing.submitted} reviews submitted, "
        f"{reviewing.drafts} drafts, {reviewing.awards} awards declared"
    )
    if inspect:
        # Each check is its own limited child process: two at a time use both cores.
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(
                pool.map(
                    lambda pair: ingest.inspect_blob(
                        settings,
                        conference,
                        pair[1].sha256,
                        ingest.blind_names(conference, pair[0]),
                    ),
                    pending,
                )
            )
        for (submission, upload), outcome in zip(pending, outcomes, strict=True):
            ingest.apply_outcome(dbsession, upload, submission, outcome)
        say(f"{len(pending)} PDFs inspected, thumbnails rendered")
    log.info("demo loaded conference=%d posters=%d", conference.id, len(demo.posters))
    return DemoSummary(True, conference.slug, accounts, len(demo.posters))
