"""The demo source: recorded answers of real servers replayed through the
real Prometheus and Alertmanager code, so `pmtui demo` collects with no
network.

examples/demo-recordings/ holds what a real Prometheus (with the example
incident backfilled) and a real Alertmanager answered, and index.json says
which request each file answers (record.py there re-records them). An httpx
transport serves them: the source code, change detection and alert history
run exactly as they do against a server, over the window asked for.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtui.examples import recordings_dir
from pmtui.model import (
    AlertmanagerSettings,
    Gap,
    KubernetesSettings,
    LokiSettings,
    PagerDutySettings,
    PrometheusSettings,
    SlackSettings,
)
from pmtui.sources.base import Context, SourceResult

if TYPE_CHECKING:
    import httpx

SOURCE = "demo"
DEMO_BASE = "http://demo.invalid"


_RANGE_RE = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)\[(\d+)s\]$")


def _trim(data: dict[str, Any], start: float, end: float) -> dict[str, Any]:
    for item in (data.get("data") or {}).get("result") or []:
        if "values" in item:
            item["values"] = [v for v in item["values"] if start <= float(v[0]) <= end]
    return data


def transport(folder: Path | None = None) -> httpx.MockTransport:
    """An httpx transport answering Prometheus and Alertmanager API calls
    from the recordings; anything not recorded gets the API's own error shape."""
    import httpx

    where = folder or recordings_dir()
    index = json.loads((where / "index.json").read_text())

    def load(rel: str) -> Any:  # a recorded JSON answer, as the server sent it
        return json.loads((where / rel).read_text())

    def error(status: int, text: str) -> httpx.Response:
        return httpx.Response(status, json={"status": "error", "errorType": "bad_data", "error": text})

    def handle(request: httpx.Request) -> httpx.Response:
        path, params = request.url.path, request.url.params
        if path == "/api/v1/query_range":
            rel = index["query_range"].get(params.get("query", ""))
            if rel is None:
                return error(400, "the demo has no recording for this query (recorded: "
                                  + ", ".join(Path(v).stem for v in index["query_range"].values()) + ")")
            return httpx.Response(200, json=_trim(load(rel), float(params["start"]), float(params["end"])))
        if path == "/api/v1/query":
            m = _RANGE_RE.match(params.get("query", ""))
            rel = index["query"].get(m.group(1)) if m else None
            if m is None or rel is None:
                return error(400, "the demo has no recording for this query")
            end = float(params["time"])
            return httpx.Response(200, json=_trim(load(rel), end - int(m.group(2)), end))
        rel = index["alertmanager"].get(path)
        if rel is not None:
            return httpx.Response(200, json=load(rel))
        return httpx.Response(404, json={"status": "error", "error": f"the demo has no recording for {path}"})

    return httpx.MockTransport(handle)


Replayed = (PrometheusSettings | AlertmanagerSettings | KubernetesSettings | LokiSettings | SlackSettings
            | PagerDutySettings)


def collect(settings: Replayed, ctx: Context) -> SourceResult:
    """Replay the source these settings are for, against the recordings."""
    name = _NAMES[type(settings)]
    if isinstance(settings, SlackSettings):
        return _slack(settings, ctx)
    if isinstance(settings, PagerDutySettings):
        return _pagerduty(settings, ctx)
    if isinstance(settings, LokiSettings):
        return SourceResult(name, gaps=[Gap(name, "the demo has no Loki recording", ctx.window.start,
                                            ctx.window.end)])
    try:
        replay = transport()
    except (FileNotFoundError, ValueError, KeyError) as exc:
        return SourceResult(name, gaps=[Gap(name, f"demo recordings unusable: {exc}", ctx.window.start,
                                            ctx.window.end)])
    if isinstance(settings, PrometheusSettings):
        from pmtui.sources import prometheus

        replayed = copy.deepcopy(settings)
        replayed.url, replayed.auth = DEMO_BASE, "none"
        return prometheus.collect(replayed, ctx, transport=replay)
    if isinstance(settings, AlertmanagerSettings):
        from pmtui.sources import alertmanager

        at_demo = copy.deepcopy(settings)
        at_demo.url = DEMO_BASE
        return alertmanager.collect(at_demo, ctx, transport=replay)
    return _kubernetes(recordings_dir(), ctx)


_NAMES: dict[type, str] = {PrometheusSettings: "prometheus", AlertmanagerSettings: "alertmanager",
                           KubernetesSettings: "kubernetes", LokiSettings: "loki", SlackSettings: "slack",
                           PagerDutySettings: "pagerduty"}


