"""The Kubernetes source against a loopback API server over HTTPS, through
the real `kubernetes` client and a real kubeconfig."""

from __future__ import annotations

import hashlib
import socket
from functools import partial
from pathlib import Path

import pytest

from pmtui.model import KubernetesSettings
from pmtui.sample import at
from pmtui.sources.base import Context, Window
from pmtui.sources.collect import run_one
from pmtui.sources.kubernetes import collect_kubernetes
from pmtui.sources.merge import merge
from pmtui.textsafe import printable

WINDOW = Window(at("10:00:00"), at("11:00:00"))


@pytest.fixture
def cluster(fake_cluster):
    return fake_cluster()


def _ctx(tmp_path: Path, window: Window = WINDOW, **kw) -> Context:
    return Context(window=window, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path, **kw)


def _run(cluster, tmp_path: Path, window: Window = WINDOW, **settings):
    """The source as the orchestrator runs it: its log streams become
    candidates (all streams at once), nothing merged yet."""
    kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
    s = KubernetesSettings(kubeconfig=str(kubeconfig), namespace="shop", **settings)
    return run_one("kubernetes", partial(collect_kubernetes, s), _ctx(tmp_path, window))


def _find(result, text: str):
    hits = [c for c in result.candidates if text in c.event]
    assert len(hits) == 1, (text, [c.event for c in result.candidates])
    return hits[0]


def test_deployment_pods_logs_status_and_events(cluster, tmp_path, kube_incident):
    result = _run(cluster, tmp_path, deployment="api")

    oom = _find(result, "container api of pod api-7d9f8b6c5-x2x4z restarted: OOMKilled (exit 137)")
    assert oom.time == at("10:21:07") and oom.source == "kubernetes: pod/api-7d9f8b6c5-x2x4z"
    assert oom.key == ("restart", "shop", "api-7d9f8b6c5-x2x4z") and oom.facets == {"container": "api"}

    pool = _find(result, "'connection pool exhausted' error")
    assert pool.time == at("10:15:02.5")
    planted = sum(b"connection pool exhausted" in text for _, text in kube_incident.api_log())
    assert planted == 229
    # New since the baseline (the window's first fifth, the log reaching back to it).
    assert pool.event == (f"first 'connection pool exhausted' error (new) \u2014 \u00d7{planted} until 10:33:59 "
                          "on pod/api-7d9f8b6c5-x2x4z api")
    assert pool.source == "kubernetes: pod/api-7d9f8b6c5-x2x4z api"
    assert pool.refs == ["kubernetes/logs/api-7d9f8b6c5-x2x4z/api.log#L" + str(pool.refs[0].rsplit("L", 1)[1])]

    fatal = _find(result, "'out of memory' fatal")
    assert fatal.time == at("10:20:00") and fatal.source.endswith("api (previous)")
    assert _find(result, "panic: runtime error").time == at("10:21:06")
    assert _find(result, "'upstream reset by peer <*>'").source == "kubernetes: pod/api-7d9f8b6c5-x2x4z sidecar"

    backoff = _find(result, "CrashLoopBackOff")
    assert backoff.time == at("10:21:10") and "(\u00d75, 10:21:10\u201310:25:00)" in backoff.event
    scale = _find(result, "ScalingReplicaSet: Scaled up replica set api-7d9f8b6c5 to 4")
    assert scale.time == at("10:40:00") and scale.kind == "action" and scale.source == "kubernetes: deployment/api"
    assert _find(result, "OOMKilling:").time == at("10:21:05.25")
    # Both say one restart: the merge step joins them (same key, 1.75 s
    # apart) at the earliest exact time, in the words of the pod's status.
    merged = [c for c in merge(result.candidates) if c.key == oom.key]
    assert len(merged) == 1 and merged[0].time == at("10:21:05.25") and len(merged[0].refs) == 2
    assert merged[0].event == oom.event and merged[0].also_in == ["kubernetes: pod/api-7d9f8b6c5-x2x4z"] * 0 + []

    events = " | ".join(c.event for c in result.candidates)
    for absent in ("early failure", "late failure", "Unhealthy", "Pulled", "worker failed", "not ours", "canary"):
        assert absent not in events
    assert all(WINDOW.start <= c.time <= WINDOW.end for c in result.candidates)

    gaps = " | ".join(g.description for g in result.gaps)
    assert "logs of pod api-7d9f8b6c5-k8p2q container api before its last restart are gone" in gaps
    assert "api-7d9f8b6c5-k8p2q container api restarted 2 times" in gaps
    assert "pod api-7d9f8b6c5-gone1 appears in the events but no longer exists" in gaps
    assert "oldest event" not in gaps  # the kept events reach back before the window

    # The selector came from the deployment (matchLabels and matchExpressions).
    pod_lists = [q for p, q in cluster.requests if p == "/api/v1/namespaces/shop/pods"]
    assert pod_lists == [{"labelSelector": ["app=api,tier in (backend)"]}]
    logs = [(p, q) for p, q in cluster.requests if p.endswith("/log")]
    assert all(q["sinceTime"] == ["2025-02-09T10:00:00Z"] and q["timestamps"] == ["true"] for _, q in logs)
    assert ("/api/v1/namespaces/shop/pods/api-7d9f8b6c5-x2x4z/log",
            {"container": ["api"], "timestamps": ["true"], "sinceTime": ["2025-02-09T10:00:00Z"],
             "previous": ["true"]}) in logs
    assert not any("worker" in p or "canary" in p for p, _ in logs)


