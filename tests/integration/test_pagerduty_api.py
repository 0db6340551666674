"""The PagerDuty source over REST API v2, against a loopback server that
speaks PagerDuty's shapes (support/pagerduty.py: offset pagination, the
error bodies, a 401 without JSON, 429 with ratelimit-reset), driven
through the same client code a user runs."""

from __future__ import annotations

import copy
import time

from pmtui.model import PagerDutySettings
from pmtui.sample import at
from pmtui.sources.base import Context, Window
from pmtui.sources.httpget import HttpOptions
from pmtui.sources.pagerduty import collect

WINDOW = Window(at("09:30:00"), at("12:10:00"))
FAST = HttpOptions(timeout=0.5, retries=1, backoff=0.05)


def _ctx(tmp_path) -> Context:
    return Context(window=WINDOW, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path)


def test_an_incident_by_id(tmp_path, fake_pagerduty):
    server = fake_pagerduty()
    result = collect(PagerDutySettings(incident=server.demo_id), _ctx(tmp_path))
    assert result.gaps == []
    assert [(c.time, c.actor, c.sets) for c in result.candidates if c.sets] == [
        (at("10:12:00"), "Alice Chen", "detected"), (at("11:40:00"), "Alice Chen", "resolved")]
    assert result.candidates[0].event.startswith("PagerDuty incident #4711 triggered: [FIRING:1] HighErrorRate")
    entries = server.calls("/log_entries$")
    assert entries[0].args("include[]") == ["channels"] and entries[0].arg("time_zone") == "UTC"
    assert all(r.headers["authorization"] == f"Token token={server.key}" for r in server.requests)
    assert all(r.headers["accept"] == "application/vnd.pagerduty+json;version=2" for r in server.requests)
    (ev,) = result.evidence
    assert server.key not in (tmp_path / ev.path).read_text()


def test_log_entries_are_read_page_by_page(tmp_path, fake_pagerduty):
    server = fake_pagerduty()
    incident = copy.deepcopy(server.incidents[server.demo_id])
    incident["id"], incident["incident_number"] = "QMANYENTRIES1", 4712
    notify = next(e for e in server.log_entries[server.demo_id] if e["type"] == "notify_log_entry")
    many = []
    for i in range(250):
        entry = copy.deepcopy(notify)
        entry["id"], entry["created_at"] = f"R{i:05d}", f"2025-02-09T10:{i // 60:02d}:{i % 60:02d}Z"
        entry["incident"]["id"] = "QMANYENTRIES1"
        many.append(entry)
    server.add(incident, many)
    result = collect(PagerDutySettings(incident="QMANYENTRIES1"), _ctx(tmp_path))
    assert len(result.candidates) == 250 and result.gaps == []
    assert [r.arg("offset") for r in server.calls("QMANYENTRIES1/log_entries$")] == ["0", "100", "200"]


def test_incidents_found_from_the_window_and_service(tmp_path, fake_pagerduty):
    server = fake_pagerduty()
    result = collect(PagerDutySettings(service="PAPISVC"), _ctx(tmp_path))
    assert len(result.candidates) == 9
    (listing,) = server.calls("^/incidents$")
    assert listing.args("service_ids[]") == ["PAPISVC"]
    assert (listing.arg("since"), listing.arg("until")) == ("2025-02-09T09:30:00Z", "2025-02-09T12:10:00Z")
    none = collect(PagerDutySettings(service="POTHER1"), _ctx(tmp_path))
    assert none.gaps[0].description == ("PagerDuty not read: no incident of service POTHER1 between "
                                        "2025-02-09T09:30:00Z and 2025-02-09T12:10:00Z")


def test_refusals_are_gaps_that_say_why(tmp_path, fake_pagerduty, monkeypatch):
    server = fake_pagerduty()
    missing = collect(PagerDutySettings(incident="QNOSUCH0000"), _ctx(tmp_path))
    assert missing.gaps[0].description == "PagerDuty not read: /incidents/QNOSUCH0000 not found (404: Not Found)"
    monkeypatch.setenv("PAGERDUTY_TOKEN", "wrongKeyWrongKey1234")
    wrong = collect(PagerDutySettings(incident=server.demo_id), _ctx(tmp_path))
    (gap,) = wrong.gaps
    assert gap.description.startswith("PagerDuty not read: PagerDuty refused the key in $PAGERDUTY_TOKEN (401")
    assert "wrongKey" not in gap.description


def test_a_rate_limit_is_waited_out(tmp_path, fake_pagerduty):
    server = fake_pagerduty()
    server.rate_limit("/log_entries$", 1)
    began = time.monotonic()
    result = collect(PagerDutySettings(incident=server.demo_id), _ctx(tmp_path))
    assert result.gaps == [] and len(result.candidates) == 9
    assert 1.0 <= time.monotonic() - began < 6.0


def test_a_key_echoed_back_in_an_error_is_redacted(tmp_path, fake_pagerduty):
    server = fake_pagerduty()
    server.respond("/log_entries$", 400, {"error": {"message": "Invalid Input Provided", "code": 2001,
                                                    "errors": [f"token token={server.key} is not allowed here",
                                                               f"echo {server.key}"]}})
    result = collect(PagerDutySettings(incident=server.demo_id), _ctx(tmp_path))
    (gap,) = result.gaps
    assert server.key not in gap.description and "\u00abredacted:pagerduty-key\u00bb" in gap.description


def test_a_hung_pagerduty_is_a_gap_within_the_bound(tmp_path, fake_pagerduty):
    server = fake_pagerduty()
    server.hang()
    began = time.monotonic()
    result = collect(PagerDutySettings(incident=server.demo_id), _ctx(tmp_path), http=FAST)
    assert 1.0 <= time.monotonic() - began < 6.0
    assert "no answer from" in result.gaps[0].description


def test_the_api_url_comes_from_the_user_and_never_plain_http_to_a_remote(tmp_path, monkeypatch):
    monkeypatch.setenv("PMTUI_PAGERDUTY_API_URL", "http://pagerduty.example.invalid")
    monkeypatch.setenv("PAGERDUTY_TOKEN", "neverSentOverPlainHttp")
    result = collect(PagerDutySettings(incident="Q1API20250209"), _ctx(tmp_path))
    assert ("the value of PAGERDUTY_TOKEN would be sent over plain http to http://pagerduty.example.invalid"
            in result.gaps[0].description)
