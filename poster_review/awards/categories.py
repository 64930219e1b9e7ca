"""Award categories: declare, shortlist, judge, freeze, publish, each step audited.

The computation itself is :mod:`poster_review.ranking.awards` (pure); this module reads
its inputs from the database, keeps the workflow's state and writes the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import poster_review
from poster_review.accounts.models import User
from poster_review.assignment.models import ReviewRound
from poster_review.awards.models import (
    AuditEntry,
    AwardCategory,
    AwardPublication,
    AwardSnapshot,
    AwardState,
    Decision,
    Outcome,
)
from poster_review.conferences.models import Conference, Track
from poster_review.errors import Conflict, InvalidInput, NotAllowed
from poster_review.i18n import _
from poster_review.ranking import awards as award_math
from poster_review.ranking import services as ranking_services
from poster_review.ranking.tiebreak import AwardCandidate
from poster_review.reviews import rubric as rubrics
from poster_review.reviews import services as review_services
from poster_review.submissions.models import Submission, SubmissionAuthor, SubmissionState

log = logging.getLogger(__name__)


# --- Audit log ------------------------------------------------------------------------


def audit(
    dbsession: Session,
    *,
    conference_id: int,
    actor: User | None,
    action: str,
    now: dt.datetime,
    subject: str = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        conference_id=conference_id,
        actor_id=actor.id if actor else None,
        action=action,
        subject=subject[:300],
        details=dict(details or {}),
        at=now,
    )
    dbsession.add(entry)
    dbsession.flush()
    return entry


def audit_log(dbsession: Session, conference_id: int, limit: int = 500) -> list[AuditEntry]:
    return list(
        dbsession.scalars(
            select(AuditEntry)
            .where(AuditEntry.conference_id == conference_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )


def _audit_award(
    dbsession: Session,
    category: AwardCategory,
    *,
    actor: User,
    action: str,
    now: dt.datetime,
    **details: Any,
) -> None:
    """One step of an award's workflow, in the audit log under the award's name."""
    audit(
        dbsession,
        conference_id=category.conference_id,
        actor=actor,
        action=action,
        subject=category.name,
        now=now,
        details={"category": category.id, **details},
    )


# --- Declaring a category -----------------------------------------------------------


@dataclass(frozen=True)
class CategoryInput:
    name: str
    description: str = ""
    name_translations: Mapping[str, str] | None = None
    description_translations: Mapping[str, str] | None = None
    student_presenter: bool = False
    first_time_attendee: bool = False
    track_ids: tuple[int, ...] = ()
    shortlist_size: int = 10
    places: int = 3
    tolerance: float = 0.5
    tie_breaks: tuple[tuple[str, ...], ...] = ()


def criterion_choices(dbsession: Session, conference: Conference) -> list[tuple[str, str]]:
    """Criteria a tie-break may name: those of the review and judging rubrics."""
    seen: dict[str, str] = {}
    for round_ in (ReviewRound.judging, ReviewRound.review):
        version = review_services.current_rubric(dbsession, conference.id, round_, create=False)
        for criterion in rubrics.from_json(version.definition).criteria:
            seen.setdefault(criterion.key, criterion.name)
    return sorted(seen.items(), key=lambda kv: kv[1])


def categories_of(dbsession: Session, conference_id: int) -> list[AwardCategory]:
    return list(
        dbsession.scalars(
            select(AwardCategory)
            .where(AwardCategory.conference_id == conference_id)
            .order_by(AwardCategory.position, AwardCategory.id)
        )
    )


def _check(dbsession: Session, conference: Conference, data: CategoryInput) -> None:
    if not data.name.strip():
        raise InvalidInput(_("Please give the award a name."))
    if not 1 <= data.places <= 50:
        raise InvalidInput(_("An award has from 1 to 50 places."))
    if not data.places <= data.shortlist_size <= 500:
        raise InvalidInput(_("The shortlist must be at least as long as the number of places."))
    if not 0 <= data.tolerance <= 20:
        raise InvalidInput(_("The tie tolerance must lie between 0 and 20 points."))
    tracks = set(dbsession.scalars(select(Track.id).where(Track.conference_id == conference.id)))
    if not set(data.track_ids) <= tracks:
        raise InvalidInput(_("Choose tracks of this conference only."))
    criteria = {key for key, _name in criterion_choices(dbsession, conference)}
    kinds = [spec[0] for spec in data.tie_breaks]
    if len(set(map(tuple, data.tie_breaks))) != len(data.tie_breaks):
        raise InvalidInput(_("Each tie-break rule may be used once."))
    for spec in data.tie_breaks:
        if spec[0] == "criterion" and (len(spec) != 2 or spec[1] not in criteria):
            raise InvalidInput(_("A tie-break names a criterion the rubrics do not have."))
        if spec[0] not in award_math.RULE_KINDS:
            raise InvalidInput(_("Unknown tie-break rule."))
    if "casting" in kinds and kinds[-1] != "casting":
        raise InvalidInput(_("The chair's casting vote can only be the last tie-break."))


def save_category(
    dbsession: Session,
    *,
    conference: Conference,
    data: CategoryInput,
    actor: User,
    now: dt.datetime,
    category: AwardCategory | None = None,
    base_version: int | None = None,
) -> AwardCategory:
    """Create or change a category. Its rules (eligibility, size, tie-breaks) are fixed
    once the shortlist is drawn; names and descriptions may still be corrected."""
    _check(dbsession, conference, data)
    if category is not None and base_version is not None and category.version != base_version:
        raise Conflict(
            _("Someone else changed this award meanwhile. Reload the page and apply your change.")
        )
    rules = {
        "student_presenter": data.student_presenter,
        "first_time_attendee": data.first_time_attendee,
        "track_ids": sorted(data.track_ids),
        "shortlist_size": data.shortlist_size,
        "places": data.places,
        "tolerance": data.tolerance,
        "tie_breaks": [list(s) for s in data.tie_breaks],
    }
    created = category is None
    if category is None:
        position = dbsession.scalar(
            select(func.count(AwardCategory.id)).where(AwardCategory.conference_id == conference.id)
        )
        category = AwardCategory(conference_id=conference.id, position=int(position or 0))
        dbsession.add(category)
        changed_rules = True
    else:
        current = {key: getattr(category, key) for key in rules}
        changed_rules = current != rules
        if changed_rules and category.state != AwardState.open:
            raise InvalidInput(
                _("The rules of this award are fixed since its shortlist was drawn.")
            )
    for key, value in rules.items():
        setattr(category, key, value)
    category.name = data.name.strip()[:200]
    category.description = data.description.strip()[:4000]
    category.name_translations = {k: v for k, v in (data.name_translations or {}).items() if v}
    category.description_translations = {
        k: v for k, v in (data.description_translations or {}).items() if v
    }
    if changed_rules:
        category.rules_declared_at = now
    dbsession.flush()
    seen = ranking_services.submitted_reviews(dbsession, conference.id)
    _audit_award(
        dbsession,
        category,
        actor=actor,
        action="award.created" if created else "award.changed",
        now=now,
        **rules,
        rules_changed=changed_rules,
        # Declared after scores existed: the published list says so.
        reviews_submitted_at_declaration=len(seen) if changed_rules else None,
    )
    return category


def delete_category(
    dbsession: Session, *, category: AwardCategory, actor: User, now: dt.datetime
) -> None:
    if category.state != AwardState.open:
        raise InvalidInput(_("Only an award without a shortlist can be deleted."))
    _audit_award(dbsession, category, actor=actor, action="award.deleted", now=now)
    dbsession.delete(category)
    dbsession.flush()


# --- Inputs ---------------------------------------------------------------------------


def accepted_posters(dbsession: Session, conference_id: int) -> list[Submission]:
    accepted = [o for o in Outcome if o.accepted]
    return list(
        dbsession.scalars(
            select(Submission)
            .join(Decision, Decision.submission_id == Submission.id)
            .where(
                Submission.conference_id == conference_id,
                Submission.state == SubmissionState.submitted,
                Decision.outcome.in_(accepted),
            )
            .order_by(Submission.number)
        )
    )


def presenters(submission: Submission) -> list[SubmissionAuthor]:
    """The presenting authors, or every author when none is marked presenting."""
    flagged = [a for a in submission.authors if a.is_presenting]
    return flagged or list(submission.authors)


def award_inputs(
    dbsession: Session, conference: Conference, category: AwardCategory
) -> award_math.AwardInputs:
    """Everything the award's result depends on, read now from the database."""
    candidates = []
    for poster in accepted_posters(dbsession, conference.id):
        people = presenters(poster)
        candidates.append(
            AwardCandidate(
                poster=poster.id,
                track=None if poster.track_id is None else str(poster.track_id),
                presenter_is_student=any(a.is_student for a in people),
                presenter_first_time=any(a.is_first_time for a in people),
            )
        )

    def rows(round_: ReviewRound) -> tuple[award_math.ReviewInput, ...]:
        return tuple(
            award_math.ReviewInput(
                poster=r.submission_id,
                reviewer=r.reviewer_id,
                score=r.total,
                confidence=r.confidence,
                criteria={
                    k: float(v)
                    for k, v in r.scores.items()
                    if isinstance(v, int | float) and not isinstance(v, bool)
                },
            )
            for r in ranking_services.submitted_reviews(dbsession, conference.id, round_)
        )

    return award_math.AwardInputs(
        category=category.name,
        candidates=tuple(candidates),
        eligibility=award_math.EligibilitySpec(
            student_presenter=category.student_presenter,
            first_time_attendee=category.first_time_attendee,
            tracks=tuple(str(t) for t in sorted(category.track_ids)),
        ),
        reviews=rows(ReviewRound.review),
        final_reviews=rows(ReviewRound.judging),
        shortlist_size=category.shortlist_size,
        places=category.places,
        tolerance=category.tolerance,
        tie_breaks=tuple(tuple(s) for s in category.tie_breaks),
        casting_order=tuple(category.casting_order),
        seed=conference.id * 1000 + category.id,
        shortlist=None if category.shortlist is None else tuple(category.shortlist),
    )


