"""The demo congress: loaded once, realistic, multilingual, every page has something."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import delete, func, select

from poster_review.accounts.models import Membership, Role, User
from poster_review.assignment import runs
from poster_review.assignment.models import (
    Assignment,
    AssignmentRun,
    Conflict,
    ConflictStatus,
    ReviewerProfile,
    ReviewRound,
    RunState,
)
from poster_review.awards.models import AuditEntry, AwardCategory, AwardState
from poster_review.conferences.models import Conference
from poster_review.conferences.phases import Action, is_open
from poster_review.demo.load import DEMO_PASSWORDS, load_demo
from poster_review.notifications.models import OutboxMessage
from poster_review.reviews import rubric as rubrics
from poster_review.reviews.models import Review, ReviewState, RubricVersion
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


def _demo_reviewing(dbsession, settings):
    """Load the demo; return the conference, user e-mails and poster languages by id,
    and every assignment with its review (None when not started)."""
    load_demo(dbsession, settings, today=TODAY, inspect=False)
    conference = dbsession.scalars(select(Conference)).one()
    emails = dict(dbsession.execute(select(User.id, User.email)).all())
    languages = dict(
        dbsession.execute(select(Submission.id, Submission.presentation_language)).all()
    )
    rows = dbsession.execute(
        select(Assignment, Review)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.conference_id == conference.id)
    ).all()
    return conference, emails, languages, rows


def test_demo_assigns_three_unconflicted_reviewers_and_declares_awards(dbsession, settings):
    conference, emails, _languages, rows = _demo_reviewing(dbsession, settings)
    assignments = [a for a, _r in rows]
    assert len(assignments) == 102
    assert {a.round for a in assignments} == {ReviewRound.review}
    assert {a.source for a in assignments} == {"solver"}
    submitted = set(
        dbsession.scalars(
            select(Submission.id).where(Submission.state == SubmissionState.submitted)
        )
    )
    per_poster = Counter(a.submission_id for a in assignments)
    assert set(per_poster) == submitted and set(per_poster.values()) == {3}
    confirmed = {
        (s, u)
        for s, u in dbsession.execute(
            select(Conflict.submission_id, Conflict.user_id).where(
                Conflict.status == ConflictStatus.confirmed
            )
        )
    }
    assert not {(a.submission_id, a.reviewer_id) for a in assignments} & confirmed
    limits = {
        p.user_id: (p.min_load, p.max_load) for p in dbsession.scalars(select(ReviewerProfile))
    }
    for reviewer_id, load in Counter(a.reviewer_id for a in assignments).items():
        low, high = limits[reviewer_id]
        assert min(low, 6) <= load <= min(high, 6), emails[reviewer_id]
    run = dbsession.scalars(select(AssignmentRun)).one()
    assert run.state == RunState.applied and len(run.pairs) == 102
    # Loading the demo queues no mail: many of its invented people have real domains.
    assert dbsession.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    # The awards were declared with the call, before any score existed.
    categories = dbsession.scalars(select(AwardCategory).order_by(AwardCategory.position)).all()
    assert [(c.name, c.state) for c in categories] == [
        ("Best Poster", AwardState.open),
        ("Best Student Poster", AwardState.open),
    ]
    best, student = categories
    assert (best.places, best.shortlist_size, best.student_presenter) == (3, 10, False)
    assert best.tie_breaks == [["criterion", "originality"], ["judges"], ["casting"]]
    assert (student.places, student.shortlist_size, student.student_presenter) == (1, 5, True)
    assert best.localised_name("fr") == "Meilleur poster"
    assert student.localised_name("es") == "Mejor póster de estudiante"
    assert best.rules_declared_at < conference.reviews_open_at
    declared = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "award.created"))
    assert [e.details["reviews_submitted_at_declaration"] for e in declared] == [0, 0]

    # The demo's assignment is the solver's default proposal on the same data.
    dbsession.execute(delete(Review))
    dbsession.execute(delete(Assignment))
    again = runs.run_solver(
        dbsession, conference, settings=runs.RunSettings(), by=None, now=dt.datetime.now(dt.UTC)
    )
    assert sorted(map(tuple, again.pairs)) == sorted(map(tuple, run.pairs))


def test_demo_reviews_are_mostly_submitted_with_service_totals(dbsession, settings):
    conference, emails, languages, rows = _demo_reviewing(dbsession, settings)
    reviews = [r for _a, r in rows if r is not None]
    submitted = [r for r in reviews if r.state == ReviewState.submitted]
    assert len(submitted) >= 0.8 * len(rows)
    assert any(r.state == ReviewState.draft for r in reviews)
    rubric = rubrics.from_json(dbsession.get_one(RubricVersion, submitted[0].rubric_id).definition)
    for review in submitted:
        assert review.total == rubrics.weighted_total(rubric, review.scores)
        assert review.revision == 2 and review.confidence in {1, 2, 3, 4, 5}
        assert review.texts["comments_authors"] and review.texts["comments_committee"]
        assert review.scores["presentation"] is None
        assert review.submitted_at is not None
        assert conference.reviews_open_at <= review.created_at <= review.submitted_at
    french = [r for a, r in rows if r and languages[a.submission_id] == "fr"]
    assert any(r.texts["comments_authors"].startswith("Un ") for r in french)
    # The demo accounts have reviewed some posters and have work left.
    for email in ("reviewer1@example.org", "reviewer2@example.org"):
        mine = [r for a, r in rows if emails[a.reviewer_id] == email]
        states = Counter(r.state.value if r else "not started" for r in mine)
        assert states == {"submitted": 3, "draft": 1, "not started": 2}, email


def _sign_in(testapp, email, role):
    testapp.reset()
    form = testapp.get("/account/login").forms["login-form"]
    form["email"], form["password"] = email, DEMO_PASSWORDS[role]
    form.submit(status=303)


def _cells(table):
    return [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in table.tbody.find_all("tr")
    ]


def test_demo_chair_sees_a_calibrated_ranking_and_reviewers_have_work(testapp, dbsession, settings):
    _demo_reviewing(dbsession, settings)
    _sign_in(testapp, "chair@example.org", "chair")
    page = testapp.get("/c/wlic-astana/ranking")
    assert "3 posters are not listed because you have a conflict of interest" in page.text
    cells = _cells(page.html.find("table", id="ranking"))
    assert len(cells) == 32 and not {int(row[1]) for row in cells} & {9, 40}
    ranks = [int(row[0]) for row in cells]
    assert ranks == list(range(1, 33))
    raw, calibrated = [float(r[5]) for r in cells], [float(r[6]) for r in cells]
    assert calibrated == sorted(calibrated, reverse=True)
    assert raw != sorted(raw, reverse=True)  # the raw means would order them otherwise
    assert sum(row[9] != "+0" for row in cells) >= 10
    leniency = {row[0]: float(row[2]) for row in _cells(page.html.find("table", id="reviewers"))}
    assert leniency["Grace Achieng Otieno"] > 5 and leniency["Thomas Berger"] < -5
    awards = testapp.get("/c/wlic-astana/awards/manage")
    assert "Best Poster" in awards.text and "Best Student Poster" in awards.text

    _sign_in(testapp, "reviewer1@example.org", "reviewer")
    page = testapp.get("/c/wlic-astana/reviews")
    badges = Counter(b.get_text(strip=True) for b in page.html.select(".review-list .badge"))
    assert badges == {"submitted": 3, "draft": 1, "not started": 2}
    assert "3 of 6 submitted" in page.text and "Next unscored poster" in page.text
