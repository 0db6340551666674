"""PagerDuty: an incident's log entries as candidate timeline events.

From the REST API v2 (https://developer.pagerduty.com/api-reference/;
shapes in PagerDuty/api-schema reference/REST/openapiv3.json):
GET /incidents/{id}, GET /incidents/{id}/log_entries (offset pagination:
limit, offset, `more`; include[]=channels), and, with no incident id,
GET /incidents?since&until&service_ids[] to find the window's incidents.
Auth header `Token token=KEY`, the key from the environment only; 429s
are waited out (Retry-After or `ratelimit-reset`, in httpget). Or the
same data from a saved file: a log_entries answer, a list of entries,
or {"incident": ..., "log_entries": [...]} as pmtui keeps it in evidence.

Trigger, notify, acknowledge, escalate, reassign, annotate and resolve
become candidates with their actors; the first acknowledgement and the
resolution offer the incident's detected and resolved times when the
post-mortem has none (Candidate.sets).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtui.model import Gap, PagerDutySettings
from pmtui.redact import redact
from pmtui.sources.base import Candidate, Context, SourceResult
from pmtui.sources.jsonshape import id_lines, obj, seq
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    import httpx

    from pmtui.sources.httpget import HttpOptions

SOURCE = "pagerduty"
ACCEPT = "application/vnd.pagerduty+json;version=2"
PAGE = 100
MAX_PAGES = 100
MAX_INCIDENTS = 5
INCIDENT_ID_RE = re.compile(r"^[A-Z0-9]{6,20}$")


class PagerDutyError(Exception):
    """The file or the API cannot be used; the message is fit for a gap."""


def parse_time(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else None


def _name(ref: object) -> str:
    return str(ref.get("summary") or ref.get("name") or ref.get("id") or "") if isinstance(ref, dict) else ""


def _is_person(ref: object) -> bool:
    return isinstance(ref, dict) and str(ref.get("type", "")).startswith("user")


def _incident_label(entry: dict, incidents: dict[str, dict]) -> str:
    ref = obj(entry, "incident")
    inc = incidents.get(str(ref.get("id") or ""), ref)
    number = inc.get("incident_number")
    if not number:  # a reference only: its summary reads "[#1234] title"
        m = re.match(r"\[#(\d+)\]", str(inc.get("summary") or ""))
        number = m.group(1) if m else None
    return f"#{number}" if number else str(ref.get("id") or "")


def _title(entry: dict, incidents: dict[str, dict]) -> str:
    ref = obj(entry, "incident")
    inc = incidents.get(str(ref.get("id") or ""), ref)
    title = str(inc.get("title") or "")
    if not title:
        title = re.sub(r"^\[#\d+\]\s*", "", str(inc.get("summary") or ""))
    return title


def _assignees(entry: dict) -> str:
    names = [_name(a) for a in entry.get("assignees") or [] if _name(a)]
    return ", ".join(names) or "the next level"


def _describe(entry: dict, incidents: dict[str, dict]) -> tuple[str, str, str] | None:
    """(event, kind, sets) for one log entry; None for entries that say
    nothing a timeline needs."""
    kind_of = str(entry.get("type") or "").removesuffix("_reference")
    label = _incident_label(entry, incidents)
    agent = entry.get("agent")
    who = _name(agent) if _is_person(agent) else ""
    channel = obj(entry, "channel")
    via = str(channel.get("type") or "")
    if kind_of == "trigger_log_entry":
        title = _title(entry, incidents)
        return (f"PagerDuty incident {label} triggered: {title}" if title else f"PagerDuty incident {label} triggered",
                "detection", "")
    if kind_of == "notify_log_entry":
        user = _name(entry.get("user")) or "on-call"
        notification = obj(channel, "notification")
        how = str(notification.get("type") or "").replace("_", " ")
        return f"{user} paged{f' by {how}' if how else ''} ({label})", "escalation", ""
    if kind_of in ("acknowledge_log_entry", "acknowledgement_log_entry"):
        return f"{who or 'Someone'} acknowledged {label}", "escalation", "detected"
    if kind_of == "unacknowledge_log_entry":
        return f"Acknowledgement of {label} timed out", "escalation", ""
    if kind_of == "escalate_log_entry":
        return f"{label} escalated to {_assignees(entry)}", "escalation", ""
    if kind_of == "assign_log_entry":
        verb = "reassigned" if who else "assigned"
        return f"{label} {verb} to {_assignees(entry)}", "escalation", ""
    if kind_of == "delegate_log_entry":
        return f"{label} delegated to {_assignees(entry)}", "escalation", ""
    if kind_of == "annotate_log_entry":
        note = str(entry.get("note") or channel.get("summary") or entry.get("summary") or "").strip()
        return f"Note on {label}: {note}" if note else f"Note added to {label}", "communication", ""
    if kind_of == "resolve_log_entry":
        how = f" by {who}" if who else (" automatically" if via in ("auto", "api", "timeout") else "")
        return f"PagerDuty incident {label} resolved{how}", "resolution", "resolved"
    if kind_of in ("exhaust_escalation_path_log_entry", "repeat_escalation_path_log_entry"):
        what = "exhausted its escalation path" if kind_of.startswith("exhaust") else "repeats its escalation path"
        return f"{label} {what}", "escalation", ""
    if kind_of == "snooze_log_entry":
        return f"{label} snoozed{f' by {who}' if who else ''}", "other", ""
    if kind_of == "urgency_change_log_entry":
        return f"{label} urgency changed: {entry.get('summary') or ''}".rstrip(": "), "other", ""
    if kind_of in ("reach_ack_limit_log_entry", "reach_trigger_limit_log_entry"):
        return f"{label}: {entry.get('summary') or kind_of}", "other", ""
    return None


def _actor(entry: dict) -> str:
    agent = entry.get("agent")
    if _is_person(agent):
        return _name(agent)
    return "System" if isinstance(agent, dict) else ""


_FIRING_RE = re.compile(r"\[FIRING(?::\d+)?\]\s*([A-Za-z_:][A-Za-z0-9_:]*)")
# Entry type -> (the words to match a timeline row by, the incident state it is).
_MERGE: dict[str, tuple[str, str]] = {
    "notify_log_entry": ("paged", ""), "acknowledge_log_entry": ("acknowledged", "acknowledged"),
    "acknowledgement_log_entry": ("acknowledged", "acknowledged"),
    "resolve_log_entry": ("incident resolved", "resolved"),
    "escalate_log_entry": ("escalated", ""), "assign_log_entry": ("assigned", ""),
    "delegate_log_entry": ("delegated", ""),
    "unacknowledge_log_entry": ("acknowledgement timed out", ""), "snooze_log_entry": ("snoozed", ""),
}


def alert_name(entry: dict, incidents: dict[str, dict]) -> str:
    """The alert a trigger came from: Alertmanager's PagerDuty integration
    sends the alertname in the details and "[FIRING:n] Name ..." as the title."""
    details = obj(entry.get("channel"), "details")
    if isinstance(details.get("alertname"), str) and details["alertname"]:
        return details["alertname"]
    for text in (obj(entry, "channel").get("summary"), obj(entry, "event_details").get("description"),
                 _title(entry, incidents)):
        m = _FIRING_RE.search(str(text or ""))
        if m:
            return m.group(1)
    return ""


def _merge_fields(entry: dict, incidents: dict[str, dict]) -> dict[str, Any]:
    """What sources.merge needs: the happening's key, how exact the time
    is, the words a hand-written row would use. A trigger from an alert
    is that alert's firing, the same happening Prometheus and Alertmanager
    report (its time is when PagerDuty heard of it: no more exact than theirs)."""
    kind_of = str(entry.get("type") or "").removesuffix("_reference")
    iid = str(obj(entry, "incident").get("id") or "")
    if kind_of == "trigger_log_entry":
        name = alert_name(entry, incidents)
        if name:
            return {"key": ("alert", name, "firing"), "tolerance": 120.0, "precision": 2, "signal": "alert",
                    "confidence": 0.8, "detail": f"{name} firing"}
        return {"key": ("incident", iid, "triggered"), "precision": 3, "signal": "page", "confidence": 0.8,
                "detail": "incident triggered"}
    detail, state = _MERGE.get(kind_of, ("", ""))
    if kind_of == "annotate_log_entry":
        detail = str(entry.get("note") or obj(entry, "channel").get("summary") or "")
    out: dict[str, Any] = {"precision": 3, "signal": "page", "confidence": 0.75, "detail": detail}
    if state:
        out["key"] = ("incident", iid, state)
        out["tolerance"] = 0.0
    return out


def candidates(entries: list[Any], incidents: dict[str, dict], evidence_id: str = "",
               lines: dict[str, int] | None = None) -> list[Candidate]:
    """Candidates for the log entries, in time order. Only the first
    acknowledgement and the last resolution offer incident times. `lines`
    (entry id -> line in the evidence) makes each reference open there."""
    from pmtui.sources.base import ref

    out: list[Candidate] = []
    dated = []
    for entry in entries:
        if isinstance(entry, dict):
            when = parse_time(entry.get("created_at"))
            if when is not None:
                dated.append((when, entry))
    dated.sort(key=lambda pair: pair[0])
    acked = False
    for when, entry in dated:
        described = _describe(entry, incidents)
        if described is None:
            continue
        event, kind, sets = described
        if sets == "detected":
            sets, acked = ("" if acked else "detected"), True
        meta = _merge_fields(entry, incidents)
        meta["detail"] = one_line(redact(meta["detail"]), 200)
        at = ref(evidence_id, line=(lines or {}).get(str(entry.get("id") or ""))) if evidence_id else ""
        out.append(Candidate(when, one_line(redact(event), 300), f"{SOURCE}: {_incident_label(entry, incidents)}",
                             kind=kind, actor=one_line(redact(_actor(entry)), 80), evidence=at, sets=sets,
                             **meta))
    resolutions = [c for c in out if c.sets == "resolved"]
    for c in resolutions[:-1]:
        c.sets = ""  # reopened and resolved again: the last one counts
    return out


def load_saved(path: Path) -> tuple[list[Any], dict[str, dict]]:
    """(log entries, incidents by id) from a saved file."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise PagerDutyError(f"{path.name} does not exist") from None
    except (OSError, ValueError) as exc:
        raise PagerDutyError(f"{path.name} is not a JSON file of PagerDuty log entries ({exc})") from None
    incidents: dict[str, dict] = {}
    if isinstance(data, list):
        entries = data
    elif isinstance(data, dict) and isinstance(data.get("log_entries"), list):
        entries = data["log_entries"]
        for inc in ([data["incident"]] if isinstance(data.get("incident"), dict) else []) + [
                i for i in data.get("incidents") or [] if isinstance(i, dict)]:
            incidents[str(inc.get("id"))] = inc
    else:
        raise PagerDutyError(f"{path.name}: expected a PagerDuty log_entries answer "
                             '({"log_entries": [...]}) or a list of log entries')
    if entries and not any(isinstance(e, dict) and str(e.get("type", "")).endswith("log_entry") for e in entries):
        raise PagerDutyError(f"{path.name}: none of its {len(entries)} items is a PagerDuty log entry")
    for entry in entries:
        inc = entry.get("incident") if isinstance(entry, dict) else None
        if isinstance(inc, dict) and inc.get("id") and str(inc.get("id")) not in incidents and "title" in inc:
            incidents[str(inc["id"])] = inc
    return entries, incidents


