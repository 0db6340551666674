"""`pmtui publish`, `pmtui invite`, `pmtui approve`: distribution and
sign-off, headless. Exit status as everywhere (cli.errors): 0 done, 1 the
work failed (network, GitHub), 2 unusable input, settings or credentials."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, NoReturn

import click

from pmtui.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_UNUSABLE, UserError, fail, load_document, say
from pmtui.cli.teamconf import team_for
from pmtui.textsafe import one_line


def _now() -> datetime:
    # Tests and scripts may fix the clock (PMTUI_NOW=2025-02-10T09:00:00Z).
    fixed = os.environ.get("PMTUI_NOW", "")
    if fixed:
        return datetime.fromisoformat(fixed.replace("Z", "+00:00")).astimezone(UTC)
    return datetime.now(UTC)


def _doc(file: str) -> Any:
    try:
        return load_document(file)
    except UserError as exc:
        fail(exc)


class _Locked:
    """The file's lock while a command writes it (never while the app has it)."""

    def __init__(self, file: str, what: str) -> None:
        from pmtui.filesafety.lock import FileLock

        self.lock = FileLock(file)
        if not self.lock.acquire():
            other = self.lock.other
            who = f" (pid {other.pid} on {other.host}, since {other.since})" if other else ""
            fail(f"{file} is open in pmtui{who}; {what} from the app, or close it and run this again")

    def __enter__(self) -> _Locked:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def _save(doc: Any, file: str) -> None:
    from pmtui import store

    try:
        store.save(doc)
    except OSError as exc:
        fail(f"{file}: {exc.strerror or exc}")


def _me(given: str | None) -> str:
    if given and given.strip():
        return given.strip()
    env = os.environ.get("PMTUI_USER", "").strip()
    if env:
        return env
    try:
        import tomllib

        from pmtui import locations

        with locations.config_file().open("rb") as fh:
            handle = tomllib.load(fh).get("handle", "")
        if isinstance(handle, str) and handle.strip():
            return handle.strip()
    except (OSError, ValueError):
        pass
    fail("--as: who approves? e.g. --as @carol (or set PMTUI_USER, or handle = \"@carol\" in "
         "~/.config/pmtui/config.toml)")


# -- approve ---------------------------------------------------------------------------------


@click.command("approve")
@click.argument("file", metavar="FILE")
@click.option("--as", "who", metavar="@HANDLE",
              help="The reviewer approving (default: PMTUI_USER or your config's handle).")
@click.option("--note", default="", help="A note kept with the approval.")
@click.option("--add-reviewer", is_flag=True, help="Add them to the reviewers if they are not one.")
@click.option("--withdraw", is_flag=True, help="Take the approval back instead.")
def approve(file: str, who: str | None, note: str, add_reviewer: bool, withdraw: bool) -> None:
    """Record a reviewer's approval (who, when) in the file; status draft -> in review."""
    from pmtui.distribute import signoff

    me = _me(who)
    doc = _doc(file)
    rule = team_for(file).config.checks.approvals
    with _Locked(file, "approve"):
        if withdraw:
            if not signoff.withdraw(doc.pm, me):
                fail(f"{one_line(me)} has not approved {file}")
            _save(doc, file)
            click.echo(f"withdrew {one_line(signoff.normalise(me))}'s approval")
            raise SystemExit(EXIT_OK)
        try:
            outcome = signoff.approve(doc.pm, me, _now(), note=note, add_reviewer=add_reviewer, rule=rule)
        except signoff.SignoffError as exc:
            fail(exc)
        _save(doc, file)
    verb = "renewed the approval of" if outcome.renewed else "approved by"
    click.echo(one_line(f"{file}: {verb} {outcome.who}; status {outcome.status_after}"))
    if outcome.missing:
        click.echo(one_line("awaiting: " + ", ".join(outcome.missing)))
    else:
        click.echo("every reviewer has approved: ready to publish (pmtui publish)")


# -- invite ----------------------------------------------------------------------------------


