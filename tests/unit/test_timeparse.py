from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmtui.timeparse import TimeParseError, format_utc, parse_date, parse_time

DAY = date(2025, 2, 9)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-02-09T10:05:23Z", datetime(2025, 2, 9, 10, 5, 23, tzinfo=UTC)),
        ("2025-02-09T12:05:23+02:00", datetime(2025, 2, 9, 10, 5, 23, tzinfo=UTC)),
        ("2025-02-09T05:05:23-0500", datetime(2025, 2, 9, 10, 5, 23, tzinfo=UTC)),
        ("2025-02-09 10:05", datetime(2025, 2, 9, 10, 5, tzinfo=UTC)),
        ("10:05:23", datetime(2025, 2, 9, 10, 5, 23, tzinfo=UTC)),
        ("10:05:23.250", datetime(2025, 2, 9, 10, 5, 23, 250000, tzinfo=UTC)),
        ("10:05 Europe/Berlin", datetime(2025, 2, 9, 9, 5, tzinfo=UTC)),
        ("2025-07-01 10:00 America/New_York", datetime(2025, 7, 1, 14, 0, tzinfo=UTC)),
        ("10:05 UTC", datetime(2025, 2, 9, 10, 5, tzinfo=UTC)),
    ],
)
def test_accepted_forms_become_utc(text, expected):
    got = parse_time(text, base_date=DAY)
    assert got == expected
    assert got.tzinfo is UTC


def test_default_zone_applies_to_times_without_offset():
    assert parse_time("10:05", base_date=DAY, default_zone="Europe/Berlin") == datetime(2025, 2, 9, 9, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty time"),
        ("soon", "is not a time"),
        ("25:00", "hour must be"),
        ("2025-02-30 10:00", "day is out of range"),
        ("10:05 Mars/Base", "unknown time zone 'Mars/Base'"),
        ("10:05 +25:00", "out of range"),
    ],
)
def test_bad_times_say_why(text, fragment):
    with pytest.raises(TimeParseError, match=fragment):
        parse_time(text, base_date=DAY)


def test_bare_clock_without_incident_date_is_explained():
    with pytest.raises(TimeParseError, match="no date"):
        parse_time("10:05")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-02-16", date(2025, 2, 16)),
        ("+3d", date(2025, 2, 3)),
        ("+2w", date(2025, 2, 14)),
        ("+1m", date(2025, 2, 28)),
        ("today", date(2025, 1, 31)),
        ("tomorrow", date(2025, 2, 1)),
        ("next friday", date(2025, 2, 7)),
        ("Friday", date(2025, 2, 7)),
    ],
)
def test_dates(text, expected):
    assert parse_date(text, today=date(2025, 1, 31)) == expected


def test_bad_date():
    with pytest.raises(TimeParseError, match="not a date"):
        parse_date("whenever", today=date(2025, 1, 31))


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)))
def test_formatted_utc_reads_back(when):
    assert parse_time(format_utc(when) + "Z") == when


def test_optional_time_blank_is_unset_and_bad_text_still_explained():
    from pmtui.timeparse import parse_optional_time

    assert parse_optional_time("  ") is None
    assert parse_optional_time("10:05", base_date=DAY) == datetime(2025, 2, 9, 10, 5, tzinfo=UTC)
    with pytest.raises(TimeParseError, match="is not a time"):
        parse_optional_time("soon", base_date=DAY)
