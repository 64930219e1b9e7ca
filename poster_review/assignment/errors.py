from __future__ import annotations

from poster_review.errors import DomainError


class ConflictRefused(DomainError):
    """The person has a conflict of interest with the submission."""

    status = 409


class NotInPool(DomainError):
    status = 400
