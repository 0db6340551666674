"""Kubernetes: the deployment's pods, their logs in the window, their
status and the namespace's events, its ReplicaSets (rollouts), its
autoscalers and the conditions of the nodes under its pods, as evidence,
candidates and gaps.

The official client is imported inside `collect_kubernetes` (it costs
about 0.4 s). Pod logs are read through the raw REST call: the typed
`read_namespaced_pod_log` has no `sinceTime` and decodes the body as
UTF-8, which real logs break. The bytes stream through the log-signature
scanner and stop once past the window end.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

from pmtui.model import Gap, KubernetesSettings
from pmtui.redact import default_redactor, redact
from pmtui.sources.base import Cancelled, Context, SourceResult, Window
from pmtui.sources.evidence import write_evidence
from pmtui.sources.k8scapacity import hpa_candidates, hpa_targets, node_candidates
from pmtui.sources.k8sevents import (
    EVENT_TTL_NOTE,
    Ev,
    Termination,
    event_candidates,
    fold_scaling,
    revision_from_json,
    rollout_candidates,
    status_candidates,
)
from pmtui.sources.logsig import NO_RULES, Rules, SignatureScanner
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    from kubernetes.client import ApiClient, AppsV1Api, CoreV1Api, CoreV1Event, V1LabelSelector, V1Pod

SOURCE = "kubernetes"
API_TIMEOUT = (5, 30)  # connect, read (seconds)
LOG_TIMEOUT = (5, 120)
MAX_LOG_BYTES = 256 << 20  # per container and instance; past it the log is cut and a gap says so


class _Stop(Exception):
    """The source cannot go on; the message is the gap to record."""


def _z(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clock(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%H:%M:%S")


def _problem(exc: BaseException, what: str, *, where: str = "") -> str:
    """One line saying what failed and why, fit for a gap (redacted)."""
    from kubernetes.client.exceptions import ApiException

    if isinstance(exc, ApiException):
        message = ""
        try:
            body = json.loads(exc.body) if exc.body else {}
            message = body.get("message", "") if isinstance(body, dict) else ""
        except (ValueError, TypeError):
            message = ""
        if exc.status == 401:
            text = (f"{what}: the API server refused the credentials (401 Unauthorized){where}; "
                    "the token or certificate in the kubeconfig is wrong or expired")
        elif exc.status == 403:
            text = f"{what}: forbidden (403){where}: {message or exc.reason}"
        elif exc.status == 404:
            text = f"{what}: not found (404){where}: {message or exc.reason}"
        elif exc.status == 0:
            text = f"{what}: cannot reach the API server{where}: {exc.reason}"
        else:
            text = f"{what}: HTTP {exc.status}{where}: {message or exc.reason}"
    elif isinstance(exc, UnicodeDecodeError):
        text = (f"{what}: the API server answered an error whose body is not UTF-8 text{where} "
                f"(byte 0x{exc.object[exc.start]:02x} at {exc.start}); nothing more can be said of it")
    elif isinstance(exc, ValueError):
        text = f"{what}: the API server's answer is not the JSON expected{where}: {exc}"
    else:
        reason = str(exc) or type(exc).__name__
        text = f"{what}: cannot reach the API server{where}: {type(exc).__name__}: {reason}"
    return one_line(redact(text), 400)


def _network_errors() -> tuple[type[BaseException], ...]:
    import urllib3

    return (urllib3.exceptions.HTTPError, OSError)


# -- setup ------------------------------------------------------------------------


def _connect(settings: KubernetesSettings) -> tuple[ApiClient, str, str]:
    """An ApiClient for the kubeconfig and context, the namespace to use and
    the context's name."""
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    path = os.path.expanduser(settings.kubeconfig) if settings.kubeconfig else None
    shown = path or os.environ.get("KUBECONFIG") or "~/.kube/config"
    if path is not None and not os.path.exists(path):
        raise _Stop(f"kubeconfig {shown} does not exist")
    cfg = client.Configuration()
    try:
        config.load_kube_config(config_file=path, context=settings.context or None,
                                client_configuration=cfg, persist_config=False)
        contexts, active = config.list_kube_config_contexts(config_file=path)
    except ConfigException as exc:
        raise _Stop(f"kubeconfig {shown}: {exc}") from None
    except (OSError, ValueError, TypeError, KeyError) as exc:  # unreadable or malformed YAML
        raise _Stop(f"kubeconfig {shown} cannot be used: {type(exc).__name__}: {exc}") from None
    except Exception as exc:
        raise _Stop(f"kubeconfig {shown} cannot be read: {type(exc).__name__}: {exc}") from None
    chosen = next((c for c in contexts if c.get("name") == settings.context), None) if settings.context else active
    namespace = settings.namespace or ((chosen or {}).get("context") or {}).get("namespace") or "default"
    cfg.retries = 2  # bounded: a dead API server costs seconds, not minutes
    return client.ApiClient(cfg), namespace, (chosen or {}).get("name", settings.context or "")


