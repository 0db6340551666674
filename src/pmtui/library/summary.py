"""What the library keeps of one post-mortem: the figures its views need,
small enough that 10,000 of them stay far under 300 MB, and made of plain
values so the cache can store them with `marshal` (no code runs on load).

The checklist is kept without the checks whose answer moves with the
clock alone (checks.NOW_DEPENDENT): those run afresh from the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from pmtui import checks
from pmtui.model import ActionItem, IncidentTimes, PostMortem
from pmtui.team import TeamConfig, TeamResult

# Alert and log-signature names as the sources word their timeline events
# (sources/alertmanager.py, sources/prometheus.py, sources/logsig.py), plus
# CamelCase alert names typed by hand next to the word "alert".
_ALERT_RES = (
    re.compile(r"^Alertmanager: alert (\S+) started"),
    re.compile(r"^Alert ([A-Za-z_:][A-Za-z0-9_:]*)(?: \{[^}]*\})? (?:pending|firing)"),
    re.compile(r"\b([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)\s+alert\b"),
    re.compile(r"\balert\s+([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)\b"),
)
_PLACEHOLDER = "clock"  # a cached check row whose result depends on the clock: run at each listing
_SIGNATURE_RE = re.compile(r"^first '(.+)' (?:error|fatal) \u2014")


@dataclass(slots=True)
class ActionRow:
    pm_id: str
    id: str
    action: str
    owner: str
    deadline: date | None
    priority: str
    type: str
    status: str
    tracker: str
    issue: int | None

    def overdue(self, today: date) -> bool:
        return self.status != "done" and self.deadline is not None and self.deadline < today

    def age_days(self, today: date, started: datetime | None) -> int | None:
        """Days since the incident (an item's own creation is not recorded)."""
        return (today - started.date()).days if started is not None else None


@dataclass(slots=True)
class CheckRow:
    id: str
    result: str
    message: str
    section: str
    row: int | str | None


@dataclass(slots=True)
class Summary:
    id: str
    title: str
    status: str
    severity: str
    services: tuple[str, ...]
    authors: tuple[str, ...]
    reviewers: tuple[str, ...]
    reviewed: date | None
    follow_up: date | None  # the effective date (set, or four weeks after the start)
    follow_up_set: bool
    shared: datetime | None
    started: datetime | None
    detected: datetime | None
    mitigated: datetime | None
    resolved: datetime | None
    related: tuple[str, ...]
    summary: str
    trigger: str
    root_cause: str
    factors: tuple[tuple[str, str, str], ...]  # (id, category, text)
    systemic: tuple[str, ...]
    actions: tuple[ActionRow, ...]
    alerts: tuple[str, ...]
    signatures: tuple[str, ...]
    events: int
    # (id, result, message, section, row) of all but checks.NOW_DEPENDENT:
    # tuples, since a listing reads them only for the counts.
    checks: tuple[tuple, ...]
    github_repo: str = ""
    review_meeting: datetime | None = None
    extra: dict = field(default_factory=dict)

    # -- derived ---------------------------------------------------------------

    def _since(self, when: datetime | None) -> timedelta | None:
        return when - self.started if when is not None and self.started is not None else None

    @property
    def ttd(self) -> timedelta | None:
        return self._since(self.detected)

    @property
    def ttm(self) -> timedelta | None:
        return self._since(self.mitigated)

    @property
    def ttr(self) -> timedelta | None:
        return self._since(self.resolved)

    @property
    def day(self) -> date | None:
        return self.started.date() if self.started is not None else None

    def open_actions(self) -> list[ActionRow]:
        return [a for a in self.actions if a.status != "done"]

    def overdue_actions(self, today: date) -> list[ActionRow]:
        return [a for a in self.actions if a.overdue(today)]

    def checklist(self, now: datetime, team: TeamResult | None = None) -> list[CheckRow]:
        """Every result `pmtui check` gives at `now` under `team` (the
        .pmtui.toml in force), in its order: cached ones as they are, the
        clock's ones (a placeholder each in the cache) run afresh."""
        out: list[CheckRow] = []
        fresh: dict[str, list[CheckRow]] | None = None
        for c in self.checks:
            if c[1] != _PLACEHOLDER:
                out.append(CheckRow(*c))
                continue
            if fresh is None:
                fresh = self._clock_checks(now, team)
            out.extend(fresh.get(c[0], []))
        return out

    def check_counts(self, now: datetime, team: TeamResult | None = None) -> dict[str, int]:
        counts = {checks.PASS: 0, checks.WARN: 0, checks.FAIL: 0}
        for r in self.checklist(now, team):
            counts[r.result] += 1
        return counts

    def _clock_checks(self, now: datetime, team: TeamResult | None) -> dict[str, list[CheckRow]]:
        from pmtui.team import policy

        config = team.config if team is not None else TeamConfig()
        pm = self.clock_model()
        fns = {cid: fn for cid, _t, fn in policy.base_checks(config, pm) if cid in checks.NOW_DEPENDENT}
        fns["review.meeting"] = lambda p, n: policy.check_review_meeting(p, config, n)
        return {cid: [CheckRow(r.id, r.result, r.message, r.section, r.row) for r in fn(pm, now)]
                for cid, fn in fns.items()}

    def clock_model(self) -> PostMortem:
        """A PostMortem holding what the clock-dependent checks read."""
        return PostMortem(
            id=self.id, severity=self.severity, shared=self.shared, reviewed=self.reviewed,
            review_meeting=self.review_meeting,
            times=IncidentTimes(self.started, self.detected, self.mitigated, self.resolved),
            actions=[ActionItem(a.id, a.action, owner=a.owner, deadline=a.deadline, priority=a.priority,
                                type=a.type, status=a.status, tracker=a.tracker, issue=a.issue)
                     for a in self.actions],
        )


def summarise(pm: PostMortem, now: datetime | None = None, team: TeamResult | None = None) -> Summary:
    """The summary of `pm`, its checklist run as `pmtui check` runs it
    under `team` (defaults when None)."""
    from pmtui.team import policy

    now = now or datetime.now(UTC)
    config = team.config if team is not None else TeamConfig()
    rows: list[tuple] = []
    for r in policy.run(pm, config, now=now, problems=team.problems if team is not None else ()):
        if r.id in checks.NOW_DEPENDENT:
            if not rows or rows[-1] != (r.id, _PLACEHOLDER, "", "", None):
                rows.append((r.id, _PLACEHOLDER, "", "", None))
        else:
            rows.append((r.id, r.result, r.message, r.section, r.row))
    alerts: dict[str, None] = {}
    signatures: dict[str, None] = {}
    for ev in pm.timeline:
        text = ev.event
        if "lert" in text:  # every pattern names an alert; most events do not
            for rx in _ALERT_RES:
                found = rx.search(text)
                if found:
                    alerts[found.group(1)] = None
                    break
        if text.startswith("first '"):
            sig = _SIGNATURE_RE.match(text)
            if sig:
                signatures[sig.group(1)] = None
    t = pm.times
    return Summary(
        id=pm.id, title=pm.title, status=pm.status, severity=pm.severity,
        services=tuple(pm.services), authors=tuple(pm.authors), reviewers=tuple(pm.reviewers),
        reviewed=pm.reviewed, follow_up=pm.follow_up_date, follow_up_set=pm.follow_up is not None,
        shared=pm.shared, started=t.started, detected=t.detected, mitigated=t.mitigated, resolved=t.resolved,
        related=tuple(pm.related), summary=pm.summary, trigger=pm.trigger, root_cause=pm.root_cause,
        factors=tuple((f.id, f.category, f.text) for f in pm.factors),
        systemic=tuple(pm.systemic_issues),
        actions=tuple(ActionRow(pm.id, a.id, a.action, a.owner, a.deadline, a.priority, a.type, a.status,
                                a.tracker, a.issue) for a in pm.actions),
        alerts=tuple(alerts), signatures=tuple(signatures), events=len(pm.timeline),
        checks=tuple(rows), review_meeting=pm.review_meeting,
        github_repo=pm.github.repo,
    )


# -- plain values for the cache ---------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _dt(value: datetime | None) -> int | None:
    return None if value is None else (value - _EPOCH) // timedelta(microseconds=1)


def _undt(value: int | None) -> datetime | None:
    return None if value is None else _EPOCH + timedelta(microseconds=value)


def _d(value: date | None) -> int | None:
    return None if value is None else value.toordinal()


def _und(value: int | None) -> date | None:
    return None if value is None else date.fromordinal(value)


def to_plain(s: Summary) -> tuple:
    return (
        s.id, s.title, s.status, s.severity, s.services, s.authors, s.reviewers, _d(s.reviewed), _d(s.follow_up),
        s.follow_up_set, _dt(s.shared), _dt(s.started), _dt(s.detected), _dt(s.mitigated), _dt(s.resolved),
        s.related, s.summary, s.trigger, s.root_cause, s.factors, s.systemic,
        tuple((a.id, a.action, a.owner, _d(a.deadline), a.priority, a.type, a.status, a.tracker, a.issue)
              for a in s.actions),
        s.alerts, s.signatures, s.events,
        s.checks,
        s.github_repo, _dt(s.review_meeting),
    )


def from_plain(t: tuple) -> Summary:
    (pm_id, title, status, severity, services, authors, reviewers, reviewed, follow_up, follow_up_set, shared,
     started, detected, mitigated, resolved, related, summary, trigger, root_cause, factors, systemic, actions,
     alerts, signatures, events, check_rows, repo, meeting) = t
    return Summary(
        pm_id, title, status, severity, tuple(services), tuple(authors), tuple(reviewers), _und(reviewed),
        _und(follow_up), bool(follow_up_set), _undt(shared), _undt(started), _undt(detected), _undt(mitigated),
        _undt(resolved), tuple(related), summary, trigger, root_cause, tuple(tuple(f) for f in factors),
        tuple(systemic),
        tuple(ActionRow(pm_id, a[0], a[1], a[2], _und(a[3]), a[4], a[5], a[6], a[7], a[8]) for a in actions),
        tuple(alerts), tuple(signatures), int(events),
        check_rows, repo, _undt(meeting),
    )
