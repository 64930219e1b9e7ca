"""Conferences, their calendar and their tracks."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from poster_review.conferences.phases import Schedule
from poster_review.db import Base, utcnow


class BlindMode(enum.StrEnum):
    open = "open"  # everyone sees names
    single = "single"  # reviewers are hidden from authors
    double = "double"  # authors are hidden from reviewers too


class Conference(Base):
    __tablename__ = "conferences"
    __table_args__ = (CheckConstraint("grace_minutes >= 0", name="grace_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(60), default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    default_locale: Mapped[str] = mapped_column(String(10), default="en")
    # Space-separated locale codes in which posters may be presented.
    languages: Mapped[str] = mapped_column(String(200), default="en")
    blind_mode: Mapped[BlindMode] = mapped_column(
        Enum(BlindMode, native_enum=False, length=10, validate_strings=True),
        default=BlindMode.double,
    )
    contact_email: Mapped[str] = mapped_column(String(254), default="")

    # Poster file limits, shown to authors before they upload.
    poster_max_mb: Mapped[int] = mapped_column(default=50)
    poster_max_pages: Mapped[int] = mapped_column(default=1)
    # The expected format (e.g. A0 portrait 841 x 1189 mm); others get a warning only.
    poster_width_mm: Mapped[int] = mapped_column(default=841)
    poster_height_mm: Mapped[int] = mapped_column(default=1189)
    # Space-separated licence codes authors may choose; the first is the default.
    licences: Mapped[str] = mapped_column(
        String(300), default="CC-BY-4.0 CC-BY-SA-4.0 CC-BY-NC-4.0"
    )

    call_opens_at: Mapped[dt.datetime | None]
    submission_deadline_at: Mapped[dt.datetime | None]
    grace_minutes: Mapped[int] = mapped_column(default=0)
    bidding_open_at: Mapped[dt.datetime | None]
    reviews_open_at: Mapped[dt.datetime | None]
    reviews_close_at: Mapped[dt.datetime | None]
    decisions_at: Mapped[dt.datetime | None]
    final_version_due_at: Mapped[dt.datetime | None]
    session_starts_at: Mapped[dt.datetime | None]
    session_ends_at: Mapped[dt.datetime | None]
    awards_published_at: Mapped[dt.datetime | None]
    # Whether reviewers see the other reviews of a poster once theirs is submitted.
    reviewers_see_others: Mapped[bool] = mapped_column(default=True)
    # When accepted posters (PDF, thumbnail, authors) became public; None: not public.
    posters_published_at: Mapped[dt.datetime | None]

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Optimistic locking: two chairs editing the settings at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it

    tracks: Mapped[list[Track]] = relationship(
        back_populates="conference", order_by="Track.position", cascade="all, delete-orphan"
    )

    @property
    def schedule(self) -> Schedule:
        return Schedule(
            call_opens_at=self.call_opens_at,
            submission_deadline_at=self.submission_deadline_at,
            grace_minutes=self.grace_minutes,
            bidding_open_at=self.bidding_open_at,
            reviews_open_at=self.reviews_open_at,
            reviews_close_at=self.reviews_close_at,
            decisions_at=self.decisions_at,
            final_version_due_at=self.final_version_due_at,
            session_starts_at=self.session_starts_at,
            session_ends_at=self.session_ends_at,
            awards_published_at=self.awards_published_at,
        )

    @property
    def language_list(self) -> list[str]:
        return self.languages.split()

    @property
    def licence_list(self) -> list[str]:
        return self.licences.split()


SCHEDULE_FIELDS: tuple[str, ...] = (
    "call_opens_at",
    "submission_deadline_at",
    "bidding_open_at",
    "reviews_open_at",
    "reviews_close_at",
    "decisions_at",
    "final_version_due_at",
    "session_starts_at",
    "session_ends_at",
    "awards_published_at",
)


class Track(Base):
    __tablename__ = "tracks"
    __table_args__ = (UniqueConstraint("conference_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    conference: Mapped[Conference] = relationship(back_populates="tracks")
