"""Chair pages for mail: edit templates, preview and send batches, watch the outbox."""

from __future__ import annotations

import secrets
from typing import Any

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from poster_review.awards.models import Outcome
from poster_review.db import utcnow
from poster_review.errors import InvalidInput
from poster_review.forms import Form
from poster_review.i18n import _
from poster_review.notifications import services, templating
from poster_review.notifications.models import OutboxState
from poster_review.permissions import Permission as P
from poster_review.resources import ConferenceResource
from poster_review.submissions.models import Submission

#: Batches a chair can send from the browser, with the function that lists recipients.
SENDABLE = (
    "decision_accept",
    "decision_accept_with_revisions",
    "decision_waitlist",
    "decision_reject",
    "feedback_released",
    "assignment_made",
    "review_reminder",
)


def _flash(request: Request, message: str, queue: str = "success") -> None:
    request.session.flash(request.localizer.translate(message), queue)


def mark_decisions_told(
    dbsession: Any, conference: Any, event: str, submission_ids: set[str], now: Any
) -> None:
    """Decisions mailed from a batch are released and not mailed again at release."""
    from sqlalchemy import select

    from poster_review.awards.models import Decision

    if conference.decisions_at is None or conference.decisions_at > now:
        conference.decisions_at = now
    outcome = Outcome(event.removeprefix("decision_"))
    for decision in dbsession.scalars(
        select(Decision).where(
            Decision.conference_id == conference.id,
            Decision.outcome == outcome,
            Decision.notified_at.is_(None),
        )
    ):
        if str(decision.submission_id) in submission_ids:
            decision.notified_at = now


def _drafts(request: Request, conference: Any, event: str) -> list[services.Draft]:
    dbsession = request.dbsession
    public_url = request.registry.poster_settings.public_url
    if event.startswith("decision_"):
        outcome = Outcome(event.removeprefix("decision_"))
        return services.decision_drafts(dbsession, conference, outcome)
    if event == "feedback_released":
        return services.feedback_drafts(dbsession, conference, public_url=public_url)
    if event == "assignment_made":
        return services.assignment_drafts(dbsession, conference, public_url=public_url)
    return services.reminder_drafts(dbsession, conference, public_url=public_url)


@view_config(
    route_name="mail.index", renderer="notifications/index.jinja2", permission=P.MailManage
)
def index(context: ConferenceResource, request: Request) -> dict[str, Any]:
    conference = context.conference
    locales = services.mail_locales(conference)
    events = []
    for event in services.editable_events():
        customised = {
            loc: services.find_template(request.dbsession, conference.id, event.name, loc)
            is not None
            for loc in locales
        }
        events.append((event, customised))
    return {
        "conference": conference,
        "events": events,
        "locales": locales,
        "counts": services.outbox_counts(request.dbsession, conference.id),
        "sendable": SENDABLE,
    }


