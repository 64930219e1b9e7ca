"""The author's journey: draft, authors, upload, inspection, submit, receipt, withdraw."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader
from sqlalchemy import func, select
from webtest import Upload

from poster_review.accounts.models import Membership, Role
from poster_review.notifications.models import OutboxMessage
from poster_review.storage import blob_store
from poster_review.submissions.ingest import ingest_file
from poster_review.submissions.models import (
    InspectionState,
    PosterFile,
    Submission,
    SubmissionEvent,
    SubmissionState,
)
from tests.factories import add_role, make_conference, make_submission, make_user
from tests.pdfs import poster_pdf


def _start(testapp, conference, **fields):
    form = testapp.get(f"/c/{conference.slug}/submit").forms["submission-form"]
    form["title"] = fields.get("title", "Open repositories in Central Asia")
    form["abstract"] = fields.get("abstract", "We mapped 120 repositories in five countries.")
    form["keywords"] = "repositories, open science"
    form["authors-0-affiliations"] = "National Academic Library, Astana"
    form["authors-0-country"] = "KZ"
    for key, value in fields.items():
        if key.startswith("authors-"):
            form[key] = value
    return form.submit(status=303)


def _upload(testapp, submission, data: bytes, name: str = "poster.pdf", status: int = 303):
    page = testapp.get(f"/submissions/{submission.id}/")
    form = page.forms["upload-form"]
    form["pdf"] = Upload(name, data, "application/pdf")
    return form.submit(status=status)


def test_full_journey_with_real_inspection(testapp, dbsession, login, settings):
    author = make_user(dbsession, name="Айгерим Сейткали")
    coauthor = make_user(dbsession, name="王芳")
    conference = make_conference(dbsession, name="WLIC Astana")
    login(author)
    response = _start(
        testapp,
        conference,
        **{
            "authors-1-name": "王芳",
            "authors-1-email": coauthor.email,
            "authors-1-affiliations": "Peking University Library",
            "authors-1-country": "CN",
            "authors-1-orcid": "https://orcid.org/0000-0002-1825-0097",
        },
    )
    submission = dbsession.scalars(select(Submission)).one()
    assert response.location.endswith(f"/submissions/{submission.id}/")
    assert submission.state == SubmissionState.draft
    assert [a.name for a in submission.authors] == ["Айгерим Сейткали", "王芳"]
    assert submission.authors[1].orcid == "0000-0002-1825-0097"
    assert submission.authors[1].user_id == coauthor.id  # matched by e-mail
    assert (
        dbsession.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.user_id == coauthor.id, Membership.role == Role.author)
        )
        == 1
    )

    page = testapp.get(f"/submissions/{submission.id}/")
    assert "Draft — not submitted yet" in page.text
    assert "Upload the poster as a PDF." in page.text
    assert "PDF only, at most 50 MB and 1 page(s)" in page.text  # limits before upload
    assert "submit-form" not in page.forms

    _upload(testapp, submission, poster_pdf("Open repositories in Central Asia"))
    poster = submission.current_file
    assert poster is not None and poster.inspection == InspectionState.pending
    assert blob_store(settings.upload_dir).exists(poster.sha256)
    assert "We are checking your PDF." in testapp.get(f"/submissions/{submission.id}/").text

    assert ingest_file(dbsession, settings, poster.id) == InspectionState.accepted
    assert poster.pages == 1
    assert round(poster.page_width_mm) == 841 and round(poster.page_height_mm) == 1189
    assert poster.thumb_small_sha256 and poster.thumb_large_sha256
    thumb = testapp.get(f"/submissions/{submission.id}/files/{poster.id}/small.png")
    assert thumb.content_type == "image/png" and thumb.body[:8] == b"\x89PNG\r\n\x1a\n"
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(thumb.body)).size[0] == 400
    large = testapp.get(f"/submissions/{submission.id}/files/{poster.id}/large.png")
    assert Image.open(io.BytesIO(large.body)).size[0] == 1600

    page = testapp.get(f"/submissions/{submission.id}/")
    assert "Ready" in page.text
    page.forms["submit-form"].submit(status=303).follow()
    assert submission.state == SubmissionState.submitted
    receipt = testapp.get(f"/submissions/{submission.id}/receipt")
    assert poster.sha256 in receipt.text
    mails = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "submission_received")
    ).all()
    assert {m.to_email for m in mails} == {author.email, coauthor.email}
    assert all(poster.sha256 in m.body_text for m in mails)
    actions = dbsession.scalars(
        select(SubmissionEvent.action)
        .where(SubmissionEvent.submission_id == submission.id)
        .order_by(SubmissionEvent.id)
    ).all()
    assert actions == ["created", "file_uploaded", "file_inspected", "submitted"]

    # The co-author sees it too.
    login(coauthor)
    assert "Submitted" in testapp.get(f"/submissions/{submission.id}/").text


def test_download_is_guarded_and_neutrally_named(testapp, dbsession, login, settings):
    author = make_user(dbsession)
    stranger = make_user(dbsession)
    conference = make_conference(dbsession)
    login(author)
    _start(testapp, conference)
    submission = dbsession.scalars(select(Submission)).one()
    data = poster_pdf("Secret title", author="Ivan Petrov")
    _upload(testapp, submission, data, name="Ivan_Petrov_final_v3.pdf")
    poster = submission.current_file
    response = testapp.get(f"/submissions/{submission.id}/files/{poster.id}/poster.pdf")
    assert response.body == data
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{conference.slug}-poster-1-v{poster.id}.pdf"'
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]
    # Double-blind: inspection also stores a copy without the author metadata.
    ingest_file(dbsession, settings, poster.id)
    assert poster.blind_sha256 and poster.blind_sha256 != poster.sha256
    blind = PdfReader(blob_store(settings.upload_dir).local_path(poster.blind_sha256))
    assert blind.metadata is not None
    assert blind.metadata.title == "Secret title"
    assert "/Author" not in blind.metadata
    original = PdfReader(io.BytesIO(data)).metadata
    assert original is not None
    assert original.author == "Ivan Petrov"
    login(stranger)
    testapp.get(f"/submissions/{submission.id}/files/{poster.id}/poster.pdf", status=403)
    testapp.reset()
    testapp.get(f"/submissions/{submission.id}/files/{poster.id}/poster.pdf", status=303)


def test_not_a_pdf_is_refused_and_leaves_nothing(testapp, dbsession, login, settings):
    author = make_user(dbsession)
    conference = make_conference(dbsession)
    login(author)
    _start(testapp, conference)
    submission = dbsession.scalars(select(Submission)).one()
    page = _upload(testapp, submission, b"PK\x03\x04 this is a zip", name="poster.pptx", status=400)
    assert "This file is not a PDF. Export your poster as PDF" in page.text
    assert dbsession.scalar(select(func.count()).select_from(PosterFile)) == 0


def test_too_large_upload_gets_a_sentence_not_a_reset(testapp, dbsession, login, settings):
    author = make_user(dbsession)
    conference = make_conference(dbsession, poster_max_mb=1)
    login(author)
    _start(testapp, conference)
    submission = dbsession.scalars(select(Submission)).one()
    big = poster_pdf() + b"%" + b"0" * (3 * 1024 * 1024)
    page = _upload(testapp, submission, big, status=413)
    assert "The file is larger than 1 MB, the limit of this conference." in page.text
    # Just over the limit, below the early check: the stream is counted while stored.
    almost = poster_pdf() + b"%" + b"0" * (1024 * 1024 + 10)
    page = _upload(testapp, submission, almost, status=400)
    assert "larger than 1 MB" in page.text
    assert dbsession.scalar(select(func.count()).select_from(PosterFile)) == 0
    assert list(blob_store(settings.upload_dir).tmp.iterdir()) == []  # no half file left


def test_broken_pdf_is_rejected_with_a_reason(testapp, dbsession, login, settings):
    author = make_user(dbsession)
    conference = make_conference(dbsession)
    login(author)
    _start(testapp, conference)
    submission = dbsession.scalars(select(Submission)).one()
    _upload(testapp, submission, poster_pdf()[:900])  # truncated after the header
    poster = submission.current_file
    assert ingest_file(dbsession, settings, poster.id) == InspectionState.rejected
    assert poster.report["errors"]
    page = testapp.get(f"/submissions/{submission.id}/")
    assert "Problems that stop submission" in page.text
    assert "Your PDF could not be accepted" in page.text
    assert "submit-form" not in page.forms


def test_form_errors_keep_every_author_row(testapp, dbsession, login):
    author = make_user(dbsession)
    conference = make_conference(dbsession)
    login(author)
    form = testapp.get(f"/c/{conference.slug}/submit").forms["submission-form"]
    form["title"] = ""
    form["authors-0-orcid"] = "0000-0002-1825-0098"  # wrong check digit
    form["authors-0-affiliations"] = "Bibliothèque nationale de France"
    page = form.submit("action", value="save", status=400)
    assert "This is not a valid ORCID iD" in page.text
    assert "Please fill in this field." in page.text
    assert "Bibliothèque nationale de France" in page.text
    assert dbsession.scalar(select(func.count()).select_from(Submission)) == 0
    # "Add another author" re-renders with one more blank row, saving nothing.
    more = page.forms["submission-form"].submit("action", value="add_author", status=200)
    assert "authors-1-name" in more.forms["submission-form"].fields
    assert "authors-2-name" in more.forms["submission-form"].fields


def test_concurrent_edits_conflict_instead_of_overwriting(testapp, dbsession, login):
    author = make_user(dbsession)
    conference = make_conference(dbsession)
    submission = make_submission(dbsession, conference, authors=[author], title="Original")
    login(author)
    first = testapp.get(f"/submissions/{submission.id}/edit").forms["submission-form"]
    second = testapp.get(f"/submissions/{submission.id}/edit").forms["submission-form"]
    first["title"] = "Title from the first tab"
    first.submit("action", value="save", status=303)
    second["title"] = "Title from the second tab"
    page = second.submit("action", value="save", status=409)
    assert "A co-author saved this submission while you were editing." in page.text
    assert 'value="Title from the second tab"' in page.text  # nothing typed is lost
    assert submission.title == "Title from the first tab"
    # Saving again from that page is a deliberate choice and succeeds.
    page.forms["submission-form"].submit("action", value="save", status=303)
    assert submission.title == "Title from the second tab"


def test_after_deadline_authors_cannot_edit_until_chair_reopens(testapp, dbsession, login):
    author = make_user(dbsession)
    chair = make_user(dbsession)
    conference = make_conference(dbsession, phase="review")
    add_role(dbsession, chair, conference, Role.chair)
    submission = make_submission(dbsession, conference, authors=[author], state="submitted")
    login(author)
    testapp.get(f"/submissions/{submission.id}/edit", status=403)
    assert "upload-form" not in testapp.get(f"/submissions/{submission.id}/").forms
    login(chair)
    form = testapp.get(f"/submissions/{submission.id}/").forms["reopen-form"]
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    form["until"] = until.astimezone(dt.timezone(dt.timedelta(hours=5))).strftime("%Y-%m-%dT%H:%M")
    form.submit(status=303)
    assert submission.reopened_until is not None
    login(author)
    testapp.get(f"/submissions/{submission.id}/edit", status=200)


def test_withdraw_needs_confirmation_and_happens_once(testapp, dbsession, login):
    author = make_user(dbsession)
    conference = make_conference(dbsession)
    submission = make_submission(dbsession, conference, authors=[author], state="submitted")
    login(author)
    form = testapp.get(f"/submissions/{submission.id}/withdraw").forms["withdraw-form"]
    page = form.submit(status=400)
    assert "Tick the box to confirm" in page.text
    assert submission.state == SubmissionState.submitted
    form = testapp.get(f"/submissions/{submission.id}/withdraw").forms["withdraw-form"]
    form["confirm"] = "yes"
    form.submit(status=303)
    form.submit(status=303)  # a double click withdraws once
    assert submission.state == SubmissionState.withdrawn
    assert (
        dbsession.scalar(
            select(func.count())
            .select_from(SubmissionEvent)
            .where(SubmissionEvent.action == "withdrawn")
        )
        == 1
    )
    testapp.get(f"/submissions/{submission.id}/edit", status=403)


def test_submit_before_call_opens_is_refused(testapp, dbsession, login):
    author = make_user(dbsession)
    conference = make_conference(dbsession, phase="before")
    login(author)
    page = testapp.get(f"/c/{conference.slug}/submit", status=409)
    assert "The submission period for this conference is not open." in page.text


def test_my_posters_and_chair_list(testapp, dbsession, login):
    author = make_user(dbsession)
    chair = make_user(dbsession)
    conference = make_conference(dbsession)
    add_role(dbsession, chair, conference, Role.chair)
    make_submission(dbsession, conference, authors=[author], title="Mine")
    make_submission(dbsession, conference, authors=[make_user(dbsession)], title="Theirs")
    login(author)
    page = testapp.get(f"/c/{conference.slug}/my-posters")
    assert "Mine" in page.text and "Theirs" not in page.text
    login(chair)
    page = testapp.get(f"/c/{conference.slug}/submissions")
    assert "Mine" in page.text and "Theirs" in page.text


def test_assigned_reviewer_gets_the_anonymised_copy_only(testapp, dbsession, login, settings):
    from poster_review.assignment.models import ReviewRound
    from poster_review.assignment.services import add_assignment
    from tests.factories import make_poster_file

    author = make_user(dbsession)
    reviewer = make_user(dbsession)
    conference = make_conference(dbsession)  # double-blind by default
    add_role(dbsession, reviewer, conference, Role.reviewer)
    submission = make_submission(dbsession, conference, authors=[author], state="submitted")
    poster = make_poster_file(dbsession, settings, submission)
    add_assignment(
        dbsession,
        conference=conference,
        submission=submission,
        reviewer_id=reviewer.id,
        round_=ReviewRound.review,
        by=None,
        now=dt.datetime.now(dt.UTC),
    )
    store = blob_store(settings.upload_dir)
    url = f"/submissions/{submission.id}/files/{poster.id}/poster.pdf"
    login(reviewer)
    assert poster.blind_sha256 is not None
    assert testapp.get(url).body == store.local_path(poster.blind_sha256).read_bytes()
    testapp.get(f"/submissions/{submission.id}/", status=403)  # not the author's page
    login(author)
    assert testapp.get(url).body == store.local_path(poster.sha256).read_bytes()
    # Without the anonymised copy a reviewer gets nothing, never the original.
    poster.blind_sha256 = None
    login(reviewer)
    testapp.get(url, status=404)
