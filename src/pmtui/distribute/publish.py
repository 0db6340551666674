"""`pmtui publish`: the report as a pull request to a post-mortems
repository (or as an issue), through PyGithub, safe to run again.

A pull request: branch `postmortem/<id>` from the base branch (the
repository's default unless told), the Markdown report (and optionally the
TOML) at `<path>/<id>.md`, one pull request from that branch. A second run
updates the same files and the same pull request; nothing is created
twice. A create whose answer was lost (connection dropped, 5xx) is never
simply sent again: the branch, file or pull request is looked up first.
GitHub's 422 "Reference already exists" (the branch is there: an earlier
run, a lost answer, a teammate) and "A pull request already exists" mean
the thing is there, and it is used.

Where the API is comes only from the user (command line, environment,
their own ~/.config/pmtui/config.toml), never from a shared file, so a
post-mortem or .pmtui.toml cannot send the user's token elsewhere. The
token follows export's rules (GITHUB_TOKEN, GH_TOKEN, `gh auth token`).
"""

from __future__ import annotations

import base64
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pmtui import locations
from pmtui.export.errors import ExportError
from pmtui.export.github import AmbiguousCreate, GithubClient
from pmtui.export.progress import Progress
from pmtui.export.settings import DEFAULT_BASE_URL, ExportSettings
from pmtui.model import PostMortem, Share

MARKER = "<!-- pmtui:publish {id} -->"
_REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
API_ENV = ("PMTUI_GITHUB_API_URL", "GITHUB_API_URL")


def api_url(flag: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The GitHub API to talk to: --base-url, else PMTUI_GITHUB_API_URL /
    GITHUB_API_URL, else `github_api_url` in the user's own config, else
    api.github.com. Never a shared file's setting."""
    env = os.environ if env is None else env
    if flag and flag.strip():
        return _checked(flag.strip())
    for name in API_ENV:
        if env.get(name, "").strip():
            return _checked(env[name].strip())
    try:
        with locations.config_file().open("rb") as fh:
            data = tomllib.load(fh)
        value = data.get("github_api_url", "")
        if isinstance(value, str) and value.strip():
            return _checked(value.strip())
    except (OSError, tomllib.TOMLDecodeError):
        pass
    return DEFAULT_BASE_URL


def _checked(url: str) -> str:
    if not re.match(r"^https?://[^/\s]+", url):
        raise ExportError("config", f"API URL {url!r} is not an http(s) URL.",
                          "Use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise.")
    return url.rstrip("/")


@dataclass(frozen=True)
class Target:
    repo: str  # OWNER/NAME
    path: str = "postmortems"
    branch: str = ""  # "" = postmortem/<id>
    base: str = ""  # "" = the repository's default branch
    include_toml: bool = False
    as_issue: bool = False


@dataclass(frozen=True)
class Plan:
    target: Target
    branch: str
    files: tuple[tuple[str, str], ...]  # (path in the repository, text)
    title: str
    body: str
    marker: str

    def to_json(self) -> dict:
        return {"repo": self.target.repo, "as_issue": self.target.as_issue, "branch": self.branch,
                "base": self.target.base or "(default branch)", "files": [p for p, _t in self.files],
                "title": self.title, "body": self.body}


@dataclass
class Result:
    kind: str  # pull-request | issue
    number: int
    url: str
    action: str  # created | updated | unchanged
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, created|updated|unchanged)
    branch_action: str = ""  # created | existed

    def to_json(self) -> dict:
        return {"kind": self.kind, "number": self.number, "url": self.url, "action": self.action,
                "files": [{"path": p, "action": a} for p, a in self.files], "branch": self.branch_action}


