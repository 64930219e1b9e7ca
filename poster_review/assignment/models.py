"""The reviewer pool, conflicts of interest, bids, assignments and assignment runs."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from poster_review.db import Base, utcnow


def _enum(cls: type[enum.Enum], length: int = 12) -> Enum:
    return Enum(cls, native_enum=False, length=length, validate_strings=True)


class InvitationState(enum.StrEnum):
    invited = "invited"
    accepted = "accepted"
    declined = "declined"


class ReviewRound(enum.StrEnum):
    review = "review"  # before the congress, at a desk
    judging = "judging"  # at the poster board, during the session


class ReviewerProfile(Base):
    """What matching needs to know about one reviewer in one conference."""

    __tablename__ = "reviewer_profiles"
    __table_args__ = (UniqueConstraint("conference_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Current and recent affiliations, one per line.
    affiliations: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    orcid: Mapped[str | None] = mapped_column(String(19))
    # Expertise keywords, comma separated; track ids the reviewer prefers.
    topics: Mapped[str] = mapped_column(Text, default="")
    track_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    languages: Mapped[str] = mapped_column(String(100), default="en")
    min_load: Mapped[int] = mapped_column(default=0)
    max_load: Mapped[int] = mapped_column(default=6)
    available: Mapped[bool] = mapped_column(default=True)
    # E-mail addresses of people the reviewer wrote with recently (co-authorship conflicts).
    coauthor_emails: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[InvitationState] = mapped_column(
        _enum(InvitationState), default=InvitationState.accepted
    )
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ConflictStatus(enum.StrEnum):
    confirmed = "confirmed"  # binding: never assigned, never sees the poster's reviews
    suspected = "suspected"  # found by fuzzy matching; a chair confirms or dismisses
    dismissed = "dismissed"  # a chair looked and said no


class ConflictSource(enum.StrEnum):
    detected = "detected"
    reviewer = "reviewer"
    author = "author"
    chair = "chair"


class Conflict(Base):
    """A conflict of interest between a person and a submission, with its evidence."""

    __tablename__ = "conflicts"
    __table_args__ = (
        UniqueConstraint("submission_id", "user_id", "kind"),
        Index("ix_conflicts_conference_user", "conference_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[ConflictSource] = mapped_column(_enum(ConflictSource))
    status: Mapped[ConflictStatus] = mapped_column(_enum(ConflictStatus))
    evidence: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None]


class BidValue(enum.StrEnum):
    eager = "eager"
    willing = "willing"
    unwilling = "unwilling"
    conflict = "conflict"


class Bid(Base):
    __tablename__ = "bids"
    __table_args__ = (UniqueConstraint("submission_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    value: Mapped[BidValue] = mapped_column(_enum(BidValue))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Assignment(Base):
    """A reviewer (or judge) is to score a submission in a round."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("round", "submission_id", "reviewer_id"),
        Index("ix_assignments_conference_reviewer", "conference_id", "reviewer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    round: Mapped[ReviewRound] = mapped_column(_enum(ReviewRound), default=ReviewRound.review)
    source: Mapped[str] = mapped_column(String(10), default="manual")  # manual | solver
    affinity: Mapped[float | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class RunState(enum.StrEnum):
    preview = "preview"
    applied = "applied"
    discarded = "discarded"


class AssignmentRun(Base):
    """One solver run kept for preview, then applied or discarded."""

    __tablename__ = "assignment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[ReviewRound] = mapped_column(_enum(ReviewRound), default=ReviewRound.review)
    state: Mapped[RunState] = mapped_column(_enum(RunState), default=RunState.preview)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [[submission_id, reviewer_id, affinity], ...] of the proposed assignment.
    pairs: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    objective: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None]


class AssignmentLog(Base):
    """Every change of assignments: who, when, what (shown to chairs)."""

    __tablename__ = "assignment_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    submission_id: Mapped[int | None]
    reviewer_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
