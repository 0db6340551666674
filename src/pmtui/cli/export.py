"""`pmtui export FILE`: action items -> GitHub issues, headless.

Exit status: 0 all done, 1 some items failed or were not done (rate limit,
network), 2 unusable input, settings or credentials. With --json the
outcome is one JSON document on standard output (errors too); progress and
the one-line error go to standard error. The file is saved after each
issue created, so an interrupted run loses no link.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import click

from pmtui.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_UNUSABLE, fail, say
from pmtui.textsafe import one_line

if TYPE_CHECKING:
    from pmtui.export import ExportError, ExportSettings, ItemOutcome, Plan, Progress, Result
    from pmtui.export.github import GithubClient
    from pmtui.filesafety.lock import FileLock
    from pmtui.store import Document


def _fail(exc: ExportError, as_json: bool, code: int) -> NoReturn:
    if as_json:
        click.echo(json.dumps({"error": exc.to_json()}, indent=2))
    fail(exc, code=code, prefix="pmtui export: ")


def _show_progress(p: Progress) -> None:
    # On standard error, with or without --json (stdout holds the JSON).
    if p.stage in ("done",):
        return
    say(p.message)


def _print_plan(p: Plan) -> None:
    who = f" as @{p.login}" if p.login else ""
    click.echo(f"{p.settings.repo} at {p.settings.base_url}{who}")
    if p.unchecked:
        click.echo(one_line(f"Not checked against GitHub: {p.unchecked}. From the file alone:"))
    for item in p.items:
        ref = f"#{item.number}" if item.number else ""
        click.echo(one_line(f"  {item.item_id:<8} {item.action:<9} {ref:<6} {item.why}"))
        if item.action == "create":
            click.echo(one_line(f"           title: {item.title}", 200))
    if p.missing_labels:
        click.echo(one_line("labels to create: " + ", ".join(p.missing_labels)))
    click.echo(p.summary() + (" (not checked against GitHub)" if p.unchecked else ""))


def _print_result(r: Result) -> None:
    for o in r.outcomes:
        ref = f"#{o.number}" if o.number else ""
        detail = o.message if o.status in ("failed", "not done", "skipped") else (o.url or o.message)
        click.echo(one_line(f"  {o.item_id:<8} {o.status:<9} {ref:<6} {detail}"))
        for w in o.warnings:
            click.echo(one_line(f"           warning: {w}"))
    if r.labels_created:
        click.echo(one_line("labels created: " + ", ".join(r.labels_created)))
    click.echo(r.summary())
    if r.stopped is not None:
        say(f"pmtui export: stopped: {r.stopped}")


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--repo", metavar="OWNER/NAME", help="Repository (overrides [export.github] repo).")
@click.option("--base-url", metavar="URL", help="API URL, e.g. https://ghe.example.com/api/v3 (overrides the file).")
@click.option("--label", "labels", multiple=True, metavar="NAME",
              help="Extra label for every issue; repeatable (replaces [export.github] labels).")
@click.option("--dry-run", is_flag=True, help="Show what would be created, updated or left alone; change nothing.")
@click.option("--sync", is_flag=True, help="Read the issues back: closed -> done, reopened -> open, assignee -> owner.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON on standard output.")
@click.option("--max-wait", type=click.FloatRange(min=0), default=60.0, show_default=True, metavar="SECONDS",
              help="Longest rate-limit wait to sit through before stopping.")
@click.option("--no-pace", is_flag=True, hidden=True, help="Skip PyGithub's pauses between requests (tests).")
def export(file: str, repo: str | None, base_url: str | None, labels: tuple[str, ...], dry_run: bool, sync: bool,
           as_json: bool, max_wait: float, no_pace: bool) -> None:
    """Export action items to GitHub issues; safe to run again.

    The token comes from GITHUB_TOKEN, else GH_TOKEN, else `gh auth token`.
    """
    from pmtui.export import ExportError, apply, plan

    doc = _load(file, as_json)
    if dry_run and not sync:
        _dry_run(doc, repo, base_url, labels, max_wait, no_pace, as_json)
    settings, client = _connect(doc, repo, base_url, labels, max_wait, no_pace, as_json)
    # The links are written into the file: not while the app has it open,
    # or its next save would drop them.
    lock = None if dry_run else _lock(file, client, as_json)
    try:
        if sync:
            _sync(doc, settings, client, dry_run, as_json)
            sys.exit(EXIT_OK)
        p = plan(doc.pm, settings, client, progress=_show_progress)
        if dry_run:
            if as_json:
                click.echo(json.dumps({"dry_run": True, "plan": p.to_json()}, indent=2))
            else:
                _print_plan(p)
            sys.exit(EXIT_OK)
        result = apply(doc.pm, p, client, progress=_show_progress, on_item_done=_saver(doc, file))
    except ExportError as exc:
        _fail(exc, as_json, EXIT_UNUSABLE if exc.is_usage else EXIT_FAILED)
    finally:
        client.close()
        if lock is not None:
            lock.release()
    if as_json:
        click.echo(json.dumps({"dry_run": False, "plan": p.to_json(), "result": result.to_json()}, indent=2))
        if result.stopped is not None:
            say(f"pmtui export: stopped: {result.stopped}")
    else:
        _print_result(result)
    sys.exit(result.exit_code)


def _dry_run(doc: Document, repo: str | None, base_url: str | None, labels: tuple[str, ...], max_wait: float,
             no_pace: bool, as_json: bool) -> NoReturn:
    """--dry-run: the plan checked against GitHub when a token is at hand;
    from the file alone (and said so) without one, or when GitHub cannot be
    reached (exit 1 then: the run could not check what it was asked to)."""
    from pmtui.export import ExportError, check_trust, connect, find_token, offline_plan, plan, settings_for

    try:
        settings = settings_for(doc.pm, repo=repo, base_url=base_url, max_wait=max_wait, throttle=not no_pace,
                                **_team_mapping(str(doc.path), list(labels)))
        check_trust(settings)  # before the token is looked up
        token = find_token(settings.base_url)
        client = connect(settings, token) if token is not None else None
    except ExportError as exc:
        _fail(exc, as_json, EXIT_UNUSABLE)
    code = EXIT_OK
    if client is None:
        p = offline_plan(doc.pm, settings, "no GitHub token (set GITHUB_TOKEN or GH_TOKEN to check)")
    else:
        try:
            p = plan(doc.pm, settings, client, progress=_show_progress)
        except ExportError as exc:
            if exc.kind != "offline":
                _fail(exc, as_json, EXIT_UNUSABLE if exc.is_usage else EXIT_FAILED)
            say(f"pmtui export: {exc.message}")
            p = offline_plan(doc.pm, settings, "GitHub could not be reached")
            code = EXIT_FAILED
        finally:
            client.close()
    if as_json:
        click.echo(json.dumps({"dry_run": True, "plan": p.to_json()}, indent=2))
    else:
        _print_plan(p)
    sys.exit(code)


def _load(file: str, as_json: bool) -> Document:
    from pmtui import store
    from pmtui.export import ExportError

    try:
        return store.load(file)
    except store.StoreError as exc:
        _fail(ExportError("config", str(exc)), as_json, EXIT_UNUSABLE)


def _team_mapping(file: str, labels: list[str]) -> dict[str, Any]:
    """Labels and assignees as the team's .pmtui.toml maps them (--label wins)."""
    from pmtui.cli.teamconf import team_for

    team = team_for(file).config
    people = {p.handle: p.github for p in team.people if p.github}
    return {
        "labels": labels or list(team.export.labels) or None,
        "priority_labels": tuple(sorted(team.export.priority_labels.items())),
        "assignees": tuple(sorted({**people, **team.export.assignees}.items())),
    }


