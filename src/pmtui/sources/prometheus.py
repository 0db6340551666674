"""Prometheus: the window's series, their changes, and the alert history.

Series come from `query_range` with a step that keeps every series under
Prometheus's 11,000-point limit. Alert history does not: a `query_range`
over `ALERTS` fills each gap with the last sample for the lookback delta
(5 min by default), which would move every resolution 5 minutes late. So
the raw samples are read instead, with a range-vector instant query
(`ALERTS[<window>]` evaluated at the window's end).

Resolution time: Prometheus writes no sample when an alert resolves; the
series just stops (a staleness marker, which range vectors drop). pmtui
dates the resolution at the *first missing sample*: the last sample plus
the rule's evaluation interval, estimated as the median spacing of that
alert's samples. An alert whose last sample is within 1.5 intervals of the
window's end is taken as still active and gets no resolution event.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from statistics import median
from typing import TYPE_CHECKING

from pmtui.model import Gap, PrometheusSettings
from pmtui.redact import redact
from pmtui.sources.base import Cancelled, Candidate, Context, SourceResult, ref
from pmtui.sources.changes import describe, detect
from pmtui.sources.evidence import write_evidence

if TYPE_CHECKING:
    import httpx

    from pmtui.sources.httpget import HttpOptions

GapFn = Callable[[str], None]  # records one gap over the window

SOURCE = "prometheus"
MAX_POINTS = 11_000
DEFAULT_STEP = 15.0
MAX_SERIES_ANALYSED = 20
FALLBACK_INTERVAL = 60.0

DEFAULT_QUERIES = {
    "request_rate": "sum(rate(http_requests_total[5m]))",
    "error_rate": 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
    "latency_p99": "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
    "saturation": "max(rate(process_cpu_seconds_total[5m]))",
}

_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")
_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


class StepError(ValueError):
    pass


def parse_step(text: str) -> float | None:
    """`15s`, `1m30s`, `90` (seconds) -> seconds; "" -> None (automatic)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        pos, value = 0, 0.0
        for m in _DURATION_RE.finditer(text):
            if m.start() != pos:
                break
            value += float(m.group(1)) * _UNIT[m.group(2)]
            pos = m.end()
        if pos != len(text) or not text:
            raise StepError(f"step {text!r} is not a duration such as 15s, 1m or 1m30s") from None
    if not math.isfinite(value) or value <= 0:
        raise StepError(f"step {text!r} must be a positive duration")
    return value


def choose_step(start: datetime, end: datetime, wanted: float | None) -> float:
    """The wanted step (15 s by default), made coarser when the window
    would otherwise give a series 11,000 points or more."""
    span = max((end - start).total_seconds(), 0.0)
    step = wanted or DEFAULT_STEP
    # points = floor(span / step) + 1 must stay below MAX_POINTS.
    least = math.ceil(span / (MAX_POINTS - 2)) if span else 1
    return float(max(step, least))


def queries_of(settings: PrometheusSettings) -> dict[str, str]:
    return dict(settings.queries) if settings.queries else dict(DEFAULT_QUERIES)


def label_text(metric: dict[str, str], skip: tuple[str, ...] = ("__name__",)) -> str:
    parts = [f'{k}="{v}"' for k, v in sorted(metric.items()) if k not in skip]
    return "{" + ", ".join(parts) + "}" if parts else ""


