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
