"""Capacity changes as candidates: what a HorizontalPodAutoscaler did and
which conditions the nodes under the pods went through. Pure functions
over the API's JSON (the live source and tests share them).

Shapes, from the Kubernetes API reference
(https://kubernetes.io/docs/reference/kubernetes-api/):

  HorizontalPodAutoscaler (autoscaling/v2): spec.scaleTargetRef {kind,
    name}, spec.minReplicas / maxReplicas, status.currentReplicas /
    desiredReplicas / lastScaleTime, status.conditions [{type AbleToScale |
    ScalingActive | ScalingLimited, status "True" | "False", reason,
    message, lastTransitionTime}]; its events: SuccessfulRescale ("New
    size: 6; reason: cpu resource utilization (percentage of request) above
    target"), FailedGetResourceMetric, FailedRescale.
  Node (v1): status.conditions [{type Ready | MemoryPressure | DiskPressure
    | PIDPressure | NetworkUnavailable, status "True" | "False" | "Unknown",
    reason, message, lastTransitionTime}]: only the latest transition of
    each; the node controller's and kubelet's events (in namespace
    "default", involvedObject kind Node: NodeNotReady, NodeReady,
    NodeHasInsufficientMemory, NodeHasSufficientMemory, NodeHasDiskPressure,
    NodeHasNoDiskPressure, NodeHasInsufficientPID, NodeHasSufficientPID)
    give the ones before it.

A condition's transition is keyed ("node", node, condition, bad|ok) so a
node's status and its event about one transition merge into one row, and
an HPA's rescale ("hpa", namespace, name, size) from its status and its
event likewise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pmtui.redact import redact
from pmtui.sources.base import Candidate, Window
from pmtui.sources.k8sevents import Ev, time_of
from pmtui.textsafe import one_line

SOURCE = "kubernetes"
NODE_TOLERANCE = 120.0  # seconds: a condition's status time and its event's lie within this
PRESSURES = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")
# Node event reason -> (condition, True when it is the bad state).
NODE_EVENTS = {
    "NodeNotReady": ("Ready", True), "NodeReady": ("Ready", False),
    "NodeHasInsufficientMemory": ("MemoryPressure", True), "NodeHasSufficientMemory": ("MemoryPressure", False),
    "NodeHasDiskPressure": ("DiskPressure", True), "NodeHasNoDiskPressure": ("DiskPressure", False),
    "NodeHasInsufficientPID": ("PIDPressure", True), "NodeHasSufficientPID": ("PIDPressure", False),
}
_NEW_SIZE_RE = re.compile(r"New size: (\d+)(?:; reason: (.*))?", re.DOTALL)


def _words(node: str, condition: str, bad: bool, status: str = "") -> str:
    if condition == "Ready":
        if not bad:
            return f"node {node} Ready again"
        return f"node {node} status Unknown (the kubelet stopped reporting)" if status == "Unknown" else \
            f"node {node} NotReady"
    return f"node {node} under {condition}" if bad else f"node {node} {condition} cleared"


def _node_candidate(when: datetime, node: str, condition: str, bad: bool, why: str, *, status: str = "",
                    evidence: str, precision: int, source: str) -> Candidate:
    text = _words(node, condition, bad, status) + (f": {why}" if why else "")
    return Candidate(time=when, event=one_line(redact(text), 300), source=source,
                     kind="symptom" if bad else "other", evidence=evidence, signal="node",
                     confidence=0.8 if bad else 0.6, key=("node", node, condition, "bad" if bad else "ok"),
                     tolerance=NODE_TOLERANCE, precision=precision,
                     detail=f"node {node} {condition} {'not ready pressure' if bad else 'ready cleared'}")


def node_candidates(nodes: Iterable[dict[str, Any]], events: Iterable[Ev], window: Window,
                    evidence: str) -> list[Candidate]:
    """Each transition of a node condition inside the window: the latest
    from the node's status, the earlier ones from its events."""
    out: list[Candidate] = []
    for node in nodes:
        name = str((node.get("metadata") or {}).get("name") or "")
        for cond in (node.get("status") or {}).get("conditions") or []:
            kind, status = str(cond.get("type") or ""), str(cond.get("status") or "")
            when = time_of(cond.get("lastTransitionTime"))
            if when is None or not window.start <= when <= window.end or kind not in ("Ready", *PRESSURES):
                continue
            bad = status != "True" if kind == "Ready" else status == "True"
            why = " \u2014 ".join(x for x in (str(cond.get("reason") or ""), str(cond.get("message") or "")) if x)
            out.append(_node_candidate(when, name, kind, bad, why, status=status, evidence=evidence, precision=3,
                                       source=f"{SOURCE}: node/{name}"))
    for e in events:
        meaning = NODE_EVENTS.get(e.reason)
        if e.kind != "Node" or meaning is None:
            continue
        condition, bad = meaning
        for when in {t for t in (e.first, e.last) if t is not None and window.start <= t <= window.end}:
            out.append(_node_candidate(when, e.name, condition, bad, f"{e.reason}: {e.message}".rstrip(": "),
                                       evidence=evidence, precision=3, source=f"{SOURCE}: node/{e.name}"))
    return out


