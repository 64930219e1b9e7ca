"""Accounts through the whole app: registration, confirmation, log-in, reset, settings."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from poster_review.accounts.models import AuthToken, LoginFailure, TokenPurpose, User
from poster_review.notifications.models import OutboxMessage
from tests.factories import TEST_PASSWORD, make_user


def _last_mail(dbsession, to: str) -> OutboxMessage:
    return dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.to_email == to).order_by(OutboxMessage.id.desc())
    ).first()


def _link(message: OutboxMessage) -> str:
    match = re.search(r"http://localhost(/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def test_register_confirm_and_login_with_cyrillic_name(testapp, dbsession):
    form = testapp.get("/account/register").forms["register-form"]
    form["name"] = "Айгерим Сейткали"
    form["name_latin"] = "Aigerim Seitkali"
    form["email"] = "Aigerim@Example.ORG"
    form["password"] = form["password2"] = "a long passphrase"
    response = form.submit(status=303)
    assert response.location.endswith("/account/login?registered=1")

    user = dbsession.scalars(select(User).where(User.email == "aigerim@example.org")).one()
    assert user.name == "Айгерим Сейткали"
    assert user.email_confirmed_at is None
    assert user.password_hash.startswith("$argon2id$")
    mail = _last_mail(dbsession, "aigerim@example.org")
    assert mail.event == "confirm_email"
    assert "Айгерим Сейткали" in mail.body_text

    # Not confirmed yet: log-in is refused with a way forward.
    login = testapp.get("/account/login").forms["login-form"]
    login["email"], login["password"] = "aigerim@example.org", "a long passphrase"
    refused = login.submit(status=400)
    assert "confirm your e-mail address first" in refused.text
    assert "Send me a new confirmation link" in refused.text

    link = _link(mail)
    page = testapp.get(link)  # a GET does not use the token (mail scanners pre-fetch links)
    assert dbsession.get(User, user.id).email_confirmed_at is None
    page.forms["confirm-form"].submit(status=303)
    assert user.email_confirmed_at is not None

    welcome = login.submit(status=303).follow()
    assert "Welcome, Айгерим Сейткали." in welcome.text
    assert "My conferences" in welcome.text

    # The link works once.
    again = testapp.get(link, status=400)
    assert "already been used" in again.text


def test_register_existing_address_reveals_nothing(testapp, dbsession):
    existing = make_user(dbsession, email="taken@example.org", name="Existing")
    form = testapp.get("/account/register").forms["register-form"]
    form["name"], form["email"] = "Someone", "taken@example.org"
    form["password"] = form["password2"] = "another passphrase"
    response = form.submit(status=303)
    assert response.location.endswith("/account/login?registered=1")  # same answer as new
    assert (
        dbsession.scalar(
            select(func.count()).select_from(User).where(User.email == "taken@example.org")
        )
        == 1
    )
    mail = _last_mail(dbsession, "taken@example.org")
    assert mail.event == "account_exists"
    assert mail.recipient_id == existing.id


def test_register_errors_keep_input_and_sit_beside_fields(testapp, dbsession):
    form = testapp.get("/account/register").forms["register-form"]
    form["name"] = "李华"
    form["email"] = "not an address"
    form["password"] = "short"
    form["password2"] = "short"
    page = form.submit(status=400)
    assert 'value="李华"' in page.text  # what was typed is kept
    assert 'id="f-email-error"' in page.text
    assert "This does not look like an e-mail address." in page.text
    assert "Use at least 10 characters." in page.text
    assert 'aria-invalid="true"' in page.text
    assert dbsession.scalar(select(func.count()).select_from(User)) == 0


def test_wrong_password_is_recorded_and_throttles(testapp, dbsession):
    user = make_user(dbsession)
    for _ in range(5):
        form = testapp.get("/account/login").forms["login-form"]
        form["email"], form["password"] = user.email, "wrong password!"
        page = form.submit(status=400)
        assert "The e-mail address or password is not right." in page.text
    assert dbsession.scalar(select(func.count()).select_from(LoginFailure)) == 5
    # Now even the right password is refused for a while, with a clear message.
    form = testapp.get("/account/login").forms["login-form"]
    form["email"], form["password"] = user.email, TEST_PASSWORD
    page = form.submit(status=429)
    assert "Too many failed attempts. Wait 5 minutes" in page.text


def test_throttle_per_address_across_accounts(testapp, dbsession):
    users = [make_user(dbsession) for _ in range(5)]
    for user in users:
        form = testapp.get("/account/login").forms["login-form"]
        form["email"], form["password"] = user.email, "wrong password!"
        form.submit(status=400)
    fresh = make_user(dbsession)
    form = testapp.get("/account/login").forms["login-form"]
    form["email"], form["password"] = fresh.email, TEST_PASSWORD
    form.submit(status=429)


def test_login_rotates_session_and_csrf_token(testapp, dbsession, login):
    user = make_user(dbsession)
    before = testapp.get("/account/login")
    token_before = before.forms["login-form"]["csrf_token"].value
    form = before.forms["login-form"]
    form["email"], form["password"] = user.email, TEST_PASSWORD
    form.submit(status=303)
    token_after = testapp.get("/account/").forms["profile-form"]["csrf_token"].value
    assert token_after != token_before


def test_login_redirects_only_to_same_site_paths(testapp, dbsession):
    user = make_user(dbsession)
    for target, expected in [
        ("/account/", "/account/"),
        ("//evil.example/", "/dashboard"),
        ("https://evil.example/", "/dashboard"),
    ]:
        testapp.reset()
        form = testapp.get("/account/login", params={"next": target}).forms["login-form"]
        form["email"], form["password"] = user.email, TEST_PASSWORD
        response = form.submit(status=303)
        assert response.location.endswith(expected), (target, response.location)


def test_password_reset_flow_ends_other_sessions(testapp, dbsession, login):
    user = make_user(dbsession)
    login(user)
    version = user.auth_version
    testapp.reset()
    form = testapp.get("/account/reset").forms["reset-request-form"]
    form["email"] = user.email
    page = form.submit(status=200)
    assert "If an account uses this address" in page.text
    mail = _last_mail(dbsession, user.email)
    assert mail.event == "reset_password"
    reset = testapp.get(_link(mail)).forms["reset-form"]
    reset["password"] = reset["password2"] = "brand new passphrase"
    reset.submit(status=303)
    assert user.auth_version == version + 1
    token = dbsession.scalars(
        select(AuthToken).where(AuthToken.purpose == TokenPurpose.reset_password)
    ).one()
    assert token.used_at is not None
    testapp.reset()
    login(user, password="brand new passphrase")


def test_reset_for_unknown_address_says_the_same(testapp, dbsession):
    form = testapp.get("/account/reset").forms["reset-request-form"]
    form["email"] = "nobody@example.org"
    page = form.submit(status=200)
    assert "If an account uses this address" in page.text
    assert dbsession.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_expired_reset_link_is_refused(testapp, dbsession, settings):
    import datetime as dt

    from poster_review.accounts import services

    user = make_user(dbsession)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=5)
    raw = services.issue_token(
        dbsession, settings, purpose=TokenPurpose.reset_password, now=past, user=user, hours=2
    )
    page = testapp.get(f"/account/reset/{raw}", status=400)
    assert "This link has expired. Ask for a new one." in page.text


def test_change_email_needs_password_and_confirmation(testapp, dbsession, login):
    user = make_user(dbsession, email="old@example.org")
    login(user)
    form = testapp.get("/account/").forms["email-form"]
    form["new_email"], form["current_password"] = "new@example.org", "not my password"
    page = form.submit(status=400)
    assert "Your current password is not right." in page.text

    form = testapp.get("/account/").forms["email-form"]
    form["new_email"], form["current_password"] = "new@example.org", TEST_PASSWORD
    form.submit(status=303)
    assert user.email == "old@example.org"  # unchanged until the link is followed
    mail = _last_mail(dbsession, "new@example.org")
    assert mail.event == "change_email"
    testapp.get(_link(mail)).forms["confirm-form"].submit(status=303)
    assert user.email == "new@example.org"


def test_change_password_keeps_this_session(testapp, dbsession, login):
    user = make_user(dbsession)
    login(user)
    form = testapp.get("/account/").forms["password-form"]
    form["current_password"] = TEST_PASSWORD
    form["new_password"] = form["password2"] = "a different passphrase"
    form.submit(status=303)
    assert user.auth_version == 2
    page = testapp.get("/account/", status=200)
    assert "Your password is changed. Other sessions were signed out." in page.text


def test_logout_needs_post_and_ends_session(testapp, dbsession, login):
    user = make_user(dbsession)
    login(user)
    page = testapp.get("/dashboard")
    logout_form = next(f for f in page.forms.values() if f.action.endswith("/account/logout"))
    logout_form.submit(status=303)
    response = testapp.get("/dashboard", status=303)
    assert "/account/login?next=%2Fdashboard" in response.location