def preview(
    dbsession: Session, conference: Conference, category: AwardCategory
) -> award_math.AwardResult:
    return award_math.compute(award_inputs(dbsession, conference, category))


# --- The workflow ------------------------------------------------------------------------


def _require(category: AwardCategory, *states: AwardState) -> None:
    if category.state not in states:
        raise InvalidInput(_("This step is not possible in the award's present state."))


def draw_shortlist(
    dbsession: Session,
    *,
    conference: Conference,
    category: AwardCategory,
    actor: User,
    now: dt.datetime,
) -> list[int]:
    _require(category, AwardState.open)
    inputs = award_inputs(dbsession, conference, category)
    eligible, standings = award_math.draw_shortlist(inputs)
    if not standings:
        raise InvalidInput(_("No eligible accepted poster has a submitted review yet."))
    category.shortlist = [int(s.poster) for s in standings]
    category.shortlisted_at = now
    category.state = AwardState.shortlisted
    dbsession.flush()
    _audit_award(
        dbsession,
        category,
        actor=actor,
        action="award.shortlisted",
        now=now,
        eligible=len(eligible),
        shortlist=category.shortlist,
        scores={str(s.poster): round(s.score, 3) for s in standings},
    )
    return category.shortlist


def reopen(dbsession: Session, *, category: AwardCategory, actor: User, now: dt.datetime) -> None:
    """Back to declaring: drops the shortlist (the audit log keeps it)."""
    _require(category, AwardState.shortlisted)
    _audit_award(
        dbsession,
        category,
        actor=actor,
        action="award.reopened",
        now=now,
        dropped_shortlist=category.shortlist,
    )
    category.shortlist, category.shortlisted_at = None, None
    category.casting_order = []
    category.state = AwardState.open
    dbsession.flush()


