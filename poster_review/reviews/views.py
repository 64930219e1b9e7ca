"""Reviewer and judge pages: the dashboard, the scoring page and its autosave API."""

from __future__ import annotations

import math
from typing import Any

from babel import Locale, UnknownLocaleError
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from poster_review import i18n
from poster_review.assignment import services as assignment_services
from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.conferences.models import BlindMode, Conference
from poster_review.conferences.phases import is_open
from poster_review.db import utcnow
from poster_review.errors import PhaseClosed
from poster_review.forms import Form
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
    # Worded in the reviewer's language where the chairs translated it, else the base.
    rubric = services.rubric_of(request.dbsession, review, request.locale_name)
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
    except (TypeError, ValueError):  # not a number, or a file
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
            locale=request.locale_name,
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
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
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
            client_label=str(body.get("client", "")).replace("\x00", "")[:40],
            presenter_absent=absent if isinstance(absent, bool) else None,
            locale=request.locale_name,
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
        reason=Form(request.POST).raw("reason").replace("\x00", ""),  # PostgreSQL refuses NUL
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


def _levels(raw: str | None) -> dict[str, str]:
    """Anchored levels from a textarea, one "<level>: <text>" per line."""
    levels: dict[str, str] = {}
    for line in (raw or "").splitlines():
        level, _sep, text = line.partition(":")
        digits = level.strip().lstrip("-")
        if digits.isascii() and digits.isdigit() and text.strip():  # not "²": int() refuses it
            levels[level.strip()] = text.strip()
    return levels


def _definition_from_form(data: Any, locales: list[str]) -> dict[str, Any]:
    """Rubric JSON from the editor: rows criteria-<i>-<field> and fields-<i>-<field>,
    and per locale tr-<locale>-name, tr-<locale>-c<i>-<field>, tr-<locale>-t<i>-<field>.
    A translation row belongs to the criterion or field of the same row number, so a
    key renamed in the same save keeps its translations."""
    criteria, fields = [], []
    criterion_rows: list[tuple[int, str]] = []
    field_rows: list[tuple[int, str]] = []
    for i in range(40):
        key = (data.get(f"criteria-{i}-key") or "").strip()
        if not key:
            continue
        criterion_rows.append((i, key))
        criteria.append(
            {
                "key": key,
                "name": (data.get(f"criteria-{i}-name") or key).strip(),
                "description": (data.get(f"criteria-{i}-description") or "").strip(),
                "weight": _number(data.get(f"criteria-{i}-weight"), 0.0),
                "scale_min": int(_number(data.get(f"criteria-{i}-scale_min"), 1)),
                "scale_max": int(_number(data.get(f"criteria-{i}-scale_max"), 5)),
                "required": data.get(f"criteria-{i}-required") == "1",
                "levels": _levels(data.get(f"criteria-{i}-levels")),
            }
        )
    for i in range(10):
        key = (data.get(f"fields-{i}-key") or "").strip()
        if not key:
            continue
        field_rows.append((i, key))
        visibility = data.get(f"fields-{i}-visibility")
        fields.append(
            {
                "key": key,
                "label": (data.get(f"fields-{i}-label") or key).strip(),
                "visibility": visibility if visibility in ("authors", "committee") else "committee",
                "required": data.get(f"fields-{i}-required") == "1",
                "help": (data.get(f"fields-{i}-help") or "").strip(),
            }
        )
    translations: dict[str, Any] = {}
    for locale in locales:
        prefix = f"tr-{locale}-"
        words: dict[str, Any] = {
            "name": (data.get(prefix + "name") or "").strip(),
            "criteria": {
                key: {
                    "name": (data.get(f"{prefix}c{i}-name") or "").strip(),
                    "description": (data.get(f"{prefix}c{i}-description") or "").strip(),
                    "levels": _levels(data.get(f"{prefix}c{i}-levels")),
                }
                for i, key in criterion_rows
            },
            "text_fields": {
                key: {
                    "label": (data.get(f"{prefix}t{i}-label") or "").strip(),
                    "help": (data.get(f"{prefix}t{i}-help") or "").strip(),
                }
                for i, key in field_rows
            },
        }
        translations[locale] = words
    definition: dict[str, Any] = {
        "name": (data.get("name") or "").strip() or "Rubric",
        "confidence": data.get("confidence") == "1",
        "criteria": criteria,
        "text_fields": fields,
    }
    # Stored the way as_json writes it: blank texts dropped, no empty translation.
    stored = rubrics.as_json(
        rubrics.Rubric(
            name="",
            criteria=(),
            translations=rubrics.translations_from_json(translations),
        )
    )
    if "translations" in stored:
        definition["translations"] = stored["translations"]
    return definition


def _translation_locales(conference: Conference, definition: dict[str, Any]) -> list[str]:
    """The languages the editor offers: the conference's, and any the rubric already
    has a translation for, but not the base (the conference's default language)."""
    codes = [*conference.language_list, *sorted(definition.get("translations") or {})]
    return [code for code in dict.fromkeys(codes) if code != conference.default_locale]


def _language_name(code: str, in_locale: str) -> str:
    try:
        return str(Locale.parse(code).get_display_name(in_locale) or code)
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def _number(raw: Any, default: float) -> float:
    try:
        number = float(str(raw).strip().replace(",", "."))
    except ValueError:
        return default
    return number if math.isfinite(number) else default  # "1e999", "nan"


@view_config(
    route_name="reviews.rubric", renderer="reviews/rubric.jinja2", permission=P.ConferenceManage
)
def rubric_editor(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    """The chair's rubric per round. Once a score uses a version, saving makes a new one:
    reviews keep the version they were scored with. Translations of the wording are
    the exception: they are saved in place (see services.save_rubric)."""
    conference = context.conference
    round_ = (
        ReviewRound.judging if request.matchdict["round"] == "judging" else (ReviewRound.review)
    )
    current = services.current_rubric(
        request.dbsession, conference.id, round_, create=request.method == "POST"
    )
    locked = services.is_locked(request.dbsession, current)
    locales = _translation_locales(conference, current.definition)
    page: dict[str, Any] = {
        "conference": conference,
        "round": round_,
        "version": current,
        "locked": locked,
        "definition": current.definition,
        "problems": [],
        "languages": [
            (code, _language_name(code, request.locale_name), code in i18n.AVAILABLE_LOCALES)
            for code in locales
        ],
        "base_language": _language_name(conference.default_locale, request.locale_name),
    }
    if request.method != "POST":
        return page
    # Text fields only: a file sent for one of them reads as an empty field.
    texts = {k: v for k, v in request.POST.items() if isinstance(v, str)}
    definition = _definition_from_form(texts, locales)
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
            else _(
                "Saved. Only the translations differ, so reviews keep using version ${n}.",
                mapping={"n": saved.version},
            )
            if locked
            else _("Rubric saved.")
        ),
        "success",
    )
    return HTTPSeeOther(request.path)