def _selector_from(spec_selector: V1LabelSelector) -> str:
    """A LabelSelector (matchLabels + matchExpressions) as selector text."""
    terms = [f"{k}={v}" for k, v in sorted((spec_selector.match_labels or {}).items())]
    for expr in spec_selector.match_expressions or []:
        values = ",".join(expr.values or [])
        op = expr.operator
        if op == "In":
            terms.append(f"{expr.key} in ({values})")
        elif op == "NotIn":
            terms.append(f"{expr.key} notin ({values})")
        elif op == "Exists":
            terms.append(expr.key)
        elif op == "DoesNotExist":
            terms.append(f"!{expr.key}")
    return ",".join(terms)


def _pod_name(pod: V1Pod) -> str:
    return (pod.metadata.name if pod.metadata is not None else None) or ""


@dataclass
class _Run:
    """What the steps of one collection share."""

    ctx: Context
    result: SourceResult
    namespace: str
    where: str  # " (context C, namespace N)", for messages
    failures: tuple[type[BaseException], ...]  # API and network errors a step turns into a gap
    rules: Rules = NO_RULES
    events: list[Ev] | None = None  # the namespace's events, once read (rollbacks are dated by them)
    autoscalers: list[dict] | None = None  # the deployment's HorizontalPodAutoscalers (JSON), once read
    autoscalers_evidence: str = ""
    # Where the logs of replaced pods are read instead ("Loki ({app="api"})"), or "".
    elsewhere: str = ""

    def lost(self, what: str) -> str:
        """How a gap ends for logs the cluster no longer has."""
        if self.elsewhere:
            return f"{what} are gone from the cluster; they were read from {self.elsewhere} instead"
        return f"{what} are lost"

    def gap(self, text: str, start: datetime | None = None, end: datetime | None = None) -> None:
        window = self.ctx.window
        self.result.gaps.append(Gap(SOURCE, one_line(redact(text), 400), start or window.start, end or window.end))


# -- the source -----------------------------------------------------------------------