# -- the REST API -------------------------------------------------------------------------


class _Api:
    def __init__(self, client: httpx.Client, ctx: Context, http: HttpOptions | None, var: str) -> None:
        self.client, self.ctx, self.http, self.var = client, ctx, http, var

    def get(self, path: str, params: list[tuple[str, str]] | dict[str, str] | None = None) -> dict[str, Any]:
        from pmtui.sources import httpget

        response = httpget.get(self.client, path, params, self.ctx, self.http)
        text = response.content.decode("utf-8", "replace")
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        if response.status_code >= 400:
            error = data.get("error") if isinstance(data, dict) else None
            message = ""
            if isinstance(error, dict):
                details = "; ".join(str(e) for e in error.get("errors") or [])
                message = str(error.get("message") or "") + (f" ({details})" if details else "")
            message = httpget.outside(message or text or "(no body)", 200)
            if response.status_code == 401:
                raise PagerDutyError(f"PagerDuty refused the key in ${self.var} (401: {message}): it is wrong "
                                     "or revoked; use a REST API key (Integrations > API Access Keys)")
            if response.status_code == 403:
                raise PagerDutyError(f"the key in ${self.var} may not read {path} (403: {message})")
            if response.status_code == 404:
                raise PagerDutyError(f"{path} not found (404: {message})")
            raise PagerDutyError(f"HTTP {response.status_code} from {path}: {message}")
        if not isinstance(data, dict):
            raise PagerDutyError(f"{path} did not answer a JSON object")
        return data

    def paged(self, path: str, params: list[tuple[str, str]], key: str) -> tuple[list[Any], bool]:
        out: list[Any] = []
        offset = 0
        for _ in range(MAX_PAGES):
            self.ctx.check_cancelled()
            data = self.get(path, [*params, ("limit", str(PAGE)), ("offset", str(offset))])
            items = seq(data, key)
            out.extend(items)
            if not data.get("more") or not items:
                return out, False
            offset += len(items)
        return out, True


