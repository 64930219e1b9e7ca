"""Conflict detection and solver runs on the database (calls the pure modules)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poster_review.accounts.models import Membership, Role, User
from poster_review.assignment import affinity as aff
from poster_review.assignment import algorithm as alg
from poster_review.assignment import conflicts as coi
from poster_review.assignment.models import (
    Assignment,
    AssignmentRun,
    Bid,
    BidValue,
    Conflict,
    ConflictSource,
    ConflictStatus,
    ReviewerProfile,
    ReviewRound,
    RunState,
)
from poster_review.assignment.services import _log, add_assignment, record_conflict
from poster_review.conferences.models import Conference, Track
from poster_review.errors import InvalidInput
from poster_review.i18n import _, render
from poster_review.notifications.services import queue_email
from poster_review.submissions.models import Submission, SubmissionState

log = logging.getLogger(__name__)


#: Stored bids as the affinity module names them.
BID_FOR_AFFINITY = {
    BidValue.eager: aff.Bid.EAGER,
    BidValue.willing: aff.Bid.WILLING,
    BidValue.unwilling: aff.Bid.NOT_WILLING,
    BidValue.conflict: aff.Bid.CONFLICT,
}


@dataclass(frozen=True)
class DetectionSummary:
    confirmed: int
    suspected: int


def pool(
    dbsession: Session, conference_id: int, roles: tuple[Role, ...]
) -> list[tuple[User, ReviewerProfile | None]]:
    users = dbsession.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.conference_id == conference_id, Membership.role.in_(roles))
        .distinct()
        .order_by(User.id)
    ).all()
    profiles = {
        p.user_id: p
        for p in dbsession.scalars(
            select(ReviewerProfile).where(ReviewerProfile.conference_id == conference_id)
        )
    }
    return [(u, profiles.get(u.id)) for u in users]


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def detect(dbsession: Session, conference: Conference, now: dt.datetime) -> DetectionSummary:
    """Detect conflicts for reviewers, judges and chairs against every live submission.
    Certain findings are binding at once; fuzzy institution matches wait for a chair."""
    people = pool(dbsession, conference.id, (Role.reviewer, Role.judge, Role.chair))
    declared = {
        (c.user_id, c.submission_id)
        for c in dbsession.scalars(
            select(Conflict).where(
                Conflict.conference_id == conference.id, Conflict.source == ConflictSource.reviewer
            )
        )
    }
    reviewers = [
        coi.ReviewerProfile(
            reviewer_id=user.id,
            emails=(user.email,),
            name=user.name,
            affiliations=tuple(coi.Affiliation(a) for a in _lines(profile.affiliations))
            if profile
            else (),
            coauthor_emails=frozenset(_lines(profile.coauthor_emails)) if profile else frozenset(),
            declared_submission_ids=frozenset(s for u, s in declared if u == user.id),
        )
        for user, profile in people
    ]
    by_email = {user.email: user.id for user, _profile in people}
    submissions = [
        coi.SubmissionAuthors(
            declared_reviewer_ids=frozenset(
                by_email[e] for e in s.declared_conflicts.split() if e in by_email
            ),
            submission_id=s.id,
            authors=tuple(
                coi.Author(
                    email=a.email,
                    name=a.name,
                    affiliations=tuple(coi.Affiliation(x) for x in a.affiliation_list),
                )
                for a in s.authors
            ),
        )
        for s in dbsession.scalars(
            select(Submission).where(
                Submission.conference_id == conference.id,
                Submission.state != SubmissionState.withdrawn,
            )
        )
    ]
    findings = coi.detect_conflicts(reviewers, submissions)
    confirmed = suspected = 0
    for f in findings:
        status = ConflictStatus.confirmed if f.certain else ConflictStatus.suspected
        source = ConflictSource(f.source.value)
        record_conflict(
            dbsession,
            conference_id=conference.id,
            submission_id=f.submission_id,
            user_id=f.reviewer_id,
            kind=f.kind.value,
            source=source,
            status=status,
            evidence=render(f.evidence),
            now=now,
        )
        confirmed += f.certain
        suspected += not f.certain
    log.info(
        "conflicts detected conference=%d confirmed=%d suspected=%d",
        conference.id,
        confirmed,
        suspected,
    )
    return DetectionSummary(confirmed, suspected)


@dataclass(frozen=True)
class RunSettings:
    reviews_per_poster: int = 3
    min_load: int = 0
    max_load: int = 6
    weights: aff.AffinityWeights = field(default_factory=aff.AffinityWeights)
    fairness: bool = False


def run_solver(
    dbsession: Session,
    conference: Conference,
    *,
    settings: RunSettings,
    by: User | None,
    now: dt.datetime,
    round_: ReviewRound = ReviewRound.review,
) -> AssignmentRun:
    """Compute an optimal assignment for every submitted poster and keep it as a preview.

    Existing assignments are kept (fixed). Raises ``alg.Infeasible`` with a sentence that
    names the posters or the capacity that fall short.
    """
    posters = list(
        dbsession.scalars(
            select(Submission)
            .where(
                Submission.conference_id == conference.id,
                Submission.state == SubmissionState.submitted,
            )
            .order_by(Submission.number)
        )
    )
    role = Role.judge if round_ == ReviewRound.judging else Role.reviewer
    members = [
        (u, p) for u, p in pool(dbsession, conference.id, (role,)) if p is None or p.available
    ]
    if not posters or not members:
        raise InvalidInput(_("There must be submitted posters and available reviewers."))
    tracks = {
        t.id: t.name
        for t in dbsession.scalars(select(Track).where(Track.conference_id == conference.id))
    }
    poster_texts = [
        aff.PosterText(
            poster_id=s.id,
            title=s.title,
            abstract=s.abstract,
            topics=frozenset(
                k.lower() for k in [*s.keyword_list, tracks.get(s.track_id or 0, "")] if k
            ),
        )
        for s in posters
    ]
    interests = [
        aff.ReviewerInterests(
            reviewer_id=u.id,
            keywords=tuple(k.strip() for k in (p.topics if p else "").split(",") if k.strip()),
            topics=frozenset(
                [
                    *(k.strip().lower() for k in (p.topics if p else "").split(",") if k.strip()),
                    *(tracks[t].lower() for t in (p.track_ids if p else []) if t in tracks),
                ]
            ),
        )
        for u, p in members
    ]
    bids = {
        (b.submission_id, b.user_id): BID_FOR_AFFINITY[b.value]
        for b in dbsession.scalars(select(Bid).where(Bid.conference_id == conference.id))
    }
    matrix = aff.compute_affinity(poster_texts, interests, bids, settings.weights)
    p_index = {s.id: i for i, s in enumerate(posters)}
    r_index = {u.id: j for j, (u, _p) in enumerate(members)}
    conflicts = {
        (p_index[s], r_index[u])
        for s, u in dbsession.execute(
            select(Conflict.submission_id, Conflict.user_id).where(
                Conflict.conference_id == conference.id, Conflict.status == ConflictStatus.confirmed
            )
        )
        if s in p_index and u in r_index
    }
    conflicts |= {
        (p_index[s], r_index[u])
        for s, u in matrix.declared_conflicts
        if s in p_index and u in r_index
    }
    existing = dbsession.scalars(
        select(Assignment).where(
            Assignment.conference_id == conference.id, Assignment.round == round_
        )
    ).all()
    fixed = [
        (p_index[a.submission_id], r_index[a.reviewer_id])
        for a in existing
        if a.submission_id in p_index and a.reviewer_id in r_index
    ]
    # A reviewer's own limit applies when it is lower than the run's.
    max_overrides = {
        j: min(p.max_load, settings.max_load) for j, (_u, p) in enumerate(members) if p is not None
    }
    min_overrides = {
        j: min(p.min_load, p.max_load)
        for j, (_u, p) in enumerate(members)
        if p is not None and p.min_load
    }
    problem = alg.AssignmentProblem(
        poster_ids=[s.number for s in posters],  # labels in messages: what chairs see
        reviewer_ids=[u.id for u, _p in members],
        affinity=matrix.values,
        reviews_per_poster=settings.reviews_per_poster,
        min_load=settings.min_load,
        max_load=settings.max_load,
        max_load_overrides=max_overrides,
        min_load_overrides=min_overrides,
        conflicts=sorted(conflicts),
        fixed=sorted(set(fixed)),
        fairness=settings.fairness,
    )
    result = alg.solve(problem)
    ids = [s.id for s in posters], [u.id for u, _p in members]
    pairs = [
        [ids[0][p], ids[1][r], round(float(v), 6)]
        for p, r, v in zip(
            result.posters.tolist(), result.reviewers.tolist(), result.values.tolist(), strict=True
        )
    ]
    run = AssignmentRun(
        conference_id=conference.id,
        round=round_,
        state=RunState.preview,
        pairs=pairs,
        objective=float(result.objective),
        created_at=now,
        created_by_id=by.id if by else None,
        parameters={
            "reviews_per_poster": settings.reviews_per_poster,
            "min_load": settings.min_load,
            "max_load": settings.max_load,
            "weights": {
                "bid": settings.weights.bid,
                "topic": settings.weights.topic,
                "text": settings.weights.text,
            },
            "fairness": settings.fairness,
            "fixed": len(set(fixed)),
        },
    )
    dbsession.add(run)
    dbsession.flush()
    log.info("assignment run id=%d pairs=%d objective=%.3f", run.id, len(pairs), run.objective)
    return run


def apply_run(
    dbsession: Session,
    run: AssignmentRun,
    *,
    conference: Conference,
    by: User | None,
    now: dt.datetime,
    public_url: str = "",
) -> int:
    """Create the run's new assignments (conflict-checked again) and tell each reviewer
    which posters are theirs."""
    if run.state != RunState.preview:
        raise InvalidInput(_("This run was already applied or discarded."))
    posters = {
        s.id: s
        for s in dbsession.scalars(
            select(Submission).where(Submission.conference_id == conference.id)
        )
    }
    existing = {
        (a.submission_id, a.reviewer_id)
        for a in dbsession.scalars(
            select(Assignment).where(
                Assignment.conference_id == conference.id, Assignment.round == run.round
            )
        )
    }
    created: dict[int, list[dict[str, Any]]] = {}
    for submission_id, reviewer_id, value in run.pairs:
        key = (int(submission_id), int(reviewer_id))
        if key in existing:
            continue
        assignment = add_assignment(
            dbsession,
            conference=conference,
            submission=posters[key[0]],
            reviewer_id=key[1],
            round_=run.round,
            by=by,
            now=now,
            source="solver",
            affinity=float(value),
        )
        poster = posters[key[0]]
        created.setdefault(key[1], []).append(
            {
                "number": poster.number,
                "title": poster.title,
                "url": f"{public_url}/reviews/{assignment.id}/",
            }
        )
    run.state, run.decided_at = RunState.applied, now
    for reviewer_id, submissions in created.items():
        reviewer = dbsession.get_one(User, reviewer_id)
        queue_email(
            dbsession,
            event="assignment_made",
            to_email=reviewer.email,
            to_name=reviewer.name,
            recipient_id=reviewer.id,
            now=now,
            conference_id=conference.id,
            locale=reviewer.locale or conference.default_locale,
            context={
                "conference_name": conference.name,
                "submissions": submissions,
                "reviews_url": f"{public_url}/c/{conference.slug}/reviews",
                "deadline": conference.reviews_close_at,
                "timezone": conference.timezone,
            },
        )
    total = sum(len(v) for v in created.values())
    _log(
        dbsession, conference.id, user=by, action="run_applied", now=now, run=run.id, created=total
    )
    dbsession.flush()
    return total


def discard_run(
    dbsession: Session, run: AssignmentRun, *, by: User | None, now: dt.datetime
) -> None:
    if run.state == RunState.preview:
        run.state, run.decided_at = RunState.discarded, now
        _log(
            dbsession,
            run.conference_id,
            user=by,
            action="run_discarded",
            now=now,
            details_run=run.id,
        )
        dbsession.flush()


def preview(dbsession: Session, run: AssignmentRun) -> dict[str, Any]:
    """Per poster and per reviewer views of a run, with loads and what changes."""
    posters = {
        s.id: s
        for s in dbsession.scalars(
            select(Submission).where(Submission.conference_id == run.conference_id)
        )
    }
    users = {
        u.id: u
        for u in dbsession.scalars(
            select(User).where(User.id.in_({int(r) for _s, r, _v in run.pairs}))
        )
    }
    existing = {
        (a.submission_id, a.reviewer_id)
        for a in dbsession.scalars(
            select(Assignment).where(
                Assignment.conference_id == run.conference_id, Assignment.round == run.round
            )
        )
    }
    by_poster: dict[int, list[tuple[Any, float, bool]]] = {}
    loads: dict[int, int] = {}
    for raw_s, raw_r, v in run.pairs:
        s, r = int(raw_s), int(raw_r)
        by_poster.setdefault(s, []).append((users[r], float(v), (s, r) not in existing))
        loads[r] = loads.get(r, 0) + 1
    histogram: dict[int, int] = {}
    for load in loads.values():
        histogram[load] = histogram.get(load, 0) + 1
    return {
        "posters": [
            (posters[s], rows)
            for s, rows in sorted(by_poster.items(), key=lambda item: posters[item[0]].number)
        ],
        "reviewers": sorted(
            ((users[r], n) for r, n in loads.items()), key=lambda item: (-item[1], item[0].name)
        ),
        "histogram": sorted(histogram.items()),
        "new_pairs": sum(1 for s, r, _v in run.pairs if (int(s), int(r)) not in existing),
    }
