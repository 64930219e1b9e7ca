"""Accounts: people, their single-use tokens and failed log-in attempts."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from poster_review.db import Base, utcnow


class TokenPurpose(enum.StrEnum):
    confirm_email = "confirm_email"
    reset_password = "reset_password"  # noqa: S105 - a purpose, not a secret
    change_email = "change_email"
    invitation = "invitation"
    magic_link = "magic_link"


class Role(enum.StrEnum):
    """Roles within one conference. A judge scores at the poster board."""

    chair = "chair"
    reviewer = "reviewer"
    judge = "judge"
    author = "author"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased; unique so that one address is one person.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Names in any script as typed; a Latin transliteration helps sorting and badges.
    name: Mapped[str] = mapped_column(String(200))
    name_latin: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    email_confirmed_at: Mapped[dt.datetime | None]
    locale: Mapped[str | None] = mapped_column(String(10))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Bumped on password change or "log out everywhere": sessions carry the value they saw.
    auth_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class AuthToken(Base):
    """A single-use, expiring token. Only the sha256 of the token is stored."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(TokenPurpose, native_enum=False, length=20, validate_strings=True)
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # For invitations to someone without an account, and for a change of address.
    email: Mapped[str | None] = mapped_column(String(254))
    conference_id: Mapped[int | None] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE")
    )
    role: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]

    user: Mapped[User | None] = relationship()


class LoginFailure(Base):
    """One failed log-in, for throttling per account and per address."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Membership(Base):
    """A role a person holds in one conference. A person may hold several."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("conference_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, validate_strings=True)
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
