"""Conference pages: the public home, the chair's settings, tracks and members."""

from __future__ import annotations

from typing import Any

from babel import Locale
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from poster_review.accounts import services as account_services
from poster_review.accounts.models import Membership, Role, User
from poster_review.conferences import services, timezones
from poster_review.conferences.models import SCHEDULE_FIELDS, BlindMode
from poster_review.conferences.phases import Action, Schedule, check_order, is_open, milestones
from poster_review.db import utcnow
from poster_review.errors import InvalidInput
from poster_review.forms import Form
from poster_review.i18n import AVAILABLE_LOCALES, _
from poster_review.permissions import Permission as P
from poster_review.resources import ConferenceResource
from poster_review.units import MB

#: Languages a poster may be presented in: the seven official languages of the reference
#: congress and other common ones (Kazakh for Astana). Independent of interface catalogues.
POSTER_LANGUAGES = (
    "en",
    "fr",
    "es",
    "de",
    "ru",
    "ar",
    "zh",
    "kk",
    "pt",
    "it",
    "ja",
    "ko",
    "tr",
    "uk",
    "pl",
    "nl",
    "sv",
    "fa",
    "hi",
    "id",
)

SCHEDULE_LABELS = {
    "call_opens_at": _("Call for posters opens"),
    "submission_deadline_at": _("Submission deadline"),
    "bidding_open_at": _("Reviewer bidding opens"),
    "reviews_open_at": _("Review period starts"),
    "reviews_close_at": _("Review period ends"),
    "decisions_at": _("Decisions released"),
    "final_version_due_at": _("Final version due"),
    "session_starts_at": _("Poster session starts"),
    "session_ends_at": _("Poster session ends"),
    "awards_published_at": _("Awards published"),
}


@view_config(
    route_name="conferences.detail",
    renderer="conferences/detail.jinja2",
    permission=P.ConferenceView,
)
def detail(context: ConferenceResource, request: Request) -> dict[str, Any]:
    conference = context.conference
    now = utcnow()
    return {
        "conference": conference,
        "milestones": milestones(conference.schedule),
        "submission_open": is_open(conference.schedule, Action.submit, now),
        "now": now,
    }


def _settings_values(conference: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        key: getattr(conference, key)
        for key in (
            "name",
            "short_name",
            "venue",
            "description",
            "timezone",
            "default_locale",
            "contact_email",
            "grace_minutes",
            "poster_max_mb",
            "poster_max_pages",
            "poster_width_mm",
            "poster_height_mm",
            "licences",
        )
    }
    values["blind_mode"] = conference.blind_mode.value
    values["reviewers_see_others"] = conference.reviewers_see_others
    values["languages"] = conference.language_list
    for key in SCHEDULE_FIELDS:
        instant = getattr(conference, key)
        values[key] = (
            ""
            if instant is None
            else timezones.local(instant, conference.timezone).strftime("%Y-%m-%dT%H:%M")
        )
    values["version"] = conference.version
    return values


