"""The physical poster session: sessions and their slots, boards, where each poster
hangs, presenters' attendance, judges' availability and their planned visits."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from poster_review.db import Base, utcnow


class PosterSession(Base):
    """A poster session in one hall; its posters are those of ``track_ids`` (all
    accepted posters not claimed by another session when empty)."""

    __tablename__ = "poster_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    hall: Mapped[str] = mapped_column(String(100))
    track_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    required_judges: Mapped[int] = mapped_column(default=3)
    minutes_per_visit: Mapped[int] = mapped_column(default=10)
    spare_boards: Mapped[int] = mapped_column(default=2)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SessionSlot(Base):
    """A presentation slot: boards take the slots in turn (odd boards the first of two)."""

    __tablename__ = "session_slots"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("poster_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]


class Board(Base):
    """A numbered poster board at (x, y) metres on a hall's floor plan."""

    __tablename__ = "boards"
    __table_args__ = (UniqueConstraint("conference_id", "hall", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    hall: Mapped[str] = mapped_column(String(100))
    row: Mapped[str] = mapped_column(String(40))
    number: Mapped[int]
    x: Mapped[float]
    y: Mapped[float]


class PresenterStatus(enum.StrEnum):
    pending = "pending"  # not answered yet
    confirmed = "confirmed"  # a presenting author will stand at the board in the slot
    cannot_attend = "cannot_attend"  # the chair may record a substitute presenter


class PosterPlacement(Base):
    """The board an accepted poster hangs on in its session, and who presents it."""

    __tablename__ = "poster_placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("poster_sessions.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    # Moved by hand (or kept from a printed numbering): renumbering leaves it there.
    pinned: Mapped[bool] = mapped_column(default=False)
    presenter_status: Mapped[PresenterStatus] = mapped_column(
        Enum(PresenterStatus, native_enum=False, length=16, validate_strings=True),
        default=PresenterStatus.pending,
    )
    presenter_answered_at: Mapped[dt.datetime | None]
    substitute_name: Mapped[str] = mapped_column(String(200), default="")
    substitute_email: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class JudgeAvailability(Base):
    """Whether a judge can judge in a slot; no row means available."""

    __tablename__ = "judge_availability"
    __table_args__ = (UniqueConstraint("slot_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("session_slots.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    available: Mapped[bool] = mapped_column(default=True)


class JudgeVisit(Base):
    """When a judge is planned at a poster's board: one per judging assignment."""

    __tablename__ = "judge_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("poster_sessions.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[int] = mapped_column(ForeignKey("session_slots.id", ondelete="CASCADE"))
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), unique=True
    )
    position: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    source: Mapped[str] = mapped_column(String(12), default="schedule")  # schedule | reassigned