def collect_kubernetes(settings: KubernetesSettings, ctx: Context, *, logs_elsewhere: str = "") -> SourceResult:
    """`logs_elsewhere` names the source that holds the logs of pods the
    cluster replaced (Loki), for the gaps to say so."""
    result = SourceResult(SOURCE)
    if not (settings.deployment or settings.selector):
        _Run(ctx, result, "", "", ()).gap("no deployment or label selector set in [sources.kubernetes]: "
                                          "nothing to collect")
        return result
    ctx.progress("kubernetes: reading the kubeconfig", 0.0)
    try:
        api_client, ns, context_name = _connect(settings)
    except _Stop as stop:
        _Run(ctx, result, "", "", ()).gap(str(stop))
        return result
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    where = f" (context {context_name}, namespace {ns})" if context_name else f" (namespace {ns})"
    try:
        rules = Rules.of(settings.errors, settings.warnings, settings.ignore, where="[sources.kubernetes] ")
    except ValueError as exc:
        _Run(ctx, result, "", "", ()).gap(f"{exc}; the default levels are used")
        rules = NO_RULES
    # UnicodeDecodeError: the client decodes an error's body as UTF-8 while
    # building its ApiException, so a non-UTF-8 body raises that instead
    run = _Run(ctx, result, ns, where, (ApiException, UnicodeDecodeError, *_network_errors()), rules,
               elsewhere=logs_elsewhere)
    core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    try:
        ctx.check_cancelled()
        selector = _selector(apps, settings, run)
        ctx.check_cancelled()
        try:
            listed = core.list_namespaced_pod(ns, label_selector=selector, _request_timeout=API_TIMEOUT).items
        except run.failures as exc:
            raise _Stop(_problem(exc, f"pods with selector {selector}", where=where)) from None
        pods = [p for p in listed if _pod_name(p)]  # a pod without a name has no logs to ask for
        ctx.progress(f"kubernetes: {len(pods)} pods", 0.1)
        if not pods:
            run.gap(f"no pods match {selector!r} in namespace {ns}: they were deleted or the selector is wrong; "
                    + run.lost("their logs"))
        _status_evidence(pods, selector, run)
        pod_names = {_pod_name(p) for p in pods}
        ctx.check_cancelled()
        _autoscalers(api_client, settings, run)
        ctx.check_cancelled()
        _events(core, settings, pod_names, run)
        ctx.check_cancelled()
        _rollouts(api_client, apps, settings, selector, run)
        ctx.check_cancelled()
        _nodes(api_client, core, pods, run)
        _logs(api_client, pods, settings, run)
    except _Stop as stop:
        run.gap(str(stop))
    except Cancelled:
        run.gap("collection cancelled before it finished")
    finally:
        api_client.close()
    ctx.progress("kubernetes: done", 1.0)
    return result


collect = collect_kubernetes  # the name the orchestrator imports


def _selector(apps: AppsV1Api, settings: KubernetesSettings, run: _Run) -> str:
    """The label selector of the pods to read: the deployment's own, joined
    with the one set in the file."""
    if not settings.deployment:
        return settings.selector
    run.ctx.progress(f"kubernetes: deployment {settings.deployment}", 0.05)
    try:
        dep = apps.read_namespaced_deployment(settings.deployment, run.namespace, _request_timeout=API_TIMEOUT)
    except run.failures as exc:
        raise _Stop(_problem(exc, f"deployment {settings.deployment}", where=run.where)) from None
    from_dep = _selector_from(dep.spec.selector)
    return ",".join(s for s in (from_dep, settings.selector) if s)


def _in_window(when: datetime, window: Window) -> bool:
    return window.start <= when <= window.end


def _status_evidence(pods: list[V1Pod], selector: str, run: _Run) -> None:
    ns, result, window = run.namespace, run.result, run.ctx.window
    rows = []
    terms: list[Termination] = []
    for pod in pods:
        containers = []
        status = pod.status
        for cs in (status.container_statuses if status is not None else None) or []:
            last = cs.last_state.terminated if cs.last_state else None
            now = cs.state.terminated if cs.state else None
            waiting = cs.state.waiting if cs.state else None
            containers.append({
                "name": cs.name, "restarts": cs.restart_count, "ready": cs.ready,
                "state": "terminated" if now else "waiting" if waiting else "running",
                "waiting_reason": waiting.reason if waiting else None,
                "last_termination": None if last is None else {
                    "reason": last.reason, "exit_code": last.exit_code,
                    "started": _z(last.started_at) if last.started_at else None,
                    "finished": _z(last.finished_at) if last.finished_at else None,
                },
            })
            for term, current in ((last, False), (now, True)):
                if term is not None and term.finished_at is not None:
                    terms.append(Termination(_pod_name(pod), cs.name, term.reason or "", term.exit_code,
                                             term.finished_at.astimezone(UTC), current))
        start_time = status.start_time if status is not None else None
        rows.append({"pod": _pod_name(pod), "phase": status.phase if status is not None else None,
                     "started": _z(start_time) if start_time else None,
                     "containers": containers})
    data = json.dumps({"namespace": ns, "selector": selector, "pods": rows}, indent=1).encode()
    ev = write_evidence(run.ctx, "status", SOURCE, "kubernetes/pods.json", data,
                        query=f"GET /api/v1/namespaces/{ns}/pods?labelSelector={selector}")
    result.evidence.append(ev)
    result.candidates.extend(status_candidates(terms, window, ns, ev.id))