def _ts(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _float(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


@dataclass
class Series:
    """One series of a query's answer, for change detection and the pane's plot."""

    labels: dict[str, str]
    samples: list[tuple[datetime, float]] = field(default_factory=list)


def series_of(data: object, bad: list[int] | None = None) -> list[Series]:
    """Series from a Prometheus answer (`matrix` from query_range or a range
    vector); the pane reads evidence files back through this too. An answer
    of another shape holds no series; a sample or series that is not
    Prometheus's shape is skipped and counted in `bad[0]` when given."""
    found = _result(data)
    out = []
    skipped = 0
    for item in found:
        if not isinstance(item, dict):
            skipped += 1
            continue
        values = item.get("values") or ([item["value"]] if "value" in item else [])
        samples = []
        for pair in values if isinstance(values, list) else []:
            sample = _sample(pair)
            if sample is None:
                skipped += 1
            else:
                samples.append(sample)
        metric = item.get("metric")
        labels = {str(k): str(v) for k, v in metric.items()} if isinstance(metric, dict) else {}
        out.append(Series(labels, samples))
    if bad is not None:
        bad[0] += skipped
    return out


def _result(data: object) -> list[object]:
    inner = data.get("data") if isinstance(data, dict) else None
    result = inner.get("result") if isinstance(inner, dict) else None
    return result if isinstance(result, list) else []


def _sample(pair: object) -> tuple[datetime, float] | None:
    """[unix time, "value"] -> (time, value); None for anything else (a
    value that is not a number, a time out of range)."""
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        return None
    try:
        when = _ts(float(pair[0]))
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    value = _float(pair[1])
    if math.isnan(value) and str(pair[1]).lower() != "nan":
        return None
    return when, value


def load_series(path: str | os.PathLike[str]) -> list[Series]:
    with open(path, "rb") as fh:
        return series_of(json.load(fh))


# -- alert history ------------------------------------------------------------


@dataclass(frozen=True)
class AlertTransition:
    time: datetime
    alert: str  # alertname
    labels: str  # the alert's other labels, as text
    state: str  # pending | firing | resolved | inactive (pending that never fired)
    facets: tuple[tuple[str, str], ...] = ()  # the alert's labels but its name


def alert_transitions(alerts: list[Series], for_state: list[Series], window_end: datetime) -> list[AlertTransition]:
    """Transitions from raw ALERTS samples (see the module's docstring)."""
    by_alert: dict[tuple, list[tuple[datetime, str]]] = {}
    spacing: dict[tuple, list[float]] = {}
    names: dict[tuple, tuple[str, str]] = {}
    for s in alerts:
        labels = {k: v for k, v in s.labels.items() if k not in ("__name__", "alertstate")}
        key = tuple(sorted(labels.items()))
        state = s.labels.get("alertstate", "firing")
        names[key] = (labels.get("alertname", "?"), label_text(labels, ("__name__", "alertname")))
        by_alert.setdefault(key, []).extend((t, state) for t, _ in s.samples)
        diffs = [(b[0] - a[0]).total_seconds() for a, b in pairwise(s.samples)]
        spacing.setdefault(key, []).extend(d for d in diffs if d > 0)
    active_since: dict[tuple, datetime] = {}
    for s in for_state:
        labels = {k: v for k, v in s.labels.items() if k != "__name__"}
        key = tuple(sorted(labels.items()))
        if s.samples and math.isfinite(s.samples[0][1]):
            active_since[key] = _ts(s.samples[0][1])

    out: list[AlertTransition] = []
    for key, points in by_alert.items():
        points.sort()
        name, text = names[key]
        interval = median(spacing[key]) if spacing.get(key) else FALLBACK_INTERVAL
        episode: list[tuple[datetime, str]] = []
        for point in points:
            if episode and (point[0] - episode[-1][0]).total_seconds() > 2.5 * interval:
                out += _episode(episode, name, text, interval, None, key)
                episode = []
            episode.append(point)
        if episode:
            out += _episode(episode, name, text, interval, window_end, key)
        # An alert already active when the window opened: say since when.
        since = active_since.get(key)
        if since is not None and points and since < points[0][0] - timedelta(seconds=interval):
            out.append(AlertTransition(since, name, text, "active since", key))
    out.sort(key=lambda a: (a.time, a.alert))
    return out


def _episode(points: list[tuple[datetime, str]], name: str, text: str, interval: float,
             window_end: datetime | None, labels: tuple[tuple[str, str], ...] = ()) -> list[AlertTransition]:
    """One stretch of an alert's samples: the first sample of each state,
    then the resolution one interval after the last sample. `window_end` is
    given for the alert's last stretch: one still sampled near the window's
    end is taken as still active and gets no resolution."""
    out: list[AlertTransition] = []
    seen: set[str] = set()
    for t, state in points:
        if state not in seen:
            seen.add(state)
            out.append(AlertTransition(t, name, text, state, labels))
    end = points[-1][0]
    still_active = window_end is not None and (window_end - end).total_seconds() < 1.5 * interval
    if not still_active:
        final = "resolved" if "firing" in seen else "inactive"
        out.append(AlertTransition(end + timedelta(seconds=interval), name, text, final, labels))
    return out


_ALERT_KIND = {"pending": "symptom", "firing": "detection", "resolved": "resolution",
               "inactive": "other", "active since": "symptom"}
_ALERT_WORDS = {"pending": "pending", "firing": "firing", "resolved": "resolved",
                "inactive": "back to inactive without firing", "active since": "became active (before the window)"}


def alert_key(name: str, state: str) -> tuple[str, ...]:
    """The happening an alert's state change is, for sources.merge: the
    same from ALERTS and from Alertmanager (the labels go in `facets`)."""
    return ("alert", name, state)


def alert_candidates(transitions: list[AlertTransition], evidence_id: str) -> list[Candidate]:
    names: dict[str, set[str]] = {}
    for a in transitions:
        names.setdefault(a.alert, set()).add(a.labels)
    out = []
    for a in transitions:
        label = f"Alert {a.alert}"
        if len(names[a.alert]) > 1 and a.labels:
            label += f" {a.labels}"
        out.append(Candidate(a.time, redact(f"{label} {_ALERT_WORDS[a.state]}"), SOURCE,
                             kind=_ALERT_KIND[a.state], evidence=evidence_id, signal="alert",
                             confidence=0.85 if a.state in ("firing", "resolved") else 0.6,
                             key=alert_key(a.alert, a.state), tolerance=120.0, facets=dict(a.facets),
                             detail=f"{a.alert} {_ALERT_WORDS[a.state]}", precision=2))
    return out


# -- the source ---------------------------------------------------------------


def collect(settings: PrometheusSettings, ctx: Context, *, http: HttpOptions | None = None,
            transport: httpx.BaseTransport | None = None, namespace: str = "",
            named_by: str = "the file's [sources.prometheus] url") -> SourceResult:
    """Series and alert history for `ctx.window`. A failing query becomes a
    gap and the rest goes on; an unreachable server becomes one gap.
    `named_by` says who chose the URL ("user" for an option), for the
    credential rules of pmtui.trust."""
    from pmtui.sources import httpget

    result = SourceResult(SOURCE)
    start, end = ctx.window.start, ctx.window.end

    def gap(text: str) -> None:
        result.gaps.append(Gap(SOURCE, text, start, end))

    try:
        step = choose_step(start, end, parse_step(settings.step))
        headers = httpget.auth_headers(settings.auth, settings.token_env, settings.username_env, settings.password_env,
                                       url=settings.url, named_by=named_by, source=SOURCE)
        client = httpget.make_client(settings.url, headers, http, transport)
    except (StepError, httpget.SourceError) as exc:
        gap(f"Prometheus not queried: {exc}")
        return result

    queries = queries_of(settings)
    total = len(queries) + 3
    done = 0
    with client:
        try:
            for name, promql in queries.items():
                ctx.progress(f"Prometheus: {name}", done / total)
                try:
                    body, data = httpget.get_json(client, "/api/v1/query_range", {
                        "query": promql, "start": f"{start.timestamp():.3f}",
                        "end": f"{end.timestamp():.3f}", "step": f"{step:g}"}, ctx, http)
                except httpget.Unreachable:
                    raise
                except httpget.SourceError as exc:
                    gap(f"query {name} failed: {exc}")
                    done += 1
                    continue
                ev = write_evidence(ctx, "metrics", SOURCE, f"prometheus/{name}.json", body,
                                   query=f"{promql} (step {step:g}s)")
                result.evidence.append(ev)
                _warnings(data, name, gap)
                bad = [0]
                series = series_of(data, bad)
                if bad[0]:
                    gap(f"query {name}: {bad[0]} sample(s) not in Prometheus's [time, \"value\"] shape skipped")
                if not series:
                    gap(f"query {name} returned no data for the window")
                pretty = name.replace("_", " ")
                warmup = range_seconds(promql)
                for s in series[:MAX_SERIES_ANALYSED]:
                    label = f"{pretty} {label_text(s.labels)}" if len(series) > 1 else pretty
                    for change in detect(s.samples, start, end, warmup=warmup, step=step):
                        kind = "resolution" if change.direction == "returned" else "symptom"
                        result.candidates.append(Candidate(
                            change.time, redact(describe(label, change)), SOURCE, kind=kind,
                            evidence=ref(ev.id, series=label_text(s.labels)), signal="metric", confidence=0.6,
                            key=("metric", name, label_text(s.labels), change.direction), tolerance=0.0,
                            detail=describe(label, change)))
                done += 1
            ctx.progress("Prometheus: alert history", done / total)
            _alert_history(client, ctx, http, result, gap)
            ctx.progress("Prometheus: container restarts", (done + 1) / total)
            _restarts(client, ctx, http, result, step, namespace)
            ctx.progress("Prometheus: done", 1.0)
        except httpget.Unreachable as exc:
            gap(f"Prometheus unreachable: {exc}")
        except Cancelled:
            # Keep what was fetched before the stop: it is on disk already.
            gap("collection cancelled before it finished")
    return result


def _warnings(data: object, name: str, gap: GapFn) -> None:
    from pmtui.sources.httpget import outside

    for warning in (data.get("warnings") if isinstance(data, dict) else None) or []:
        gap(f"query {name}: Prometheus warned: {outside(str(warning))}")


def _alert_history(client: httpx.Client, ctx: Context, http: HttpOptions | None, result: SourceResult,
                   gap: GapFn) -> None:
    from pmtui.sources import httpget

    start, end = ctx.window.start, ctx.window.end
    seconds = max(1, math.ceil((end - start).total_seconds()))
    got: dict[str, list[Series]] = {}
    evidence_id = ""
    for metric in ("ALERTS", "ALERTS_FOR_STATE"):
        query = f"{metric}[{seconds}s]"
        try:
            body, data = httpget.get_json(client, "/api/v1/query", {
                "query": query, "time": f"{end.timestamp():.3f}"}, ctx, http)
        except httpget.Unreachable:
            raise
        except httpget.SourceError as exc:
            gap(f"alert history ({metric}) not read: {exc}")
            continue
        ev = write_evidence(ctx, "alerts", SOURCE, f"prometheus/{metric}.json", body,
                            query=f"{query} @ {end.isoformat()}")
        result.evidence.append(ev)
        evidence_id = evidence_id or ev.id
        bad = [0]
        got[metric] = series_of(data, bad)
        if bad[0]:
            gap(f"alert history ({metric}): {bad[0]} sample(s) not in Prometheus's shape skipped")
    if "ALERTS" in got:
        transitions = alert_transitions(got["ALERTS"], got.get("ALERTS_FOR_STATE", []), end)
        result.candidates.extend(alert_candidates(transitions, evidence_id))


_RANGE_RE = re.compile(r"\[(\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y))(?::[^\]]*)?\]")


def range_seconds(promql: str) -> float:
    """The longest range selector in a query (`rate(x[5m])` -> 300): how
    long its answer needs data before it is whole."""
    longest = 0.0
    for m in _RANGE_RE.finditer(promql):
        try:
            longest = max(longest, parse_step(m.group(1)) or 0.0)
        except StepError:
            continue
    return longest


# -- container restarts (kube-state-metrics) ----------------------------------------

RESTARTS = "kube_pod_container_status_restarts_total"
LAST_REASON = "kube_pod_container_status_last_terminated_reason"


def restart_points(restarts: list[Series], reasons: list[Series]) -> list[tuple[datetime, str, str, str, int, str]]:
    """(time, namespace, pod, container, restarts, reason) at each increase
    of a restart counter: the first sample that shows it (a scrape after
    the restart). The reason is the last-terminated reason series at 1 then."""
    by_container: dict[tuple[str, str, str], list[tuple[datetime, str]]] = {}
    for s in reasons:
        k = (s.labels.get("namespace", ""), s.labels.get("pod", ""), s.labels.get("container", ""))
        by_container.setdefault(k, []).extend((t, s.labels.get("reason", "")) for t, v in s.samples if v >= 1)
    out = []
    for s in restarts:
        k = (s.labels.get("namespace", ""), s.labels.get("pod", ""), s.labels.get("container", ""))
        known = sorted(by_container.get(k, []))
        for (_, before), (t, after) in pairwise(s.samples):
            if math.isfinite(before) and math.isfinite(after) and after > before:
                reason = next((r for when, r in known if when >= t), known[-1][1] if known else "")
                out.append((t, *k, int(after - before), reason))
    return out


def _restarts(client: httpx.Client, ctx: Context, http: HttpOptions | None, result: SourceResult, step: float,
              namespace: str) -> None:
    """Each container restart kube-state-metrics counted in the window. No
    such series is no gap: not every Prometheus scrapes kube-state-metrics."""
    from pmtui.sources import httpget

    start, end = ctx.window.start, ctx.window.end
    selector = f'{{namespace="{namespace}"}}' if namespace else ""
    got: dict[str, tuple[list[Series], str]] = {}
    for metric in (RESTARTS, LAST_REASON):
        query = metric + selector
        try:
            body, data = httpget.get_json(client, "/api/v1/query_range", {
                "query": query, "start": f"{start.timestamp():.3f}", "end": f"{end.timestamp():.3f}",
                "step": f"{step:g}"}, ctx, http)
        except httpget.Unreachable:
            raise
        except httpget.SourceError:
            return
        series = series_of(data)
        if not series:
            continue
        ev = write_evidence(ctx, "metrics", SOURCE, f"prometheus/{metric}.json", body,
                            query=f"{query} (step {step:g}s)")
        result.evidence.append(ev)
        got[metric] = (series, ev.id)
    if RESTARTS not in got:
        return
    from pmtui.sources.k8sevents import restart_candidate

    series, ev_id = got[RESTARTS]
    for when, ns, pod, container, n, reason in restart_points(series, got.get(LAST_REASON, ([], ""))[0]):
        what = (reason or "reason not recorded") + (f" ({n} restarts between two scrapes)" if n > 1 else "")
        labels = label_text({"namespace": ns, "pod": pod, "container": container})
        result.candidates.append(restart_candidate(
            when, ns, pod, container, f"{what} \u2014 kube-state-metrics", source=SOURCE,
            evidence=ref(ev_id, series=labels), precision=1, confidence=0.7))
