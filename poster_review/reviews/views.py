"""Reviewer and judge pages: the dashboard, the scoring page and its autosave API."""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from poster_review.assignment import services as assignment_services
from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.conferences.models import BlindMode
from poster_review.conferences.phases import is_open
from poster_review.db import utcnow
from poster_review.errors import PhaseClosed
from poster_review.i18n import _
from poster_review.permissions import Permission as P
from poster_review.resources import AssignmentResource, ConferenceResource
from poster_review.reviews import rubric as rubrics
from poster_review.reviews import services
from poster_review.reviews.errors import ReviewIncomplete, StaleReview
from poster_review.reviews.models import Review, ReviewState
from poster_review.submissions.models import Submission


def _round(request: Request) -> ReviewRound:
    return ReviewRound.judging if request.params.get("round") == "judging" else ReviewRound.review


@view_config(route_name="reviews.mine", renderer="reviews/mine.jinja2", permission=P.DashboardView)
def mine(context: ConferenceResource, request: Request) -> dict[str, Any]:
    conference = context.conference
    round_ = _round(request)
    rows = request.dbsession.execute(
        select(Assignment, Submission, Review)
        .join(Submission, Submission.id == Assignment.submission_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(
            Assignment.conference_id == conference.id,
            Assignment.reviewer_id == request.user.id,
            Assignment.round == round_,
        )
        .order_by(Submission.number)
    ).all()
    done = sum(1 for _a, _s, r in rows if r is not None and r.state == ReviewState.submitted)
    next_row = next(
        (
            row
            for row in rows
            if row[2] is None
            or (row[2].state != ReviewState.submitted and not row[2].presenter_absent)
        ),
        None,
    )
    action = services.ROUND_ACTION[round_]
    return {
        "conference": conference,
        "rows": rows,
        "round": round_,
        "done": done,
        "next_row": next_row,
        "open": is_open(conference.schedule, action, utcnow()),
        "deadline": conference.reviews_close_at
        if round_ == ReviewRound.review
        else conference.session_ends_at,
    }


def _page(
    context: AssignmentResource, request: Request, review: Review, **extra: Any
) -> dict[str, Any]:
    rubric = services.rubric_of(request.dbsession, review)
    submission = context.submission
    current = submission.current_file
    return {
        "conference": context.conference,
        "submission": submission,
        "current": current,
        "assignment": context.assignment,
        "review": review,
        "rubric": rubric,
        "show_authors": context.conference.blind_mode != BlindMode.double,
        "open": is_open(
            context.conference.schedule, services.ROUND_ACTION[context.assignment.round], utcnow()
        ),
        "judging": context.assignment.round == ReviewRound.judging,
        "others": others_visible(request, context, review),
        "errors": {},
        "values": None,
        "stale": None,
        **extra,
    }


def others_visible(request: Request, context: AssignmentResource, review: Review) -> list[Any]:
    """Fellow reviewers' submitted reviews of this poster: shown only after one's own is
    submitted, and only when the chairs allow it (never before: no anchoring)."""
    if review.state != ReviewState.submitted or not context.conference.reviewers_see_others:
        return []
    rows = request.dbsession.scalars(
        select(Review)
        .join(Assignment, Assignment.id == Review.assignment_id)
        .where(
            Assignment.submission_id == context.submission.id,
            Assignment.round == context.assignment.round,
            Review.id != review.id,
            Review.state == ReviewState.submitted,
        )
        .order_by(Review.id)
    ).all()
    return [(chr(ord("A") + i), other) for i, other in enumerate(rows)]


@view_config(route_name="reviews.edit", renderer="reviews/edit.jinja2", permission=P.ReviewsWrite)
def edit(context: AssignmentResource, request: Request) -> Response | dict[str, Any]:
    review = services.review_for(
        request.dbsession, context.assignment, utcnow(), create=request.method == "POST"
    )
    if request.method != "POST":
        return _page(context, request, review)
    rubric = services.rubric_of(request.dbsession, review)
    sheet, errors = rubrics.parse_sheet(rubric, request.POST)
    values = {"scores": sheet.scores, "texts": sheet.texts, "confidence": sheet.confidence}
    if errors:
        request.response.status = 400
        return _page(context, request, review, errors=errors, values=values)
    try:
        base = int(request.POST.get("revision", "-1"))
    except ValueError:
        base = -1
    try:
        services.save_review(
            request.dbsession,
            review,
            conference=context.conference,
            base_revision=base,
            sheet=sheet,
            submit=request.POST.get("action") == "submit",
            now=utcnow(),
            client_label="form",
            presenter_absent=request.POST.get("presenter_absent") == "1"
            if context.assignment.round == ReviewRound.judging
            else None,
        )
    except StaleReview as exc:
        # Both versions are shown; nothing is overwritten and nothing typed is lost.
        request.response.status = 409
        return _page(context, request, review, values=values, stale=exc.message)
    except ReviewIncomplete as exc:
        request.response.status = 400
        return _page(context, request, review, values=values, errors={"submit": exc.message})
    request.session.flash(
        request.localizer.translate(
            _("Review submitted. Thank you.")
            if review.state == ReviewState.submitted and request.POST.get("action") == "submit"
            else _("Saved.")
        ),
        "success",
    )
    return HTTPSeeOther(
        request.route_url(
            "reviews.mine",
            slug=context.conference.slug,
            _query={"round": context.assignment.round.value},
        )
    )


@view_config(
    route_name="reviews.autosave", request_method="POST", renderer="json", permission=P.ReviewsWrite
)
def autosave(context: AssignmentResource, request: Request) -> dict[str, Any]:
    """JSON autosave: {revision, scores, texts, confidence, submit?, client?}.

    200 with the new snapshot; 409 with the server's snapshot when the base revision is
    old; 400 with field errors; 409 with a sentence after the deadline.
    """
    try:
        body = request.json_body
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("revision"), int):
        request.response.status = 400
        return {"error": request.localizer.translate(_("The request was not understood."))}
    now = utcnow()
    review = services.review_for(request.dbsession, context.assignment, now)
    rubric = services.rubric_of(request.dbsession, review)
    sheet, errors = rubrics.parse_sheet(rubric, body)
    if errors:
        request.response.status = 400
        return {"errors": {k: request.localizer.translate(v) for k, v in errors.items()}}
    absent = body.get("presenter_absent")
    try:
        services.save_review(
            request.dbsession,
            review,
            conference=context.conference,
            base_revision=body["revision"],
            sheet=sheet,
            submit=body.get("submit") is True,
            now=now,
            client_label=str(body.get("client", ""))[:40],
            presenter_absent=absent if isinstance(absent, bool) else None,
        )
    except StaleReview as exc:
        request.response.status = 409
        return {"error": request.localizer.translate(exc.message), "server": exc.current or None}
    except ReviewIncomplete as exc:
        request.response.status = 400
        return {"error": request.localizer.translate(exc.message), "missing": exc.missing}
    except PhaseClosed as exc:
        request.response.status = 409
        return {"error": request.localizer.translate(exc.message), "closed": True}
    return services.snapshot(review)


