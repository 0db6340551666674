"""`pmtui collect` with the Kubernetes source, end to end: the real CLI, a
real kubeconfig, the loopback HTTPS API server; the saved post-mortem,
its evidence and the JSON printed carry the window's events and no secret."""

from __future__ import annotations

import json
import subprocess
import sys

from pmtui import store
from pmtui.model import IncidentTimes, PostMortem
from pmtui.sample import at
from pmtui.sources.evidence import verify


def test_pmtui_collect_kubernetes_accept_json(tmp_path, fake_cluster, kube_incident):
    pm = PostMortem(id="PM-7", title="Checkout errors",
                    times=IncidentTimes(started=at("10:30:00"), resolved=at("10:30:00")))
    doc = store.new_document(pm, tmp_path / "inc.toml")
    store.save(doc)
    kubeconfig = fake_cluster().write_kubeconfig(tmp_path / "kubeconfig")
    done = subprocess.run(
        [sys.executable, "-m", "pmtui", "collect", str(doc.path), "--kubeconfig", str(kubeconfig),
         "--namespace", "shop", "--deployment", "api", "--accept", "--json"],
        capture_output=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = json.loads(done.stdout)
    rows = {(c["time"], c["event"]) for c in out["candidates"]}
    oom = "container api of pod api-7d9f8b6c5-x2x4z restarted: OOMKilled (exit 137)"
    # Pod status (10:21:07) and the node's OOMKilling event (10:21:05.25): one restart.
    assert next(c for c in out["candidates"] if c["event"] == oom)["time"] == "2025-02-09T10:21:05.250000Z"
    assert not any("OOMKilling" in e for _, e in rows)
    assert any(t == "2025-02-09T10:15:02.500000Z" and e.startswith("first 'connection pool exhausted' error")
               for t, e in rows)
    assert {c["source"] for c in out["candidates"]} >= {"kubernetes: pod/api-7d9f8b6c5-x2x4z",
                                                         "kubernetes: deployment/api"}
    assert any("before its last restart are gone" in g["description"] for g in out["gaps"])

    saved = store.load(tmp_path / "inc.toml").pm
    (row,) = [e for e in saved.timeline if e.event == oom]
    assert row.time == at("10:21:05.25") and set(row.evidence) == {"kubernetes/pods.json", "kubernetes/events.json"}
    assert {ev.path for ev in saved.evidence} >= {"inc.evidence/kubernetes/events.json",
                                                  "inc.evidence/kubernetes/logs/api-7d9f8b6c5-x2x4z/api.log"}
    assert all(verify(ev, tmp_path) is None for ev in saved.evidence)
    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.name != "kubeconfig")
    for secret in kube_incident.SECRETS:
        assert secret.encode() not in written + done.stdout + done.stderr, secret
