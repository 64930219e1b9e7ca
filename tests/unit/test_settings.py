from __future__ import annotations

import pytest

from poster_review.errors import ConfigurationError
from poster_review.settings import env_key, parse


def test_environment_overrides_ini() -> None:
    settings = parse(
        {"sqlalchemy.url": "sqlite:///a.sqlite"},
        environ={"POSTER_REVIEW_SQLALCHEMY_URL": "postgresql+psycopg://db/x"},
    )
    assert settings.database_url == "postgresql+psycopg://db/x"
    assert env_key("mail.smtp_password") == "POSTER_REVIEW_MAIL_SMTP_PASSWORD"


def test_production_refuses_to_start_without_secret() -> None:
    with pytest.raises(ConfigurationError, match="No secret is set"):
        parse({"poster_review.environment": "production"}, environ={})
    with pytest.raises(ConfigurationError, match="at least 32 characters"):
        parse(
            {"poster_review.environment": "production", "poster_review.secret": "short"}, environ={}
        )
    ok = parse(
        {
            "poster_review.environment": "production",
            "poster_review.public_url": "https://posters.example.org",
        },
        environ={"POSTER_REVIEW_POSTER_REVIEW_SECRET": "s" * 40},
    )
    assert ok.production and ok.https and ok.secret == "s" * 40


def test_development_gets_a_random_secret() -> None:
    a = parse({}, environ={})
    b = parse({}, environ={})
    assert len(a.secret) >= 32 and a.secret != b.secret


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("poster_review.max_upload_mb", "lots", "must be a whole number"),
        ("poster_review.max_upload_mb", "0", "must be at least 1"),
        ("poster_review.default_timezone", "Nowhere/Land", "Unknown time zone"),
        ("mail.smtp_security", "tls-maybe", "must be none, starttls or ssl"),
        ("poster_review.environment", "staging", "must be development, production or testing"),
    ],
)
def test_bad_values_give_one_sentence(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse({key: value}, environ={})


def test_here_is_substituted_in_defaults() -> None:
    settings = parse({"here": "/srv/app"}, environ={})
    assert settings.database_url == "sqlite:////srv/app/var/poster_review.sqlite"
    assert str(settings.upload_dir) == "/srv/app/var/uploads"