def _index(name: str) -> dict[str, Any]:
    found = json.loads((recordings_dir() / "index.json").read_text()).get(name)
    if not isinstance(found, dict):
        raise KeyError(f"index.json has no {name} recording")
    return found


def _slack(settings: SlackSettings, ctx: Context) -> SourceResult:
    """The recorded channel export through the real export reader."""
    from pmtui.sources import slack

    try:
        meta = _index("slack")
    except (FileNotFoundError, ValueError, KeyError) as exc:
        return SourceResult("slack", gaps=[Gap("slack", f"demo recordings unusable: {exc}", ctx.window.start,
                                               ctx.window.end)])
    replayed = copy.deepcopy(settings)
    replayed.export = str(recordings_dir() / meta["export"])
    replayed.channel = meta["channel"]
    return slack.collect(replayed, ctx)


def pagerduty_transport(folder: Path | None = None) -> httpx.MockTransport:
    """PagerDuty's REST API v2 over the recorded incident: GET /incidents/{id}
    and its log_entries, paginated by offset and limit as the API does."""
    import httpx

    where = folder or recordings_dir()
    answers = json.loads((where / "index.json").read_text())["pagerduty"]["answers"]

    def handle(request: httpx.Request) -> httpx.Response:
        rel = answers.get(request.url.path)
        if rel is None:
            return httpx.Response(404, json={"error": {"message": "Not Found", "code": 2100}})
        data = json.loads((where / rel).read_text())
        if "log_entries" in data:
            params = request.url.params
            offset, limit = int(params.get("offset", 0)), int(params.get("limit", 25))
            entries = data["log_entries"]
            data = {**data, "log_entries": entries[offset:offset + limit], "offset": offset, "limit": limit,
                    "more": offset + limit < len(entries)}
        return httpx.Response(200, json=data)

    return httpx.MockTransport(handle)


def _pagerduty(settings: PagerDutySettings, ctx: Context) -> SourceResult:
    """The recorded incident through the real REST client."""
    from pmtui.sources import pagerduty

    try:
        meta = _index("pagerduty")
        replay = pagerduty_transport()
    except (FileNotFoundError, ValueError, KeyError) as exc:
        return SourceResult("pagerduty", gaps=[Gap("pagerduty", f"demo recordings unusable: {exc}",
                                                   ctx.window.start, ctx.window.end)])
    replayed = copy.deepcopy(settings)
    replayed.incident, replayed.file = meta["incident"], ""

    def fetch(s: PagerDutySettings, incident: str, ctx: Context, notes: list[str], **_: object) -> \
            pagerduty.Fetched:
        return pagerduty.fetch(DEMO_BASE, "demo", "the demo", s, incident, ctx, notes, transport=replay)

    return pagerduty.collect(replayed, ctx, reader=fetch)


def _kubernetes(folder: Path, ctx: Context) -> SourceResult:
    """Recorded pod logs through the log-signature scanner, and the
    namespace's events through the Kubernetes source's own event code."""
    from pmtui.sources import logsig
    from pmtui.sources.evidence import write_evidence
    from pmtui.sources.k8sevents import event_candidates, event_from_json

    result = SourceResult("kubernetes")
    index = json.loads((folder / "index.json").read_text()).get("kubernetes") or {}
    since = ctx.window.start.isoformat().replace("+00:00", "Z")
    for rel, meta in (index.get("logs") or {}).items():
        ctx.check_cancelled()
        pod, container = meta["pod"], meta["container"]
        ev = write_evidence(ctx, "logs", "kubernetes", f"kubernetes/logs/{pod}_{container}.log",
                            (folder / rel).read_bytes(),
                            query=f"pod {pod} container {container} sinceTime={since} timestamps=true (recorded)")
        result.evidence.append(ev)
        summary = logsig.scan_file(ctx.base_dir / ev.path, ctx.window, all_lines=True, baseline_end=ctx.baseline)
        summary.stream, summary.evidence = f"pod/{pod} {container}", ev.id
        summary.source = f"kubernetes: pod/{pod}"
        result.logs.append(summary)
    if index.get("events"):
        raw = (folder / index["events"]).read_bytes()
        ev = write_evidence(ctx, "events", "kubernetes", "kubernetes/events.json", raw,
                            query="events in namespace shop (recorded)")
        result.evidence.append(ev)
        items = [event_from_json(item) for item in json.loads(raw).get("items") or [] if isinstance(item, dict)]
        result.candidates += event_candidates(items, ctx.window, "shop", ev.id)
    result.candidates.sort(key=lambda c: c.time)
    return result