def _z(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


Fetched = tuple[bytes, list[Any], dict[str, dict], str]  # evidence, log entries, incidents by id, query


def read_api(settings: PagerDutySettings, incident: str, ctx: Context, notes: list[str], *,
             http: Any = None, transport: Any = None) -> Fetched:
    """The incident's log from the REST API, the key from the environment."""
    from pmtui.sources import trust

    base = trust.api_base("pagerduty")
    var = trust.credential_var(settings.token_env, "pagerduty")
    trust.check_credentials_may_go(base, var, from_user=True, what="pagerduty")
    key = trust.read_secret(var, "pagerduty-key")
    return fetch(base, key, var, settings, incident, ctx, notes, http=http, transport=transport)


def fetch(base: str, key: str, var: str, settings: PagerDutySettings, incident: str, ctx: Context,
          notes: list[str], *, http: Any = None, transport: Any = None) -> Fetched:
    from pmtui.sources import httpget

    headers = {"Authorization": f"Token token={key}", "Accept": ACCEPT}
    window = ctx.window
    with httpget.make_client(base, headers, http, transport) as client:
        api = _Api(client, ctx, http, var)
        if incident:
            ids = [incident]
            query = f"GET /incidents/{incident} and /incidents/{incident}/log_entries"
        else:
            ctx.progress("PagerDuty: incidents of the window", 0.1)
            params = [("since", _z(window.start)), ("until", _z(window.end)), ("time_zone", "UTC"),
                      ("service_ids[]", settings.service), ("sort_by", "created_at:asc")]
            found, _ = api.paged("/incidents", params, "incidents")
            ids = [str(i.get("id")) for i in found if isinstance(i, dict) and i.get("id")]
            query = f"GET /incidents?since={_z(window.start)}&until={_z(window.end)}&service_ids[]={settings.service}"
            if not ids:
                raise PagerDutyError(f"no incident of service {settings.service} between {_z(window.start)} "
                                     f"and {_z(window.end)}")
            if len(ids) > MAX_INCIDENTS:
                notes.append(f"{len(ids)} incidents of service {settings.service} in the window: the first "
                             f"{MAX_INCIDENTS} were read ({', '.join(ids[MAX_INCIDENTS:])} were not)")
                ids = ids[:MAX_INCIDENTS]
        incidents: dict[str, dict] = {}
        entries: list[Any] = []
        for i, iid in enumerate(ids):
            ctx.progress(f"PagerDuty: incident {iid}", 0.2 + 0.7 * i / len(ids))
            data = api.get(f"/incidents/{iid}")
            inc = obj(data, "incident")
            incidents[str(inc.get("id") or iid)] = inc
            got, cut = api.paged(f"/incidents/{iid}/log_entries",
                                 [("time_zone", "UTC"), ("include[]", "channels")], "log_entries")
            entries.extend(got)
            if cut:
                notes.append(f"log of incident {iid} cut at {len(got)} entries")
    doc = {"incidents": list(incidents.values()), "log_entries": entries}
    return json.dumps(doc, indent=1, ensure_ascii=False).encode(), entries, incidents, query


# -- the source ---------------------------------------------------------------------------


def target(settings: PagerDutySettings, base_dir: Path) -> tuple[Path | None, str]:
    """(saved file, incident id): `file` when set, else `incident`."""
    if settings.file.strip():
        path = Path(settings.file.strip()).expanduser()
        return (path if path.is_absolute() else base_dir / path), ""
    return None, settings.incident.strip()


def collect(settings: PagerDutySettings, ctx: Context, *, http: Any = None, transport: Any = None,
            reader: Any = None) -> SourceResult:
    """`reader` stands in for read_api (the demo replays recorded answers)."""
    from pmtui.sources.evidence import write_evidence
    from pmtui.sources.httpget import SourceError

    result = SourceResult(SOURCE)
    window = ctx.window

    def gap(text: str) -> None:
        result.gaps.append(Gap(SOURCE, one_line(redact(text), 400), window.start, window.end))

    path, incident = target(settings, ctx.base_dir)
    notes: list[str] = []
    try:
        if path is not None:
            ctx.progress(f"PagerDuty: reading {path.name}", 0.2)
            entries, incidents = load_saved(path)
            raw, query = path.read_bytes(), f"saved log entries {path.name}"
        elif incident or settings.service.strip():
            if incident and not INCIDENT_ID_RE.match(incident):
                raise PagerDutyError(f"{incident!r} is neither a file nor a PagerDuty incident id "
                                     "(like Q1W2E3R4T5Y6U7)")
            raw, entries, incidents, query = (reader or read_api)(settings, incident, ctx, notes, http=http,
                                                                  transport=transport)
        else:
            gap("PagerDuty not read: set [sources.pagerduty] incident, service or file, "
                "or pass --pagerduty PATH_OR_INCIDENT_ID")
            return result
    except (PagerDutyError, SourceError) as exc:
        gap(f"PagerDuty not read: {exc}")
        return result
    name = incident or (path.stem if path is not None else "incidents")
    ev = write_evidence(ctx, "paging", SOURCE, f"pagerduty/{name}.json", raw, query=query)
    result.evidence.append(ev)
    lines = id_lines((ctx.base_dir / ev.path).read_bytes(), "id")
    result.candidates.extend(candidates(entries, incidents, ev.id, lines))
    for note in notes:
        gap(note)
    if not result.candidates:
        gap(f"PagerDuty: {query} holds no log entry pmtui can place on the timeline")
    ctx.progress("PagerDuty: done", 1.0)
    return result
