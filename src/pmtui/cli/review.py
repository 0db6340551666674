"""`pmtui review DIR… [--post OWNER/REPO]`: the weekly review digest.

With a GitHub token (GITHUB_TOKEN, GH_TOKEN or `gh auth token`, as for
`pmtui export`), the status of every tracked action item is synced from
its issue first (the export's sync, each file saved, one progress bar on
standard error). The digest goes to standard output as Markdown (or JSON);
`--post` creates this week's review issue, or updates it when it exists
(found by a hidden marker, so runs never duplicate it).

Exit status: 0; 1 when the sync or the post failed (the digest is still
printed); 2 for unusable input (no folder, no token for --post).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime

import click

from pmtui.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_UNUSABLE, fail, say
from pmtui.cli.library import clock, load
from pmtui.library.scan import Entry


def _progress_bar(total: int) -> Callable[[int, int, str], None]:
    """A progress callback drawing one bar on standard error (a plain line
    at the end when it is not a terminal)."""
    shown = {"last": 0.0}
    tty = sys.stderr.isatty()

    def step(done: int, _total: int, _what: str) -> None:
        if not tty:
            return
        now = time.monotonic()
        if done < total and now - shown["last"] < 0.1:
            return
        shown["last"] = now
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\rsyncing from GitHub [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return step


@click.command("review")
@click.argument("dirs", nargs=-1, metavar="DIR…")
@click.option("--post", "repo", metavar="OWNER/REPO", help="Create or update this week's review issue there.")
@click.option("--base-url", metavar="URL", default="", help="GitHub API URL for --post (GitHub Enterprise).")
@click.option("--no-sync", is_flag=True, help="Do not read action statuses back from GitHub first.")
@click.option("--json", "as_json", is_flag=True, help="Print the digest as JSON instead of Markdown.")
@click.option("--as-of", metavar="DATE", help="Build the digest as if today were DATE.")
@click.option("--no-pace", is_flag=True, hidden=True, help="Skip PyGithub's pauses between requests (tests).")
def review(dirs: tuple[str, ...], repo: str | None, base_url: str, no_sync: bool, as_json: bool, as_of: str | None,
           no_pace: bool) -> None:
    """The weekly review: open, overdue and recently closed actions by owner and post-mortem,
    unshared post-mortems, follow-ups due."""
    from pmtui.export import MISSING_TOKEN_HINT, Token, find_token
    from pmtui.library import github as gh
    from pmtui.library import review as review_mod
    from pmtui.library.mdout import review_markdown

    now = clock(as_of)
    folders = list(dirs) or ["."]
    token = None
    if repo:
        from pmtui.export.settings import DEFAULT_BASE_URL

        base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        token = find_token(base_url)
        if token is None:
            fail(f"pmtui review: --post needs a GitHub token. {MISSING_TOKEN_HINT}")
    code = EXIT_OK
    result = load(folders)
    closed_at = None
    if not no_sync:
        tokens: dict[str, Token | None] = {}

        def token_for(url: str) -> Token | None:
            if url not in tokens:
                tokens[url] = find_token(url)
            return tokens[url]

        paths = [e.path for e in result.good if e.summary is not None and e.summary.github_repo
                 and any(a.issue or a.tracker for a in e.summary.actions)]
        if paths:
            report = gh.sync_files(paths, token_for=token_for, progress=_progress_bar(len(paths)),
                                   throttle=not no_pace)
            for where, problem in report.problems:
                say(f"pmtui review: {where}: {problem}")
                code = EXIT_FAILED
            if report.changed:
                say(f"pmtui review: synced {sum(n for _f, n in report.changed)} change(s) into "
                    f"{len(report.changed)} file(s)")
                result = load(folders)
            if report.files and any(tokens.values()):
                closed_at = report.closed_at
    changed = _changed_this_week(result.entries, now)
    digest = review_mod.build(result.entries, now, closed_since=closed_at, changed_since=changed)
    markdown = review_markdown(digest)
    if as_json:
        click.echo(json.dumps(_redacted(digest.to_json()), indent=2, ensure_ascii=False))
    else:
        click.echo(markdown, nl=False)
    if repo:
        from pmtui.export import ExportError
        from pmtui.export.settings import ExportSettings

        assert token is not None  # looked up above, before any work
        settings = ExportSettings(repo=repo, base_url=base_url, throttle=not no_pace)
        try:
            posted = gh.post_review(settings, token, digest.week_id, gh.review_title(digest.week_start.isoformat()),
                                    markdown)
        except ExportError as exc:
            say(f"pmtui review: --post {repo}: {exc.message}" + (f" {exc.hint}" if exc.hint else ""))
            sys.exit(EXIT_UNUSABLE if exc.is_usage else EXIT_FAILED)
        say(f"pmtui review: {posted.action} issue #{posted.number}: {posted.url}")
    sys.exit(code)


def _changed_this_week(entries: list[Entry], now: datetime) -> set[str]:
    cutoff = now.timestamp() - 7 * 86400
    out = set()
    for e in entries:
        try:
            if cutoff <= os.stat(e.path).st_mtime <= now.timestamp():
                out.add(e.name)
        except OSError:
            pass
    return out


def _redacted(value: object) -> object:
    from pmtui.redact import redact

    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    return value
