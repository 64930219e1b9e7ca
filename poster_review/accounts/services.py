"""Account state changes: registration, log-in, tokens, password and e-mail changes, invitations.

Services take the session explicitly and never commit. Messages go to the outbox in
the same transaction. Answers never reveal whether an address has an account.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from poster_review.accounts import passwords
from poster_review.accounts.errors import (
    EmailNotConfirmed,
    InvalidCredentials,
    InvalidToken,
    LoginThrottled,
)
from poster_review.accounts.models import (
    AuthToken,
    LoginFailure,
    Membership,
    Role,
    TokenPurpose,
    User,
)
from poster_review.conferences.models import Conference
from poster_review.errors import InvalidInput
from poster_review.i18n import _
from poster_review.notifications.services import queue_email
from poster_review.settings import Settings

log = logging.getLogger(__name__)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(dbsession: Session, email: str) -> User | None:
    return dbsession.scalars(select(User).where(User.email == normalise_email(email))).one_or_none()


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    dbsession: Session,
    settings: Settings,
    *,
    purpose: TokenPurpose,
    now: dt.datetime,
    user: User | None = None,
    email: str | None = None,
    conference_id: int | None = None,
    role: str | None = None,
    hours: int | None = None,
) -> str:
    """Create a single-use token and return the raw value (only its hash is stored)."""
    raw = secrets.token_urlsafe(32)
    token = AuthToken(
        purpose=purpose,
        token_hash=_hash_token(raw),
        user=user,
        email=email,
        conference_id=conference_id,
        role=role,
        created_at=now,
        expires_at=now + dt.timedelta(hours=hours or settings.token_hours),
    )
    dbsession.add(token)
    dbsession.flush()
    return raw


def peek_token(dbsession: Session, raw: str, purpose: TokenPurpose, now: dt.datetime) -> AuthToken:
    """Return the valid token for ``raw`` without using it up. Raises InvalidToken."""
    token = dbsession.scalars(
        select(AuthToken).where(AuthToken.token_hash == _hash_token(raw))
    ).one_or_none()
    if token is None or token.purpose != purpose:
        raise InvalidToken(_("This link is not valid. Check that you copied all of it."))
    if token.used_at is not None:
        raise InvalidToken(_("This link has already been used. Ask for a new one if you need to."))
    if token.expires_at <= now:
        raise InvalidToken(_("This link has expired. Ask for a new one."))
    return token


def use_token(dbsession: Session, raw: str, purpose: TokenPurpose, now: dt.datetime) -> AuthToken:
    token = peek_token(dbsession, raw, purpose, now)
    token.used_at = now
    dbsession.flush()
    return token


def register(
    dbsession: Session,
    settings: Settings,
    *,
    email: str,
    name: str,
    password: str,
    now: dt.datetime,
    locale: str | None = None,
    name_latin: str | None = None,
) -> User | None:
    """Create an unconfirmed account and mail a confirmation link.

    If the address already has an account, nothing is created and that person is told
    by mail instead, so the form never reveals who is registered. Returns the new user
    or None.
    """
    email = normalise_email(email)
    existing = find_user(dbsession, email)
    if existing is not None:
        raw = issue_token(
            dbsession, settings, purpose=TokenPurpose.reset_password, now=now, user=existing
        )
        queue_email(
            dbsession,
            event="account_exists",
            to_email=existing.email,
            to_name=existing.name,
            recipient_id=existing.id,
            now=now,
            locale=existing.locale or settings.default_locale,
            context={"reset_url": f"{settings.public_url}/account/reset/{raw}"},
        )
        return None
    user = User(
        email=email,
        name=name.strip(),
        name_latin=(name_latin or "").strip() or None,
        password_hash=passwords.hash_password(settings, password),
        locale=locale,
        created_at=now,
    )
    dbsession.add(user)
    dbsession.flush()
    raw = issue_token(dbsession, settings, purpose=TokenPurpose.confirm_email, now=now, user=user)
    queue_email(
        dbsession,
        event="confirm_email",
        to_email=user.email,
        to_name=user.name,
        recipient_id=user.id,
        now=now,
        locale=locale or settings.default_locale,
        context={
            "confirm_url": f"{settings.public_url}/account/confirm/{raw}",
            "hours": settings.token_hours,
        },
    )
    log.info("user registered id=%d", user.id)
    return user


def confirm_email(dbsession: Session, raw: str, now: dt.datetime) -> User:
    token = use_token(dbsession, raw, TokenPurpose.confirm_email, now)
    user = token.user
    if user is None:  # pragma: no cover - confirm tokens always have a user
        raise InvalidToken(_("This link is not valid."))
    user.email_confirmed_at = user.email_confirmed_at or now
    log.info("email confirmed user=%d", user.id)
    return user


def resend_confirmation(
    dbsession: Session, settings: Settings, *, email: str, now: dt.datetime
) -> None:
    user = find_user(dbsession, email)
    if user is None or user.email_confirmed_at is not None:
        return
    raw = issue_token(dbsession, settings, purpose=TokenPurpose.confirm_email, now=now, user=user)
    queue_email(
        dbsession,
        event="confirm_email",
        to_email=user.email,
        to_name=user.name,
        recipient_id=user.id,
        now=now,
        locale=user.locale or settings.default_locale,
        context={
            "confirm_url": f"{settings.public_url}/account/confirm/{raw}",
            "hours": settings.token_hours,
        },
    )


def _recent_failures(
    dbsession: Session, column: InstrumentedAttribute[str], value: str, since: dt.datetime
) -> int:
    query = select(func.count()).select_from(LoginFailure)
    return dbsession.scalar(query.where(column == value, LoginFailure.at > since)) or 0


_DUMMY: dict[tuple[int, int, int], str] = {}


def _dummy_hash(settings: Settings) -> str:
    key = (settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    if key not in _DUMMY:
        _DUMMY[key] = passwords.hash_password(settings, secrets.token_urlsafe(16))
    return _DUMMY[key]


def authenticate(
    dbsession: Session,
    settings: Settings,
    *,
    email: str,
    password: str,
    ip: str,
    now: dt.datetime,
) -> User:
    """Return the user for these credentials or raise.

    Raises LoginThrottled after ``login_max_failures`` failures within the window, per
    account and per address (checked before the password, so guessing stays blocked),
    InvalidCredentials for a wrong pair, EmailNotConfirmed for an unconfirmed account.
    """
    email = normalise_email(email)
    since = now - dt.timedelta(seconds=settings.login_window_seconds)
    limit = settings.login_max_failures
    if (
        _recent_failures(dbsession, LoginFailure.email, email, since) >= limit
        or _recent_failures(dbsession, LoginFailure.ip, ip, since) >= limit
    ):
        minutes = max(1, settings.login_window_seconds // 60)
        raise LoginThrottled(
            _(
                "Too many failed attempts. Wait ${minutes} minutes and try again, or reset "
                "your password.",
                mapping={"minutes": minutes},
            )
        )
    user = find_user(dbsession, email)
    # An unknown address costs the same hashing time, so timing does not reveal accounts.
    stored = user.password_hash if user and user.password_hash else _dummy_hash(settings)
    ok, rehash = passwords.verify_password(settings, stored, password)
    ok = ok and user is not None and user.password_hash is not None
    if user is None or not ok:
        dbsession.add(LoginFailure(email=email, ip=ip, at=now))
        dbsession.flush()
        log.info("login failed")
        raise InvalidCredentials(_("The e-mail address or password is not right."))
    if user.email_confirmed_at is None:
        raise EmailNotConfirmed(
            _(
                "Please confirm your e-mail address first: follow the link we sent you. "
                "You can ask for a new link below."
            )
        )
    if rehash:
        user.password_hash = passwords.hash_password(settings, password)
    dbsession.execute(delete(LoginFailure).where(LoginFailure.email == email))
    log.info("login user=%d", user.id)
    return user


def request_password_reset(
    dbsession: Session, settings: Settings, *, email: str, now: dt.datetime
) -> None:
    """Mail a reset link if the address has an account; say nothing either way."""
    user = find_user(dbsession, email)
    if user is None:
        return
    raw = issue_token(
        dbsession, settings, purpose=TokenPurpose.reset_password, now=now, user=user, hours=2
    )
    queue_email(
        dbsession,
        event="reset_password",
        to_email=user.email,
        to_name=user.name,
        recipient_id=user.id,
        now=now,
        locale=user.locale or settings.default_locale,
        context={"reset_url": f"{settings.public_url}/account/reset/{raw}", "hours": 2},
    )


def set_password(dbsession: Session, settings: Settings, user: User, password: str) -> None:
    problem = passwords.password_problem(password, user.email)
    if problem:
        raise InvalidInput(problem)
    user.password_hash = passwords.hash_password(settings, password)
    user.auth_version += 1  # every other session of this person ends
    dbsession.flush()
    log.info("password changed user=%d", user.id)


def reset_password(
    dbsession: Session, settings: Settings, *, raw_token: str, password: str, now: dt.datetime
) -> User:
    token = peek_token(dbsession, raw_token, TokenPurpose.reset_password, now)
    user = token.user
    if user is None:  # pragma: no cover
        raise InvalidToken(_("This link is not valid."))
    set_password(dbsession, settings, user, password)
    token.used_at = now
    # Following the link proves the address is theirs.
    user.email_confirmed_at = user.email_confirmed_at or now
    dbsession.flush()
    return user


def request_email_change(
    dbsession: Session,
    settings: Settings,
    *,
    user: User,
    new_email: str,
    password: str,
    now: dt.datetime,
) -> None:
    """Mail a confirmation link to the new address; the old one stays until it is followed."""
    ok, _rehash = passwords.verify_password(settings, user.password_hash, password)
    if not ok:
        raise InvalidCredentials(_("Your current password is not right."))
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise InvalidInput(_("This is already your e-mail address."))
    raw = issue_token(
        dbsession, settings, purpose=TokenPurpose.change_email, now=now, user=user, email=new_email
    )
    queue_email(
        dbsession,
        event="change_email",
        to_email=new_email,
        to_name=user.name,
        recipient_id=user.id,
        now=now,
        locale=user.locale or settings.default_locale,
        context={
            "confirm_url": f"{settings.public_url}/account/email/{raw}",
            "hours": settings.token_hours,
            "new_email": new_email,
        },
    )


def confirm_email_change(dbsession: Session, raw: str, now: dt.datetime) -> User:
    token = use_token(dbsession, raw, TokenPurpose.change_email, now)
    user, new_email = token.user, token.email
    if user is None or new_email is None:  # pragma: no cover
        raise InvalidToken(_("This link is not valid."))
    if find_user(dbsession, new_email) is not None:
        raise InvalidInput(_("Another account already uses this address."))
    user.email = new_email
    user.email_confirmed_at = now
    dbsession.flush()
    log.info("email changed user=%d", user.id)
    return user


def add_membership(
    dbsession: Session, *, user: User, conference_id: int, role: Role, now: dt.datetime
) -> Membership:
    existing = dbsession.scalars(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.conference_id == conference_id,
            Membership.role == role,
        )
    ).one_or_none()
    if existing is not None:
        return existing
    membership = Membership(user=user, conference_id=conference_id, role=role, created_at=now)
    dbsession.add(membership)
    dbsession.flush()
    log.info("membership added user=%d conference=%d role=%s", user.id, conference_id, role)
    return membership


def invite(
    dbsession: Session,
    settings: Settings,
    *,
    conference: Conference,
    email: str,
    name: str,
    role: Role,
    inviter: User,
    now: dt.datetime,
) -> str:
    """Invite someone to a role in ``conference``; returns the raw token (for the chair's QR)."""
    email = normalise_email(email)
    raw = issue_token(
        dbsession,
        settings,
        purpose=TokenPurpose.invitation,
        now=now,
        email=email,
        conference_id=conference.id,
        role=role.value,
        hours=24 * 14,
        user=find_user(dbsession, email),
    )
    queue_email(
        dbsession,
        event="invitation",
        to_email=email,
        to_name=name,
        now=now,
        conference_id=conference.id,
        locale=conference.default_locale,
        context={
            "invitation_url": f"{settings.public_url}/invitation/{raw}",
            "conference_name": conference.name,
            "role": role.value,
            "inviter_name": inviter.name,
        },
    )
    log.info("invitation sent conference=%d role=%s", conference.id, role)
    return raw


def accept_invitation(
    dbsession: Session,
    settings: Settings,
    *,
    raw_token: str,
    current_user: User | None,
    name: str,
    password: str | None,
    now: dt.datetime,
) -> User:
    """Link the invitation to the signed-in user, to the account of its address, or to a
    new account created with ``name`` and ``password``. The click confirms the address."""
    token = peek_token(dbsession, raw_token, TokenPurpose.invitation, now)
    if token.conference_id is None or token.role is None or token.email is None:  # pragma: no cover
        raise InvalidToken(_("This link is not valid."))
    user = current_user or find_user(dbsession, token.email)
    if user is not None and current_user is None and user.password_hash is None:
        # Imported into a reviewer pool before having an account: they choose a password.
        problem = passwords.password_problem(password or "", token.email)
        if problem:
            raise InvalidInput(problem)
        user.name = name.strip() or user.name
        user.password_hash = passwords.hash_password(settings, password or "")
    if user is None:
        problem = passwords.password_problem(password or "", token.email)
        if problem:
            raise InvalidInput(problem)
        if not name.strip():
            raise InvalidInput(_("Please enter your name."))
        user = User(
            email=token.email,
            name=name.strip(),
            created_at=now,
            password_hash=passwords.hash_password(settings, password or ""),
        )
        dbsession.add(user)
        dbsession.flush()
    if user.email == token.email and user.email_confirmed_at is None:
        user.email_confirmed_at = now
    add_membership(
        dbsession, user=user, conference_id=token.conference_id, role=Role(token.role), now=now
    )
    token.used_at = now
    token.user = user
    dbsession.flush()
    return user


MAGIC_LINK_HOURS = 72


def issue_magic_link(
    dbsession: Session,
    settings: Settings,
    *,
    user: User,
    conference: Conference,
    now: dt.datetime,
    send: bool,
) -> str:
    """A single-use sign-in link for a judge's phone (valid 72 hours). ``send`` mails it;
    otherwise the chair shows it as a QR code to scan."""
    raw = issue_token(
        dbsession,
        settings,
        purpose=TokenPurpose.magic_link,
        now=now,
        user=user,
        conference_id=conference.id,
        hours=MAGIC_LINK_HOURS,
    )
    url = f"{settings.public_url}/judge/{raw}"
    if send:
        queue_email(
            dbsession,
            event="judge_magic_link",
            to_email=user.email,
            to_name=user.name,
            recipient_id=user.id,
            now=now,
            conference_id=conference.id,
            locale=user.locale or conference.default_locale,
            context={
                "conference_name": conference.name,
                "login_url": url,
                "hours": MAGIC_LINK_HOURS,
            },
        )
    log.info("magic link issued user=%d conference=%d sent=%s", user.id, conference.id, send)
    return url


def use_magic_link(dbsession: Session, raw: str, now: dt.datetime) -> AuthToken:
    token = use_token(dbsession, raw, TokenPurpose.magic_link, now)
    if token.user is None:  # pragma: no cover - magic links always name a user
        raise InvalidToken(_("This link is not valid."))
    return token
