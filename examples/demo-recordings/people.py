"""Write the demo's human half (run from the repository root):

    python examples/demo-recordings/people.py

The incident channel as a Slack export holds it (slack/: channels.json,
users.json, one folder per channel with a JSON file per day; layout from
https://slack.com/help/articles/220556107, message objects as the Web
API's conversations.history returns them) and the PagerDuty incident as
the REST API v2 answers GET /incidents/{id} and its log_entries (shapes
from PagerDuty/api-schema reference/REST/openapiv3.json). The story is
the demo incident's (examples/api-degradation.toml): the same people, at
the same moments. The demo source reads the export with the real export
reader and serves the PagerDuty answers to the real REST client.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHANNEL, CHANNEL_ID = "inc-2025-02-09-api", "C08INC0209"
INCIDENT, NUMBER = "Q1API20250209", 4711

USERS = {
    "U01ALICE": ("alice", "Alice Chen", "Backend engineer (on-call)"),
    "U02BOB": ("bob", "Bob Martin", "Engineering manager"),
    "U03CAROL": ("carol", "Carol Diaz", "Support lead"),
    "U04DAN": ("dan", "Dan Okafor", "Database engineer"),
    "U05ERIN": ("erin", "Erin Walsh", "Customer support"),
}
PD_USERS = {"alice": "PALICE1", "bob": "PBOB002", "dan": "PDAN003"}


def at(clock: str) -> datetime:
    h, m, s = (int(x) for x in clock.split(":"))
    return datetime(2025, 2, 9, h, m, s, tzinfo=UTC)


def ts(clock: str, seq: int = 100) -> str:
    return f"{int(at(clock).timestamp())}.{seq:06d}"


def profile(uid: str) -> dict:
    handle, real, _title = USERS[uid]
    return {"avatar_hash": "g" + uid[-6:].lower(), "image_72": f"https://a.slack-edge.com/demo/{handle}_72.png",
            "first_name": real.split()[0], "real_name": real, "display_name": handle, "team": "T0DEMO01",
            "name": handle, "is_restricted": False, "is_ultra_restricted": False}


def message(clock: str, uid: str, text: str, **extra: object) -> dict:
    out = {"client_msg_id": f"{uid.lower()}-{clock.replace(':', '')}", "type": "message", "text": text,
           "user": uid, "ts": ts(clock), "team": "T0DEMO01", "user_team": "T0DEMO01", "source_team": "T0DEMO01",
           "user_profile": profile(uid),
           "blocks": [{"type": "rich_text", "block_id": clock.replace(":", ""),
                       "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}]}
    out.update(extra)
    return out


def slack_messages() -> list[dict]:
    thread = ts("10:19:30")
    return [
        {"type": "message", "subtype": "channel_join", "ts": ts("10:13:00"), "user": "U01ALICE",
         "text": "<@U01ALICE> has joined the channel", "user_profile": profile("U01ALICE")},
        message("10:13:05", "U01ALICE", "Opening the incident channel: api-service 5xx at 12% and climbing since "
                "10:05. HighErrorRate paged me at 10:08. <@U02BOB> can you be IC?"),
        message("10:15:40", "U01ALICE", "DB pool looks exhausted: `connection pool exhausted: 20/20 in use, "
                "143 waiting` on every pod. Error ratio 41%."),
        message("10:17:00", "U02BOB", "I'm taking IC. <!here> bridge is open: "
                "<https://meet.example.com/inc-api|meet.example.com/inc-api>. <@U03CAROL> please own comms.",
                reactions=[{"name": "eyes", "users": ["U01ALICE", "U03CAROL"], "count": 2}]),
        message("10:18:45", "U01ALICE", "pganalyze: the *order-history* query from v2.3.0 does a seq scan on "
                "orders, ~900 ms per call. That's what holds the pool."),
        message("10:19:30", "U02BOB", "Rollback to v2.2.4 is ruled out: migration 0042 is not reversible. "
                "We'll go with the order-history cache flag and a bigger pool.",
                thread_ts=thread, reply_count=2, reply_users_count=2, latest_reply=ts("10:20:05"),
                reply_users=["U03CAROL", "U04DAN"], is_locked=False, subscribed=False,
                pinned_to=[CHANNEL_ID],
                reactions=[{"name": "white_check_mark", "users": ["U01ALICE", "U04DAN", "U03CAROL"], "count": 3}]),
        message("10:19:50", "U04DAN", "Pool to 40 is safe: the primary allows 400 connections and we run 6 pods.",
                thread_ts=thread, parent_user_id="U02BOB"),
        message("10:20:05", "U03CAROL", "I'll set the status page to degraded now.", thread_ts=thread,
                parent_user_id="U02BOB"),
        message("10:20:15", "U03CAROL", "Status page set to 'Degraded performance' for API and checkout."),
        message("10:22:10", "U01ALICE", "Enabling the `orders.history_cache` flag now."),
        message("10:22:30", "U05ERIN", "+1"),
        message("10:25:30", "U04DAN", "Raising the pool size from 20 to 40 in the api-service ConfigMap and "
                "restarting the pods."),
        {"type": "message", "subtype": "bot_message", "ts": ts("10:27:50"), "bot_id": "B0ARGOCD",
         "username": "Argo CD", "text": "Application *api-service* synced: ConfigMap api-service-config changed",
         "attachments": [{"fallback": "api-service synced", "color": "good"}]},
        message("10:35:10", "U01ALICE", "Error ratio back below 0.5% :tada:"),
        message("10:52:00", "U04DAN", "Index on orders(customer_id, created_at) created concurrently; query p99 "
                "is dropping."),
        message("11:10:00", "U02BOB", "Decision: keep the cache flag on and the pool at 40 until the follow-up "
                "review.", pinned_to=[CHANNEL_ID],
                reactions=[{"name": "pushpin", "users": ["U02BOB"], "count": 1}]),
        message("11:38:00", "U03CAROL", "Status page incident resolved."),
        message("11:40:05", "U01ALICE", "All clear. Resolved the incident in PagerDuty."),
        message("11:52:00", "U02BOB", "I'll own the post-mortem; draft by tomorrow. <@U01ALICE> <@U04DAN> please "
                "add your notes to the timeline."),
    ]


def write_slack() -> None:
    root = HERE / "slack"
    (root / CHANNEL).mkdir(parents=True, exist_ok=True)
    created = int(at("10:13:00").timestamp())
    channels = [{
        "id": CHANNEL_ID, "name": CHANNEL, "created": created, "creator": "U01ALICE", "is_archived": False,
        "is_general": False, "members": list(USERS),
        "pins": [{"id": ts("10:19:30"), "type": "C", "created": created + 420, "user": "U02BOB",
                  "owner": "U02BOB"},
                 {"id": ts("11:10:00"), "type": "C", "created": created + 3420, "user": "U02BOB",
                  "owner": "U02BOB"}],
        "topic": {"value": "SEV1: api-service 5xx | IC @bob | comms @carol", "creator": "U02BOB",
                  "last_set": created + 240},
        "purpose": {"value": "Incident 2025-02-09: API service degradation", "creator": "U01ALICE",
                    "last_set": created}}]
    users = []
    for uid, (handle, real, title) in USERS.items():
        users.append({"id": uid, "team_id": "T0DEMO01", "name": handle, "deleted": False, "real_name": real,
                      "tz": "Europe/London", "tz_label": "Greenwich Mean Time", "tz_offset": 0,
                      "profile": {**profile(uid), "title": title, "real_name_normalized": real,
                                  "display_name_normalized": handle},
                      "is_admin": False, "is_owner": False, "is_bot": False, "is_app_user": False,
                      "updated": created})
    users.append({"id": "U0ARGOCD", "team_id": "T0DEMO01", "name": "argocd", "deleted": False,
                  "real_name": "Argo CD", "profile": {"real_name": "Argo CD", "display_name": "", "bot_id": "B0ARGOCD"},
                  "is_bot": True, "is_app_user": False, "updated": created})
    dump(root / "channels.json", channels)
    dump(root / "users.json", users)
    dump(root / "integration_logs.json", {"logs": []})
    dump(root / CHANNEL / "2025-02-09.json", slack_messages())


def ref(kind: str, rid: str, summary: str) -> dict:
    paths = {"user": "users", "service": "services", "escalation_policy": "escalation_policies",
             "incident": "incidents", "team": "teams"}
    return {"id": rid, "type": f"{kind}_reference", "summary": summary,
            "self": f"https://api.pagerduty.com/{paths[kind]}/{rid}",
            "html_url": f"https://example.pagerduty.com/{paths[kind]}/{rid}"}


def pd_user(handle: str) -> dict:
    return ref("user", PD_USERS[handle], next(real for h, real, _ in USERS.values() if h == handle))


def write_pagerduty() -> None:
    root = HERE / "pagerduty"
    root.mkdir(parents=True, exist_ok=True)
    title = "[FIRING:1] HighErrorRate api-service (critical)"
    service = ref("service", "PAPISVC", "api-service")
    incident_ref = ref("incident", INCIDENT, f"[#{NUMBER}] {title}")
    team = ref("team", "PTEAM01", "Checkout Platform")
    incident = {
        "id": INCIDENT, "type": "incident", "summary": f"[#{NUMBER}] {title}",
        "self": f"https://api.pagerduty.com/incidents/{INCIDENT}",
        "html_url": f"https://example.pagerduty.com/incidents/{INCIDENT}", "incident_number": NUMBER,
        "title": title, "created_at": "2025-02-09T10:06:51Z", "updated_at": "2025-02-09T11:40:00Z",
        "status": "resolved", "incident_key": "alertmanager/api-service/HighErrorRate", "service": service,
        "assignments": [], "assigned_via": "escalation_policy", "last_status_change_at": "2025-02-09T11:40:00Z",
        "resolved_at": "2025-02-09T11:40:00Z",
        "first_trigger_log_entry": {**ref("incident", "R0TRIGGER01", "Triggered through the API"),
                                    "type": "trigger_log_entry_reference"},
        "alert_counts": {"all": 1, "triggered": 0, "resolved": 1}, "is_mergeable": True,
        "escalation_policy": ref("escalation_policy", "PEPAPI1", "api-service on-call"), "teams": [team],
        "pending_actions": [], "acknowledgements": [], "last_status_change_by": pd_user("alice"),
        "priority": {"id": "PPRIO01", "type": "priority_reference", "summary": "P1",
                     "self": "https://api.pagerduty.com/priorities/PPRIO01"},
        "resolve_reason": None, "urgency": "high"}

    def entry(eid: str, kind: str, when: str, agent: dict, channel: dict, summary: str, **extra: object) -> dict:
        return {"id": eid, "type": kind, "summary": summary,
                "self": f"https://api.pagerduty.com/log_entries/{eid}?incident_id={INCIDENT}",
                "html_url": f"https://example.pagerduty.com/incidents/{INCIDENT}/log_entries/{eid}",
                "created_at": when, "agent": agent, "channel": channel, "service": service,
                "incident": incident_ref, "teams": [team], "contexts": [], **extra}

    entries = [
        entry("R0TRIGGER01", "trigger_log_entry", "2025-02-09T10:06:51Z",
              {**ref("service", "PAPISVC", "api-service"), "type": "service_reference"},
              {"type": "api", "summary": title, "details": {"alertname": "HighErrorRate", "severity": "critical"}},
              "Triggered through the API", event_details={"description": title}),
        entry("R0ASSIGN01", "assign_log_entry", "2025-02-09T10:06:52Z",
              {**ref("service", "PAPISVC", "api-service"), "type": "service_reference"}, {"type": "auto"},
              "Assigned to Alice Chen.", assignees=[pd_user("alice")]),
        entry("R0NOTIFY01", "notify_log_entry", "2025-02-09T10:08:12Z",
              ref("escalation_policy", "PEPAPI1", "api-service on-call"),
              {"type": "auto", "notification": {"type": "push_notification", "status": "success",
                                                 "address": "Alice's phone"}},
              "Notified Alice Chen.", user=pd_user("alice")),
        entry("R0NOTIFY02", "notify_log_entry", "2025-02-09T10:10:12Z",
              ref("escalation_policy", "PEPAPI1", "api-service on-call"),
              {"type": "auto", "notification": {"type": "sms", "status": "success", "address": "+44 7700 900123"}},
              "Notified Alice Chen.", user=pd_user("alice")),
        entry("R0ACK00001", "acknowledge_log_entry", "2025-02-09T10:12:00Z", pd_user("alice"),
              {"type": "mobile"}, "Acknowledged by Alice Chen.", acknowledgement_timeout=1800),
        entry("R0NOTE0001", "annotate_log_entry", "2025-02-09T10:14:10Z", pd_user("alice"),
              {"type": "note", "summary": "Incident channel #inc-2025-02-09-api; bridge to follow"},
              "Note added", note="Incident channel #inc-2025-02-09-api; bridge to follow"),
        entry("R0ASSIGN02", "assign_log_entry", "2025-02-09T10:17:10Z", pd_user("bob"), {"type": "website"},
              "Reassigned to Bob Martin as incident commander.", assignees=[pd_user("bob"), pd_user("alice")]),
        entry("R0NOTE0002", "annotate_log_entry", "2025-02-09T10:22:40Z", pd_user("alice"),
              {"type": "note", "summary": "Mitigation: orders.history_cache enabled; pool 20 -> 40 next"},
              "Note added", note="Mitigation: orders.history_cache enabled; pool 20 -> 40 next"),
        entry("R0RESOLVE1", "resolve_log_entry", "2025-02-09T11:40:00Z", pd_user("alice"), {"type": "website"},
              "Resolved by Alice Chen."),
    ]
    dump(root / f"{INCIDENT}.json", {"incident": incident})
    dump(root / f"{INCIDENT}_log_entries.json", {"log_entries": entries, "limit": 100, "offset": 0,
                                                 "more": False, "total": None})


def dump(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_slack()
    write_pagerduty()
    print(f"wrote {HERE / 'slack'} and {HERE / 'pagerduty'}")