def _event_times(e: CoreV1Event) -> tuple[datetime | None, datetime | None]:
    series = getattr(e, "series", None)
    first = e.first_timestamp or e.event_time or (series.last_observed_time if series else None)
    last = e.last_timestamp or (series.last_observed_time if series else None) or first
    first = first.astimezone(UTC) if first else None
    last = last.astimezone(UTC) if last else None
    return first, last


def _relevant(name: str, settings: KubernetesSettings, pod_names: set[str],
              others: frozenset[str] | set[str] = frozenset()) -> bool:
    if name in pod_names or name in others or any(p.startswith(name + "-") for p in pod_names):
        return True  # the pod itself, its ReplicaSet (pod names extend it), its autoscaler
    dep = settings.deployment
    return bool(dep) and (name == dep or name.startswith(dep + "-"))


def _events(core: CoreV1Api, settings: KubernetesSettings, pod_names: set[str], run: _Run) -> None:
    ns, window = run.namespace, run.ctx.window
    run.ctx.progress("kubernetes: events", 0.15)
    try:
        items = core.list_namespaced_event(ns, _request_timeout=API_TIMEOUT).items
    except run.failures as exc:
        run.gap(_problem(exc, f"events of namespace {ns}", where=run.where))
        return
    times = [t for e in items for t in _event_times(e) if t is not None]
    oldest = min(times) if times else None
    if oldest is None:
        run.gap(f"namespace {ns} has no events at all: any from the window have expired; {EVENT_TTL_NOTE}")
    elif window.start < oldest:
        run.gap(f"the oldest event kept in namespace {ns} is from {_z(oldest)}: events from {_z(window.start)} "
                f"until then are missing; {EVENT_TTL_NOTE}", window.start, min(oldest, window.end))
    rows: list[dict[str, object]] = []
    gone: set[str] = set()
    kept: list[Ev] = []
    autoscalers = {str((h.get("metadata") or {}).get("name") or "") for h in run.autoscalers or []}
    for e in sorted(items, key=lambda e: _event_times(e)[0] or window.start):
        obj = e.involved_object
        name = (obj.name if obj is not None else None) or ""
        if obj is None or not _relevant(name, settings, pod_names, autoscalers):
            continue
        first, last = _event_times(e)
        series = getattr(e, "series", None)
        count = (series.count if series is not None and series.count else None) or e.count or 1
        rows.append({"type": e.type, "reason": e.reason, "message": e.message, "object": f"{obj.kind}/{name}",
                     "first": _z(first) if first else None, "last": _z(last) if last else None, "count": count})
        if obj.kind == "Pod" and name not in pod_names:
            gone.add(name)
        kept.append(Ev(e.type or "", e.reason or "", e.message or "", obj.kind or "", name, first, last, count))
    data = json.dumps({"namespace": ns, "events": rows}, indent=1).encode()
    ev = write_evidence(run.ctx, "events", SOURCE, "kubernetes/events.json", data,
                        query=f"GET /api/v1/namespaces/{ns}/events")
    run.result.evidence.append(ev)
    run.events = kept
    run.result.candidates.extend(event_candidates(kept, window, ns, ev.id))
    if run.autoscalers is not None:
        run.result.candidates.extend(hpa_candidates(run.autoscalers, kept, window, ns, run.autoscalers_evidence,
                                                    events_evidence=ev.id))
    for pod in sorted(gone):
        run.gap(f"pod {pod} appears in the events but no longer exists: {run.lost('its logs')}")


