"""Kubernetes: the deployment's pods, their logs in the window, their
status and the namespace's events, as evidence, candidates and gaps.

The official client is imported inside `collect_kubernetes` (it costs
about 0.4 s). Pod logs are read through the raw REST call: the typed
`read_namespaced_pod_log` has no `sinceTime` and decodes the body as
UTF-8, which real logs break. The bytes stream through the log-signature
scanner and stop once past the window end.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from urllib.parse import urlencode

from pmtui.model import Gap, KubernetesSettings
from pmtui.redact import default_redactor, redact
from pmtui.sources.base import Cancelled, Candidate, Context, SourceResult, Window
from pmtui.sources.evidence import write_evidence
from pmtui.sources.logsig import SignatureScanner
from pmtui.sources.logsig import candidates as log_candidates
from pmtui.textsafe import one_line

SOURCE = "kubernetes"
API_TIMEOUT = (5, 30)  # connect, read (seconds)
LOG_TIMEOUT = (5, 120)
MAX_LOG_BYTES = 256 << 20  # per container and instance; past it the log is cut and a gap says so
EVENT_TTL_NOTE = "the API server keeps events for about 1 h by default (kube-apiserver --event-ttl)"

# Normal events worth a timeline row; every Warning event is one.
NOTABLE_NORMAL = {"ScalingReplicaSet", "Killing", "SuccessfulRescale", "Preempting", "Evicted", "NodeNotReady",
                  "SuccessfulDelete", "SuccessfulCreate"}
EVENT_KIND = {"ScalingReplicaSet": "action", "SuccessfulRescale": "action", "Killing": "other",
              "SuccessfulCreate": "other", "SuccessfulDelete": "other"}


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
            text = f"{what}: the API server refused the credentials (401 Unauthorized){where}; the token or certificate in the kubeconfig is wrong or expired"
        elif exc.status == 403:
            text = f"{what}: forbidden (403){where}: {message or exc.reason}"
        elif exc.status == 404:
            text = f"{what}: not found (404){where}: {message or exc.reason}"
        elif exc.status == 0:
            text = f"{what}: cannot reach the API server{where}: {exc.reason}"
        else:
            text = f"{what}: HTTP {exc.status}{where}: {message or exc.reason}"
    else:
        reason = str(exc) or type(exc).__name__
        text = f"{what}: cannot reach the API server{where}: {type(exc).__name__}: {reason}"
    return one_line(redact(text), 400)


def _network_errors() -> tuple[type[BaseException], ...]:
    import urllib3

    return (urllib3.exceptions.HTTPError, OSError)


# -- setup ------------------------------------------------------------------------


def _connect(settings: KubernetesSettings):
    """An ApiClient for the kubeconfig and context, and the namespace to use."""
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


def _selector_from(spec_selector) -> str:
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


# -- the source -----------------------------------------------------------------------


def collect_kubernetes(settings: KubernetesSettings, ctx: Context) -> SourceResult:
    result = SourceResult(SOURCE)
    window = ctx.window

    def gap(text: str, start: datetime | None = None, end: datetime | None = None) -> None:
        result.gaps.append(Gap(SOURCE, one_line(redact(text), 400), start or window.start, end or window.end))

    if not (settings.deployment or settings.selector):
        gap("no deployment or label selector set in [sources.kubernetes]: nothing to collect")
        return result
    ctx.progress("kubernetes: reading the kubeconfig", 0.0)
    try:
        api_client, ns, context_name = _connect(settings)
    except _Stop as stop:
        gap(str(stop))
        return result
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    failures = (ApiException, *_network_errors())
    where = f" (context {context_name}, namespace {ns})" if context_name else f" (namespace {ns})"
    core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    try:
        ctx.check_cancelled()
        selector = settings.selector
        if settings.deployment:
            ctx.progress(f"kubernetes: deployment {settings.deployment}", 0.05)
            try:
                dep = apps.read_namespaced_deployment(settings.deployment, ns, _request_timeout=API_TIMEOUT)
            except failures as exc:
                raise _Stop(_problem(exc, f"deployment {settings.deployment}", where=where)) from None
            from_dep = _selector_from(dep.spec.selector)
            selector = ",".join(s for s in (from_dep, settings.selector) if s)
        ctx.check_cancelled()
        try:
            pods = core.list_namespaced_pod(ns, label_selector=selector, _request_timeout=API_TIMEOUT).items
        except failures as exc:
            raise _Stop(_problem(exc, f"pods with selector {selector}", where=where)) from None
        ctx.progress(f"kubernetes: {len(pods)} pods", 0.1)
        if not pods:
            gap(f"no pods match {selector!r} in namespace {ns}: they were deleted (their logs with them) "
                "or the selector is wrong")
        _status_evidence(pods, ns, selector, ctx, result, window)
        pod_names = {p.metadata.name for p in pods}
        ctx.check_cancelled()
        _events(core, ns, settings, pod_names, ctx, result, gap, failures, where)
        _logs(api_client, ns, pods, settings, ctx, result, gap, failures)
    except _Stop as stop:
        gap(str(stop))
    except Cancelled:
        gap("collection cancelled before it finished")
    finally:
        api_client.close()
    ctx.progress("kubernetes: done", 1.0)
    return result


collect = collect_kubernetes  # the name the orchestrator imports


def _in_window(when: datetime | None, window: Window) -> bool:
    return when is not None and window.start <= when <= window.end


def _status_evidence(pods, ns: str, selector: str, ctx: Context, result: SourceResult, window: Window) -> None:
    rows = []
    for pod in pods:
        source = f"kubernetes: pod/{pod.metadata.name}"
        containers = []
        for cs in pod.status.container_statuses or []:
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
            for term, verb in ((last, "restarted"), (now, "terminated")):
                if term is not None and _in_window(term.finished_at, window):
                    reason = term.reason or "unknown reason"
                    result.candidates.append(Candidate(
                        time=term.finished_at.astimezone(UTC),
                        event=f"container {cs.name} {verb}: {reason} (exit {term.exit_code})",
                        source=source, kind="symptom"))
        rows.append({"pod": pod.metadata.name, "phase": pod.status.phase,
                     "started": _z(pod.status.start_time) if pod.status.start_time else None,
                     "containers": containers})
    data = json.dumps({"namespace": ns, "selector": selector, "pods": rows}, indent=1).encode()
    ev = write_evidence(ctx, "status", SOURCE, "kubernetes/pods.json", data,
                        query=f"GET /api/v1/namespaces/{ns}/pods?labelSelector={selector}")
    result.evidence.append(ev)
    for cand in result.candidates:
        cand.evidence = cand.evidence or ev.id


def _event_times(e) -> tuple[datetime | None, datetime | None]:
    series = getattr(e, "series", None)
    first = e.first_timestamp or e.event_time or (series.last_observed_time if series else None)
    last = e.last_timestamp or (series.last_observed_time if series else None) or first
    first = first.astimezone(UTC) if first else None
    last = last.astimezone(UTC) if last else None
    return first, last


def _relevant(name: str, settings: KubernetesSettings, pod_names: set[str]) -> bool:
    if name in pod_names or any(p.startswith(name + "-") for p in pod_names):
        return True  # the pod itself, or its ReplicaSet (pod names extend it)
    dep = settings.deployment
    return bool(dep) and (name == dep or name.startswith(dep + "-"))


def _events(core, ns, settings, pod_names, ctx, result, gap, failures, where) -> None:
    window = ctx.window
    ctx.progress("kubernetes: events", 0.15)
    try:
        items = core.list_namespaced_event(ns, _request_timeout=API_TIMEOUT).items
    except failures as exc:
        gap(_problem(exc, f"events of namespace {ns}", where=where))
        return
    times = [t for e in items for t in _event_times(e) if t is not None]
    oldest = min(times) if times else None
    if oldest is None:
        gap(f"namespace {ns} has no events at all: any from the window have expired; {EVENT_TTL_NOTE}")
    elif window.start < oldest:
        gap(f"the oldest event kept in namespace {ns} is from {_z(oldest)}: events from {_z(window.start)} "
            f"until then are missing; {EVENT_TTL_NOTE}", window.start, min(oldest, window.end))
    rows, gone, found = [], set(), []
    for e in sorted(items, key=lambda e: _event_times(e)[0] or window.start):
        obj = e.involved_object
        if obj is None or not _relevant(obj.name or "", settings, pod_names):
            continue
        first, last = _event_times(e)
        count = (e.series.count if getattr(e, "series", None) and e.series.count else None) or e.count or 1
        rows.append({"type": e.type, "reason": e.reason, "message": e.message, "object": f"{obj.kind}/{obj.name}",
                     "first": _z(first) if first else None, "last": _z(last) if last else None, "count": count})
        if obj.kind == "Pod" and obj.name not in pod_names:
            gone.add(obj.name)
        if first is None or last < window.start or first > window.end:
            continue
        if e.type != "Warning" and e.reason not in NOTABLE_NORMAL:
            continue
        when = first if first >= window.start else last
        text = f"{e.reason}: {e.message or ''}".strip().rstrip(":")
        if count > 1:
            text += f" (\u00d7{count}, last at {_clock(last)})"
        found.append(Candidate(
            time=when, event=one_line(redact(text), 300),
            source=f"kubernetes: {obj.kind.lower()}/{obj.name}",
            kind=EVENT_KIND.get(e.reason, "symptom" if e.type == "Warning" else "other")))
    data = json.dumps({"namespace": ns, "events": rows}, indent=1).encode()
    ev = write_evidence(ctx, "events", SOURCE, "kubernetes/events.json", data,
                        query=f"GET /api/v1/namespaces/{ns}/events")
    result.evidence.append(ev)
    for cand in found:
        cand.evidence = ev.id
    result.candidates.extend(found)
    for name in sorted(gone):
        gap(f"pod {name} appears in the events but no longer exists: its logs are lost")


def _log_query(ns: str, pod: str, params: list[tuple[str, str]]) -> str:
    return f"GET /api/v1/namespaces/{ns}/pods/{pod}/log?{urlencode(params)}"


def _open_log(api_client, ns: str, pod: str, params: list[tuple[str, str]]):
    """The raw urllib3 response of a pod-log request (body not read yet)."""
    from kubernetes.client.exceptions import ApiException

    if hasattr(api_client, "param_serialize"):  # kubernetes >= 35 (OpenAPI generator 7)
        request = api_client.param_serialize(
            "GET", "/api/v1/namespaces/{namespace}/pods/{name}/log",
            path_params={"namespace": ns, "name": pod}, query_params=params,
            header_params={"Accept": "*/*"}, auth_settings=["BearerToken"])
        response = api_client.call_api(*request, _request_timeout=LOG_TIMEOUT)
        if not 200 <= response.status <= 299:
            response.read()
            raise ApiException.from_response(http_resp=response, body=None, data=None)
        return response.response
    return api_client.call_api(  # the older generated client
        "/api/v1/namespaces/{namespace}/pods/{name}/log", "GET",
        path_params={"namespace": ns, "name": pod}, query_params=params,
        header_params={"Accept": "*/*"}, auth_settings=["BearerToken"],
        _preload_content=False, _return_http_data_only=True, _request_timeout=LOG_TIMEOUT)


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


def _logs(api_client, ns, pods, settings, ctx, result, gap, failures) -> None:
    from kubernetes.client.exceptions import ApiException

    window = ctx.window
    since = _z(window.start)
    jobs = []
    for pod in pods:
        if pod.status.start_time and pod.status.start_time.astimezone(UTC) > window.end:
            continue  # started after the window: nothing of interest
        statuses = {cs.name: cs for cs in pod.status.container_statuses or []}
        names = [c.name for c in pod.spec.containers]
        if settings.containers:
            names = [n for n in names if n in settings.containers]
        for name in names:
            jobs.append((pod.metadata.name, name, False))
            cs = statuses.get(name)
            if cs is not None and (cs.restart_count or 0) > 0:
                jobs.append((pod.metadata.name, name, True))
                if cs.restart_count > 1:
                    gap(f"pod {pod.metadata.name} container {name} restarted {cs.restart_count} times: "
                        "only the current and the previous instance keep logs, earlier ones are lost")
    for i, (pod, container, previous) in enumerate(jobs):
        label = f"{pod} {container}" + (" (previous)" if previous else "")
        ctx.progress(f"kubernetes: logs of {label}", 0.2 + 0.8 * i / max(1, len(jobs)))
        ctx.check_cancelled()
        params = [("container", container), ("timestamps", "true"), ("sinceTime", since)]
        if previous:
            params.append(("previous", "true"))
        try:
            raw = _open_log(api_client, ns, pod, params)
        except ApiException as exc:
            if previous and exc.status == 400:
                gap(f"logs of pod {pod} container {container} before its last restart are gone "
                    "(the previous container is no longer kept)")
            elif exc.status == 404:
                gap(f"pod {pod} was deleted before its logs were read: its logs are lost")
            else:
                gap(_problem(exc, f"logs of pod {pod} container {container}"))
            continue
        except failures as exc:
            gap(_problem(exc, f"logs of pod {pod} container {container}"))
            continue
        scanner = SignatureScanner(window, redactor=default_redactor())
        parts: list[bytes] = []
        size, cut = 0, False
        try:
            for chunk in raw.stream(1 << 16):
                ctx.check_cancelled()
                parts.append(chunk)
                size += len(chunk)
                if not scanner.feed(chunk):
                    break  # past the window end
                if size >= MAX_LOG_BYTES:
                    cut = True
                    break
        except failures as exc:
            gap(_problem(exc, f"logs of pod {pod} container {container} (cut short)"))
        finally:
            raw.release_conn()
            raw.close()
        summary = scanner.close()
        data = _trim_past(b"".join(parts), window)
        name = f"kubernetes/logs/{pod}/{container}{'.previous' if previous else ''}.log"
        ev = write_evidence(ctx, "logs", SOURCE, name, data, query=_log_query(ns, pod, params))
        result.evidence.append(ev)
        source = f"kubernetes: pod/{pod} {container}" + (" (previous)" if previous else "")
        result.candidates.extend(log_candidates(summary, source, evidence=ev.id))
        if cut:
            gap(f"logs of {label} cut at {MAX_LOG_BYTES >> 20} MB: the rest of the window was not read",
                summary.last_seen or window.start, window.end)
        if summary.overflow:
            gap(f"logs of {label}: {summary.overflow} error lines fell outside the first "
                f"{len(summary.signatures)} templates and are only counted")
