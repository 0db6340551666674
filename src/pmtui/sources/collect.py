"""Run the configured sources over the incident window and fold what they
found into the post-mortem.

The steps are separate so the app can run each source in its own worker
thread and touch the model only on its own thread:

    plan(pm, overrides)        -> [(name, run)]   which sources, with what settings
    run_one(name, run, ctx)    -> SourceResult    never raises except on cancel-less bugs
    record(pm, result)         evidence and gaps into the model
    fresh(pm, candidates)      one candidate per happening (sources.merge), none that a
                               timeline row already says, the possible trigger flagged
    accept(pm, candidates)     into the timeline with their evidence references, kept sorted

`collect()` does all of it in order, for the command line.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from pmtui.model import (
    AlertmanagerSettings,
    Evidence,
    Gap,
    KubernetesSettings,
    LogFileSettings,
    LokiSettings,
    PagerDutySettings,
    PostMortem,
    PrometheusSettings,
    SlackSettings,
    SourceSettings,
    TimelineEvent,
    sort_timeline,
)
from pmtui.redact import redact
from pmtui.sources.base import Cancelled, CancelledFn, Candidate, Context, ProgressFn, SourceResult, Window
from pmtui.sources.evidence import evidence_dir_for
from pmtui.sources.merge import Match, flag_trigger, known, merge
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    from pmtui.trust import Question


class CollectError(ValueError):
    """The post-mortem or the options give nothing to collect; the message
    says what to set."""


@dataclass
class Overrides:
    """Command-line or pane settings that win over the file's, for one run."""

    start: datetime | None = None
    end: datetime | None = None
    prometheus: str | None = None
    alertmanager: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    deployment: str | None = None
    # The people and the logs that outlive pods (command line: --slack,
    # --pagerduty, --loki, --logql, --log). Paths are the user's: relative
    # to the working folder, not to the post-mortem's.
    slack: str | None = None  # an export (zip, folder; PATH#CHANNEL picks one) or a channel name or id
    pagerduty: str | None = None  # a saved log-entries file or an incident id
    loki: str | None = None
    logql: str | None = None
    logs: list[str] = field(default_factory=list)  # [FORMAT:]PATH, read as well as the file's


@dataclass
class Collection:
    window: Window
    candidates: list[Candidate] = field(default_factory=list)
    known: list[Match] = field(default_factory=list)  # candidates the timeline already holds a row for
    evidence: list[Evidence] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # which ran
    failed: list[str] = field(default_factory=list)  # which gave nothing but gaps
    notes: list[str] = field(default_factory=list)  # "slack: 3 bot messages left out", not saved

    @property
    def all_failed(self) -> bool:
        return bool(self.sources) and len(self.failed) == len(self.sources)


Runner = Callable[[Context], SourceResult]
DEMO_URL = "demo:"


def window_for(pm: PostMortem, overrides: Overrides | None = None) -> Window:
    o = overrides or Overrides()
    default = pm.collection_window
    start = o.start or (default[0] if default else None)
    end = o.end or (default[1] if default else None)
    if start is None or end is None:
        raise CollectError(
            "no collection window: set the incident's start time ([times] started) "
            "or the window ([sources] window_start, window_end), or pass --from and --to"
        )
    if end <= start:
        raise CollectError(f"the window ends ({_z(end)}) before it starts ({_z(start)})")
    return Window(start.astimezone(UTC), end.astimezone(UTC))


def settings_for(pm: PostMortem, overrides: Overrides | None = None) -> SourceSettings:
    """The file's source settings with the overrides applied (a copy: the
    overrides are for this run and are not saved)."""
    s = copy.deepcopy(pm.sources)
    o = overrides or Overrides()
    if o.prometheus is not None:
        s.prometheus.url = o.prometheus
    if o.alertmanager is not None:
        s.alertmanager.url = o.alertmanager
    k = s.kubernetes
    for name in ("kubeconfig", "context", "namespace", "deployment"):
        value = getattr(o, name)
        if value is not None:
            setattr(k, name, value)
    if o.slack is not None:
        _slack_override(s.slack, o.slack)
    if o.pagerduty is not None:
        given = Path(o.pagerduty).expanduser()
        if given.is_file() or o.pagerduty.endswith(".json"):
            s.pagerduty.file, s.pagerduty.incident = str(given.absolute()), ""
        else:
            s.pagerduty.incident, s.pagerduty.file = o.pagerduty.strip(), ""
    if o.loki is not None:
        s.loki.url = o.loki
    if o.logql is not None:
        s.loki.query = o.logql
    for spec in o.logs:
        from pmtui.sources.logformats import split_spec

        fmt, path = split_spec(spec)
        absolute = str(Path(path).expanduser().absolute())
        s.files.paths.append(absolute if fmt == "auto" else f"{fmt}:{absolute}")
    if not s.loki.query.strip() and s.loki.url.strip():
        from pmtui.sources.loki import default_query

        s.loki.query = default_query(s.kubernetes)
    return s