def cast_vote(
    dbsession: Session,
    *,
    category: AwardCategory,
    order: Sequence[int],
    actor: User,
    conflicted: set[int],
    now: dt.datetime,
) -> None:
    """Record the chair's casting order (poster ids, best first) for remaining ties."""
    _require(category, AwardState.shortlisted)
    if ["casting"] not in category.tie_breaks:
        raise InvalidInput(_("This award's declared rules have no casting vote."))
    shortlist = set(category.shortlist or ())
    if len(set(order)) != len(order) or not set(order) <= shortlist:
        raise InvalidInput(_("Order shortlisted posters only, each once."))
    if conflicted & set(order):
        raise NotAllowed(
            _(
                "You have a conflict of interest with a poster in this vote; "
                "another chair must cast it."
            )
        )
    category.casting_order = list(order)
    dbsession.flush()
    _audit_award(
        dbsession, category, actor=actor, action="award.casting_vote", now=now, order=list(order)
    )


def _digest(document: Any) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entries(
    dbsession: Session, result: award_math.AwardResult, tracks: Mapping[int, str]
) -> list[dict[str, Any]]:
    entries = []
    for winner in result.winners:
        poster = dbsession.get_one(Submission, int(winner.poster))
        people = presenters(poster)
        entries.append(
            {
                "place": winner.place,
                "poster": poster.id,
                "number": poster.number,
                "title": poster.title,
                "presenters": [a.name for a in people],
                "affiliations": sorted({x for a in people for x in a.affiliation_list}),
                "track": tracks.get(poster.track_id or 0, ""),
                "score": round(winner.score, 2),
            }
        )
    return entries


