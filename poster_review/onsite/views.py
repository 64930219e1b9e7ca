"""At the poster session: judges' sign-in links, board QR codes and printable labels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import segno
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED, remember
from pyramid.view import view_config
from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from poster_review.accounts import services as account_services
from poster_review.accounts.errors import InvalidToken
from poster_review.accounts.models import Membership, Role, TokenPurpose, User
from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.db import utcnow
from poster_review.forms import Form
from poster_review.i18n import _
from poster_review.onsite import services as onsite_services
from poster_review.onsite.labels import Label, render_labels
from poster_review.permissions import Permission as P
from poster_review.resources import ConferenceResource
from poster_review.submissions.models import Submission, SubmissionState


def board_label(submission: Submission, boards: Mapping[int, str] | None = None) -> str:
    """The board a poster hangs on once boards are planned; until then, its poster number.
    Pages listing many posters pass ``boards`` from :func:`onsite_services.board_numbers`
    (one query for all of them)."""
    if boards is None:
        dbsession = object_session(submission)
        boards = (
            {} if dbsession is None else onsite_services.board_numbers(dbsession, [submission.id])
        )
    return boards.get(submission.id) or str(submission.number)


@view_config(
    route_name="onsite.judges", renderer="onsite/judges.jinja2", permission=P.ConferenceManage
)
def judges(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    rows = request.dbsession.execute(
        select(User, func.count(Assignment.id))
        .join(
            Membership,
            (Membership.user_id == User.id)
            & (Membership.conference_id == conference.id)
            & (Membership.role == Role.judge),
        )
        .outerjoin(
            Assignment,
            (Assignment.reviewer_id == User.id)
            & (Assignment.conference_id == conference.id)
            & (Assignment.round == ReviewRound.judging),
        )
        .group_by(User.id)
        .order_by(User.name)
    ).all()
    page: dict[str, Any] = {"conference": conference, "rows": rows, "qr": None, "shown": None}
    if request.method != "POST":
        return page
    form = Form(request.POST)
    user_id = form.integer("user_id", minimum=1, maximum=2**31 - 1)
    judge = next((u for u, _n in rows if u.id == user_id), None)
    if judge is None:
        raise HTTPNotFound()
    send = request.POST.get("action") == "send"
    url = account_services.issue_magic_link(
        request.dbsession,
        request.registry.poster_settings,
        user=judge,
        conference=conference,
        now=utcnow(),
        send=send,
    )
    if send:
        request.session.flash(
            request.localizer.translate(
                _("A sign-in link was sent to ${name}.", mapping={"name": judge.name})
            ),
            "success",
        )
        return HTTPSeeOther(request.route_url("onsite.judges", slug=conference.slug))
    # Shown once, to be scanned from the chair's screen by the judge's phone.
    page["qr"] = segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    page["shown"] = judge
    request.response.cache_control = "no-store"
    return page


@view_config(
    route_name="onsite.magic", renderer="onsite/magic.jinja2", permission=NO_PERMISSION_REQUIRED
)
def magic(request: Request) -> Response | dict[str, Any]:
    raw = request.matchdict["token"]
    now = utcnow()
    try:
        token = account_services.peek_token(request.dbsession, raw, TokenPurpose.magic_link, now)
    except InvalidToken as exc:
        request.response.status = 400
        return {"invalid": exc.message, "user": None}
    if request.method != "POST":
        # A button, not an automatic sign-in: link previews must not use the token up.
        return {"invalid": None, "user": token.user}
    token = account_services.use_magic_link(request.dbsession, raw, now)
    assert token.user is not None  # noqa: S101 - checked by use_magic_link
    headers = remember(request, token.user.id)
    target = request.route_url("accounts.dashboard")
    if token.conference_id is not None:
        from poster_review.conferences.models import Conference

        conference = request.dbsession.get_one(Conference, token.conference_id)
        target = request.route_url(
            "reviews.mine", slug=conference.slug, _query={"round": "judging"}
        )
    return HTTPSeeOther(target, headers=headers)


@view_config(route_name="onsite.board", renderer="onsite/board.jinja2", permission=P.DashboardView)
def board(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    """Where a label's QR code leads: the scanning judge's page for that poster."""
    conference = context.conference
    try:
        number = int(request.matchdict["number"])
    except ValueError:
        raise HTTPNotFound() from None
    submission = request.dbsession.scalars(
        select(Submission).where(
            Submission.conference_id == conference.id, Submission.number == number
        )
    ).one_or_none()
    if submission is None:
        raise HTTPNotFound()
    mine = sorted(
        request.dbsession.scalars(
            select(Assignment).where(
                Assignment.submission_id == submission.id, Assignment.reviewer_id == request.user.id
            )
        ),
        key=lambda a: a.round != ReviewRound.judging,  # at the board, judging comes first
    )
    if mine:
        return HTTPSeeOther(request.route_url("reviews.edit", assignment_id=mine[0].id))
    request.response.status = 404
    return {"conference": conference, "number": number}


@view_config(route_name="onsite.labels", permission=P.ConferenceManage)
def labels(context: ConferenceResource, request: Request) -> Response:
    conference = context.conference
    size = request.params.get("size", "a6")
    if size not in ("a6", "a5"):
        size = "a6"
    posters = request.dbsession.scalars(
        select(Submission)
        .where(
            Submission.conference_id == conference.id, Submission.state == SubmissionState.submitted
        )
        .order_by(Submission.number)
    ).all()
    boards = onsite_services.board_numbers(request.dbsession, [s.id for s in posters])
    items = [
        Label(
            board=board_label(s, boards),
            title=s.title,
            poster_number=s.number,
            url=request.route_url("onsite.board", slug=conference.slug, number=s.number),
        )
        for s in posters
    ]
    translate = request.localizer.translate
    body = render_labels(
        items,
        conference.name,
        size=size,
        font_path=label_font(),
        poster_word=translate(_("Poster")),
        scan_hint=translate(_("Scan to judge this poster")),
    )
    response = Response(body=body, content_type="application/pdf")
    response.content_disposition = f'attachment; filename="{conference.slug}-labels-{size}.pdf"'
    return response


def label_font() -> str | None:
    """A TrueType font with Cyrillic and accents when the machine has one (DejaVu)."""
    from poster_review.demo.posters import find_unicode_fonts

    found = find_unicode_fonts()
    return str(found[0]) if found else None
