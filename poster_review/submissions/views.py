"""Author pages: start, edit, upload, submit, withdraw; the status page; downloads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.response import FileResponse, Response
from pyramid.view import view_config
from sqlalchemy import select

from poster_review.awards.models import Decision
from poster_review.conferences import timezones
from poster_review.conferences.models import BlindMode, Track
from poster_review.conferences.phases import Action, is_open
from poster_review.db import utcnow
from poster_review.errors import Conflict, InvalidInput
from poster_review.forms import Form
from poster_review.i18n import _
from poster_review.permissions import Permission as P
from poster_review.resources import ConferenceResource, SubmissionResource
from poster_review.storage import blob_store
from poster_review.submissions import services
from poster_review.submissions.authors import (
    AuthorInput,
    country_names,
    parse_authors,
    row_count,
)
from poster_review.submissions.errors import NotReady, UploadRefused
from poster_review.submissions.models import PosterFile, Submission, SubmissionState
from poster_review.units import MB


def _flash(request: Request, message: str, queue: str = "success") -> None:
    request.session.flash(request.localizer.translate(message), queue)


def _metadata(form: Form, conference: Any) -> dict[str, Any]:
    tracks = {str(t.id): t for t in conference.tracks}
    values: dict[str, Any] = {
        "title": form.text("title", required=True, max_length=300),
        "abstract": form.text("abstract", max_length=5000),
        "keywords": form.text("keywords", max_length=500),
        "declared_conflicts": _declared(form),
        "language": form.choice(
            "language", conference.language_list, default=conference.language_list[0]
        ),
        "licence": form.choice(
            "licence", conference.licence_list, default=conference.licence_list[0]
        ),
    }
    track = form.raw("track_id")
    if tracks and track not in tracks:
        form.errors["track_id"] = _("Please choose a track.")
    form.values["track_id"] = track
    values["track_id"] = int(track) if track in tracks else None
    return values


def _declared(form: Form) -> str:
    """People the authors ask not to review the poster: e-mail addresses, one per line."""
    lines = [line.strip() for line in form.raw("declared_conflicts").splitlines() if line.strip()]
    form.values["declared_conflicts"] = "\n".join(lines)
    good = []
    for line in lines[:50]:
        checked = Form({"e": line})
        address = checked.email("e")
        if not checked.ok:
            form.errors["declared_conflicts"] = _(
                "${value} is not an e-mail address; write one address per line.",
                mapping={"value": line[:100]},
            )
            break
        good.append(address)
    return "\n".join(good)


def _author_rows(authors: list[Any], extra: int = 1) -> list[dict[str, Any]]:
    rows = [
        {
            "name": a.name,
            "name_latin": a.name_latin or "",
            "email": a.email,
            "affiliations": "\n".join(a.affiliations)
            if isinstance(a, AuthorInput)
            else a.affiliations,
            "country": a.country,
            "orcid": a.orcid or "",
            "presenting": a.presenting if isinstance(a, AuthorInput) else a.is_presenting,
            "corresponding": a.corresponding if isinstance(a, AuthorInput) else a.is_corresponding,
            "student": a.student if isinstance(a, AuthorInput) else a.is_student,
            "first_time": a.first_time if isinstance(a, AuthorInput) else a.is_first_time,
        }
        for a in authors
    ]
    rows += [
        {
            "name": "",
            "name_latin": "",
            "email": "",
            "affiliations": "",
            "country": "",
            "orcid": "",
            "presenting": False,
            "corresponding": False,
            "student": False,
            "first_time": False,
        }
        for _ in range(extra)
    ]
    return rows


def _extra(request: Request, authors: list[AuthorInput]) -> int:
    """Blank rows to show after "Add another author": the blank ones kept, plus one."""
    if request.POST.get("action") != "add_author":
        return 1
    return max(row_count(request.POST) - len(authors), 0) + 1


def _form_page(
    request: Request, conference: Any, form: Form, rows: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {
        "conference": conference,
        "form": form,
        "rows": rows,
        "countries": sorted(country_names(request.locale_name).items(), key=lambda i: i[1]),
        "tracks": conference.tracks,
        **extra,
    }


@view_config(
    route_name="submissions.new", renderer="submissions/edit.jinja2", permission=P.SubmissionsCreate
)
def new(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    now = utcnow()
    if not is_open(conference.schedule, Action.submit, now):
        request.response.status = 409
        return _form_page(request, conference, Form({}), [], closed=True, submission=None)
    form = Form(request.POST)
    user = request.user
    if request.method != "POST" or request.POST.get("action") == "add_author":
        authors, _errors = parse_authors(request.POST)
        if request.method != "POST":
            authors = [
                AuthorInput(
                    name=user.name,
                    email=user.email,
                    name_latin=user.name_latin or "",
                    presenting=True,
                    corresponding=True,
                )
            ]
        form.values.update({k: v for k, v in request.POST.items() if isinstance(v, str)})
        return _form_page(
            request,
            conference,
            form,
            _author_rows(authors, _extra(request, authors)),
            closed=False,
            submission=None,
        )
    values = _metadata(form, conference)
    authors, author_errors = parse_authors(request.POST)
    form.errors.update(author_errors)
    if not form.ok:
        request.response.status = 400
        return _form_page(
            request, conference, form, _author_rows(authors), closed=False, submission=None
        )
    submission = services.create_draft(
        request.dbsession,
        conference=conference,
        user=user,
        now=now,
        title=values["title"],
        abstract=values["abstract"],
        keywords=values["keywords"],
        track_id=values["track_id"],
        language=values["language"],
        licence=values["licence"],
        authors=authors,
        declared_conflicts=values["declared_conflicts"],
    )
    _flash(request, _("Your draft is saved. Upload the PDF, then submit."))
    return HTTPSeeOther(request.route_url("submissions.detail", submission_id=submission.id))


@view_config(
    route_name="submissions.edit", renderer="submissions/edit.jinja2", permission=P.SubmissionsWrite
)
def edit(context: SubmissionResource, request: Request) -> Response | dict[str, Any]:
    submission, conference = context.submission, context.conference
    form = Form(request.POST)
    if request.method != "POST":
        form.values.update(
            {
                "title": submission.title,
                "abstract": submission.abstract,
                "keywords": submission.keywords,
                "language": submission.presentation_language,
                "licence": submission.licence,
                "version": submission.version,
                "track_id": str(submission.track_id or ""),
                "declared_conflicts": submission.declared_conflicts,
            }
        )
        return _form_page(
            request,
            conference,
            form,
            _author_rows(submission.authors),
            closed=False,
            submission=submission,
        )
    authors, author_errors = parse_authors(request.POST)
    if request.POST.get("action") == "add_author":
        form.values.update({k: v for k, v in request.POST.items() if isinstance(v, str)})
        return _form_page(
            request,
            conference,
            form,
            _author_rows(authors, _extra(request, authors)),
            closed=False,
            submission=submission,
        )
    values = _metadata(form, conference)
    version = form.integer("version", minimum=1, maximum=2**31 - 1)
    form.errors.update(author_errors)
    if not form.ok:
        request.response.status = 400
        return _form_page(
            request, conference, form, _author_rows(authors), closed=False, submission=submission
        )
    try:
        changed = services.update(
            request.dbsession,
            submission,
            conference=conference,
            user=request.user,
            now=utcnow(),
            expected_version=version,
            title=values["title"],
            abstract=values["abstract"],
            keywords=values["keywords"],
            track_id=values["track_id"],
            language=values["language"],
            licence=values["licence"],
            authors=authors,
            declared_conflicts=values["declared_conflicts"],
        )
    except Conflict as exc:
        # Nothing is overwritten and nothing typed is lost: the page keeps the input and
        # offers the current version's number, so saving again is a deliberate choice.
        form.errors["version"] = exc.message
        form.values["version"] = submission.version
        request.response.status = 409
        return _form_page(
            request, conference, form, _author_rows(authors), closed=False, submission=submission
        )
    _flash(request, _("Saved.") if changed else _("Nothing had changed."))
    return HTTPSeeOther(request.route_url("submissions.detail", submission_id=submission.id))


def _deadline_text(request: Request, conference: Any, now: dt.datetime) -> dict[str, Any]:
    deadline = conference.submission_deadline_at
    if deadline is None:
        return {"deadline": None, "remaining": None}
    remaining = deadline - now
    return {"deadline": deadline, "remaining": remaining if remaining.total_seconds() > 0 else None}


@view_config(
    route_name="submissions.detail",
    renderer="submissions/detail.jinja2",
    permission=P.SubmissionsStatus,
)
def detail(context: SubmissionResource, request: Request) -> dict[str, Any]:
    submission, conference = context.submission, context.conference
    now = utcnow()
    editable = services.is_editable(submission, conference, now)
    return {
        "submission": submission,
        "conference": conference,
        "track": request.dbsession.get(Track, submission.track_id) if submission.track_id else None,
        "current": submission.current_file,
        "problems": services.readiness_problems(submission)
        if submission.state != SubmissionState.withdrawn
        else [],
        "editable": editable,
        "can_write": editable and request.has_permission(P.SubmissionsWrite),
        "history": services.history(request.dbsession, submission.id),
        "decisions_visible": is_open(conference.schedule, Action.see_decisions, now),
        "decision": request.dbsession.scalars(
            select(Decision).where(Decision.submission_id == submission.id)
        ).one_or_none()
        if is_open(conference.schedule, Action.see_decisions, now)
        else None,
        "now": now,
        "max_mb": conference.poster_max_mb,
        **_deadline_text(request, conference, now),
    }


@view_config(
    route_name="submissions.upload",
    request_method="POST",
    permission=P.SubmissionsWrite,
    renderer="errors/domain.jinja2",
)
def upload(context: SubmissionResource, request: Request) -> Response | dict[str, Any]:
    submission, conference = context.submission, context.conference
    settings = request.registry.poster_settings
    limit = services.settings_upload_limit(settings, conference)
    # Refuse an oversized body from its declared length, before reading it.
    if request.content_length and request.content_length > limit + MB:
        request.response.status = 413
        return {
            "status": 413,
            "message": _(
                "The file is larger than ${mb} MB, the limit of this conference. Reduce image "
                "resolution when exporting the PDF.",
                mapping={"mb": conference.poster_max_mb},
            ),
        }
    field = request.POST.get("pdf")
    if field is None or not hasattr(field, "file"):
        request.response.status = 400
        return {"status": 400, "message": _("Choose a PDF file to upload.")}
    try:
        poster = services.attach_pdf(
            request.dbsession,
            blob_store(settings.upload_dir),
            submission,
            conference=conference,
            user=request.user,
            stream=field.file,
            filename=field.filename or "poster.pdf",
            now=utcnow(),
        )
    except UploadRefused as exc:
        request.response.status = 400
        return {"status": 400, "message": exc.message}
    from poster_review import tasks

    file_id = poster.id

    def enqueue(committed: bool) -> None:
        if committed:
            tasks.ingest_poster_file(file_id)

    request.tm.get().addAfterCommitHook(enqueue)
    _flash(
        request,
        _(
            "Your PDF is uploaded. We are checking it now; the report appears "
            "below in a few seconds."
        ),
    )
    return HTTPSeeOther(request.route_url("submissions.detail", submission_id=submission.id))


@view_config(
    route_name="submissions.submit",
    request_method="POST",
    permission=P.SubmissionsWrite,
    renderer="errors/domain.jinja2",
)
def submit(context: SubmissionResource, request: Request) -> Response | dict[str, Any]:
    try:
        services.submit(
            request.dbsession,
            context.submission,
            conference=context.conference,
            user=request.user,
            now=utcnow(),
        )
    except NotReady as exc:
        request.response.status = 400
        return {
            "status": 400,
            "message": " ".join(request.localizer.translate(p) for p in exc.problems),
        }
    return HTTPSeeOther(
        request.route_url("submissions.receipt", submission_id=context.submission.id)
    )


@view_config(
    route_name="submissions.withdraw",
    renderer="submissions/withdraw.jinja2",
    permission=P.SubmissionsStatus,
)
def withdraw(context: SubmissionResource, request: Request) -> Response | dict[str, Any]:
    submission = context.submission
    # Authors may withdraw at any time (also after the deadline); chairs may too.
    if not (
        request.has_permission(P.SubmissionsWrite)
        or request.user.id in context.author_ids
        or request.has_permission(P.SubmissionsManage)
    ):
        raise HTTPNotFound()
    if request.method != "POST":
        return {"submission": submission, "conference": context.conference}
    if request.POST.get("confirm") != "yes":
        request.response.status = 400
        return {
            "submission": submission,
            "conference": context.conference,
            "error": _("Tick the box to confirm that you want to withdraw."),
        }
    services.withdraw(
        request.dbsession,
        submission,
        conference=context.conference,
        user=request.user,
        now=utcnow(),
        reason=Form(request.POST).raw("reason")[:500],
    )
    _flash(request, _("The submission is withdrawn."))
    return HTTPSeeOther(request.route_url("submissions.detail", submission_id=submission.id))


@view_config(
    route_name="submissions.reopen",
    request_method="POST",
    permission=P.SubmissionsManage,
    renderer="errors/domain.jinja2",
)
def reopen(context: SubmissionResource, request: Request) -> Response | dict[str, Any]:
    form = Form(request.POST)
    local = form.local_datetime("until", required=True)
    if local is None:
        request.response.status = 400
        return {"status": 400, "message": next(iter(form.errors.values()))}
    until = timezones.from_local(local, context.conference.timezone)
    try:
        services.reopen(
            request.dbsession, context.submission, chair=request.user, until=until, now=utcnow()
        )
    except InvalidInput as exc:
        request.response.status = 400
        return {"status": 400, "message": exc.message}
    _flash(request, _("The submission is open for changes again."))
    return HTTPSeeOther(
        request.route_url("submissions.detail", submission_id=context.submission.id)
    )


@view_config(
    route_name="submissions.receipt",
    renderer="submissions/receipt.jinja2",
    permission=P.SubmissionsStatus,
)
def receipt(context: SubmissionResource, request: Request) -> dict[str, Any]:
    return {
        "submission": context.submission,
        "conference": context.conference,
        "current": context.submission.current_file,
    }


def _poster_file(context: SubmissionResource, request: Request) -> PosterFile:
    try:
        file_id = int(request.matchdict["file_id"])
    except ValueError:
        raise HTTPNotFound() from None
    poster = next((f for f in context.submission.files if f.id == file_id), None)
    if poster is None:
        raise HTTPNotFound()
    return poster


def sees_author_names(context: SubmissionResource, request: Request) -> bool:
    """Authors and chairs see names; under double-blind review everyone else does not."""
    if context.conference.blind_mode != BlindMode.double:
        return True
    user = request.user
    return user is not None and (
        user.id in context.author_ids or bool(request.has_permission(P.SubmissionsManage))
    )


def pdf_digest_for(context: SubmissionResource, request: Request, poster: PosterFile) -> str:
    """The blob to serve: the original, or under double-blind review the copy without
    author metadata (404 while that copy does not exist, never the original). Once the
    poster is published, everyone gets the original."""
    if context.public or sees_author_names(context, request):
        return poster.sha256
    if poster.blind_sha256 is None:
        raise HTTPNotFound()
    return poster.blind_sha256


@view_config(route_name="submissions.file", permission=P.SubmissionsRead)
def download(context: SubmissionResource, request: Request) -> Response:
    poster = _poster_file(context, request)
    store = blob_store(request.registry.poster_settings.upload_dir)
    digest = pdf_digest_for(context, request, poster)
    response = FileResponse(
        str(store.local_path(digest)), request=request, content_type="application/pdf"
    )
    # A neutral name: the uploaded file name may carry author names (double-blind).
    name = f"{context.conference.slug}-poster-{context.submission.number}-v{poster.id}.pdf"
    response.content_disposition = f'attachment; filename="{name}"'
    response.cache_control = "private, no-store"
    return response


@view_config(route_name="submissions.thumbnail", permission=P.SubmissionsRead)
def thumbnail(context: SubmissionResource, request: Request) -> Response:
    poster = _poster_file(context, request)
    size = request.matchdict["size"]
    digest = {"small": poster.thumb_small_sha256, "large": poster.thumb_large_sha256}.get(size)
    if digest is None:
        raise HTTPNotFound()
    store = blob_store(request.registry.poster_settings.upload_dir)
    response = FileResponse(
        str(store.local_path(digest)), request=request, content_type="image/png"
    )
    response.content_disposition = f'inline; filename="poster-{context.submission.number}.png"'
    response.cache_control = "private, max-age=3600"
    return response


@view_config(route_name="submissions.status", renderer="json", permission=P.SubmissionsStatus)
def status(context: SubmissionResource, request: Request) -> dict[str, Any]:
    """A small JSON view polled by the status page while a PDF is being checked."""
    current = context.submission.current_file
    return {
        "state": context.submission.state.value,
        "inspection": current.inspection.value if current else None,
        "file_id": current.id if current else None,
    }


@view_config(
    route_name="submissions.mine",
    renderer="submissions/mine.jinja2",
    permission=P.SubmissionsCreate,
)
def mine(context: ConferenceResource, request: Request) -> dict[str, Any]:
    return {
        "conference": context.conference,
        "submissions": services.submissions_of(
            request.dbsession, conference_id=context.conference.id, user=request.user
        ),
        "submission_open": is_open(context.conference.schedule, Action.submit, utcnow()),
    }


@view_config(
    route_name="submissions.list", renderer="submissions/list.jinja2", permission=P.SubmissionsList
)
def chair_list(context: ConferenceResource, request: Request) -> dict[str, Any]:
    rows = request.dbsession.scalars(
        select(Submission)
        .where(Submission.conference_id == context.conference.id)
        .order_by(Submission.number)
    ).all()
    return {"conference": context.conference, "submissions": rows}
