"""Write the demo's reviewing: the award categories, the review-round assignment and the
reviews, through the services a chair's and the reviewers' pages use.

The assignment is the solver's proposal with its default settings (three reviewers per
poster, at most six posters per reviewer), exactly what ``poster-review assign``
proposes, so it respects every confirmed conflict and every reviewer's limits. It is
applied without the e-mail that applying a proposal sends: the demo's people are
invented but many of their addresses use real domains.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from poster_review.accounts.models import User
from poster_review.assignment import runs
from poster_review.assignment.models import Assignment, ReviewRound, RunState
from poster_review.assignment.services import add_assignment
from poster_review.awards.categories import CategoryInput, save_category
from poster_review.conferences.models import Conference
from poster_review.demo.content import DemoCongress
from poster_review.demo.reviewing import (
    AWARDS,
    Progress,
    assigned_at,
    awards_declared_at,
    plan_reviews,
)
from poster_review.reviews import rubric as rubrics
from poster_review.reviews import services as review_services
from poster_review.submissions.models import Submission

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReviewingSummary:
    assignments: int
    submitted: int
    drafts: int
    awards: int


def _utc(local: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return local.replace(tzinfo=zone).astimezone(dt.UTC)


def _awards(dbsession: Session, demo: DemoCongress, conference: Conference, chair: User) -> int:
    at = _utc(awards_declared_at(demo), zoneinfo.ZoneInfo(conference.timezone))
    for award in AWARDS:
        save_category(
            dbsession,
            conference=conference,
            data=CategoryInput(
                name=award.name,
                description=award.description,
                name_translations=award.name_translations,
                description_translations=award.description_translations,
                student_presenter=award.student_presenter,
                shortlist_size=award.shortlist_size,
                places=award.places,
                tie_breaks=award.tie_breaks,
            ),
            actor=chair,
            now=at,
        )
    return len(AWARDS)


def load_reviewing(
    dbsession: Session,
    demo: DemoCongress,
    conference: Conference,
    *,
    today: dt.date,
) -> ReviewingSummary:
    """Declare the awards, assign every submitted poster and write the reviews.
    Needs the people, posters, conflicts and rubrics written first."""
    zone = zoneinfo.ZoneInfo(conference.timezone)
    chair = dbsession.scalars(select(User).where(User.email == demo.chair.email)).one()
    awards = _awards(dbsession, demo, conference, chair)

    # The chair's proposal dates from the opening of reviewing; each poster's pairs are
    # dated from when it could be reviewed (posters submitted later got theirs later).
    opened = _utc(demo.conference.phases.reviews_open, zone)
    run = runs.run_solver(dbsession, conference, settings=runs.RunSettings(), by=chair, now=opened)
    posters = {
        s.id: s
        for s in dbsession.scalars(
            select(Submission).where(Submission.conference_id == conference.id)
        )
    }
    emails = {int(i): str(e) for i, e in dbsession.execute(select(User.id, User.email))}
    assignments: dict[tuple[int, str], Assignment] = {}
    for submission_id, reviewer_id, value in run.pairs:
        submission = posters[int(submission_id)]
        when = assigned_at(demo, demo.poster(submission.number), today)
        assignments[submission.number, emails[int(reviewer_id)]] = add_assignment(
            dbsession,
            conference=conference,
            submission=submission,
            reviewer_id=int(reviewer_id),
            round_=ReviewRound.review,
            by=chair,
            now=_utc(when, zone),
            source="solver",
            affinity=float(value),
        )
    run.state, run.decided_at = RunState.applied, opened

    version = review_services.current_rubric(dbsession, conference.id, ReviewRound.review)
    rubric = rubrics.from_json(version.definition)
    plans = plan_reviews(demo, assignments, rubric, today)
    for plan in plans:
        if not plan.saves:
            continue
        assignment = assignments[plan.poster_number, plan.reviewer_email]
        review = review_services.review_for(dbsession, assignment, _utc(plan.saves[0].at, zone))
        for save in plan.saves:
            review_services.save_review(
                dbsession,
                review,
                conference=conference,
                base_revision=review.revision,
                sheet=rubrics.ScoreSheet(dict(save.scores), dict(save.texts), save.confidence),
                submit=save.submit,
                now=_utc(save.at, zone),
                client_label=save.client,
            )
    submitted = sum(p.progress is Progress.SUBMITTED for p in plans)
    drafts = sum(p.progress is Progress.DRAFT for p in plans)
    log.info(
        "demo reviewing loaded conference=%d assignments=%d submitted=%d drafts=%d",
        conference.id,
        len(assignments),
        submitted,
        drafts,
    )
    return ReviewingSummary(len(assignments), submitted, drafts, awards)
