"""A judge's route as an iCalendar document (RFC 5545, ``text/calendar``; pure).

One ``VEVENT`` per visit, with a stable ``UID`` (so a phone that imports the file again
updates the events instead of duplicating them), ``DTSTAMP``, ``DTSTART`` and ``DTEND`` in
UTC, ``SUMMARY`` "Board N: title" and ``LOCATION`` "hall, Board N". Text values are
escaped (backslash, semicolon, comma, line breaks) and control characters dropped;
lines are folded at 75 octets without splitting a UTF-8 character; lines end in CRLF.

Words shown to the judge ("Board") come translated from the caller, as for the board
labels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

MEDIA_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//poster_review//Judge route//EN"
#: Octets per line before folding, CRLF excluded (RFC 5545, 3.1).
LINE_OCTETS = 75

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANY_CONTROL = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class CalendarVisit:
    """One visit. ``uid`` must be unique and stable for the visit, such as
    ``"visit-42@posters.example.org"``; ``start`` and ``end`` are aware datetimes."""

    uid: str
    start: datetime
    end: datetime
    board: str
    title: str
    hall: str = ""
    description: str = ""
    url: str = ""


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545, 3.3.11): backslash, semicolon and comma escaped, any line
    break written ``\\n``, other control characters (tab aside) dropped."""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into lines of at most 75 octets joined by CRLF and a space,
    never splitting a UTF-8 character (RFC 5545, 3.1)."""
    data = line.encode("utf-8")
    if len(data) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    start, limit = 0, LINE_OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a character
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, LINE_OCTETS - 1  # continuation lines begin with a space
    return "\r\n ".join(parts)


def format_utc(moment: datetime) -> str:
    """``YYYYMMDDTHHMMSSZ``; raises ``ValueError`` for a naive datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("calendar times need a time zone")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def build_calendar(
    visits: Sequence[CalendarVisit],
    *,
    now: datetime,
    calendar_name: str = "",
    board_word: str = "Board",
) -> str:
    """The iCalendar text for ``visits`` (sorted by start, then UID). ``now`` is the
    ``DTSTAMP`` of every event; ``calendar_name`` becomes ``X-WR-CALNAME`` when given.
    Raises ``ValueError`` for naive datetimes, a visit that ends before it starts, or a
    UID used twice."""
    stamp = format_utc(now)
    uids = [v.uid for v in visits]
    if len(set(uids)) != len(uids):
        raise ValueError("each visit needs its own UID")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append("METHOD:PUBLISH")
    if calendar_name:
        lines.append(f"X-WR-CALNAME:{escape_text(calendar_name)}")
    for visit in sorted(visits, key=lambda v: (v.start, v.uid)):
        if visit.end <= visit.start:
            raise ValueError(f"visit {visit.uid} ends before it starts")
        place = f"{board_word} {visit.board}"
        location = f"{visit.hall}, {place}" if visit.hall else place
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(visit.uid)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{format_utc(visit.start)}",
            f"DTEND:{format_utc(visit.end)}",
            f"SUMMARY:{escape_text(f'{place}: {visit.title}')}",
            f"LOCATION:{escape_text(location)}",
        ]
        if visit.description:
            lines.append(f"DESCRIPTION:{escape_text(visit.description)}")
        if visit.url:
            lines.append(f"URL:{_ANY_CONTROL.sub('', visit.url)}")
        lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
