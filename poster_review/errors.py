"""Error classes shared by every domain.

Domain errors carry a translatable message; the one exception view in
``poster_review.views`` maps each class to an HTTP status and renders it in the layout.
"""

from __future__ import annotations

from translationstring import TranslationString


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message is one sentence for the operator."""


class DomainError(Exception):
    """A rule of the domain refused an action. ``status`` is the HTTP status it maps to."""

    status = 400

    def __init__(self, message: str | TranslationString) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status = 403


class PhaseClosed(DomainError):
    """The action belongs to a phase that is not open now."""

    status = 409


class Conflict(DomainError):
    """A stale or concurrent write; the client must reload and choose."""

    status = 409


class InvalidInput(DomainError):
    status = 400