def hpa_targets(hpas: Iterable[dict[str, Any]], deployment: str) -> list[dict[str, Any]]:
    """The autoscalers that scale `deployment`."""
    out = []
    for hpa in hpas:
        target = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
        if target.get("kind") == "Deployment" and target.get("name") == deployment:
            out.append(hpa)
    return out


def _hpa_name(hpa: dict[str, Any]) -> str:
    return str((hpa.get("metadata") or {}).get("name") or "")


def hpa_candidates(hpas: Iterable[dict[str, Any]], events: Iterable[Ev], window: Window, namespace: str,
                   evidence: str, events_evidence: str = "") -> list[Candidate]:
    """Rescales (the last from the status, every one from the events) and
    the conditions that stop or cap scaling, inside the window."""
    out: list[Candidate] = []
    names = {}
    for hpa in hpas:
        name = _hpa_name(hpa)
        spec, status = hpa.get("spec") or {}, hpa.get("status") or {}
        target = (spec.get("scaleTargetRef") or {}).get("name") or ""
        names[name] = (target, spec.get("maxReplicas"))
        last = time_of(status.get("lastScaleTime"))
        if last is not None and window.start <= last <= window.end and status.get("desiredReplicas") is not None:
            out.append(_rescale(last, namespace, name, target, int(status["desiredReplicas"]), "",
                                evidence=evidence, precision=2))
        for cond in status.get("conditions") or []:
            c = _hpa_condition(cond, name, target, window, namespace, evidence)
            if c is not None:
                out.append(c)
    for e in events:
        if e.kind != "HorizontalPodAutoscaler" or e.first is None:
            continue
        if not window.start <= e.first <= window.end:
            continue
        m = _NEW_SIZE_RE.search(e.message) if e.reason == "SuccessfulRescale" else None
        if m is not None:
            target = names.get(e.name, ("", None))[0]
            out.append(_rescale(e.first, namespace, e.name, target, int(m.group(1)), m.group(2) or "",
                                evidence=events_evidence or evidence, precision=3))
    return out


def _rescale(when: datetime, namespace: str, hpa: str, target: str, size: int, why: str, *, evidence: str,
             precision: int) -> Candidate:
    text = f"autoscaler {hpa} scaled {target or 'its target'} to {size} replicas" + (f": {why}" if why else "")
    return Candidate(time=when, event=one_line(redact(text), 300), source=f"{SOURCE}: hpa/{hpa}", kind="action",
                     actor="HorizontalPodAutoscaler", evidence=evidence, signal="hpa", confidence=0.8,
                     key=("hpa", namespace, hpa, str(size)), tolerance=60.0, precision=precision,
                     detail=f"autoscaler {hpa} scaled {target} replicas {size}")


def _hpa_condition(cond: dict[str, Any], name: str, target: str, window: Window, namespace: str,
                   evidence: str) -> Candidate | None:
    kind, status = str(cond.get("type") or ""), str(cond.get("status") or "")
    when = time_of(cond.get("lastTransitionTime"))
    if when is None or not window.start <= when <= window.end:
        return None
    why = " \u2014 ".join(x for x in (str(cond.get("reason") or ""), str(cond.get("message") or "")) if x)
    if kind == "ScalingLimited" and status == "True":
        text = f"autoscaler {name} limited: {target or 'its target'} cannot scale further"
    elif kind in ("AbleToScale", "ScalingActive") and status == "False":
        text = f"autoscaler {name} cannot scale {target or 'its target'}"
    else:
        return None
    return Candidate(time=when, event=one_line(redact(f"{text} ({why})" if why else text), 300),
                     source=f"{SOURCE}: hpa/{name}", kind="symptom", evidence=evidence, signal="hpa",
                     confidence=0.75, key=("hpa-condition", namespace, name, kind), tolerance=60.0, precision=3,
                     detail=f"autoscaler {name} {kind} {cond.get('reason') or ''}")
