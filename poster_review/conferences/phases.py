"""The conference calendar and the one phase gate (pure: no web, no database).

Every view, service and test asks :func:`is_open` whether an action is allowed now;
nothing else compares deadlines. Phases may overlap (reviewing often starts while
late submissions are still open), so the gate is per action, not a single state.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from poster_review.i18n import _


class Action(enum.StrEnum):
    submit = "submit"  # create, edit, replace the PDF, submit
    bid = "bid"
    review = "review"
    see_decisions = "see_decisions"
    upload_final = "upload_final"
    judge = "judge"
    see_awards = "see_awards"


@dataclass(frozen=True)
class Schedule:
    """All instants are aware UTC datetimes; ``None`` means "not set yet"."""

    call_opens_at: dt.datetime | None = None
    submission_deadline_at: dt.datetime | None = None
    grace_minutes: int = 0
    bidding_open_at: dt.datetime | None = None
    reviews_open_at: dt.datetime | None = None
    reviews_close_at: dt.datetime | None = None
    decisions_at: dt.datetime | None = None
    final_version_due_at: dt.datetime | None = None
    session_starts_at: dt.datetime | None = None
    session_ends_at: dt.datetime | None = None
    awards_published_at: dt.datetime | None = None

    @property
    def submission_hard_close_at(self) -> dt.datetime | None:
        """The published deadline plus the unannounced grace period."""
        if self.submission_deadline_at is None:
            return None
        return self.submission_deadline_at + dt.timedelta(minutes=self.grace_minutes)


def _within(start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime) -> bool:
    return start is not None and start <= now and (end is None or now < end)


def is_open(schedule: Schedule, action: Action, now: dt.datetime) -> bool:
    """Whether ``action`` is allowed at instant ``now`` (aware). The server clock decides."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    s = schedule
    match action:
        case Action.submit:
            return _within(s.call_opens_at, s.submission_hard_close_at, now) and (
                s.submission_deadline_at is not None
            )
        case Action.bid:
            return _within(s.bidding_open_at, s.reviews_open_at or s.reviews_close_at, now)
        case Action.review:
            return _within(s.reviews_open_at, s.reviews_close_at, now)
        case Action.see_decisions:
            return _within(s.decisions_at, None, now)
        case Action.upload_final:
            return _within(s.decisions_at, s.final_version_due_at, now)
        case Action.judge:
            return _within(s.session_starts_at, s.session_ends_at, now)
        case Action.see_awards:
            return _within(s.awards_published_at, None, now)
    raise AssertionError(action)  # pragma: no cover - exhaustive match


def closed_reason(action: Action) -> str:
    """A sentence for a person who tried ``action`` outside its phase."""
    return {
        Action.submit: _("The submission period for this conference is not open."),
        Action.bid: _("Bidding is not open."),
        Action.review: _("Reviewing for this conference is not open."),
        Action.see_decisions: _("Decisions have not been released yet."),
        Action.upload_final: _("Final versions cannot be uploaded now."),
        Action.judge: _("Judging is only open during the poster session."),
        Action.see_awards: _("The awards have not been published yet."),
    }[action]


@dataclass(frozen=True)
class Milestone:
    key: str
    label: str
    at: dt.datetime
    end: dt.datetime | None = None


def milestones(schedule: Schedule) -> list[Milestone]:
    """The public calendar in time order. The grace period is never shown."""
    s = schedule
    rows: list[Milestone] = []

    def add(key: str, label: str, at: dt.datetime | None, end: dt.datetime | None = None) -> None:
        if at is not None:
            rows.append(Milestone(key, label, at, end))

    add("call_opens", _("Call for posters opens"), s.call_opens_at)
    add("submission_deadline", _("Submission deadline"), s.submission_deadline_at)
    add("bidding", _("Reviewer bidding"), s.bidding_open_at, s.reviews_open_at)
    add("reviews", _("Review period"), s.reviews_open_at, s.reviews_close_at)
    add("decisions", _("Decisions released"), s.decisions_at)
    add("final_version", _("Final version due"), s.final_version_due_at)
    add("session", _("Poster session"), s.session_starts_at, s.session_ends_at)
    add("awards", _("Awards published"), s.awards_published_at)
    return sorted(rows, key=lambda m: m.at)


def check_order(schedule: Schedule) -> list[tuple[str, str]]:
    """Return (field, message) pairs for dates that are out of order; empty when fine."""
    s = schedule
    pairs = [
        (
            "submission_deadline_at",
            s.call_opens_at,
            s.submission_deadline_at,
            _("The submission deadline must be after the call opens."),
        ),
        (
            "reviews_close_at",
            s.reviews_open_at,
            s.reviews_close_at,
            _("The review period must end after it starts."),
        ),
        (
            "session_ends_at",
            s.session_starts_at,
            s.session_ends_at,
            _("The poster session must end after it starts."),
        ),
        (
            "final_version_due_at",
            s.decisions_at,
            s.final_version_due_at,
            _("The final version must be due after decisions are released."),
        ),
    ]
    errors = [
        (field, msg)
        for field, start, end, msg in pairs
        if start is not None and end is not None and end <= start
    ]
    if s.grace_minutes < 0 or s.grace_minutes > 7 * 24 * 60:
        errors.append(("grace_minutes", _("The grace period must be between 0 and 10080 minutes.")))
    return errors
