"""What keeps hurting us: incidents per month and severity, TTD/TTM/TTR
per quarter, recurring factor categories, services, alerts and log
signatures (with the incidents behind each), systemic issues that repeat
in different words, and action items by status and age."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from pmtui.library.similar import group
from pmtui.library.summary import Summary

AGE_BUCKETS = ((30, "< 30 days"), (90, "30-90 days"), (180, "90-180 days"), (None, "> 180 days"))


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of `values`; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass
class Recurring:
    name: str
    incidents: list[str]  # ids, oldest first

    def to_json(self) -> dict:
        return {"name": self.name, "count": len(self.incidents), "incidents": self.incidents}


@dataclass
class Stats:
    incidents: int = 0
    undated: int = 0
    since: date | None = None
    months: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    per_month: dict[str, dict[str, int]] = field(default_factory=dict)  # month -> severity -> count
    quarters: list[str] = field(default_factory=list)
    # quarter -> metric (ttd/ttm/ttr) -> (median s, p90 s, n)
    durations: dict[str, dict[str, tuple[float | None, float | None, int]]] = field(default_factory=dict)
    categories: list[Recurring] = field(default_factory=list)
    services: list[Recurring] = field(default_factory=list)
    alerts: list[Recurring] = field(default_factory=list)
    signatures: list[Recurring] = field(default_factory=list)
    systemic: list[dict] = field(default_factory=list)  # {texts, incidents, shared}
    action_status: dict[str, int] = field(default_factory=dict)
    action_age: dict[str, dict[str, int]] = field(default_factory=dict)  # bucket -> status -> count
    overdue: int = 0

    def to_json(self) -> dict:
        return {
            "incidents": self.incidents, "undated": self.undated,
            "since": self.since.isoformat() if self.since else None,
            "per_month": self.per_month,
            "durations": {q: {k: {"median_s": v[0], "p90_s": v[1], "n": v[2]} for k, v in d.items()}
                          for q, d in self.durations.items()},
            "factor_categories": [r.to_json() for r in self.categories],
            "services": [r.to_json() for r in self.services],
            "alerts": [r.to_json() for r in self.alerts],
            "log_signatures": [r.to_json() for r in self.signatures],
            "systemic_issues": self.systemic,
            "actions": {"by_status": self.action_status, "by_age": self.action_age, "overdue": self.overdue},
        }


def _recurring(pairs: list[tuple[str, str]]) -> list[Recurring]:
    by: dict[str, list[str]] = defaultdict(list)
    for name, pm_id in pairs:
        if name and pm_id not in by[name]:
            by[name].append(pm_id)
    out = [Recurring(n, ids) for n, ids in by.items()]
    out.sort(key=lambda r: (-len(r.incidents), r.name))
    return out


def compute(summaries: list[Summary], *, today: date, since: date | None = None) -> Stats:
    chosen = [s for s in summaries if since is None or (s.day is not None and s.day >= since)]
    chosen.sort(key=lambda s: (s.started is None, s.started.timestamp() if s.started else 0.0, s.id))
    st = Stats(incidents=len(chosen), since=since)
    sev_seen: Counter[str] = Counter()
    per_quarter: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"ttd": [], "ttm": [], "ttr": []})
    for s in chosen:
        if s.day is None:
            st.undated += 1
            continue
        month = s.day.strftime("%Y-%m")
        sev = s.severity.strip() or "unset"
        sev_seen[sev] += 1
        st.per_month.setdefault(month, {})
        st.per_month[month][sev] = st.per_month[month].get(sev, 0) + 1
        q = per_quarter[quarter(s.day)]
        for key, value in (("ttd", s.ttd), ("ttm", s.ttm), ("ttr", s.ttr)):
            if value is not None and value.total_seconds() >= 0:
                q[key].append(value.total_seconds())
    if st.per_month:
        st.months = _month_range(min(st.per_month), max(st.per_month))
        for m in st.months:
            st.per_month.setdefault(m, {})
        st.per_month = {m: st.per_month[m] for m in st.months}
    st.severities = sorted(sev_seen, key=lambda v: (v == "unset", v))
    st.quarters = sorted(per_quarter)
    st.durations = {q: {k: (median(v), percentile(v, 90), len(v)) for k, v in per_quarter[q].items()}
                    for q in st.quarters}
    st.categories = _recurring([(c, s.id) for s in chosen for _fid, c, _t in s.factors])
    st.services = _recurring([(v, s.id) for s in chosen for v in s.services])
    st.alerts = _recurring([(a, s.id) for s in chosen for a in s.alerts])
    st.signatures = _recurring([(g, s.id) for s in chosen for g in s.signatures])
    texts, owners = [], []
    for s in chosen:
        for t in s.systemic:
            texts.append(t)
            owners.append(s.id)
    for g in group(texts):
        ids = list(dict.fromkeys(owners[i] for i in g.members))
        if len(ids) >= 2:
            st.systemic.append({"texts": g.texts, "incidents": ids, "shared_words": g.shared})
    status: Counter[str] = Counter()
    age: dict[str, Counter[str]] = {label: Counter() for _lim, label in AGE_BUCKETS}
    for s in chosen:
        for a in s.actions:
            status[a.status] += 1
            days = a.age_days(today, s.started)
            label = _bucket(days)
            age[label][a.status] += 1
            if a.overdue(today):
                st.overdue += 1
    st.action_status = dict(sorted(status.items()))
    st.action_age = {k: dict(sorted(v.items())) for k, v in age.items()}
    return st


def _bucket(days: int | None) -> str:
    if days is None:
        return AGE_BUCKETS[-1][1]
    for limit, label in AGE_BUCKETS:
        if limit is None or days < limit:
            return label
    return AGE_BUCKETS[-1][1]


def _month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return out
