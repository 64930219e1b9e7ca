"""Decisions on submissions (awards and published lists build on them)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, event
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


class AwardState(enum.StrEnum):
    open = "open"  # rules may still change
    shortlisted = "shortlisted"  # the first round is drawn; rules are fixed
    frozen = "frozen"  # a snapshot holds the result


class AwardCategory(Base):
    """An award (Best Poster, Best Student Poster…) with its eligibility, its size and
    the tie-break rules declared before results were seen."""

    __tablename__ = "award_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Names and descriptions in the conference's other languages: {locale: text}.
    name_translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    description_translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    student_presenter: Mapped[bool] = mapped_column(default=False)
    first_time_attendee: Mapped[bool] = mapped_column(default=False)
    track_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    shortlist_size: Mapped[int] = mapped_column(default=10)
    places: Mapped[int] = mapped_column(default=3)
    tolerance: Mapped[float] = mapped_column(default=0.5)
    # Ordered rules, e.g. [["criterion", "originality"], ["judges"], ["casting"]].
    tie_breaks: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    rules_declared_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    state: Mapped[AwardState] = mapped_column(
        Enum(AwardState, native_enum=False, length=12, validate_strings=True),
        default=AwardState.open,
    )
    shortlist: Mapped[list[int] | None] = mapped_column(JSON)
    shortlisted_at: Mapped[dt.datetime | None]
    casting_order: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Bumped by every change: a form based on an older version gets a conflict.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it

    def localised_name(self, locale: str) -> str:
        return self.name_translations.get(locale) or self.name

    def localised_description(self, locale: str) -> str:
        return self.description_translations.get(locale) or self.description


class AwardSnapshot(Base):
    """A frozen award result: the inputs, method, parameters, seed, software version and
    result. Never updated: the ORM refuses (see ``_refuse_changes``); a correction is a
    new snapshot."""

    __tablename__ = "award_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("award_categories.id", ondelete="CASCADE"), index=True
    )
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(20))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int]
    software_version: Mapped[str] = mapped_column(String(40))
    algorithm_version: Mapped[int]
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What the public page shows of each winner, copied at freezing time.
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    result_sha256: Mapped[str] = mapped_column(String(64))


@event.listens_for(AwardSnapshot, "before_update")
def _refuse_changes(_mapper: Any, _connection: Any, target: AwardSnapshot) -> None:
    raise SnapshotImmutable(target.id)


class SnapshotImmutable(RuntimeError):
    def __init__(self, snapshot_id: int) -> None:
        super().__init__(f"award snapshot {snapshot_id} is frozen and cannot change")


class AwardPublication(Base):
    """The snapshot an award's public list shows; deleted when taken down."""

    __tablename__ = "award_publications"

    category_id: Mapped[int] = mapped_column(
        ForeignKey("award_categories.id", ondelete="CASCADE"), primary_key=True
    )
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("award_snapshots.id", ondelete="CASCADE"))
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AuditEntry(Base):
    """One step of the committee's work on decisions and awards, in order."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
