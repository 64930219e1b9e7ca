"""Decisions on submissions (awards and published lists build on them)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from poster_review.db import Base, utcnow


class Outcome(enum.StrEnum):
    accept = "accept"
    accept_with_revisions = "accept_with_revisions"
    waitlist = "waitlist"
    reject = "reject"

    @property
    def accepted(self) -> bool:
        return self in (Outcome.accept, Outcome.accept_with_revisions)


class Decision(Base):
    """The committee's decision on one submission; authors see it once released."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[Outcome] = mapped_column(
        Enum(Outcome, native_enum=False, length=24, validate_strings=True)
    )
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When the author was told (the decision e-mail was queued).
    notified_at: Mapped[dt.datetime | None]
