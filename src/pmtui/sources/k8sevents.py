"""Kubernetes events, pod status and ReplicaSets as candidates: the parts
of the Kubernetes source that need no API client, shared by the live
source and the demo's replay.

Every restart is its own candidate, keyed ("restart", namespace, pod) with
the container as a facet, so sources.merge joins what the pod's status,
the events (Killing, OOMKilling, Started...) and kube-state-metrics'
restart counter say about one restart, and keeps two restarts minutes
apart as two. An event seen several times (count > 1) keeps only its
first and last times: both become restarts; kube-state-metrics gives the
ones between. BackOff (CrashLoopBackOff) is one candidate per container.

Rollouts come from the deployment's ReplicaSets: the revision annotation,
the creation time, and what changed between the pod templates of two
revisions (images, environment, resources). A ReplicaSet that holds a
`revision-history` annotation was re-used: the deployment went back to
an old pod template, a rollback, dated by the scaling event that brought
it back up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pmtui.redact import redact
from pmtui.sources.base import Candidate, Window
from pmtui.textsafe import one_line

SOURCE = "kubernetes"
REVISION = "deployment.kubernetes.io/revision"
HISTORY = "deployment.kubernetes.io/revision-history"
EVENT_TTL_NOTE = "the API server keeps events for about 1 h by default (kube-apiserver --event-ttl)"
RESTART_TOLERANCE = 60.0  # seconds: what several sources say of one restart lies within this

# Normal events worth a timeline row; every Warning event is one.
NOTABLE_NORMAL = {"ScalingReplicaSet", "Killing", "SuccessfulRescale", "Preempting", "Evicted", "NodeNotReady",
                  "SuccessfulDelete", "SuccessfulCreate", "Started"}
EVENT_KIND = {"ScalingReplicaSet": "action", "SuccessfulRescale": "action", "Killing": "other",
              "SuccessfulCreate": "other", "SuccessfulDelete": "other", "Started": "other"}
RESTART_REASONS = {"Killing", "OOMKilling", "Started"}
HANDLED_ELSEWHERE = {"SuccessfulRescale", "NodeNotReady", "NodeReady", "NodeHasInsufficientMemory",
                     "NodeHasSufficientMemory", "NodeHasDiskPressure", "NodeHasNoDiskPressure",
                     "NodeHasInsufficientPID", "NodeHasSufficientPID"}
_CONTAINER_RE = re.compile(r"\bcontainer[: ]+\"?([A-Za-z0-9][\w.-]*)")
_SCALED_RE = re.compile(r"Scaled (up|down) replica set (\S+) (?:from \d+ )?to (\d+)")


def z(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clock(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%H:%M:%S")


@dataclass
class Ev:
    """One event, whichever way it was read (client model or JSON)."""

    type: str
    reason: str
    message: str
    kind: str  # involved object's kind
    name: str  # involved object's name
    first: datetime | None
    last: datetime | None
    count: int = 1


def _time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo else None


time_of = _time  # an API timestamp (RFC 3339 text or a datetime) as aware UTC, or None


def event_from_json(item: dict[str, Any]) -> Ev:
    obj = item.get("involvedObject") or item.get("regarding") or {}
    series = item.get("series") or {}
    first = _time(item.get("firstTimestamp")) or _time(item.get("eventTime")) or _time(series.get("lastObservedTime"))
    last = _time(item.get("lastTimestamp")) or _time(series.get("lastObservedTime")) or first
    count = int(series.get("count") or item.get("count") or 1)
    return Ev(str(item.get("type") or ""), str(item.get("reason") or ""), str(item.get("message") or item.get("note")
                                                                           or ""),
              str(obj.get("kind") or ""), str(obj.get("name") or ""), first, last, count)


def event_candidates(events: Iterable[Ev], window: Window, namespace: str, evidence: str) -> list[Candidate]:
    out: list[Candidate] = []
    for e in events:
        if e.first is None or e.last is None or e.last < window.start or e.first > window.end:
            continue
        if e.type != "Warning" and e.reason not in NOTABLE_NORMAL:
            continue
        if e.kind in ("HorizontalPodAutoscaler", "Node") and e.reason in HANDLED_ELSEWHERE:
            continue  # sources.k8scapacity: keyed with the HPA's status, the node's conditions
        source = f"{SOURCE}: {e.kind.lower()}/{e.name}"
        container = _container(e.message)
        if e.kind == "Pod" and e.reason in RESTART_REASONS:
            out += _restart_events(e, window, namespace, container, source, evidence)
            continue
        if e.kind == "Pod" and e.reason == "BackOff":
            out.append(_backoff(e, window, namespace, container, source, evidence))
            continue
        when = e.first if e.first >= window.start else e.last
        text = f"{e.reason}: {e.message}".strip().rstrip(":")
        if e.count > 1:
            text += f" (\u00d7{e.count}, last at {clock(e.last)})"
        c = Candidate(time=when, event=one_line(redact(text), 300), source=source,
                      kind=EVENT_KIND.get(e.reason, "symptom" if e.type == "Warning" else "other"),
                      evidence=evidence, signal="event", confidence=0.6 if e.type == "Warning" else 0.5,
                      key=("event", namespace, e.kind, e.name, e.reason), tolerance=0.0, precision=3,
                      detail=f"{e.reason} {e.message}")
        scaled = _SCALED_RE.search(e.message) if e.reason == "ScalingReplicaSet" else None
        if scaled is not None:
            # What a rollout does, or a scale; a rollout found from the
            # ReplicaSets takes it in (same key, same replica set).
            c.signal = "scaling"
            c.key = ("rollout", namespace, e.name, scaled.group(2)) if scaled.group(1) == "up" else c.key
            c.tolerance = 600.0
            c.detail = f"rollout {e.name} replica set {scaled.group(2)}"
        out.append(c)
    return out


def _container(message: str) -> str:
    m = _CONTAINER_RE.search(message)
    return m.group(1) if m else ""


def restart_candidate(when: datetime, namespace: str, pod: str, container: str, what: str, *, source: str,
                      evidence: str, precision: int, confidence: float, signal: str = "restart") -> Candidate:
    facets = {"container": container} if container else {}
    name = f"container {container} of pod {pod}" if container else f"pod {pod}"
    return Candidate(time=when, event=one_line(redact(f"{name} restarted: {what}"), 300), source=source,
                     kind="symptom", evidence=evidence, signal=signal, confidence=confidence,
                     key=("restart", namespace, pod), tolerance=RESTART_TOLERANCE, facets=facets,
                     detail=f"pod {pod} container {container} restart", precision=precision)


def _restart_events(e: Ev, window: Window, namespace: str, container: str, source: str,
                    evidence: str) -> list[Candidate]:
    assert e.first is not None and e.last is not None
    times = [e.first] if e.count <= 1 or e.first == e.last else [e.first, e.last]
    what = {"Killing": "killed", "OOMKilling": "OOM-killed by the node", "Started": "started again"}[e.reason]
    if e.count > 2:
        what += f" (event seen \u00d7{e.count}: only its first and last times are kept)"
    return [restart_candidate(t, namespace, e.name, container, f"{what} \u2014 {e.reason}: {e.message}",
                              source=source, evidence=evidence, precision=3 if e.reason != "Started" else 2,
                              confidence=0.7) for t in times if window.start <= t <= window.end]


def _backoff(e: Ev, window: Window, namespace: str, container: str, source: str, evidence: str) -> Candidate:
    assert e.first is not None and e.last is not None
    when = max(e.first, window.start)
    name = f"container {container} of pod {e.name}" if container else f"pod {e.name}"
    text = f"{name} in CrashLoopBackOff: {e.message}"
    if e.count > 1:
        text += f" (\u00d7{e.count}, {clock(e.first)}\u2013{clock(e.last)})"
    return Candidate(time=when, event=one_line(redact(text), 300), source=source, kind="symptom",
                     evidence=evidence, signal="backoff", confidence=0.8,
                     key=("backoff", namespace, e.name, container), tolerance=3600.0,
                     detail=f"pod {e.name} container {container} crashloopbackoff back off", precision=3)


# -- pod status ---------------------------------------------------------------------


@dataclass
class Termination:
    pod: str
    container: str
    reason: str
    exit_code: int | None
    finished: datetime
    current: bool  # the container is terminated now (else: its last state)


def status_candidates(terms: Iterable[Termination], window: Window, namespace: str,
                      evidence: str) -> list[Candidate]:
    out = []
    for t in terms:
        if not window.start <= t.finished <= window.end:
            continue
        what = f"{t.reason or 'unknown reason'} (exit {t.exit_code})"
        if t.current:
            c = restart_candidate(t.finished, namespace, t.pod, t.container, what, source=f"{SOURCE}: pod/{t.pod}",
                                  evidence=evidence, precision=3, confidence=0.8)
            c.event = c.event.replace(" restarted: ", " terminated: ", 1)
            out.append(c)
        else:
            out.append(restart_candidate(t.finished, namespace, t.pod, t.container, what,
                                         source=f"{SOURCE}: pod/{t.pod}", evidence=evidence, precision=3,
                                         confidence=0.85))
    return out


# -- ReplicaSets ------------------------------------------------------------------------


@dataclass
class Revision:
    name: str
    revision: int
    created: datetime
    template: dict[str, Any]  # the pod template's spec, as JSON
    history: list[int] = field(default_factory=list)  # revisions this ReplicaSet held before


def revision_from_json(item: dict[str, Any]) -> Revision | None:
    meta = item.get("metadata") or {}
    notes = meta.get("annotations") or {}
    created = _time(meta.get("creationTimestamp"))
    try:
        number = int(notes.get(REVISION, ""))
    except ValueError:
        return None
    if created is None:
        return None
    history = [int(x) for x in str(notes.get(HISTORY, "")).split(",") if x.strip().isdigit()]
    spec = ((item.get("spec") or {}).get("template") or {}).get("spec") or {}
    return Revision(str(meta.get("name") or ""), number, created, spec, history)


def _containers(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(c.get("name")): c for c in spec.get("containers") or [] if isinstance(c, dict)}


def _env(c: dict[str, Any]) -> dict[str, str]:
    out = {}
    for item in c.get("env") or []:
        if isinstance(item, dict) and "name" in item:
            out[str(item["name"])] = str(item["value"]) if "value" in item else "(from a reference)"
    return out


def _resources(c: dict[str, Any]) -> dict[str, str]:
    res = c.get("resources") or {}
    return {f"{part} {k}": str(v) for part in ("requests", "limits") for k, v in (res.get(part) or {}).items()}


def _tag(image: str) -> str:
    return image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else image


def template_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed between two pod templates, as a person says it:
    "image v2.3.0 \u2192 v2.3.1", "env POOL_SIZE 20 \u2192 40", "limits memory 512Mi \u2192 1Gi"."""
    changes: list[str] = []
    a, b = _containers(old), _containers(new)
    many = len(set(a) | set(b)) > 1
    for name in sorted(set(a) | set(b)):
        prefix = f"{name}: " if many else ""
        if name not in a:
            changes.append(f"container {name} added")
            continue
        if name not in b:
            changes.append(f"container {name} removed")
            continue
        ca, cb = a[name], b[name]
        if ca.get("image") != cb.get("image"):
            ia, ib = str(ca.get("image") or ""), str(cb.get("image") or "")
            same_repo = ia.rsplit(":", 1)[0] == ib.rsplit(":", 1)[0]
            changes.append(f"{prefix}image {_tag(ia) if same_repo else ia} \u2192 {_tag(ib) if same_repo else ib}")
        for label, da, db in (("env", _env(ca), _env(cb)), ("", _resources(ca), _resources(cb))):
            for key in sorted(set(da) | set(db)):
                if da.get(key) != db.get(key):
                    word = f"{label} {key}".strip()
                    changes.append(f"{prefix}{word} {da.get(key, '(unset)')} \u2192 {db.get(key, '(unset)')}")
        if ca.get("command") != cb.get("command") or ca.get("args") != cb.get("args"):
            changes.append(f"{prefix}command or arguments changed")
    return changes


