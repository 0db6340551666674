"""Loki: the logs that outlive their pods, through LogQL.

GET /loki/api/v1/query_range (https://grafana.com/docs/loki/latest/reference/loki-http-api/):
`query`, `start` and `end` in nanoseconds (start inclusive, end exclusive),
`limit` entries per answer, `direction=forward` (oldest first). An answer
of `limit` entries means there may be more: the next page starts at the
last timestamp read, and the entries of that very nanosecond already
kept are skipped, so nothing is lost or doubled at a page boundary. The
tenant goes in X-Scope-OrgID; bearer or basic credentials come from
environment variables, and only to a URL the user chose (pmtui.sources.trust).

Each stream (a pod's container, usually) becomes an evidence file of
`RFC3339 line` rows, the shape pod logs have, so the same signature
scanner groups its errors into templates.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pmtui.model import Gap, KubernetesSettings, LokiSettings
from pmtui.redact import default_redactor, redact
from pmtui.sources.base import Context, SourceResult
from pmtui.sources.evidence import write_evidence
from pmtui.sources.jsonshape import obj
from pmtui.sources.logsig import NO_RULES, Rules, SignatureScanner
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    import httpx

    from pmtui.sources.httpget import HttpOptions

SOURCE = "loki"
PAGE = 5000
MAX_PAGES = 400
MAX_BYTES = 256 << 20  # of log lines kept, over every stream
MAX_STREAMS = 100
PATH = "/loki/api/v1/query_range"


class LokiError(Exception):
    """The query or the server cannot be used; the message is fit for a gap."""


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def default_query(k8s: KubernetesSettings) -> str:
    """A stream selector for the Kubernetes source's pods, with the labels
    promtail and the Grafana agent attach (namespace, pod, container, and
    the pod's own labels): "" when the settings name no pods."""
    terms: list[str] = []
    if k8s.namespace:
        terms.append(f"namespace={_quote(k8s.namespace)}")
    for part in re.split(r",(?![^()]*\))", k8s.selector or ""):
        m = re.fullmatch(r"\s*([\w./-]+)\s*==?\s*([\w./-]*)\s*", part)
        if m:
            key = re.sub(r"[^A-Za-z0-9_]", "_", m.group(1))
            terms.append(f"{key}={_quote(m.group(2))}")
    if not any(t.startswith(("app=", "app_kubernetes_io")) for t in terms) and k8s.deployment:
        terms.append(f'pod=~{_quote(re.escape(k8s.deployment) + "-.*")}')
    if len(k8s.containers) == 1:
        terms.append(f"container={_quote(k8s.containers[0])}")
    elif k8s.containers:
        terms.append(f'container=~{_quote("|".join(re.escape(c) for c in k8s.containers))}')
    if not any(not t.startswith("namespace=") for t in terms):
        return ""
    return "{" + ", ".join(terms) + "}"


def _ns(when: datetime) -> int:
    # Exact: timestamp() is a float and loses the nanoseconds' precision.
    delta = when.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000


def rfc3339(ns: int) -> str:
    """Nanoseconds since the epoch as the kubelet writes them (fixed width)."""
    seconds, frac = divmod(ns, 10**9)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"


@dataclass
class _Stream:
    labels: dict[str, str]
    lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        pod, container = self.labels.get("pod", ""), self.labels.get("container", "")
        if pod:
            return f"{pod}/{container}" if container else pod
        for key in ("app", "job", "filename", "service_name", "unit"):
            if self.labels.get(key):
                return self.labels[key]
        return "stream"

    @property
    def source(self) -> str:
        pod, container = self.labels.get("pod", ""), self.labels.get("container", "")
        if pod:
            return f"{SOURCE}: pod/{pod}" + (f" {container}" if container else "")
        return f"{SOURCE}: {self.name}"


def _headers(settings: LokiSettings, *, from_user: bool) -> dict[str, str]:
    from pmtui.sources import trust
    from pmtui.sources.httpget import SourceError

    headers: dict[str, str] = {}
    if settings.tenant.strip():
        headers["X-Scope-OrgID"] = settings.tenant.strip()
    auth = (settings.auth or "none").strip().lower()
    if auth in ("", "none"):
        return headers
    if auth not in ("bearer", "basic"):
        raise SourceError(f"auth {auth!r} is not one of none, bearer, basic")
    def secret(named: str, field: str, kind: str) -> str:
        var = trust.credential_var(named, "loki", field)
        trust.check_credentials_may_go(settings.url, var, from_user=from_user, what="loki")
        return trust.read_secret(var, kind)

    if auth == "bearer":
        headers["Authorization"] = f"Bearer {secret(settings.token_env, 'token_env', 'loki-token')}"
    else:
        user = secret(settings.username_env, "username_env", "loki-user")
        password = secret(settings.password_env, "password_env", "loki-password")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        trust.remember_secret(pair, "loki-basic")
        headers["Authorization"] = f"Basic {pair}"
    return headers


def _page(client: httpx.Client, params: dict[str, str], ctx: Context, http: HttpOptions | None) -> list[Any]:
    from pmtui.sources import httpget

    response = httpget.get(client, PATH, params, ctx, http)
    text = response.content.decode("utf-8", "replace")
    if response.status_code >= 400:
        detail = httpget.outside(text.strip() or f"HTTP {response.status_code}", 300)
        if response.status_code == 401:
            hint = ("set [sources.loki] tenant (the X-Scope-OrgID header)" if "org id" in text.lower()
                    else "check auth and the credential variables")
            raise LokiError(f"Loki refused the query (401: {detail}): {hint}")
        if response.status_code == 400:
            raise LokiError(f"Loki rejected the query {httpget.outside(params['query'], 200)!r} (400: {detail})")
        raise LokiError(f"HTTP {response.status_code} from {PATH}: {detail}")
    try:
        data = json.loads(response.content)
    except ValueError:
        raise LokiError(f"{PATH} did not answer JSON: {httpget.outside(text, 200)}") from None
    inner = data.get("data") if isinstance(data, dict) else None
    if not isinstance(inner, dict) or data.get("status") != "success":
        raise LokiError(f"{PATH} answered {httpget.outside(str(data)[:200], 200)}")
    if inner.get("resultType") not in ("streams", None):
        raise LokiError(f"the LogQL query gives {inner.get('resultType')!r}, not log lines: "
                        "give a log query such as {app=\"api\"} |= \"error\", not a metric query")
    result = inner.get("result")
    return result if isinstance(result, list) else []


def _entries(result: list[Any]) -> Iterator[tuple[int, tuple[tuple[str, str], ...], str]]:
    for item in result:
        if not isinstance(item, dict):
            continue
        labels = obj(item, "stream")
        key = tuple(sorted((str(k), str(v)) for k, v in labels.items()))
        for value in item.get("values") or []:
            if isinstance(value, list) and len(value) >= 2:
                try:
                    yield int(value[0]), key, str(value[1])
                except (TypeError, ValueError):
                    continue


@dataclass
class _Read:
    streams: dict[tuple[tuple[str, str], ...], _Stream] = field(default_factory=dict)
    pages: int = 0
    size: int = 0
    cut: str = ""  # why reading stopped early


def read(client: httpx.Client, query: str, ctx: Context, http: HttpOptions | None) -> _Read:
    """Every entry of the window, page by page, forward in time."""
    start, end = _ns(ctx.window.start), _ns(ctx.window.end) + 1
    out = _Read()
    boundary: set[tuple[tuple[tuple[str, str], ...], str]] = set()
    boundary_ts = -1
    span = max(1, end - start)
    while out.pages < MAX_PAGES:
        out.pages += 1
        ctx.progress(f"Loki: page {out.pages}", min(0.9, 0.9 * (start - _ns(ctx.window.start)) / span))
        params = {"query": query, "start": str(start), "end": str(end), "limit": str(PAGE), "direction": "forward"}
        entries = list(_entries(_page(client, params, ctx, http)))
        last = boundary_ts
        for ts, key, line in entries:
            if ts == boundary_ts and (key, line) in boundary:
                continue
            stream = out.streams.get(key)
            if stream is None:
                if len(out.streams) >= MAX_STREAMS:
                    out.cut = out.cut or f"more than {MAX_STREAMS} streams match: the others were not kept"
                    continue
                stream = out.streams[key] = _Stream(dict(key))
            stream.lines.append((ts, line))
            out.size += len(line) + 32
            last = max(last, ts)
        if out.size > MAX_BYTES:
            out.cut = f"cut at {MAX_BYTES >> 20} MB of log lines, at {rfc3339(last)[:19]}Z"
            return out
        if len(entries) < PAGE:
            return out
        newest = max(ts for ts, _, _ in entries)
        if newest == start:  # a whole page in one nanosecond: step past it
            out.cut = f"more than {PAGE} entries at {rfc3339(newest)}: some were not read"
            start, boundary_ts, boundary = newest + 1, -1, set()
            continue
        boundary = {(key, line) for ts, key, line in entries if ts == newest}
        start, boundary_ts = newest, newest
    out.cut = out.cut or f"stopped after {MAX_PAGES} pages of {PAGE} entries"
    return out


def collect(settings: LokiSettings, ctx: Context, *, from_user: bool = False, http: HttpOptions | None = None,
            transport: httpx.BaseTransport | None = None) -> SourceResult:
    from pmtui.sources import httpget

    result = SourceResult(SOURCE)
    window = ctx.window

    def gap(text: str) -> None:
        result.gaps.append(Gap(SOURCE, one_line(redact(text), 400), window.start, window.end))

    query = settings.query.strip()
    if not query:
        gap("Loki not queried: no LogQL query ([sources.loki] query, --logql), and no Kubernetes pods "
            "to build one from")
        return result
    try:
        headers = _headers(settings, from_user=from_user)
        client = httpget.make_client(settings.url, headers, http, transport)
    except httpget.SourceError as exc:
        gap(f"Loki not queried: {exc}")
        return result
    with client:
        try:
            got = read(client, query, ctx, http)
        except (LokiError, httpget.SourceError) as exc:
            gap(f"Loki: {exc}")
            return result
    try:
        rules = Rules.of(settings.errors, settings.warnings, settings.ignore, where="[sources.loki] ")
    except ValueError as exc:
        gap(f"{exc}; the default levels are used")
        rules = NO_RULES
    if got.cut:
        gap(f"Loki: {got.cut}")
    if not got.streams:
        gap(f"Loki: no log lines match {query} in the window")
    for i, stream in enumerate(sorted(got.streams.values(), key=lambda s: s.name)):
        ctx.check_cancelled()
        ctx.progress(f"Loki: grouping {stream.name}", 0.9 + 0.1 * i / max(1, len(got.streams)))
        stream.lines.sort(key=lambda pair: pair[0])
        data = "".join(f"{rfc3339(ts)} {line.rstrip(chr(10))}\n" for ts, line in stream.lines).encode()
        ev = write_evidence(ctx, "logs", SOURCE, f"loki/{stream.name}.log", data,
                            query=f"{query} (query_range, direction forward, {got.pages} page(s))")
        result.evidence.append(ev)
        # Every line templated, against the baseline: new templates and
        # rate changes are found as in pod logs; candidates come from all
        # the streams at once (collect.run_one), one row per message.
        scanner = SignatureScanner(window, redactor=default_redactor(), all_lines=True,
                                   baseline_end=ctx.baseline, rules=rules)
        scanner.feed(data)
        summary = scanner.close()
        summary.stream, summary.source, summary.evidence = stream.source.removeprefix(f"{SOURCE}: "), \
            stream.source, ev.id
        result.logs.append(summary)
    ctx.progress("Loki: done", 1.0)
    return result
