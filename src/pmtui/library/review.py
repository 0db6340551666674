"""The weekly review digest: "if action items languish, incidents will
recur". Open, overdue and recently closed action items grouped by owner
and by post-mortem, post-mortems still unshared 48 h after resolution,
and follow-up reviews due this week (or overdue)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pmtui.checks import SHARE_WITHIN
from pmtui.library.scan import Entry
from pmtui.library.summary import ActionRow, Summary

WEEK = timedelta(days=7)


@dataclass
class Item:
    pm_id: str
    pm_title: str
    file: str
    action: ActionRow
    overdue_days: int  # 0 when not overdue

    def to_json(self) -> dict:
        a = self.action
        return {"post_mortem": self.pm_id, "file": self.file, "id": a.id, "action": a.action, "owner": a.owner,
                "deadline": a.deadline.isoformat() if a.deadline else None, "priority": a.priority,
                "status": a.status, "tracker": a.tracker, "overdue_days": self.overdue_days}


@dataclass
class Digest:
    today: date
    week_start: date
    open: list[Item] = field(default_factory=list)
    closed: list[Item] = field(default_factory=list)
    unshared: list[tuple[Summary, str, timedelta]] = field(default_factory=list)  # (pm, file, since resolved)
    follow_ups: list[tuple[Summary, str, date]] = field(default_factory=list)  # due this week or overdue
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file, why it could not be read)
    closed_note: str = ""

    @property
    def week_id(self) -> str:
        year, week, _day = self.today.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def overdue(self) -> list[Item]:
        return [i for i in self.open if i.overdue_days > 0]

    def by_owner(self) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = defaultdict(list)
        for item in self.open:
            out[item.action.owner.strip() or "(no owner)"].append(item)
        return dict(sorted(out.items(), key=lambda kv: (kv[0] == "(no owner)", kv[0].lower())))

    def by_postmortem(self) -> dict[str, list[Item]]:
        out: dict[str, list[Item]] = defaultdict(list)
        for item in self.open:
            out[item.pm_id].append(item)
        return dict(out)

    def to_json(self) -> dict:
        return {
            "today": self.today.isoformat(), "week": self.week_id,
            "open": [i.to_json() for i in self.open],
            "overdue": [i.to_json() for i in self.overdue],
            "recently_closed": [i.to_json() for i in self.closed],
            "recently_closed_means": self.closed_note,
            "unshared": [{"id": s.id, "title": s.title, "file": f,
                          "hours_since_resolved": int(d.total_seconds() // 3600)} for s, f, d in self.unshared],
            "follow_ups": [{"id": s.id, "title": s.title, "file": f, "date": d.isoformat(),
                            "overdue": d < self.today} for s, f, d in self.follow_ups],
            "unreadable": [{"file": f, "problem": p} for f, p in self.problems],
        }


def _order(item: Item) -> tuple:
    a = item.action
    prio = {"high": 0, "medium": 1, "low": 2}.get(a.priority, 3)
    return (-item.overdue_days, prio, a.deadline or date.max, item.pm_id, a.id)


def build(entries: list[Entry], now: datetime, *, closed_since: dict[tuple[str, str], datetime] | None = None,
          changed_since: set[str] | None = None) -> Digest:
    """`closed_since`: (post-mortem id, item id) -> when its GitHub issue
    was closed (from a sync). Items done without one count as recently
    closed when their file changed this week (`changed_since`, paths)."""
    today = now.date()
    week_start = today - timedelta(days=today.weekday())
    d = Digest(today, week_start)
    d.closed_note = ("issues closed on GitHub in the last 7 days" if closed_since is not None
                     else "done items in files changed in the last 7 days")
    for e in entries:
        if not e.ok or e.summary is None:
            d.problems.append((e.name, e.problem.splitlines()[0] if e.problem else e.state))
            continue
        s = e.summary
        for a in s.actions:
            if a.status != "done":
                late = (today - a.deadline).days if a.deadline is not None and a.deadline < today else 0
                d.open.append(Item(s.id, s.title, e.name, a, late))
            else:
                when = (closed_since or {}).get((s.id, a.id))
                if (when is not None and now - when <= WEEK) or (
                        when is None and changed_since is not None and e.name in changed_since):
                    d.closed.append(Item(s.id, s.title, e.name, a, 0))
        if s.resolved is not None and s.shared is None and now - s.resolved > SHARE_WITHIN:
            d.unshared.append((s, e.name, now - s.resolved))
        if s.follow_up is not None and s.reviewed is None and s.follow_up < week_start + WEEK:
            d.follow_ups.append((s, e.name, s.follow_up))
    d.open.sort(key=_order)
    d.closed.sort(key=lambda i: (i.pm_id, i.action.id))
    d.unshared.sort(key=lambda t: -t[2])
    d.follow_ups.sort(key=lambda t: t[2])
    return d
