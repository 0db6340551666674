"""The GitHub side of the export: PyGithub behind a small client that owns
retrying, rate-limit waits and turning failures into ExportError.

PyGithub is imported when a client is made, never at app start.

Retries: PyGithub's default urllib3 Retry resends POST after a 5xx or a
dropped connection, which duplicates an issue whose response was lost.
The client gives PyGithub `retry=0` and retries here instead: reads and
PATCHes (same content twice is harmless) after 5xx / network errors with
backoff; an issue creation never — the caller lists the repository to see
whether the lost create happened (`AmbiguousCreate`). Rate limits are
waited out here, with a countdown through the progress callback, up to
`settings.max_wait`; a rejected request was not performed, so it is sent
again after the wait whatever its method.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pmtui.export.errors import ExportError
from pmtui.export.issue_text import find_marker
from pmtui.export.progress import CancelledFn, Progress, ProgressFn, never_cancelled, no_progress
from pmtui.export.settings import ExportSettings
from pmtui.export.token import Token
from pmtui.textsafe import one_line

MAX_RATE_LIMIT_WAITS = 5  # per call; GitHub asking again and again means stop
SECONDARY_DEFAULT_WAIT = 60.0  # GitHub's advice when no Retry-After is given


@dataclass(frozen=True)
class RemoteIssue:
    number: int
    title: str
    body: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    state: str  # open | closed
    url: str  # html_url, the link written into the file
    created_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def marker(self) -> tuple[str, str] | None:
        return find_marker(self.body)


class AmbiguousCreate(Exception):
    """An issue creation whose outcome is unknown (connection lost, 5xx):
    it may or may not exist now. `error` is what to report if it doesn't."""

    def __init__(self, error: ExportError) -> None:
        super().__init__(error.message)
        self.error = error


def _headers(exc: Any) -> dict[str, str]:
    raw = getattr(exc, "headers", None) or {}
    return {str(k).lower(): str(v) for k, v in raw.items()}


def _message(exc: Any) -> str:
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        msg = str(data.get("message") or "")
        details = []
        for err in data.get("errors") or []:
            if isinstance(err, dict):
                details.append(" ".join(str(err[k]) for k in ("field", "code", "message") if err.get(k)))
            else:
                details.append(str(err))
        if details:
            msg += " (" + "; ".join(details) + ")"
        return msg
    if isinstance(data, str):
        return data[:200]
    return ""


def _fields(exc: Any) -> tuple[str, ...]:
    data = getattr(exc, "data", None)
    errors = data.get("errors") if isinstance(data, dict) else None
    return tuple(str(e.get("field")) for e in errors or [] if isinstance(e, dict) and e.get("field"))


_CAUSES = ("Name or service not known", "Temporary failure in name resolution", "Connection refused",
           "Network is unreachable", "No route to host", "nodename nor servname")


def _cause(exc: BaseException) -> str:
    """Why a connection failed, in words (name resolution, refused), found
    in the chain requests and urllib3 wrap it in; else the error's type."""
    texts: list[str] = []
    stack: list[object] = [exc]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if not isinstance(node, BaseException) or id(node) in seen:
            continue
        seen.add(id(node))
        texts.append(str(node))
        stack += [node.__cause__, node.__context__, getattr(node, "reason", None), *node.args]
    joined = " ".join(texts)
    return next((c.lower() for c in _CAUSES if c in joined), type(exc).__name__)


def rate_limit_wait(status: int, headers: dict[str, str], message: str, now: float) -> float | None:
    """Seconds to wait before GitHub takes requests again, or None when the
    answer is not a rate limit (a 403 for permissions, say)."""
    if status not in (403, 429):
        return None
    if "retry-after" in headers:
        try:
            return max(0.0, float(headers["retry-after"]))
        except ValueError:
            return SECONDARY_DEFAULT_WAIT
    lower = message.lower()
    if headers.get("x-ratelimit-remaining") == "0" or lower.startswith("api rate limit exceeded"):
        reset = headers.get("x-ratelimit-reset", "")
        if reset.isdigit():
            return max(0.0, int(reset) - now + 1)  # +1: the reset second is not exact
        return SECONDARY_DEFAULT_WAIT
    if "secondary rate limit" in lower or "abuse" in lower or status == 429:
        return SECONDARY_DEFAULT_WAIT
    return None


