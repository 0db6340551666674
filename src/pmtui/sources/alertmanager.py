"""Alertmanager: the alerts it holds now, silenced and inhibited ones
included, and its silences.

Alertmanager keeps no history of resolved alerts: an alert that resolved
before the fetch is simply gone. Every collection records that as a gap, so
the report says where the alert history really comes from (the Prometheus
`ALERTS` series).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pmtui.model import AlertmanagerSettings, Gap
from pmtui.redact import redact
from pmtui.sources.base import Cancelled, Candidate, Context, SourceResult
from pmtui.sources.evidence import write_evidence
from pmtui.sources.prometheus import alert_key

if TYPE_CHECKING:
    import httpx

    from pmtui.sources.httpget import HttpOptions

SOURCE = "alertmanager"
ALERT_PARAMS = {"active": "true", "silenced": "true", "inhibited": "true", "unprocessed": "true"}
NO_HISTORY = (
    "Alertmanager keeps no history of resolved alerts: only the alerts it still held when collected "
    "are in this evidence; the Prometheus ALERTS series holds the alert history"
)


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    # Alertmanager writes 0001-01-01 for "no end"; its far-future endsAt too.
    if when.year < 1970:
        return None
    return when.astimezone(UTC)


def _in(when: datetime, ctx: Context) -> bool:
    return ctx.window.start <= when <= ctx.window.end


def _matchers(silence: dict) -> str:
    parts = []
    for m in silence.get("matchers") or []:
        negated = m.get("isEqual") is False
        op = ("!~" if negated else "=~") if m.get("isRegex") else ("!=" if negated else "=")
        parts.append(f'{m.get("name", "")}{op}"{m.get("value", "")}"')
    return "{" + ", ".join(parts) + "}"


def alert_candidates(alerts: object, ctx: Context, evidence_id: str) -> list[Candidate]:
    """Candidates from Alertmanager's /api/v2/alerts answer (a list of
    alerts; anything else in the JSON is ignored). An alert gives a row when
    it started inside the window, and one when it resolved inside it: its
    endsAt in the window and no later than its last update (an endsAt in
    the future only says when it would expire unless renewed)."""
    out: list[Candidate] = []
    for alert in alerts if isinstance(alerts, list) else []:
        if not isinstance(alert, dict):
            continue
        labels = alert.get("labels") or {}
        name = labels.get("alertname", "?")
        status = alert.get("status") or {}
        notes = []
        if status.get("silencedBy"):
            notes.append("silenced by " + ", ".join(map(str, status["silencedBy"])))
        if status.get("inhibitedBy"):
            notes.append("inhibited by " + ", ".join(map(str, status["inhibitedBy"])))
        state = status.get("state", "")
        extra = f" ({state}{'; ' if notes and state else ''}{'; '.join(notes)})" if state or notes else ""
        facets = {str(k): str(v) for k, v in labels.items() if k != "alertname"} if isinstance(labels, dict) else {}
        started = parse_time(alert.get("startsAt"))
        if started is not None and _in(started, ctx):
            out.append(Candidate(started, redact(f"Alertmanager: alert {name} started{extra}"), SOURCE,
                                 kind="detection", evidence=evidence_id, signal="alert", confidence=0.8,
                                 key=alert_key(name, "firing"), tolerance=120.0, facets=facets,
                                 detail=f"{name} firing", precision=2))
        ended = parse_time(alert.get("endsAt"))
        updated = parse_time(alert.get("updatedAt"))
        if ended is not None and updated is not None and _in(ended, ctx) and ended <= updated:
            out.append(Candidate(ended, redact(f"Alertmanager: alert {name} resolved"), SOURCE,
                                 kind="resolution", evidence=evidence_id, signal="alert", confidence=0.8,
                                 key=alert_key(name, "resolved"), tolerance=120.0, facets=facets,
                                 detail=f"{name} resolved", precision=2))
    return out


def silence_candidates(silences: object, ctx: Context, evidence_id: str) -> list[Candidate]:
    """Candidates from /api/v2/silences: when each silence inside the window
    began and, for an expired one, when it ended."""
    out: list[Candidate] = []
    for silence in silences if isinstance(silences, list) else []:
        if not isinstance(silence, dict):
            continue
        who = str(silence.get("createdBy") or "")
        comment = str(silence.get("comment") or "")
        what = f"silence {_matchers(silence)}" + (f": {comment}" if comment else "")
        started = parse_time(silence.get("startsAt"))
        if started is not None and _in(started, ctx):
            out.append(Candidate(started, redact(f"Alertmanager: {what}"), SOURCE, kind="action",
                                 actor=redact(who), evidence=evidence_id, signal="silence", confidence=0.9,
                                 key=("silence", str(silence.get("id") or what), "start"), precision=3))
        ended = parse_time(silence.get("endsAt"))
        state = (silence.get("status") or {}).get("state")
        if ended is not None and _in(ended, ctx) and state == "expired":
            out.append(Candidate(ended, redact(f"Alertmanager: {what} ended"), SOURCE, kind="action",
                                 evidence=evidence_id, signal="silence", confidence=0.8,
                                 key=("silence", str(silence.get("id") or what), "end"), precision=3))
    return out


def collect(settings: AlertmanagerSettings, ctx: Context, *, http: HttpOptions | None = None,
            transport: httpx.BaseTransport | None = None) -> SourceResult:
    from pmtui.sources import httpget

    result = SourceResult(SOURCE)
    start, end = ctx.window.start, ctx.window.end

    def gap(text: str) -> None:
        result.gaps.append(Gap(SOURCE, text, start, end))

    try:
        client = httpget.make_client(settings.url, None, http, transport)
    except httpget.SourceError as exc:
        gap(f"Alertmanager not queried: {exc}")
        return result
    with client:
        try:
            ctx.progress("Alertmanager: alerts", 0.0)
            try:
                body, alerts = httpget.get_json(client, "/api/v2/alerts", ALERT_PARAMS, ctx, http)
            except httpget.Unreachable:
                raise
            except httpget.SourceError as exc:
                gap(f"alerts not read: {exc}")
            else:
                query = "GET /api/v2/alerts?" + "&".join(f"{k}={v}" for k, v in ALERT_PARAMS.items())
                ev = write_evidence(ctx, "alerts", SOURCE, "alertmanager/alerts.json", body, query=query)
                result.evidence.append(ev)
                result.candidates.extend(alert_candidates(alerts, ctx, ev.id))
                gap(NO_HISTORY)
            ctx.progress("Alertmanager: silences", 0.5)
            try:
                body, silences = httpget.get_json(client, "/api/v2/silences", None, ctx, http)
            except httpget.Unreachable:
                raise
            except httpget.SourceError as exc:
                gap(f"silences not read: {exc}")
            else:
                ev = write_evidence(ctx, "silences", SOURCE, "alertmanager/silences.json", body,
                                   query="GET /api/v2/silences")
                result.evidence.append(ev)
                result.candidates.extend(silence_candidates(silences, ctx, ev.id))
            ctx.progress("Alertmanager: done", 1.0)
        except httpget.Unreachable as exc:
            gap(f"Alertmanager unreachable: {exc}")
        except Cancelled:
            # Keep what was fetched before the stop: it is on disk already.
            gap("collection cancelled before it finished")
    result.candidates.sort(key=lambda c: c.time)
    return result
