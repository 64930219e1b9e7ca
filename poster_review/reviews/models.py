"""Rubric versions and reviews (one per assignment), with optimistic versioning."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.db import Base, utcnow


class ReviewState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"


class RubricVersion(Base):
    """A rubric for one round of one conference. Locked once a review uses it: a
    change then makes a new version, and old reviews keep theirs."""

    __tablename__ = "rubric_versions"
    __table_args__ = (UniqueConstraint("conference_id", "round", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    round: Mapped[ReviewRound] = mapped_column(
        Enum(ReviewRound, native_enum=False, length=12, validate_strings=True)
    )
    version: Mapped[int] = mapped_column(default=1)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), unique=True
    )
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    confidence: Mapped[int | None]
    # The weighted 0-100 total of what is scored, kept for lists and ranking.
    total: Mapped[float | None]
    state: Mapped[ReviewState] = mapped_column(
        Enum(ReviewState, native_enum=False, length=10, validate_strings=True),
        default=ReviewState.draft,
    )
    # Judging at the board: the presenter was not there (come back later).
    presenter_absent: Mapped[bool] = mapped_column(default=False)
    # Bumped by every save; a save must name the version it was based on (else 409).
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    # Where the last save came from, for the conflict dialogue ("phone", "desk").
    client_label: Mapped[str] = mapped_column(String(40), default="")
    # The ORM adds "WHERE revision = <read value>" to every UPDATE: two saves based on
    # the same revision cannot both win, on SQLite and on PostgreSQL alike.
    # A review that exists but was never saved is revision 0, like one not created yet.
    __mapper_args__ = {  # noqa: RUF012 - SQLAlchemy reads it
        "version_id_col": revision,
        "version_id_generator": lambda current: 0 if current is None else current + 1,
    }

    assignment: Mapped[Assignment] = relationship()
