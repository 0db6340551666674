"""The post-mortem as plain data: no I/O, no Textual.

Every datetime held here is timezone-aware UTC; `store` refuses naive ones
on the way in. Figures derived from other fields (TTD, TTM, TTR, duration,
the effective follow-up date) are properties, never stored twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

SCHEMA_VERSION = 1

STATUSES = ("draft", "in review", "published")
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4", "SEV5")  # suggestions; any text is kept
EVENT_KINDS = (
    "symptom",
    "detection",
    "escalation",
    "action",
    "decision",
    "mitigation",
    "resolution",
    "communication",
    "other",
)
FACTOR_CATEGORIES = (
    "monitoring",
    "testing",
    "runbook",
    "capacity",
    "deployment",
    "dependency",
    "process",
    "other",
)
PRIORITIES = ("high", "medium", "low")
ACTION_TYPES = ("mitigate", "prevent", "process")
ACTION_STATUSES = ("open", "in progress", "done")

FOLLOW_UP_AFTER = timedelta(weeks=4)
ACTION_ID_RE = re.compile(r"^AI-(\d{3,})$")


@dataclass
class IncidentTimes:
    started: datetime | None = None
    detected: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None


@dataclass
class Impact:
    description: str = ""
    failed_requests: int | None = None
    users_affected: int | None = None
    revenue: str = ""  # free text: "~$5,000 (estimated)"
    data_lost: bool | None = None


@dataclass
class TimelineEvent:
    time: datetime
    event: str
    source: str = ""
    actor: str = ""
    kind: str = "other"
    key: bool = False  # a key moment: the report shows key rows (all rows when the report says so)
    # Evidence references: "ID" (an evidence record's id), "ID#L120" (a log
    # line), "ID#series={labels}" (one series of a metric's answer).
    evidence: list[str] = field(default_factory=list)


@dataclass
class Why:
    """One node of the five-whys tree, stored flat: `parent` is another why's
    id, or "" for a direct answer to the problem statement (the root)."""

    id: str
    text: str
    parent: str = ""


@dataclass
class Factor:
    id: str
    text: str
    category: str = "other"
    why: str = ""  # id of the why this factor comes from, "" if none


@dataclass
class ActionItem:
    id: str
    action: str
    owner: str = ""
    deadline: date | None = None
    priority: str = ""  # "" = not set yet; checks flag it
    type: str = "prevent"
    status: str = "open"
    labels: list[str] = field(default_factory=list)
    factor: str = ""  # id of the contributing factor it addresses
    tracker: str = ""  # URL of the issue tracking it
    issue: int | None = None  # tracker's issue number, written back by export


@dataclass
class PrometheusSettings:
    url: str = ""
    auth: str = "none"  # none | bearer | basic
    token_env: str = ""  # name of the environment variable, never the token
    username_env: str = ""
    password_env: str = ""
    step: str = ""  # "" = chosen so each series stays under 11,000 points
    queries: dict[str, str] = field(default_factory=dict)


@dataclass
class AlertmanagerSettings:
    url: str = ""


@dataclass
class KubernetesSettings:
    kubeconfig: str = ""  # "" = the usual one (KUBECONFIG or ~/.kube/config)
    context: str = ""
    namespace: str = ""
    deployment: str = ""
    selector: str = ""
    containers: list[str] = field(default_factory=list)
    # Regular expressions tried on each log template's first line: a match
    # makes it an error, a warning, or noise to leave out (ignore wins).
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)


LOG_FORMATS = ("auto", "plain", "combined", "journal", "jsonl")
SLACK_MARKS = ("pushpin", "star", "white_check_mark", "heavy_check_mark", "exclamation", "rotating_light")


@dataclass
class SlackSettings:
    """A Slack channel: from an export (zip or folder, offline) or the Web
    API (the token from the environment variable `token_env` names)."""

    channel: str = ""  # name (inc-2025-02-09-api, #inc-...) or id (C0123ABCD)
    export: str = ""  # export zip or folder, relative to the file's folder
    token_env: str = ""  # "" = SLACK_TOKEN
    marks: list[str] = field(default_factory=list)  # reaction names that rank a message first; [] = SLACK_MARKS
    bots: bool = False  # also bot and app messages
    chatter: bool = False  # also short acknowledgements (ok, +1, thanks)


@dataclass
class PagerDutySettings:
    """A PagerDuty incident's log: from the REST API (the incident's id, or
    found from the window and `service`) or a saved log-entries JSON file."""

    incident: str = ""  # incident id, e.g. Q1W2E3R4T5Y6U7
    file: str = ""  # saved log entries JSON, relative to the file's folder
    service: str = ""  # service id: find the incidents of the window when no id is given
    token_env: str = ""  # "" = PAGERDUTY_TOKEN


@dataclass
class LokiSettings:
    url: str = ""
    query: str = ""  # LogQL; "" = built from [sources.kubernetes] namespace and selector
    tenant: str = ""  # X-Scope-OrgID
    auth: str = "none"  # none | bearer | basic
    token_env: str = ""
    username_env: str = ""
    password_env: str = ""
    # As [sources.kubernetes]: patterns on each log template's first line.
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)


@dataclass
class LogFileSettings:
    """Log files read from disk: each entry a path relative to the file's
    folder, optionally prefixed with its format (`combined:logs/access.log`)."""

    paths: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)


@dataclass
class SourceSettings:
    window_start: datetime | None = None  # None = incident start - 30 min
    window_end: datetime | None = None  # None = resolved + 30 min
    prometheus: PrometheusSettings = field(default_factory=PrometheusSettings)
    alertmanager: AlertmanagerSettings = field(default_factory=AlertmanagerSettings)
    kubernetes: KubernetesSettings = field(default_factory=KubernetesSettings)
    loki: LokiSettings = field(default_factory=LokiSettings)
    files: LogFileSettings = field(default_factory=LogFileSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    pagerduty: PagerDutySettings = field(default_factory=PagerDutySettings)


@dataclass
class Evidence:
    id: str
    kind: str  # logs | metrics | alerts | events | silences | status | chat | paging
    source: str  # prometheus | alertmanager | kubernetes | loki | files | slack | pagerduty | demo
    path: str  # relative to the post-mortem file's folder
    sha256: str
    query: str = ""
    window_start: datetime | None = None
    window_end: datetime | None = None
    fetched: datetime | None = None
    size: int = 0


@dataclass
class Gap:
    source: str
    description: str
    window_start: datetime | None = None
    window_end: datetime | None = None


@dataclass
class GithubExportSettings:
    repo: str = ""  # OWNER/NAME
    base_url: str = ""  # "" = https://api.github.com
    labels: list[str] = field(default_factory=list)


REPORT_TIMELINES = ("auto", "key", "all")


@dataclass
class ReportSettings:
    # Which timeline rows the report shows: "key" the key rows, "all" every
    # row, "auto" (the default) the key rows once any row is key, else all.
    timeline: str = "auto"


# A custom field's value as the file holds it: text and choice are strings,
# number an int or float, date a date, people a list of handles.
CustomValue = str | int | float | date | list[str]


@dataclass
class Approval:
    """One reviewer's sign-off, recorded by `pmtui approve` or the Overview."""

    who: str
    at: datetime
    note: str = ""