def _rollouts(api_client: ApiClient, apps: AppsV1Api, settings: KubernetesSettings, selector: str,
              run: _Run) -> None:
    """The deployment's ReplicaSets: rollouts and rollbacks, with what
    changed between the pod templates of their revisions."""
    if not settings.deployment:
        return
    ns = run.namespace
    run.ctx.progress("kubernetes: replica sets", 0.18)
    try:
        listed = apps.list_namespaced_replica_set(ns, label_selector=selector, _request_timeout=API_TIMEOUT).items
    except run.failures as exc:
        run.gap(_problem(exc, f"replica sets of deployment {settings.deployment}", where=run.where)
                + ": rollouts are not shown")
        return
    items = [api_client.sanitize_for_serialization(rs) for rs in listed]
    owned = [item for item in items if _owned_by(item, settings.deployment)]
    data = json.dumps({"namespace": ns, "deployment": settings.deployment, "items": owned}, indent=1).encode()
    ev = write_evidence(run.ctx, "status", SOURCE, "kubernetes/replicasets.json", data,
                        query=f"GET /apis/apps/v1/namespaces/{ns}/replicasets?labelSelector={selector}")
    run.result.evidence.append(ev)
    revisions = [r for r in (revision_from_json(item) for item in owned) if r is not None]
    found = rollout_candidates(settings.deployment, revisions, run.events or [], run.ctx.window, ns, ev.id)
    fold_scaling(run.result.candidates, found)
    run.result.candidates[:0] = found  # first: a rollout's words win over its scaling events'


def _autoscalers(api_client: ApiClient, settings: KubernetesSettings, run: _Run) -> None:
    """The HorizontalPodAutoscalers that scale the deployment: their last
    rescale and the conditions that stop or cap scaling (their rescale
    events come with the namespace's events)."""
    if not settings.deployment:
        return
    from kubernetes import client

    ns = run.namespace
    run.ctx.progress("kubernetes: autoscalers", 0.12)
    # The JSON as sent (no model): an answer missing a field the generated
    # model requires would otherwise fail the whole source.
    failures: tuple[type[BaseException], ...] = (*run.failures, ValueError, AttributeError)
    try:
        raw: Any = client.AutoscalingV2Api(api_client).list_namespaced_horizontal_pod_autoscaler(
            ns, _request_timeout=API_TIMEOUT, _preload_content=False)
        listed = json.loads(raw.data).get("items") or []
    except failures as exc:
        run.gap(_problem(exc, f"autoscalers of namespace {ns}", where=run.where) + ": scaling by an autoscaler "
                "is shown from the events alone")
        return
    mine = hpa_targets([h for h in listed if isinstance(h, dict)], settings.deployment)
    run.autoscalers = mine
    if not mine:
        return
    data = json.dumps({"namespace": ns, "deployment": settings.deployment, "items": mine}, indent=1).encode()
    ev = write_evidence(run.ctx, "status", SOURCE, "kubernetes/autoscalers.json", data,
                        query=f"GET /apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers")
    run.result.evidence.append(ev)
    run.autoscalers_evidence = ev.id


def _nodes(api_client: ApiClient, core: CoreV1Api, pods: list[V1Pod], run: _Run) -> None:
    """The conditions of the nodes the pods run on (NotReady, memory, disk
    and PID pressure): each node's latest transitions from its status, the
    earlier ones from the node events (namespace default)."""
    names = sorted({p.spec.node_name for p in pods if p.spec is not None and p.spec.node_name})
    if not names:
        return
    run.ctx.progress(f"kubernetes: {len(names)} nodes", 0.19)
    nodes: list[dict] = []
    failures: tuple[type[BaseException], ...] = (*run.failures, ValueError, AttributeError)
    for name in names:
        try:  # the JSON as sent, as for the autoscalers
            raw: Any = core.read_node(name, _request_timeout=API_TIMEOUT, _preload_content=False)
            node = json.loads(raw.data)
        except failures as exc:
            run.gap(_problem(exc, f"node {name}", where=run.where) + ": its conditions are not shown")
            continue
        if isinstance(node, dict):
            nodes.append(node)
    events: list[Ev] = []
    rows: list[dict[str, object]] = []
    try:
        items = core.list_namespaced_event("default", field_selector="involvedObject.kind=Node",
                                           _request_timeout=API_TIMEOUT).items
    except run.failures as exc:
        run.gap(_problem(exc, "node events (namespace default)", where=run.where)
                + ": only each node's latest condition changes are shown")
        items = []
    for e in items:
        obj = e.involved_object
        if obj is None or obj.kind != "Node" or obj.name not in names:
            continue
        first, last = _event_times(e)
        events.append(Ev(e.type or "", e.reason or "", e.message or "", "Node", obj.name, first, last, e.count or 1))
        rows.append({"type": e.type, "reason": e.reason, "message": e.message, "object": f"Node/{obj.name}",
                     "first": _z(first) if first else None, "last": _z(last) if last else None, "count": e.count})
    if not nodes and not events:
        return
    data = json.dumps({"nodes": nodes, "events": rows}, indent=1).encode()
    ev = write_evidence(run.ctx, "status", SOURCE, "kubernetes/nodes.json", data,
                        query="GET /api/v1/nodes/{" + ",".join(names) + "} and node events of namespace default")
    run.result.evidence.append(ev)
    run.result.candidates.extend(node_candidates(nodes, events, run.ctx.window, ev.id))


