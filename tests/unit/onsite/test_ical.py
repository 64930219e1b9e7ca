"""The judge's route as iCalendar text: structure, UTC times, escaping, folding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poster_review.onsite.ical import (
    CalendarVisit,
    build_calendar,
    escape_text,
    fold,
)

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
ALMATY = timezone(timedelta(hours=5))


def visit(uid="visit-1@example.org", title="Reading clubs", board="12", hall="Hall A", **kw):
    start = kw.pop("start", datetime(2026, 9, 14, 13, 0, tzinfo=ALMATY))
    return CalendarVisit(uid, start, start + timedelta(minutes=10), board, title, hall, **kw)


def unfold(text):
    """Content lines: CRLF followed by a space or tab continues the previous line."""
    assert text.endswith("\r\n")
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


def unescape(value):
    out, chars = [], iter(value)
    for c in chars:
        if c == "\\":
            nxt = next(chars)
            out.append("\n" if nxt in "nN" else nxt)
        else:
            out.append(c)
    return "".join(out)


def properties(text):
    """The events' properties as dicts (name -> raw value)."""
    events = []
    current: dict[str, str] | None = None
    for line in unfold(text):
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            current[name] = value
    return events


def test_one_event_per_visit_with_utc_times_and_summary():
    text = build_calendar(
        [
            visit(),
            visit(
                "visit-2@example.org",
                "Open data",
                "13",
                start=datetime(2026, 9, 14, 8, 10, tzinfo=UTC),
            ),
        ],
        now=NOW,
        calendar_name="Judging, day 1",
    )
    lines = unfold(text)
    assert lines[:6] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//poster_review//Judge route//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Judging\\, day 1",
    ]
    assert lines[-1] == "END:VCALENDAR"
    first, second = properties(text)
    assert first == {
        "UID": "visit-1@example.org",
        "DTSTAMP": "20260901T120000Z",
        "DTSTART": "20260914T080000Z",  # 13:00 in Almaty (UTC+5)
        "DTEND": "20260914T081000Z",
        "SUMMARY": "Board 12: Reading clubs",
        "LOCATION": "Hall A\\, Board 12",
        "TRANSP": "OPAQUE",
    }
    assert (second["SUMMARY"], second["DTSTART"]) == ("Board 13: Open data", "20260914T081000Z")


def test_every_line_ends_in_crlf():
    text = build_calendar([visit(description="line one\nline two")], now=NOW)
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")


def test_special_characters_are_escaped_and_read_back():
    title = 'Maps; lists, and \\ backslashes\r\nin "rural" libraries\x07'
    text = build_calendar([visit(title=title, description="a\nb")], now=NOW)
    (event,) = properties(text)
    assert event["SUMMARY"] == (
        'Board 12: Maps\\; lists\\, and \\\\ backslashes\\nin "rural" libraries'
    )
    assert (
        unescape(event["SUMMARY"])
        == 'Board 12: Maps; lists, and \\ backslashes\nin "rural" libraries'
    )
    assert event["DESCRIPTION"] == "a\\nb"


def test_translated_board_word_and_url():
    text = build_calendar(
        [visit(hall="", url="https://posters.example.org/j/7\r\n")], now=NOW, board_word="Стенд"
    )
    (event,) = properties(text)
    assert event["SUMMARY"] == "Стенд 12: Reading clubs"
    assert event["LOCATION"] == "Стенд 12"
    assert event["URL"] == "https://posters.example.org/j/7"


def test_long_lines_fold_at_75_octets_without_splitting_characters():
    title = "Библиотеки Казахстана: " + "читательские клубы и цифровые архивы " * 6
    text = build_calendar([visit(title=title)], now=NOW)
    for line in text.encode("utf-8").split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # a split character would not decode
    (event,) = properties(text)
    assert unescape(event["SUMMARY"]) == f"Board 12: {title}"


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=0, max_size=300))
def test_fold_then_unfold_gives_the_line_back(value):
    line = "SUMMARY:" + escape_text(value)
    folded = fold(line)
    for physical in folded.split("\r\n"):
        assert len(physical.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == line


def test_events_are_sorted_by_start():
    late = visit("b@x", start=datetime(2026, 9, 14, 9, 0, tzinfo=UTC))
    early = visit("a@x", start=datetime(2026, 9, 14, 8, 0, tzinfo=UTC))
    events = properties(build_calendar([late, early], now=NOW))
    assert [e["UID"] for e in events] == ["a@x", "b@x"]


def test_an_empty_route_is_a_valid_empty_calendar():
    assert unfold(build_calendar([], now=NOW)) == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//poster_review//Judge route//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "END:VCALENDAR",
    ]


@pytest.mark.parametrize(
    ("visits", "now", "message"),
    [
        ([visit()], datetime(2026, 9, 1, 12, 0), "time zone"),  # noqa: DTZ001 - naive on purpose
        ([visit(start=datetime(2026, 9, 14, 8, 0))], NOW, "time zone"),  # noqa: DTZ001
        ([visit(), visit()], NOW, "own UID"),
    ],
)
def test_bad_input_is_refused(visits, now, message):
    with pytest.raises(ValueError, match=message):
        build_calendar(visits, now=now)


def test_a_visit_ending_before_it_starts_is_refused():
    start = datetime(2026, 9, 14, 8, 0, tzinfo=UTC)
    backwards = CalendarVisit("x@y", start, start - timedelta(minutes=1), "1", "t")
    with pytest.raises(ValueError, match="ends before it starts"):
        build_calendar([backwards], now=NOW)