@dataclass
class Share:
    """Where the report went: a pull request, an issue, an email..."""

    via: str  # pull-request | issue | email | other
    url: str = ""
    time: datetime | None = None


@dataclass
class PostMortem:
    id: str = ""
    title: str = ""
    status: str = "draft"
    severity: str = ""
    authors: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    reviewed: date | None = None
    services: list[str] = field(default_factory=list)
    follow_up: date | None = None  # None = four weeks after the incident
    shared: datetime | None = None
    related: list[str] = field(default_factory=list)  # ids of other post-mortems
    incident_type: str = ""  # "" = incident; the team's .pmtui.toml lists its types (near-miss...)
    sponsor: str = ""  # executive sponsor of the high-priority action items
    runbooks: list[str] = field(default_factory=list)  # links or paths of the runbooks used
    review_meeting: datetime | None = None  # the review meeting `pmtui invite` booked
    times: IncidentTimes = field(default_factory=IncidentTimes)
    summary: str = ""
    impact: Impact = field(default_factory=Impact)
    trigger: str = ""
    root_cause: str = ""
    immediate_cause: str = ""
    problem: str = ""  # root of the five-whys tree
    shallow_reason: str = ""  # why no chain reaches five, when none does
    whys: list[Why] = field(default_factory=list)
    factors: list[Factor] = field(default_factory=list)
    systemic_issues: list[str] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    went_well: list[str] = field(default_factory=list)
    went_wrong: list[str] = field(default_factory=list)
    lucky: list[str] = field(default_factory=list)
    lessons: list[str] = field(default_factory=list)
    prevention: str = ""
    timeline: list[TimelineEvent] = field(default_factory=list)
    sources: SourceSettings = field(default_factory=SourceSettings)
    evidence: list[Evidence] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    github: GithubExportSettings = field(default_factory=GithubExportSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    # Team conventions (.pmtui.toml): values of its custom fields, people in
    # its roles, text of its extra report sections, by key.
    custom: dict[str, CustomValue] = field(default_factory=dict)
    roles: dict[str, list[str]] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    approvals: list[Approval] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)
    schema: int = SCHEMA_VERSION

    # -- derived figures ---------------------------------------------------

    def _since_start(self, when: datetime | None) -> timedelta | None:
        if self.times.started is None or when is None:
            return None
        return when - self.times.started

    @property
    def time_to_detect(self) -> timedelta | None:
        return self._since_start(self.times.detected)

    @property
    def time_to_mitigate(self) -> timedelta | None:
        return self._since_start(self.times.mitigated)

    @property
    def time_to_resolve(self) -> timedelta | None:
        return self._since_start(self.times.resolved)

    @property
    def duration(self) -> timedelta | None:
        return self.time_to_resolve

    @property
    def follow_up_date(self) -> date | None:
        if self.follow_up is not None:
            return self.follow_up
        if self.times.started is None:
            return None
        return (self.times.started + FOLLOW_UP_AFTER).date()

    @property
    def incident_date(self) -> date | None:
        return self.times.started.date() if self.times.started else None

    @property
    def collection_window(self) -> tuple[datetime, datetime] | None:
        """The window sources read: explicit settings, else incident start
        - 30 min to resolution (or mitigation, or start) + 30 min."""
        pad = timedelta(minutes=30)
        t = self.times
        start = self.sources.window_start or (t.started - pad if t.started else None)
        last = t.resolved or t.mitigated or t.detected or t.started
        end = self.sources.window_end or (last + pad if last else None)
        if start is None or end is None:
            return None
        return start, end

    # -- ids ---------------------------------------------------------------

    def next_action_id(self) -> str:
        highest = 0
        for item in self.actions:
            m = ACTION_ID_RE.match(item.id)
            if m:
                highest = max(highest, int(m.group(1)))
        return f"AI-{highest + 1:03d}"

    def next_why_id(self) -> str:
        return _next_prefixed(self.whys, "W")

    def next_factor_id(self) -> str:
        return _next_prefixed(self.factors, "F")

    # -- lookups -------------------------------------------------------------

    def report_shows_key_rows(self) -> bool:
        """Does the report's timeline show only the key rows? ("key" with no
        row key shows every row: a report never has an empty timeline.)"""
        mode = self.report.timeline
        if mode == "all":
            return False
        return any(e.key for e in self.timeline)

    def why_children(self, parent: str) -> list[Why]:
        return [w for w in self.whys if w.parent == parent]

    def why_depth(self, why_id: str) -> int:
        """1 for an answer to the problem, 2 for its child, ... Cycles and
        dangling parents stop the walk rather than loop forever."""
        by_id = {w.id: w for w in self.whys}
        depth, seen, node = 0, set(), by_id.get(why_id)
        while node is not None and node.id not in seen:
            seen.add(node.id)
            depth += 1
            node = by_id.get(node.parent) if node.parent else None
        return depth

    def why_chains(self) -> list[list[Why]]:
        """Every root-to-leaf chain of the five-whys tree, in file order.
        Iterative: a file may hold a chain of 1,000 whys (recursion failed
        at Python's limit); a why already on its path (a loop) ends it."""
        by_parent: dict[str, list[Why]] = {}
        for w in self.whys:
            by_parent.setdefault(w.parent, []).append(w)
        chains: list[list[Why]] = []
        stack: list[tuple[list[Why], frozenset[int]]] = [
            ([top], frozenset({id(top)})) for top in reversed(by_parent.get("", []))]
        while stack:
            path, on_path = stack.pop()
            kids = [k for k in by_parent.get(path[-1].id, []) if id(k) not in on_path]
            if not kids:
                chains.append(path)
            stack.extend(([*path, kid], on_path | {id(kid)}) for kid in reversed(kids))
        return chains


def _next_prefixed(items: list, prefix: str) -> str:
    highest = 0
    for item in items:
        rest = item.id[len(prefix) :] if item.id.startswith(prefix) else ""
        if rest.isdigit():
            highest = max(highest, int(rest))
    return f"{prefix}{highest + 1}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def sort_timeline(events: list[TimelineEvent]) -> None:
    """Chronological, stable: rows with the same time keep their order."""
    events.sort(key=lambda e: e.time)


def format_duration(delta: timedelta | None) -> str:
    """`1h 35min`, `90s`, `2d 3h`; empty for None."""
    if delta is None:
        return ""
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rem = divmod(total, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, seconds = divmod(rem, 60)
    if days:
        return f"{sign}{days}d {hours}h" if hours else f"{sign}{days}d"
    if hours:
        return f"{sign}{hours}h {minutes}min" if minutes else f"{sign}{hours}h"
    if minutes:
        return f"{sign}{minutes}min {seconds}s" if seconds and minutes < 10 else f"{sign}{minutes}min"
    return f"{sign}{seconds}s"
