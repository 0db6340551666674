"""`pmtui new`, `pmtui report`, `pmtui check`: the document commands.
Exit status and errors: cli.errors."""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pmtui.cli.errors import UserError, fail, load_document
from pmtui.filesafety.atomic import mode_beside, write_atomic
from pmtui.redact import redact
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    from pmtui.checks import CheckResult
    from pmtui.model import PostMortem
    from pmtui.store import Document
    from pmtui.team.config import TeamConfig


def _os_message(path: str, exc: OSError) -> str:
    return f"{path}: {exc.strerror or exc}"


def _load(path: str) -> PostMortem:
    try:
        return load_document(path).pm
    except UserError as exc:
        fail(exc)


# -- new ------------------------------------------------------------------------


def _slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    slug = "-".join(words[:4])[:40].strip("-")
    return slug or "incident"


@click.command("new")
@click.argument("file", metavar="FILE")
@click.option("--title", "-t", required=True, help="Incident title, e.g. 'API service degradation'.")
@click.option("--severity", "-s", default="", help="Severity, e.g. SEV1 or P1.")
@click.option("--started", default=None, metavar="TIME",
              help="When the incident started: 2025-02-09T10:05:23Z, '2025-02-09 10:05', "
              "'2025-02-09 10:05 Europe/Berlin'.")
@click.option("--author", "authors", multiple=True, metavar="NAME", help="An author (repeatable), e.g. @alice.")
@click.pass_context
def new(ctx: click.Context, file: str, title: str, severity: str, started: str | None,
        authors: tuple[str, ...]) -> None:
    """Create a post-mortem file (never overwrites one)."""
    from pmtui.model import IncidentTimes, PostMortem
    from pmtui.timeparse import TimeParseError, parse_time

    if not title.strip():
        fail("--title: must not be empty")
    if os.path.lexists(file):
        fail(f"{file}: already exists; pmtui new never overwrites a file (open it with `pmtui {file}`)")
    start = None
    if started is not None:
        try:
            start = parse_time(started)
        except TimeParseError as exc:
            fail(f"--started: {exc}")
    day = (start or datetime.now(UTC)).date()
    from pmtui import store
    from pmtui.cli.teamconf import team_for

    team = team_for(Path(file).absolute().parent).config
    pm = PostMortem(
        id=f"PM-{day.isoformat()}-{_slug(title)}",
        title=title.strip(),
        severity=severity.strip() or team.new.severity,
        authors=[a for a in authors if a.strip()],
        reviewers=list(team.new.reviewers),
        incident_type=team.new.incident_type,
        times=IncidentTimes(started=start),
    )
    try:
        doc = _from_template(team, pm, file) or store.new_document(pm, file)
        store.save(doc)
    except store.StoreError as exc:
        fail(exc)
    except OSError as exc:
        fail(_os_message(file, exc))
    click.echo(f"created {one_line(file)} ({pm.id})", err=True)


def _from_template(team: TeamConfig, pm: PostMortem, file: str) -> Document | None:
    """The team's starting file (its comments and extra keys kept) with this
    incident's id, title, time and people set; None when the team has none."""
    from pmtui import store

    if not team.new.template or not team.files:
        return None
    source = Path(team.files[-1]).parent / team.new.template
    for config in team.files:  # the nearest config that can resolve it
        if (Path(config).parent / team.new.template).is_file():
            source = Path(config).parent / team.new.template
            break
    try:
        doc = store.load(source)
    except store.StoreError as exc:
        fail(f"new.template {source}: {exc}")
    except OSError as exc:
        fail(f"new.template {source}: {exc.strerror or exc}")
    t = doc.pm
    t.id, t.title, t.times.started = pm.id, pm.title, pm.times.started
    t.severity = pm.severity or t.severity
    t.authors = pm.authors or t.authors
    t.reviewers = t.reviewers or pm.reviewers
    t.incident_type = t.incident_type or pm.incident_type
    doc.path = Path(file)
    return doc


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# -- report --------------------------------------------------------------------------


@click.command("report")
@click.argument("file", metavar="FILE")
@click.option("--output", "-o", default=None, metavar="OUT",
              help="Write the Markdown here (atomically) instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown", show_default=True,
              help="Markdown (GFM), or one self-contained HTML page for email or a wiki.")
@click.option("--template", metavar="NAME", help="A report template: procedure, google-sre, atlassian, pagerduty "
              "(default: the team's, else procedure).")