def _slack_override(slack: SlackSettings, given: str) -> None:
    """`--slack PATH_OR_CHANNEL`: an existing path (or PATH#CHANNEL) is an
    export; anything else a channel name or id for the Web API."""
    text = given.strip()
    path = Path(text).expanduser()
    head, sep, tail = text.rpartition("#")
    if path.exists():
        slack.export, slack.channel = str(path.absolute()), ""
    elif sep and head and Path(head).expanduser().exists():
        slack.export, slack.channel = str(Path(head).expanduser().absolute()), tail.strip()
    elif text.endswith(".zip") or "/" in text:
        slack.export, slack.channel = str(path.absolute()), ""  # a missing export: its gap says so
    else:
        slack.channel, slack.export = text.lstrip("#"), ""


def plan(pm: PostMortem, overrides: Overrides | None = None, *, demo: bool = False) -> list[tuple[str, Runner]]:
    """The sources that have settings, in the order they run. With `demo`,
    or a source URL of `demo:`, recorded data stands in for the network."""
    s = settings_for(pm, overrides)
    o = overrides or Overrides()
    out: list[tuple[str, Runner]] = []
    if demo or s.prometheus.url.strip():
        replay = demo or s.prometheus.url.strip() == DEMO_URL
        # pmtui.trust: a URL from the command line or the pane is the user's;
        # one from the file needs the user's trust before a credential goes there
        named_by = "user" if (overrides or Overrides()).prometheus else "the file's [sources.prometheus] url"
        if replay:
            out.append(("prometheus", partial(_demo, s.prometheus)))
        else:
            out.append(("prometheus", partial(_prometheus, s.prometheus, namespace=s.kubernetes.namespace,
                                              named_by=named_by)))
    if demo or s.alertmanager.url.strip():
        replay = demo or s.alertmanager.url.strip() == DEMO_URL
        out.append(("alertmanager", partial(_demo if replay else _alertmanager, s.alertmanager)))
    loki = bool(s.loki.url.strip()) and not demo
    if demo or s.kubernetes.deployment or s.kubernetes.selector:
        replay = demo or s.kubernetes.kubeconfig.strip() == DEMO_URL
        elsewhere = f"Loki ({one_line(s.loki.query, 120)})" if loki and s.loki.query.strip() else ""
        out.append(("kubernetes", partial(_demo, s.kubernetes) if replay
                    else partial(_kubernetes, s.kubernetes, logs_elsewhere=elsewhere)))
    if loki:
        from_user = o.loki is not None
        if s.loki.url.strip() == DEMO_URL:
            out.append(("loki", partial(_demo, s.loki)))
        else:
            out.append(("loki", partial(_loki, s.loki, from_user=from_user)))
    if any(p.strip() for p in s.files.paths):
        out.append(("files", partial(_files, s.files)))
    if demo or s.slack.channel.strip() or s.slack.export.strip():
        replay = demo or s.slack.export.strip() == DEMO_URL
        out.append(("slack", partial(_demo if replay else _slack, s.slack)))
    if demo or s.pagerduty.incident.strip() or s.pagerduty.file.strip() or s.pagerduty.service.strip():
        replay = demo or s.pagerduty.incident.strip() == DEMO_URL
        out.append(("pagerduty", partial(_demo if replay else _pagerduty, s.pagerduty)))
    return out