def _parse_at(text: str | None, zone: tzinfo) -> datetime | None:
    if not text:
        return None
    from pmtui.timeparse import TimeParseError, parse_time

    try:
        value = parse_time(text)
    except TimeParseError as exc:
        fail(f"--at: {exc}")
    # A time typed without a zone is the user's own local time.
    has_zone = any(c in text for c in "Zz+") or "/" in text or text.rstrip().endswith("UTC")
    if not has_zone:
        value = value.replace(tzinfo=None).replace(tzinfo=zone)
    return value.astimezone(UTC)


@click.command("invite")
@click.argument("file", metavar="FILE")
@click.option("--at", "at", metavar="TIME", help="The review meeting's time, e.g. '2025-02-11 14:00' (your zone).")
@click.option("--follow-up-at", metavar="TIME", help="The follow-up review's time (default: the follow-up date).")
@click.option("--zone", metavar="ZONE", help="Your time zone, e.g. Europe/Berlin (default: TZ or the system's).")
@click.option("--output", "-o", "out_dir", metavar="DIR", help="Folder for the .ics files (default: beside FILE).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def invite(file: str, at: str | None, follow_up_at: str | None, zone: str | None, out_dir: str | None,
           as_json: bool) -> None:
    """Write .ics invitations for the review meeting and the follow-up review."""
    from pmtui.distribute import invite as inv
    from pmtui.filesafety.atomic import write_atomic

    try:
        tz = inv.zone_named(zone) if zone else inv.local_zone()
    except ValueError as exc:
        fail(f"--zone: {exc}")
    doc = _doc(file)
    team = team_for(file).config
    pm = doc.pm
    review_at = _parse_at(at, tz)
    follow_at = _parse_at(follow_up_at, tz)
    try:
        invites = inv.plan(pm, team, zone=tz, review_at=review_at, follow_up_at=follow_at)
    except ValueError as exc:
        fail(f"{file}: {exc}")
    folder = Path(out_dir) if out_dir else Path(file).parent
    now = _now()
    written = []
    with _Locked(file, "invite"):
        for item in invites:
            target = folder / inv.file_name(Path(file), item.kind)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                write_atomic(target, inv.to_ics(item, organizer=team.invite.organizer, now=now))
            except OSError as exc:
                fail(f"{target}: {exc.strerror or exc}")
            written.append((item, target))
        pm.review_meeting = invites[0].start
        if pm.follow_up is None and len(invites) > 1:
            pm.follow_up = invites[1].start.astimezone(tz).date()
        _save(doc, file)
    if as_json:
        click.echo(json.dumps([{"kind": i.kind, "file": str(t), "start_utc": i.start.isoformat(),
                                "start_local": i.start.astimezone(tz).isoformat(), "uid": i.uid,
                                "attendees": [e for _n, e in i.attendees], "no_email": list(i.unreachable)}
                               for i, t in written], indent=2))
        raise SystemExit(EXIT_OK)
    for item, target in written:
        local = item.start.astimezone(tz)
        click.echo(one_line(f"{item.kind}: {local:%a %Y-%m-%d %H:%M} {local.tzname()} "
                            f"({item.start:%H:%M} UTC) -> {target}"))
        for note in item.notes:
            click.echo(one_line(f"  note: {note}"))
    people = written[0][0]
    click.echo(one_line(f"attendees: {len(people.attendees)} with email"
                        + (f"; no email for {', '.join(people.unreachable)}" if people.unreachable else "")))


# -- publish -----------------------------------------------------------------------------------


def _fail_export(exc: Any, as_json: bool, code: int) -> NoReturn:
    if as_json:
        click.echo(json.dumps({"error": exc.to_json()}, indent=2))
    fail(exc, code=code, prefix="pmtui publish: ")


@click.command("publish")
@click.argument("file", metavar="FILE")
@click.option("--repo", metavar="OWNER/NAME",
              help="The post-mortems repository (default: [publish] repo in .pmtui.toml).")
