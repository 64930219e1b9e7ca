"""Chair pages for ranking and decisions, and the public gallery of accepted posters."""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from poster_review.assignment import services as assignment_services
from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.awards import services
from poster_review.awards.models import Outcome
from poster_review.db import utcnow
from poster_review.i18n import _
from poster_review.permissions import Permission as P
from poster_review.resources import ConferenceResource
from poster_review.reviews.models import Review, ReviewState
from poster_review.submissions.models import Submission, SubmissionState


def ranking_rows(request: Request, conference_id: int, user_id: int) -> dict[str, Any]:
    """Submitted posters with their review totals ranked raw and calibrated, leaving out
    posters the viewer has a conflict with (their scores are never shown to them)."""
    from poster_review.ranking import scoring

    dbsession = request.dbsession
    conflicted = {
        s for s, u in assignment_services.conflict_pairs(dbsession, conference_id) if u == user_id
    }
    posters = [
        s
        for s in dbsession.scalars(
            select(Submission)
            .where(
                Submission.conference_id == conference_id,
                Submission.state == SubmissionState.submitted,
            )
            .order_by(Submission.number)
        )
        if s.id not in conflicted
    ]
    reviews = dbsession.execute(
        select(Assignment.submission_id, Assignment.reviewer_id, Review.total, Review.confidence)
        .join(Review, Review.assignment_id == Assignment.id)
        .where(
            Assignment.conference_id == conference_id,
            Assignment.round == ReviewRound.review,
            Review.state == ReviewState.submitted,
            Review.total.is_not(None),
        )
    ).all()
    visible = {p.id for p in posters}
    data = [
        scoring.Review(poster=s, reviewer=r, score=float(t), confidence=c)
        for s, r, t, c in reviews
        if s in visible
    ]
    results: dict[int, Any] = {}
    warnings: list[Any] = []
    if data:
        params = scoring.RankingParameters(
            n_bootstrap=300, seed=conference_id, top_n=max(1, len(posters) // 4)
        )
        calibrated = scoring.rank(data, params, posters=[p.id for p in posters])
        raw = scoring.rank(
            data,
            scoring.RankingParameters(method=scoring.Method.MEAN, n_bootstrap=0),
            posters=[p.id for p in posters],
        )
        raw_rank = {r.poster: r.rank for r in raw.posters}
        for result in calibrated.posters:
            results[int(result.poster)] = {
                "calibrated": result,
                "raw_rank": raw_rank.get(result.poster),
            }
        warnings = list(calibrated.warnings)
    ordered = sorted(
        posters,
        key=lambda p: (results[p.id]["calibrated"].rank if p.id in results else 10**9, p.number),
    )
    return {"posters": ordered, "results": results, "warnings": warnings, "hidden": len(conflicted)}


@view_config(
    route_name="awards.decisions", renderer="awards/decisions.jinja2", permission=P.DecisionsWrite
)
def decisions(context: ConferenceResource, request: Request) -> Response | dict[str, Any]:
    conference = context.conference
    now = utcnow()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "save":
            outcomes = {}
            for key, value in request.POST.items():
                if key.startswith("outcome-") and value in Outcome.__members__:
                    try:
                        outcomes[int(key.removeprefix("outcome-"))] = Outcome(value)
                    except ValueError:
                        continue
            conflicted = {
                s
                for s, u in assignment_services.conflict_pairs(request.dbsession, conference.id)
                if u == request.user.id
            }
            outcomes = {k: v for k, v in outcomes.items() if k not in conflicted}
            count = services.decide_many(
                request.dbsession,
                conference=conference,
                outcomes=outcomes,
                chair=request.user,
                now=now,
            )
            message = _("${n} decisions saved.", mapping={"n": count})
        elif action == "release":
            mails = services.release(request.dbsession, conference=conference, now=now)
            message = _("Decisions released; ${n} e-mails queued.", mapping={"n": mails})
        elif action in ("publish", "unpublish"):
            services.publish_posters(
                request.dbsession, conference=conference, now=now, publish=action == "publish"
            )
            message = (
                _("Accepted posters are public.")
                if action == "publish"
                else _("Posters are no longer public.")
            )
        else:
            message = _("Nothing was done.")
        request.session.flash(request.localizer.translate(message), "success")
        return HTTPSeeOther(request.route_url("awards.decisions", slug=conference.slug))
    return {
        "conference": conference,
        "outcomes": list(Outcome),
        "decisions": services.decisions_of(request.dbsession, conference.id),
        **ranking_rows(request, conference.id, request.user.id),
    }


@view_config(
    route_name="awards.gallery", renderer="awards/gallery.jinja2", permission=P.ConferenceView
)
def gallery(context: ConferenceResource, request: Request) -> dict[str, Any]:
    conference = context.conference
    return {
        "conference": conference,
        "posters": services.public_posters(request.dbsession, conference, utcnow()),
    }
