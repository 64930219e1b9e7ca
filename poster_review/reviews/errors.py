from __future__ import annotations

from typing import Any

from poster_review.errors import DomainError


class StaleReview(DomainError):
    """The save was based on an older revision; ``current`` is what the server has."""

    status = 409

    def __init__(self, message: str, current: dict[str, Any]) -> None:
        super().__init__(message)
        self.current = current


class ReviewIncomplete(DomainError):
    status = 400

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing
