"""`pmtui invite`: .ics files (RFC 5545) read back by icalendar, which
wrote them, and by `ical`, a parser that shares no code with it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
from click.testing import CliRunner
from ical.calendar_stream import IcsCalendarStream

from pmtui import store
from pmtui.cli import main
from pmtui.distribute import invite
from pmtui.examples import example_path
from pmtui.team import FILENAME, loads_team

TEAM = """
[[severity]]
name = "P1"
review_within_days = 3
[[people]]
handle = "@alice"
name = "Alice Chen"
email = "alice@example.com"
[[people]]
handle = "@erin"
name = "Erin Okafor"
email = "erin@example.com"
[invite]
hour = 15
duration_minutes = 45
organizer = "sre-leads@example.com"
"""
NOW = datetime(2025, 2, 10, 9, 0, tzinfo=UTC)


def _pm():
    pm = store.load(example_path()).pm
    pm.review_meeting = None
    pm.follow_up = None
    return pm


def _both(data: bytes):
    """The events as each parser reads them: (uid, start UTC, end UTC, attendee emails)."""
    one = icalendar.Calendar.from_ical(data)
    a = [(str(e["UID"]), e.decoded("DTSTART"), e.decoded("DTEND"),
          sorted(str(x).removeprefix("mailto:") for x in (e.get("ATTENDEE") if isinstance(e.get("ATTENDEE"), list)
                                                            else [e["ATTENDEE"]] if e.get("ATTENDEE") else [])))
         for e in one.walk("VEVENT")]
    two = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    b = [(e.uid, e.dtstart.astimezone(UTC), e.dtend.astimezone(UTC),
          sorted((x.uri or "").removeprefix("mailto:") for x in e.attendees)) for e in two.events]
    return a, b, one, two


def test_review_within_policy_in_the_users_zone_stored_in_utc():
    team = loads_team(TEAM).config
    berlin = ZoneInfo("Europe/Berlin")
    review, follow = invite.plan(_pm(), team, zone=berlin)
    # Resolved Sunday 2025-02-09; first working day after: Monday, 15:00 in Berlin = 14:00 UTC.
    assert review.start == datetime(2025, 2, 10, 14, 0, tzinfo=UTC)
    assert review.end - review.start == (datetime(2025, 2, 10, 14, 45, tzinfo=UTC) - review.start)
    assert review.start.astimezone(berlin).hour == 15
    assert follow.start.astimezone(berlin).hour == 15 and follow.start.date().weekday() < 5
    assert sorted(e for _n, e in review.attendees) == ["alice@example.com", "erin@example.com"]
    assert "@bob" in review.unreachable and "@bob" in review.description


def test_ics_parsed_back_by_two_independent_parsers():
    team = loads_team(TEAM).config
    for item in invite.plan(_pm(), team, zone=ZoneInfo("America/New_York")):
        data = invite.to_ics(item, organizer=team.invite.organizer, now=NOW)
        a, b, one, two = _both(data)
        assert a == b == [(item.uid, item.start, item.end, ["alice@example.com", "erin@example.com"])]
        assert one["METHOD"] == "REQUEST" and one["VERSION"] == "2.0"
        event = two.events[0]
        assert event.summary == item.summary and event.description == item.description
        assert str(event.organizer.uri) == "mailto:sre-leads@example.com"
        assert b"DTSTART:" in data and data.count(b"Z\r\n") >= 3  # UTC times, CRLF lines (RFC 5545 3.1)
        assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded at 75 octets


def test_hostile_text_stays_inside_its_property():
    pm = _pm()
    pm.title = 'Outage\r\nATTENDEE:mailto:evil@example.com\r\nBEGIN:VALARM'
    item = invite.plan(pm, loads_team(TEAM).config, zone=UTC)[0]
    a, b, _one, two = _both(invite.to_ics(item, now=NOW))
    assert a[0][3] == b[0][3] == ["alice@example.com", "erin@example.com"]
    assert two.events[0].summary.startswith("Post-mortem review: Outage")
    assert not two.events[0].alarm


def test_cli_writes_both_files_and_records_the_meeting(tmp_path, monkeypatch):
    folder = tmp_path / "pms"
    folder.mkdir()
    (folder / FILENAME).write_text(TEAM)
    path = folder / "api.toml"
    path.write_bytes(example_path().read_bytes())
    before = path.read_text()
    monkeypatch.setenv("PMTUI_NOW", "2025-02-10T09:00:00Z")
    res = CliRunner().invoke(main, ["invite", str(path), "--zone", "Europe/Berlin", "--at", "2025-02-11 10:30",
                                    "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [o["kind"] for o in out] == ["review", "follow-up"]
    assert out[0]["start_utc"] == "2025-02-11T09:30:00+00:00" and out[0]["start_local"].endswith("+01:00")
    review = (folder / "api.review.ics").read_bytes()
    a, b, _one, _two = _both(review)
    assert a == b and a[0][1] == datetime(2025, 2, 11, 9, 30, tzinfo=UTC)
    pm = store.load(path).pm
    assert pm.review_meeting == datetime(2025, 2, 11, 9, 30, tzinfo=UTC)
    after = path.read_text()
    assert [line for line in after.splitlines() if line not in before.splitlines()] == [
        "review_meeting = 2025-02-11T09:30:00Z"]
    again = CliRunner().invoke(main, ["invite", str(path), "--zone", "Europe/Berlin"])
    assert again.exit_code == 0 and "Tue 2025-02-11 10:30 CET (09:30 UTC)" in again.stdout


def test_cli_refuses_an_unknown_zone(tmp_path):
    res = CliRunner().invoke(main, ["invite", str(example_path()), "--zone", "Mars/Olympus"])
    assert res.exit_code == 2 and "unknown time zone 'Mars/Olympus'" in res.stderr
