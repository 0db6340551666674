"""Folders of generated post-mortems, for the library's tests and benchmark:
realistic files written by the store (so in pmtui's own layout), with
recurring services, alerts, log signatures, factor categories and
systemic issues worded differently, open, overdue and done action items,
and the odd file that is broken, from a newer schema or unreadable.

Deterministic for a seed: the same folder every run.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pmtui import model as m
from pmtui import store

SERVICES = ("api-service", "checkout", "payments", "search", "auth", "postgres", "redis", "kafka", "cdn", "billing")
SEVERITIES = ("SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV3", "SEV4")
ALERTS = ("HighErrorRate", "PoolSaturation", "DiskFull", "LatencyP99High", "PodCrashLooping", "CertExpiring")
SIGNATURES = (
    "connection pool exhausted after <N>ms",
    "context deadline exceeded calling <host>",
    "OOMKilled container <id>",
    "TLS handshake timeout to <ip>",
)
# The same systemic issue, worded as different authors word it.
SYSTEMIC = (
    ("Schema migrations are not load-tested before release",
     "Migrations ship without a load test",
     "No load testing of database schema migrations"),
    ("Alerts page nobody outside business hours",
     "Alert routing misses the on-call rotation after hours",
     "After-hours alerts are not routed to on-call"),
    ("Runbooks are out of date for the payment flow",
     "The payment runbook was outdated",
     "Outdated runbooks for payments"),
    ("Capacity planning ignores seasonal peaks",
     "Seasonal traffic peaks are not part of capacity planning"),
)
ROOT_CAUSES = (
    "A query without an index held database connections until the pool was exhausted.",
    "A certificate expired because its renewal job had been failing silently.",
    "A cache stampede after a deploy overloaded the database.",
    "A retry storm from clients amplified a partial outage of the payment provider.",
    "A misconfigured autoscaler capped the pods below the traffic peak.",
)
TITLES = ("pool exhausted", "certificate expired", "retry storm", "cache stampede")
OWNERS = ("@alice", "@bob", "@carol", "@dave", "@erin")
EVENT_TEXTS = (
    "Error rate on {svc} rose to {n}% (p99 latency {n}.3 s)",
    "Deploy of {svc} v2.{n}.0 started",
    "Pool at {n}/20 connections busy",
    "Traffic shifted away from zone {n}",
    "Status page updated: investigating elevated errors",
    "Cache hit ratio dropped to {n}%",
)


def make_pm(i: int, rng: random.Random, events: int) -> m.PostMortem:
    start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(0, 700), minutes=rng.randrange(0, 1440))
    services = rng.sample(SERVICES, rng.randint(1, 3))
    alert = rng.choice(ALERTS)
    sig = rng.choice(SIGNATURES)
    detect = start + timedelta(seconds=rng.randint(30, 1800))
    mitigate = detect + timedelta(seconds=rng.randint(60, 3600))
    resolve = mitigate + timedelta(seconds=rng.randint(60, 7200))
    span = (resolve - start).total_seconds()
    kinds = ("symptom", "action", "communication", "other", "escalation")
    timeline = [m.TimelineEvent(start, f"First errors on {services[0]}", "nginx access logs", "", "symptom"),
                m.TimelineEvent(detect, f"Alertmanager: alert {alert} started (active)", "alertmanager", "",
                                "detection"),
                m.TimelineEvent(detect + timedelta(seconds=5), f"first '{sig}' error \u2014 12 lines until 10:20:00",
                                "kubernetes: pod/api", "", "symptom")]
    for k in range(max(0, events - 5)):
        when = start + timedelta(seconds=span * (k + 1) / (events + 1))
        text = rng.choice(EVENT_TEXTS).format(svc=rng.choice(services), n=k % 97)
        timeline.append(m.TimelineEvent(when, text, rng.choice(("Prometheus", "app logs", "Slack", "kubectl")),
                                        rng.choice(("", "", "@alice", "@bob")), rng.choice(kinds)))
    timeline.append(m.TimelineEvent(mitigate, "Rolled back to the previous release", "kubectl", "@bob", "mitigation"))
    timeline.append(m.TimelineEvent(resolve, "Incident resolved", "PagerDuty", "@alice", "resolution"))
    m.sort_timeline(timeline)
    group = SYSTEMIC[rng.randrange(len(SYSTEMIC))]
    cats = rng.sample(m.FACTOR_CATEGORIES[:7], 2)
    factors = [m.Factor("F1", f"No {cats[0]} safeguard caught the change", cats[0]),
               m.Factor("F2", f"The {cats[1]} gap let it spread", cats[1])]
    actions = []
    for a in range(rng.randint(1, 5)):
        deadline = (start + timedelta(days=rng.randint(5, 60))).date()
        status = rng.choice(("open", "open", "in progress", "done", "done"))
        actions.append(m.ActionItem(f"AI-{a + 1:03d}", f"Add an alert on {rng.choice(services)} pool use above 80%",
                                    owner=rng.choice(OWNERS), deadline=deadline,
                                    priority=rng.choice(m.PRIORITIES), type=rng.choice(m.ACTION_TYPES),
                                    status=status, factor="F1"))
    pm = m.PostMortem(
        id=f"PM-{start.date().isoformat()}-{i:05d}",
        title=f"{services[0]} degradation: {rng.choice(TITLES)}",
        status=rng.choice(m.STATUSES), severity=rng.choice(SEVERITIES), authors=[rng.choice(OWNERS)],
        services=services, times=m.IncidentTimes(start, detect, mitigate, resolve),
        summary=f"For {int(span // 60)} minutes {services[0]} answered some requests with errors.",
        root_cause=rng.choice(ROOT_CAUSES), trigger=f"Deploy of {services[0]}",
        systemic_issues=[rng.choice(group)], factors=factors, actions=actions, timeline=timeline,
        whys=[m.Why(f"W{k}", f"because {k}", f"W{k - 1}" if k > 1 else "") for k in range(1, 6)],
        shared=resolve + timedelta(hours=rng.choice((2, 20, 70))) if rng.random() < 0.8 else None,
        lessons=["Pool saturation needs its own alert"],
    )
    pm.impact.description = "Some requests failed."
    return pm


def make_library(folder: Path, count: int, *, seed: int = 14, events: tuple[int, int] = (50, 500),
                 per_folder: int = 250) -> list[Path]:
    """`count` post-mortems below `folder`, `per_folder` to a subfolder."""
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        sub = folder / f"{2024 + (i // per_folder) % 3}" / f"batch-{i // per_folder:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        pm = make_pm(i, rng, rng.randint(*events))
        path = sub / f"{pm.id.lower()}.toml"
        store.save(store.new_document(pm, path))
        paths.append(path)
    return paths


BROKEN = 'schema = 1\nid = "PM-broken"\ntitle = "Broken file"\n[times]\nstarted = 2025-02-09T10:05:23\n'
NEWER = 'schema = 7\nid = "PM-future"\ntitle = "From a newer pmtui"\n'
SYNTAX = 'schema = 1\nid = "PM-syntax"\ntitle = "Unclosed\n'


def add_bad_files(folder: Path) -> dict[str, Path]:
    """One broken (local time), one newer-schema, one syntax error; the
    caller makes its own unreadable one (that needs another user)."""
    bad = folder / "bad"
    bad.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, text in (("broken", BROKEN), ("newer", NEWER), ("syntax", SYNTAX)):
        path = bad / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        out[name] = path
    return out


def today_for_tests() -> date:
    return date(2025, 6, 1)