def _owned_by(item: dict, deployment: str) -> bool:
    refs = (item.get("metadata") or {}).get("ownerReferences") or []
    if refs:
        return any(r.get("kind") == "Deployment" and r.get("name") == deployment for r in refs)
    return str((item.get("metadata") or {}).get("name") or "").startswith(deployment + "-")


# -- pod logs --------------------------------------------------------------------------


class _LogStream(Protocol):
    """The raw urllib3 response of a pod-log request, read as it arrives."""

    def stream(self, amt: int) -> Iterator[bytes]: ...
    def release_conn(self) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class _LogJob:
    pod: str
    container: str
    previous: bool  # the instance before the container's last restart

    @property
    def label(self) -> str:
        return f"{self.pod} {self.container}" + (" (previous)" if self.previous else "")


def _log_query(ns: str, pod: str, params: list[tuple[str, str]]) -> str:
    return f"GET /api/v1/namespaces/{ns}/pods/{pod}/log?{urlencode(params)}"


def _open_log(api_client: ApiClient, ns: str, pod: str, params: list[tuple[str, str]]) -> _LogStream:
    """The raw urllib3 response of a pod-log request (body not read yet),
    through the generated client's own request path (OpenAPI generator 7,
    kubernetes 35 and later: the range pyproject allows)."""
    from kubernetes.client.exceptions import ApiException

    request = api_client.param_serialize(
        "GET", "/api/v1/namespaces/{namespace}/pods/{name}/log",
        path_params={"namespace": ns, "name": pod}, query_params=params,
        header_params={"Accept": "*/*"}, auth_settings=["BearerToken"])
    response = api_client.call_api(*request, _request_timeout=LOG_TIMEOUT)
    if not 200 <= response.status <= 299:
        response.read()
        raise ApiException.from_response(http_resp=response, body=None, data=None)
    stream: _LogStream = response.response
    return stream


def _trim_past(data: bytes, window: Window) -> bytes:
    """Drop the lines read past the window end (the scanner stops within a
    chunk of it). Lines are in time order; a line without a time stays."""
    limit = window.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S").encode()
    end = len(data)
    while end > 0:
        start = data.rfind(b"\n", 0, end - 1) + 1
        stamp = data[start:start + 19]
        if len(stamp) == 19 and stamp[4:5] == b"-" and stamp[10:11] == b"T" and stamp > limit:
            end = start
            continue
        break
    return data[:end]


def _logs(api_client: ApiClient, pods: list[V1Pod], settings: KubernetesSettings, run: _Run) -> None:
    jobs = _log_jobs(pods, settings, run)
    for i, job in enumerate(jobs):
        run.ctx.progress(f"kubernetes: logs of {job.label}", 0.2 + 0.8 * i / max(1, len(jobs)))
        run.ctx.check_cancelled()
        _read_log(api_client, job, run)


