"""Post-mortems built in code for the report, checks and CLI tests.

`good_pm()` passes every check; tests break one thing at a time from it, so
each test shows exactly which input makes a check fail.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pmtui.model import (
    ActionItem,
    Factor,
    Gap,
    Impact,
    IncidentTimes,
    PostMortem,
    TimelineEvent,
    Why,
)

# After resolution and sharing: the shared check does not depend on today.
NOW = datetime(2025, 2, 12, 9, 0, tzinfo=UTC)


def t(clock: str) -> datetime:
    h, m, *s = (int(x) for x in clock.split(":"))
    return datetime(2025, 2, 9, h, m, s[0] if s else 0, tzinfo=UTC)


def good_pm() -> PostMortem:
    pm = PostMortem(
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
        times=IncidentTimes(started=t("10:05:23"), detected=t("10:06:45"), mitigated=t("10:35:00"), resolved=t("11:40:00")),
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
            TimelineEvent(t("10:05:23"), "First 5xx errors appear", "nginx access logs", "", "symptom"),
            TimelineEvent(t("10:06:45"), "High error rate alert fires", "Prometheus", "", "detection"),
            TimelineEvent(t("10:12:00"), "Engineer acknowledges alert", "PagerDuty", "@alice", "escalation"),
            TimelineEvent(t("10:22:10"), "Cache layer deployed", "kubectl", "@alice", "mitigation"),
            TimelineEvent(t("10:35:00"), "Error rate back to normal", "Prometheus", "", "mitigation"),
            TimelineEvent(t("11:40:00"), "Incident marked resolved", "PagerDuty", "@alice", "resolution"),
        ],
        gaps=[Gap("kubernetes", "Pod logs before 10:00 were rotated", t("09:35:00"), t("10:00:00"))],
    )
    return pm
