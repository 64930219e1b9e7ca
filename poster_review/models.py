"""Every domain's models, imported once so that Alembic and the mappers see them all."""

from poster_review.accounts.models import AuthToken, LoginFailure, Membership, Role, User
from poster_review.conferences.models import BlindMode, Conference, Track
from poster_review.db import Base
from poster_review.notifications.models import OutboxMessage, OutboxState

__all__ = [
    "AuthToken",
    "Base",
    "BlindMode",
    "Conference",
    "LoginFailure",
    "Membership",
    "OutboxMessage",
    "OutboxState",
    "Role",
    "Track",
    "User",
]
