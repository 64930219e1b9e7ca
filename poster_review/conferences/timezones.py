"""Time zones: validation and human labels (pure).

Instants are stored in UTC and shown in the conference's zone, always with the zone
named. ``Etc/GMT+12`` (note POSIX's inverted sign: UTC−12) is "Anywhere on Earth",
the usual zone of academic deadlines: a date ends there at 12:00 UTC the next day.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from babel.dates import format_date, format_time

from poster_review.i18n import _

AOE = "Etc/GMT+12"
ALIASES = {"aoe": AOE, "anywhere on earth": AOE, "utc-12": AOE}


@functools.cache
def _available() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def normalise_zone(name: str) -> str | None:
    """Return the canonical IANA key for ``name`` (or an AoE alias), or None if unknown."""
    cleaned = name.strip()
    if cleaned.lower() in ALIASES:
        return ALIASES[cleaned.lower()]
    return cleaned if cleaned in _available() else None


def offset_text(zone: str, at: dt.datetime) -> str:
    """``UTC+05:00`` for ``zone`` at instant ``at``; uses a real minus sign."""
    offset = at.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\u2212"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def zone_label(zone: str, at: dt.datetime | None = None) -> str:
    """A label naming the zone: "Anywhere on Earth (UTC−12:00)" or "Asia/Almaty (UTC+05:00)"."""
    at = at or dt.datetime.now(dt.UTC)
    if zone == AOE:
        return str(_("Anywhere on Earth")) + f" ({offset_text(zone, at)})"
    return f"{zone.replace('_', ' ')} ({offset_text(zone, at)})"


def local(instant: dt.datetime, zone: str) -> dt.datetime:
    return instant.astimezone(zoneinfo.ZoneInfo(zone))


def format_instant(instant: dt.datetime, zone: str, locale: str = "en") -> str:
    """Format an instant in ``zone`` for ``locale`` with the zone named, e.g.
    "Friday, December 18, 2026, 23:59 — Asia/Almaty (UTC+05:00)"."""
    wall = local(instant, zone)
    # The date in the locale's own long form; a 24-hour clock avoids AM/PM ambiguity.
    day = format_date(wall, "full", locale=locale)
    when = f"{day}, {format_time(wall, 'HH:mm', locale=locale)}"
    return f"{when} \u2014 {zone_label(zone, instant)}"


def from_local(naive: dt.datetime, zone: str) -> dt.datetime:
    """Interpret a wall-clock time typed by a chair in ``zone`` and return UTC."""
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(dt.UTC)
