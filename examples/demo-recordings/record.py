"""Record the demo's data from real servers (run from the repository root):

    python examples/demo-recordings/record.py

Starts Prometheus with the example incident backfilled (tests/support/prometheus.py
generates it) and an empty Alertmanager, asks them what pmtui's sources ask
(the example file's queries, the default ones, the raw ALERTS samples, the
alerts and silences), and writes the answers here with an index. The demo
source replays them, so `pmtui demo` collects with no network.

Alertmanager refuses silences that start in the past, so the recorded
silence's times are moved to the incident afterwards (marked in index.json).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "src")]

from pmtui.sources.prometheus import DEFAULT_QUERIES  # noqa: E402
from pmtui.store import load  # noqa: E402
from support import prometheus as sp  # noqa: E402

START, END = sp.at("09:00:00"), sp.at("12:00:00")


def _z(when):
    return when.isoformat().replace("+00:00", "Z")


POD = "api-service-6f7c9d8b4-k2x9p"


def demo_logs() -> bytes:
    """The api container's log as `kubectl logs --timestamps` shows it."""
    import random

    rng = random.Random(7)
    lines = []
    t = sp.at("09:30:00")
    while t < sp.at("11:30:00"):
        t += timedelta(seconds=rng.choice((3, 4, 5, 6)), microseconds=rng.randrange(1_000_000))
        stamp = t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
        if sp.at("10:27:40") <= t < sp.at("10:27:50"):
            continue  # the restart
        if sp.at("10:05:23") <= t < sp.at("10:35:00") and rng.random() < 0.6:
            if t >= sp.at("10:15:30") and t < sp.at("10:34:00"):
                msg = (f'level=error msg="connection pool exhausted: 20/20 in use, {rng.randint(40, 160)} waiting" '
                       f'pool=primary request_id={rng.getrandbits(64):016x}')
            else:
                msg = ('level=error msg="request failed: timeout acquiring connection after '
                       f'{rng.randint(2000, 5000)}ms" '
                       f'path=/api/orders/history status=500 request_id={rng.getrandbits(64):016x}')
        else:
            msg = f'level=info msg="GET /api/orders 200" duration={rng.randint(20, 90)}ms'
        lines.append(f"{stamp} {msg}")
    return ("\n".join(lines) + "\n").encode()


def demo_events() -> list:
    def ev(reason, message, first, last, count, kind="Pod", name=POD, type_="Normal"):
        return {"type": type_, "reason": reason, "message": message, "count": count,
                "firstTimestamp": _z(sp.at(first)), "lastTimestamp": _z(sp.at(last)),
                "involvedObject": {"kind": kind, "name": name, "namespace": "shop"}}

    return [
        ev("ScalingReplicaSet", "Scaled up replica set api-service-6f7c9d8b4 to 6", "09:58:00", "09:58:00", 1,
           "Deployment", "api-service"),
        ev("Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", "10:16:40", "10:27:30",
           38, type_="Warning"),
        ev("Killing", "Stopping container api", "10:27:45", "10:27:45", 1),
        ev("Started", "Started container api", "10:27:52", "10:27:52", 1),
    ]


def main() -> None:
    pm = load(ROOT / "examples" / "api-degradation.toml").pm
    queries = {**DEFAULT_QUERIES, **pm.sources.prometheus.queries}
    index = {"recorded_window": [_z(START), _z(END)], "query_range": {}, "query": {}, "alertmanager": {}}
    prom = sp.start_prometheus()
    am = sp.start_alertmanager()
    try:
        (HERE / "prometheus").mkdir(exist_ok=True)
        with httpx.Client(base_url=prom.url, timeout=30) as client:
            for name, promql in queries.items():
                r = client.get("/api/v1/query_range", params={
                    "query": promql, "start": START.timestamp(), "end": END.timestamp(), "step": 15})
                r.raise_for_status()
                (HERE / "prometheus" / f"{name}.json").write_bytes(r.content)
                index["query_range"][promql] = f"prometheus/{name}.json"
            for metric in ("ALERTS", "ALERTS_FOR_STATE"):
                r = client.get("/api/v1/query", params={
                    "query": f"{metric}[{int((END - START).total_seconds())}s]", "time": END.timestamp()})
                r.raise_for_status()
                (HERE / "prometheus" / f"{metric}.json").write_bytes(r.content)
                index["query"][metric] = f"prometheus/{metric}.json"

        (HERE / "alertmanager").mkdir(exist_ok=True)
        far = sp.at("10:00:00") + timedelta(days=36500)
        with httpx.Client(base_url=am.url, timeout=30) as client:
            client.post("/api/v2/alerts", json=[
                {"labels": {"alertname": "HighErrorRate", "service": "api", "severity": "page", "job": "api-service"},
                 "annotations": {"summary": "5xx ratio above 5% for 1 minute"},
                 "startsAt": _z(sp.at("10:06:45")), "endsAt": _z(far)},
                {"labels": {"alertname": "DBPoolSaturated", "service": "api", "severity": "warning", "pool": "primary"},
                 "annotations": {"summary": "connection pool at its maximum for 2 minutes"},
                 "startsAt": _z(sp.at("10:07:45")), "endsAt": _z(far)},
            ]).raise_for_status()
            created = client.post("/api/v2/silences", json={
                "matchers": [{"name": "alertname", "value": "DBPoolSaturated", "isRegex": False, "isEqual": True}],
                "startsAt": _z(sp.at("10:12:30")), "endsAt": _z(far), "createdBy": "alice",
                "comment": "pool saturation is part of the ongoing incident; HighErrorRate pages already"})
            created.raise_for_status()
            time.sleep(1)
            alerts = client.get("/api/v2/alerts", params={
                "active": "true", "silenced": "true", "inhibited": "true", "unprocessed": "true"})
            alerts.raise_for_status()
            (HERE / "alertmanager" / "alerts.json").write_bytes(alerts.content)
            silences = client.get("/api/v2/silences").json()
            for s in silences:
                s["startsAt"] = s["updatedAt"] = _z(sp.at("10:12:30"))
                s["endsAt"] = _z(sp.at("11:12:30"))
            (HERE / "alertmanager" / "silences.json").write_text(json.dumps(silences) + "\n")
            index["alertmanager"] = {"/api/v2/alerts": "alertmanager/alerts.json",
                                     "/api/v2/silences": "alertmanager/silences.json",
                                     "note": "silence times moved to the incident (Alertmanager refuses past starts)"}
    finally:
        prom.stop()
        am.stop()
    (HERE / "kubernetes").mkdir(exist_ok=True)
    (HERE / "kubernetes" / f"{POD}_api.log").write_bytes(demo_logs())
    (HERE / "kubernetes" / "events.json").write_text(json.dumps({"items": demo_events()}, indent=1) + "\n")
    index["kubernetes"] = {"logs": {f"kubernetes/{POD}_api.log": {"pod": POD, "container": "api"}},
                           "events": "kubernetes/events.json",
                           "note": "generated logs and events in the shapes the API returns"}
    (HERE / "index.json").write_text(json.dumps(index, indent=2) + "\n")


if __name__ == "__main__":
    main()
