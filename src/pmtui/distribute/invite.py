"""Invitations (RFC 5545 .ics, written with icalendar) for the review
meeting and the follow-up review.

The review meeting falls within the team's policy days after the incident
(review_within_days, per severity), on the first working day after it was
resolved, at the team's hour in the user's own time zone; the follow-up on
the file's follow-up date at the same hour. Times are shown in the user's
zone and stored in UTC (the .ics and the file's review_meeting). Attendees
are the authors, reviewers and action owners (and the roles, the sponsor);
those with an email in the team's roster are ATTENDEEs, the others are
listed in the description. UIDs are stable, so sending again updates the
same events in a calendar.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pmtui.model import PostMortem
from pmtui.team.config import TeamConfig


@dataclass(frozen=True)
class Invite:
    kind: str  # review | follow-up
    uid: str
    summary: str
    start: datetime  # UTC
    end: datetime  # UTC
    description: str
    attendees: tuple[tuple[str, str], ...] = ()  # (name, email)
    unreachable: tuple[str, ...] = ()  # people with no email
    notes: tuple[str, ...] = field(default=())  # e.g. "after the policy's due date"


def local_zone() -> tzinfo:
    """The user's zone: TZ, else /etc/localtime's name, else the offset now."""
    name = os.environ.get("TZ", "").lstrip(":")
    candidates = [name] if name else []
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            candidates.append(link.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for cand in candidates:
        try:
            return ZoneInfo(cand)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return datetime.now().astimezone().tzinfo or UTC


def zone_named(name: str) -> tzinfo:
    if name.upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use a name such as Europe/Berlin or UTC") from None


def attendees(pm: PostMortem, team: TeamConfig) -> list[str]:
    names: list[str] = []
    for group in (pm.authors, pm.reviewers, [a.owner for a in pm.actions], *pm.roles.values(), [pm.sponsor]):
        for n in group:
            if n.strip() and not any(n.strip().lower() == x.lower() for x in names):
                names.append(n.strip())
    return names


def _working_day_after(day: date) -> date:
    nxt = day + timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += timedelta(days=1)
    return nxt


def review_time(pm: PostMortem, team: TeamConfig, zone: tzinfo) -> tuple[datetime, list[str]]:
    """When to hold the review meeting (UTC), and notes about the choice."""
    if pm.review_meeting is not None:
        return pm.review_meeting, []
    if pm.times.started is None:
        raise ValueError("the incident has no start time; set times.started, or give the meeting's time with --at")
    end = pm.times.resolved or pm.times.mitigated or pm.times.started
    days = team.review_within_days(pm.severity)
    due = (pm.times.started.astimezone(zone) + timedelta(days=days)).date()
    day = _working_day_after(end.astimezone(zone).date())
    notes = []
    if day > due:
        notes.append(f"the first working day after the incident is past the policy's {days} days; {due} used")
        day = due
    local = datetime.combine(day, time(team.invite.hour), zone)
    return local.astimezone(UTC), notes


def plan(pm: PostMortem, team: TeamConfig, *, zone: tzinfo, review_at: datetime | None = None,
         follow_up_at: datetime | None = None) -> list[Invite]:
    people = attendees(pm, team)
    reach = []
    unreachable = []
    for name in people:
        person = team.person(name)
        if person is not None and person.email:
            reach.append((person.name or name, person.email))
        else:
            unreachable.append(name)
    ident = pm.id or "postmortem"
    title = pm.title or "incident"
    notes: list[str] = []
    if review_at is None:
        review_at, notes = review_time(pm, team, zone)
    review_at = review_at.astimezone(UTC)
    length = timedelta(minutes=team.invite.duration_minutes)
    text = (f"Post-mortem review of {title} ({ident}).\n"
            "Blameless: we look at systems and decisions, not people.\n"
            f"Severity: {pm.severity or 'not set'}. Action items: {len(pm.actions)}.")
    if unreachable:
        text += "\nAlso invite (no email in .pmtui.toml): " + ", ".join(unreachable)
    out = [Invite("review", f"{ident}-review@pmtui", f"Post-mortem review: {title}", review_at, review_at + length,
                  text, tuple(reach), tuple(unreachable), tuple(notes))]
    follow_day = pm.follow_up_date
    if pm.follow_up is None and follow_day is not None and follow_day.weekday() >= 5:
        follow_day = _working_day_after(follow_day)  # the default date, four weeks on, may be a weekend
    if follow_up_at is None and follow_day is not None:
        local_hour = review_at.astimezone(zone).time().replace(tzinfo=None)
        follow_up_at = datetime.combine(follow_day, local_hour, zone)
    if follow_up_at is not None:
        start = follow_up_at.astimezone(UTC)
        follow_text = (f"Follow-up review of the action items of {title} ({ident}): "
                       f"{sum(1 for a in pm.actions if a.status != 'done')} of {len(pm.actions)} still open.")
        if unreachable:
            follow_text += "\nAlso invite (no email in .pmtui.toml): " + ", ".join(unreachable)
        out.append(Invite("follow-up", f"{ident}-follow-up@pmtui", f"Post-mortem follow-up: {title}", start,
                          start + timedelta(minutes=team.invite.follow_up_minutes), follow_text, tuple(reach),
                          tuple(unreachable)))
    return out


def to_ics(invite: Invite, *, organizer: str = "", now: datetime | None = None) -> bytes:
    """One VCALENDAR with one VEVENT (METHOD:REQUEST), times in UTC."""
    from icalendar import Calendar, Event, vCalAddress, vText

    now = (now or datetime.now(UTC)).astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", "-//pmtui//post-mortem invitations//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    event = Event()
    event.add("uid", invite.uid)
    event.add("dtstamp", now)
    event.add("dtstart", invite.start)
    event.add("dtend", invite.end)
    event.add("summary", invite.summary)
    event.add("description", invite.description)
    # The sequence grows with each sending, so calendars take the update.
    event.add("sequence", int(now.timestamp()) // 60 % 2_000_000_000)
    if organizer:
        org = vCalAddress(organizer if organizer.startswith("mailto:") else f"mailto:{organizer}")
        event.add("organizer", org)
    for name, email in invite.attendees:
        who = vCalAddress(f"mailto:{email}")
        who.params["cn"] = vText(name)
        who.params["role"] = vText("REQ-PARTICIPANT")
        who.params["partstat"] = vText("NEEDS-ACTION")
        who.params["rsvp"] = vText("TRUE")
        event.add("attendee", who, encode=False)
    cal.add_component(event)
    return cal.to_ical()


def file_name(doc_path: Path, kind: str) -> str:
    return f"{doc_path.stem}.{kind}.ics"