def freeze(
    dbsession: Session,
    *,
    conference: Conference,
    category: AwardCategory,
    actor: User,
    now: dt.datetime,
) -> AwardSnapshot:
    """Compute the final round now and keep inputs and result for good."""
    _require(category, AwardState.shortlisted)
    inputs = award_inputs(dbsession, conference, category)
    result = award_math.compute(inputs)
    if result.needs_casting_vote:
        raise InvalidInput(
            _(
                "Posters ${posters} are still tied for a place; "
                "the declared rules need a casting vote first.",
                mapping={
                    "posters": ", ".join(map(str, _numbers(dbsession, result.needs_casting_vote)))
                },
            )
        )
    if not result.winners:
        raise InvalidInput(_("No shortlisted poster has a score to rank."))
    inputs_json = award_math.inputs_to_json(inputs)
    result_json = award_math.result_to_json(result)
    tracks: dict[int, str] = {
        tid: str(name)
        for tid, name in dbsession.execute(
            select(Track.id, Track.name).where(Track.conference_id == conference.id)
        )
    }
    snapshot = AwardSnapshot(
        category_id=category.id,
        conference_id=conference.id,
        created_at=now,
        created_by_id=actor.id,
        method=inputs.method,
        parameters={
            "n_bootstrap": inputs.n_bootstrap,
            "tolerance": inputs.tolerance,
            "places": inputs.places,
            "shortlist_size": inputs.shortlist_size,
            "tie_breaks": [list(s) for s in inputs.tie_breaks],
        },
        seed=inputs.seed,
        software_version=poster_review.__version__,
        algorithm_version=award_math.ALGORITHM_VERSION,
        inputs=inputs_json,
        result=result_json,
        entries=_entries(dbsession, result, tracks),
        inputs_sha256=_digest(inputs_json),
        result_sha256=_digest(result_json),
    )
    dbsession.add(snapshot)
    category.state = AwardState.frozen
    dbsession.flush()
    _audit_award(
        dbsession,
        category,
        actor=actor,
        action="award.frozen",
        now=now,
        snapshot=snapshot.id,
        winners=[w.poster for w in result.winners],
        inputs_sha256=snapshot.inputs_sha256,
        result_sha256=snapshot.result_sha256,
    )
    return snapshot