class GithubClient:
    """One repository on one GitHub (or GHE) API, for one export or sync.

    `progress` and `cancelled` are set by plan/apply/sync for the duration
    of a step; they are called from whatever thread runs the step."""

    def __init__(
        self,
        settings: ExportSettings,
        token: Token,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from github import Auth, Github

        self.settings = settings
        self.token = token
        self._sleep = sleep
        self._clock = clock
        self.progress: ProgressFn = no_progress
        self.cancelled: CancelledFn = never_cancelled
        self._gh = Github(
            base_url=settings.base_url,
            auth=Auth.Token(token.reveal()),
            retry=0,
            timeout=int(settings.timeout),
            per_page=100,
            seconds_between_requests=0.25 if settings.throttle else None,
            seconds_between_writes=1.0 if settings.throttle else None,
        )
        self._repo: Any = None
        self._issue_objs: dict[int, Any] = {}
        self.login: str | None = None
        self._answered = False  # has the server answered anything yet

    def close(self) -> None:
        self._gh.close()

    def hooks(self, progress: ProgressFn | None, cancelled: CancelledFn | None) -> None:
        self.progress = progress or no_progress
        self.cancelled = cancelled or never_cancelled

    # -- the one place requests are made --------------------------------------

    def _call(self, what: str, fn: Callable[[], Any], *, retry_transient: bool = True) -> Any:
        from github.GithubException import BadAttributeException, GithubException
        from requests.exceptions import RequestException

        attempt, waits = 0, 0
        while True:
            self.check_cancelled()
            try:
                result = fn()
                self._answered = True
                return result
            except GithubException as exc:
                self._answered = True
                headers, message = _headers(exc), _message(exc)
                wait = rate_limit_wait(exc.status, headers, message, time.time())
                if wait is not None:
                    waits += 1
                    if waits > MAX_RATE_LIMIT_WAITS or wait > self.settings.max_wait:
                        raise self._rate_limited(wait, headers) from None
                    self._countdown(wait, "GitHub rate limit")
                    continue
                if exc.status >= 500:
                    error = ExportError("server", self.scrub(
                        f"GitHub answered {exc.status} while trying to {what}"
                        + (f": {message}" if message else ".")),
                        "GitHub may be having trouble; run the export again later.", status=exc.status)
                else:
                    error = self.classify(exc.status, message, what)
                    error.fields = _fields(exc)
                    raise error from None
            except RequestException as exc:
                from requests.exceptions import ConnectionError as NoConnection

                if isinstance(exc, NoConnection) and not self._answered:
                    # No answer yet from this server and no connection at all
                    # (no network, a wrong host, nothing listening): retrying
                    # cannot help and a person should hear it at once.
                    raise ExportError("offline", self.scrub(
                        f"Could not reach {self.settings.base_url} to {what} ({_cause(exc)})."),
                        "Check the network and the base URL; --dry-run shows the plan from the file alone.",
                    ) from None
                error = ExportError("network", self.scrub(
                    f"Could not reach {self.settings.base_url} to {what} ({type(exc).__name__})."),
                    "Check the network and the base URL, then run the export again.")
            except (BadAttributeException, ValueError, KeyError, TypeError, AttributeError, AssertionError) as exc:
                # PyGithub reading an answer that is not GitHub's (another
                # server at base_url, a proxy's page): a message, not a traceback
                raise not_github(self.settings.base_url, what, exc, self.scrub) from None
            # Transient failure: 5xx or network.
            if not retry_transient:
                raise AmbiguousCreate(error)
            if attempt >= self.settings.retries:
                raise error
            delay = self.settings.backoff * (2**attempt)
            attempt += 1
            self.progress(Progress("retry", f"{error.message} Retrying in {delay:g} s "
                                   f"(attempt {attempt + 1} of {self.settings.retries + 1})."))
            self.pause(delay)

    def check_cancelled(self) -> None:
        if self.cancelled():
            raise ExportError("cancelled", "Export cancelled.", "Run it again to finish; nothing is created twice.")

    def pause(self, seconds: float) -> None:
        end = self._clock() + seconds
        while (left := end - self._clock()) > 0:
            self.check_cancelled()
            self._sleep(min(0.2, left))

    def _countdown(self, seconds: float, reason: str) -> None:
        end = self._clock() + seconds
        shown = None
        while (left := end - self._clock()) > 0:
            self.check_cancelled()
            whole = math.ceil(left)
            if whole != shown:
                shown = whole
                self.progress(Progress("wait", f"{reason}: waiting {whole} s before going on.", wait_left=left))
            self._sleep(min(0.2, left))
        self.progress(Progress("wait", f"{reason}: going on.", wait_left=0.0))

    def _rate_limited(self, wait: float, headers: dict[str, str]) -> ExportError:
        reset = headers.get("x-ratelimit-reset", "")
        when = ""
        if reset.isdigit() and headers.get("x-ratelimit-remaining") == "0":
            when = " (it resets at " + datetime.fromtimestamp(int(reset), UTC).strftime("%H:%M UTC") + ")"
        return ExportError(
            "rate-limit",
            f"GitHub's rate limit asks for a wait of {math.ceil(wait)} s{when}, longer than the "
            f"{self.settings.max_wait:g} s pmtui waits.",
            "What was done is recorded in the file; run the export again later to finish.",
            wait=wait,
        )

    def scrub(self, text: str) -> str:
        # The token first (any shape), then every other secret a server may
        # echo back in an error body.
        from pmtui.redact import redact

        return redact(self.token.scrub(text))

    def classify(self, status: int, message: str, what: str) -> ExportError:
        msg = one_line(self.scrub(message), 300)
        repo, source = self.settings.repo, self.token.source
        if status == 401:
            return ExportError(
                "auth",
                f"GitHub rejected the token from {source} (401 {msg or 'Bad credentials'}): "
                "it is wrong, expired or revoked.",
                "Create a new token with read and write access to issues and put it in GITHUB_TOKEN, "
                "or log in again with `gh auth login`.",
                status=401,
            )
        if status == 403:
            return ExportError(
                "forbidden",
                f"The token from {source} is not allowed to {what} in {repo} (403 {msg}).",
                "Give it Issues: read and write (fine-grained token) or the repo scope (classic token); "
                "for an organisation, check it allows the token (SSO authorisation, token policy).",
                status=403,
            )
        if status == 404:
            return ExportError(
                "not-found",
                f"GitHub answered 404 Not Found when trying to {what} in {repo} at {self.settings.base_url}.",
                "Check the repository name and base URL; a private repository also answers 404 "
                "when the token cannot see it, so give the token access to it.",
                status=404,
            )
        return ExportError("rejected", f"GitHub refused to {what} ({status} {msg}).", status=status)

    # -- operations ------------------------------------------------------------

    def check(self) -> None:
        """Token valid, repository visible: the errors worth telling apart
        before anything else is tried."""

        def whoami() -> str | None:
            from github.GithubException import GithubException

            try:
                return self._gh.get_user().login
            except GithubException as exc:
                # App installation tokens may not read /user (403): fine.
                if exc.status == 403 and rate_limit_wait(403, _headers(exc), _message(exc), time.time()) is None:
                    return None
                if exc.status == 404:
                    raise ExportError(
                        "not-found",
                        f"{self.settings.base_url} does not answer like a GitHub API (404 on /user).",
                        "Use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise.",
                        status=404,
                    ) from None
                raise

        self.progress(Progress("connect", f"Connecting to {self.settings.base_url}"))
        self.login = self._call("check the token", whoami)
        try:
            self._repo = self._call("open the repository", lambda: self._gh.get_repo(self.settings.repo))
        except ExportError as exc:
            if exc.kind == "not-found":
                raise ExportError(
                    "not-found",
                    f"Repository {self.settings.repo} not found at {self.settings.base_url} (404).",
                    "Check OWNER/NAME and the base URL. A private repository also answers 404 when the "
                    f"token from {self.token.source} cannot see it: give the token access to it.",
                    status=404,
                ) from None
            raise

    @property
    def repo(self) -> Any:
        if self._repo is None:
            self.check()
        return self._repo

    def _remote(self, issue: Any) -> RemoteIssue:
        self._issue_objs[issue.number] = issue
        return RemoteIssue(
            number=issue.number,
            title=issue.title or "",
            body=issue.body or "",
            labels=tuple(lb.name for lb in issue.labels),
            assignees=tuple(a.login for a in issue.assignees),
            state=issue.state,
            url=issue.html_url,
            created_at=issue.created_at,
            closed_at=issue.closed_at,
        )

    @staticmethod
    def _is_pull(issue: Any) -> bool:
        # The issues list includes pull requests; their html_url says so
        # (reading `pull_request` would cost a request per issue).
        return "/pull/" in (issue.html_url or "")

    def list_issues(self) -> list[RemoteIssue]:
        """Every issue of the repository, open and closed. Listing, not
        search: search lags minutes behind a new issue."""
        self.progress(Progress("list", f"Listing issues of {self.settings.repo}"))

        def fetch() -> list[RemoteIssue]:
            return [self._remote(i) for i in self.repo.get_issues(state="all") if not self._is_pull(i)]

        return self._call("list issues", fetch)

    def recent_issues(self, since: datetime) -> list[RemoteIssue]:
        """Issues created at or after `since`, newest first: the cheap
        check after a create whose answer was lost."""

        def fetch() -> list[RemoteIssue]:
            out = []
            for issue in self.repo.get_issues(state="all", sort="created", direction="desc"):
                if issue.created_at is not None and issue.created_at < since:
                    break
                if not self._is_pull(issue):
                    out.append(self._remote(issue))
            return out

        return self._call("list recent issues", fetch)

    def label_names(self) -> list[str]:
        return self._call("list labels", lambda: [lb.name for lb in self.repo.get_labels()])

    def create_label(self, name: str, color: str, description: str | None = None) -> None:
        from github.GithubException import GithubException

        def create() -> None:
            try:
                if description:
                    self.repo.create_label(name, color, description)
                else:
                    self.repo.create_label(name, color)
            except GithubException as exc:
                # Label names are unique: "already_exists" after a lost
                # answer (or a concurrent run) means done.
                data = exc.data if isinstance(exc.data, dict) else {}
                if exc.status == 422 and any(
                    isinstance(e, dict) and e.get("code") == "already_exists" for e in data.get("errors") or []
                ):
                    return
                raise

        self._call(f"create the label {name!r}", create)

    def create_issue(self, title: str, body: str, labels: list[str], assignees: list[str]) -> RemoteIssue:
        """One attempt (plus rate-limit waits). Raises AmbiguousCreate when
        the issue may exist anyway, ExportError otherwise."""
        kwargs: dict[str, Any] = {"title": title, "body": body, "labels": labels}
        if assignees:
            kwargs["assignees"] = assignees
        issue = self._call("create an issue", lambda: self.repo.create_issue(**kwargs), retry_transient=False)
        return self._remote(issue)

    def edit_issue(self, number: int, **fields: Any) -> RemoteIssue:
        def edit() -> RemoteIssue:
            issue = self._issue_objs.get(number) or self.repo.get_issue(number)
            issue.edit(**fields)
            return self._remote(issue)

        return self._call(f"update issue #{number}", edit)


def not_github(base_url: str, what: str, exc: BaseException, scrub: Callable[[str], str]) -> ExportError:
    from pmtui.redact import redact

    detail = scrub(redact(str(exc)))[:200] or type(exc).__name__
    return ExportError("not-github", f"{redact(base_url)} did not answer like GitHub's API when asked to {what} "
                       f"({type(exc).__name__}: {detail}).",
                       "Check the base URL: GitHub's REST API is https://api.github.com, or https://HOST/api/v3 "
                       "for GitHub Enterprise.")


def connect(settings: ExportSettings, token: Token, **kw: Any) -> GithubClient:
    return GithubClient(settings, token, **kw)

