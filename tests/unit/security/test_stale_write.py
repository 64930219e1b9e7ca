"""A stale write answers 409 and rolls the failed transaction back before the page is
drawn: on PostgreSQL a failed write leaves a transaction that refuses every further
statement, and the error page reads the user's language."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy.orm.exc import StaleDataError

from poster_review.views import stale


def test_stale_write_answers_409_after_rolling_back():
    calls: list[str] = []
    session = SimpleNamespace(rollback=lambda: calls.append("rollback"))
    request = SimpleNamespace(response=SimpleNamespace(status=200), dbsession=session)
    page = stale(StaleDataError("stale"), request)
    assert request.response.status == 409 and page["status"] == 409
    assert "Someone else saved this at the same time" in str(page["message"])
    assert calls == ["rollback"]