@view_config(route_name="reviews.state", renderer="json", permission=P.ReviewsRead)
def state(context: AssignmentResource, request: Request) -> dict[str, Any]:
    review = request.dbsession.scalars(
        select(Review).where(Review.assignment_id == context.assignment.id)
    ).one_or_none()
    if review is None:
        return {
            "revision": 0,
            "scores": {},
            "texts": {},
            "confidence": None,
            "state": "draft",
            "total": None,
            "presenter_absent": False,
            "saved_at": None,
            "client": "",
        }
    return services.snapshot(review)


@view_config(route_name="reviews.conflict", request_method="POST", permission=P.ReviewsWrite)
def declare_conflict(context: AssignmentResource, request: Request) -> Response:
    """ "I have a conflict": the assignment goes, the chairs see the poster needs someone."""
    slug = context.conference.slug
    assignment_services.declare_conflict(
        request.dbsession,
        submission=context.submission,
        user=request.user,
        now=utcnow(),
        reason=request.POST.get("reason", ""),
    )
    request.session.flash(
        request.localizer.translate(
            _(
                "Recorded. You will not see this poster or its reviews again; the chairs will find "
                "another reviewer."
            )
        ),
        "success",
    )
    return HTTPSeeOther(
        request.route_url(
            "reviews.mine", slug=slug, _query={"round": context.assignment.round.value}
        )
    )