def test_evidence_is_redacted_windowed_and_checksummed(cluster, tmp_path):
    result = _run(cluster, tmp_path, deployment="api")
    by_path = {ev.path: ev for ev in result.evidence}
    assert set(by_path) == {
        "inc.evidence/kubernetes/pods.json",
        "inc.evidence/kubernetes/events.json",
        "inc.evidence/kubernetes/replicasets.json",
        "inc.evidence/kubernetes/logs/api-7d9f8b6c5-x2x4z/api.log",
        "inc.evidence/kubernetes/logs/api-7d9f8b6c5-x2x4z/api.previous.log",
        "inc.evidence/kubernetes/logs/api-7d9f8b6c5-x2x4z/sidecar.log",
        "inc.evidence/kubernetes/logs/api-7d9f8b6c5-k8p2q/api.log",
    }
    for path, ev in by_path.items():
        data = (tmp_path / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == ev.sha256 and ev.size == len(data)
        assert ev.source == "kubernetes" and ev.window_start == WINDOW.start
    log = (tmp_path / "inc.evidence/kubernetes/logs/api-7d9f8b6c5-x2x4z/api.log").read_bytes()
    stamps = [line[:19] for line in log.splitlines()]
    assert min(stamps) >= b"2025-02-09T10:00:00" and max(stamps) <= b"2025-02-09T11:00:00"
    assert b"late failure" not in log and b"early failure" not in log
    # Raw bytes are kept as they came: invalid UTF-8, the long line, escapes.
    assert b"\xff\xfe\xc3\x28" in log and b"A" * 100_000 in log and b"\x1b]52;" in log
    assert b"\xc2\xabredacted:url-password\xc2\xbb@db:5432" in log
    assert by_path["inc.evidence/kubernetes/logs/api-7d9f8b6c5-x2x4z/api.log"].query == (
        "GET /api/v1/namespaces/shop/pods/api-7d9f8b6c5-x2x4z/log?container=api&timestamps=true"
        "&sinceTime=2025-02-09T10%3A00%3A00Z")


def test_no_planted_secret_anywhere_and_nothing_raw_on_screen(cluster, tmp_path, kube_incident):
    result = _run(cluster, tmp_path, deployment="api")
    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p.name != "kubeconfig")
    shown = "\n".join([c.event for c in result.candidates] + [c.source for c in result.candidates]
                      + [g.description for g in result.gaps] + [e.query for e in result.evidence])
    for secret in kube_incident.SECRETS:
        assert secret.encode() not in written, secret
        assert secret not in shown, secret
    for cand in result.candidates:
        assert printable(cand.event) == cand.event  # no control character left to show
        assert "\x1b" not in cand.event and "\u202e" not in cand.event


