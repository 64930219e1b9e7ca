"""Judges at the boards: single-use sign-in links, label QR codes, printable labels."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from poster_review.accounts.models import AuthToken, Role, TokenPurpose
from poster_review.notifications.models import OutboxMessage
from tests.factories import (
    add_role,
    make_assignment,
    make_conference,
    make_submission,
    make_user,
)


def _chair(dbsession, conference):
    chair = make_user(dbsession)
    add_role(dbsession, chair, conference, Role.chair)
    return chair


def test_magic_link_by_mail_signs_in_once(testapp, dbsession, login):
    conference = make_conference(dbsession, phase="session")
    judge = make_user(dbsession, name="Гульнара Абенова")
    assignment = make_assignment(dbsession, conference=conference, reviewer=judge, round_="judging")
    login(_chair(dbsession, conference))
    page = testapp.get(f"/c/{conference.slug}/judges")
    assert "Гульнара Абенова" in page.text
    form = next(
        f
        for f in page.forms.values()
        if f.fields.get("user_id") and f["user_id"].value == str(judge.id)
    )
    form.submit("action", value="send", status=303)
    mail = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "judge_magic_link")
    ).one()
    assert mail.to_email == judge.email
    found = re.search(r"http://localhost(/judge/\S+)", mail.body_text)
    assert found is not None
    link = found.group(1)

    testapp.reset()
    confirm = testapp.get(link)  # a preview fetch does not use it up
    assert "This signs in Гульнара Абенова on this device" in confirm.text
    response = confirm.forms["magic-form"].submit(status=303)
    assert response.location.endswith(f"/c/{conference.slug}/reviews?round=judging")
    page = response.follow()
    assert f"/reviews/{assignment.id}/" in page.text
    testapp.reset()
    assert "already been used" in testapp.get(link, status=400).text


def test_qr_code_is_shown_to_the_chair_once(testapp, dbsession, login):
    conference = make_conference(dbsession, phase="session")
    judge = make_user(dbsession)
    add_role(dbsession, judge, conference, Role.judge)
    login(_chair(dbsession, conference))
    page = testapp.get(f"/c/{conference.slug}/judges")
    form = next(f for f in page.forms.values() if f.fields.get("user_id"))
    shown = form.submit("action", value="qr", status=200)
    assert "<svg" in shown.text and "Sign-in code for" in shown.text
    assert shown.headers["Cache-Control"] == "no-store"
    token = dbsession.scalars(
        select(AuthToken).where(AuthToken.purpose == TokenPurpose.magic_link)
    ).one()
    assert token.user_id == judge.id and token.conference_id == conference.id


def test_board_qr_leads_the_judge_to_their_page(testapp, dbsession, login):
    conference = make_conference(dbsession, phase="session")
    submission = make_submission(
        dbsession, conference, authors=[make_user(dbsession)], state="submitted"
    )
    judge = make_user(dbsession)
    assignment = make_assignment(
        dbsession, conference=conference, reviewer=judge, submission=submission, round_="judging"
    )
    login(judge)
    response = testapp.get(f"/c/{conference.slug}/board/{submission.number}", status=303)
    assert response.location.endswith(f"/reviews/{assignment.id}/")
    login(make_user(dbsession))
    page = testapp.get(f"/c/{conference.slug}/board/{submission.number}", status=404)
    assert "This poster is not on your list." in page.text
    testapp.get(f"/c/{conference.slug}/board/999", status=404)


def test_labels_pdf_has_a_page_per_submitted_poster(testapp, dbsession, login):
    conference = make_conference(dbsession, name="WLIC Astana")
    author = make_user(dbsession)
    first = make_submission(
        dbsession,
        conference,
        authors=[author],
        state="submitted",
        title="Оцифровка казахских рукописей",
    )
    make_submission(dbsession, conference, authors=[author], state="draft", title="Draft")
    third = make_submission(
        dbsession, conference, authors=[author], state="submitted", title="Open repositories"
    )
    login(_chair(dbsession, conference))
    response = testapp.get(f"/c/{conference.slug}/labels.pdf?size=a5")
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"].endswith('-labels-a5.pdf"')
    pdf = PdfReader(io.BytesIO(response.body))
    assert len(pdf.pages) == 2
    width_mm = float(pdf.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 148
    text = pdf.pages[1].extract_text()
    assert "Open repositories" in text and str(third.number) in text
    assert first.number == 1
