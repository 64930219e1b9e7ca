"""Rubric versions and reviews: create, save (with revision checks), submit.

A save names the revision it was based on. If another save came first, nothing is
overwritten: ``StaleReview`` carries the server's version so the person can choose.

The rubric version and the review are created by the first save that needs them. Many
reviewers start at once, so two requests may try to create the same row at the same
instant; ``_insert_once`` lets the loser use the winner's row instead of failing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.conferences.models import Conference
from poster_review.conferences.phases import Action, closed_reason, is_open
from poster_review.errors import PhaseClosed
from poster_review.i18n import _
from poster_review.reviews import rubric as rubrics
from poster_review.reviews.errors import ReviewIncomplete, StaleReview
from poster_review.reviews.models import Review, ReviewState, RubricVersion

log = logging.getLogger(__name__)

ROUND_ACTION = {ReviewRound.review: Action.review, ReviewRound.judging: Action.judge}

Row = TypeVar("Row", RubricVersion, Review)


def _insert_once(dbsession: Session, row: Row, find: Callable[[], Row | None]) -> Row:
    """Insert ``row``, or return the equal row a concurrent transaction committed first.

    On PostgreSQL (read committed), two requests that both found nothing both insert;
    the second waits on the unique index until the first commits, then fails with a
    unique violation, which pyramid_retry does not replay: the request answered 500.
    The insert runs in a savepoint, so only it is undone, and the row is read again:
    each statement sees what is committed by then. SQLite never gets here, as its
    writing requests take the write lock before their first read.
    """
    try:
        with dbsession.begin_nested():
            dbsession.add(row)
    except IntegrityError:
        existing = find()
        if existing is None:  # another constraint failed: not a race
            raise
        log.info("concurrent insert resolved table=%s id=%d", row.__tablename__, existing.id)
        return existing
    return row


def default_rubric(round_: ReviewRound) -> rubrics.Rubric:
    base = rubrics.default_poster_rubric()
    if round_ == ReviewRound.judging:
        # At the board the presentation is observed, so it is required there.
        criteria = tuple(
            rubrics.Criterion(**{**c.__dict__, "required": True}) if c.key == "presentation" else c
            for c in base.criteria
        )
        return rubrics.Rubric(
            name=_("On-site judging"),
            criteria=criteria,
            text_fields=base.text_fields,
            confidence=base.confidence,
        )
    return base


def current_rubric(
    dbsession: Session, conference_id: int, round_: ReviewRound, *, create: bool = True
) -> RubricVersion:
    """The newest rubric version of the round; the default poster rubric the first time
    (stored unless ``create`` is false: pages that only show it must not write)."""

    def newest() -> RubricVersion | None:
        return dbsession.scalars(
            select(RubricVersion)
            .where(RubricVersion.conference_id == conference_id, RubricVersion.round == round_)
            .order_by(RubricVersion.version.desc())
        ).first()

    found = newest()
    if found is None:
        found = RubricVersion(
            conference_id=conference_id,
            round=round_,
            version=1,
            definition=rubrics.as_json(default_rubric(round_)),
        )
        if create:
            found = _insert_once(dbsession, found, newest)
    return found


def is_locked(dbsession: Session, rubric_version: RubricVersion) -> bool:
    return bool(dbsession.scalar(select(exists().where(Review.rubric_id == rubric_version.id))))


def _scoring_part(definition: dict[str, Any]) -> dict[str, Any]:
    """The rubric without its translations, normalised (weights as numbers, levels
    sorted): what reviewers scored against."""
    data = rubrics.as_json(rubrics.from_json(definition))
    data.pop("translations", None)
    return data


def save_rubric(
    dbsession: Session,
    *,
    conference_id: int,
    round_: ReviewRound,
    definition: dict[str, Any],
    by_id: int | None,
    now: dt.datetime,
) -> RubricVersion:
    """Replace the current rubric, or add a new version when scores use the current one.

    A change of translations only is saved in place even when scores use the version:
    a translation says what the base text says, in another language. The base text,
    weights and scales stay what every review was scored against, so no score changes
    meaning, and a translation finished after reviewing began (or a typo fixed in one)
    does not split the reviews of one round between versions. Raises RubricError.
    """
    rubrics.from_json(definition)  # raises RubricError with sentences
    current = current_rubric(dbsession, conference_id, round_)
    # Lock the version row (PostgreSQL; SQLite writers already hold the database lock):
    # a first review that references it concurrently commits before this check, or
    # waits until this change is committed.
    dbsession.refresh(current, with_for_update=True)
    if not is_locked(dbsession, current) or _scoring_part(definition) == _scoring_part(
        current.definition
    ):
        current.definition = definition
        dbsession.flush()
        return current
    newer = RubricVersion(
        conference_id=conference_id,
        round=round_,
        version=current.version + 1,
        definition=definition,
        created_at=now,
        created_by_id=by_id,
    )
    dbsession.add(newer)
    dbsession.flush()
    log.info(
        "rubric version added conference=%d round=%s version=%d",
        conference_id,
        round_.value,
        newer.version,
    )
    return newer


def review_for(
    dbsession: Session, assignment: Assignment, now: dt.datetime, *, create: bool = True
) -> Review:
    """The assignment's review; a new empty one the first time. With ``create`` false
    (a page that only shows it), the new review is not stored: a GET never writes, so
    many reviewers opening pages at once never contend for the database."""

    def stored() -> Review | None:
        return dbsession.scalars(
            select(Review).where(Review.assignment_id == assignment.id)
        ).one_or_none()

    review = stored()
    if review is None:
        version = current_rubric(
            dbsession, assignment.conference_id, assignment.round, create=create
        )
        review = Review(
            assignment_id=assignment.id,
            rubric_id=version.id,
            scores={},
            texts={},
            created_at=now,
            updated_at=now,
            revision=0,
            state=ReviewState.draft,
            presenter_absent=False,
        )
        review.unsaved_definition = version.definition  # type: ignore[attr-defined]
        if create:
            review.assignment = assignment
            # Two devices' first saves at once: the later one gets the earlier one's
            # review, with its revision, and so the usual 409 and the choice.
            review = _insert_once(dbsession, review, stored)
    return review


def rubric_of(dbsession: Session, review: Review, locale: str | None = None) -> rubrics.Rubric:
    """The rubric the review is scored with; worded for ``locale`` when one is given
    (base text where a translation is missing)."""
    if review.rubric_id is None:  # shown, never saved yet
        rubric = rubrics.from_json(review.unsaved_definition)
    else:
        rubric = rubrics.from_json(dbsession.get_one(RubricVersion, review.rubric_id).definition)
    return rubric if locale is None else rubrics.localised(rubric, locale)


def snapshot(review: Review) -> dict[str, Any]:
    """What the client needs to show or compare a review (the autosave JSON shape)."""
    return {
        "revision": review.revision,
        "scores": dict(review.scores),
        "texts": dict(review.texts),
        "confidence": review.confidence,
        "state": review.state.value,
        "total": review.total,
        "presenter_absent": review.presenter_absent,
        "saved_at": review.updated_at.isoformat(),
        "client": review.client_label,
    }


def require_round_open(conference: Conference, assignment: Assignment, now: dt.datetime) -> None:
    action = ROUND_ACTION[assignment.round]
    if not is_open(conference.schedule, action, now):
        raise PhaseClosed(closed_reason(action))


def save_review(
    dbsession: Session,
    review: Review,
    *,
    conference: Conference,
    base_revision: int,
    sheet: rubrics.ScoreSheet,
    submit: bool,
    now: dt.datetime,
    client_label: str = "",
    presenter_absent: bool | None = None,
    locale: str | None = None,
) -> Review:
    """Save a score sheet based on ``base_revision``; submit it when asked.

    Raises StaleReview (409) when the review changed since that revision, PhaseClosed
    after the round's deadline, ReviewIncomplete when submitting with required fields
    empty (named in ``locale``'s wording of the rubric). A submitted review stays
    editable until the deadline and stays submitted.
    """
    require_round_open(conference, review.assignment, now)
    if review.id is not None:
        # Lock the row and read it again (PostgreSQL; SQLite writers already hold the
        # database lock): a save that committed meanwhile is seen here and told as a 409
        # with its version, instead of failing at flush once this check had passed.
        dbsession.refresh(review, with_for_update=True)
    if base_revision != review.revision:
        raise StaleReview(
            _("This review was changed elsewhere (another tab or device) after you opened it."),
            snapshot(review),
        )
    rubric = rubric_of(dbsession, review, locale)
    if submit or review.state == ReviewState.submitted:
        missing = rubrics.missing_for_submit(rubric, sheet)
        if missing:
            raise ReviewIncomplete(
                _("Please complete: ${fields}.", mapping={"fields": ", ".join(missing)}), missing
            )
    review.scores = dict(sheet.scores)
    review.texts = dict(sheet.texts)
    review.confidence = sheet.confidence
    review.total = rubrics.weighted_total(rubric, sheet.scores)
    review.updated_at = now
    review.client_label = client_label[:40]
    if presenter_absent is not None:
        review.presenter_absent = presenter_absent
    if submit and review.state != ReviewState.submitted:
        review.state = ReviewState.submitted
        review.submitted_at = now
    try:
        dbsession.flush()  # UPDATE ... WHERE revision = base: a concurrent save makes it 0 rows
    except StaleDataError:
        # Lost the race by microseconds: the transaction is doomed (the 409 response
        # vetoes its commit); the client fetches the winner's version separately.
        raise StaleReview(
            _("This review was changed elsewhere (another tab or device) after you opened it."), {}
        ) from None
    log.info(
        "review saved id=%d revision=%d state=%s", review.id, review.revision, review.state.value
    )
    return review
