"""`pmtui collect FILE`: the Collect pane's work, headless.

Evidence goes to NAME.evidence/ beside the file and is recorded in it with
the gaps; `--accept` also adds the candidates to the timeline. The file is
saved only when something was recorded. Exit 2, with one clear line per
problem on stderr, when the file or an option cannot be used.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pmtui.cli.errors import EXIT_FAILED, UserError, fail, load_document, say
from pmtui.cli.guard import changed_on_disk, hold_lock, keep_backup
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    from pmtui.model import PostMortem, TimelineEvent
    from pmtui.sources.base import Candidate
    from pmtui.sources.collect import Collection, Overrides
    from pmtui.store import Document


@click.command("collect")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--from", "start", metavar="T", help="Window start (default: incident start - 30 min).")
@click.option("--to", "end", metavar="T", help="Window end (default: resolved + 30 min).")
@click.option("--prometheus", metavar="URL", help="Prometheus URL for this run (demo: replays the recordings).")
@click.option("--alertmanager", metavar="URL", help="Alertmanager URL for this run (demo: replays the recordings).")
@click.option("--kubeconfig", metavar="PATH", help="kubeconfig file for this run.")
@click.option("--context", "kube_context", metavar="NAME", help="Kubernetes context.")
@click.option("--namespace", metavar="NS", help="Kubernetes namespace.")
@click.option("--deployment", metavar="NAME", help="Kubernetes deployment.")
@click.option("--loki", metavar="URL", help="Loki URL for this run (logs of pods that are gone).")
@click.option("--logql", metavar="QUERY", help="LogQL for --loki (default: the Kubernetes pods' labels).")
@click.option("--log", "logs", metavar="PATH", multiple=True,
              help="A log file to read (repeatable; gzip ok); FORMAT:PATH names its format: plain, combined "
                   "(nginx/Apache), journal (journalctl -o json), jsonl.")
@click.option("--slack", metavar="PATH_OR_CHANNEL",
              help="A Slack export (zip or folder; PATH#CHANNEL picks a channel) or a channel name or id "
                   "(token from SLACK_TOKEN).")
@click.option("--pagerduty", metavar="PATH_OR_INCIDENT_ID",
              help="A saved PagerDuty log-entries JSON file, or an incident id (key from PAGERDUTY_TOKEN).")
@click.option("--accept", is_flag=True, help="Add the candidates to the timeline.")
@click.option("--max-response-mb", type=click.FloatRange(min=0.001), metavar="MB",
              help="Largest answer read from a server (default 64); a larger one is a gap.")
@click.option("--request-deadline", type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Longest one request may take, all tries and the whole answer (default 60).")
@click.option("--json", "as_json", is_flag=True, help="Print {candidates, evidence, gaps, failed, notes} as JSON.")
@click.pass_context
def collect(ctx: click.Context, file: Path, start: str | None, end: str | None, prometheus: str | None,
            alertmanager: str | None, kubeconfig: str | None, kube_context: str | None, namespace: str | None,
            deployment: str | None, loki: str | None, logql: str | None, logs: tuple[str, ...], slack: str | None,
            pagerduty: str | None, accept: bool, max_response_mb: float | None, request_deadline: float | None,
            as_json: bool) -> None:
    """Collect the incident window's data from the sources into FILE.evidence/
    and propose timeline events. Exits 1 when every source failed."""
    from pmtui import store
    from pmtui.sources import collect as col

    try:
        doc = load_document(file)
    except UserError as exc:
        fail(exc)
    pm = doc.pm
    overrides = col.Overrides(prometheus=prometheus, alertmanager=alertmanager, kubeconfig=kubeconfig,
                              context=kube_context, namespace=namespace, deployment=deployment, loki=loki,
                              logql=logql, logs=list(logs), slack=slack, pagerduty=pagerduty)
    _check_options(pm, overrides, start, end)

    def progress(message: str, fraction: float | None = None) -> None:
        if not as_json and sys.stderr.isatty():
            pct = "" if fraction is None else f"{fraction * 100:3.0f}% "
            click.echo(f"\r\x1b[K{pct}{one_line(message, 70)}", err=True, nl=False)

    limits: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if max_response_mb is not None or request_deadline is not None:
        from pmtui.sources import httpget

        limits = httpget.limits(deadline=request_deadline,
                                max_bytes=None if max_response_mb is None else int(max_response_mb * (1 << 20)))
    lock = hold_lock(file, what="collect")
    try:
        try:
            with limits:
                result = col.collect(pm, file, overrides, progress=progress)
        except col.CollectError as exc:
            fail(f"{file}: {exc}")
        if not as_json and sys.stderr.isatty():
            click.echo("\r\x1b[K", err=True, nl=False)
        if changed_on_disk(doc):
            # Edited while the sources ran (an editor, a git pull): fold the
            # collection into the file as it is now instead of overwriting it.
            doc = _reloaded(file, result)
            pm = doc.pm
        offered = col.marks_offered(pm, result.candidates)
        added = col.accept(pm, result.candidates) if accept else []
        if added or result.evidence or result.gaps:
            keep_backup(file)
            try:
                store.save(doc)
            except OSError as exc:
                fail(f"{file}: cannot save: {exc.strerror or exc}")
    finally:
        lock.release()

    if as_json:
        click.echo(json.dumps({
            "candidates": [c.as_dict() for c in result.candidates],
            "evidence": [col.evidence_dict(ev) for ev in result.evidence],
            "gaps": [col.gap_dict(g) for g in result.gaps],
            "failed": result.failed,
            "notes": result.notes,
        }, indent=2, ensure_ascii=False))
    else:
        _print_summary(result, added, accept, offered)
    if result.all_failed:
        if not as_json:
            click.echo(f"\nEvery source failed ({', '.join(result.failed)}): see the gaps above.", err=True)
        ctx.exit(EXIT_FAILED)


def _check_options(pm: PostMortem, overrides: Overrides, start: str | None, end: str | None) -> None:
    """--from/--to read into the overrides; exit 2 for an unusable option."""
    from pmtui.timeparse import TimeParseError, parse_time

    if overrides.logql is not None and overrides.loki is None and not pm.sources.loki.url.strip():
        fail("--logql: give the Loki URL too (--loki URL), or set [sources.loki] url in the file")
    for option, text, attr in (("--from", start, "start"), ("--to", end, "end")):
        if text is None:
            continue
        try:
            setattr(overrides, attr, parse_time(text, base_date=pm.incident_date))
        except TimeParseError as exc:
            fail(f"{option}: {exc}")


def _reloaded(file: Path, result: Collection) -> Document:
    """The file as it is now, with the collection's evidence and gaps
    recorded into it; exit 2 when it no longer loads."""
    from pmtui.sources import collect as col
    from pmtui.sources.base import SourceResult

    say(f"{file} changed while collecting: the collection is added to the file as it is now")
    try:
        doc = load_document(file)
    except UserError as exc:
        fail(f"{file} changed while collecting and no longer loads, so nothing was written "
             f"(the evidence is in its folder): {exc}")
    for name in result.sources:
        mine = lambda source, name=name: source == name or source.startswith(name + ":")  # noqa: E731
        col.record(doc.pm, SourceResult(name, evidence=[e for e in result.evidence if mine(e.source)],
                                        gaps=[g for g in result.gaps if mine(g.source)]))
    result.candidates = col.fresh(doc.pm, result.candidates)
    return doc


def _print_summary(result: Collection, added: list[TimelineEvent], accepted: bool,
                   offered: dict[str, Candidate]) -> None:
    from pmtui.timeparse import format_utc

    w = result.window
    click.echo(f"Window {format_utc(w.start)} .. {format_utc(w.end)} UTC; sources: {', '.join(result.sources)}")
    if result.candidates:
        click.echo(f"\n{len(result.candidates)} candidate event(s):")
        for c in sorted(result.candidates, key=lambda c: (not c.trigger, not c.flag, c.time)):
            who = f"  ({one_line(c.actor, 30)})" if c.actor else ""
            star = "possible trigger: " if c.trigger else "\u2605 " if c.flag else ""
            click.echo(f"  {format_utc(c.time)}  {one_line(c.source, 14):<14}  {star}{one_line(c.event, 120)}{who}")
        for mark, c in offered.items():
            verb = "set" if accepted else "accepting sets"
            click.echo(f"  {verb} the incident's {mark} time (it had none): {format_utc(c.time)} "
                       f"{one_line(c.event, 60)}")
    else:
        click.echo("\nNo new candidate events.")
    if result.known:
        click.echo(f"\n{len(result.known)} more the timeline already says (not offered again), e.g.:")
        for m in result.known[:3]:
            click.echo(f"  {format_utc(m.candidate.time)}  {one_line(m.candidate.event, 70)}  = "
                       f"{format_utc(m.row.time)} {one_line(m.row.event, 50)}")
    if result.evidence:
        click.echo(f"\n{len(result.evidence)} evidence file(s):")
        for ev in result.evidence:
            click.echo(f"  {one_line(ev.path)}  ({ev.size} bytes, sha256 {ev.sha256[:12]}…)")
    if result.gaps:
        click.echo(f"\n{len(result.gaps)} gap(s):")
        for g in result.gaps:
            click.echo(f"  {one_line(g.source)}: {one_line(g.description, 300)}")
    for note in result.notes:
        click.echo(f"  note: {one_line(note, 300)}")
    if accepted:
        click.echo(f"\nAdded {len(added)} event(s) to the timeline.")
    elif result.candidates:
        click.echo("\nRun again with --accept to add them to the timeline.")
