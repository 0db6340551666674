"""Changes are events: what an autoscaler did and what the nodes under the
pods went through, read by the Kubernetes source through the real client
from the loopback API server (HorizontalPodAutoscaler autoscaling/v2,
Node v1 and node events: shapes from the Kubernetes API reference, see
tests/support/kubernetes.py), merged as the orchestrator merges them."""

from __future__ import annotations

import json
from functools import partial

from pmtui.model import KubernetesSettings
from pmtui.sample import at
from pmtui.sources.base import Context, Window
from pmtui.sources.collect import run_one
from pmtui.sources.kubernetes import collect_kubernetes
from pmtui.sources.merge import merge

WINDOW = Window(at("10:00:00"), at("11:00:00"))
CPU = "cpu resource utilization (percentage of request) above target"


def _condition(kind: str, status: str, since: str, reason: str, message: str) -> dict:
    return {"type": kind, "status": status, "lastHeartbeatTime": "2025-02-09T10:40:00Z",
            "lastTransitionTime": f"2025-02-09T{since}Z", "reason": reason, "message": message}


def _state(k):
    pods = [k.Pod(f"api-5c6d7e8f9-{s}", {"app": "api"}, start=at("09:00:00"), node=node,
                  containers=[k.Container("api", logs=[(at("10:05:00"), b"level=info msg=started")])])
            for s, node in (("a1b2c", "node-a"), ("d3e4f", "node-b"))]
    hpa = {
        "kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2",
        "metadata": {"name": "api-autoscaler", "namespace": "shop", "creationTimestamp": "2025-01-02T08:00:00Z"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"},
                 "minReplicas": 2, "maxReplicas": 6,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                     "type": "Utilization", "averageUtilization": 70}}}]},
        "status": {"currentReplicas": 6, "desiredReplicas": 6, "lastScaleTime": "2025-02-09T10:12:00Z",
                   "conditions": [
                       _condition("AbleToScale", "True", "10:12:00", "ReadyForNewScale",
                                  "recommended size matches current size"),
                       _condition("ScalingActive", "True", "09:00:00", "ValidMetricFound",
                                  "the HPA was able to successfully calculate a replica count from cpu resource"),
                       _condition("ScalingLimited", "True", "10:12:00", "TooManyReplicas",
                                  "the desired replica count is more than the maximum replica count")]},
    }
    other_hpa = {**hpa, "metadata": {"name": "worker", "namespace": "shop"},
                 "spec": {**hpa["spec"], "scaleTargetRef": {"kind": "Deployment", "name": "worker"}}}
    events = [
        # Events reach back before the window: no gap for expired ones.
        k.Event("s0", "ScalingReplicaSet", "Scaled up replica set api-5c6d7e8f9 to 2", "Deployment", "api",
                at("09:00:00"), at("09:00:00")),
        k.Event("h1", "SuccessfulRescale", f"New size: 4; reason: {CPU}", "HorizontalPodAutoscaler",
                "api-autoscaler", at("10:04:00"), at("10:04:00")),
        k.Event("h2", "SuccessfulRescale", f"New size: 6; reason: {CPU}", "HorizontalPodAutoscaler",
                "api-autoscaler", at("10:12:00"), at("10:12:00")),
        k.Event("h3", "SuccessfulRescale", "New size: 9; reason: queue length above target",
                "HorizontalPodAutoscaler", "worker", at("10:20:00"), at("10:20:00")),
    ]
    nodes = {
        "node-a": [
            _condition("MemoryPressure", "True", "10:08:00", "KubeletHasInsufficientMemory",
                       "kubelet has insufficient memory available"),
            _condition("DiskPressure", "False", "09:00:00", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            _condition("Ready", "Unknown", "10:15:00", "NodeStatusUnknown", "Kubelet stopped posting node status."),
        ],
        "node-b": [_condition("Ready", "True", "08:00:00", "KubeletReady", "kubelet is posting ready status")],
    }
    node_events = [
        k.Event("n1", "NodeNotReady", "Node node-a status is now: NodeNotReady", "Node", "node-a",
                at("10:02:00"), at("10:02:00")),
        k.Event("n2", "NodeReady", "Node node-a status is now: NodeReady", "Node", "node-a",
                at("10:03:30"), at("10:03:30")),
        k.Event("n3", "NodeHasInsufficientMemory", "Node node-a status is now: NodeHasInsufficientMemory", "Node",
                "node-a", at("10:08:02"), at("10:08:02")),
        k.Event("n4", "NodeNotReady", "Node node-a status is now: NodeNotReady", "Node", "node-a",
                at("10:15:40"), at("10:15:40")),
        k.Event("n5", "NodeNotReady", "Node node-z status is now: NodeNotReady", "Node", "node-z",
                at("10:30:00"), at("10:30:00")),
    ]
    return k.ClusterState(namespace="shop", deployments={"api": {"matchLabels": {"app": "api"}}}, pods=pods,
                          events=events, autoscalers=[hpa, other_hpa], nodes=nodes, node_events=node_events)


def _collect(cluster, tmp_path):
    kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
    settings = KubernetesSettings(kubeconfig=str(kubeconfig), namespace="shop", deployment="api")
    ctx = Context(window=WINDOW, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path)
    return run_one("kubernetes", partial(collect_kubernetes, settings), ctx)


def test_autoscaler_rescales_and_limits_are_candidates(fake_cluster, kube_incident, tmp_path):
    cluster = fake_cluster(_state(kube_incident))
    result = _collect(cluster, tmp_path)
    merged = merge(result.candidates)
    scaling = [c for c in merged if c.signal == "hpa"]
    assert [(c.time, c.event) for c in scaling] == [
        (at("10:04:00"), f"autoscaler api-autoscaler scaled api to 4 replicas: {CPU}"),
        (at("10:12:00"), "autoscaler api-autoscaler limited: api cannot scale further (TooManyReplicas \u2014 the "
                         "desired replica count is more than the maximum replica count)"),
        (at("10:12:00"), f"autoscaler api-autoscaler scaled api to 6 replicas: {CPU}"),
    ]
    # The status' last rescale and its event are one happening, with both references.
    six = scaling[2]
    assert six.kind == "action" and six.sources == ["kubernetes: hpa/api-autoscaler"]
    assert set(six.refs) == {"kubernetes/autoscalers.json", "kubernetes/events.json"}
    assert not any("worker" in c.event for c in merged), "another deployment's autoscaler is left out"
    saved = json.loads((tmp_path / "inc.evidence/kubernetes/autoscalers.json").read_text())
    assert [h["metadata"]["name"] for h in saved["items"]] == ["api-autoscaler"]
    assert ("/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers", {}) in cluster.requests


def test_node_conditions_of_the_pods_nodes_are_candidates(fake_cluster, kube_incident, tmp_path):
    cluster = fake_cluster(_state(kube_incident))
    result = _collect(cluster, tmp_path)
    nodes = [(c.time, c.event, c.kind) for c in merge(result.candidates) if c.signal == "node"]
    assert nodes == [
        (at("10:02:00"), "node node-a NotReady: NodeNotReady: Node node-a status is now: NodeNotReady", "symptom"),
        (at("10:03:30"), "node node-a Ready again: NodeReady: Node node-a status is now: NodeReady", "other"),
        (at("10:08:00"), "node node-a under MemoryPressure: KubeletHasInsufficientMemory \u2014 kubelet has "
                         "insufficient memory available", "symptom"),
        (at("10:15:00"), "node node-a status Unknown (the kubelet stopped reporting): NodeStatusUnknown \u2014 "
                         "Kubelet stopped posting node status.", "symptom"),
    ]
    # node-b is healthy and node-z runs none of the pods: nothing about them.
    assert not any("node-b" in c.event or "node-z" in c.event for c in result.candidates)
    asked = [(p, q) for p, q in cluster.requests if "node" in p or p.endswith("/default/events")]
    assert ("/api/v1/nodes/node-a", {}) in asked and ("/api/v1/nodes/node-b", {}) in asked
    assert ("/api/v1/namespaces/default/events", {"fieldSelector": ["involvedObject.kind=Node"]}) in asked
    assert not result.gaps, result.gaps


def test_nodes_refused_are_a_gap_and_the_rest_is_collected(fake_cluster, kube_incident, tmp_path):
    state = _state(kube_incident)
    state.forbidden.update({"/api/v1/nodes", "/api/v1/namespaces/default/events"})
    result = _collect(fake_cluster(state), tmp_path)
    texts = [g.description for g in result.gaps]
    assert any("node node-a" in t and "forbidden (403)" in t and "conditions are not shown" in t for t in texts)
    assert any("node events" in t and "only each node's latest condition changes" in t for t in texts)
    assert not any(c.signal == "node" for c in result.candidates)
    assert any(c.signal == "hpa" for c in result.candidates)