def make_plan(pm: PostMortem, target: Target, report_md: str, toml_text: str | None) -> Plan:
    if not _REPO_RE.match(target.repo or ""):
        raise ExportError("config", f"Repository {target.repo!r} is not OWNER/NAME.",
                          "Pass --repo OWNER/NAME (or set [publish] repo in .pmtui.toml).")
    if not pm.id.strip():
        raise ExportError("config", "The post-mortem needs an id before it can be published.",
                          "Set id (e.g. PM-2025-02-09-api) in the Overview or the file.")
    name = _SAFE.sub("-", pm.id.strip()).strip("-") or "postmortem"
    folder = target.path.strip().strip("/")
    if ".." in folder.split("/"):
        raise ExportError("config", f"--path {target.path!r} leaves the repository.",
                          "Use a folder such as postmortems.")
    prefix = f"{folder}/" if folder else ""
    files = [(f"{prefix}{name}.md", report_md)]
    if target.include_toml and toml_text is not None:
        files.append((f"{prefix}{name}.toml", toml_text))
    branch = target.branch.strip() or f"postmortem/{name}"
    marker = MARKER.format(id=name)
    title = f"Post-mortem: {pm.title.strip() or 'untitled incident'} ({pm.id.strip()})"
    summary = pm.summary.strip().split("\n\n")[0] if pm.summary.strip() else "_No summary yet._"
    lines = [summary, "", f"- Severity: {pm.severity or 'not set'}", f"- Status: {pm.status}",
             f"- Action items: {len(pm.actions)}"]
    if not target.as_issue:
        lines.append(f"- Files: {', '.join(f'`{p}`' for p, _t in files)}")
    body = "\n".join(lines) + "\n\n" + (report_md if target.as_issue else "") + f"\n\n{marker}\n"
    return Plan(target, branch, tuple(files), title, body.replace("\n\n\n\n", "\n\n"), marker)


def connect(base_url: str, repo: str, token: Any, *, throttle: bool = True, max_wait: float = 60.0) -> GithubClient:
    settings = ExportSettings(repo=repo, base_url=base_url, throttle=throttle, max_wait=max_wait)
    return GithubClient(settings, token)


