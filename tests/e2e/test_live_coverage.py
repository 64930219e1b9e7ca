"""The chair's live coverage page follows a score a judge submits from another device."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from poster_review.accounts.models import User
from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.awards.models import Decision, Outcome
from poster_review.conferences.models import Conference
from poster_review.onsite import planning, services
from poster_review.onsite.models import Board, PosterSession
from poster_review.submissions.models import Submission, SubmissionState

pytestmark = pytest.mark.browser
pytest_plugins = ["tests.e2e.reviewing_helpers"]

CHAIR = ("chair@example.org", "chair-demo-2026")
JUDGE = ("reviewer1@example.org", "reviewer-demo-2026")
CONFERENCE = "wlic-astana"
HALL = "Browser hall"


@pytest.fixture
def session_under_way(live_sessions: sessionmaker[Session]) -> Iterator[dict[str, Any]]:
    """Six accepted posters on boards, a session under way, the judges scheduled; the
    demo's calendar, decisions and judging rows are put back afterwards."""
    now = dt.datetime.now(dt.UTC)
    with live_sessions.begin() as db:
        conference = db.scalars(select(Conference).where(Conference.slug == CONFERENCE)).one()
        saved_window = (conference.session_starts_at, conference.session_ends_at)
        conference.session_starts_at = now - dt.timedelta(hours=1)
        conference.session_ends_at = now + dt.timedelta(hours=2)
        undecided = db.scalars(
            select(Submission)
            .where(
                Submission.conference_id == conference.id,
                Submission.state == SubmissionState.submitted,
                Submission.id.not_in(select(Decision.submission_id)),
            )
            .order_by(Submission.number)
            .limit(6)
        ).all()
        decided = [s.id for s in undecided]
        for submission in undecided:
            db.add(
                Decision(
                    submission_id=submission.id,
                    conference_id=conference.id,
                    outcome=Outcome.accept,
                    decided_at=now,
                )
            )
        judging_before = set(
            db.scalars(select(Assignment.id).where(Assignment.round == ReviewRound.judging))
        )
        services.replace_boards(
            db, conference_id=conference.id, layout=planning.grid_layout(2, 6, hall=HALL)
        )
        start = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
        session = services.create_session(
            db,
            conference=conference,
            name="Live browser session",
            hall=HALL,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=120),
            slot_count=1,
            required_judges=2,
            minutes_per_visit=10,
            now=now,
        )
        services.number_posters(db, conference=conference, now=now)
        # Only the two demo judges with a password judge this session.
        for other in services.judges_of(db, conference.id):
            if other.email not in (JUDGE[0], "reviewer2@example.org"):
                services.set_availability(
                    db, session=session, user_id=other.id, available_slot_ids=()
                )
        services.apply_schedule(db, conference=conference, session=session, by=None, now=now)
        judge = db.scalars(select(User).where(User.email == JUDGE[0])).one()
        stop = next(
            s for s in services.route_of(db, conference.id, judge.id) if s.session.id == session.id
        )
        world = {
            "slug": conference.slug,
            "session_id": session.id,
            "assignment_id": stop.assignment.id,
            "submission_id": stop.submission.id,
        }
    yield world
    with live_sessions.begin() as db:
        conference = db.scalars(select(Conference).where(Conference.slug == CONFERENCE)).one()
        conference.session_starts_at, conference.session_ends_at = saved_window
        db.execute(
            delete(Assignment).where(
                Assignment.round == ReviewRound.judging, Assignment.id.not_in(judging_before)
            )
        )
        db.execute(delete(PosterSession).where(PosterSession.id == world["session_id"]))
        db.execute(delete(Board).where(Board.conference_id == conference.id, Board.hall == HALL))
        db.execute(delete(Decision).where(Decision.submission_id.in_(decided)))


def test_live_page_shows_a_score_submitted_on_the_judges_phone(
    make_page: Callable[..., Any], session_under_way: dict[str, Any]
) -> None:
    world = session_under_way
    chair = make_page(width=1024, height=768)  # a tablet at the hall's entrance
    chair.login(*CHAIR)
    chair.goto(f"/c/{world['slug']}/poster-sessions/{world['session_id']}/live")
    p = chair.page
    done = f'tr[data-poster="{world["submission_id"]}"] [data-field="done"]'
    assert p.inner_text(done) == "0"
    assert p.inner_text(f'tr[data-poster="{world["submission_id"]}"] [data-field="required"]') == (
        "2"
    )

    judge = make_page(width=390, height=844)
    judge.login(*JUDGE)
    judge.goto(f"/reviews/{world['assignment_id']}/")
    q = judge.page
    keys = q.eval_on_selector_all(
        'input[type=radio][name^="score-"]', "els => [...new Set(els.map(e => e.name))]"
    )
    for key in keys:
        q.check(f'input[name="{key}"][value="4"]')
    if q.query_selector('input[name="confidence"]'):
        q.check('input[name="confidence"][value="4"]')
    q.click('button[name="action"][value="submit"]')
    q.wait_for_load_state()

    # No reload: the page polls the server and updates the count in place.
    p.wait_for_function(
        "selector => document.querySelector(selector).textContent === '1'",
        arg=done,
        timeout=25_000,
    )
    assert p.get_attribute("#live-status", "data-state") == "ok"
    assert p.url.endswith("/live")  # still the same page, never reloaded
    chair.screenshot("live-coverage")
    assert chair.errors == []
    assert chair.axe() == []