def _numbers(dbsession: Session, ids: Sequence[Any]) -> list[int]:
    return list(
        dbsession.scalars(
            select(Submission.number)
            .where(Submission.id.in_([int(i) for i in ids]))
            .order_by(Submission.number)
        )
    )


def latest_snapshot(dbsession: Session, category_id: int) -> AwardSnapshot | None:
    return dbsession.scalars(
        select(AwardSnapshot)
        .where(AwardSnapshot.category_id == category_id)
        .order_by(AwardSnapshot.id.desc())
    ).first()


def unfreeze(dbsession: Session, *, category: AwardCategory, actor: User, now: dt.datetime) -> None:
    """Back to the final round (e.g. after a late judging sheet). The snapshot stays in
    the record; a published list is taken down."""
    _require(category, AwardState.frozen)
    publication = dbsession.get(AwardPublication, category.id)
    if publication is not None:
        dbsession.delete(publication)
    category.state = AwardState.shortlisted
    dbsession.flush()
    _audit_award(
        dbsession,
        category,
        actor=actor,
        action="award.unfrozen",
        now=now,
        was_published=publication is not None,
    )


def verify(snapshot: AwardSnapshot) -> bool:
    """True when the stored inputs still give the stored result, byte for byte."""
    return (
        _digest(snapshot.inputs) == snapshot.inputs_sha256
        and _digest(snapshot.result) == snapshot.result_sha256
        and award_math.recompute(snapshot.inputs) == snapshot.result
    )


def publish(
    dbsession: Session,
    *,
    conference: Conference,
    category: AwardCategory,
    actor: User,
    now: dt.datetime,
) -> AwardPublication:
    _require(category, AwardState.frozen)
    snapshot = latest_snapshot(dbsession, category.id)
    if snapshot is None:  # pragma: no cover - frozen implies a snapshot
        raise InvalidInput(_("Freeze the result before publishing it."))
    publication = dbsession.get(AwardPublication, category.id)
    if publication is None:
        publication = AwardPublication(
            category_id=category.id, conference_id=conference.id, snapshot_id=snapshot.id
        )
        dbsession.add(publication)
    publication.snapshot_id, publication.published_at = snapshot.id, now
    publication.published_by_id = actor.id
    if conference.awards_published_at is None:
        conference.awards_published_at = now
    dbsession.flush()
    _audit_award(
        dbsession, category, actor=actor, action="award.published", now=now, snapshot=snapshot.id
    )
    return publication


def unpublish(
    dbsession: Session, *, category: AwardCategory, actor: User, now: dt.datetime
) -> None:
    publication = dbsession.get(AwardPublication, category.id)
    if publication is None:
        raise InvalidInput(_("This award is not published."))
    dbsession.delete(publication)
    dbsession.flush()
    _audit_award(dbsession, category, actor=actor, action="award.unpublished", now=now)


@dataclass(frozen=True)
class PublishedAward:
    category: AwardCategory
    snapshot: AwardSnapshot
    published_at: dt.datetime


def published_awards(
    dbsession: Session, conference: Conference, now: dt.datetime
) -> list[PublishedAward]:
    rows = dbsession.execute(
        select(AwardCategory, AwardSnapshot, AwardPublication.published_at)
        .join(AwardPublication, AwardPublication.category_id == AwardCategory.id)
        .join(AwardSnapshot, AwardSnapshot.id == AwardPublication.snapshot_id)
        .where(
            AwardCategory.conference_id == conference.id,
            AwardPublication.published_at <= now,
        )
        .order_by(AwardCategory.position, AwardCategory.id)
    ).all()
    return [PublishedAward(c, s, at) for c, s, at in rows]
