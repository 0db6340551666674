"""The procedure's worked example (API service degradation, 2025-02-09) as
a PostMortem built in code: the demo's stand-in while no example file is
bundled, and a fixed incident for tests and benchmarks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pmtui.model import ActionItem, Factor, Impact, IncidentTimes, PostMortem, TimelineEvent, Why


def _t(clock: str) -> datetime:
    h, m, s = (int(x) for x in clock.split(":"))
    return datetime(2025, 2, 9, h, m, s, tzinfo=UTC)


TIMELINE = [
    ("10:05:23", "First 5xx errors appear", "nginx access logs", "", "symptom"),
    ("10:06:45", "High error rate alert fires", "Prometheus", "", "detection"),
    ("10:08:12", "On-call engineer paged", "PagerDuty", "System", "escalation"),
    ("10:12:00", "Engineer acknowledges alert", "PagerDuty", "@alice", "escalation"),
    ("10:15:30", "Database connection pool exhausted", "app logs", "", "symptom"),
    ("10:18:45", "Database queries identified as slow", "pganalyze", "@alice", "action"),
    ("10:22:10", "Cache layer deployed as mitigation", "kubectl", "@alice", "mitigation"),
    ("10:35:00", "Error rate returns to normal", "Prometheus", "", "other"),
    ("10:40:00", "Incident marked resolved", "PagerDuty", "@alice", "resolution"),
]


def sample_postmortem() -> PostMortem:
    return PostMortem(
        id="PM-2025-02-09",
        title="API Service Degradation",
        status="draft",
        severity="SEV1",
        authors=["@alice", "@bob"],
        reviewers=["@carol"],
        services=["api-service", "postgres"],
        times=IncidentTimes(
            started=_t("10:05:23"),
            detected=_t("10:06:45"),
            mitigated=_t("10:22:10"),
            resolved=_t("10:40:00"),
        ),
        summary=(
            "The API service experienced elevated error rates (40% of requests) due to\n"
            "database connection pool exhaustion. Service was restored by deploying a\n"
            "cache layer. No data loss occurred."
        ),
        impact=Impact(
            description="40% of API requests failed for 35 minutes.",
            failed_requests=40000,
            users_affected=2000,
            revenue="~$5,000 (estimated)",
            data_lost=False,
        ),
        trigger="Deployment of v2.3.0 with a new query pattern.",
        root_cause=(
            "Query introduced in v2.3.0 deployment performed a full table scan due to\n"
            "missing index. Under increased load, this saturated the connection pool."
        ),
        immediate_cause="Database connection pool exhausted (max 20 connections)",
        timeline=[TimelineEvent(_t(t), e, s, a, k) for t, e, s, a, k in TIMELINE],
        whys=[Why("W1", "The connection pool was exhausted by slow queries")],
        factors=[Factor("F1", "Connection pool utilisation not monitored", "monitoring")],
        actions=[
            ActionItem(
                "AI-001", "Add connection pool metrics to Grafana", "@bob", date(2025, 2, 16), "high"
            )
        ],
    )


def large_postmortem(events: int) -> PostMortem:
    """`events` timeline rows a few seconds apart, for benchmarks."""
    pm = sample_postmortem()
    start = pm.times.started
    kinds = ("symptom", "detection", "action", "communication", "other")
    pm.timeline = [
        TimelineEvent(
            start + timedelta(seconds=3 * i),
            f"Event {i}: request latency p99 {100 + i % 900} ms on pod api-{i % 17}",
            ("Prometheus", "app logs", "kubectl", "Alertmanager")[i % 4],
            ("", "@alice", "@bob")[i % 3],
            kinds[i % len(kinds)],
        )
        for i in range(events)
    ]
    return pm
