"""Submissions, their ordered authors, PDF revisions with inspection reports, and history."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from poster_review.db import Base, utcnow


class SubmissionState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    withdrawn = "withdrawn"


class InspectionState(enum.StrEnum):
    pending = "pending"  # stored, waiting for the worker
    accepted = "accepted"  # inspected; may have warnings
    rejected = "rejected"  # inspected; an error blocks submission
    failed = "failed"  # the inspection itself could not finish (reported in plain words)


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("conference_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    # Per-conference number shown to people ("Poster 12"); ids stay internal.
    number: Mapped[int]
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300), default="")
    abstract: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(String(500), default="")
    presentation_language: Mapped[str] = mapped_column(String(10), default="en")
    licence: Mapped[str] = mapped_column(String(40), default="CC-BY-4.0")
    state: Mapped[SubmissionState] = mapped_column(
        Enum(SubmissionState, native_enum=False, length=12, validate_strings=True),
        default=SubmissionState.draft,
    )
    # A chair may reopen one submission after the deadline, until this instant.
    reopened_until: Mapped[dt.datetime | None]
    # E-mail addresses of people the authors ask not to review this poster, one per line.
    declared_conflicts: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    withdrawn_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it

    authors: Mapped[list[SubmissionAuthor]] = relationship(
        back_populates="submission",
        order_by="SubmissionAuthor.position",
        cascade="all, delete-orphan",
    )
    files: Mapped[list[PosterFile]] = relationship(
        back_populates="submission", order_by="PosterFile.id", cascade="all, delete-orphan"
    )

    @property
    def current_file(self) -> PosterFile | None:
        return next((f for f in reversed(self.files) if f.is_current), None)

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class SubmissionAuthor(Base):
    __tablename__ = "submission_authors"
    __table_args__ = (Index("ix_submission_authors_email", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    name_latin: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    # One affiliation per line, as the author wrote them.
    affiliations: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    orcid: Mapped[str | None] = mapped_column(String(19))
    is_presenting: Mapped[bool] = mapped_column(default=False)
    is_corresponding: Mapped[bool] = mapped_column(default=False)
    is_student: Mapped[bool] = mapped_column(default=False)
    is_first_time: Mapped[bool] = mapped_column(default=False)
    # The account with this e-mail address, when there is one: it may see the submission.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    submission: Mapped[Submission] = relationship(back_populates="authors")

    @property
    def affiliation_list(self) -> list[str]:
        return [a.strip() for a in self.affiliations.splitlines() if a.strip()]


class PosterFile(Base):
    """One uploaded PDF (a revision); the bytes live in the blob store under ``sha256``."""

    __tablename__ = "poster_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    original_filename: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_current: Mapped[bool] = mapped_column(default=True)
    inspection: Mapped[InspectionState] = mapped_column(
        Enum(InspectionState, native_enum=False, length=10, validate_strings=True),
        default=InspectionState.pending,
    )
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    pages: Mapped[int | None]
    page_width_mm: Mapped[float | None]
    page_height_mm: Mapped[float | None]
    thumb_small_sha256: Mapped[str | None] = mapped_column(String(64))
    thumb_large_sha256: Mapped[str | None] = mapped_column(String(64))
    # Double-blind review: the same PDF without author metadata, given to reviewers.
    blind_sha256: Mapped[str | None] = mapped_column(String(64))
    inspected_at: Mapped[dt.datetime | None]

    submission: Mapped[Submission] = relationship(back_populates="files")


class SubmissionEvent(Base):
    """The history of a submission: who did what, when (shown to its authors and chairs)."""

    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