@view_config(
    route_name="conferences.settings",
    renderer="conferences/settings.jinja2",
    permission=P.ConferenceManage,
)
def settings_view(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    form = Form(request.POST)
    page: dict[str, Any] = {
        "conference": conference,
        "form": form,
        "labels": SCHEDULE_LABELS,
        "locales": AVAILABLE_LOCALES,
        "poster_languages": [
            (code, Locale.parse(code).get_display_name(request.locale_name))
            for code in POSTER_LANGUAGES
        ],
        "blind_modes": [m.value for m in BlindMode],
    }
    if request.method != "POST":
        form.values.update(_settings_values(conference))
        return page
    values: dict[str, Any] = {
        "name": form.text("name", required=True, max_length=300),
        "short_name": form.text("short_name", max_length=60),
        "venue": form.text("venue", max_length=300),
        "description": form.text("description", max_length=5000),
        "default_locale": form.choice("default_locale", list(AVAILABLE_LOCALES)),
        "blind_mode": form.choice("blind_mode", [m.value for m in BlindMode], default="double"),
        "contact_email": form.email("contact_email", required=False),
        "grace_minutes": form.integer("grace_minutes", minimum=0, maximum=10080, default=0),
        "poster_max_mb": form.integer(
            "poster_max_mb",
            minimum=1,
            maximum=request.registry.poster_settings.max_upload_bytes // MB,
            default=50,
        ),
        "poster_max_pages": form.integer("poster_max_pages", minimum=1, maximum=50, default=1),
        "poster_width_mm": form.integer("poster_width_mm", minimum=50, maximum=5000, default=841),
        "poster_height_mm": form.integer(
            "poster_height_mm", minimum=50, maximum=5000, default=1189
        ),
    }
    values["reviewers_see_others"] = request.POST.get("reviewers_see_others") == "1"
    form.values["reviewers_see_others"] = values["reviewers_see_others"]
    licences = form.text("licences", required=True, max_length=300).split()
    if any(len(code) > 40 for code in licences):
        form.errors["licences"] = _("Licence codes are short identifiers such as CC-BY-4.0.")
    values["licences"] = " ".join(dict.fromkeys(licences))
    languages = [code for code in request.POST.getall("languages") if code in POSTER_LANGUAGES]
    form.values["languages"] = languages
    if not languages:
        form.errors["languages"] = _("Choose at least one language.")
    values["languages"] = " ".join(languages)
    zone = timezones.normalise_zone(form.raw("timezone"))
    form.values["timezone"] = form.raw("timezone")
    if zone is None:
        form.errors["timezone"] = _(
            "Unknown time zone. Use a name like Asia/Almaty, or AoE for Anywhere on Earth."
        )
    values["timezone"] = zone
    for key in SCHEDULE_FIELDS:
        local = form.local_datetime(key)
        values[key] = None if local is None or zone is None else timezones.from_local(local, zone)
    if form.ok:
        schedule = Schedule(
            **{k: values[k] for k in SCHEDULE_FIELDS}, grace_minutes=values["grace_minutes"]
        )
        for field_name, message in check_order(schedule):
            form.errors[field_name] = message
    version = form.integer("version", minimum=1, maximum=2**31 - 1)
    if not form.ok:
        request.response.status = 400
        return page
    values["blind_mode"] = BlindMode(values["blind_mode"])
    services.update_settings(request.dbsession, conference, expected_version=version, values=values)
    request.session.flash(request.localizer.translate(_("Settings saved.")), "success")
    return HTTPSeeOther(request.route_url("conferences.settings", slug=conference.slug))


@view_config(
    route_name="conferences.tracks",
    renderer="conferences/tracks.jinja2",
    permission=P.ConferenceManage,
)
def tracks(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    form = Form(request.POST)
    page = {"conference": conference, "form": form}
    if request.method != "POST":
        return page
    try:
        if request.POST.get("action") == "delete":
            services.delete_track(
                request.dbsession,
                conference,
                form.integer("track_id", minimum=1, maximum=2**31 - 1),
            )
        else:
            name = form.text("name", required=True, max_length=200)
            description = form.text("description", max_length=2000)
            if not form.ok:
                request.response.status = 400
                return page
            services.add_track(request.dbsession, conference, name=name, description=description)
    except InvalidInput as exc:
        form.errors["name"] = exc.message
        request.response.status = 400
        return page
    request.session.flash(request.localizer.translate(_("Tracks saved.")), "success")
    return HTTPSeeOther(request.route_url("conferences.tracks", slug=conference.slug))


@view_config(
    route_name="conferences.members",
    renderer="conferences/members.jinja2",
    permission=P.ConferenceManage,
)
def members(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    form = Form(request.POST)
    rows = request.dbsession.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.conference_id == conference.id)
        .order_by(Membership.role, User.name)
    ).all()
    page = {
        "conference": conference,
        "form": form,
        "rows": rows,
        "roles": [r.value for r in Role if r is not Role.author],
    }
    if request.method != "POST":
        return page
    email = form.email("email")
    name = form.text("name", required=True, max_length=200)
    role = form.choice("role", page["roles"])
    if not form.ok:
        request.response.status = 400
        return page
    account_services.invite(
        request.dbsession,
        request.registry.poster_settings,
        conference=conference,
        email=email,
        name=name,
        role=Role(role),
        inviter=request.user,
        now=utcnow(),
    )
    request.session.flash(
        request.localizer.translate(_("Invitation sent to ${email}.", mapping={"email": email})),
        "success",
    )
    return HTTPSeeOther(request.route_url("conferences.members", slug=conference.slug))


@view_config(
    route_name="conferences.new", renderer="conferences/new.jinja2", permission=P.AdminAccess
)
def new(request: Request) -> Response | dict[str, Any]:
    form = Form(request.POST)
    if request.method != "POST":
        form.values["timezone"] = request.registry.poster_settings.default_timezone
        return {"form": form}
    name = form.text("name", required=True, max_length=300)
    slug = form.text("slug", required=True, max_length=60).lower()
    zone = timezones.normalise_zone(form.raw("timezone"))
    form.values["timezone"] = form.raw("timezone")
    if zone is None:
        form.errors["timezone"] = _(
            "Unknown time zone. Use a name like Asia/Almaty, or AoE for Anywhere on Earth."
        )
    if form.ok:
        try:
            conference = services.create_conference(
                request.dbsession,
                slug=slug,
                name=name,
                timezone=zone or "UTC",
                chair=request.user,
                now=utcnow(),
            )
        except InvalidInput as exc:
            form.errors["slug"] = exc.message
        else:
            return HTTPSeeOther(request.route_url("conferences.settings", slug=conference.slug))
    request.response.status = 400
    return {"form": form}