@view_config(
    route_name="mail.template", renderer="notifications/template.jinja2", permission=P.MailManage
)
def template(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    event, locale = request.matchdict["event"], request.matchdict["locale"]
    try:
        current = services.editable_template(request.dbsession, conference, event, locale)
    except (templating.UnknownEvent, InvalidInput):
        raise HTTPNotFound() from None
    page: dict[str, Any] = {
        "conference": conference,
        "current": current,
        "subject": current.subject,
        "body": current.body,
        "problems": [],
        "preview": None,
    }
    if request.method != "POST":
        return page
    action = request.POST.get("action")
    form = Form(request.POST)  # a file sent for the subject or body reads as empty text
    # NUL cannot be stored (PostgreSQL) nor mean anything in a mail.
    subject, body = form.raw("subject").replace("\x00", ""), form.raw("body").replace("\x00", "")
    page.update(subject=subject, body=body)
    if action == "reset":
        services.reset_template(
            request.dbsession, conference=conference, event=event, locale=locale
        )
        _flash(request, _("The default text is back."))
        return HTTPSeeOther(request.path)
    problems = templating.validate(event, subject, body, locale)
    if not problems and action == "preview":
        try:
            page["preview"] = templating.render(
                event, subject, body, current.event.example_context(), locale
            )
        except templating.RenderError as exc:
            problems = [templating.Problem("body", exc.line, exc.message)]
    elif not problems:
        problems = services.save_template(
            request.dbsession,
            conference=conference,
            event=event,
            locale=locale,
            subject=subject,
            body=body,
            user_id=request.user.id,
            now=utcnow(),
        )
        if not problems:
            _flash(request, _("Template saved."))
            return HTTPSeeOther(request.path)
    page["problems"] = problems
    if problems:
        request.response.status = 400
    return page


@view_config(route_name="mail.send", renderer="notifications/send.jinja2", permission=P.MailManage)
def send(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    event = request.matchdict["event"]
    if event not in SENDABLE:
        raise HTTPNotFound()
    drafts = _drafts(request, conference, event)
    track = request.params.get("track", "")
    if not isinstance(track, str):
        track = ""
    numeric = track.isascii() and track.isdigit()
    if numeric and (event.startswith("decision_") or event == "feedback_released"):
        # "Authors of accepted posters in track X": author drafts are keyed s<id>-a<id>.
        track_id = int(track) if len(track) < 10 else -1  # too long for an id: no track
        in_track = {
            str(i)
            for i in request.dbsession.scalars(
                select(Submission.id).where(
                    Submission.conference_id == conference.id, Submission.track_id == track_id
                )
            )
        }
        drafts = [d for d in drafts if d.key.split("-")[0].removeprefix("s") in in_track]
    page: dict[str, Any] = {
        "conference": conference,
        "tracks": conference.tracks,
        "track": track,
        "event": templating.get_event(event),
        "previews": services.preview(request.dbsession, conference, event, drafts),
        "batch": secrets.token_hex(8),
        "error": None,
    }
    if request.method != "POST":
        return page
    action = request.POST.get("action")
    chosen = set(request.POST.getall("include"))
    exclude = {d.key for d in drafts if d.key not in chosen}
    try:
        if action == "test":
            first = next((d for d in drafts if d.key not in exclude), None)
            if first is None:
                raise InvalidInput(_("Choose at least one recipient."))
            services.send_test(
                request.dbsession,
                conference=conference,
                event=event,
                draft=first,
                chair=request.user,
                now=utcnow(),
            )
            _flash(request, _("A test message is on its way to you."))
            return HTTPSeeOther(request.path)
        batch = Form(request.POST).raw("batch").replace("\x00", "")[:32] or secrets.token_hex(8)
        queued = services.send_drafts(
            request.dbsession,
            conference=conference,
            event=event,
            drafts=drafts,
            batch=batch,
            now=utcnow(),
            exclude=exclude,
        )
    except InvalidInput as exc:
        page["error"] = exc.message
        request.response.status = 400
        return page
    if event.startswith("decision_"):
        # Told through this batch: release decisions and do not tell them again later.
        told = {d.key.split("-")[0].removeprefix("s") for d in drafts if d.key not in exclude}
        mark_decisions_told(request.dbsession, conference, event, told, utcnow())
    _flash(request, _("${n} messages queued.", mapping={"n": len(queued)}))
    return HTTPSeeOther(request.route_url("mail.outbox", slug=conference.slug))


@view_config(
    route_name="mail.outbox", renderer="notifications/outbox.jinja2", permission=P.MailManage
)
def outbox(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    if request.method == "POST":
        form = Form(request.POST)
        message_id = form.integer("message_id", minimum=1, maximum=2**31 - 1)
        try:
            if not form.ok:
                raise InvalidInput(_("There is no such message in this conference."))
            services.resend(
                request.dbsession,
                conference_id=conference.id,
                message_id=message_id,
                now=utcnow(),
            )
            _flash(request, _("The message is queued again."))
        except InvalidInput:
            _flash(request, _("This message cannot be sent again."), "")
        return HTTPSeeOther(request.url)
    state = request.params.get("state", "")
    states = [OutboxState(state)] if state in OutboxState.__members__ else []
    email = request.params.get("email", "").strip()
    messages = (
        services.person_log(request.dbsession, conference.id, email=email)
        if email
        else services.outbox_messages(request.dbsession, conference.id, states=states)
    )
    return {
        "conference": conference,
        "messages": messages,
        "state": state,
        "email": email,
        "counts": services.outbox_counts(request.dbsession, conference.id),
        "states": [s.value for s in OutboxState],
    }
