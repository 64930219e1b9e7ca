from __future__ import annotations

from poster_review.errors import DomainError


class InvalidCredentials(DomainError):
    status = 400


class LoginThrottled(DomainError):
    status = 429


class InvalidToken(DomainError):
    status = 400


class EmailNotConfirmed(DomainError):
    status = 400