def _definition_from_form(data: Any) -> dict[str, Any]:
    """Rubric JSON from the editor: rows criteria-<i>-<field> and fields-<i>-<field>."""
    criteria, fields = [], []
    for i in range(40):
        key = (data.get(f"criteria-{i}-key") or "").strip()
        if not key:
            continue
        levels: dict[str, str] = {}
        for line in (data.get(f"criteria-{i}-levels") or "").splitlines():
            level, _sep, text = line.partition(":")
            if level.strip().lstrip("-").isdigit() and text.strip():
                levels[level.strip()] = text.strip()
        criteria.append(
            {
                "key": key,
                "name": (data.get(f"criteria-{i}-name") or key).strip(),
                "description": (data.get(f"criteria-{i}-description") or "").strip(),
                "weight": _number(data.get(f"criteria-{i}-weight"), 0.0),
                "scale_min": int(_number(data.get(f"criteria-{i}-scale_min"), 1)),
                "scale_max": int(_number(data.get(f"criteria-{i}-scale_max"), 5)),
                "required": data.get(f"criteria-{i}-required") == "1",
                "levels": levels,
            }
        )
    for i in range(10):
        key = (data.get(f"fields-{i}-key") or "").strip()
        if not key:
            continue
        visibility = data.get(f"fields-{i}-visibility")
        fields.append(
            {
                "key": key,
                "label": (data.get(f"fields-{i}-label") or key).strip(),
                "visibility": visibility if visibility in ("authors", "committee") else "committee",
                "required": data.get(f"fields-{i}-required") == "1",
            }
        )
    return {
        "name": (data.get("name") or "").strip() or "Rubric",
        "confidence": data.get("confidence") == "1",
        "criteria": criteria,
        "text_fields": fields,
    }


def _number(raw: Any, default: float) -> float:
    try:
        return float(str(raw).strip().replace(",", "."))
    except ValueError:
        return default


@view_config(
    route_name="reviews.rubric", renderer="reviews/rubric.jinja2", permission=P.ConferenceManage
)
def rubric_editor(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    """The chair's rubric per round. Once a score uses a version, saving makes a new one:
    reviews keep the version they were scored with."""
    conference = context.conference
    round_ = (
        ReviewRound.judging if request.matchdict["round"] == "judging" else (ReviewRound.review)
    )
    current = services.current_rubric(
        request.dbsession, conference.id, round_, create=request.method == "POST"
    )
    locked = services.is_locked(request.dbsession, current)
    page: dict[str, Any] = {
        "conference": conference,
        "round": round_,
        "version": current,
        "locked": locked,
        "definition": current.definition,
        "problems": [],
    }
    if request.method != "POST":
        return page
    definition = _definition_from_form(request.POST)
    try:
        saved = services.save_rubric(
            request.dbsession,
            conference_id=conference.id,
            round_=round_,
            definition=definition,
            by_id=request.user.id,
            now=utcnow(),
        )
    except rubrics.RubricError as exc:
        request.response.status = 400
        page.update(definition=definition, problems=exc.problems)
        return page
    request.session.flash(
        request.localizer.translate(
            _(
                "Saved as version ${n}; earlier reviews keep their version.",
                mapping={"n": saved.version},
            )
            if saved.id != current.id
            else _("Rubric saved.")
        ),
        "success",
    )
    return HTTPSeeOther(request.path)