def _connect(doc: Document, repo: str | None, base_url: str | None, labels: tuple[str, ...], max_wait: float,
             no_pace: bool, as_json: bool) -> tuple[ExportSettings, GithubClient]:
    """The settings (the file's, overridden by the options) and a client
    holding a token; exit 2 naming what is missing or wrong."""
    from pmtui.export import MISSING_TOKEN_HINT, ExportError, check_trust, connect, find_token, settings_for

    try:
        settings = settings_for(doc.pm, repo=repo, base_url=base_url, max_wait=max_wait, throttle=not no_pace,
                                **_team_mapping(str(doc.path), list(labels)))
        check_trust(settings)  # before the token is looked up, --dry-run too
        token = find_token(settings.base_url)
        if token is None:
            raise ExportError("token", "No GitHub token.", MISSING_TOKEN_HINT)
        return settings, connect(settings, token)
    except ExportError as exc:
        _fail(exc, as_json, EXIT_UNUSABLE)


def _lock(file: str, client: GithubClient, as_json: bool) -> FileLock:
    """The file's lock, or exit 2 when the app has the file open."""
    from pmtui.export import ExportError
    from pmtui.filesafety.lock import FileLock

    lock = FileLock(file)
    if lock.acquire() or lock.error is not None:  # a lock the state folder cannot hold: go on without
        return lock
    other = lock.other
    who = f" (pid {other.pid} on {other.host}, since {other.since})" if other else ""
    client.close()
    _fail(ExportError("config", f"{file} is open in pmtui{who}.",
                      "Export from the app (Actions pane), or close it and run this again; "
                      "--dry-run works meanwhile."), as_json, EXIT_UNUSABLE)


def _sync(doc: Document, settings: ExportSettings, client: GithubClient, dry_run: bool, as_json: bool) -> None:
    """--sync: the issues' state read back into the items (saved unless a dry run)."""
    from pmtui import store
    from pmtui.export import ExportError, apply_sync, plan_sync

    changes = plan_sync(doc.pm, settings, client, progress=_show_progress)
    if changes and not dry_run:
        apply_sync(doc.pm, changes)
        try:
            store.save(doc)
        except OSError as exc:
            raise ExportError("save", f"{doc.path} could not be saved: {exc.strerror or exc}.",
                              "Fix the file's folder or permissions and run the sync again.") from None
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, "changes": [c.to_json() for c in changes]}, indent=2))
        return
    for c in changes:
        click.echo(one_line(f"  {c.item_id:<8} {c.field}: {c.old!s} -> {c.new!s}  ({c.why})"))
    verb = "would change" if dry_run else "changed"
    click.echo(f"{len(changes)} {verb}" if changes else "nothing to sync")


def _saver(doc: Document, file: str) -> Callable[[ItemOutcome], None]:
    """Saves the file after each issue created or linked, so an interrupted
    run loses no link."""
    from pmtui import store
    from pmtui.export import ExportError

    def save(outcome: ItemOutcome) -> None:
        from pmtui.cli.guard import changed_on_disk

        if changed_on_disk(doc):
            raise ExportError(
                "save",
                f"{outcome.item_id} is issue #{outcome.number} ({outcome.url}) but {file} changed on disk during "
                "the export, so the link was not written (your edits are kept).",
                "Run the export again: the issue is found by its marker, not created twice.")
        try:
            store.save(doc)
        except OSError as exc:
            raise ExportError(
                "save",
                f"{outcome.item_id} is issue #{outcome.number} ({outcome.url}) but {file} could not be "
                f"saved: {exc.strerror or exc}.",
                "Fix the file's folder or permissions and run the export again: the issue is found by "
                "its marker, not created twice.",
            ) from None

    return save
