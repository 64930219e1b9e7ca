"""The background check of an upload: no transaction held while it runs, a busy
machine defers the check instead of rejecting the poster, numbers never collide."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import delete

from poster_review.accounts.models import User
from poster_review.conferences.models import Conference
from poster_review.submissions import ingest, pdf
from poster_review.submissions.models import InspectionState, Submission
from tests.factories import make_conference, make_poster_file, make_submission, make_user


def _busy_outcome() -> ingest.Outcome:
    report = pdf.Report(file_bytes=1000, errors=(pdf.Issue(code=pdf.BUSY, message="busy"),))
    return ingest.Outcome(report, None, None, None)


def test_a_busy_machine_leaves_the_file_pending(dbsession, settings):
    conference = make_conference(dbsession)
    submission = make_submission(dbsession, conference, authors=[make_user(dbsession)])
    poster = make_poster_file(dbsession, settings, submission)
    poster.inspection = InspectionState.pending
    before = dict(poster.report or {})
    dbsession.flush()
    state = ingest.store_outcome(dbsession, poster.id, _busy_outcome())
    assert state == InspectionState.pending
    assert poster.inspection == InspectionState.pending and poster.inspected_at is None
    assert poster.report == before  # nothing of the busy attempt is recorded


def test_job_then_outcome_in_separate_transactions(dbsession, settings):
    conference = make_conference(dbsession)
    submission = make_submission(dbsession, conference, authors=[make_user(dbsession)])
    poster = make_poster_file(dbsession, settings, submission)
    poster.inspection = InspectionState.pending
    dbsession.flush()
    job = ingest.pending_job(dbsession, poster.id)
    assert job is not None and job.sha256 == poster.sha256
    assert job.conference.poster_max_mb == conference.poster_max_mb  # usable detached
    outcome = ingest.inspect_blob(settings, job.conference, job.sha256, job.names)
    assert ingest.store_outcome(dbsession, poster.id, outcome) == InspectionState.accepted
    # A second worker finishing the same file changes nothing.
    assert ingest.store_outcome(dbsession, poster.id, outcome) is None
    assert ingest.pending_job(dbsession, poster.id) is None


def test_drafts_created_at_once_get_different_numbers(committing_factory, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers already; the lock matters on PostgreSQL")

    with committing_factory.begin() as session:
        conference = make_conference(session)
        author = make_user(session)
        make_submission(session, conference, authors=[author])
        conference_id, author_id = conference.id, author.id
    try:
        _race_two_drafts(committing_factory, conference_id)
    finally:  # committed rows must not leak into the tests that follow
        with committing_factory.begin() as session:
            session.execute(delete(Submission).where(Submission.conference_id == conference_id))
            session.delete(session.get_one(Conference, conference_id))
            session.delete(session.get_one(User, author_id))


def _race_two_drafts(committing_factory: Any, conference_id: int) -> None:
    from poster_review.submissions.services import _next_number

    numbers: list[int] = []
    first_locked = threading.Event()
    release = threading.Event()

    def first() -> None:
        with committing_factory.begin() as session:
            numbers.append(_next_number(session, conference_id))
            first_locked.set()
            release.wait(10)

    def second() -> None:
        first_locked.wait(10)
        with committing_factory.begin() as session:
            numbers.append(_next_number(session, conference_id))  # waits for the lock

    a, b = threading.Thread(target=first), threading.Thread(target=second)
    a.start()
    b.start()
    assert first_locked.wait(10)
    b.join(1.0)
    # Without the lock the second draft would read the same highest number now.
    assert b.is_alive(), "the second draft must wait for the first one's lock"
    release.set()
    a.join(10)
    b.join(10)
    assert not b.is_alive() and len(numbers) == 2