def credential_questions(pm: PostMortem, overrides: Overrides | None = None, *,
                         demo: bool = False) -> list[tuple[str, Question]]:
    """(source, question) for each source that would send a credential where
    the user has not yet said it may go (pmtui.trust): the app asks these
    before collecting. A source no answer could allow (plain http to another
    host, a malformed variable name) is left out: it records its refusal as
    a gap when it runs."""
    from pmtui.sources import trust as source_trust
    from pmtui.trust import TrustError, question_for

    if demo:
        return []
    s = settings_for(pm, overrides)
    o = overrides or Overrides()
    # (source, url, variables, named by, the variables pmtui reads when the file names none)
    wanted: list[tuple[str, str, list[str], str, frozenset[str]]] = []

    def auth_fields(auth: str) -> tuple[str, ...]:
        auth = (auth or "none").strip().lower()
        return ("token_env",) if auth == "bearer" else ("username_env", "password_env") if auth == "basic" else ()

    def resolved(source: str, settings: object, fields: tuple[str, ...]) -> tuple[list[str], frozenset[str]]:
        names, defaults = [], set()
        for field_name in fields:
            default = source_trust.DEFAULT_ENV.get((source, field_name), "")
            name = str(getattr(settings, field_name) or "").strip().lstrip("$") or default
            names.append(name)
            defaults.add(default)
        return names, frozenset(defaults - {""})

    p = s.prometheus
    if p.url.strip() and p.url.strip() != DEMO_URL:
        names, defaults = resolved("prometheus", p, auth_fields(p.auth))
        wanted.append(("prometheus", p.url.strip(), names,
                       "user" if o.prometheus else "the file's [sources.prometheus] url", defaults))
    k = s.loki
    if k.url.strip() and k.url.strip() != DEMO_URL:
        names, defaults = resolved("loki", k, auth_fields(k.auth))
        wanted.append(("loki", k.url.strip(), names, "user" if o.loki is not None else "the file's [sources.loki] url",
                       defaults))
    # Slack's and PagerDuty's servers come from the user's environment; only
    # a variable the file names needs the user's word.
    if s.slack.channel.strip() and not s.slack.export.strip():
        names, defaults = resolved("slack", s.slack, ("token_env",))
        wanted.append(("slack", source_trust.api_base("slack"), names, "user", defaults))
    pd = s.pagerduty
    if (pd.incident.strip() or pd.service.strip()) and not pd.file.strip() and pd.incident.strip() != DEMO_URL:
        names, defaults = resolved("pagerduty", pd, ("token_env",))
        wanted.append(("pagerduty", source_trust.api_base("pagerduty"), names, "user", defaults))
    out: list[tuple[str, Question]] = []
    for source, url, names, named_by, defaults in wanted:
        if not all(_ENV_NAME.match(n) for n in names if n):
            continue  # the source says what is wrong with the name when it runs
        try:
            question = question_for(url, names, named_by=named_by, conventional=defaults)
        except TrustError:
            continue
        if question is not None:
            out.append((source, question))
    return out


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _prometheus(settings: PrometheusSettings, ctx: Context, *, namespace: str = "",
                named_by: str = "the file's [sources.prometheus] url") -> SourceResult:
    from pmtui.sources.prometheus import collect

    return collect(settings, ctx, namespace=namespace, named_by=named_by)


def _alertmanager(settings: AlertmanagerSettings, ctx: Context) -> SourceResult:
    from pmtui.sources.alertmanager import collect

    return collect(settings, ctx)


def _kubernetes(settings: KubernetesSettings, ctx: Context, *, logs_elsewhere: str = "") -> SourceResult:
    from pmtui.sources.kubernetes import collect

    return collect(settings, ctx, logs_elsewhere=logs_elsewhere)


def _loki(settings: LokiSettings, ctx: Context, *, from_user: bool) -> SourceResult:
    from pmtui.sources.loki import collect

    return collect(settings, ctx, from_user=from_user)


def _files(settings: LogFileSettings, ctx: Context) -> SourceResult:
    from pmtui.sources.logfiles import collect

    return collect(settings, ctx)


def _slack(settings: SlackSettings, ctx: Context) -> SourceResult:
    from pmtui.sources.slack import collect

    return collect(settings, ctx)


def _pagerduty(settings: PagerDutySettings, ctx: Context) -> SourceResult:
    from pmtui.sources.pagerduty import collect

    return collect(settings, ctx)


