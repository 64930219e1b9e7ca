from __future__ import annotations

import datetime as dt

from poster_review.conferences import timezones

UTC = dt.UTC


def test_aoe_aliases_and_unknown_zone() -> None:
    assert timezones.normalise_zone("AoE") == "Etc/GMT+12"
    assert timezones.normalise_zone(" anywhere on earth ") == "Etc/GMT+12"
    assert timezones.normalise_zone("Asia/Almaty") == "Asia/Almaty"
    assert timezones.normalise_zone("Mars/Olympus_Mons") is None
    assert timezones.normalise_zone("../../etc/passwd") is None


def test_aoe_label_and_end_of_day() -> None:
    # A date ends AoE at 12:00 UTC the next day.
    end_of_day_aoe = timezones.from_local(dt.datetime(2026, 2, 28, 23, 59), "Etc/GMT+12")  # noqa: DTZ001
    assert end_of_day_aoe == dt.datetime(2026, 3, 1, 11, 59, tzinfo=UTC)
    assert (
        timezones.zone_label("Etc/GMT+12", end_of_day_aoe) == "Anywhere on Earth (UTC\u221212:00)"
    )


def test_format_instant_names_the_zone_in_local_time() -> None:
    instant = dt.datetime(2026, 2, 28, 18, 59, tzinfo=UTC)
    text = timezones.format_instant(instant, "Asia/Almaty", "en")
    assert text == "Saturday, February 28, 2026, 23:59 \u2014 Asia/Almaty (UTC+05:00)"
    french = timezones.format_instant(instant, "Europe/Paris", "fr")
    assert french.startswith("samedi 28 février 2026, 19:59")
    assert french.endswith("Europe/Paris (UTC+01:00)")


def test_dst_offsets_follow_the_instant() -> None:
    winter = dt.datetime(2026, 1, 15, 12, tzinfo=UTC)
    summer = dt.datetime(2026, 7, 15, 12, tzinfo=UTC)
    assert timezones.offset_text("America/New_York", winter) == "UTC\u221205:00"
    assert timezones.offset_text("America/New_York", summer) == "UTC\u221204:00"
