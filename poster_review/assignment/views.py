"""Chair pages: conflicts of interest and assignment runs (preview, apply, discard)."""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import func, select

from poster_review.accounts.models import Role, User
from poster_review.assignment import algorithm, pool, runs, services
from poster_review.assignment.affinity import AffinityWeights
from poster_review.assignment.errors import ConflictRefused, NotInPool
from poster_review.assignment.models import (
    Assignment,
    AssignmentLog,
    AssignmentRun,
    Bid,
    BidValue,
    Conflict,
    ConflictSource,
    ConflictStatus,
    InvitationState,
    ReviewRound,
)
from poster_review.conferences.models import BlindMode
from poster_review.conferences.phases import Action, closed_reason, is_open
from poster_review.db import utcnow
from poster_review.errors import InvalidInput, PhaseClosed
from poster_review.forms import Form
from poster_review.i18n import _
from poster_review.permissions import Permission as P
from poster_review.resources import ConferenceResource
from poster_review.submissions.models import Submission, SubmissionState


def _flash(request: Request, message: str, queue: str = "success") -> None:
    request.session.flash(request.localizer.translate(message), queue)


@view_config(
    route_name="assignment.conflicts",
    renderer="assignment/conflicts.jinja2",
    permission=P.AssignmentsManage,
)
def conflicts(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    now = utcnow()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "detect":
            summary = runs.detect(request.dbsession, conference, now)
            _flash(
                request,
                _(
                    "${confirmed} conflicts found, ${suspected} suspected ones to look at.",
                    mapping={"confirmed": summary.confirmed, "suspected": summary.suspected},
                ),
            )
        elif action == "add":
            form = Form(request.POST)
            user_id = form.integer("user_id", minimum=1, maximum=2**31 - 1)
            number = form.integer("number", minimum=1, maximum=10**6)
            submission = (  # only a number in range reaches the database (PostgreSQL int)
                request.dbsession.scalars(
                    select(Submission).where(
                        Submission.conference_id == conference.id, Submission.number == number
                    )
                ).one_or_none()
                if form.ok
                else None
            )
            listed = runs.pool(
                request.dbsession, conference.id, (Role.reviewer, Role.judge, Role.chair)
            )
            reason = form.text("reason", max_length=500)
            if "reason" in form.errors:
                _flash(request, form.errors["reason"], "")
            elif submission is None or not form.ok:
                _flash(request, _("There is no poster with this number."), "")
            elif user_id not in {u.id for u, _p in listed}:  # only the people offered
                _flash(request, _("Choose a person from the list."), "")
            else:
                services.record_conflict(
                    request.dbsession,
                    conference_id=conference.id,
                    submission_id=submission.id,
                    user_id=user_id,
                    kind="added_by_chair",
                    source=ConflictSource.chair,
                    status=ConflictStatus.confirmed,
                    evidence=reason or "added by a chair",
                    now=now,
                    decided_by=request.user,
                )
                _flash(request, _("Conflict recorded."))
        elif action in ("confirm", "dismiss"):
            form = Form(request.POST)
            conflict_id = form.integer("conflict_id", minimum=1, maximum=2**31 - 1)
            conflict = request.dbsession.get(Conflict, conflict_id) if form.ok else None
            if conflict is None or conflict.conference_id != conference.id:
                raise HTTPNotFound()
            services.decide_conflict(
                request.dbsession,
                conflict,
                chair=request.user,
                now=now,
                status=ConflictStatus.confirmed
                if action == "confirm"
                else ConflictStatus.dismissed,
            )
            _flash(request, _("Saved."))
        return HTTPSeeOther(request.route_url("assignment.conflicts", slug=conference.slug))
    rows = request.dbsession.execute(
        select(Conflict, User, Submission)
        .join(User, User.id == Conflict.user_id)
        .join(Submission, Submission.id == Conflict.submission_id)
        .where(Conflict.conference_id == conference.id)
        .order_by(Conflict.status.desc(), Submission.number, User.name)
    ).all()
    people = runs.pool(request.dbsession, conference.id, (Role.reviewer, Role.judge, Role.chair))
    return {"conference": conference, "rows": rows, "people": [u for u, _p in people]}


def _run_settings(form: Form) -> runs.RunSettings:
    return runs.RunSettings(
        reviews_per_poster=form.integer("k", minimum=1, maximum=20, default=3),
        min_load=form.integer("min_load", minimum=0, maximum=200, default=0),
        max_load=form.integer("max_load", minimum=1, maximum=500, default=6),
        weights=AffinityWeights(
            bid=form.integer("w_bid", minimum=0, maximum=100, default=40) / 100,
            topic=form.integer("w_topic", minimum=0, maximum=100, default=30) / 100,
            text=form.integer("w_text", minimum=0, maximum=100, default=30) / 100,
        ),
        fairness=form.raw("fairness") == "1",
    )


@view_config(
    route_name="assignment.overview",
    renderer="assignment/overview.jinja2",
    permission=P.AssignmentsManage,
)
def overview(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    form = Form(request.POST)
    now = utcnow()
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "run":
                settings = _run_settings(form)
                if form.ok:
                    run = runs.run_solver(
                        request.dbsession, conference, settings=settings, by=request.user, now=now
                    )
                    return HTTPSeeOther(
                        request.route_url("assignment.run", slug=conference.slug, run_id=run.id)
                    )
            elif action == "add":
                number = form.integer("number", minimum=1, maximum=10**6)
                reviewer_id = form.integer("reviewer_id", minimum=1, maximum=2**31 - 1)
                submission = (
                    request.dbsession.scalars(
                        select(Submission).where(
                            Submission.conference_id == conference.id, Submission.number == number
                        )
                    ).one_or_none()
                    if form.ok
                    else None
                )
                if form.ok and submission is None:
                    form.errors["number"] = _("There is no poster with this number.")
                elif form.ok and submission is not None:
                    services.add_assignment(
                        request.dbsession,
                        conference=conference,
                        submission=submission,
                        reviewer_id=reviewer_id,
                        round_=ReviewRound.review,
                        by=request.user,
                        now=now,
                    )
                    _flash(request, _("Assigned."))
                    return HTTPSeeOther(
                        request.route_url("assignment.overview", slug=conference.slug)
                    )
            elif action == "remove":
                assignment = request.dbsession.get(
                    Assignment, form.integer("assignment_id", minimum=1, maximum=2**31 - 1)
                )
                if assignment is None or assignment.conference_id != conference.id:
                    raise HTTPNotFound()
                services.remove_assignment(
                    request.dbsession,
                    assignment,
                    by=request.user,
                    now=now,
                    public_url=request.registry.poster_settings.public_url,
                )
                _flash(request, _("Removed."))
                return HTTPSeeOther(request.route_url("assignment.overview", slug=conference.slug))
        except (algorithm.Infeasible, ConflictRefused, NotInPool, InvalidInput) as exc:
            error = exc.message
        request.response.status = 400 if error or not form.ok else 200
    rows = request.dbsession.execute(
        select(Assignment, Submission, User)
        .join(Submission, Submission.id == Assignment.submission_id)
        .join(User, User.id == Assignment.reviewer_id)
        .where(Assignment.conference_id == conference.id)
        .order_by(Submission.number, User.name)
    ).all()
    reviewers = [u for u, _p in runs.pool(request.dbsession, conference.id, (Role.reviewer,))]
    recent = request.dbsession.scalars(
        select(AssignmentRun)
        .where(AssignmentRun.conference_id == conference.id)
        .order_by(AssignmentRun.id.desc())
        .limit(5)
    ).all()
    counts = dict(
        request.dbsession.execute(
            select(Assignment.submission_id, func.count())
            .where(
                Assignment.conference_id == conference.id, Assignment.round == ReviewRound.review
            )
            .group_by(Assignment.submission_id)
        ).all()
    )
    applied = next((r for r in recent if r.state.value == "applied"), None)
    wanted = int(applied.parameters.get("reviews_per_poster", 0)) if applied else 0
    short = [
        (s, counts.get(s.id, 0))
        for s in request.dbsession.scalars(
            select(Submission)
            .where(
                Submission.conference_id == conference.id,
                Submission.state == SubmissionState.submitted,
            )
            .order_by(Submission.number)
        )
        if counts.get(s.id, 0) < wanted
    ]
    history = request.dbsession.execute(
        select(AssignmentLog, User.name)
        .outerjoin(User, User.id == AssignmentLog.user_id)
        .where(AssignmentLog.conference_id == conference.id)
        .order_by(AssignmentLog.id.desc())
        .limit(30)
    ).all()
    needing = request.dbsession.scalar(
        select(func.count())
        .select_from(Conflict)
        .where(Conflict.conference_id == conference.id, Conflict.status == ConflictStatus.suspected)
    )
    return {
        "conference": conference,
        "form": form,
        "rows": rows,
        "reviewers": reviewers,
        "error": error,
        "runs": recent,
        "suspected": needing,
        "short": short,
        "wanted": wanted,
        "history": history,
        "declared": request.dbsession.scalar(
            select(func.count())
            .select_from(Conflict)
            .where(
                Conflict.conference_id == conference.id, Conflict.source == ConflictSource.reviewer
            )
        ),
    }


@view_config(
    route_name="assignment.run", renderer="assignment/run.jinja2", permission=P.AssignmentsManage
)
def run_view(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    try:
        run = request.dbsession.get(AssignmentRun, int(request.matchdict["run_id"]))
    except ValueError:
        run = None
    if run is None or run.conference_id != conference.id:
        raise HTTPNotFound()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "apply":
            created = runs.apply_run(
                request.dbsession,
                run,
                conference=conference,
                by=request.user,
                now=utcnow(),
                public_url=request.registry.poster_settings.public_url,
            )
            _flash(
                request, _("${n} assignments made; the reviewers are told.", mapping={"n": created})
            )
        else:
            runs.discard_run(request.dbsession, run, by=request.user, now=utcnow())
            _flash(request, _("The proposal was discarded."))
        return HTTPSeeOther(request.route_url("assignment.overview", slug=conference.slug))
    return {"conference": conference, "run": run, **runs.preview(request.dbsession, run)}


@view_config(
    route_name="assignment.pool", renderer="assignment/pool.jinja2", permission=P.AssignmentsManage
)
def pool_view(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    """The reviewer pool; CSV import is previewed with row-level errors before writing."""
    conference = context.conference
    page: dict[str, Any] = {
        "conference": conference,
        "preview": None,
        "problems": [],
        "csv_text": "",
    }
    if request.method == "POST":
        upload = request.POST.get("csv_file")
        text = request.POST.get("csv_text", "")
        if not isinstance(text, str):  # a file where the pasted text belongs
            text = ""
        if upload is not None and hasattr(upload, "file"):
            text = upload.file.read(2_000_000).decode("utf-8-sig", errors="replace")
        rows, problems = pool.parse_pool_csv(text)
        if request.POST.get("action") == "import" and rows:
            summary = services.import_pool(
                request.dbsession,
                request.registry.poster_settings,
                conference=conference,
                rows=rows,
                inviter=request.user,
                now=utcnow(),
            )
            _flash(
                request,
                _(
                    "${created} reviewers added, ${updated} updated, ${invited} "
                    "invited to create an account.",
                    mapping={
                        "created": summary.created,
                        "updated": summary.updated,
                        "invited": summary.invited,
                    },
                ),
            )
            return HTTPSeeOther(request.route_url("assignment.pool", slug=conference.slug))
        page.update(preview=rows, problems=problems, csv_text=text)
        if problems and not rows:
            request.response.status = 400
    page["members"] = runs.pool(request.dbsession, conference.id, (Role.reviewer, Role.judge))
    return page


@view_config(
    route_name="assignment.profile", renderer="assignment/profile.jinja2", permission=P.BidsWrite
)
def profile_view(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    """A reviewer's own profile in one conference: what matching needs, and accept/decline."""
    conference = context.conference
    profile = services.ensure_profile(
        request.dbsession, conference_id=conference.id, user=request.user
    )
    form = Form(request.POST)
    if request.method != "POST":
        form.values.update(
            affiliations=profile.affiliations,
            topics=profile.topics,
            languages=profile.languages,
            max_load=profile.max_load,
            coauthor_emails=profile.coauthor_emails,
        )
        return {"conference": conference, "profile": profile, "form": form}
    values = {
        "affiliations": form.text("affiliations", max_length=2000),
        "topics": form.text("topics", max_length=2000),
        "languages": form.text("languages", max_length=100),
        "max_load": form.integer("max_load", minimum=0, maximum=200, default=6),
        "coauthor_emails": form.text("coauthor_emails", max_length=5000),
        "available": request.POST.get("available") == "1",
        "state": InvitationState.declined
        if request.POST.get("action") == "decline"
        else InvitationState.accepted,
        "updated_at": utcnow(),
    }
    if not form.ok:
        request.response.status = 400
        return {"conference": conference, "profile": profile, "form": form}
    if values["state"] == InvitationState.declined:
        values["available"] = False
    services.ensure_profile(
        request.dbsession, conference_id=conference.id, user=request.user, **values
    )
    _flash(
        request,
        _("Thank you; the chairs will not assign you posters.")
        if values["state"] == InvitationState.declined
        else _("Your profile is saved."),
    )
    return HTTPSeeOther(request.route_url("assignment.profile", slug=conference.slug))


@view_config(
    route_name="assignment.bids", renderer="assignment/bids.jinja2", permission=P.BidsWrite
)
def bids_view(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    """Bidding: eager / willing / not willing / conflict, without author names when the
    review is double-blind. Posters the reviewer has a conflict with are not listed."""
    conference = context.conference
    bidding = is_open(conference.schedule, Action.bid, utcnow())
    if request.method == "POST":
        if not bidding:
            raise PhaseClosed(closed_reason(Action.bid))
        chosen = {}
        for key, value in request.POST.items():
            poster = key.removeprefix("bid-")
            # an id of an integer column: ASCII digits, below 2**31 (PostgreSQL refuses more)
            if (
                key.startswith("bid-")
                and value in BidValue.__members__
                and poster.isascii()
                and poster.isdigit()
                and len(poster) < 10
            ):
                chosen[int(poster)] = BidValue(value)
        services.save_bids(
            request.dbsession, conference=conference, user=request.user, bids=chosen, now=utcnow()
        )
        _flash(request, _("Your bids are saved."))
        return HTTPSeeOther(request.route_url("assignment.bids", slug=conference.slug))
    conflicted = {
        s
        for s, u in services.conflict_pairs(request.dbsession, conference.id)
        if u == request.user.id
    }
    posters = [
        s
        for s in request.dbsession.scalars(
            select(Submission)
            .where(
                Submission.conference_id == conference.id,
                Submission.state == SubmissionState.submitted,
            )
            .order_by(Submission.number)
        )
        if s.id not in conflicted
    ]
    current = {
        b.submission_id: b.value
        for b in request.dbsession.scalars(
            select(Bid).where(Bid.conference_id == conference.id, Bid.user_id == request.user.id)
        )
    }
    return {
        "conference": conference,
        "posters": posters,
        "current": current,
        "open": bidding,
        "values": list(BidValue),
        "show_authors": conference.blind_mode != BlindMode.double,
    }
