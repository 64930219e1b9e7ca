"""Conference state changes: create, update settings and calendar, tracks."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from poster_review.accounts.models import Role, User
from poster_review.accounts.services import add_membership
from poster_review.conferences.models import SCHEDULE_FIELDS, BlindMode, Conference, Track
from poster_review.conferences.phases import Action, closed_reason, is_open
from poster_review.errors import InvalidInput, PhaseClosed
from poster_review.i18n import _

log = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def get_by_slug(dbsession: Session, slug: str) -> Conference | None:
    return dbsession.scalars(select(Conference).where(Conference.slug == slug)).one_or_none()


def require_open(conference: Conference, action: Action, now: dt.datetime) -> None:
    """The phase gate for services: raise PhaseClosed with a sentence when not open."""
    if not is_open(conference.schedule, action, now):
        raise PhaseClosed(closed_reason(action))


def create_conference(
    dbsession: Session,
    *,
    slug: str,
    name: str,
    timezone: str,
    chair: User | None,
    now: dt.datetime,
    default_locale: str = "en",
    languages: str = "en",
    blind_mode: BlindMode = BlindMode.double,
) -> Conference:
    if not SLUG_RE.match(slug):
        raise InvalidInput(
            _(
                "The short address may use lower-case letters, digits and hyphens "
                "(3 to 60 characters)."
            )
        )
    if get_by_slug(dbsession, slug) is not None:
        raise InvalidInput(_("Another conference already uses this short address."))
    conference = Conference(
        slug=slug,
        name=name,
        timezone=timezone,
        created_at=now,
        default_locale=default_locale,
        languages=languages,
        blind_mode=blind_mode,
    )
    dbsession.add(conference)
    dbsession.flush()
    if chair is not None:
        add_membership(dbsession, user=chair, conference_id=conference.id, role=Role.chair, now=now)
    log.info("conference created id=%d", conference.id)
    return conference


def update_settings(
    dbsession: Session,
    conference: Conference,
    *,
    expected_version: int,
    values: Mapping[str, object],
) -> Conference:
    """Apply chair-edited settings. ``expected_version`` is the version the form was
    built from: a concurrent edit raises StaleDataError at flush (shown as 409)."""
    if conference.version != expected_version:
        raise StaleDataError("conference settings changed since the form was loaded")
    allowed = {
        "name",
        "short_name",
        "venue",
        "description",
        "timezone",
        "default_locale",
        "languages",
        "blind_mode",
        "poster_max_mb",
        "poster_max_pages",
        "poster_width_mm",
        "poster_height_mm",
        "licences",
        "reviewers_see_others",
        "contact_email",
        "grace_minutes",
        *SCHEDULE_FIELDS,
    }
    for key, value in values.items():
        if key not in allowed:
            raise ValueError(key)
        setattr(conference, key, value)
    dbsession.flush()
    log.info("conference settings saved id=%d version=%d", conference.id, conference.version)
    return conference


def add_track(
    dbsession: Session, conference: Conference, *, name: str, description: str = ""
) -> Track:
    name = name.strip()
    if not name:
        raise InvalidInput(_("Please give the track a name."))
    if any(t.name.casefold() == name.casefold() for t in conference.tracks):
        raise InvalidInput(_("This conference already has a track with this name."))
    track = Track(name=name, description=description, position=len(conference.tracks))
    conference.tracks.append(track)
    dbsession.flush()
    return track


def delete_track(dbsession: Session, conference: Conference, track_id: int) -> None:
    track = next((t for t in conference.tracks if t.id == track_id), None)
    if track is None:
        raise InvalidInput(_("This track does not exist any more."))
    conference.tracks.remove(track)
    dbsession.flush()
