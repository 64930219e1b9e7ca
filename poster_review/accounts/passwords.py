"""Password hashing with argon2id (argon2-cffi) and the password rules.

Defaults are RFC 9106's second recommended option (t=3, m=64 MiB, p=4), about 60 ms
on one core here; all three are settings. Hashes made with older parameters are
re-hashed at the next successful log-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from poster_review.i18n import _
from poster_review.settings import Settings

MIN_LENGTH = 10
MAX_LENGTH = 1024  # hashing a megabyte-long "password" would be a cheap denial of service


def hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
        type=Type.ID,
    )


def hash_password(settings: Settings, password: str) -> str:
    return hasher(settings).hash(password)


def verify_password(settings: Settings, stored: str | None, password: str) -> tuple[bool, bool]:
    """Return (matches, needs_rehash)."""
    if not stored or len(password) > MAX_LENGTH:
        return False, False
    ph = hasher(settings)
    try:
        ph.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False, False
    return True, ph.check_needs_rehash(stored)


def password_problem(password: str, email: str = "") -> str | None:
    """A sentence saying what is wrong with a new password, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return _("Use at least ${n} characters.", mapping={"n": MIN_LENGTH})
    if len(password) > MAX_LENGTH:
        return _("Use at most ${n} characters.", mapping={"n": MAX_LENGTH})
    if email and password.strip().lower() == email.strip().lower():
        return _("Your password must not be your e-mail address.")
    if len(set(password)) < 4:
        return _("This password is too easy to guess; mix more different characters.")
    return None
