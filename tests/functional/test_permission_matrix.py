"""The permission matrix: every route × persona × phase has a declared status.

A route added to the app without a row here fails ``test_every_route_has_a_row``.
Statuses: 200 shown, 303 sent to log in (anonymous) or elsewhere, 400 bad token,
403 refused, 404 no such page (or method).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from pyramid.interfaces import IRoutesMapper

from poster_review.accounts.models import Role
from poster_review.assignment.models import ConflictSource, ConflictStatus, ReviewRound
from poster_review.assignment.services import add_assignment, record_conflict
from tests.factories import (
    add_role,
    make_conference,
    make_poster_file,
    make_submission,
    make_user,
)

PERSONAS = (
    "anonymous",
    "author",
    "co_author",
    "other_author",
    "reviewer",
    "assigned_reviewer",
    "conflicted_reviewer",
    "judge",
    "chair",
    "chair_other",
    "admin",
)
PHASES = ("submission", "review")

ALL = dict.fromkeys(PERSONAS, 200)
SIGNED_IN = {**ALL, "anonymous": 303}
CHAIR_ONLY = {**dict.fromkeys(PERSONAS, 403), "anonymous": 303, "chair": 200, "admin": 200}
ADMIN_ONLY = {**dict.fromkeys(PERSONAS, 403), "anonymous": 303, "admin": 200}
BAD_TOKEN = dict.fromkeys(PERSONAS, 400)
NO_GET = dict.fromkeys(PERSONAS, 404)
# Whoever may read this submission: its authors, the chairs, admins.
# The author's status page: its authors, the chairs, admins.
SUBMISSION_STATUS = {
    **dict.fromkeys(PERSONAS, 403),
    "anonymous": 303,
    "author": 200,
    "co_author": 200,
    "chair": 200,
    "admin": 200,
}
# The poster itself: also its assigned reviewers (never a conflicted one).
SUBMISSION_FILES = {**SUBMISSION_STATUS, "assigned_reviewer": 200}
# One reviewer's review: only that reviewer writes it; chairs and admins read it.
REVIEW_WRITE = {**dict.fromkeys(PERSONAS, 403), "anonymous": 303, "assigned_reviewer": 200}
REVIEW_READ = {**REVIEW_WRITE, "chair": 200, "admin": 200}
REVIEWER_POOL = {
    **dict.fromkeys(PERSONAS, 403),
    "anonymous": 303,
    "reviewer": 200,
    "assigned_reviewer": 200,
    "conflicted_reviewer": 200,
    "judge": 200,
    "admin": 200,
}
SUBMISSION_WRITE = {
    "submission": {**SUBMISSION_STATUS, "chair": 403},
    "review": {**SUBMISSION_STATUS, "author": 403, "co_author": 403, "chair": 403},
}

# (route name, GET) -> persona -> status; the same in every phase unless a phase key is given.
MATRIX: dict[str, dict[str, int] | dict[str, dict[str, int]]] = {
    "home": ALL,
    "health": ALL,
    "service_worker": ALL,
    "__static/": ALL,
    "accounts.login": ALL,
    "accounts.logout": NO_GET,
    "accounts.register": ALL,
    "accounts.confirm": BAD_TOKEN,
    "accounts.reset_request": ALL,
    "accounts.reset": BAD_TOKEN,
    "accounts.settings": SIGNED_IN,
    "accounts.email_confirm": BAD_TOKEN,
    "accounts.invitation": BAD_TOKEN,
    "accounts.dashboard": SIGNED_IN,
    "accounts.locale": NO_GET,
    "conferences.new": ADMIN_ONLY,
    "conferences.detail": ALL,
    "conferences.settings": CHAIR_ONLY,
    "conferences.tracks": CHAIR_ONLY,
    "conferences.members": CHAIR_ONLY,
    "submissions.new": {
        "submission": SIGNED_IN,
        "review": {**dict.fromkeys(PERSONAS, 409), "anonymous": 303},
    },
    "submissions.mine": SIGNED_IN,
    "submissions.list": CHAIR_ONLY,
    "submissions.detail": SUBMISSION_STATUS,
    "submissions.receipt": SUBMISSION_STATUS,
    "submissions.status": SUBMISSION_STATUS,
    "submissions.file": SUBMISSION_FILES,
    "submissions.thumbnail": SUBMISSION_FILES,
    "submissions.withdraw": SUBMISSION_STATUS,
    "submissions.edit": SUBMISSION_WRITE,
    "reviews.mine": SIGNED_IN,
    "onsite.judges": CHAIR_ONLY,
    "awards.decisions": CHAIR_ONLY,
    "assignment.overview": CHAIR_ONLY,
    "assignment.conflicts": CHAIR_ONLY,
    "assignment.pool": CHAIR_ONLY,
    "mail.index": CHAIR_ONLY,
    "reviews.rubric": CHAIR_ONLY,
    "mail.outbox": CHAIR_ONLY,
    "mail.send": CHAIR_ONLY,
    "mail.template": CHAIR_ONLY,
    # Reviewers and judges of this conference (assigned or not, even with a conflict).
    "assignment.profile": REVIEWER_POOL,
    "assignment.bids": REVIEWER_POOL,
    "assignment.run": {**CHAIR_ONLY, "chair": 404, "admin": 404},  # no such run
    "awards.gallery": ALL,
    "ranking.page": CHAIR_ONLY,
    "ranking.export": CHAIR_ONLY,
    "awards.manage": CHAIR_ONLY,
    "awards.category": {**CHAIR_ONLY, "chair": 404, "admin": 404},  # no such award
    "awards.audit": CHAIR_ONLY,
    "awards.public": ALL,
    # Nothing is published in these phases: no list to download, for anyone.
    "awards.export": dict.fromkeys(PERSONAS, 404),
    "onsite.labels": CHAIR_ONLY,
    "onsite.magic": BAD_TOKEN,
    # A label's QR code: the assigned reviewer is sent on to the scoring page.
    "onsite.board": {**dict.fromkeys(PERSONAS, 404), "anonymous": 303, "assigned_reviewer": 303},
    # The poster session: chairs plan it; judges see their own route and availability.
    "onsite.sessions": CHAIR_ONLY,
    "onsite.boards": CHAIR_ONLY,
    "onsite.floormap": {**CHAIR_ONLY, "chair": 404, "admin": 404},  # no boards yet
    "onsite.session": {**CHAIR_ONLY, "chair": 404, "admin": 404},  # no such session
    "onsite.schedule": {**CHAIR_ONLY, "chair": 404, "admin": 404},
    "onsite.live": {**CHAIR_ONLY, "chair": 404, "admin": 404},
    "onsite.live_json": {**CHAIR_ONLY, "chair": 404, "admin": 404},
    "onsite.availability": SIGNED_IN,
    "onsite.route": SIGNED_IN,
    "onsite.route_ics": SIGNED_IN,
    "onsite.presence": SUBMISSION_STATUS,
    "reviews.edit": REVIEW_WRITE,
    "reviews.state": REVIEW_READ,
    "reviews.autosave": NO_GET,
    "reviews.conflict": NO_GET,
    "submissions.upload": NO_GET,
    "submissions.submit": NO_GET,
    "submissions.reopen": NO_GET,
}

PLACEHOLDERS = {
    "token": "not-a-real-token",
    "subpath": "app.css",
    "size": "small",
    "run_id": "999999",
    "event": "review_reminder",
    "round": "review",
    "locale": "en",
    "category_id": "999999",
    "fmt": "csv",
    "session_id": "999999",
}


def _routes(app: Any) -> dict[str, str]:
    mapper = app.registry.getUtility(IRoutesMapper)
    return {route.name: route.pattern for route in mapper.get_routes()}


def test_every_route_has_a_row(app):
    missing = sorted(set(_routes(app)) - set(MATRIX))
    assert missing == [], f"routes without a permission-matrix row: {missing}"
    stale = sorted(set(MATRIX) - set(_routes(app)))
    assert stale == [], f"rows for routes that no longer exist: {stale}"


def _url(pattern: str, slug: str, ids: dict[str, str] | None = None) -> str:
    url = pattern.replace("{slug}", slug)
    url = re.sub(r"{(\w+):[^}]*}", r"{\1}", url)  # drop regex parts: {file_id:\d+}
    for key, value in {**PLACEHOLDERS, **(ids or {})}.items():
        url = url.replace("{" + key + "}", value).replace("*" + key, value)
    return url if url.startswith("/") else "/" + url


def _world(dbsession: Any, phase: str, settings: Any = None) -> tuple[Any, dict[str, Any]]:
    conference = make_conference(dbsession, phase=phase)
    other = make_conference(dbsession, phase=phase)
    people: dict[str, Any] = {"anonymous": None}
    for persona, role in [
        ("author", Role.author),
        ("co_author", Role.author),
        ("other_author", Role.author),
        ("reviewer", Role.reviewer),
        ("assigned_reviewer", Role.reviewer),
        ("conflicted_reviewer", Role.reviewer),
        ("judge", Role.judge),
        ("chair", Role.chair),
    ]:
        people[persona] = make_user(dbsession)
        add_role(dbsession, people[persona], conference, role)
    people["chair_other"] = make_user(dbsession)
    add_role(dbsession, people["chair_other"], other, Role.chair)
    people["admin"] = make_user(dbsession, is_admin=True)
    submission = make_submission(
        dbsession, conference, authors=[people["author"], people["co_author"]]
    )
    make_submission(dbsession, conference, authors=[people["other_author"]])
    now = dt.datetime.now(dt.UTC)
    assignments = {}
    for persona in ("assigned_reviewer", "conflicted_reviewer"):
        assignments[persona] = add_assignment(
            dbsession,
            conference=conference,
            submission=submission,
            reviewer_id=people[persona].id,
            round_=ReviewRound.review,
            by=None,
            now=now,
        )
    # A conflict found after assignment takes the assignment away (and every grant).
    record_conflict(
        dbsession,
        conference_id=conference.id,
        submission_id=submission.id,
        user_id=people["conflicted_reviewer"].id,
        kind="institution",
        source=ConflictSource.detected,
        status=ConflictStatus.confirmed,
        evidence="same institution",
        now=now,
    )
    ids = {
        "number": str(submission.number),
        "submission_id": str(submission.id),
        "assignment_id": str(assignments["assigned_reviewer"].id),
    }
    if settings is not None:
        ids["file_id"] = str(make_poster_file(dbsession, settings, submission).id)
    people["_ids"] = ids
    return conference, people


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_statuses(route, phase, app, testapp, dbsession, login, settings):
    pattern = _routes(app)[route]
    conference, people = _world(dbsession, phase, settings)
    ids = people.pop("_ids")
    row = MATRIX[route]
    expected_by_persona: dict[str, int] = row.get(phase, row)  # type: ignore[assignment,arg-type]
    mismatches = []
    for persona in PERSONAS:
        testapp.reset()
        if people[persona] is not None:
            login(people[persona])
        url = _url(pattern, conference.slug, ids)
        status = testapp.get(url, expect_errors=True).status_int
        if status != expected_by_persona[persona]:
            mismatches.append((persona, url, expected_by_persona[persona], status))
    assert mismatches == []


@pytest.mark.parametrize(
    "route", ["conferences.settings", "conferences.tracks", "conferences.members"]
)
def test_chair_posts_refused_for_others_even_with_valid_csrf(route, app, testapp, dbsession, login):
    conference, people = _world(dbsession, "submission")
    people.pop("_ids")
    url = _url(_routes(app)[route], conference.slug)
    for persona in ("author", "reviewer", "chair_other"):
        testapp.reset()
        login(people[persona])
        token = testapp.get("/account/").forms["profile-form"]["csrf_token"].value
        response = testapp.post(url, {"csrf_token": token, "name": "x"}, expect_errors=True)
        assert response.status_int == 403, persona
