"""Alertmanager source against a real Alertmanager: alerts posted to it,
silenced and inhibited ones included, silences, and the no-history gap."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from pmtui.model import AlertmanagerSettings
from pmtui.sources.alertmanager import NO_HISTORY, collect
from pmtui.sources.base import Context, Window
from pmtui.sources.httpget import HttpOptions


def _z(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _wait_for_states(http_json, url: str, wanted: dict, timeout: float = 10.0) -> list:
    deadline = time.monotonic() + timeout
    while True:
        alerts = http_json("GET", f"{url}/api/v2/alerts?silenced=true&inhibited=true&active=true&unprocessed=true")
        states = {a["labels"]["alertname"]: a["status"]["state"] for a in alerts}
        if all(states.get(k) == v for k, v in wanted.items()) or time.monotonic() > deadline:
            return alerts
        time.sleep(0.1)


@pytest.fixture(scope="module")
def incident(alertmanager_server, http_json):
    url = alertmanager_server.url
    now = datetime.now(UTC).replace(microsecond=0)
    starts = {"HighErrorRate": now - timedelta(minutes=20), "DBPoolSaturated": now - timedelta(minutes=15),
              "HighLatency": now - timedelta(minutes=10), "OldAlert": now - timedelta(hours=3)}
    labels = {"HighErrorRate": {"service": "api", "severity": "page"},
              "DBPoolSaturated": {"service": "api", "severity": "warning", "pool": "primary"},
              "HighLatency": {"service": "api", "severity": "ticket"},
              "OldAlert": {"service": "batch", "severity": "ticket"}}
    http_json("POST", f"{url}/api/v2/alerts", [
        {"labels": {"alertname": name, **labels[name]}, "startsAt": _z(t), "endsAt": _z(now + timedelta(hours=1))}
        for name, t in starts.items()])
    silence = {"matchers": [{"name": "alertname", "value": "HighLatency", "isRegex": False, "isEqual": True}],
               "startsAt": _z(now), "endsAt": _z(now + timedelta(hours=1)), "createdBy": "alice",
               "comment": "known slow endpoint password=hunter2-secret"}
    kept = http_json("POST", f"{url}/api/v2/silences", silence)["silenceID"]
    gone = http_json("POST", f"{url}/api/v2/silences", {
        **silence, "matchers": [{"name": "service", "value": "bat.*", "isRegex": True, "isEqual": True}],
        "createdBy": "bob", "comment": "batch noise"})["silenceID"]
    http_json("DELETE", f"{url}/api/v2/silence/{gone}")
    _wait_for_states(http_json, url,
                     {"DBPoolSaturated": "suppressed", "HighLatency": "suppressed", "HighErrorRate": "active"})
    silences = {s["id"]: s for s in http_json("GET", f"{url}/api/v2/silences")}
    window = Window(now - timedelta(hours=1), now + timedelta(minutes=5))
    return {"url": url, "starts": starts, "window": window, "kept": silences[kept], "gone": silences[gone]}


def _ctx(tmp_path, window):
    return Context(window=window, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path)


def test_alerts_silences_and_their_times(incident, tmp_path):
    result = collect(AlertmanagerSettings(url=incident["url"]), _ctx(tmp_path, incident["window"]))
    by_event = {c.event: c for c in result.candidates}
    starts = incident["starts"]
    assert by_event["Alertmanager: alert HighErrorRate started (active)"].time == starts["HighErrorRate"]
    inhibited = [c for c in result.candidates if "DBPoolSaturated" in c.event]
    assert len(inhibited) == 1 and inhibited[0].time == starts["DBPoolSaturated"]
    assert "(suppressed; inhibited by " in inhibited[0].event
    kept = incident["kept"]
    silenced = [c for c in result.candidates if "alert HighLatency" in c.event]
    assert [c.event for c in silenced] == [
        f"Alertmanager: alert HighLatency started (suppressed; silenced by {kept['id']})"]
    assert silenced[0].time == starts["HighLatency"]
    # Outside the window: not proposed.
    assert not [c for c in result.candidates if "OldAlert" in c.event]

    silence = [c for c in result.candidates if c.event.startswith('Alertmanager: silence {alertname="HighLatency"}')]
    assert len(silence) == 1
    assert silence[0].time == datetime.fromisoformat(kept["startsAt"].replace("Z", "+00:00"))
    assert silence[0].actor == "alice" and silence[0].kind == "action"
    assert "hunter2-secret" not in silence[0].event and "known slow endpoint" in silence[0].event
    gone = incident["gone"]
    ended = [c for c in result.candidates if c.event == 'Alertmanager: silence {service=~"bat.*"}: batch noise ended']
    assert len(ended) == 1 and ended[0].time == datetime.fromisoformat(gone["endsAt"].replace("Z", "+00:00"))

    assert [c.time for c in result.candidates] == sorted(c.time for c in result.candidates)
    assert [g.description for g in result.gaps] == [NO_HISTORY]
    assert sorted(ev.id for ev in result.evidence) == ["alertmanager/alerts.json", "alertmanager/silences.json"]
    for ev in result.evidence:
        data = (tmp_path / ev.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == ev.sha256
        assert b"hunter2-secret" not in data
    alerts_ev = next(ev for ev in result.evidence if ev.kind == "alerts")
    path, _, params = alerts_ev.query.partition("?")
    assert path == "GET /api/v2/alerts"
    assert set(params.split("&")) == {"silenced=true", "inhibited=true", "active=true", "unprocessed=true"}
    names = {a["labels"]["alertname"] for a in json.loads((tmp_path / alerts_ev.path).read_bytes())}
    assert names >= {"HighErrorRate", "DBPoolSaturated", "HighLatency", "OldAlert"}


def test_window_in_the_past_proposes_nothing_but_says_why(incident, tmp_path):
    window = Window(datetime(2025, 2, 9, 9, 35, tzinfo=UTC), datetime(2025, 2, 9, 11, 10, tzinfo=UTC))
    result = collect(AlertmanagerSettings(url=incident["url"]), _ctx(tmp_path, window))
    assert result.candidates == []
    assert [g.description for g in result.gaps] == [NO_HISTORY]
    assert len(result.evidence) == 2


def test_unreachable_alertmanager_is_a_gap(tmp_path, closed_port):
    window = Window(datetime(2025, 2, 9, 9, 35, tzinfo=UTC), datetime(2025, 2, 9, 11, 10, tzinfo=UTC))
    url = f"http://127.0.0.1:{closed_port}"
    result = collect(AlertmanagerSettings(url=url), _ctx(tmp_path, window), http=HttpOptions(retries=1, backoff=0.05))
    assert len(result.gaps) == 1
    assert result.gaps[0].description.startswith(f"Alertmanager unreachable: cannot reach {url}/api/v2/alerts")
    assert result.evidence == [] and result.candidates == []