DemoSettings = (PrometheusSettings | AlertmanagerSettings | KubernetesSettings | LokiSettings | SlackSettings
                | PagerDutySettings)


def _demo(settings: DemoSettings, ctx: Context) -> SourceResult:
    from pmtui.sources.demo import collect

    return collect(settings, ctx)


def failed(result: SourceResult) -> bool:
    """A source that gave nothing but gaps (unreachable, refused, malformed)."""
    return bool(result.gaps) and not result.evidence and not result.candidates


def baseline_end_for(pm: PostMortem, window: Window) -> datetime:
    """The end of the baseline: two thirds of the way from the window's
    start to the incident's start (the last stretch before it may already
    hold the trigger), else the first fifth of the window."""
    started = pm.times.started
    if started is not None and window.start < started <= window.end:
        return window.start + (started - window.start) * 2 / 3
    return window.start + (window.end - window.start) / 5


def context_for(doc_path: Path, window: Window, *, progress: ProgressFn | None = None,
                cancelled: CancelledFn | None = None, baseline_end: datetime | None = None) -> Context:
    doc_path = Path(doc_path)
    ctx = Context(window=window, evidence_dir=evidence_dir_for(doc_path), base_dir=doc_path.parent,
                  baseline_end=baseline_end, doc_path=doc_path)
    if progress is not None:
        ctx.progress = progress
    if cancelled is not None:
        ctx.cancelled = cancelled
    return ctx


def run_one(name: str, run: Runner, ctx: Context) -> SourceResult:
    """One source; whatever goes wrong becomes a gap, never an exception
    (a bug in a source must not take the others down with it). The log
    streams it read become candidates here, all its streams at once."""
    from pmtui.sources.logsig import log_candidates

    try:
        result = run(ctx)
    except Cancelled:
        return SourceResult(name, gaps=[_gap(name, "collection cancelled before it finished", ctx.window)])
    except Exception as exc:
        text = one_line(redact(str(exc)), 300) or type(exc).__name__
        return SourceResult(name, gaps=[_gap(name, f"source failed: {type(exc).__name__}: {text}", ctx.window)])
    if result.logs:
        result.candidates += log_candidates(result.logs, baseline_end=ctx.baseline, baseline_start=ctx.window.start)
    return result


def _gap(source: str, text: str, window: Window) -> Gap:
    return Gap(source, text, window.start, window.end)


def record(pm: PostMortem, result: SourceResult) -> None:
    """Evidence and gaps of one source run into the model. Evidence replaces
    the record with the same id (the file was rewritten); the gaps of an
    earlier run of this source over the same window make way for this run's."""
    ids = {ev.id for ev in result.evidence}
    pm.evidence = [ev for ev in pm.evidence if ev.id not in ids] + list(result.evidence)
    windows = {(g.window_start, g.window_end) for g in result.gaps} | {
        (ev.window_start, ev.window_end) for ev in result.evidence}

    def same_source(g: Gap) -> bool:
        return g.source == result.source or g.source.startswith(result.source + ":")

    pm.gaps = [g for g in pm.gaps if not (same_source(g) and (g.window_start, g.window_end) in windows)]
    for g in result.gaps:
        if not any(g.source == old.source and g.description == old.description for old in pm.gaps):
            pm.gaps.append(g)


_SPACE_RE = re.compile(r"\s+")


def row_key(when: datetime, event: str) -> tuple[datetime, str]:
    """What makes two timeline rows the same: the second and the words."""
    return (when.astimezone(UTC).replace(microsecond=0), _SPACE_RE.sub(" ", event).strip().casefold())


_key = row_key


def sift(pm: PostMortem, candidates: list[Candidate]) -> tuple[list[Candidate], list[Match]]:
    """(one candidate per happening that no timeline row says yet, in time
    order with the possible trigger flagged; the ones a row already says)."""
    merged = merge(list(candidates))
    flag_trigger(merged, pm.timeline)
    rest, matched = known(pm.timeline, merged)
    return rest, matched


def fresh(pm: PostMortem, candidates: list[Candidate]) -> list[Candidate]:
    """Candidates for happenings the timeline does not hold yet, merged
    (sources.merge), sorted by time."""
    return sift(pm, candidates)[0]


