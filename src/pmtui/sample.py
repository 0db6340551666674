"""Sample post-mortems built in code: the procedure's worked example (API
service degradation, 2025-02-09) and the data sets the tests, the CLI and
the benchmarks share, so a benchmark measures the very file a test proves
correct.

- `sample_postmortem()`: the worked example, a draft.
- `complete_postmortem()`: the same incident written up in full; it passes
  every check at `CHECKED_AT`, so a test breaks one thing at a time from it.
- `large_postmortem(n)`: the example with `n` plain timeline rows.
- `many_events(n)`: `n` rows in pmtui's own layout with escapes and
  non-ASCII text in every row (the store's 1,000/10,000-event files).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pmtui.model import (
    EVENT_KINDS,
    ActionItem,
    Factor,
    Gap,
    Impact,
    IncidentTimes,
    PostMortem,
    TimelineEvent,
    Why,
)

INCIDENT_DAY = date(2025, 2, 9)

# After resolution and sharing: the shared check does not depend on today.
CHECKED_AT = datetime(2025, 2, 12, 9, 0, tzinfo=UTC)


def at(clock: str) -> datetime:
    """A moment of the incident's day in UTC: "10:05", "10:05:23" or
    "10:15:02.5"."""
    return datetime.fromisoformat(f"{INCIDENT_DAY.isoformat()}T{clock}+00:00")


STARTED = at("10:05:23")

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
            started=STARTED,
            detected=at("10:06:45"),
            mitigated=at("10:22:10"),
            resolved=at("10:40:00"),
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
        timeline=[TimelineEvent(at(t), e, s, a, k) for t, e, s, a, k in TIMELINE],
        whys=[Why("W1", "The connection pool was exhausted by slow queries")],
        factors=[Factor("F1", "Connection pool utilisation not monitored", "monitoring")],
        actions=[
            ActionItem(
                "AI-001", "Add connection pool metrics to Grafana", "@bob", date(2025, 2, 16), "high"
            )
        ],
    )


def complete_postmortem() -> PostMortem:
    """Reviewed, shared, five whys deep, every action owned, dated and
    tracked: passes every check at `CHECKED_AT`."""
    return PostMortem(
        id="PM-2025-02-09-api",
        title="API Service Degradation",
        status="in review",
        severity="P1 (Critical service degraded)",
        authors=["@alice", "@bob"],
        reviewers=["@carol"],
        reviewed=date(2025, 2, 10),
        services=["api", "postgres"],
        follow_up=date(2025, 3, 9),
        shared=datetime(2025, 2, 10, 16, 0, tzinfo=UTC),
        times=IncidentTimes(started=at("10:05:23"), detected=at("10:06:45"), mitigated=at("10:35:00"),
                            resolved=at("11:40:00")),
        summary="The API returned errors for 40% of requests because the database connection pool ran out.",
        impact=Impact(
            description="Checkout and search failed intermittently.",
            failed_requests=40000,
            users_affected=2000,
            revenue="~$5,000 (estimated)",
            data_lost=False,
        ),
        trigger="Release v2.3.0 added an order-history query.",
        root_cause="The new query scanned the orders table because an index was missing.",
        immediate_cause="Connection pool exhausted (max 20)\nQuery in v2.3.0 lacked an index",
        problem="API error rate reached 40%",
        whys=[
            Why("W1", "Requests waited for database connections", ""),
            Why("W2", "Every connection was held by a slow query", "W1"),
            Why("W3", "The query scanned the whole orders table", "W2"),
            Why("W4", "No index covered the new filter", "W3"),
            Why("W5", "CI does not review query plans", "W4"),
            Why("W6", "Pool size unchanged since traffic tripled", "W1"),
        ],
        factors=[
            Factor("F1", "Pool utilisation was not monitored", "monitoring", "W1"),
            Factor("F2", "Load tests did not cover the new query", "testing", "W3"),
            Factor("F3", "Pool size not revisited", "capacity", "W6"),
        ],
        systemic_issues=["No pre-deployment query plan review"],
        actions=[
            ActionItem("AI-001", "Add connection pool metrics to Grafana", "@bob", date(2025, 2, 16), "high",
                       tracker="https://github.com/acme/api/issues/101", issue=101),
            ActionItem("AI-002", "Create runbook: DB connection saturation", "@alice", date(2025, 2, 20), "high",
                       tracker="https://github.com/acme/api/issues/102"),
        ],
        went_well=["Alert fired within 90 seconds"],
        went_wrong=["Pool saturation was invisible on dashboards"],
        lucky=["Traffic was below the weekly peak"],
        lessons=["Load tests must cover new query patterns"],
        prevention="See the action items.",
        timeline=[
            TimelineEvent(at("10:05:23"), "First 5xx errors appear", "nginx access logs", "", "symptom"),
            TimelineEvent(at("10:06:45"), "High error rate alert fires", "Prometheus", "", "detection"),
            TimelineEvent(at("10:12:00"), "Engineer acknowledges alert", "PagerDuty", "@alice", "escalation"),
            TimelineEvent(at("10:22:10"), "Cache layer deployed", "kubectl", "@alice", "mitigation"),
            TimelineEvent(at("10:35:00"), "Error rate back to normal", "Prometheus", "", "mitigation"),
            TimelineEvent(at("11:40:00"), "Incident marked resolved", "PagerDuty", "@alice", "resolution"),
        ],
        gaps=[Gap("kubernetes", "Pod logs before 10:00 were rotated", at("09:35:00"), at("10:00:00"))],
    )


def large_postmortem(events: int) -> PostMortem:
    """`events` timeline rows a few seconds apart, for benchmarks."""
    pm = sample_postmortem()
    kinds = ("symptom", "detection", "action", "communication", "other")
    pm.timeline = [
        TimelineEvent(
            STARTED + timedelta(seconds=3 * i),
            f"Event {i}: request latency p99 {100 + i % 900} ms on pod api-{i % 17}",
            ("Prometheus", "app logs", "kubectl", "Alertmanager")[i % 4],
            ("", "@alice", "@bob")[i % 3],
            kinds[i % len(kinds)],
        )
        for i in range(events)
    ]
    return pm


def many_events(events: int) -> PostMortem:
    """A post-mortem with `events` timeline rows in pmtui's own layout, with
    escapes and non-ASCII text in every row: the files the store's tests
    prove round-trip and its benchmark times."""
    start = at("10:00:00")
    pm = PostMortem(id="PM-2025-02-09-api", title="API degradation", severity="SEV2")
    pm.summary = "Connection pool exhaustion made the API return 5xx for 35 minutes.\nSecond line."
    pm.times.started = start
    pm.times.resolved = start + timedelta(seconds=events)
    pm.timeline = [
        TimelineEvent(
            start + timedelta(seconds=i, milliseconds=i % 1000),
            f'event {i}: pool at {i % 20}/20 "busy" — naïve café',
            "app logs",
            "@alice" if i % 7 == 0 else "",
            EVENT_KINDS[i % len(EVENT_KINDS)],
        )
        for i in range(events)
    ]
    pm.whys = [Why(f"W{i}", f"why {i}", f"W{i - 1}" if i > 1 else "") for i in range(1, 6)]
    pm.factors = [Factor("F1", "no index", "testing", "W3")]
    pm.actions = [ActionItem("AI-001", "Add an index", owner="@bob", priority="high", factor="F1")]
    return pm
