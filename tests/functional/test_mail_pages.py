"""The chair's mail pages: template editor, batch preview and send, outbox."""

from __future__ import annotations

from sqlalchemy import select

from poster_review.accounts.models import Role
from poster_review.awards.models import Decision, Outcome
from poster_review.notifications.models import MailTemplate, OutboxMessage, OutboxState
from tests.factories import add_role, make_conference, make_submission, make_user, now


def _chair(dbsession):
    conference = make_conference(dbsession, phase="decided", languages="en ru")
    chair = make_user(dbsession, name="Chair")
    add_role(dbsession, chair, conference, Role.chair)
    return conference, chair


def test_template_editor_checks_previews_saves_and_resets(testapp, dbsession, login):
    conference, chair = _chair(dbsession)
    login(chair)
    url = f"/c/{conference.slug}/mail/templates/decision_accept/ru"
    page = testapp.get(url)
    assert "recipient_name" in page.text  # the placeholders are listed
    form = page.forms["template-form"]
    form["subject"] = "Принято: постер {{ number }}"
    form["body"] = "Здравствуйте, {{ recipient_name }}!\n{{ recipient.password }}\n{{ title"
    bad = form.submit("action", value="save", status=400)
    assert "Not saved" in bad.text and "line" in bad.text
    assert dbsession.scalars(select(MailTemplate)).all() == []
    form = bad.forms["template-form"]
    form["body"] = "Здравствуйте, {{ recipient_name }}!\nПостер «{{ title }}» принят."
    shown = form.submit("action", value="preview", status=200)
    assert "Preview" in shown.text and "Здравствуйте," in shown.text
    shown.forms["template-form"].submit("action", value="save", status=303)
    saved = dbsession.scalars(select(MailTemplate)).one()
    assert (saved.event, saved.locale) == ("decision_accept", "ru")
    testapp.get(url).forms["template-form"].submit("action", value="reset", status=303)
    assert dbsession.scalars(select(MailTemplate)).all() == []


def test_sandbox_escape_is_refused_with_a_sentence(testapp, dbsession, login):
    conference, chair = _chair(dbsession)
    login(chair)
    form = testapp.get(f"/c/{conference.slug}/mail/templates/review_reminder/en").forms[
        "template-form"
    ]
    form["body"] = "{{ recipient_name.__class__.__mro__[1].__subclasses__() }}"
    page = form.submit("action", value="save", status=400)
    assert "Not saved" in page.text
    problems = page.text.split("Not saved")[1].split("</ul>")[0]
    assert "line 1" in problems
    assert dbsession.scalars(select(MailTemplate)).all() == []


def test_batch_preview_exclusion_double_submit_and_test(testapp, dbsession, login):
    conference, chair = _chair(dbsession)
    authors = [make_user(dbsession, name=f"Author {i}") for i in range(3)]
    for author in authors:
        poster = make_submission(dbsession, conference, authors=[author], state="submitted")
        dbsession.add(
            Decision(
                submission_id=poster.id,
                conference_id=conference.id,
                outcome=Outcome.accept,
                decided_at=now(),
            )
        )
    dbsession.flush()
    login(chair)
    page = testapp.get(f"/c/{conference.slug}/mail/send/decision_accept")
    for author in authors:
        assert author.email in page.text
    form = page.forms["send-form"]
    boxes = form.fields["include"]
    boxes[1].checked = False  # the chair removes one person
    form.submit("action", value="send", status=303)
    form.submit("action", value="send", status=303)  # the same form twice: no duplicates
    sent = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "decision_accept")
    ).all()
    assert sorted(m.to_email for m in sent) == sorted([authors[0].email, authors[2].email])
    told = dict(dbsession.execute(select(Decision.submission_id, Decision.notified_at)).all())
    assert sum(1 for at in told.values() if at is not None) == 2  # not the unticked one
    assert conference.decisions_at <= now()  # and the decisions are visible now
    page = testapp.get(f"/c/{conference.slug}/mail/send/decision_accept")
    page.forms["send-form"].submit("action", value="test", status=303)
    test = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.to_email == chair.email)
    ).one()
    assert test.subject.startswith("[TEST] ")


def test_outbox_shows_failures_and_resends(testapp, dbsession, login):
    conference, chair = _chair(dbsession)
    failed = OutboxMessage(
        event="review_reminder",
        conference_id=conference.id,
        to_email="gone@example.org",
        to_name="Gone",
        subject="Reminder",
        body_text="x",
        state=OutboxState.failed,
        attempts=6,
        last_error="550 5.1.1 No such user",
        next_attempt_at=now(),
        created_at=now(),
    )
    dbsession.add(failed)
    dbsession.flush()
    login(chair)
    page = testapp.get(f"/c/{conference.slug}/mail/outbox?state=failed")
    assert "550 5.1.1 No such user" in page.text
    form = next(f for f in page.forms.values() if f.fields.get("message_id"))
    form.submit(status=303)
    assert failed.state == OutboxState.queued and failed.attempts == 0
    log = testapp.get(f"/c/{conference.slug}/mail/outbox?email=gone@example.org")
    assert "Reminder" in log.text


def test_batch_can_be_limited_to_a_track(testapp, dbsession, login):
    from tests.factories import make_track

    conference, chair = _chair(dbsession)
    spaces = make_track(dbsession, conference, "Library spaces")
    other = make_track(dbsession, conference, "Open science")
    authors = []
    for i, track in enumerate([spaces, other, spaces]):
        author = make_user(dbsession, name=f"Track author {i}")
        poster = make_submission(
            dbsession, conference, authors=[author], state="submitted", track_id=track.id
        )
        dbsession.add(
            Decision(
                submission_id=poster.id,
                conference_id=conference.id,
                outcome=Outcome.accept,
                decided_at=now(),
            )
        )
        authors.append(author)
    dbsession.flush()
    login(chair)
    page = testapp.get(f"/c/{conference.slug}/mail/send/decision_accept?track={spaces.id}")
    assert authors[0].email in page.text and authors[2].email in page.text
    assert authors[1].email not in page.text
    page.forms["send-form"].submit("action", value="send", status=303)
    sent = {
        m.to_email
        for m in dbsession.scalars(
            select(OutboxMessage).where(OutboxMessage.event == "decision_accept")
        )
    }
    assert sent == {authors[0].email, authors[2].email}
