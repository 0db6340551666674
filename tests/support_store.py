"""A hand-written post-mortem full of comments, unknown keys and odd spacing,
shared by the store tests."""

HAND_WRITTEN = '''\
# Post-mortem for the API outage -- written by hand, keep these comments!
schema = 1
id = "PM-2025-02-09-api"   # the id we use in Slack
title   =   "API degradation: connection pool exhausted"
status = "in review"
severity = "SEV2"
authors = ["@alice", "@bob"]
custom_top = { team = "payments", tier = 1 }   # not a pmtui key

summary = """
Checkout API returned 5xx for 35 minutes.
The pool was exhausted."""
# trigger: deploy of v2.3.0
trigger = 'deploy v2.3.0'
root_cause = "Missing index on orders.customer_id"
went_well = [
    "Alert fired within 90 s",  # good
    "Rollback was quick",
]

[times]
started = 2025-02-09T10:05:23Z
detected = 2025-02-09T10:06:45Z # from Prometheus
resolved = 2025-02-09T10:40:00Z
timezone_note = "all UTC"

[impact]
description = "About 12% of checkout requests failed."
failed_requests = 12000
data_lost = false

# ---- timeline ----

[[timeline]]
time = 2025-02-09T10:05:23Z
event = "First 5xx errors appear"
source = "nginx access logs"
kind = "symptom"

[[timeline]]  # the page
time = 2025-02-09T10:08:12.250Z
event = "On-call engineer paged"
source = "PagerDuty"
actor = "System"
kind = "escalation"
ticket = "PD-123"

# the human part
[[timeline]]
time = 2025-02-09T10:12:00Z
event = """Engineer "acknowledges"
the alert"""
actor = "@alice"
kind = "action"

[[whys]]
id = "W1"
parent = ""
text = "Requests timed out waiting for a DB connection"

[[whys]]
id = "W2"
parent = "W1"
text = "Queries held connections for seconds"

[[factors]]
id = "F1"
category = "testing"
text = "No load test against v2.3.0"
why = "W2"

[[factors]]
id = "F2"
category = "our-own-category"
text = "Pool size never revisited"

[[actions]]
id = "AI-001"
action = "Add index on orders.customer_id"
owner = "@bob"
deadline = 2025-02-16
priority = "high"
type = "prevent"
status = "open"
labels = ["db"]
factor = "F1"
jira = "OPS-7"  # unknown key

[sources.prometheus]
url = "http://prometheus:9090"
token_env = "PROM_TOKEN"

[sources.prometheus.queries]
error_rate = 'sum(rate(http_requests_total{code=~"5.."}[5m]))'

[mystery]
x = 1
'''


def many_events(events: int):
    """A post-mortem with `events` timeline rows in pmtui's own layout,
    with escapes and non-ASCII text in every row (as the benchmark uses)."""
    from datetime import UTC, datetime, timedelta

    from pmtui import model as m

    start = datetime(2025, 2, 9, 10, 0, tzinfo=UTC)
    pm = m.PostMortem(id="PM-2025-02-09-api", title="API degradation", severity="SEV2")
    pm.summary = "Connection pool exhaustion made the API return 5xx for 35 minutes.\nSecond line."
    pm.times.started = start
    pm.times.resolved = start + timedelta(seconds=events)
    kinds = m.EVENT_KINDS
    pm.timeline = [
        m.TimelineEvent(
            start + timedelta(seconds=i, milliseconds=i % 1000),
            f'event {i}: pool at {i % 20}/20 "busy" — naïve café',
            "app logs",
            "@alice" if i % 7 == 0 else "",
            kinds[i % len(kinds)],
        )
        for i in range(events)
    ]
    pm.whys = [m.Why(f"W{i}", f"why {i}", f"W{i - 1}" if i > 1 else "") for i in range(1, 6)]
    pm.factors = [m.Factor("F1", "no index", "testing", "W3")]
    pm.actions = [m.ActionItem("AI-001", "Add an index", owner="@bob", priority="high", factor="F1")]
    return pm


def layout(index) -> tuple:
    """An index as plain data, to compare one kept up to date by saves with
    one built from scratch."""
    return index.ok, list(index.lines), [seg.layout() for seg in index.segments]
