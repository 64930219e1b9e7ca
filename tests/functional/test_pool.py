"""The reviewer pool: CSV import with a preview, profiles, accepting, bidding."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select

from poster_review.accounts.models import Membership, Role, User
from poster_review.assignment.models import (
    Bid,
    BidValue,
    Conflict,
    InvitationState,
    ReviewerProfile,
)
from poster_review.notifications.models import OutboxMessage
from tests.factories import add_role, make_conference, make_submission, make_user

CSV = "\n".join(
    [
        "name,email,affiliations,country,topics,languages,max_load,orcid",
        "Айгуль Нурланова,aigul@lib.example,National Library of Kazakhstan;Nazarbayev University,"
        "KZ,digital preservation;metadata,en;ru;kk,5,0000-0002-1825-0097",
        "Pierre Dubois,PIERRE@bnf.example,Bibliothèque nationale de France,FR,web archiving,"
        "fr;en,4,",
        "Bad Row,not-an-address,,,,,,",
        "Too Many,many@lib.example,,XX,,,3,",
        "",
    ]
)


def _chair_world(dbsession):
    conference = make_conference(dbsession, phase="review")
    chair = make_user(dbsession)
    add_role(dbsession, chair, conference, Role.chair)
    return conference, chair


def test_import_previews_errors_then_imports_and_reimport_updates(testapp, dbsession, login):
    conference, chair = _chair_world(dbsession)
    existing = make_user(dbsession, email="pierre@bnf.example", name="Pierre Dubois")
    login(chair)
    form = testapp.get(f"/c/{conference.slug}/reviewers").forms["pool-form"]
    form["csv_text"] = CSV
    page = form.submit("action", value="preview")
    assert "Line 4: not-an-address is not an e-mail address." in page.text
    assert "Line 5: XX is not a two-letter country code." in page.text
    assert "2 reviewers ready to import" in page.text
    assert dbsession.scalar(select(func.count()).select_from(ReviewerProfile)) == 0
    page.forms["pool-import-form"].submit("action", value="import", status=303)
    profiles = {p.user_id: p for p in dbsession.scalars(select(ReviewerProfile))}
    aigul = dbsession.scalars(select(User).where(User.email == "aigul@lib.example")).one()
    assert aigul.password_hash is None  # invited, not yet an account holder
    assert (
        profiles[aigul.id].affiliations == "National Library of Kazakhstan\nNazarbayev University"
    )
    assert profiles[aigul.id].max_load == 5 and profiles[aigul.id].orcid == "0000-0002-1825-0097"
    assert profiles[aigul.id].state == InvitationState.invited
    assert profiles[existing.id].state == InvitationState.accepted
    invitations = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "invitation")
    ).all()
    assert [m.to_email for m in invitations] == ["aigul@lib.example"]

    # Importing again updates, never duplicates.
    form = testapp.get(f"/c/{conference.slug}/reviewers").forms["pool-form"]
    form["csv_text"] = CSV.replace(",5,", ",7,")
    form.submit("action", value="preview").forms["pool-import-form"].submit(
        "action", value="import", status=303
    )
    assert dbsession.scalar(select(func.count()).select_from(ReviewerProfile)) == 2
    assert profiles[aigul.id].max_load == 7
    assert (
        dbsession.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.user_id == aigul.id, Membership.role == Role.reviewer)
        )
        == 1
    )

    # The invited person sets a password through the invitation link.
    link = re.search(r"http://localhost(/invitation/\S+)", invitations[0].body_text)
    assert link is not None
    testapp.reset()
    accept = testapp.get(link.group(1)).forms["invitation-form"]
    accept["name"], accept["password"] = "Айгуль Нурланова", "a long passphrase"
    accept.submit(status=303)
    assert aigul.password_hash is not None and aigul.email_confirmed_at is not None


def test_reviewer_profile_and_decline(testapp, dbsession, login):
    conference, _chair = _chair_world(dbsession)
    reviewer = make_user(dbsession)
    add_role(dbsession, reviewer, conference, Role.reviewer)
    login(reviewer)
    form = testapp.get(f"/c/{conference.slug}/my-profile").forms["profile-form-reviewer"]
    form["affiliations"] = "Біліктілікті арттыру институты\nUniversity of Almaty"
    form["topics"] = "open access, repositories"
    form["max_load"] = "3"
    form["available"] = True
    form.submit("action", value="accept", status=303)
    profile = dbsession.scalars(select(ReviewerProfile)).one()
    assert profile.max_load == 3 and profile.available and profile.topics.startswith("open")
    form = testapp.get(f"/c/{conference.slug}/my-profile").forms["profile-form-reviewer"]
    form.submit("action", value="decline", status=303)
    assert profile.state == InvitationState.declined and not profile.available


def test_bids_and_a_conflict_bid_is_binding(testapp, dbsession, login):
    import datetime as dt

    conference, _chair = _chair_world(dbsession)
    day = dt.timedelta(days=1)
    conference.reviews_open_at = dt.datetime.now(dt.UTC) + day  # bidding comes first
    conference.bidding_open_at = dt.datetime.now(dt.UTC) - day
    reviewer = make_user(dbsession)
    add_role(dbsession, reviewer, conference, Role.reviewer)
    author = make_user(dbsession, name="Secret Author Name")
    posters = [
        make_submission(
            dbsession, conference, authors=[author], state="submitted", title=f"Bid poster {i}"
        )
        for i in range(3)
    ]
    login(reviewer)
    page = testapp.get(f"/c/{conference.slug}/bids")
    assert "Secret Author Name" not in page.text  # double-blind
    form = page.forms["bids-form"]
    form[f"bid-{posters[0].id}"] = "eager"
    form[f"bid-{posters[1].id}"] = "conflict"
    form.submit(status=303)
    bids = dict(dbsession.execute(select(Bid.submission_id, Bid.value)).all())
    assert bids == {posters[0].id: BidValue.eager, posters[1].id: BidValue.conflict}
    conflict = dbsession.scalars(select(Conflict)).one()
    assert (conflict.user_id, conflict.submission_id) == (reviewer.id, posters[1].id)
    page = testapp.get(f"/c/{conference.slug}/bids")
    assert "Bid poster 1" not in page.text and "Bid poster 2" in page.text


def test_detection_runs_after_a_submission_commits(app, committing_factory, settings):
    """The after-commit hook runs detection (immediately, in tests) on committed data."""
    import datetime as dt

    from poster_review.submissions import services as submission_services
    from tests.factories import make_poster_file

    now = dt.datetime.now(dt.UTC)
    with committing_factory.begin() as s:
        conference = make_conference(s, phase="submission")
        reviewer = make_user(s, email="same.person@lib.example")
        add_role(s, reviewer, conference, Role.reviewer)
        author = make_user(s)
        submission = make_submission(s, conference, authors=[author])
        submission.authors[0].affiliations = "Library of Almaty"
        s.add(
            ReviewerProfile(
                conference_id=conference.id, user_id=reviewer.id, affiliations="Library of Almaty"
            )
        )
        make_poster_file(s, settings, submission)
        ids = conference.id, submission.id, reviewer.id, author.id
    try:
        with committing_factory.begin() as s:
            submission_obj = s.get_one(type(submission), ids[1])
            submission_services.submit(
                s,
                submission_obj,
                conference=s.get_one(type(conference), ids[0]),
                user=s.get_one(User, ids[3]),
                now=now,
            )
        with committing_factory() as s:
            kinds = set(
                s.scalars(
                    select(Conflict.kind).where(
                        Conflict.submission_id == ids[1], Conflict.user_id == ids[2]
                    )
                )
            )
        assert "same_institution" in kinds
    finally:
        with committing_factory.begin() as s:
            # The receipt mails were committed too: nothing may leak into other tests.
            s.execute(delete(OutboxMessage).where(OutboxMessage.conference_id == ids[0]))
            s.delete(s.get_one(type(conference), ids[0]))
            for user_id in (ids[2], ids[3]):
                s.delete(s.get_one(User, user_id))


def test_bidding_is_closed_outside_its_period(testapp, dbsession, login):
    conference, _chair = _chair_world(dbsession)  # review phase, no bidding period
    reviewer = make_user(dbsession)
    add_role(dbsession, reviewer, conference, Role.reviewer)
    poster = make_submission(
        dbsession, conference, authors=[make_user(dbsession)], state="submitted"
    )
    login(reviewer)
    page = testapp.get(f"/c/{conference.slug}/bids")
    assert "Bidding is not open." in page.text
    token = page.forms["bids-form"]["csrf_token"].value
    refused = testapp.post(
        f"/c/{conference.slug}/bids", {"csrf_token": token, f"bid-{poster.id}": "eager"}, status=409
    )
    assert "Bidding is not open." in refused.text
    assert dbsession.scalars(select(Bid)).all() == []
