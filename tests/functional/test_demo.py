"""The demo congress: loaded once, realistic, multilingual, every page has something."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from poster_review.accounts.models import Membership, Role, User
from poster_review.conferences.phases import Action, is_open
from poster_review.demo.load import DEMO_PASSWORDS, load_demo
from poster_review.submissions.ingest import ingest_file
from poster_review.submissions.models import (
    InspectionState,
    PosterFile,
    Submission,
    SubmissionAuthor,
    SubmissionState,
)

TODAY = dt.date(2026, 11, 27)


def test_demo_loads_once_with_realistic_content(dbsession, settings):
    summary = load_demo(dbsession, settings, today=TODAY, inspect=False)
    assert summary.created and summary.posters == 40
    conference = summary.slug
    assert conference == "wlic-astana"
    states = dict(
        dbsession.execute(select(Submission.state, func.count()).group_by(Submission.state)).all()
    )
    assert states == {
        SubmissionState.submitted: 34,
        SubmissionState.draft: 5,
        SubmissionState.withdrawn: 1,
    }
    names = dbsession.scalars(select(SubmissionAuthor.name)).all()
    scripts = {
        "cyrillic": ("\u0400", "\u04ff"),
        "arabic": ("\u0600", "\u06ff"),
        "cjk": ("\u4e00", "\u9fff"),
    }
    for label, (low, high) in scripts.items():
        assert any(any(low <= ch <= high for ch in n) for n in names), label
    countries = set(dbsession.scalars(select(SubmissionAuthor.country)))
    assert len(countries) >= 25
    # The demo accounts exist with their roles.
    roles = {
        (u, r)
        for u, r in dbsession.execute(
            select(User.email, Membership.role).join(Membership, Membership.user_id == User.id)
        )
    }
    assert ("chair@example.org", Role.chair) in roles
    assert ("reviewer1@example.org", Role.reviewer) in roles
    assert ("author@example.org", Role.author) in roles

    again = load_demo(dbsession, settings, today=TODAY, inspect=False)
    assert not again.created
    assert dbsession.scalar(select(func.count()).select_from(Submission)) == 40


def test_demo_calendar_is_in_submission_and_review_phase(dbsession, settings):
    load_demo(dbsession, settings, inspect=False)  # anchored on the real today
    from poster_review.conferences.models import Conference

    conference = dbsession.scalars(select(Conference)).one()
    now = dt.datetime.now(dt.UTC)
    assert is_open(conference.schedule, Action.submit, now)
    assert is_open(conference.schedule, Action.review, now)
    assert conference.timezone == "Asia/Almaty"


def test_demo_pdfs_are_inspected_like_uploads(dbsession, settings):
    load_demo(dbsession, settings, today=TODAY, inspect=False)
    files = dbsession.scalars(select(PosterFile).order_by(PosterFile.id).limit(3)).all()
    for poster in files:
        assert ingest_file(dbsession, settings, poster.id) == InspectionState.accepted
        assert poster.pages == 1 and poster.thumb_small_sha256


def test_demo_accounts_can_sign_in(testapp, dbsession, settings):
    load_demo(dbsession, settings, today=TODAY, inspect=False)
    form = testapp.get("/account/login").forms["login-form"]
    form["email"], form["password"] = "author@example.org", DEMO_PASSWORDS["author"]
    form.submit(status=303)
    page = testapp.get("/c/wlic-astana/my-posters")
    assert page.text.count('class="card"') == 3  # posters 9, 35 and 40
