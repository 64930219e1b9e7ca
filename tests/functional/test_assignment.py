"""The chair's assignment workflow: detect conflicts, run the solver, preview, apply."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from poster_review.accounts.models import Role
from poster_review.assignment.models import (
    Assignment,
    AssignmentRun,
    Conflict,
    ConflictStatus,
    ReviewerProfile,
    RunState,
)
from poster_review.notifications.models import OutboxMessage
from tests.factories import add_role, make_conference, make_submission, make_user


def _world(dbsession, n_posters=4, n_reviewers=3, phase="review"):
    conference = make_conference(dbsession, phase=phase)
    chair = make_user(dbsession)
    add_role(dbsession, chair, conference, Role.chair)
    author = make_user(dbsession, email="author@university.example")
    posters = [
        make_submission(
            dbsession, conference, authors=[author], state="submitted", title=f"Poster on topic {i}"
        )
        for i in range(n_posters)
    ]
    reviewers = []
    for i in range(n_reviewers):
        reviewer = make_user(dbsession, name=f"Reviewer {i}", email=f"r{i}@library{i}.example")
        add_role(dbsession, reviewer, conference, Role.reviewer)
        dbsession.add(
            ReviewerProfile(
                conference_id=conference.id,
                user_id=reviewer.id,
                topics=f"topic {i}",
                max_load=4,
                affiliations=f"Library {i}",
            )
        )
        reviewers.append(reviewer)
    dbsession.flush()
    return conference, chair, author, posters, reviewers


def test_detection_confirms_exact_and_suspects_fuzzy_matches(testapp, dbsession, login):
    conference, chair, _author, posters, reviewers = _world(dbsession)
    posters[0].authors[0].affiliations = "University of Almaty"
    posters[1].authors[0].affiliations = "Казахский национальный университет им. аль-Фараби"
    profiles = dbsession.scalars(select(ReviewerProfile)).all()
    by_user = {p.user_id: p for p in profiles}
    by_user[reviewers[0].id].affiliations = "Univ. of Almaty"
    by_user[reviewers[1].id].affiliations = "Казахский национальный университет"
    dbsession.flush()
    login(chair)
    page = testapp.get(f"/c/{conference.slug}/conflicts")
    page.forms["detect-form"].submit("action", value="detect", status=303)
    # (Everyone here writes from example.org, so same-domain conflicts appear too.)
    found = {(c.user_id, c.submission_id, c.kind): c for c in dbsession.scalars(select(Conflict))}
    exact = found[(reviewers[0].id, posters[0].id, "same_institution")]
    assert exact.status == ConflictStatus.confirmed
    fuzzy = found[(reviewers[1].id, posters[1].id, "same_institution")]
    assert fuzzy.status == ConflictStatus.suspected
    assert "Казахский национальный университет" in fuzzy.evidence
    page = testapp.get(f"/c/{conference.slug}/conflicts")
    assert "suspected" in page.text
    form = next(
        f
        for f in page.forms.values()
        if f.fields.get("conflict_id") and f["conflict_id"].value == str(fuzzy.id)
    )
    form.submit("action", value="dismiss", status=303)
    assert fuzzy.status == ConflictStatus.dismissed and fuzzy.decided_by_id == chair.id
    # Running detection again does not overturn the chair's decision.
    testapp.get(f"/c/{conference.slug}/conflicts").forms["detect-form"].submit(
        "action", value="detect", status=303
    )
    assert fuzzy.status == ConflictStatus.dismissed


def test_solver_preview_apply_respects_conflicts_and_tells_reviewers(testapp, dbsession, login):
    conference, chair, _author, posters, reviewers = _world(dbsession)
    conflicted = (posters[2].id, reviewers[1].id)
    posters[2].authors[0].email = reviewers[1].email  # same person: a certain conflict
    dbsession.flush()
    login(chair)
    testapp.get(f"/c/{conference.slug}/conflicts").forms["detect-form"].submit(
        "action", value="detect", status=303
    )
    form = testapp.get(f"/c/{conference.slug}/assignments").forms["run-form"]
    form["k"], form["max_load"] = "2", "3"
    preview = form.submit("action", value="run", status=303).follow()
    run = dbsession.scalars(select(AssignmentRun)).one()
    assert run.state == RunState.preview and len(run.pairs) == 8
    assert "Apply and tell the reviewers" in preview.text
    assert dbsession.scalars(select(Assignment)).all() == []  # nothing applied yet
    preview.forms["run-decision-form"].submit("action", value="apply", status=303)
    pairs = {(a.submission_id, a.reviewer_id) for a in dbsession.scalars(select(Assignment))}
    assert len(pairs) == 8 and conflicted not in pairs
    assert set(Counter(s for s, _r in pairs).values()) == {2}
    assert max(Counter(r for _s, r in pairs).values()) <= 3
    mails = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "assignment_made")
    ).all()
    assert {m.to_email for m in mails} == {r.email for r in reviewers}
    assert all("/reviews/" in m.body_text for m in mails)
    assert run.state == RunState.applied


def test_infeasible_run_says_why(testapp, dbsession, login):
    conference, chair, _author, _posters, _reviewers = _world(dbsession, 4, 3)
    login(chair)
    form = testapp.get(f"/c/{conference.slug}/assignments").forms["run-form"]
    form["k"] = "4"
    page = form.submit("action", value="run", status=400)
    numbers = ", ".join(f"{p.number} (3 of 4)" for p in _posters)
    assert (
        f"Posters have fewer eligible reviewers than they need (eligible of needed): {numbers}."
    ) in page.text
    assert dbsession.scalars(select(AssignmentRun)).all() == []


def test_manual_assignment_refuses_a_conflict(testapp, dbsession, login):
    conference, chair, _author, posters, reviewers = _world(dbsession)
    posters[0].authors[0].email = reviewers[0].email
    dbsession.flush()
    login(chair)
    testapp.get(f"/c/{conference.slug}/conflicts").forms["detect-form"].submit(
        "action", value="detect", status=303
    )
    form = testapp.get(f"/c/{conference.slug}/assignments").forms["add-form"]
    form["number"], form["reviewer_id"] = str(posters[0].number), str(reviewers[0].id)
    page = form.submit("action", value="add", status=400)
    assert "has a conflict of interest with this poster" in page.text
    form = testapp.get(f"/c/{conference.slug}/assignments").forms["add-form"]
    form["number"], form["reviewer_id"] = str(posters[1].number), str(reviewers[0].id)
    form.submit("action", value="add", status=303)
    assert dbsession.scalars(select(Assignment.submission_id)).all() == [posters[1].id]


def test_declared_conflicts_chair_conflicts_and_reassignment(testapp, dbsession, login):
    conference, chair, author, posters, reviewers = _world(dbsession, phase="submission")
    # The author names a reviewer who should not review poster 1.
    login(author)
    form = testapp.get(f"/submissions/{posters[0].id}/edit").forms["submission-form"]
    form["declared_conflicts"] = f"{reviewers[2].email}\nnot an address"
    page = form.submit("action", value="save", status=400)
    assert "not an address is not an e-mail address" in page.text
    form = page.forms["submission-form"]
    form["declared_conflicts"] = reviewers[2].email
    form.submit("action", value="save", status=303)
    assert posters[0].declared_conflicts == reviewers[2].email
    login(chair)
    testapp.get(f"/c/{conference.slug}/conflicts").forms["detect-form"].submit(
        "action", value="detect", status=303
    )
    kinds = {
        (c.user_id, c.submission_id, c.kind, c.source.value)
        for c in dbsession.scalars(select(Conflict))
    }
    assert (reviewers[2].id, posters[0].id, "declared_by_author", "author") in kinds
    # A chair adds one by hand.
    form = testapp.get(f"/c/{conference.slug}/conflicts").forms["add-conflict-form"]
    form["user_id"], form["number"] = str(reviewers[0].id), str(posters[3].number)
    form["reason"] = "Married to the author"
    form.submit("action", value="add", status=303)
    added = dbsession.scalars(select(Conflict).where(Conflict.kind == "added_by_chair")).one()
    assert (added.user_id, added.submission_id) == (reviewers[0].id, posters[3].id)
    assert added.evidence == "Married to the author" and added.decided_by_id == chair.id

    # After a run, a declared conflict leaves a poster short: the page says so.
    form = testapp.get(f"/c/{conference.slug}/assignments").forms["run-form"]
    form["k"] = "2"
    preview = form.submit("action", value="run", status=303).follow()
    preview.forms["run-decision-form"].submit("action", value="apply", status=303)
    victim = dbsession.scalars(
        select(Assignment).where(Assignment.submission_id == posters[1].id)
    ).first()
    from poster_review.accounts.models import User
    from poster_review.assignment.services import declare_conflict
    from tests.factories import now

    declare_conflict(
        dbsession, submission=posters[1], user=dbsession.get(User, victim.reviewer_id), now=now()
    )
    page = testapp.get(f"/c/{conference.slug}/assignments")
    assert "Posters needing another reviewer" in page.text
    assert f"{posters[1].number}. {posters[1].title} — 1/2" in page.text
    assert "conflict_declared" in page.text  # the history shows it

    # Removing by hand tells the reviewer.
    remove = next(f for f in page.forms.values() if f.fields.get("assignment_id"))
    remove.submit("action", value="remove", status=303)
    removed = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "assignment_removed")
    ).one()
    assert "taken these posters off your list" in removed.body_text


def test_every_kind_of_bid_reaches_the_solver(testapp, dbsession, login):
    from poster_review.assignment.models import Bid, BidValue

    conference, chair, _author, posters, reviewers = _world(dbsession)
    for poster, value in zip(posters, BidValue, strict=False):
        dbsession.add(
            Bid(
                conference_id=conference.id,
                submission_id=poster.id,
                user_id=reviewers[0].id,
                value=value,
            )
        )
    dbsession.flush()
    login(chair)
    form = testapp.get(f"/c/{conference.slug}/assignments").forms["run-form"]
    form["k"] = "1"
    form["w_bid"], form["w_topic"], form["w_text"] = "100", "0", "0"
    form.submit("action", value="run", status=303)
    run = dbsession.scalars(select(AssignmentRun)).one()
    mine = {int(s) for s, r, _v in run.pairs if int(r) == reviewers[0].id}
    assert posters[0].id in mine  # eager
    assert posters[2].id not in mine  # not willing
    assert posters[3].id not in mine  # conflict
