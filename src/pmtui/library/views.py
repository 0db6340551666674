"""Filtering, sorting and the row figures a listing shows, shared by
`pmtui ls` and the Library screen; and the stats as plain text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pmtui.library.scan import Entry
from pmtui.library.stats import Stats
from pmtui.model import format_duration

SEVERITY_ORDER = {f"SEV{i}": i for i in range(1, 6)} | {f"P{i}": i for i in range(0, 6)}


def severity_rank(sev: str) -> tuple[int, str]:
    s = sev.strip().upper()
    return (SEVERITY_ORDER.get(s, 99), s)


@dataclass
class Filter:
    text: str = ""  # words every one of which the row's id, title, services or status holds
    severities: set[str] = field(default_factory=set)
    statuses: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    since: date | None = None
    until: date | None = None

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.severities or self.statuses or self.services or self.since
                    or self.until)

    def describe(self) -> str:
        parts = []
        if self.text.strip():
            parts.append(f'"{self.text.strip()}"')
        for label, values in (("severity", self.severities), ("status", self.statuses), ("service", self.services)):
            if values:
                parts.append(f"{label} {', '.join(sorted(values))}")
        if self.since or self.until:
            parts.append(f"{self.since.isoformat() if self.since else '…'} to "
                         f"{self.until.isoformat() if self.until else '…'}")
        return "; ".join(parts)


def matches(e: Entry, f: Filter) -> bool:
    s = e.summary
    if s is None:
        # Unreadable files stay in view unless a filter needs their data;
        # the text filter still finds them by name.
        if f.severities or f.statuses or f.services or f.since or f.until:
            return False
        return all(w in e.name.lower() for w in f.text.lower().split())
    if f.severities and s.severity.strip().lower() not in {v.lower() for v in f.severities}:
        return False
    if f.statuses and s.status.lower() not in {v.lower() for v in f.statuses}:
        return False
    if f.services and not {v.lower() for v in s.services} & {v.lower() for v in f.services}:
        return False
    if f.since and (s.day is None or s.day < f.since):
        return False
    if f.until and (s.day is None or s.day > f.until):
        return False
    if f.text.strip():
        hay = " ".join((s.id, s.title, s.severity, s.status, " ".join(s.services), e.rel)).lower()
        if not all(w in hay for w in f.text.lower().split()):
            return False
    return True


def apply_filter(entries: list[Entry], f: Filter) -> list[Entry]:
    return [e for e in entries if matches(e, f)]


def sort_key(name: str, today: date) -> Callable[[Entry], tuple]:
    """A key for list.sort: the newest, worst, most overdue first where
    that is what a person looks for; unreadable files last."""

    def key(e: Entry) -> tuple:
        s = e.summary
        if s is None:
            return (1, e.name)
        if name == "date":
            return (0, -(s.started.timestamp() if s.started else float("-inf")), s.id)
        if name == "id":
            return (0, s.id)
        if name == "severity":
            return (0, severity_rank(s.severity), -(s.started.timestamp() if s.started else 0))
        if name == "status":
            return (0, s.status, s.id)
        if name == "title":
            return (0, s.title.lower(), s.id)
        if name == "open":
            return (0, -len(s.open_actions()), s.id)
        if name == "overdue":
            return (0, -len(s.overdue_actions(today)), s.id)
        if name == "ttr":
            return (0, -(s.ttr.total_seconds() if s.ttr else -1), s.id)
        return (0, e.name)

    return key


def checks_state(e: Entry, now: datetime) -> tuple[str, dict[str, int]]:
    """("pass" | "warn" | "fail", counts)."""
    assert e.summary is not None
    counts = e.summary.check_counts(now, e.team)
    state = "fail" if counts["fail"] else "warn" if counts["warn"] else "pass"
    return state, counts


def row_json(e: Entry, now: datetime) -> dict:
    s = e.summary
    assert s is not None
    state, counts = checks_state(e, now)
    today = now.date()

    def secs(d: timedelta | None) -> int | None:
        return int(d.total_seconds()) if d is not None else None

    return {
        "file": e.name, "id": s.id, "title": s.title, "date": s.day.isoformat() if s.day else None,
        "severity": s.severity, "status": s.status, "services": list(s.services),
        "started": s.started.isoformat().replace("+00:00", "Z") if s.started else None,
        "duration_s": secs(s.ttr), "ttd_s": secs(s.ttd), "ttm_s": secs(s.ttm), "ttr_s": secs(s.ttr),
        "actions": len(s.actions), "open_actions": len(s.open_actions()),
        "overdue_actions": len(s.overdue_actions(today)),
        "checks": {"state": state, **counts}, "related": list(s.related), "events": s.events,
    }


def _dur(seconds: float | None) -> str:
    return format_duration(timedelta(seconds=seconds)) if seconds is not None else "-"


def stats_text(st: Stats, *, width: int = 40) -> str:
    """The stats for a terminal: bars drawn with block characters."""
    lines = [f"{st.incidents} incidents" + (f" since {st.since.isoformat()}" if st.since else "")
             + (f" ({st.undated} undated)" if st.undated else ""), ""]
    if st.months:
        lines.append("Incidents per month")
        totals = {m: sum(st.per_month[m].values()) for m in st.months}
        top = max(totals.values()) or 1
        for m in st.months:
            n = totals[m]
            by_sev = sorted(st.per_month[m].items(), key=lambda kv: severity_rank(kv[0]))
            detail = ", ".join(f"{k} {v}" for k, v in by_sev)
            lines.append(f"  {m}  {bar(n, top, width):<{width}}  {n:>3}  {detail}")
        lines.append("")
    if st.quarters:
        lines.append("Time to detect / mitigate / resolve (median, p90)")
        for q in st.quarters:
            d = st.durations[q]
            cells = [f"{k.upper()} {_dur(d[k][0])} / {_dur(d[k][1])}" for k in ("ttd", "ttm", "ttr")]
            lines.append(f"  {q}  " + "   ".join(cells) + f"   ({d['ttr'][2]} incidents)")
        lines.append("")
    for title, rows in (("Contributing-factor categories", st.categories), ("Services", st.services),
                        ("Alerts", st.alerts), ("Log signatures", st.signatures)):
        if not rows:
            continue
        lines.append(f"{title} (incidents)")
        top = len(rows[0].incidents)
        for r in rows[:10]:
            drawn = bar(len(r.incidents), top, width // 2)
            lines.append(f"  {r.name[:36]:<36}  {drawn:<{width // 2}}  {len(r.incidents)}")
        lines.append("")
    if st.systemic:
        lines.append("Systemic issues that repeat")
        for g in st.systemic[:10]:
            lines.append(f"  {len(g['incidents'])} incidents: " + " | ".join(g["texts"][:3]))
        lines.append("")
    if st.action_status:
        lines.append("Action items: " + ", ".join(f"{k} {v}" for k, v in st.action_status.items())
                     + f"; {st.overdue} overdue")
        for label, by in st.action_age.items():
            lines.append(f"  {label:<12} " + ", ".join(f"{k} {v}" for k, v in by.items()))
    return "\n".join(lines).rstrip()


_EIGHTHS = " \u258f\u258e\u258d\u258c\u258b\u258a\u2589"


def bar(value: float, top: float, width: int) -> str:
    """A horizontal bar of `width` cells at most, in eighths of a cell."""
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    full, part = divmod(eighths, 8)
    return "\u2588" * full + (_EIGHTHS[part] if part else "")


FILTER_HELP = "words  sev:SEV1  status:draft  svc:api  from:2025-01  to:2025-03-31"
_FILTER_KEYS = {"sev": "severities", "severity": "severities", "status": "statuses", "svc": "services",
                "service": "services", "from": "since", "since": "since", "to": "until", "until": "until"}


def _day(text: str, *, end: bool) -> date:
    """2025, 2025-03 or 2025-03-14; a year or month counts from its first
    day (from:) or to its last (to:)."""
    parts = text.split("-")
    if len(parts) == 1 and len(text) == 4 and text.isdigit():
        return date(int(text), 12, 31) if end else date(int(text), 1, 1)
    if len(parts) == 2:
        y, mo = int(parts[0]), int(parts[1])
        date(y, mo, 1)  # ValueError for a month that does not exist
        if end:
            nxt = date(y + (mo == 12), mo % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1)
        return date(y, mo, 1)
    return date.fromisoformat(text)


def parse_filter(text: str) -> tuple[Filter, list[str]]:
    """The filter a person typed after `/`, and what in it could not be
    used (each with why). `status:"in review"` and `status:in-review` both work."""
    import shlex

    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    f = Filter()
    words: list[str] = []
    problems: list[str] = []
    for token in tokens:
        key, sep, value = token.partition(":")
        target = _FILTER_KEYS.get(key.lower()) if sep else None
        if target is None or not value:
            words.append(token)
            continue
        if target in ("since", "until"):
            try:
                setattr(f, target, _day(value, end=target == "until"))
            except ValueError:
                problems.append(f"{key}:{value}: not a date such as 2025-03-14, 2025-03 or 2025")
            continue
        values = getattr(f, target)
        for v in value.split(","):
            if v:
                values.add(v.replace("-", " ") if target == "statuses" and v.lower() == "in-review" else v)
    f.text = " ".join(words)
    return f, problems
