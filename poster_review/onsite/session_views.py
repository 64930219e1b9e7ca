"""The poster session's pages: sessions and slots, the board map, numbering and moves,
presenters' attendance, judges' availability and schedule, routes, live coverage."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from poster_review.accounts.models import User
from poster_review.conferences import timezones
from poster_review.conferences.models import Conference, Track
from poster_review.db import utcnow
from poster_review.errors import DomainError
from poster_review.forms import Form
from poster_review.i18n import _
from poster_review.onsite import floormap, ical, planning, services
from poster_review.onsite.models import PosterSession, PresenterStatus
from poster_review.permissions import Permission as P
from poster_review.resources import ConferenceResource, SubmissionResource

CSV_LIMIT = 1_000_000


def _clock(conference: Conference) -> Callable[[dt.datetime], str]:
    def hm(instant: dt.datetime) -> str:
        return timezones.local(instant, conference.timezone).strftime("%H:%M")

    return hm


def _day(conference: Conference) -> Callable[[dt.datetime], str]:
    def day(instant: dt.datetime) -> str:
        return timezones.local(instant, conference.timezone).strftime("%Y-%m-%d")

    return day


def _session(context: ConferenceResource, request: Request) -> PosterSession:
    try:
        session_id = int(request.matchdict["session_id"])
    except (KeyError, ValueError):
        raise HTTPNotFound() from None
    found = services.get_session(request.dbsession, context.conference.id, session_id)
    if found is None:
        raise HTTPNotFound()
    return found


def _ticked(request: Request, name: str) -> bool:
    """A ticked checkbox (a file or an empty value where a tick belongs is not one)."""
    value = request.POST.get(name)
    return isinstance(value, str) and value != ""


def _flash(request: Request, message: Any, queue: str = "success") -> None:
    request.session.flash(request.localizer.translate(message), queue)


def _base(context: ConferenceResource, request: Request) -> dict[str, Any]:
    conference = context.conference
    return {
        "conference": conference,
        "hm": _clock(conference),
        "day": _day(conference),
        "zone": timezones.zone_label(conference.timezone),
    }


# --------------------------------------------------------------------------- sessions


@view_config(
    route_name="onsite.sessions", renderer="onsite/sessions.jinja2", permission=P.ConferenceManage
)
def sessions_page(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    db = request.dbsession
    tracks = list(db.scalars(select(Track).where(Track.conference_id == conference.id)))
    form = Form(request.POST if request.method == "POST" else {})
    page = {
        **_base(context, request),
        "sessions": [
            (s, services.slots_of(db, s.id)) for s in services.sessions_of(db, conference.id)
        ],
        "halls": sorted({b.hall for b in services.boards_of(db, conference.id)}),
        "tracks": tracks,
        "form": form,
        "accepted": len(services.accepted_posters(db, conference.id)),
    }
    if request.method != "POST":
        return page
    name = form.text("name", required=True, max_length=200)
    hall = form.text("hall", required=True, max_length=100)
    day = form.text("date", required=True, max_length=10)
    start = form.text("start", required=True, max_length=5)
    end = form.text("end", required=True, max_length=5)
    slot_count = form.integer("slots", minimum=1, maximum=services.MAX_SLOTS, default=2)
    required = form.integer("required_judges", minimum=1, maximum=20, default=3)
    minutes = form.integer("minutes_per_visit", minimum=1, maximum=120, default=10)
    spare = form.integer("spare_boards", minimum=0, maximum=200, default=2)
    track_ids = [  # ids only: not a file, "²" (a digit to isdigit) or 40 digits
        int(t)
        for t in request.POST.getall("track_ids")
        if isinstance(t, str) and t.isascii() and t.isdigit() and len(t) < 10
    ]
    starts_at = ends_at = None
    if form.ok:
        try:
            starts_at = timezones.from_local(
                dt.datetime.fromisoformat(f"{day}T{start}"), conference.timezone
            )
            ends_at = timezones.from_local(
                dt.datetime.fromisoformat(f"{day}T{end}"), conference.timezone
            )
        except ValueError:
            form.errors["date"] = _("Please enter a date like 2026-06-12 and times like 10:00.")
    if not form.ok or starts_at is None or ends_at is None:
        request.response.status = 400
        return page
    try:
        session = services.create_session(
            db,
            conference=conference,
            name=name,
            hall=hall,
            starts_at=starts_at,
            ends_at=ends_at,
            slot_count=slot_count,
            required_judges=required,
            minutes_per_visit=minutes,
            spare_boards=spare,
            track_ids=track_ids,
            now=utcnow(),
        )
    except services.SessionError as exc:
        form.errors["end"] = exc.message
        request.response.status = 400
        return page
    _flash(request, _("Session created."))
    return HTTPSeeOther(
        request.route_url("onsite.session", slug=conference.slug, session_id=session.id)
    )


# --------------------------------------------------------------------------- boards


@view_config(
    route_name="onsite.boards", renderer="onsite/boards.jinja2", permission=P.ConferenceManage
)
def boards_page(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    db = request.dbsession
    form = Form(request.POST if request.method == "POST" else {})
    boards = services.boards_of(db, conference.id)
    layout = services.layout_of(boards) if boards else None
    placed_titles: dict[tuple[str, int], str] = {}
    if layout is not None:
        for session in services.sessions_of(db, conference.id):
            for p in services.placements_of(db, session):
                placed_titles.setdefault((p.board.hall, p.board.number), p.submission.title)
    entries = {key: floormap.MapEntry(title) for key, title in placed_titles.items()}
    page = {
        **_base(context, request),
        "form": form,
        "problems": [],
        "rows": floormap.map_rows(layout, entries) if layout else [],
        "count": len(boards),
    }
    if request.method != "POST":
        return page
    try:
        if request.POST.get("action") == "csv":
            upload = request.POST.get("file")
            text = request.POST.get("csv", "")
            if hasattr(upload, "file"):
                text = upload.file.read(CSV_LIMIT).decode("utf-8-sig", errors="replace")
            new_layout = planning.parse_layout_csv(str(text))
        else:
            hall = form.text("hall", required=True, max_length=100)
            rows = form.integer("rows", minimum=1, maximum=100)
            per_row = form.integer("per_row", minimum=1, maximum=200)
            if not form.ok:
                request.response.status = 400
                return page
            new_layout = planning.grid_layout(rows, per_row, hall=hall)
    except planning.LayoutError as exc:
        page["problems"] = list(exc.problems)
        request.response.status = 400
        return page
    dropped = services.replace_boards(db, conference_id=conference.id, layout=new_layout)
    _flash(
        request,
        _(
            "Board map saved: ${n} boards. ${dropped} posters lost their board; number them again.",
            mapping={"n": len(new_layout), "dropped": dropped},
        ),
    )
    return HTTPSeeOther(request.route_url("onsite.boards", slug=conference.slug))


@view_config(route_name="onsite.floormap", request_method="GET", permission=P.ConferenceManage)
def floormap_svg(context: ConferenceResource, request: Request) -> Response:
    db = request.dbsession
    conference = context.conference
    boards = services.boards_of(db, conference.id)
    if not boards:
        raise HTTPNotFound()
    layout = services.layout_of(boards)
    entries: dict[tuple[str, int], floormap.MapEntry] = {}
    groups: dict[str, str] = {}
    for session in services.sessions_of(db, conference.id):
        for p in services.placements_of(db, session):
            key = str(session.id)
            groups[key] = session.name
            entries.setdefault(
                (p.board.hall, p.board.number), floormap.MapEntry(p.submission.title, key)
            )
    svg = floormap.render_svg(
        layout,
        entries,
        words=floormap.MapWords().translated(request.localizer.translate),
        description=request.localizer.translate(floormap.describe(layout, entries)),
        group_labels=groups,
    )
    response = Response(body=svg.encode("utf-8"), content_type="image/svg+xml", charset="utf-8")
    response.content_disposition = f'inline; filename="{conference.slug}-floor-map.svg"'
    return response


# --------------------------------------------------------------------------- one session


@view_config(
    route_name="onsite.session", renderer="onsite/session.jinja2", permission=P.ConferenceManage
)
def session_page(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    db = request.dbsession
    session = _session(context, request)
    page = {
        **_base(context, request),
        "session": session,
        "slots": services.slots_of(db, session.id),
        "placed": services.placements_of(db, session),
        "statuses": PresenterStatus,
        "error": None,
    }
    if request.method != "POST":
        return page
    action = request.POST.get("action", "")
    now = utcnow()
    here = request.route_url("onsite.session", slug=conference.slug, session_id=session.id)
    try:
        if action == "number":
            result = services.number_posters(db, conference=conference, now=now)
            _flash(
                request,
                _(
                    "${placed} posters numbered; ${spare} boards kept free for late additions.",
                    mapping={"placed": result.placed, "spare": result.spare},
                ),
            )
            if result.unplaced:
                _flash(
                    request,
                    _(
                        "Posters without a session (no session takes their track): ${numbers}.",
                        mapping={"numbers": ", ".join(map(str, result.unplaced))},
                    ),
                    "",
                )
            for cluster in result.separated:
                _flash(
                    request,
                    _(
                        "Posters ${numbers} share a presenter but are not side by side; "
                        "move them by hand.",
                        mapping={"numbers": ", ".join(map(str, cluster))},
                    ),
                    "",
                )
        elif action == "move":
            form = Form(request.POST)
            submission_id = form.integer("submission_id", minimum=1, maximum=2**31 - 1)
            board = form.integer("board", minimum=1, maximum=100_000)
            if not form.ok:
                raise planning.MoveError(_("Enter a board number."))
            change = services.move_poster(
                db, session=session, submission_id=submission_id, board_number=board, now=now
            )
            _flash(
                request,
                _("Poster moved to board ${board}.", mapping={"board": change.target.number})
                if change.swapped_with is None
                else _(
                    "Poster moved to board ${board}; the poster there moved to board ${other}.",
                    mapping={"board": change.target.number, "other": change.source.number},
                ),
            )
        elif action == "substitute":
            form = Form(request.POST)
            submission_id = form.integer("submission_id", minimum=1, maximum=2**31 - 1)
            name = form.text("substitute_name", max_length=200)
            email = form.email("substitute_email", required=False)
            placement = services.placement_of(db, submission_id)
            if placement is None or placement.session_id != session.id or not form.ok:
                raise services.SessionError(_("Give the substitute presenter's name."))
            services.record_substitute(db, placement=placement, name=name, email=email, now=now)
            _flash(request, _("Substitute presenter recorded."))
        else:
            raise HTTPNotFound()
    except (planning.MoveError, services.SessionError, planning.NotEnoughBoards) as exc:
        page["error"] = exc.message
        request.response.status = exc.status
        return page
    return HTTPSeeOther(here)


# --------------------------------------------------------------------------- schedule


@view_config(
    route_name="onsite.schedule", renderer="onsite/schedule.jinja2", permission=P.ConferenceManage
)
def schedule_page(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    db = request.dbsession
    session = _session(context, request)
    slots = services.slots_of(db, session.id)
    judges = services.judges_of(db, conference.id)
    page: dict[str, Any] = {
        **_base(context, request),
        "session": session,
        "slots": slots,
        "judges": judges,
        "availability": services.availability_of(db, session.id),
        "visits": len(services.visits_of_session(db, session.id)),
        "plan": None,
        "problem": None,
    }
    if request.method != "POST":
        return page
    action = request.POST.get("action", "")
    here = request.route_url("onsite.schedule", slug=conference.slug, session_id=session.id)
    if action == "availability":
        for judge in judges:
            chosen = [s.id for s in slots if _ticked(request, f"avail-{judge.id}-{s.id}")]
            services.set_availability(
                db, session=session, user_id=judge.id, available_slot_ids=chosen
            )
        _flash(request, _("Availability saved."))
        return HTTPSeeOther(here)
    if action == "preview":
        # Runs the scheduler and shows its plan; nothing is stored.
        problem, plan = services.plan_session(db, session)
        page["problem"], page["plan"] = problem, plan
        return page
    if action == "apply":
        applied = services.apply_schedule(
            db,
            conference=conference,
            session=session,
            by=request.user,
            now=utcnow(),
            public_url=request.registry.poster_settings.public_url,
        )
        _flash(
            request,
            _(
                "Schedule applied: ${visits} visits for ${judges} judges, who were e-mailed "
                "their routes.",
                mapping={"visits": applied.visits, "judges": applied.judges},
            ),
        )
        return HTTPSeeOther(here)
    raise HTTPNotFound()


# --------------------------------------------------------------------------- judges


@view_config(
    route_name="onsite.availability",
    renderer="onsite/availability.jinja2",
    permission=P.DashboardView,
)
def availability_page(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    db = request.dbsession
    user = request.user
    is_judge = any(j.id == user.id for j in services.judges_of(db, conference.id))
    sessions = [(s, services.slots_of(db, s.id)) for s in services.sessions_of(db, conference.id)]
    stored: dict[tuple[int, int], bool] = {}
    for s, _slots in sessions:
        stored.update(services.availability_of(db, s.id))
    page = {**_base(context, request), "is_judge": is_judge, "sessions": sessions, "stored": stored}
    if request.method != "POST":
        return page
    if not is_judge:
        raise HTTPForbidden()
    for s, slots in sessions:
        chosen = [slot.id for slot in slots if _ticked(request, f"slot-{slot.id}")]
        services.set_availability(db, session=s, user_id=user.id, available_slot_ids=chosen)
    _flash(request, _("Your availability is saved."))
    return HTTPSeeOther(request.route_url("onsite.availability", slug=conference.slug))


def _route_owner(context: ConferenceResource, request: Request) -> User:
    """The signed-in judge, or the judge a chair asks for with ``?judge=<id>``."""
    wanted = request.params.get("judge", "")
    if not wanted or wanted == str(request.user.id):
        return request.user  # type: ignore[no-any-return]
    if not request.has_permission(P.ConferenceManage, context):
        raise HTTPForbidden()
    judge = next(
        (
            j
            for j in services.judges_of(request.dbsession, context.conference.id)
            if str(j.id) == wanted
        ),
        None,
    )
    if judge is None:
        raise HTTPNotFound()
    return judge


@view_config(
    route_name="onsite.route",
    request_method="GET",
    renderer="onsite/route.jinja2",
    permission=P.DashboardView,
)
def route_page(context: ConferenceResource, request: Request) -> dict[str, Any]:
    judge = _route_owner(context, request)
    stops = services.route_of(request.dbsession, context.conference.id, judge.id)
    request.response.cache_control = "no-store"
    return {**_base(context, request), "judge": judge, "stops": stops, "now": utcnow()}


@view_config(route_name="onsite.route_ics", request_method="GET", permission=P.DashboardView)
def route_ics(context: ConferenceResource, request: Request) -> Response:
    conference = context.conference
    judge = _route_owner(context, request)
    stops = services.route_of(request.dbsession, conference.id, judge.id)
    host = request.host.split(":")[0] or "poster-review"
    translate = request.localizer.translate
    body = ical.build_calendar(
        [
            ical.CalendarVisit(
                uid=f"visit-{s.visit.id}@{host}",
                start=s.visit.starts_at,
                end=s.visit.ends_at,
                board=s.board_label,
                title=s.submission.title,
                hall=s.session.hall,
                url=request.route_url("reviews.edit", assignment_id=s.assignment.id),
            )
            for s in stops
        ],
        now=utcnow(),
        calendar_name=translate(
            _("Judging at ${conference}", mapping={"conference": conference.name})
        ),
        board_word=translate(_("Board")),
    )
    response = Response(body=body.encode("utf-8"), content_type="text/calendar", charset="utf-8")
    response.content_disposition = f'attachment; filename="{conference.slug}-route.ics"'
    response.cache_control = "no-store"
    return response


# --------------------------------------------------------------------------- live


def _live_page(
    context: ConferenceResource, request: Request, session: PosterSession
) -> dict[str, Any]:
    db = request.dbsession
    now = utcnow()
    state = services.live_state(db, session=session, now=now)
    problem = services.build_problem(db, session)
    candidates = services.candidates_for(problem, services.visits_of_session(db, session.id), now)
    return {
        **_base(context, request),
        "session": session,
        "state": state,
        "candidates": candidates,
        "names": {j.id: j.name for j in problem.judges.values()},
        "shown_at": timezones.local(now, context.conference.timezone).strftime("%H:%M:%S"),
        "error": None,
    }


@view_config(route_name="onsite.live", renderer="onsite/live.jinja2", permission=P.ConferenceManage)
def live_page(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    session = _session(context, request)
    request.response.cache_control = "no-store"
    if request.method != "POST":
        return _live_page(context, request, session)
    form = Form(request.POST)
    submission_id = form.integer("submission_id", minimum=1, maximum=2**31 - 1)
    judge_id = form.integer("judge_id", minimum=1, maximum=2**31 - 1)
    try:
        if not form.ok:
            raise services.SessionError(_("Choose a judge."))
        services.reassign(
            request.dbsession,
            conference=conference,
            session=session,
            submission_id=submission_id,
            judge_id=judge_id,
            by=request.user,
            now=utcnow(),
            public_url=request.registry.poster_settings.public_url,
        )
    except DomainError as exc:
        page = _live_page(context, request, session)
        page["error"] = exc.message
        request.response.status = exc.status
        return page
    _flash(request, _("The judge was sent to the poster and told by e-mail."))
    return HTTPSeeOther(
        request.route_url("onsite.live", slug=conference.slug, session_id=session.id)
    )


@view_config(route_name="onsite.live_json", request_method="GET", permission=P.ConferenceManage)
def live_json(context: ConferenceResource, request: Request) -> Response:
    session = _session(context, request)
    state = services.live_state(request.dbsession, session=session, now=utcnow())
    response = Response(body=json.dumps(state), content_type="application/json", charset="utf-8")
    response.cache_control = "no-store"
    return response


# --------------------------------------------------------------------------- presenters


@view_config(
    route_name="onsite.presence",
    renderer="onsite/presence.jinja2",
    permission=P.SubmissionsStatus,
)
def presence_page(context: SubmissionResource, request: Request) -> Response | dict[str, Any]:
    db = request.dbsession
    conference = context.conference
    submission = context.submission
    placement = services.placement_of(db, submission.id)
    page: dict[str, Any] = {
        "conference": conference,
        "submission": submission,
        "placement": placement,
        "session": None,
        "slot": None,
        "board": None,
        "hm": _clock(conference),
        "day": _day(conference),
        "zone": timezones.zone_label(conference.timezone),
        "statuses": PresenterStatus,
    }
    if placement is not None:
        session = db.get_one(PosterSession, placement.session_id)
        found = next(
            (p for p in services.placements_of(db, session) if p.submission.id == submission.id),
            None,
        )
        page["session"] = session
        if found is not None:
            page["slot"], page["board"] = found.slot, found.board
    if request.method != "POST":
        return page
    if placement is None:
        raise HTTPNotFound()
    attending = request.POST.get("attending") == "yes"
    services.answer_attendance(db, placement=placement, attending=attending, now=utcnow())
    _flash(
        request,
        _("Thank you: your attendance is confirmed.")
        if attending
        else _("Thank you: the chairs know you cannot attend and may name a substitute."),
    )
    return HTTPSeeOther(request.route_url("onsite.presence", submission_id=submission.id))
