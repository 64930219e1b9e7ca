"""Every domain's models, imported once so that Alembic and the mappers see them all."""

from poster_review.accounts.models import AuthToken, LoginFailure, Membership, Role, User
from poster_review.assignment.models import (
    Assignment,
    AssignmentLog,
    AssignmentRun,
    Bid,
    Conflict,
    ReviewerProfile,
)
from poster_review.awards.models import (
    AuditEntry,
    AwardCategory,
    AwardPublication,
    AwardSnapshot,
    Decision,
    Outcome,
)
from poster_review.conferences.models import BlindMode, Conference, Track
from poster_review.db import Base
from poster_review.notifications.models import OutboxMessage, OutboxState
from poster_review.onsite.models import (
    Board,
    JudgeAvailability,
    JudgeVisit,
    PosterPlacement,
    PosterSession,
    SessionSlot,
)
from poster_review.reviews.models import Review, ReviewState, RubricVersion
from poster_review.submissions.models import (
    InspectionState,
    PosterFile,
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionState,
)

__all__ = [
    "Assignment",
    "AssignmentLog",
    "AssignmentRun",
    "AuditEntry",
    "AuthToken",
    "AwardCategory",
    "AwardPublication",
    "AwardSnapshot",
    "Base",
    "Bid",
    "BlindMode",
    "Board",
    "Conference",
    "Conflict",
    "Decision",
    "InspectionState",
    "JudgeAvailability",
    "JudgeVisit",
    "LoginFailure",
    "Membership",
    "OutboxMessage",
    "OutboxState",
    "Outcome",
    "PosterFile",
    "PosterPlacement",
    "PosterSession",
    "Review",
    "ReviewState",
    "ReviewerProfile",
    "Role",
    "RubricVersion",
    "SessionSlot",
    "Submission",
    "SubmissionAuthor",
    "SubmissionEvent",
    "SubmissionState",
    "Track",
    "User",
]
