from __future__ import annotations

from poster_review.errors import DomainError


class NotReady(DomainError):
    """The submission lacks something required; ``problems`` lists each in a sentence."""

    status = 400

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if problems else "")
        self.problems = problems


class UploadRefused(DomainError):
    status = 400


class Withdrawn(DomainError):
    status = 409
