"""The library and GitHub: the export's sync run over every file (one
client and one issue listing per repository, not per file), and the
review digest posted as one issue per week, found again by its hidden
marker so a second run updates it instead of opening another.

Same client, token rules and errors as `pmtui export` (pmtui.export);
called from a thread worker or the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pmtui.export import ExportError, ExportSettings, check_trust, find_token, plan_sync, settings_for
from pmtui.export.github import AmbiguousCreate, GithubClient, RemoteIssue
from pmtui.export.issue_text import marker
from pmtui.export.token import MISSING_TOKEN_HINT, Token

REVIEW_MARKER_PM = "review"


class _ListedOnce(GithubClient):
    """A client that checks the token and lists the issues once, however
    many post-mortems of its repository are synced through it."""

    _checked = False
    _listed: list[RemoteIssue] | None = None

    def check(self) -> None:
        if not self._checked:
            super().check()
            self._checked = True

    def list_issues(self) -> list[RemoteIssue]:
        if self._listed is None:
            self._listed = super().list_issues()
        return self._listed


@dataclass
class SyncReport:
    files: int = 0  # files with an [export.github] repository
    changed: list[tuple[str, int]] = field(default_factory=list)  # (file, changes applied)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (file or repo, message)
    closed_at: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (pm id, item) -> closed


def sync_files(
    paths: list[Path],
    *,
    token_for: Callable[[str], Token | None] = find_token,
    progress: Callable[[int, int, str], None] = lambda done, total, what: None,
    throttle: bool = True,
) -> SyncReport:
    """Sync every file whose export settings name a repository; files the
    app has open (locked) are left alone and reported."""
    report = SyncReport()
    clients: dict[tuple[str, str], GithubClient | ExportError] = {}
    try:
        for n, path in enumerate(paths):
            progress(n, len(paths), str(path))
            _sync_one(path, clients, report, token_for, throttle)
        progress(len(paths), len(paths), "")
    finally:
        for client in clients.values():
            if isinstance(client, GithubClient):
                client.close()
    for key, client in clients.items():
        if isinstance(client, ExportError) and not any(p[0] == key[1] for p in report.problems):
            report.problems.append((key[1], client.message + (f" {client.hint}" if client.hint else "")))
    return report


def _sync_one(path: Path, clients: dict[tuple[str, str], GithubClient | ExportError], report: SyncReport,
              token_for: Callable[[str], Token | None], throttle: bool) -> None:
    from pmtui import store
    from pmtui.export import apply_sync
    from pmtui.filesafety.lock import FileLock

    try:
        doc = store.load(path)
    except store.StoreError:
        return  # listed as unreadable by the digest itself
    pm = doc.pm
    if not pm.github.repo or not any(a.issue or a.tracker for a in pm.actions):
        return
    try:
        settings = settings_for(pm, throttle=throttle)
    except ExportError as exc:
        report.problems.append((str(path), exc.message))
        return
    report.files += 1
    key = (settings.base_url, settings.repo)
    client = clients.get(key)
    if client is None:
        try:
            # The file names the server: the token goes there only if the
            # user trusted it (pmtui.trust), as for `pmtui export`.
            check_trust(settings)
        except ExportError as exc:
            client = clients[key] = exc
        else:
            client = clients[key] = _connect(settings, token_for)
    if isinstance(client, ExportError):
        return  # told once, for the repository
    try:
        changes = plan_sync(pm, settings, client)
    except ExportError as exc:
        clients[key] = exc
        report.problems.append((settings.repo, exc.message + (f" {exc.hint}" if exc.hint else "")))
        return
    for issue in client.list_issues():
        found = issue.marker
        if found and found[0] == pm.id and issue.closed_at is not None:
            report.closed_at[found] = issue.closed_at
    if not changes:
        return
    lock = FileLock(path)
    if not lock.acquire():
        report.problems.append((str(path), "open in pmtui; not synced (sync it from the app)"))
        return
    try:
        apply_sync(pm, changes)
        store.save(doc)
        report.changed.append((str(path), len(changes)))
    except OSError as exc:
        report.problems.append((str(path), f"not saved: {exc.strerror or exc}"))
    finally:
        lock.release()


def _connect(settings: ExportSettings, token_for: Callable[[str], Token | None]) -> GithubClient | ExportError:
    token = token_for(settings.base_url)
    if token is None:
        return ExportError("token", "No GitHub token.", MISSING_TOKEN_HINT)
    return _ListedOnce(settings, token)


@dataclass(frozen=True)
class Posted:
    action: str  # created | updated | unchanged
    number: int
    url: str


def review_title(week_start: str) -> str:
    return f"Post-mortem review, week of {week_start}"


def post_review(settings: ExportSettings, token: Token, week_id: str, title: str, markdown: str) -> Posted:
    """Create this week's review issue, or update the one carrying its
    marker. Raises ExportError (token, auth, not-found, rate-limit...)."""
    body = markdown.rstrip() + "\n\n" + marker(REVIEW_MARKER_PM, week_id)
    check_trust(settings)
    client = GithubClient(settings, token)
    try:
        client.check()
        mine = [i for i in client.list_issues() if i.marker == (REVIEW_MARKER_PM, week_id)]
        if not mine:
            try:
                made = client.create_issue(title, body, [], [])
            except AmbiguousCreate as lost:
                # The answer was lost; the issue may exist: look before
                # reporting (a second create would duplicate it).
                again = [i for i in client.list_issues() if i.marker == (REVIEW_MARKER_PM, week_id)]
                if not again:
                    raise lost.error from None
                made = again[0]
            return Posted("created", made.number, made.url)
        issue = min(mine, key=lambda i: i.number)
        if issue.body.replace("\r\n", "\n") == body and issue.title == title:
            return Posted("unchanged", issue.number, issue.url)
        edited = client.edit_issue(issue.number, title=title, body=body)
        return Posted("updated", edited.number, edited.url)
    finally:
        client.close()
