from __future__ import annotations

import datetime as dt

import pytest

from poster_review.conferences.phases import Action, Schedule, check_order, is_open, milestones

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)


def schedule(**kw: object) -> Schedule:
    base = {
        "call_opens_at": T0 - 30 * DAY,
        "submission_deadline_at": T0,
        "grace_minutes": 60,
        "reviews_open_at": T0 + 2 * DAY,
        "reviews_close_at": T0 + 20 * DAY,
        "decisions_at": T0 + 30 * DAY,
        "final_version_due_at": T0 + 45 * DAY,
        "session_starts_at": T0 + 90 * DAY,
        "session_ends_at": T0 + 90 * DAY + dt.timedelta(hours=4),
    }
    base.update(kw)
    return Schedule(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (T0 - 31 * DAY, False),  # before the call opens
        (T0 - 30 * DAY, True),  # the instant it opens
        (T0 - dt.timedelta(seconds=1), True),
        (T0, True),  # the published deadline has passed, the hidden grace has not
        (T0 + dt.timedelta(minutes=59, seconds=59), True),
        (T0 + dt.timedelta(minutes=60), False),  # grace over
    ],
)
def test_submit_gate_with_grace(now: dt.datetime, expected: bool) -> None:
    assert is_open(schedule(), Action.submit, now) is expected


def test_submit_without_grace_closes_at_deadline() -> None:
    s = schedule(grace_minutes=0)
    assert is_open(s, Action.submit, T0 - dt.timedelta(microseconds=1))
    assert not is_open(s, Action.submit, T0)


def test_review_judge_and_decision_gates() -> None:
    s = schedule()
    assert not is_open(s, Action.review, T0 + DAY)
    assert is_open(s, Action.review, T0 + 2 * DAY)
    assert not is_open(s, Action.review, T0 + 20 * DAY)
    assert not is_open(s, Action.see_decisions, T0 + 29 * DAY)
    assert is_open(s, Action.see_decisions, T0 + 30 * DAY)
    assert is_open(s, Action.upload_final, T0 + 31 * DAY)
    assert not is_open(s, Action.upload_final, T0 + 45 * DAY)
    assert is_open(s, Action.judge, T0 + 90 * DAY + dt.timedelta(hours=1))
    assert not is_open(s, Action.judge, T0 + 91 * DAY)


def test_unset_phase_is_closed() -> None:
    s = Schedule()
    for action in Action:
        assert not is_open(s, action, T0)


def test_awards_only_after_publication() -> None:
    assert not is_open(schedule(), Action.see_awards, T0 + 100 * DAY)
    s = schedule(awards_published_at=T0 + 95 * DAY)
    assert is_open(s, Action.see_awards, T0 + 95 * DAY)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_open(schedule(), Action.submit, dt.datetime(2026, 3, 1))  # noqa: DTZ001


def test_milestones_sorted_and_grace_never_shown() -> None:
    rows = milestones(schedule())
    assert [m.key for m in rows] == [
        "call_opens",
        "submission_deadline",
        "reviews",
        "decisions",
        "final_version",
        "session",
    ]
    assert rows[1].at == T0  # the published deadline, not deadline + grace
    assert rows[2].end == T0 + 20 * DAY


def test_check_order_reports_fields() -> None:
    bad = schedule(reviews_close_at=T0 + DAY, reviews_open_at=T0 + 2 * DAY, grace_minutes=-5)
    fields = [f for f, _ in check_order(bad)]
    assert fields == ["reviews_close_at", "grace_minutes"]
    assert check_order(schedule()) == []