def _log_jobs(pods: list[V1Pod], settings: KubernetesSettings, run: _Run) -> list[_LogJob]:
    """The container instances whose logs to read: each chosen container of
    each pod that did not start after the window, and the instance before
    its last restart when it restarted (a gap says when earlier ones are lost)."""
    window = run.ctx.window
    jobs = []
    for pod in pods:
        status = pod.status
        start_time = status.start_time if status is not None else None
        if start_time and start_time.astimezone(UTC) > window.end:
            continue  # started after the window: nothing of interest
        statuses = {cs.name: cs for cs in (status.container_statuses if status is not None else None) or []}
        names = [c.name for c in pod.spec.containers] if pod.spec is not None else []
        if settings.containers:
            names = [n for n in names if n in settings.containers]
        pod_name = _pod_name(pod)
        for name in names:
            jobs.append(_LogJob(pod_name, name, False))
            cs = statuses.get(name)
            if cs is not None and (cs.restart_count or 0) > 0:
                jobs.append(_LogJob(pod_name, name, True))
                if cs.restart_count > 1:
                    run.gap(f"pod {pod_name} container {name} restarted {cs.restart_count} times: "
                            "only the current and the previous instance keep logs; "
                            + run.lost("earlier ones' logs"))
    return jobs


def _read_log(api_client: ApiClient, job: _LogJob, run: _Run) -> None:
    """One container instance's log in the window: streamed through the
    signature scanner into evidence, with candidates and gaps."""
    from kubernetes.client.exceptions import ApiException

    pod, container, window = job.pod, job.container, run.ctx.window
    params = [("container", container), ("timestamps", "true"), ("sinceTime", _z(window.start))]
    if job.previous:
        params.append(("previous", "true"))
    try:
        raw = _open_log(api_client, run.namespace, pod, params)
    except ApiException as exc:
        if job.previous and exc.status == 400:
            run.gap(f"logs of pod {pod} container {container} before its last restart are gone "
                    "(the previous container is no longer kept)")
        elif exc.status == 404:
            run.gap(f"pod {pod} was deleted before its logs were read: {run.lost('its logs')}")
        else:
            run.gap(_problem(exc, f"logs of pod {pod} container {container}"))
        return
    except run.failures as exc:
        run.gap(_problem(exc, f"logs of pod {pod} container {container}"))
        return
    scanner = SignatureScanner(window, redactor=default_redactor(), all_lines=True, baseline_end=run.ctx.baseline,
                               rules=run.rules)
    data, cut = _stream_log(raw, scanner, job, run)
    summary = scanner.close()
    name = f"kubernetes/logs/{pod}/{container}{'.previous' if job.previous else ''}.log"
    ev = write_evidence(run.ctx, "logs", SOURCE, name, _trim_past(data, window),
                        query=_log_query(run.namespace, pod, params))
    run.result.evidence.append(ev)
    summary.stream = f"pod/{pod}" + (f" {container}" if container else "") + (" (previous)" if job.previous else "")
    summary.source = f"kubernetes: {summary.stream}"
    summary.evidence = ev.id
    run.result.logs.append(summary)
    if cut:
        run.gap(f"logs of {job.label} cut at {MAX_LOG_BYTES >> 20} MB: the rest of the window was not read",
                summary.last_seen or window.start, window.end)
    if summary.overflow:
        run.gap(f"logs of {job.label}: {summary.overflow} error lines fell outside the first "
                f"{len(summary.signatures)} templates and are only counted")


def _stream_log(raw: _LogStream, scanner: SignatureScanner, job: _LogJob, run: _Run) -> tuple[bytes, bool]:
    """The log's bytes as read, fed to the scanner on the way, until the
    window's end or MAX_LOG_BYTES (then True: the log was cut)."""
    parts: list[bytes] = []
    size, cut = 0, False
    try:
        for chunk in raw.stream(1 << 16):
            run.ctx.check_cancelled()
            parts.append(chunk)
            size += len(chunk)
            if not scanner.feed(chunk):
                break  # past the window end
            if size >= MAX_LOG_BYTES:
                cut = True
                break
    except run.failures as exc:
        run.gap(_problem(exc, f"logs of pod {job.pod} container {job.container} (cut short)"))
    finally:
        raw.release_conn()
        raw.close()
    return b"".join(parts), cut