def test_selector_without_deployment(cluster, tmp_path):
    result = _run(cluster, tmp_path, selector="app=worker")
    assert sorted((c.event, c.source) for c in result.candidates) == [
        ("Failed: worker failed", "kubernetes: pod/worker-1"),
        ("first 'not ours' error \u2014 1 line on pod/worker-1 worker", "kubernetes: pod/worker-1 worker"),
    ]


def test_events_expired_before_the_window_is_a_gap(cluster, tmp_path):
    early = Window(at("08:00:00"), at("11:00:00"))
    result = _run(cluster, tmp_path, early, deployment="api")
    gap = next(g for g in result.gaps if "oldest event" in g.description)
    assert "2025-02-09T09:30:00Z" in gap.description and "about 1 h" in gap.description
    assert (gap.window_start, gap.window_end) == (at("08:00:00"), at("09:30:00"))


def test_wrong_token_is_a_401_gap(cluster, tmp_path):
    kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig", token="not-the-token")
    result = collect_kubernetes(KubernetesSettings(kubeconfig=str(kubeconfig), namespace="shop", deployment="api"),
                                _ctx(tmp_path))
    assert len(result.gaps) == 1 and not result.candidates
    assert "401 Unauthorized" in result.gaps[0].description and "deployment api" in result.gaps[0].description
    assert "not-the-token" not in result.gaps[0].description


def test_forbidden_pods_is_a_403_gap_naming_the_refusal(cluster, tmp_path):
    cluster.state.forbidden.add("/api/v1/namespaces/shop/pods")
    result = _run(cluster, tmp_path, deployment="api")
    text = result.gaps[0].description
    assert "forbidden (403)" in text and 'cannot list resource "pods"' in text and "namespace shop" in text


def test_unknown_deployment_is_a_404_gap(cluster, tmp_path):
    result = _run(cluster, tmp_path, deployment="nope")
    assert "deployment nope: not found (404)" in result.gaps[0].description


def test_unreachable_api_server_is_a_gap(cluster, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
    kubeconfig.write_text(kubeconfig.read_text().replace(f":{cluster.port}", f":{port}"))
    result = collect_kubernetes(KubernetesSettings(kubeconfig=str(kubeconfig), namespace="shop", deployment="api"),
                                _ctx(tmp_path))
    assert "cannot reach the API server" in result.gaps[0].description


def test_missing_kubeconfig_is_a_gap(tmp_path):
    result = collect_kubernetes(KubernetesSettings(kubeconfig=str(tmp_path / "absent"), deployment="api"),
                                _ctx(tmp_path))
    assert result.gaps[0].description == f"kubeconfig {tmp_path / 'absent'} does not exist"


def test_unknown_context_is_a_gap(cluster, tmp_path):
    kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
    result = collect_kubernetes(KubernetesSettings(kubeconfig=str(kubeconfig), context="prod-eu", deployment="api"),
                                _ctx(tmp_path))
    assert len(result.gaps) == 1 and result.gaps[0].description.startswith(f"kubeconfig {kubeconfig}: ")
    assert "prod-eu" in result.gaps[0].description


def test_namespace_from_the_kubeconfig_context(cluster, tmp_path):
    kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig", namespace="shop")
    result = collect_kubernetes(KubernetesSettings(kubeconfig=str(kubeconfig), deployment="api"), _ctx(tmp_path))
    assert any("OOMKilled" in c.event for c in result.candidates)


def test_cancel_stops_between_calls(cluster, tmp_path):
    kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
    seen: list[str] = []
    ctx = _ctx(tmp_path, progress=lambda message, fraction=None: seen.append(message),
               cancelled=lambda: any("logs of" in m for m in seen))
    result = collect_kubernetes(KubernetesSettings(kubeconfig=str(kubeconfig), namespace="shop", deployment="api"),
                                ctx)
    assert result.gaps[-1].description == "collection cancelled before it finished"
    assert not any(ev.kind == "logs" for ev in result.evidence)
    assert sum(1 for p, _ in cluster.requests if p.endswith("/log")) == 0
