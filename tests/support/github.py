"""A loopback GitHub REST server for export tests.

It answers the endpoints the exporter uses the way api.github.com does:
bodies are built from the recorded real responses in tests/data/github/
(URLs rewritten to this server), headers follow the recorded ones (rate
limit headers, media type, Link pagination with absolute URLs, Location on
201), errors use the exact bodies of tests/data/github/error_bodies.json.
State lives in memory; tests drive it through the real PyGithub client,
and get a started server from the `fake_github` fixture.

Faults are queued with `fault(...)` and consumed by the first matching
request: drop the connection after handling (the response is lost), answer
with a status/body instead of handling or after handling (a 502 from a
proxy whose backend did the work), a secondary rate limit with
Retry-After, or a primary rate limit with X-RateLimit-Reset.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

DATA = Path(__file__).resolve().parent.parent / "data" / "github"


def _recorded(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def _error_bodies() -> dict[str, dict]:
    cases = json.loads((DATA / "error_bodies.json").read_text(encoding="utf-8"))["cases"]
    return {c["case"]: c for c in cases}


ERRORS = _error_bodies()
BAD_CREDENTIALS = ERRORS["wrong / revoked token, any endpoint"]["body"]
REQUIRES_AUTH = ERRORS[
    "no Authorization header on an endpoint that needs a user (GET /user; every endpoint with require_auth=True)"
]["body"]
REPO_NOT_FOUND = ERRORS["unknown repository, or private repository the token cannot see (GET /repos/{o}/{r})"]["body"]
INVALID_ASSIGNEE = ERRORS["POST /repos/{o}/{r}/issues with an assignee who cannot be assigned"]["body"]
INVALID_ASSIGNEE_PATCH = ERRORS["PATCH /repos/{o}/{r}/issues/{n} with an assignee who cannot be assigned"]["body"]
LABEL_EXISTS = ERRORS["POST /repos/{o}/{r}/labels with a name that exists (case-insensitive)"]["body"]
NOT_ACCESSIBLE = ERRORS[
    "token without write access (e.g. fine-grained PAT with issues:read) creates/updates"
]["body"]
SECONDARY_RATE_LIMIT_RAW = ERRORS["secondary rate limit (fault kind secondary_rate_limit)"]["body_raw"]
PRIMARY_RATE_LIMIT = ERRORS[
    "primary rate limit exhausted (core_limit reached, or fault kind primary_rate_limit)"
]["body"]
SERVER_ERROR = ERRORS["5xx (fault kind server_error)"]["body"]

# Recorded bodies: the templates every answer is built from.
_ISSUE = _recorded("octokit_issue_create_2022")
_LABEL = _recorded("octokit_label_create_2022")
_LABELS_DEFAULT = _recorded("octokit_labels_list_defaults_2022")
_REPO = _recorded("octokit_repo_get_2022")
_USER = _recorded("pygithub_user_get_2025")
_LIST = _recorded("octokit_issue_list_page1_2022")

_ISSUE_REPO = "octokit-fixture-org/tmp-scenario-paginate-issues-20220719043836917-izyoe"
_LABEL_REPO = "octokit-fixture-org/tmp-scenario-labels-20220719043808548-dbtiq"
_REPO_REPO = "octokit-fixture-org/hello-world"

# Headers every recorded 2022+ answer carries (values from the recordings).
_COMMON_HEADERS = [
    ("Content-Type", "application/json; charset=utf-8"),
    ("X-GitHub-Media-Type", "github.v3; format=json"),
    ("x-github-api-version-selected", "2022-11-28"),
    ("X-OAuth-Scopes", "repo"),
    ("X-Accepted-OAuth-Scopes", "repo"),
    (
        "Access-Control-Expose-Headers",
        dict(_ISSUE["headers"])["Access-Control-Expose-Headers"],
    ),
    ("Access-Control-Allow-Origin", "*"),
    ("X-Frame-Options", "deny"),
    ("X-Content-Type-Options", "nosniff"),
    ("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP"),
]


def _rewrite(obj, replacements: list[tuple[str, str]]):
    """Recorded bodies with their api.github.com / github.com / repo names
    replaced by this server's, recursively."""
    if isinstance(obj, str):
        for old, new in replacements:
            obj = obj.replace(old, new)
        return obj
    if isinstance(obj, list):
        return [_rewrite(v, replacements) for v in obj]
    if isinstance(obj, dict):
        return {k: _rewrite(v, replacements) for k, v in obj.items()}
    return obj


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    kind: str  # drop_after | status_after | status | secondary_rate_limit | primary_rate_limit
    times: int = 1
    status: int = 502
    body: object = None
    retry_after: int | None = 1
    reset_in: int = 1


