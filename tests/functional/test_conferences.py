"""Conference pages: public home, chair settings (time zones, calendar, stale edits),
tracks, invitations, and the dashboard's next actions."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from poster_review.accounts.models import Membership, Role
from poster_review.conferences.models import Conference, Track
from poster_review.notifications.models import OutboxMessage
from tests.factories import add_role, make_conference, make_track, make_user


def test_public_home_shows_calendar_in_conference_zone(testapp, dbsession):
    deadline = dt.datetime(2027, 2, 28, 18, 59, tzinfo=dt.UTC)
    conference = make_conference(
        dbsession, name="WLIC Astana", timezone="Asia/Almaty", submission_deadline_at=deadline
    )
    make_track(dbsession, conference, "Inclusion and accessibility")
    page = testapp.get(f"/c/{conference.slug}/")
    assert "<h1>WLIC Astana</h1>" in page.text
    assert "Asia/Almaty (UTC+05:00)" in page.text
    assert "Sunday, February 28, 2027, 23:59" in page.text  # 18:59 UTC shown as local time
    assert 'datetime="2027-02-28T18:59:00+00:00"' in page.text
    assert "Inclusion and accessibility" in page.text
    assert "Submissions are open until" in page.text


def test_unknown_conference_is_404_in_layout(testapp):
    page = testapp.get("/c/no-such-conference/", status=404)
    assert "Page not found" in page.text
    assert 'class="skip-link"' in page.text


def test_missing_slash_redirects(testapp, dbsession):
    conference = make_conference(dbsession)
    response = testapp.get(f"/c/{conference.slug}", status=303)
    assert response.location.endswith(f"/c/{conference.slug}/")


def _settings_form(testapp, conference):
    return testapp.get(f"/c/{conference.slug}/settings").forms["settings-form"]


def test_chair_saves_aoe_deadline_stored_in_utc(testapp, dbsession, login):
    chair = make_user(dbsession)
    conference = make_conference(dbsession)
    add_role(dbsession, chair, conference, Role.chair)
    login(chair)
    form = _settings_form(testapp, conference)
    form["timezone"] = "AoE"
    form["call_opens_at"] = "2027-01-01T00:00"
    form["submission_deadline_at"] = "2027-02-28T23:59"
    form["reviews_open_at"] = "2027-03-05T00:00"
    form["reviews_close_at"] = "2027-03-30T23:59"
    form["decisions_at"] = "2027-04-15T12:00"
    form["final_version_due_at"] = "2027-05-31T23:59"
    form["session_starts_at"] = "2027-08-20T10:00"
    form["session_ends_at"] = "2027-08-20T12:00"
    form["grace_minutes"] = "30"
    form["poster_max_mb"] = "30"
    form["poster_max_pages"] = "2"
    form["licences"] = "CC-BY-4.0 CC0-1.0 CC-BY-4.0"
    form["languages"] = ["en", "ru", "kk"]
    assert form["reviewers_see_others"].checked
    form["reviewers_see_others"] = False
    form.submit(status=303).follow()
    assert (conference.poster_max_mb, conference.poster_max_pages) == (30, 2)
    assert conference.licence_list == ["CC-BY-4.0", "CC0-1.0"]
    assert conference.language_list == ["en", "ru", "kk"]
    assert conference.reviewers_see_others is False
    assert conference.timezone == "Etc/GMT+12"
    # 23:59 AoE on 28 February is 11:59 UTC on 1 March.
    assert conference.submission_deadline_at == dt.datetime(2027, 3, 1, 11, 59, tzinfo=dt.UTC)
    assert conference.grace_minutes == 30
    page = testapp.get(f"/c/{conference.slug}/")
    assert "Anywhere on Earth (UTC\u221212:00)" in page.text
    assert "Sunday, February 28, 2027, 23:59" in page.text
    # The form shows the saved values back in the conference zone.
    assert _settings_form(testapp, conference)["submission_deadline_at"].value == "2027-02-28T23:59"


def test_settings_errors_keep_input(testapp, dbsession, login):
    chair = make_user(dbsession)
    conference = make_conference(dbsession, name="Original")
    add_role(dbsession, chair, conference, Role.chair)
    login(chair)
    form = _settings_form(testapp, conference)
    form["name"] = "Renamed congress"
    form["timezone"] = "Atlantis/Capital"
    form["reviews_open_at"] = "2027-03-05T00:00"
    form["reviews_close_at"] = "2027-03-01T00:00"
    form["submission_deadline_at"] = "not a date"
    page = form.submit(status=400)
    assert "Unknown time zone." in page.text
    assert "Please enter a date and time like 2026-02-28 23:59." in page.text
    assert 'value="Renamed congress"' in page.text
    assert 'value="Atlantis/Capital"' in page.text
    assert conference.name == "Original"


def test_concurrent_settings_edits_do_not_overwrite(testapp, dbsession, login):
    chair = make_user(dbsession)
    conference = make_conference(dbsession, name="Original")
    add_role(dbsession, chair, conference, Role.chair)
    login(chair)
    first = _settings_form(testapp, conference)
    second = _settings_form(testapp, conference)
    first["name"] = "First chair's name"
    first.submit(status=303)
    second["name"] = "Second chair's name"
    page = second.submit(status=409)
    assert "Someone else saved this at the same time." in page.text
    assert conference.name == "First chair's name"


def test_tracks_add_duplicate_and_delete(testapp, dbsession, login):
    chair = make_user(dbsession)
    conference = make_conference(dbsession)
    add_role(dbsession, chair, conference, Role.chair)
    login(chair)
    form = testapp.get(f"/c/{conference.slug}/tracks").forms["track-form"]
    form["name"] = "Цифровое сохранение"
    form.submit(status=303)
    assert [t.name for t in conference.tracks] == ["Цифровое сохранение"]
    form = testapp.get(f"/c/{conference.slug}/tracks").forms["track-form"]
    form["name"] = "цифровое сохранение"
    page = form.submit(status=400)
    assert "already has a track with this name" in page.text
    track_id = conference.tracks[0].id
    page = testapp.get(f"/c/{conference.slug}/tracks")
    delete = next(
        f for f in page.forms.values() if f.fields.get("action") and f["action"].value == "delete"
    )
    delete.submit(status=303)
    assert dbsession.get(Track, track_id) is None


def test_invitation_creates_account_and_role(testapp, dbsession, login):
    chair = make_user(dbsession, name="Chair Person")
    conference = make_conference(dbsession, name="WLIC")
    add_role(dbsession, chair, conference, Role.chair)
    login(chair)
    form = testapp.get(f"/c/{conference.slug}/members").forms["invite-form"]
    form["name"], form["email"], form["role"] = "محمد العلي", "m.ali@example.org", "reviewer"
    form.submit(status=303)
    mail = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.to_email == "m.ali@example.org")
    ).one()
    assert mail.subject == "Invitation: WLIC"
    assert "Chair Person invites you to WLIC as reviewer" in mail.body_text
    found = re.search(r"http://localhost(/invitation/\S+)", mail.body_text)
    assert found is not None
    link = found.group(1)

    testapp.reset()
    accept = testapp.get(link).forms["invitation-form"]
    accept["name"] = "محمد العلي"
    accept["password"] = "a long passphrase"
    dashboard = accept.submit(status=303).follow()
    assert "Welcome aboard." in dashboard.text
    membership = dbsession.scalars(
        select(Membership).where(
            Membership.conference_id == conference.id, Membership.role == Role.reviewer
        )
    ).one()
    assert membership.user.name == "محمد العلي"
    assert membership.user.email_confirmed_at is not None
    testapp.get(link, status=400)  # single use


def test_dashboard_lists_roles_and_next_actions(testapp, dbsession, login):
    person = make_user(dbsession)
    reviewing = make_conference(dbsession, phase="review", name="Reviewing now")
    submitting = make_conference(dbsession, phase="submission", name="Submitting now")
    make_conference(dbsession, name="Not mine")
    add_role(dbsession, person, reviewing, Role.reviewer)
    add_role(dbsession, person, submitting, Role.author)
    add_role(dbsession, person, submitting, Role.chair)
    login(person)
    page = testapp.get("/dashboard")
    assert "Reviewing now" in page.text and "Submitting now" in page.text
    assert "Not mine" not in page.text
    assert "Score the posters assigned to you" in page.text
    assert "Finish and submit your poster" in page.text
    assert "Review the conference settings and calendar" in page.text


def test_admin_creates_conference_and_becomes_chair(testapp, dbsession, login):
    admin = make_user(dbsession, is_admin=True)
    login(admin)
    form = testapp.get("/conferences/new").forms["new-conference-form"]
    form["name"], form["slug"], form["timezone"] = "IFLA WLIC 2027", "wlic-2027", "Europe/Paris"
    form.submit(status=303)
    conference = dbsession.scalars(select(Conference).where(Conference.slug == "wlic-2027")).one()
    assert conference.timezone == "Europe/Paris"
    roles = dbsession.scalars(
        select(Membership.role).where(
            Membership.conference_id == conference.id, Membership.user_id == admin.id
        )
    ).all()
    assert roles == [Role.chair]
    form = testapp.get("/conferences/new").forms["new-conference-form"]
    form["name"], form["slug"], form["timezone"] = "Again", "wlic-2027", "UTC"
    page = form.submit(status=400)
    assert "Another conference already uses this short address." in page.text
