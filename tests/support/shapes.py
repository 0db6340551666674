"""Two incident shapes beside the example one, each with what Prometheus
holds (OpenMetrics for promtool backfill), what the loopback Kubernetes API
serves, the alerts Alertmanager is sent, and the ground truth: the
happenings a person reconstructing the incident would list.

rollout_rollback (2025-03-04): revision 8 of `api` ships image v2.3.1, a
    bigger pool and a smaller memory limit; its pods are OOM-killed (one of
    them twice, minutes apart) and crash-loop; KubePodCrashLooping fires;
    the deployment is rolled back (the old ReplicaSet re-used, revision 9).
warn_trigger (2025-03-11): a batch job starts (an INFO line never seen
    before) and slow-query WARN lines multiply two minutes before any
    error; then errors on both pods, HighErrorRate, and the job's end.

Shapes of the Kubernetes objects: the API reference (ReplicaSet v1, Pod v1
ContainerStatus, Event v1), https://kubernetes.io/docs/reference/kubernetes-api/;
kube-state-metrics' series: its docs/metrics/workload/pod-metrics.md.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from support import kubernetes as k

STEP = timedelta(seconds=15)


def t(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}+00:00").astimezone(UTC)


@dataclass(frozen=True)
class Truth:
    time: datetime
    pattern: str  # a regular expression the candidate's text must match
    what: str  # the happening, for a person reading a failure


@dataclass
class Shape:
    name: str
    window: tuple[datetime, datetime]
    started: datetime
    resolved: datetime
    openmetrics: str
    cluster: k.ClusterState
    alerts: list[dict] = field(default_factory=list)  # posted to Alertmanager's /api/v2/alerts
    truth: list[Truth] = field(default_factory=list)
    queries: dict[str, str] = field(default_factory=dict)


def _alerts_om(rules: list[tuple[str, dict[str, str], datetime, datetime | None, datetime]]) -> list[str]:
    """ALERTS / ALERTS_FOR_STATE samples every 15 s: (name, labels, pending
    from, firing from, last sample)."""
    out_a, out_f = ["# TYPE ALERTS gauge"], ["# TYPE ALERTS_FOR_STATE gauge"]
    for name, labels, pending, firing, last in rules:
        when = pending
        while when <= last:
            state = "firing" if firing is not None and when >= firing else "pending"
            lbl = ",".join(f'{a}="{b}"' for a, b in sorted({"alertname": name, "alertstate": state, **labels}.items()))
            out_a.append(f"ALERTS{{{lbl}}} 1 {int(when.timestamp())}")
            lbl2 = ",".join(f'{a}="{b}"' for a, b in sorted({"alertname": name, **labels}.items()))
            out_f.append(f"ALERTS_FOR_STATE{{{lbl2}}} {int(pending.timestamp())} {int(when.timestamp())}")
            when += STEP
    return out_a + out_f


def _requests_om(start: datetime, end: datetime, failing: list[tuple[datetime, datetime, float]],
                 seed: int) -> list[str]:
    rng = random.Random(seed)
    ok = err = 0.0
    rows_ok, rows_err = [], []
    when = start
    while when <= end:
        share = next((s for a, b, s in failing if a <= when < b), 0.0)
        n = 100 * 15 * rng.uniform(0.97, 1.03)
        bad = n * share + rng.uniform(0, 2)
        ok += n - bad
        err += bad
        stamp = int(when.timestamp())
        rows_ok.append(f'http_requests_total{{code="200",job="api"}} {ok:.0f} {stamp}')
        rows_err.append(f'http_requests_total{{code="500",job="api"}} {err:.0f} {stamp}')
        when += STEP
    return ["# TYPE http_requests counter", *rows_ok, *rows_err]


ERROR_RATIO = ('sum(rate(http_requests_total{job="api",code=~"5.."}[1m])) '
               '/ sum(rate(http_requests_total{job="api"}[1m]))')


# -- shape 1: a bad rollout, OOM kills, CrashLoopBackOff, a rollback --------------------

D1 = "2025-03-04"


def _rs(name: str, revision: int, created: datetime, image: str, pool: str, memory: str,
        history: str = "") -> dict:
    notes = {"deployment.kubernetes.io/revision": str(revision)}
    if history:
        notes["deployment.kubernetes.io/revision-history"] = history
    return {
        "kind": "ReplicaSet", "apiVersion": "apps/v1",
        "metadata": {"name": name, "namespace": "shop", "labels": {"app": "api", "pod-template-hash": name[4:]},
                     "annotations": notes, "creationTimestamp": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "api",
                                          "uid": "uid-api", "controller": True}]},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "api"}},
                 "template": {"metadata": {"labels": {"app": "api"}},
                              "spec": {"containers": [{
                                  "name": "api", "image": f"shop/api:{image}",
                                  "env": [{"name": "POOL_SIZE", "value": pool}, {"name": "LOG_LEVEL", "value": "info"}],
                                  "resources": {"limits": {"memory": memory, "cpu": "1"},
                                                "requests": {"memory": memory, "cpu": "250m"}}}]}}},
        "status": {"replicas": 3},
    }


def _kube_state(start: datetime, end: datetime, restarts: dict[str, list[datetime]]) -> list[str]:
    rows = ["# TYPE kube_pod_container_status_restarts counter"]
    reason_rows = ["# TYPE kube_pod_container_status_last_terminated_reason gauge"]
    for pod, times in restarts.items():
        when = start
        while when <= end:
            n = sum(1 for r in times if r <= when)
            stamp = int(when.timestamp())
            lbl = f'container="api",namespace="shop",pod="{pod}"'
            rows.append(f"kube_pod_container_status_restarts_total{{{lbl}}} {n} {stamp}")
            if n:
                reason_rows.append(f'kube_pod_container_status_last_terminated_reason{{{lbl},reason="OOMKilled"}} 1 '
                                   f"{stamp}")
            when += STEP
    return rows + reason_rows


def rollout_rollback() -> Shape:
    s, e = t(D1, "14:00:00"), t(D1, "15:00:00")
    new_a, new_b, old = "api-58d7c9f6b4-q7x2m", "api-58d7c9f6b4-z9k4d", "api-6c8b7d5f9-h2j8n"
    oom_a = [t(D1, "14:21:10"), t(D1, "14:27:30")]
    oom_b = [t(D1, "14:24:05")]
    om = (_requests_om(t(D1, "13:30:00"), t(D1, "15:10:00"), [(oom_a[0], t(D1, "14:33:30"), 0.3)], 304)
          + _kube_state(t(D1, "13:30:00"), t(D1, "15:10:00"), {new_a: oom_a, new_b: oom_b, old: []})
          + _alerts_om([("KubePodCrashLooping", {"pod": new_a, "severity": "warning"},
                         t(D1, "14:22:00"), t(D1, "14:27:00"), t(D1, "14:39:45"))])
          + ["# EOF", ""])

    def info_lines(start: datetime, end: datetime, every: int) -> list[tuple[datetime, bytes]]:
        out, when = [], start
        while when < end:
            out.append((when, b'level=info msg="handled request" path=/api/orders status=200 dur=4.1ms'))
            when += timedelta(seconds=every)
        return out

    pod_a = k.Pod(new_a, {"app": "api"}, start=t(D1, "14:18:05"), containers=[k.Container(
        "api", logs=info_lines(t(D1, "14:27:40"), t(D1, "14:33:00"), 10), restarts=2,
        previous=[*info_lines(t(D1, "14:21:20"), t(D1, "14:27:25"), 10),
                  (t(D1, "14:27:29"), b'level=error msg="allocating batch buffer failed" size=268435456')],
        last_terminated={"reason": "OOMKilled", "exitCode": 137, "startedAt": "2025-03-04T14:21:20Z",
                         "finishedAt": "2025-03-04T14:27:30Z"},
        state={"waiting": {"reason": "CrashLoopBackOff"}})])
    pod_b = k.Pod(new_b, {"app": "api"}, start=t(D1, "14:18:30"), containers=[k.Container(
        "api", logs=info_lines(t(D1, "14:24:20"), t(D1, "14:33:00"), 10), restarts=1, previous=None,
        last_terminated={"reason": "OOMKilled", "exitCode": 137, "startedAt": "2025-03-04T14:18:35Z",
                         "finishedAt": "2025-03-04T14:24:05Z"})])
    pod_old = k.Pod(old, {"app": "api"}, start=t(D1, "14:33:05"), containers=[k.Container(
        "api", logs=info_lines(t(D1, "14:33:10"), t(D1, "15:00:00"), 10))])
    events = [
        k.Event("r1", "ScalingReplicaSet", "Scaled up replica set api-58d7c9f6b4 to 1", "Deployment", "api",
                t(D1, "14:18:00"), t(D1, "14:18:00")),
        k.Event("r2", "ScalingReplicaSet", "Scaled up replica set api-58d7c9f6b4 to 3 from 1", "Deployment", "api",
                t(D1, "14:18:30"), t(D1, "14:18:30")),
        k.Event("r3", "ScalingReplicaSet", "Scaled down replica set api-6c8b7d5f9 to 0 from 3", "Deployment", "api",
                t(D1, "14:18:45"), t(D1, "14:18:45")),
        k.Event("b1", "BackOff", f"Back-off restarting failed container api in pod {new_a}_shop(uid-a)", "Pod",
                new_a, t(D1, "14:21:40"), t(D1, "14:32:10"), count=9, type="Warning"),
        k.Event("r4", "ScalingReplicaSet", "Scaled up replica set api-6c8b7d5f9 to 3 from 0", "Deployment", "api",
                t(D1, "14:33:00"), t(D1, "14:33:00")),
        k.Event("r5", "ScalingReplicaSet", "Scaled down replica set api-58d7c9f6b4 to 0 from 3", "Deployment", "api",
                t(D1, "14:33:40"), t(D1, "14:33:40")),
    ]
    cluster = k.ClusterState(
        namespace="shop", deployments={"api": {"matchLabels": {"app": "api"}}},
        pods=[pod_a, pod_b, pod_old], events=events,
        replicasets=[_rs("api-6c8b7d5f9", 9, t("2025-03-01", "09:00:00"), "v2.3.0", "20", "512Mi", history="7"),
                     _rs("api-58d7c9f6b4", 8, t(D1, "14:18:00"), "v2.3.1", "40", "256Mi")])
    alerts = [{"labels": {"alertname": "KubePodCrashLooping", "pod": new_a, "severity": "warning",
                          "namespace": "shop"},
               "annotations": {"summary": "Pod is crash looping"}, "startsAt": "2025-03-04T14:27:00Z"}]
    truth = [
        Truth(t(D1, "14:18:00"), r"rolled out revision 8: image v2\.3\.0 \u2192 v2\.3\.1.*POOL_SIZE 20 \u2192 40",
              "rollout of revision 8"),
        Truth(oom_a[0], rf"{new_a} restarted", "first OOM kill of pod a"),
        Truth(t(D1, "14:21:40"), r"CrashLoopBackOff", "pod a crash-looping"),
        Truth(t(D1, "14:21:15"), r"error ratio rose", "errors rise"),
        Truth(t(D1, "14:22:00"), r"KubePodCrashLooping pending", "alert pending"),
        Truth(oom_b[0], rf"{new_b} restarted", "OOM kill of pod b"),
        Truth(t(D1, "14:27:00"), r"KubePodCrashLooping firing", "alert firing"),
        Truth(oom_a[1], rf"{new_a} restarted", "second OOM kill of pod a"),
        Truth(t(D1, "14:27:29"), r"allocating batch buffer failed", "the error line before the second kill"),
        Truth(t(D1, "14:33:00"), r"rolled back to revision 7", "rollback"),
        Truth(t(D1, "14:33:30"), r"error ratio returned", "errors end"),
        Truth(t(D1, "14:40:00"), r"KubePodCrashLooping resolved", "alert resolved"),
    ]
    return Shape("rollout_rollback", (s, e), t(D1, "14:20:00"), t(D1, "14:45:00"), "\n".join(om), cluster,
                 alerts, truth, {"error_ratio": ERROR_RATIO})


# -- shape 2: the trigger is in INFO and WARN lines only ----------------------------------

D2 = "2025-03-11"


def warn_trigger() -> Shape:
    s, e = t(D2, "09:00:00"), t(D2, "10:00:00")
    first_error, errors_end = t(D2, "09:30:05"), t(D2, "09:46:00")
    om = (_requests_om(t(D2, "08:30:00"), t(D2, "10:10:00"), [(first_error, errors_end, 0.25)], 311)
          + _alerts_om([("HighErrorRate", {"service": "api", "severity": "page"},
                         t(D2, "09:30:30"), t(D2, "09:31:30"), t(D2, "09:46:45"))])
          + ["# EOF", ""])
    rng = random.Random(11)

    def api_log(offset: int) -> list[tuple[datetime, bytes]]:
        out = []
        when = s - timedelta(minutes=5) + timedelta(seconds=offset)
        while when < e + timedelta(minutes=5):
            out.append((when, f'level=info msg="handled request" path=/api/orders/{rng.randint(1, 99999)} '
                              f"status=200 dur={rng.uniform(1, 9):.1f}ms".encode()))
            when += timedelta(seconds=4)
        when = s + timedelta(seconds=30 + offset)
        while when < e:  # a known template, every ~5 minutes: part of the baseline
            out.append((when, f'level=warn msg="slow query" table=orders elapsed={rng.uniform(1, 2):.2f}s'.encode()))
            when += timedelta(minutes=5)
        when = t(D2, "09:28:00") + timedelta(seconds=offset)
        while when < t(D2, "09:44:00"):  # ...that multiplies once the job runs
            out.append((when, f'level=warn msg="slow query" table=orders elapsed={rng.uniform(2, 9):.2f}s'.encode()))
            when += timedelta(seconds=5)
        when = first_error + timedelta(seconds=offset)
        while when < errors_end:
            out.append((when, f'level=error msg="request failed: timeout acquiring connection" '
                              f"after={rng.uniform(5, 6):.1f}s req={rng.getrandbits(48):012x}".encode()))
            when += timedelta(seconds=3)
        when = s + timedelta(seconds=50 + offset)
        while when < e:
            out.append((when, b'level=info msg="cache refreshed" entries=1200'))
            when += timedelta(minutes=2)
        out.sort(key=lambda item: item[0])
        return out

    worker_log = [(s + timedelta(minutes=m), b'level=info msg="heartbeat" queue=default') for m in range(0, 60, 3)]
    worker_log += [(t(D2, "09:27:40"), b'level=info msg="jobs: reconcile started" job=nightly-reconcile batch=5000'),
                   (t(D2, "09:45:00"), b'level=info msg="jobs: reconcile finished" job=nightly-reconcile rows=48211')]
    worker_log.sort(key=lambda item: item[0])
    pods = [k.Pod(f"api-7f6d5c4b3-{suffix}", {"app": "api"}, start=t(D2, "08:00:00"),
                  containers=[k.Container("api", logs=api_log(i))]) for i, suffix in enumerate(("m2n4p", "r8s6t"))]
    pods.append(k.Pod("api-worker-5b4c3d2e1-w1x2y", {"app": "api"}, start=t(D2, "08:00:00"),
                      containers=[k.Container("worker", logs=worker_log)]))
    cluster = k.ClusterState(namespace="shop", deployments={"api": {"matchLabels": {"app": "api"}}}, pods=pods,
                             events=[])
    alerts = [{"labels": {"alertname": "HighErrorRate", "service": "api", "severity": "page"},
               "annotations": {"summary": "5xx above 5%"}, "startsAt": "2025-03-11T09:31:30Z"}]
    truth = [
        Truth(t(D2, "09:27:40"), r"new: 'jobs: reconcile started", "the batch job starts (the trigger)"),
        Truth(t(D2, "09:28:00"), r"WARN 'slow query' rate", "slow queries multiply"),
        Truth(first_error, r"first 'request failed: timeout acquiring connection'.* on 2 pods", "first errors"),
        Truth(t(D2, "09:30:15"), r"error ratio rose", "error ratio rises"),
        Truth(t(D2, "09:30:30"), r"HighErrorRate pending", "alert pending"),
        Truth(t(D2, "09:31:30"), r"HighErrorRate firing", "alert fires"),
        Truth(t(D2, "09:45:00"), r"new: 'jobs: reconcile finished", "the job ends"),
        Truth(t(D2, "09:46:00"), r"error ratio returned", "errors end"),
        Truth(t(D2, "09:47:00"), r"HighErrorRate resolved", "alert resolves"),
    ]
    return Shape("warn_trigger", (s, e), t(D2, "09:30:00"), t(D2, "09:50:00"), "\n".join(om), cluster, alerts,
                 truth, {"error_ratio": ERROR_RATIO})


SHAPES = {"rollout_rollback": rollout_rollback, "warn_trigger": warn_trigger}
