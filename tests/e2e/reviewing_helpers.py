"""Fixtures for the scoring tests: assignments written into the live server's database.

The demo reviewer's own assignments and reviews belong to the demo, so each test
assigns a fresh poster of its own (through the assignment service, as a chair would;
one the reviewer is not assigned yet) and reads the stored review back.
Load with ``pytest_plugins = ["tests.e2e.reviewing_helpers"]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poster_review.accounts.models import User
from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.assignment.services import add_assignment, conflict_pairs
from poster_review.conferences.models import Conference
from poster_review.db import get_session_factory, make_engine
from poster_review.reviews.models import Review
from poster_review.submissions.models import Submission, SubmissionState

REVIEWER = ("reviewer1@example.org", "reviewer-demo-2026")
CONFERENCE = "wlic-astana"


@pytest.fixture(scope="session")
def live_database_url(live_server: str, live_dir: Path) -> str:
    """The live server's SQLite URL (``live_server`` writes ``live.sqlite`` there)."""
    return f"sqlite:///{live_dir / 'live.sqlite'}"


@pytest.fixture(scope="session")
def live_sessions(live_database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(live_database_url)
    yield get_session_factory(engine)
    engine.dispose()


@pytest.fixture
def reviewer_page(make_page: Callable[..., Any]) -> Callable[..., Any]:
    """A browser page of its own context, signed in as the demo reviewer."""

    def open_page(width: int = 1280, height: int = 900) -> Any:
        page = make_page(width=width, height=height)
        page.login(*REVIEWER)
        return page

    return open_page


@pytest.fixture
def new_assignment(live_sessions: sessionmaker[Session]) -> Callable[..., int]:
    """Assign the next unassigned, unconflicted submitted poster; return the assignment id."""

    def assign(email: str = REVIEWER[0], round_: ReviewRound = ReviewRound.review) -> int:
        with live_sessions.begin() as session:
            conference = session.scalars(
                select(Conference).where(Conference.slug == CONFERENCE)
            ).one()
            user = session.scalars(select(User).where(User.email == email)).one()
            taken = select(Assignment.submission_id).where(
                Assignment.reviewer_id == user.id, Assignment.round == round_
            )
            conflicted = {s for s, u in conflict_pairs(session, conference.id) if u == user.id}
            candidates = session.scalars(
                select(Submission)
                .where(
                    Submission.conference_id == conference.id,
                    Submission.state == SubmissionState.submitted,
                    Submission.id.not_in(taken),
                )
                .order_by(Submission.number)
            ).all()
            submission = next(s for s in candidates if s.id not in conflicted)
            assignment = add_assignment(
                session,
                conference=conference,
                submission=submission,
                reviewer_id=user.id,
                round_=round_,
                by=None,
                now=dt.datetime.now(dt.UTC),
            )
            return assignment.id

    return assign


@pytest.fixture
def stored_review(live_sessions: sessionmaker[Session]) -> Callable[[int], dict[str, Any]]:
    """What the server's database holds for an assignment's review, as plain values."""

    def read(assignment_id: int) -> dict[str, Any]:
        with live_sessions() as session:
            review = session.scalars(
                select(Review).where(Review.assignment_id == assignment_id)
            ).one_or_none()
            if review is None:
                return {"revision": 0, "scores": {}, "texts": {}, "confidence": None}
            return {
                "revision": review.revision,
                "scores": dict(review.scores),
                "texts": dict(review.texts),
                "confidence": review.confidence,
                "state": review.state.value,
                "total": review.total,
            }

    return read
