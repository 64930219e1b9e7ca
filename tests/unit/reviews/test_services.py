"""Reviews on the database: first saves that race, and translations of a locked rubric."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from poster_review.accounts.models import User
from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.conferences.models import Conference
from poster_review.reviews import rubric as rubrics
from poster_review.reviews import services
from poster_review.reviews.errors import StaleReview
from poster_review.reviews.models import Review, RubricVersion
from poster_review.submissions.models import Submission
from tests.factories import make_assignment, make_conference

NOW = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)


def test_a_duplicate_insert_gives_the_stored_row_and_keeps_the_transaction(dbsession):
    conference = make_conference(dbsession, phase="review")
    stored = services.current_rubric(dbsession, conference.id, ReviewRound.review)
    twin = RubricVersion(
        conference_id=conference.id, round=ReviewRound.review, version=1, definition={}
    )
    got = services._insert_once(dbsession, twin, lambda: dbsession.get(RubricVersion, stored.id))
    assert got is stored
    # Only the savepoint was undone: the request's transaction goes on.
    count = select(func.count()).select_from(RubricVersion)
    assert dbsession.scalar(count.where(RubricVersion.conference_id == conference.id)) == 1


def test_translations_of_a_locked_rubric_change_in_place(dbsession):
    conference = make_conference(dbsession, phase="review")
    assignment = make_assignment(dbsession, conference=conference)
    review = services.review_for(dbsession, assignment, NOW)  # the version is now in use
    version = dbsession.get_one(RubricVersion, review.rubric_id)
    assert services.is_locked(dbsession, version)

    definition = rubrics.as_json(rubrics.from_json(version.definition))
    definition["translations"] = {"fr": {"criteria": {"clarity": {"name": "Clarté du contenu"}}}}
    saved = services.save_rubric(
        dbsession,
        conference_id=conference.id,
        round_=ReviewRound.review,
        definition=definition,
        by_id=None,
        now=NOW,
    )
    assert saved.id == version.id and saved.version == 1
    assert version.definition["translations"]["fr"]["criteria"]["clarity"]["name"] == (
        "Clarté du contenu"
    )
    # A weight is not wording: it makes version 2, and the review keeps version 1.
    definition["criteria"][0]["weight"] = 30
    newer = services.save_rubric(
        dbsession,
        conference_id=conference.id,
        round_=ReviewRound.review,
        definition=definition,
        by_id=None,
        now=NOW,
    )
    assert newer.version == 2 and review.rubric_id == version.id
    assert newer.definition["translations"] == definition["translations"]


def _blocked(factory: Any, pid: int) -> bool:
    with factory() as s:
        waiting = s.scalar(
            text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        )
    return waiting == "Lock"


def _race(factory: Any, first: Callable[[Session], Any], second: Callable[[Session], Any]) -> Any:
    """Run ``first`` in a transaction left open, start ``second`` in another one, wait
    until PostgreSQL makes it wait for ``first``'s row, then commit ``first``. Returns
    what ``second`` returned, or raises what it raised."""
    outcome: dict[str, Any] = {}
    with factory() as one, factory() as two:
        first(one)
        pid = two.scalar(text("SELECT pg_backend_pid()"))

        def run() -> None:
            try:
                outcome["value"] = second(two)
                two.commit()
            except Exception as exc:  # raised again in the test's thread
                outcome["error"] = exc
                two.rollback()

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 10
        while not _blocked(factory, pid) and thread.is_alive():
            assert time.monotonic() < deadline, "the second transaction never waited"
            time.sleep(0.02)
        one.commit()
        thread.join(10)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture
def world(committing_factory, engine) -> Any:
    """A conference in review with one assignment, committed; removed afterwards."""
    if engine.dialect.name != "postgresql":
        # Not a missing component: SQLite serialises writers, so this race cannot occur;
        # CI's PostgreSQL run runs these tests.
        pytest.skip("the race needs PostgreSQL's row locks (runs on the PostgreSQL suite)")
    with committing_factory.begin() as s:
        conference = make_conference(s, phase="review")
        assignment = make_assignment(s, conference=conference)
        ids = (conference.id, assignment.id, assignment.reviewer_id)
        poster = s.get_one(Submission, assignment.submission_id)
        author_ids = [a.user_id for a in poster.authors if a.user_id is not None]
    yield ids
    with committing_factory.begin() as s:
        s.delete(s.get_one(Conference, ids[0]))
        for user_id in (ids[2], *author_ids):
            s.delete(s.get_one(User, user_id))


def test_two_first_saves_of_a_conference_share_one_rubric_version(committing_factory, world):
    conference_id = world[0]

    first: list[int] = []

    def create(s: Session) -> int:
        return services.current_rubric(s, conference_id, ReviewRound.review).id

    second = _race(committing_factory, lambda s: first.append(create(s)), create)
    assert second == first[0]
    with committing_factory() as s:
        versions = s.scalars(
            select(RubricVersion.version).where(RubricVersion.conference_id == conference_id)
        ).all()
    assert versions == [1]


def test_two_first_saves_of_one_review_give_the_later_one_a_409(committing_factory, world):
    conference_id, assignment_id = world[0], world[1]
    with committing_factory.begin() as s:  # the rubric exists: the review row is raced
        services.current_rubric(s, conference_id, ReviewRound.review)

    def first_save(s: Session) -> None:
        review = services.review_for(s, s.get_one(Assignment, assignment_id), NOW)
        services.save_review(
            s,
            review,
            conference=s.get_one(Conference, conference_id),
            base_revision=0,
            sheet=rubrics.ScoreSheet({"clarity": 4}),
            submit=False,
            now=dt.datetime.now(dt.UTC),
            client_label="phone",
        )

    # Phone and desk both save for the first time; the desk's request waits for the
    # phone's review row, then must see it (revision 1) rather than fail.
    with pytest.raises(StaleReview) as raised:
        _race(committing_factory, first_save, first_save)
    assert raised.value.current["client"] == "phone"
    with committing_factory() as s:
        review = s.scalars(select(Review).where(Review.assignment_id == assignment_id)).one()
    assert (review.revision, review.scores["clarity"]) == (1, 4)
