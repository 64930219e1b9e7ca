"""The conference's ranking, from the submitted reviews in the database.

One place reads reviews for ranking: the chair's ranking and decisions pages, the
award rounds and ``poster-review rank --conference`` all call :func:`conference_ranking`
or :func:`submitted_reviews`, so they can never disagree about the inputs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poster_review.assignment import services as assignment_services
from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.conferences.models import Conference
from poster_review.ranking import scoring
from poster_review.reviews import rubric as rubrics
from poster_review.reviews import services as review_services
from poster_review.reviews.models import Review, ReviewState
from poster_review.submissions.models import Submission, SubmissionState


@dataclass(frozen=True)
class ReviewRow:
    submission_id: int
    reviewer_id: int
    total: float
    confidence: int | None
    scores: dict[str, Any]


def submitted_reviews(
    dbsession: Session, conference_id: int, round_: ReviewRound = ReviewRound.review
) -> list[ReviewRow]:
    """Every submitted review with a total, in a stable order."""
    rows = dbsession.execute(
        select(
            Assignment.submission_id,
            Assignment.reviewer_id,
            Review.total,
            Review.confidence,
            Review.scores,
        )
        .join(Review, Review.assignment_id == Assignment.id)
        .where(
            Assignment.conference_id == conference_id,
            Assignment.round == round_,
            Review.state == ReviewState.submitted,
            Review.total.is_not(None),
        )
        .order_by(Assignment.submission_id, Assignment.reviewer_id)
    ).all()
    return [ReviewRow(s, r, float(t), c, dict(sc or {})) for s, r, t, c, sc in rows]


def unsubmitted_drafts(dbsession: Session, conference_id: int) -> dict[int, int]:
    """Per poster, the review-round drafts not submitted yet (a coverage warning)."""
    rows = dbsession.execute(
        select(Assignment.submission_id, func.count(Review.id))
        .join(Review, Review.assignment_id == Assignment.id)
        .where(
            Assignment.conference_id == conference_id,
            Assignment.round == ReviewRound.review,
            Review.state == ReviewState.draft,
        )
        .group_by(Assignment.submission_id)
    ).all()
    return {s: int(n) for s, n in rows}


@dataclass
class ConferenceRanking:
    """What the ranking page shows. ``results[poster id]`` holds the calibrated
    :class:`~poster_review.ranking.scoring.PosterResult` and the rank by raw mean."""

    posters: list[Submission]
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    calibrated: scoring.Ranking | None = None
    warnings: list[scoring.RankingWarning] = field(default_factory=list)
    hidden: int = 0
    criteria: list[tuple[str, str]] = field(default_factory=list)
    breakdown: dict[int, dict[str, float]] = field(default_factory=dict)
    drafts: dict[int, int] = field(default_factory=dict)
    top_n: int = 1


def conflicted_posters(dbsession: Session, conference_id: int, user_id: int | None) -> set[int]:
    if user_id is None:
        return set()
    return {
        s for s, u in assignment_services.conflict_pairs(dbsession, conference_id) if u == user_id
    }


def conference_ranking(
    dbsession: Session,
    conference: Conference,
    *,
    viewer_id: int | None = None,
    track_id: int | None = None,
    n_bootstrap: int = 300,
    top_n: int | None = None,
) -> ConferenceRanking:
    """Submitted posters ranked raw and calibrated. Posters the viewer has a conflict
    with are left out (their scores are never shown to them); ``track_id`` keeps one
    track (the calibration still uses every review, so leniency is judged on all)."""
    conflicted = conflicted_posters(dbsession, conference.id, viewer_id)
    query = (
        select(Submission)
        .where(
            Submission.conference_id == conference.id,
            Submission.state == SubmissionState.submitted,
        )
        .order_by(Submission.number)
    )
    everyone = [s for s in dbsession.scalars(query) if s.id not in conflicted]
    posters = [s for s in everyone if track_id is None or s.track_id == track_id]
    page = ConferenceRanking(posters=posters, hidden=len(conflicted))
    page.drafts = unsubmitted_drafts(dbsession, conference.id)
    version = review_services.current_rubric(
        dbsession, conference.id, ReviewRound.review, create=False
    )
    page.criteria = [(c.key, c.name) for c in rubrics.from_json(version.definition).criteria]
    visible = {p.id for p in everyone}
    rows = [r for r in submitted_reviews(dbsession, conference.id) if r.submission_id in visible]
    sums: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        for key, value in row.scores.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                sums[row.submission_id][key].append(float(value))
    page.breakdown = {
        sid: {k: sum(v) / len(v) for k, v in per.items() if v} for sid, per in sums.items()
    }
    data = [
        scoring.Review(
            poster=r.submission_id, reviewer=r.reviewer_id, score=r.total, confidence=r.confidence
        )
        for r in rows
    ]
    page.top_n = top_n or max(1, len(posters) // 4)
    if data:
        ids = [p.id for p in everyone]
        calibrated = scoring.rank(
            data,
            scoring.RankingParameters(
                n_bootstrap=n_bootstrap, seed=conference.id, top_n=page.top_n
            ),
            posters=ids,
        )
        raw = scoring.rank(
            data,
            scoring.RankingParameters(method=scoring.Method.MEAN, n_bootstrap=0),
            posters=ids,
        )
        raw_rank = {r.poster: r.rank for r in raw.posters}
        wanted = {p.id for p in posters}
        for result in calibrated.posters:
            if int(result.poster) in wanted:
                page.results[int(result.poster)] = {
                    "calibrated": result,
                    "raw_rank": raw_rank.get(result.poster),
                }
        page.calibrated = calibrated
        page.warnings = list(calibrated.warnings)
    page.posters = sorted(
        posters,
        key=lambda p: (
            page.results[p.id]["calibrated"].rank if p.id in page.results else 10**9,
            p.number,
        ),
    )
    return page


def tracks_of(posters: Collection[Submission]) -> set[int]:
    return {p.track_id for p in posters if p.track_id is not None}