class Publisher:
    """One publish run against one repository."""

    def __init__(self, client: GithubClient, progress: Callable[[Progress], None] | None = None) -> None:
        self.client = client
        self.say = progress or (lambda p: None)
        client.hooks(progress, None)

    def _call(self, what: str, fn: Callable[[], Any], *, create: bool = False) -> Any:
        return self.client._call(what, fn, retry_transient=not create)

    # -- pieces ------------------------------------------------------------------------

    def _ref(self, repo: Any, branch: str) -> Any | None:
        try:
            return self._call(f"read branch {branch}", lambda: repo.get_git_ref(f"heads/{branch}"))
        except ExportError as exc:
            if exc.status == 404:
                return None
            raise

    def ensure_branch(self, repo: Any, branch: str, base_sha: str) -> str:
        if self._ref(repo, branch) is not None:
            return "existed"
        self.say(Progress("branch", f"Creating branch {branch}"))
        try:
            self._call(f"create branch {branch}", lambda: repo.create_git_ref(f"refs/heads/{branch}", base_sha),
                       create=True)
            return "created"
        except AmbiguousCreate as lost:
            if self._ref(repo, branch) is not None:
                return "created"
            raise lost.error from None
        except ExportError as exc:
            if exc.status == 422:  # "Reference already exists": made meanwhile, or by the lost try
                return "existed"
            raise

    def _contents(self, repo: Any, path: str, branch: str) -> Any | None:
        try:
            found = self._call(f"read {path}", lambda: repo.get_contents(path, ref=branch))
        except ExportError as exc:
            if exc.status == 404:
                return None
            raise
        if isinstance(found, list):
            raise ExportError("rejected", f"{path} is a folder in the repository.", "Choose another --path.")
        return found

    def put_file(self, repo: Any, path: str, text: str, branch: str, message: str) -> str:
        current = self._contents(repo, path, branch)
        data = text.encode("utf-8")
        if current is not None and base64.b64decode(current.content or "") == data:
            return "unchanged"
        try:
            if current is None:
                self._call(f"create {path}", lambda: repo.create_file(path, message, data, branch=branch), create=True)
                return "created"
            sha = current.sha
            self._call(f"update {path}", lambda: repo.update_file(path, message, data, sha, branch=branch),
                       create=True)
            return "updated"
        except AmbiguousCreate as lost:
            after = self._contents(repo, path, branch)
            if after is not None and base64.b64decode(after.content or "") == data:
                return "created" if current is None else "updated"
            raise lost.error from None

    def _open_pull(self, repo: Any, owner: str, branch: str, base: str) -> Any | None:
        pulls = self._call("list pull requests",
                           lambda: list(repo.get_pulls(state="open", head=f"{owner}:{branch}", base=base)))
        return pulls[0] if pulls else None

    def ensure_pull(self, repo: Any, plan: Plan, base: str) -> tuple[Any, str]:
        owner = plan.target.repo.split("/")[0]
        pr: Any = self._open_pull(repo, owner, plan.branch, base)
        if pr is not None:
            if (pr.title or "") == plan.title and (pr.body or "") == plan.body:
                return pr, "unchanged"
            self._call(f"update pull request #{pr.number}", lambda: pr.edit(title=plan.title, body=plan.body))
            return pr, "updated"
        self.say(Progress("create", f"Opening a pull request from {plan.branch} to {base}"))
        try:
            pr = self._call("open the pull request", lambda: repo.create_pull(
                title=plan.title, body=plan.body, head=plan.branch, base=base), create=True)
            return pr, "created"
        except AmbiguousCreate as lost:
            pr = self._open_pull(repo, owner, plan.branch, base)
            if pr is None:
                raise lost.error from None
            return pr, "created"
        except ExportError as exc:
            if exc.status != 422 or "already exists" not in exc.message:
                raise
            found: Any = self._open_pull(repo, owner, plan.branch, base)
            if found is None:
                raise
            self._call(f"update pull request #{found.number}", lambda: found.edit(title=plan.title, body=plan.body))
            return found, "updated"

    # -- the runs -------------------------------------------------------------------------

    def pull_request(self, plan: Plan) -> Result:
        repo = self.client.repo
        base = plan.target.base.strip() or repo.default_branch
        base_ref = self._ref(repo, base)
        if base_ref is None:
            raise ExportError("not-found", f"Base branch {base!r} not found in {plan.target.repo}.",
                              "Pass --base BRANCH, or check the repository's default branch.", status=404)
        branch_action = self.ensure_branch(repo, plan.branch, base_ref.object.sha)
        message = f"{plan.title}\n\nPublished with pmtui."
        files = [(path, self.put_file(repo, path, text, plan.branch, message)) for path, text in plan.files]
        pr, action = self.ensure_pull(repo, plan, base)
        return Result("pull-request", pr.number, pr.html_url, action, files, branch_action)

    def issue(self, plan: Plan, now: datetime) -> Result:
        found = next((i for i in self.client.list_issues() if plan.marker in i.body), None)
        if found is not None:
            if found.title == plan.title and found.body == plan.body:
                return Result("issue", found.number, found.url, "unchanged")
            done = self.client.edit_issue(found.number, title=plan.title, body=plan.body)
            return Result("issue", done.number, done.url, "updated")
        try:
            made = self.client.create_issue(plan.title, plan.body, [], [])
        except AmbiguousCreate as lost:
            again = next((i for i in self.client.recent_issues(now - timedelta(minutes=10)) if plan.marker in i.body),
                         None)
            if again is None:
                raise lost.error from None
            return Result("issue", again.number, again.url, "created")
        return Result("issue", made.number, made.url, "created")


def record(pm: PostMortem, result: Result, now: datetime) -> None:
    """Where and when it was shared, in the file: the share's row (updated
    on a second run), `shared` (the first time), status published."""
    row = next((s for s in pm.shares if s.url == result.url), None)
    if row is None:
        pm.shares.append(Share(result.kind, result.url, now))
    else:
        row.time = now
    if pm.shared is None:
        pm.shared = now
    pm.status = "published"
