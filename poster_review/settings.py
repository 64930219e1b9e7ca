"""Settings: read once from the ini file, overridable from the environment, checked.

Every setting has a key in ``development.ini`` (documented in
``production.ini.example`` and ``docs/configuration.md``) and an environment variable
``POSTER_REVIEW_<KEY>`` with dots as underscores, upper-case, which wins. The parsed
:class:`Settings` is stored in the registry as ``registry.poster_settings``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from poster_review.errors import ConfigurationError
from poster_review.units import MB

ENV_PREFIX = "POSTER_REVIEW_"

#: (ini key, default). ``None`` means required in production.
DEFAULTS: dict[str, str] = {
    "sqlalchemy.url": "sqlite:///%(here)s/var/poster_review.sqlite",
    "poster_review.environment": "development",
    "poster_review.secret": "",
    "poster_review.public_url": "http://127.0.0.1:6543",
    "poster_review.upload_dir": "%(here)s/var/uploads",
    "poster_review.max_upload_mb": "100",
    "poster_review.default_locale": "en",
    "poster_review.default_timezone": "UTC",
    "poster_review.session_max_age": "1209600",
    "poster_review.login_max_failures": "10",
    "poster_review.login_window_seconds": "300",
    "poster_review.token_hours": "24",
    "poster_review.argon2_time_cost": "3",
    "poster_review.argon2_memory_kib": "65536",
    "poster_review.argon2_parallelism": "4",
    "tasks.url": "sqlite:%(here)s/var/tasks.sqlite",
    "tasks.embedded_worker": "true",
    "mail.transport": "file:%(here)s/var/mail",
    "mail.sender": "poster_review <noreply@localhost>",
    "mail.smtp_username": "",
    "mail.smtp_password": "",
    "mail.smtp_security": "none",
}


def env_key(key: str) -> str:
    """``sqlalchemy.url`` -> ``POSTER_REVIEW_SQLALCHEMY_URL``."""
    return ENV_PREFIX + key.replace(".", "_").upper()


def merged(raw: Mapping[str, str], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the ini settings with defaults filled in and environment overrides applied."""
    environ = os.environ if environ is None else environ
    here = raw.get("here", os.getcwd())
    out = dict(raw)
    for key, default in DEFAULTS.items():
        value = environ.get(env_key(key), out.get(key, default))
        out[key] = value.replace("%(here)s", here)
    return out


@dataclass(frozen=True)
class Settings:
    database_url: str
    environment: str
    secret: str
    public_url: str
    upload_dir: Path
    max_upload_bytes: int
    default_locale: str
    default_timezone: str
    session_max_age: int
    login_max_failures: int
    login_window_seconds: int
    token_hours: int
    argon2_time_cost: int
    argon2_memory_kib: int
    argon2_parallelism: int
    tasks_url: str
    tasks_embedded_worker: bool
    mail_transport: str
    mail_sender: str
    mail_smtp_username: str
    mail_smtp_password: str
    mail_smtp_security: str

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def https(self) -> bool:
        return self.public_url.startswith("https://")


def _int(values: Mapping[str, str], key: str, minimum: int = 0) -> int:
    try:
        number = int(values[key])
    except ValueError:
        raise ConfigurationError(
            f"Setting {key} must be a whole number, not {values[key]!r}."
        ) from None
    if number < minimum:
        raise ConfigurationError(f"Setting {key} must be at least {minimum}.")
    return number


def parse(raw: Mapping[str, str], environ: Mapping[str, str] | None = None) -> Settings:
    """Parse and check settings. Raises ConfigurationError with one sentence."""
    v = merged(raw, environ)
    environment = v["poster_review.environment"]
    if environment not in {"development", "production", "testing"}:
        raise ConfigurationError(
            "Setting poster_review.environment must be development, production or testing."
        )
    secret = v["poster_review.secret"]
    if not secret:
        if environment == "production":
            raise ConfigurationError(
                f"No secret is set: set {env_key('poster_review.secret')} to a long random value "
                "before starting in production."
            )
        # Development only: a fresh secret per process start (sessions end on restart).
        secret = secrets.token_urlsafe(32)
    elif environment == "production" and len(secret) < 32:
        raise ConfigurationError("The secret must be at least 32 characters long in production.")
    tz = v["poster_review.default_timezone"]
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"Unknown time zone in poster_review.default_timezone: {tz!r}."
        ) from None
    security = v["mail.smtp_security"]
    if security not in {"none", "starttls", "ssl"}:
        raise ConfigurationError("Setting mail.smtp_security must be none, starttls or ssl.")
    return Settings(
        database_url=v["sqlalchemy.url"],
        environment=environment,
        secret=secret,
        public_url=v["poster_review.public_url"].rstrip("/"),
        upload_dir=Path(v["poster_review.upload_dir"]),
        max_upload_bytes=_int(v, "poster_review.max_upload_mb", 1) * MB,
        default_locale=v["poster_review.default_locale"],
        default_timezone=tz,
        session_max_age=_int(v, "poster_review.session_max_age", 60),
        login_max_failures=_int(v, "poster_review.login_max_failures", 1),
        login_window_seconds=_int(v, "poster_review.login_window_seconds", 1),
        token_hours=_int(v, "poster_review.token_hours", 1),
        argon2_time_cost=_int(v, "poster_review.argon2_time_cost", 1),
        argon2_memory_kib=_int(v, "poster_review.argon2_memory_kib", 8),
        argon2_parallelism=_int(v, "poster_review.argon2_parallelism", 1),
        tasks_url=v["tasks.url"],
        tasks_embedded_worker=v["tasks.embedded_worker"].strip().lower()
        in {"1", "true", "yes", "on"},
        mail_transport=v["mail.transport"],
        mail_sender=v["mail.sender"],
        mail_smtp_username=v["mail.smtp_username"],
        mail_smtp_password=v["mail.smtp_password"],
        mail_smtp_security=security,
    )