@click.pass_context
def report(ctx: click.Context, file: str, output: str | None, fmt: str, template: str | None) -> None:
    """Write the Markdown report (stdout by default)."""
    from dataclasses import replace

    from pmtui.cli.teamconf import team_for
    from pmtui.team import templates

    pm = _load(file)
    if output not in (None, "-") and _same_file(file, output):
        fail(f"{output}: is the post-mortem itself; write the report to another file")
    team = team_for(file).config
    if template:
        if template not in templates.PRESETS:
            fail(f"--template: unknown template {template!r}; expected one of {', '.join(templates.PRESETS)}")
        team = replace(team, report=replace(team.report, template=template))
    if fmt == "html":
        from pmtui.distribute import html

        text = html.render(pm, team, generated=datetime.now(UTC))
    else:
        text = templates.render(pm, team)
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    try:
        # no wider than the post-mortem: a 0600 file's report stays 0600
        write_atomic(Path(output), text.encode("utf-8"), mode=mode_beside(file, output))
    except OSError as exc:
        fail(_os_message(output, exc))


# -- check ---------------------------------------------------------------------------

_SYMBOLS = {"pass": "\u2713", "warn": "!", "fail": "\u2717"}
_COLOURS = {"pass": "green", "warn": "yellow", "fail": "red"}


def _location(r: CheckResult) -> str:
    if r.row is None:
        return r.section or "-"
    return f"{r.section or '-'}[{r.row}]"


def format_table(results: list[CheckResult], *, color: bool) -> str:
    """Aligned, one result a line; the hint, when there is one, under it."""
    # Messages quote the post-mortem (a vague action, a blaming word): redacted.
    rows = [(_SYMBOLS[r.result], r.id, one_line(redact(_location(r))), one_line(redact(r.message)),
             one_line(redact(r.suggestion)), r.result)
            for r in results]
    w_id = max((len(r[1]) for r in rows), default=0)
    w_loc = max((len(r[2]) for r in rows), default=0)
    lines = []
    for sym, cid, loc, msg, hint, result in rows:
        mark = click.style(sym, fg=_COLOURS[result], bold=True) if color else sym
        lines.append(f"{mark}  {cid:<{w_id}}  {loc:<{w_loc}}  {msg}".rstrip())
        if hint and result != "pass":
            lines.append(" " * (3 + w_id + 2 + w_loc + 2) + "hint: " + hint)
    return "\n".join(lines)


def _use_color() -> bool:
    if "NO_COLOR" in os.environ and os.environ["NO_COLOR"] != "":
        return False
    return sys.stdout.isatty()


def _redacted(item: dict[str, object]) -> dict[str, object]:
    return {k: redact(v) if isinstance(v, str) else v for k, v in item.items()}


def _fails(counts: dict[str, int], fail_on: str) -> bool:
    return bool(counts["fail"] or (fail_on == "warn" and counts["warn"]))


@click.command("check")
@click.argument("paths", nargs=-1, required=True, metavar="FILE|DIR…")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--fail-on", type=click.Choice(("fail", "warn")), default="fail", show_default=True,
              help="Exit 1 on failed checks only, or on warnings too.")
@click.option("--as-of", metavar="DATE", help="Check as if today were DATE (overdue items, sharing deadline).")
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], as_json: bool, fail_on: str, as_of: str | None) -> None:
    """Run the checklist: exit 0 all pass (warnings allowed), 1 some fail, 2 unreadable input.

    Given folders (or several files), checks every post-mortem below them
    with one summary: the CI gate for a repository of post-mortems.
    """
    from pmtui import checks
    from pmtui.cli.library import clock

    now = clock(as_of)
    if len(paths) == 1 and not os.path.isdir(paths[0]):
        from pmtui.cli.teamconf import team_for
        from pmtui.team import policy

        file = paths[0]
        pm = _load(file)
        team = team_for(file, quiet=True)
        results = policy.run(pm, team.config, now=now, problems=team.problems)
        counts = checks.summary(results)
        code = 1 if _fails(counts, fail_on) else 0
        if as_json:
            payload = {
                "file": file,
                "team": {"files": [str(f) for f in team.config.files],
                         "problems": [_redacted(dict(p.__dict__)) for p in team.problems]},
                "results": [_redacted(r.to_dict()) for r in results],
                "summary": {**counts, "exit": code},
            }
            click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        else:
            click.echo(format_table(results, color=_use_color()))
            click.echo(f"\n{counts['pass']} passed, {counts['warn']} warnings, {counts['fail']} failed")
        ctx.exit(code)
    from pmtui.cli.library_check import check_library

    ctx.exit(check_library(paths, now=now, as_json=as_json, fail_on=fail_on, color=_use_color()))