@click.option("--path", "folder", metavar="DIR", help="Folder in the repository (default: postmortems).")
@click.option("--branch", metavar="B", help="Branch for the pull request (default: postmortem/<id>).")
@click.option("--base", metavar="B", help="Branch the pull request targets (default: the repository's default).")
@click.option("--toml/--no-toml", "with_toml", default=None, help="Add the post-mortem's TOML beside the report.")
@click.option("--issue", "as_issue", is_flag=True, help="Post the report as an issue instead of a pull request.")
@click.option("--base-url", metavar="URL",
              help="GitHub API URL (default: PMTUI_GITHUB_API_URL, your config, github.com).")
@click.option("--dry-run", is_flag=True, help="Show the pull request without a token; change nothing.")
@click.option("--yes", "-y", is_flag=True, help="Publish even if not every reviewer has approved.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.option("--no-pace", is_flag=True, hidden=True, help="Skip PyGithub's pauses between requests (tests).")
def publish(file: str, repo: str | None, folder: str | None, branch: str | None, base: str | None,
            with_toml: bool | None, as_issue: bool, base_url: str | None, dry_run: bool, yes: bool, as_json: bool,
            no_pace: bool) -> None:
    """Open (or update) a pull request adding the report to a post-mortems repository."""
    from pmtui import store
    from pmtui.distribute import publish as pub
    from pmtui.distribute import signoff
    from pmtui.export import MISSING_TOKEN_HINT, ExportError, find_token
    from pmtui.team import templates

    doc = _doc(file)
    result = team_for(file)
    team = result.config
    pm = doc.pm
    target = pub.Target(repo=(repo or team.publish.repo or "").strip(),
                        path=folder if folder is not None else team.publish.path,
                        branch=branch or "", base=base or team.publish.base,
                        include_toml=team.publish.include_toml if with_toml is None else with_toml,
                        as_issue=as_issue)
    missing = signoff.missing_approvals(pm, team.checks.approvals)
    if missing and not dry_run and not yes:
        question = f"Not approved yet by {', '.join(missing)}. Publish anyway?"
        if not sys.stdin.isatty():
            fail(f"pmtui publish: {question.rstrip('?')} — pass --yes to publish before sign-off")
        if not click.confirm(one_line(question), default=False):
            raise SystemExit(EXIT_FAILED)
    try:
        api = pub.api_url(base_url)
        report_md = templates.render(pm, team)
        plan = pub.make_plan(pm, target, report_md, store.dumps(doc))
    except ExportError as exc:
        _fail_export(exc, as_json, EXIT_UNUSABLE)
    if dry_run:
        if as_json:
            click.echo(json.dumps({"dry_run": True, "api": api, "plan": plan.to_json()}, indent=2))
        else:
            kind = "issue" if as_issue else f"pull request {plan.branch} -> {target.base or '(default branch)'}"
            click.echo(one_line(f"{target.repo} at {api}: {kind}"))
            click.echo(one_line(f"  title: {plan.title}"))
            for path, text in plan.files if not as_issue else ():
                click.echo(one_line(f"  file:  {path} ({len(text.encode()):,} bytes)"))
            if missing:
                click.echo(one_line(f"  not approved yet by {', '.join(missing)}"))
        raise SystemExit(EXIT_OK)
    token = find_token(api)
    if token is None:
        _fail_export(ExportError("token", "No GitHub token.", MISSING_TOKEN_HINT), as_json, EXIT_UNUSABLE)
    client = pub.connect(api, target.repo, token, throttle=not no_pace)
    now = _now()
    try:
        with _Locked(file, "publish"):
            runner = pub.Publisher(client, lambda p: say(p.message))
            try:
                outcome = runner.issue(plan, now) if as_issue else runner.pull_request(plan)
            except ExportError as exc:
                _fail_export(exc, as_json, EXIT_UNUSABLE if exc.is_usage else EXIT_FAILED)
            pub.record(pm, outcome, now)
            _save(doc, file)
    finally:
        client.close()
    if as_json:
        click.echo(json.dumps({"dry_run": False, "result": outcome.to_json()}, indent=2))
    else:
        for path, action in outcome.files:
            click.echo(one_line(f"  {action:<9} {path}"))
        click.echo(one_line(f"{outcome.kind} #{outcome.number} {outcome.action}: {outcome.url}"))
