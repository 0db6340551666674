"""Reading times and dates the way an engineer types them; always UTC out.

Used by the file loader, the app's forms and the command line, so a time
that works in one place works everywhere.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TIME_FORMS = (
    "2025-02-09T10:05:23Z, 2025-02-09T12:05:23+02:00, 2025-02-09 10:05, "
    "10:05:23 (the incident's date), 10:05 Europe/Berlin"
)
DATE_FORMS = "2025-02-16, +3d, +2w, today, tomorrow, next friday"


class TimeParseError(ValueError):
    """The text is not a time or date pmtui understands; the message says
    what was read and what would have been accepted."""


_CLOCK = r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?"
_DATE = r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
_OFFSET = r"(?P<off>[zZ]|[+-]\d{2}:?\d{2})"
_ZONE = r"(?P<zone>[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*)"

_FULL_RE = re.compile(
    rf"^(?:{_DATE}(?:[Tt ]+|$))?(?:{_CLOCK})?\s*(?:{_OFFSET}|\s{_ZONE})?$"
)


def _zone(name: str) -> timezone | ZoneInfo:
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise TimeParseError(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin, or UTC)") from None


def _offset(text: str) -> timezone:
    if text in ("z", "Z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise TimeParseError(f"offset {text!r} is out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_time(
    text: str,
    *,
    base_date: date | None = None,
    default_zone: str = "UTC",
) -> datetime:
    """Parse `text` into an aware UTC datetime.

    A bare clock time takes `base_date` (the incident's date); a time with no
    offset or zone is read in `default_zone` (UTC unless the user chose
    otherwise). Raises TimeParseError with a message fit to show a user.
    """
    raw = text
    text = text.strip()
    if not text:
        raise TimeParseError(f"empty time; expected one of: {TIME_FORMS}")
    # "10:05 UTC" and "2025-02-09 10:05 Europe/Berlin": the zone is the last word.
    m = _FULL_RE.match(text)
    if m is None or (m.group("y") is None and m.group("h") is None):
        raise TimeParseError(f"{raw!r} is not a time; expected one of: {TIME_FORMS}")
    if m.group("h") is None and (m.group("off") or m.group("zone")):
        raise TimeParseError(f"{raw!r} has a zone but no clock time; expected one of: {TIME_FORMS}")
    if m.group("y") is not None:
        try:
            day = date(int(m.group("y")), int(m.group("mo")), int(m.group("d")))
        except ValueError as exc:
            raise TimeParseError(f"{raw!r}: {exc}") from None
    elif base_date is not None:
        day = base_date
    else:
        raise TimeParseError(
            f"{raw!r} has no date and the incident has no start time to take it from; "
            "write the date too, e.g. 2025-02-09 10:05"
        )
    if m.group("h") is None:
        clock = time(0, 0)
    else:
        frac = (m.group("frac") or "").ljust(6, "0")[:6]
        try:
            clock = time(
                int(m.group("h")),
                int(m.group("m")),
                int(m.group("s") or 0),
                int(frac or 0),
            )
        except ValueError as exc:
            raise TimeParseError(f"{raw!r}: {exc}") from None
    tz: timezone | ZoneInfo
    if m.group("off"):
        tz = _offset(m.group("off"))
    elif m.group("zone"):
        tz = _zone(m.group("zone"))
    else:
        tz = _zone(default_zone)
    return _wall_clock(raw, datetime.combine(day, clock, tzinfo=tz))


def _wall_clock(raw: str, local: datetime) -> datetime:
    """`local` in UTC, refusing a wall-clock time its zone skips (the hour
    clocks jump over in spring) or repeats (the hour they go back over in
    autumn): silently taking 01:30Z for a 02:30 that never happened, or the
    first of two 02:30s, put events an hour off."""
    try:
        first = local.replace(fold=0).astimezone(UTC)
        second = local.replace(fold=1).astimezone(UTC)
    except OverflowError:
        raise TimeParseError(f"{raw!r} is out of range (years 1 to 9999 in UTC)") from None
    if not isinstance(local.tzinfo, ZoneInfo):
        return first
    wall = local.replace(tzinfo=None)
    if first.astimezone(local.tzinfo).replace(tzinfo=None) != wall:
        before = (local - timedelta(hours=3)).utcoffset()
        after = (local + timedelta(hours=3)).utcoffset()
        raise TimeParseError(
            f"{raw!r} does not exist: {local.tzinfo.key} skips that hour (daylight saving time starts); "
            f"write the offset meant, e.g. {wall.isoformat(' ', 'minutes')}{_fmt_offset(before)} or "
            f"{wall.isoformat(' ', 'minutes')}{_fmt_offset(after)}")
    if first != second:
        choices = (first, second)
        raise AmbiguousTime(
            f"{raw!r} happens twice in {local.tzinfo.key} (daylight saving time ends): "
            + " or ".join(f"{wall.isoformat(' ', 'minutes')}{_fmt_offset(c.astimezone(local.tzinfo).utcoffset())}"
                          f" ({c.strftime('%H:%MZ')})" for c in choices)
            + "; write the offset meant", choices)
    return first


class AmbiguousTime(TimeParseError):
    """A wall-clock time that happens twice; `choices` are both, in UTC
    (earlier first), for a UI that asks which."""

    def __init__(self, message: str, choices: tuple[datetime, datetime]) -> None:
        super().__init__(message)
        self.choices = choices


def _fmt_offset(offset: timedelta | None) -> str:
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_optional_time(text: str, *, base_date: date | None = None) -> datetime | None:
    """`parse_time`, with blank text meaning "not set" (None)."""
    return parse_time(text, base_date=base_date) if text.strip() else None


_REL_RE = re.compile(r"^\+\s*(?P<n>\d+)\s*(?P<unit>[dwm])$", re.IGNORECASE)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_date(text: str, *, today: date | None = None) -> date:
    """A calendar date: ISO (`2025-02-16`), relative (`+3d`, `+2w`, `+1m`),
    `today`, `tomorrow`, a weekday (`friday`, `next friday`)."""
    raw = text
    text = text.strip().lower()
    today = today or datetime.now(UTC).date()
    if not text:
        raise TimeParseError(f"empty date; expected one of: {DATE_FORMS}")
    if text == "today":
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    m = _REL_RE.match(text)
    if m:
        n, unit = int(m.group("n")), m.group("unit").lower()
        if unit == "d":
            return today + timedelta(days=n)
        if unit == "w":
            return today + timedelta(weeks=n)
        month = today.month - 1 + n
        year, month = today.year + month // 12, month % 12 + 1
        for day in (today.day, 30, 29, 28):
            try:
                return date(year, month, day)
            except ValueError:
                continue
    words = text.split()
    if words and words[-1] in _WEEKDAYS and (len(words) == 1 or (len(words) == 2 and words[0] == "next")):
        ahead = (_WEEKDAYS.index(words[-1]) - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise TimeParseError(f"{raw!r} is not a date; expected one of: {DATE_FORMS}") from None


def format_utc(when: datetime, *, seconds: bool = True) -> str:
    """`2025-02-09 10:05:23` (UTC, fractions only when present)."""
    when = when.astimezone(UTC)
    if not seconds:
        return when.strftime("%Y-%m-%d %H:%M")
    text = when.strftime("%Y-%m-%d %H:%M:%S")
    if when.microsecond:
        text += f".{when.microsecond:06d}".rstrip("0")
    return text


def format_clock(when: datetime) -> str:
    """`10:05:23` in UTC, for table cells where the date is known."""
    when = when.astimezone(UTC)
    text = when.strftime("%H:%M:%S")
    if when.microsecond:
        text += f".{when.microsecond:06d}".rstrip("0")
    return text