def rollout_candidates(deployment: str, revisions: list[Revision], events: list[Ev], window: Window,
                       namespace: str, evidence: str) -> list[Candidate]:
    """Rollouts and rollbacks of a deployment inside the window."""
    by_number: dict[int, Revision] = {}
    for r in revisions:
        by_number[r.revision] = r
        for old in r.history:
            by_number.setdefault(old, r)
    ordered = sorted(revisions, key=lambda r: r.revision)
    scaled_up: dict[str, list[datetime]] = {}
    for e in events:
        m = _SCALED_RE.search(e.message) if e.reason == "ScalingReplicaSet" else None
        if m is not None and m.group(1) == "up":
            scaled_up.setdefault(m.group(2), []).extend(t for t in (e.first, e.last) if t is not None)
    out = []
    for r in ordered:
        # The pod template of the revision before this one, whichever
        # ReplicaSet holds it now (a re-used one holds its old numbers).
        lower = [n for n, holder in by_number.items() if n < r.revision and holder is not r]
        before = by_number[max(lower)] if lower else None
        rollback = bool(r.history) and any(o.revision > max(r.history) and o.created > r.created for o in ordered)
        if rollback:
            ups = sorted(t for t in scaled_up.get(r.name, []) if window.start <= t <= window.end)
            when: datetime | None = ups[-1] if ups else None
        else:
            when = r.created
        if when is None or not window.start <= when <= window.end:
            continue
        changes = template_changes(before.template, r.template) if before is not None else []
        what = ", ".join(changes) if changes else "pod template unchanged" if before is not None else "first revision"
        if rollback:
            back_to = max(r.history) if r.history else r.revision
            text = f"{deployment} rolled back to revision {back_to} (now revision {r.revision}): {what}"
            signal = "rollback"
        else:
            text = f"{deployment} rolled out revision {r.revision}: {what}"
            signal = "rollout"
        out.append(Candidate(time=when, event=one_line(redact(text), 400), source=f"{SOURCE}: deployment/{deployment}",
                             kind="action" if not rollback else "mitigation", evidence=evidence, signal=signal,
                             confidence=0.9, key=("rollout", namespace, deployment, r.name), tolerance=600.0,
                             detail=f"rollout {deployment} replica set {r.name} revision", precision=3))
    return out


ROLLOUT_SPAN = timedelta(minutes=10)


def fold_scaling(candidates: list[Candidate], rollouts: list[Candidate]) -> None:
    """Scaling events of a deployment in the minutes after one of its
    rollouts or rollbacks are that rollout's steps: they take its key, so
    the merge makes one row of them."""
    for c in candidates:
        if c.signal != "scaling":
            continue
        for r in rollouts:
            deployment = r.key[2]
            if c.source.endswith(f"deployment/{deployment}") and r.time <= c.time <= r.time + ROLLOUT_SPAN:
                c.key, c.tolerance = r.key, ROLLOUT_SPAN.total_seconds()
                break


def within(when: datetime, window: Window, slack: float = 0.0) -> bool:
    pad = timedelta(seconds=slack)
    return window.start - pad <= when <= window.end + pad
