"""Cross-cutting guarantees: headers, CSRF with nothing lost, commit veto, cookies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from webtest import TestApp

from poster_review.accounts.models import LoginFailure, Role
from poster_review.conferences.models import Track
from poster_review.config import configure
from tests.factories import TEST_PASSWORD, add_role, make_conference, make_user


def test_security_headers_on_pages_and_errors(testapp):
    for url, status in [("/", 200), ("/nowhere", 404), ("/account/login", 200)]:
        response = testapp.get(url, status=status)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(testapp):
    html = testapp.get("/account/register").text
    assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_session_cookie_flags(testapp):
    cookie = testapp.get("/").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test public URL is plain http


def test_signed_in_pages_are_not_cached(testapp, dbsession, login):
    login(make_user(dbsession))
    assert testapp.get("/dashboard").headers["Cache-Control"] == "private, no-store"


def test_post_without_csrf_token_keeps_what_was_typed(testapp, dbsession, login):
    chair = make_user(dbsession)
    conference = make_conference(dbsession)
    add_role(dbsession, chair, conference, Role.chair)
    login(chair)
    page = testapp.post(
        f"/c/{conference.slug}/tracks",
        {
            "name": "Bibliothèques et communautés",
            "description": "Long text",
            "csrf_token": "stale-token",
        },
        status=400,
    )
    assert "Your session expired" in page.text
    resend = next(f for f in page.forms.values() if f.action.endswith("/tracks"))
    assert resend["name"].value == "Bibliothèques et communautés"
    assert resend["description"].value == "Long text"
    assert conference.tracks == []
    resend.submit(status=303)  # one click, with a fresh token, and it is saved
    assert [t.name for t in conference.tracks] == ["Bibliothèques et communautés"]


def test_passwords_are_never_echoed_after_csrf_failure(testapp, dbsession):
    page = testapp.post(
        "/account/login",
        {"email": "a@example.org", "password": "secret-pass", "csrf_token": "bad"},
        status=400,
    )
    assert "secret-pass" not in page.text
    assert 'value="a@example.org"' in page.text


def test_error_response_does_not_commit(raw_settings, engine, committing_factory):
    """pyramid_tm's commit veto: a view that writes and then answers 4xx leaves no row."""
    config = configure(raw_settings)

    def write_then_fail(request: Any) -> dict[str, str]:
        request.dbsession.add(Track(conference_id=conference_id, name="must not survive"))
        request.dbsession.flush()
        request.response.status = 400
        return {"status": "refused"}

    with committing_factory.begin() as s:
        conference = make_conference(s)
        conference_id = conference.id
    try:
        config.add_route("test.write_then_fail", "/test/write-then-fail")
        config.add_view(
            write_then_fail,
            route_name="test.write_then_fail",
            renderer="json",
            require_csrf=False,
            permission="__no_permission_required__",
        )
        app = TestApp(config.make_wsgi_app())
        app.get("/test/write-then-fail", status=400)
        with committing_factory() as s:
            count = s.scalar(
                select(func.count()).select_from(Track).where(Track.conference_id == conference_id)
            )
        assert count == 0
    finally:
        with committing_factory.begin() as s:
            s.delete(s.get(type(conference), conference_id))


def test_failed_login_is_committed_despite_error_status(raw_settings, engine, committing_factory):
    """The one deliberate exception to the veto: throttling must count failures."""
    app = TestApp(
        configure(raw_settings).make_wsgi_app(), extra_environ={"REMOTE_ADDR": "198.51.100.7"}
    )
    with committing_factory.begin() as s:
        user = make_user(s, email="veto-check@example.org")
        user_id = user.id
    try:
        form = app.get("/account/login").forms["login-form"]
        form["email"], form["password"] = "veto-check@example.org", "wrong password!"
        form.submit(status=400)
        with committing_factory() as s:
            assert (
                s.scalar(
                    select(func.count())
                    .select_from(LoginFailure)
                    .where(LoginFailure.email == "veto-check@example.org")
                )
                == 1
            )
        form = app.get("/account/login").forms["login-form"]
        form["email"], form["password"] = "veto-check@example.org", TEST_PASSWORD
        form.submit(status=303)
        with committing_factory() as s:  # a success clears the account's failures
            assert (
                s.scalar(
                    select(func.count())
                    .select_from(LoginFailure)
                    .where(LoginFailure.email == "veto-check@example.org")
                )
                == 0
            )
    finally:
        with committing_factory.begin() as s:
            s.delete(s.get(type(user), user_id))


def test_retry_and_veto_are_configured(app):
    settings = app.registry.settings
    assert settings["tm.commit_veto"] == "pyramid_tm.default_commit_veto"
    assert "retry.attempts" in settings


def test_serialization_conflicts_are_retried(raw_settings, engine):
    """pyramid_retry replays a request whose transaction hit a transient conflict
    (zope.sqlalchemy marks PostgreSQL's serialization failures and deadlocks so)."""
    from transaction.interfaces import TransientError

    config = configure({**raw_settings, "retry.attempts": "3"})
    attempts: list[int] = []

    def flaky(request: Any) -> dict[str, int]:
        attempts.append(1)
        if len(attempts) < 3:
            raise TransientError("could not serialize access")
        return {"attempts": len(attempts)}

    config.add_route("test.flaky", "/test/flaky")
    config.add_view(
        flaky,
        route_name="test.flaky",
        renderer="json",
        require_csrf=False,
        permission="__no_permission_required__",
    )
    app = TestApp(config.make_wsgi_app())
    assert app.get("/test/flaky").json == {"attempts": 3}