@dataclass
class Issue:
    number: int
    title: str
    body: str | None
    labels: list[str]
    assignees: list[str]
    state: str = "open"
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    closed: float | None = None
    pull_request: bool = False


@dataclass
class Label:
    name: str
    color: str
    description: str | None = None
    default: bool = False
    id: int = 0


class FakeGitHub:
    """State and behaviour; `start()` serves it on 127.0.0.1 on a free port."""

    def __init__(
        self,
        *,
        owner: str = "acme",
        repo: str = "ops",
        token: str = "ghp_testtoken000000000000000000000000",
        prefix: str = "",
        assignable: tuple[str, ...] = ("bob", "carol", "octocat"),
        login: str = "octocat",
    ) -> None:
        self.owner, self.repo = owner, repo
        self.token = token
        self.prefix = prefix.rstrip("/")
        self.assignable = {a.lower() for a in assignable}
        self.login = login
        self.write_access = True
        self.issues: dict[int, Issue] = {}
        self.labels: dict[str, Label] = {}
        self.requests: list[tuple[str, str, object]] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self._ids = itertools.count(4341279400)
        self.rate_remaining = 5000
        for raw in _LABELS_DEFAULT["body"]:
            self.labels[raw["name"].lower()] = Label(
                raw["name"], raw["color"], raw["description"], raw["default"], next(self._ids)
            )
        self.server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> FakeGitHub:
        handler = type("Handler", (_Handler,), {"gh": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def root(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return self.root + self.prefix

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    # -- test controls -------------------------------------------------------

    def fault(self, method: str, path: str, kind: str, **kw) -> None:
        """Queue a fault for requests `method` whose path (after the prefix,
        without query) fully matches the regex `path`."""
        with self.lock:
            self.faults.append(Fault(method.upper(), re.compile(path), kind, **kw))

    def add_issue(self, title: str, body: str | None = None, *, labels=(), assignees=(), state="open",
                  pull_request: bool = False) -> Issue:
        with self.lock:
            number = max(self.issues, default=0) + 1
            issue = Issue(number, title, body, list(labels), list(assignees), state, pull_request=pull_request)
            if state == "closed":
                issue.closed = time.time()
            self.issues[number] = issue
            return issue

    def close(self, number: int) -> None:
        with self.lock:
            issue = self.issues[number]
            issue.state, issue.closed, issue.updated = "closed", time.time(), time.time()

    def reopen(self, number: int) -> None:
        with self.lock:
            issue = self.issues[number]
            issue.state, issue.closed, issue.updated = "open", None, time.time()

    def assign(self, number: int, *logins: str) -> None:
        with self.lock:
            self.issues[number].assignees = list(logins)

    def add_label_to_issue(self, number: int, name: str) -> None:
        """What a person labelling the issue in the web UI does."""
        with self.lock:
            if name.lower() not in self.labels:
                self.labels[name.lower()] = Label(name, "ededed", None, False, next(self._ids))
            self.issues[number].labels.append(name)

    def count(self, method: str, path_re: str = ".*") -> int:
        rx = re.compile(path_re)
        return sum(1 for m, p, _ in self.requests if m == method and rx.fullmatch(p))

    # -- JSON shapes (from the recordings) -------------------------------------

    def _replacements(self, recorded_repo: str) -> list[tuple[str, str]]:
        return [
            ("https://api.github.com:443", self.base_url),
            ("https://api.github.com", self.base_url),
            ("https://github.com", self.root),
            (recorded_repo, self.full_name),
        ]

    def user_json(self, login: str) -> dict:
        body = copy.deepcopy(_USER["body"])
        body = _rewrite(body, self._replacements("jacquev6"))
        old = _USER["body"]["login"]
        body = _rewrite(body, [(f"/{old}", f"/{login}")])
        body["login"] = login
        body["id"] = 1000 + sum(map(ord, login))
        return body

    def label_json(self, label: Label) -> dict:
        body = _rewrite(copy.deepcopy(_LABEL["body"]), self._replacements(_LABEL_REPO))
        body.update(
            id=label.id,
            url=f"{self.base_url}/repos/{self.full_name}/labels/{quote(label.name)}",
            name=label.name,
            color=label.color,
            default=label.default,
            description=label.description,
        )
        return body

    def issue_json(self, issue: Issue) -> dict:
        body = _rewrite(copy.deepcopy(_ISSUE["body"]), self._replacements(_ISSUE_REPO))
        body = _rewrite(body, [(f"/issues/{_ISSUE['body']['number']}", f"/issues/{issue.number}")])
        labels = [self.labels[name.lower()] for name in issue.labels if name.lower() in self.labels]
        assignees = [self.user_json(a) for a in issue.assignees]
        body.update(
            id=1308968600 + issue.number,
            number=issue.number,
            title=issue.title,
            body=issue.body,
            labels=[self.label_json(lb) for lb in labels],
            assignee=assignees[0] if assignees else None,
            assignees=assignees,
            state=issue.state,
            state_reason="completed" if issue.state == "closed" else None,
            created_at=_iso(issue.created),
            updated_at=_iso(issue.updated),
            closed_at=_iso(issue.closed) if issue.closed else None,
            user=self.user_json(self.login),
        )
        if issue.pull_request:
            body["pull_request"] = {
                "url": f"{self.base_url}/repos/{self.full_name}/pulls/{issue.number}",
                "html_url": f"{self.root}/{self.full_name}/pull/{issue.number}",
            }
        return body

    def repo_json(self) -> dict:
        body = _rewrite(copy.deepcopy(_REPO["body"]), self._replacements(_REPO_REPO))
        body = _rewrite(body, [("octokit-fixture-org", self.owner)])
        body.update(name=self.repo, full_name=self.full_name)
        body["owner"]["login"] = self.owner
        return body


class _Handler(BaseHTTPRequestHandler):
    gh: FakeGitHub
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args) -> None:  # quiet test output
        pass

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY each
        # answer waits out the client's delayed ACK (~40 ms).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self) -> str:  # the Server header, as GitHub sends it
        return "GitHub.com"

    # -- plumbing ------------------------------------------------------------

    def _send(self, status: int, body, extra: list[tuple[str, str]] | None = None, raw: str | None = None) -> None:
        gh = self.gh
        data = (raw if raw is not None else json.dumps(body)).encode()
        self.send_response(status)
        for name, value in _COMMON_HEADERS:
            self.send_header(name, value)
        self.send_header("X-RateLimit-Limit", "5000")
        self.send_header("X-RateLimit-Remaining", str(gh.rate_remaining))
        self.send_header("X-RateLimit-Reset", str(int(time.time()) + 3600))
        self.send_header("X-RateLimit-Used", str(5000 - gh.rate_remaining))
        self.send_header("X-RateLimit-Resource", "core")
        self.send_header("X-GitHub-Request-Id", f"0680:6A2A:{len(gh.requests):07X}:26659C5:62D63550")
        for name, value in extra or []:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, body: dict) -> None:
        self._send(status, body)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        gh = self.gh
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        path = unquote(split.path)
        if gh.prefix:
            if not path.startswith(gh.prefix + "/"):
                self._error(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
                return
            path = path[len(gh.prefix) :]
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        with gh.lock:
            gh.requests.append((method, path, payload))
            fault = next((f for f in gh.faults if f.method == method and f.path.fullmatch(path)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    gh.faults.remove(fault)
        if fault is not None and fault.kind not in ("drop_after", "status_after"):
            self._inject(fault)
            return
        auth = self.headers.get("Authorization", "")
        if not auth:
            self._error(401, REQUIRES_AUTH)
            return
        if auth.split(" ", 1)[-1] != gh.token:
            self._error(401, BAD_CREDENTIALS)
            return
        with gh.lock:
            gh.rate_remaining -= 1
            status, body, extra = self._route(method, path, query, payload)
        if fault is not None and fault.kind == "status_after":
            # The work is done, but a proxy in front answers with an error.
            self._send(fault.status, fault.body if fault.body is not None else SERVER_ERROR)
            return
        if fault is not None:  # drop_after: the work is done, the answer never arrives
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self._send(status, body, extra)

    def _inject(self, fault: Fault) -> None:
        if fault.kind == "status":
            self._send(fault.status, fault.body if fault.body is not None else SERVER_ERROR)
        elif fault.kind == "secondary_rate_limit":
            extra = [] if fault.retry_after is None else [("Retry-After", str(fault.retry_after))]
            self._send(403, None, extra, raw=SECONDARY_RATE_LIMIT_RAW)
        elif fault.kind == "primary_rate_limit":
            reset = int(time.time()) + fault.reset_in
            self.send_response(403)
            body = json.dumps(PRIMARY_RATE_LIMIT).encode()
            for name, value in _COMMON_HEADERS:
                self.send_header(name, value)
            self.send_header("X-RateLimit-Limit", "5000")
            self.send_header("X-RateLimit-Remaining", "0")
            self.send_header("X-RateLimit-Reset", str(reset))
            self.send_header("X-RateLimit-Used", "5000")
            self.send_header("X-RateLimit-Resource", "core")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            raise ValueError(fault.kind)

    # -- endpoints -------------------------------------------------------------

    def _route(self, method: str, path: str, query: dict, payload):
        gh = self.gh
        if path == "/user" and method == "GET":
            return 200, gh.user_json(gh.login), []
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if not m or f"{m.group(1)}/{m.group(2)}".lower() != gh.full_name.lower():
            return 404, REPO_NOT_FOUND, []
        rest = m.group(3) or ""
        if rest == "" and method == "GET":
            return 200, gh.repo_json(), []
        if method in ("POST", "PATCH") and not gh.write_access:
            return 403, NOT_ACCESSIBLE, []
        if rest.startswith("/issues"):
            answer = self._route_issues(method, path, rest, query, payload)
        elif rest.startswith("/labels"):
            answer = self._route_labels(method, path, rest, query, payload)
        else:
            answer = None
        return answer or (404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, [])

    def _route_issues(self, method: str, path: str, rest: str, query: dict, payload):
        gh = self.gh
        if rest == "/issues":
            if method == "GET":
                return self._list_issues(path, query)
            if method == "POST":
                return self._create_issue(payload or {})
        m = re.fullmatch(r"/issues/(\d+)", rest)
        if m:
            issue = gh.issues.get(int(m.group(1)))
            if issue is None:
                return 404, {"message": "Not Found",
                             "documentation_url": "https://docs.github.com/rest/issues/issues#get-an-issue",
                             "status": "404"}, []
            if method == "GET":
                return 200, gh.issue_json(issue), []
            if method == "PATCH":
                return self._edit_issue(issue, payload or {})
        m = re.fullmatch(r"/issues/(\d+)/labels", rest)
        if m and method == "POST":
            issue = gh.issues.get(int(m.group(1)))
            if issue is None:
                return 404, REPO_NOT_FOUND, []
            names = (payload or {}).get("labels", [])
            for name in names:
                self._auto_label(name)
                if name.lower() not in {n.lower() for n in issue.labels}:
                    issue.labels.append(name)
            return 200, [gh.label_json(gh.labels[n.lower()]) for n in issue.labels], []
        return None

    def _route_labels(self, method: str, path: str, rest: str, query: dict, payload):
        gh = self.gh
        if rest == "/labels":
            if method == "GET":
                labels = [gh.label_json(lb) for lb in gh.labels.values()]
                return self._page(path, query, labels)
            if method == "POST":
                name = (payload or {}).get("name", "")
                if name.lower() in gh.labels:
                    return 422, LABEL_EXISTS, []
                label = Label(name, (payload or {}).get("color", "ededed"),
                              (payload or {}).get("description"), False, next(gh._ids))
                gh.labels[name.lower()] = label
                loc = f"{gh.base_url}/repos/{gh.full_name}/labels/{quote(name)}"
                return 201, gh.label_json(label), [("Location", loc)]
        m = re.fullmatch(r"/labels/(.+)", rest)
        if m and method == "GET":
            label = gh.labels.get(m.group(1).lower())
            if label is None:
                return 404, {"message": "Not Found",
                             "documentation_url": "https://docs.github.com/rest/issues/labels#get-a-label",
                             "status": "404"}, []
            return 200, gh.label_json(label), []
        return None

    def _auto_label(self, name: str) -> None:
        # GitHub creates unknown labels (grey) when an issue names them.
        gh = self.gh
        if name.lower() not in gh.labels:
            gh.labels[name.lower()] = Label(name, "ededed", None, False, next(gh._ids))

    def _invalid_assignees(self, logins) -> list[str]:
        return [a for a in logins if a.lower() not in self.gh.assignable]

    def _create_issue(self, payload: dict):
        gh = self.gh
        title = payload.get("title")
        if not title:
            return 422, ERRORS['create issue with empty title ""']["body"], []
        assignees = list(payload.get("assignees") or [])
        if payload.get("assignee"):
            assignees.append(payload["assignee"])
        bad = self._invalid_assignees(assignees)
        if bad:
            body = copy.deepcopy(INVALID_ASSIGNEE)
            body["errors"][0]["value"] = assignees
            return 422, body, []
        for name in payload.get("labels") or []:
            self._auto_label(name)
        number = max(gh.issues, default=0) + 1
        issue = Issue(number, title, payload.get("body"), list(payload.get("labels") or []), assignees)
        gh.issues[number] = issue
        loc = f"{gh.base_url}/repos/{gh.full_name}/issues/{number}"
        return 201, gh.issue_json(issue), [("Location", loc)]

    def _edit_issue(self, issue: Issue, payload: dict):
        if "assignees" in payload:
            bad = self._invalid_assignees(payload["assignees"] or [])
            if bad:
                body = copy.deepcopy(INVALID_ASSIGNEE_PATCH)
                body["errors"] = [dict(body["errors"][0], value=b) for b in bad]
                return 422, body, []
            issue.assignees = list(payload["assignees"] or [])
        if "title" in payload:
            issue.title = payload["title"]
        if "body" in payload:
            issue.body = payload["body"]
        if "labels" in payload:
            for name in payload["labels"] or []:
                self._auto_label(name)
            issue.labels = list(payload["labels"] or [])
        if "state" in payload:
            issue.state = payload["state"]
            issue.closed = time.time() if issue.state == "closed" else None
        issue.updated = time.time()
        return 200, self.gh.issue_json(issue), []

    def _list_issues(self, path: str, query: dict):
        gh = self.gh
        state = query.get("state", "open")
        issues = [i for i in gh.issues.values() if state == "all" or i.state == state]
        key = {"created": lambda i: (i.created, i.number), "updated": lambda i: (i.updated, i.number)}.get(
            query.get("sort", "created"), lambda i: (i.created, i.number)
        )
        issues.sort(key=key, reverse=query.get("direction", "desc") == "desc")
        return self._page(path, query, [gh.issue_json(i) for i in issues])

    def _page(self, path: str, query: dict, items: list):
        per_page = max(1, min(100, int(query.get("per_page", 30))))
        page = max(1, int(query.get("page", 1)))
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []

        def url(p: int) -> str:
            q = dict(query, page=str(p))
            return f"{self.gh.base_url}{path}?{urlencode(q)}"

        if page > 1:
            links.append(f'<{url(page - 1)}>; rel="prev"')
        if page < last:
            links.append(f'<{url(page + 1)}>; rel="next"')
            links.append(f'<{url(last)}>; rel="last"')
        if page > 1:
            links.append(f'<{url(1)}>; rel="first"')
        return 200, chunk, [("Link", ", ".join(links))] if links else []
