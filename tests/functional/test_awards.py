"""Ranking, decisions, release to authors and the public gallery."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from poster_review.accounts.models import Role
from poster_review.assignment.models import ConflictSource, ConflictStatus
from poster_review.assignment.services import record_conflict
from poster_review.awards.models import Decision, Outcome
from poster_review.notifications.models import OutboxMessage
from poster_review.reviews.models import Review, ReviewState
from poster_review.storage import blob_store
from tests.factories import (
    add_role,
    make_assignment,
    make_conference,
    make_poster_file,
    make_submission,
    make_user,
)


def _setup(dbsession, settings):
    conference = make_conference(dbsession, phase="decided")
    chair = make_user(dbsession)
    add_role(dbsession, chair, conference, Role.chair)
    author = make_user(dbsession)
    posters = [
        make_submission(
            dbsession, conference, authors=[author], state="submitted", title=f"Poster title {i}"
        )
        for i in range(3)
    ]
    for poster in posters:
        make_poster_file(dbsession, settings, poster)
    reviewers = [make_user(dbsession) for _ in range(3)]
    for i, poster in enumerate(posters):
        for j, reviewer in enumerate(reviewers):
            assignment = make_assignment(
                dbsession, conference=conference, reviewer=reviewer, submission=poster
            )
            dbsession.add(
                Review(
                    assignment_id=assignment.id,
                    rubric_id=_rubric(dbsession, conference),
                    total=40.0 + 20 * i + 5 * j,
                    confidence=3,
                    state=ReviewState.submitted,
                    scores={},
                    texts={},
                )
            )
    dbsession.flush()
    return conference, chair, author, posters


def _rubric(dbsession, conference):
    from poster_review.assignment.models import ReviewRound
    from poster_review.reviews.services import current_rubric

    return current_rubric(dbsession, conference.id, ReviewRound.review).id


def test_ranking_decisions_release_and_publication(testapp, dbsession, login, settings):
    conference, chair, author, posters = _setup(dbsession, settings)
    login(chair)
    page = testapp.get(f"/c/{conference.slug}/decisions")
    body = page.text
    # Best first: poster 3 has the highest totals.
    assert (
        body.index("Poster title 2") < body.index("Poster title 1") < body.index("Poster title 0")
    )
    assert "Raw mean" in body and "Calibrated" in body
    form = page.forms["decisions-form"]
    form[f"outcome-{posters[2].id}"] = "accept"
    form[f"outcome-{posters[1].id}"] = "accept_with_revisions"
    form[f"outcome-{posters[0].id}"] = "reject"
    form.submit("action", value="save", status=303)
    outcomes = dict(dbsession.execute(select(Decision.submission_id, Decision.outcome)).all())
    assert outcomes == {
        posters[2].id: Outcome.accept,
        posters[1].id: Outcome.accept_with_revisions,
        posters[0].id: Outcome.reject,
    }

    # Not released yet (decisions_at is in the past for this phase: push it forward).
    conference.decisions_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    login(author)
    assert 'id="decision"' not in testapp.get(f"/submissions/{posters[2].id}/").text

    login(chair)
    form = testapp.get(f"/c/{conference.slug}/decisions").forms["decisions-form"]
    form.submit("action", value="release", status=303)
    mails = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.event.like("decision_%"))
    ).all()
    assert sorted(m.event for m in mails) == [
        "decision_accept",
        "decision_accept_with_revisions",
        "decision_reject",
    ]
    subjects = {m.event: m.subject for m in mails}
    assert subjects["decision_accept"].startswith("Accepted: poster")
    assert len(set(subjects.values())) == 3  # a distinct subject per outcome
    login(author)
    assert "Decision: Accepted" in testapp.get(f"/submissions/{posters[2].id}/").text
    assert "Decision: Not accepted" in testapp.get(f"/submissions/{posters[0].id}/").text

    # Publication: accepted posters become public, with the original file.
    testapp.reset()
    accepted_file = posters[2].current_file
    url = f"/submissions/{posters[2].id}/files/{accepted_file.id}/poster.pdf"
    testapp.get(url, status=303)
    assert "have not been published yet" in testapp.get(f"/c/{conference.slug}/posters").text
    login(chair)
    form = testapp.get(f"/c/{conference.slug}/decisions").forms["decisions-form"]
    form.submit("action", value="publish", status=303)
    testapp.reset()
    gallery = testapp.get(f"/c/{conference.slug}/posters").text
    assert "Poster title 2" in gallery and "Poster title 1" in gallery
    assert "Poster title 0" not in gallery
    original = blob_store(settings.upload_dir).local_path(accepted_file.sha256).read_bytes()
    assert testapp.get(url).body == original
    rejected = posters[0].current_file
    testapp.get(f"/submissions/{posters[0].id}/files/{rejected.id}/poster.pdf", status=303)
    testapp.get(f"/submissions/{posters[2].id}/", status=303)  # status page stays private


def test_conflicted_chair_sees_no_scores_and_cannot_decide(testapp, dbsession, login, settings):
    conference, chair, _author, posters = _setup(dbsession, settings)
    record_conflict(
        dbsession,
        conference_id=conference.id,
        submission_id=posters[1].id,
        user_id=chair.id,
        kind="institution",
        source=ConflictSource.detected,
        status=ConflictStatus.confirmed,
        evidence="same library",
        now=dt.datetime.now(dt.UTC),
    )
    login(chair)
    page = testapp.get(f"/c/{conference.slug}/decisions")
    assert "Poster title 1" not in page.text
    assert "1 posters are not listed because you have a conflict" in page.text
    token = page.forms["decisions-form"]["csrf_token"].value
    testapp.post(
        f"/c/{conference.slug}/decisions",
        {"csrf_token": token, "action": "save", f"outcome-{posters[1].id}": "accept"},
        status=303,
    )
    assert (
        dbsession.scalars(select(Decision).where(Decision.submission_id == posters[1].id)).first()
        is None
    )