def row_for(c: Candidate) -> TimelineEvent:
    """The timeline row an accepted candidate becomes: its sources named,
    its evidence references kept; the possible trigger is a key row."""
    source = c.source if len(c.sources) <= 1 else " + ".join(c.sources)
    return TimelineEvent(time=c.time.astimezone(UTC), event=c.event, source=source, actor=c.actor, kind=c.kind,
                         key=c.trigger, evidence=list(c.refs))


MARKS = ("detected", "resolved")  # incident times a candidate may offer (Candidate.sets)


def accept(pm: PostMortem, candidates: list[Candidate]) -> list[TimelineEvent]:
    """Add the candidates to the timeline (skipping happenings already
    there) and keep it sorted; returns the rows added. A candidate that
    offers an incident time (`sets`) sets it when the file has none: the
    earliest such candidate wins."""
    chosen = fresh(pm, candidates)
    added = [row_for(c) for c in chosen]
    for c in sorted(chosen, key=lambda c: c.time):
        if c.sets in MARKS and getattr(pm.times, c.sets) is None:
            setattr(pm.times, c.sets, c.time.astimezone(UTC))
    pm.timeline.extend(added)
    sort_timeline(pm.timeline)
    return added


def marks_offered(pm: PostMortem, candidates: list[Candidate]) -> dict[str, Candidate]:
    """The incident times accepting these candidates would set (the file
    has none yet): mark -> the candidate that offers it."""
    out: dict[str, Candidate] = {}
    for c in sorted(candidates, key=lambda c: c.time):
        if c.sets in MARKS and getattr(pm.times, c.sets) is None and c.sets not in out:
            out[c.sets] = c
    return out


def collect(pm: PostMortem, doc_path: Path, overrides: Overrides | None = None, *,
            progress: ProgressFn | None = None, cancelled: CancelledFn | None = None,
            demo: bool = False) -> Collection:
    """Every planned source in turn; evidence and gaps recorded into `pm`,
    candidates returned (not accepted)."""
    window = window_for(pm, overrides)
    sources = plan(pm, overrides, demo=demo)
    if not sources:
        raise CollectError(
            "no source to collect from: set [sources.prometheus] url, [sources.alertmanager] url, "
            "[sources.kubernetes] deployment/selector, [sources.loki] url, [sources.files] paths, "
            "[sources.slack] channel/export or [sources.pagerduty] incident/file, or pass --prometheus, "
            "--alertmanager, --deployment, --loki, --log, --slack or --pagerduty"
        )
    out = Collection(window)
    base = baseline_end_for(pm, window)
    for i, (name, run) in enumerate(sources):
        step = None if progress is None else _share(progress, i, len(sources))
        ctx = context_for(doc_path, window, progress=step, cancelled=cancelled, baseline_end=base)
        if ctx.cancelled():
            gap = _gap(name, "collection cancelled before it started", window)
            result = SourceResult(name, gaps=[gap])
        else:
            result = run_one(name, run, ctx)
        record(pm, result)
        out.sources.append(name)
        if failed(result):
            out.failed.append(name)
        out.notes += [f"{name}: {note}" for note in result.notes]
        out.evidence += result.evidence
        out.gaps += result.gaps
        out.candidates += result.candidates
    out.candidates, out.known = sift(pm, out.candidates)
    return out


def _share(progress: ProgressFn, i: int, n: int) -> ProgressFn:
    """Progress of source i of n, reported as a fraction of the whole run."""

    def step(message: str, fraction: float | None = None) -> None:
        progress(message, None if fraction is None else (i + fraction) / n)

    return step


def _z(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def evidence_dict(ev: Evidence) -> dict[str, object]:
    return {"id": ev.id, "kind": ev.kind, "source": ev.source, "path": ev.path, "sha256": ev.sha256,
            "query": ev.query, "window_start": _z(ev.window_start), "window_end": _z(ev.window_end),
            "fetched": _z(ev.fetched), "size": ev.size}


def gap_dict(g: Gap) -> dict[str, str | None]:
    return {"source": g.source, "description": g.description,
            "window_start": _z(g.window_start), "window_end": _z(g.window_end)}
