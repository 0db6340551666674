"""The loopback GitHub of support_github, extended with what a publish flow
uses: git references (branches), repository contents and pull requests.

Bodies are built from real recorded answers (tests/data/github/
pygithub_git_pulls_recorded.json: PyGithub's ReplayData, recorded against
api.github.com; each entry names its recording) with the fields GitHub's
REST OpenAPI schemas give them today (git-ref: ref, node_id, url,
object{type, sha, url}; content-file: type, encoding, size, name, path,
content, sha, url, git_url, html_url, download_url, _links; file-commit:
content + commit; pull-request: url, id, node_id, html_url, number, state,
title, body, user, head/base{label, ref, sha, user, repo}, draft, merged).
Error bodies are GitHub's own words, from its REST docs' examples:
422 "Reference already exists" (POST /git/refs, docs.github.com/rest/git/
refs#create-a-reference), 422 "A pull request already exists for
OWNER:BRANCH." (POST /pulls, docs.github.com/rest/pulls/pulls#create-a-
pull-request), 422 '"sha" wasn't supplied.' and 409 "... does not match
..." (PUT /contents, docs.github.com/rest/repos/contents#create-or-update-
file-contents).

A subclass rather than an edit of support.github, so the two evolve apart;
tests reach it through the fake_github_pulls fixture.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from support.github import NOT_ACCESSIBLE, FakeGitHub, Issue, _Handler, _iso, _rewrite

RECORDED = json.loads(
    (Path(__file__).resolve().parent.parent / "data" / "github" / "pygithub_git_pulls_recorded.json").read_text())

REF_EXISTS = {"message": "Reference already exists",
              "documentation_url": "https://docs.github.com/rest/git/refs#create-a-reference", "status": "422"}
SHA_MISSING = {"message": "Invalid request.\n\n\"sha\" wasn't supplied.",
               "documentation_url": "https://docs.github.com/rest/repos/contents#create-or-update-file-contents",
               "status": "422"}
CONTENTS_DOCS = "https://docs.github.com/rest/repos/contents#get-repository-content"


def _sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's blob id


@dataclass
class Pull:
    number: int
    title: str
    body: str
    head: str
    base: str
    state: str = "open"
    created: float = 0.0
    updated: float = 0.0


class PullsGitHub(FakeGitHub):
    """FakeGitHub plus branches, files per branch and pull requests."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.default_branch = "main"
        first = hashlib.sha1(b"initial commit").hexdigest()
        self.refs: dict[str, str] = {"main": first}
        self.files: dict[tuple[str, str], bytes] = {}
        self.pulls: dict[int, Pull] = {}
        self.commits = 0

    def start(self) -> PullsGitHub:
        import threading
        from http.server import ThreadingHTTPServer

        handler = type("Handler", (_PullsHandler,), {"gh": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __enter__(self) -> PullsGitHub:
        return self.start()

    # -- shapes ------------------------------------------------------------------------------

    def _repl(self) -> list[tuple[str, str]]:
        return [("https://api.github.com", self.base_url), ("https://github.com", self.root),
                ("https://raw.githubusercontent.com", self.root + "/raw"), ("PyGithub/PyGithub", self.full_name),
                ("BeaverSoftware/PyGithub", self.full_name)]

    def ref_json(self, branch: str) -> dict:
        sha = self.refs[branch]
        body = _rewrite(copy.deepcopy(RECORDED["get_git_ref"]["body"]), self._repl())
        body.update(ref=f"refs/heads/{branch}", node_id=f"MDM6UmVm{abs(hash(branch)) % 10**9}",
                    url=f"{self.base_url}/repos/{self.full_name}/git/refs/heads/{branch}")
        commit = f"{self.base_url}/repos/{self.full_name}/git/commits/{sha}"
        body["object"] = {"type": "commit", "sha": sha, "url": commit}
        return body

    def content_json(self, branch: str, path: str, *, with_content: bool = True) -> dict:
        data = self.files[(branch, path)]
        sha = _sha(data)
        body = _rewrite(copy.deepcopy(RECORDED["get_contents"]["body"]), self._repl())
        api = f"{self.base_url}/repos/{self.full_name}/contents/{path}?ref={branch}"
        body.update(type="file", encoding="base64", size=len(data), name=path.rsplit("/", 1)[-1], path=path, sha=sha,
                    url=api, git_url=f"{self.base_url}/repos/{self.full_name}/git/blobs/{sha}",
                    html_url=f"{self.root}/{self.full_name}/blob/{branch}/{path}",
                    download_url=f"{self.root}/raw/{self.full_name}/{branch}/{path}",
                    _links={"self": api, "git": f"{self.base_url}/repos/{self.full_name}/git/blobs/{sha}",
                            "html": f"{self.root}/{self.full_name}/blob/{branch}/{path}"})
        if with_content:
            raw = base64.b64encode(data).decode()
            body["content"] = "\n".join(raw[i:i + 60] for i in range(0, len(raw), 60)) + "\n"
        else:
            body.pop("content", None)
            body.pop("encoding", None)
        return body

    def commit_json(self, branch: str, path: str, message: str) -> dict:
        recorded = RECORDED["create_file"]["body"]
        body = _rewrite(copy.deepcopy(recorded), self._repl())
        body["content"] = self.content_json(branch, path, with_content=False)
        sha = self.refs[branch]
        body["commit"].update(sha=sha, message=message, url=f"{self.base_url}/repos/{self.full_name}/git/commits/{sha}",
                              html_url=f"{self.root}/{self.full_name}/commit/{sha}")
        return body

    def pull_json(self, pr: Pull) -> dict:
        body = _rewrite(copy.deepcopy(RECORDED["create_pull"]["body"]), self._repl())
        api = f"{self.base_url}/repos/{self.full_name}/pulls/{pr.number}"
        html = f"{self.root}/{self.full_name}/pull/{pr.number}"
        body.update(url=api, html_url=html, id=1_000_000 + pr.number, node_id=f"PR_kw{pr.number:08d}",
                    number=pr.number, state=pr.state, title=pr.title, body=pr.body, draft=False, merged=False,
                    created_at=_iso(pr.created), updated_at=_iso(pr.updated), closed_at=None, merged_at=None,
                    issue_url=f"{self.base_url}/repos/{self.full_name}/issues/{pr.number}",
                    diff_url=html + ".diff", patch_url=html + ".patch", user=self.user_json(self.login))
        for side, branch in (("head", pr.head), ("base", pr.base)):
            part = body[side]
            part.update(ref=branch, label=f"{self.owner}:{branch}", sha=self.refs.get(branch, ""),
                        user=self.user_json(self.owner), repo=self.repo_json())
        body["_links"] = {"self": {"href": api}, "html": {"href": html}}
        return body


class _PullsHandler(_Handler):
    gh: PullsGitHub

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def _route(self, method: str, path: str, query: dict, payload):
        gh = self.gh
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)?", path)
        if m and f"{m.group(1)}/{m.group(2)}".lower() == gh.full_name.lower():
            rest = m.group(3) or ""
            if method in ("POST", "PATCH", "PUT") and not gh.write_access:
                return 403, NOT_ACCESSIBLE, []
            routed = self._git(method, rest, query, payload or {})
            if routed is not None:
                return routed
        status, body, extra = super()._route(method, path, query, payload)
        if method == "GET" and rest_is_repo(path, gh) and status == 200:
            body["default_branch"] = gh.default_branch
        return status, body, extra

    def _git(self, method: str, rest: str, query: dict, payload: dict):
        refs = self._refs(method, rest, payload)
        if refs is not None:
            return refs
        return self._rest(method, rest, query, payload)

    def _refs(self, method: str, rest: str, payload: dict):
        gh = self.gh
        m = re.fullmatch(r"/git/ref/heads/(.+)", rest)
        if m and method == "GET":
            branch = m.group(1)
            if branch not in gh.refs:
                return 404, {"message": "Not Found", "documentation_url":
                             "https://docs.github.com/rest/git/refs#get-a-reference", "status": "404"}, []
            return 200, gh.ref_json(branch), []
        if rest == "/git/refs" and method == "POST":
            ref = payload.get("ref", "")
            if not ref.startswith("refs/heads/"):
                return 422, {"message": "Reference name must start with 'refs/'.", "status": "422"}, []
            branch = ref.removeprefix("refs/heads/")
            if branch in gh.refs:
                return 422, REF_EXISTS, []
            gh.refs[branch] = payload.get("sha", "")
            loc = f"{gh.base_url}/repos/{gh.full_name}/git/refs/heads/{branch}"
            return 201, gh.ref_json(branch), [("Location", loc)]
        return None

    def _rest(self, method: str, rest: str, query: dict, payload: dict):
        gh = self.gh
        m = re.fullmatch(r"/contents/(.+)", rest)
        if m:
            return self._contents(method, m.group(1), query, payload)
        if rest == "/pulls":
            if method == "GET":
                return self._list_pulls(query)
            if method == "POST":
                return self._create_pull(payload)
        m = re.fullmatch(r"/pulls/(\d+)", rest)
        if m:
            pr = gh.pulls.get(int(m.group(1)))
            if pr is None:
                return 404, {"message": "Not Found", "status": "404"}, []
            if method == "GET":
                return 200, gh.pull_json(pr), []
            if method == "PATCH":
                for key in ("title", "body", "state"):
                    if key in payload:
                        setattr(pr, key, payload[key])
                pr.updated = time.time()
                gh.issues[pr.number].title = pr.title
                gh.issues[pr.number].body = pr.body
                return 200, gh.pull_json(pr), []
        return None

    def _contents(self, method: str, path: str, query: dict, payload: dict):
        gh = self.gh
        if method == "GET":
            branch = query.get("ref", gh.default_branch).removeprefix("refs/heads/")
            if (branch, path) not in gh.files:
                return 404, {"message": "Not Found", "documentation_url": CONTENTS_DOCS, "status": "404"}, []
            return 200, gh.content_json(branch, path), []
        if method != "PUT":
            return None
        branch = payload.get("branch") or gh.default_branch
        if branch not in gh.refs:
            return 404, {"message": f"Branch {branch} not found", "status": "404"}, []
        exists = (branch, path) in gh.files
        if exists and "sha" not in payload:
            return 422, SHA_MISSING, []
        if exists and payload["sha"] != _sha(gh.files[(branch, path)]):
            return 409, {"message": f"{path} does not match {payload['sha']}", "documentation_url":
                         "https://docs.github.com/rest/repos/contents#create-or-update-file-contents",
                         "status": "409"}, []
        gh.files[(branch, path)] = base64.b64decode(payload.get("content", ""))
        gh.commits += 1
        gh.refs[branch] = hashlib.sha1(f"commit {gh.commits}".encode()).hexdigest()
        return (200 if exists else 201), gh.commit_json(branch, path, payload.get("message", "")), []

    def _list_pulls(self, query: dict):
        gh = self.gh
        state = query.get("state", "open")
        head = query.get("head", "")
        base = query.get("base", "")
        found = [p for p in gh.pulls.values() if (state == "all" or p.state == state)
                 and (not head or f"{gh.owner}:{p.head}" == head) and (not base or p.base == base)]
        return self._page(f"/repos/{gh.full_name}/pulls", query, [gh.pull_json(p) for p in found])

    def _create_pull(self, payload: dict):
        gh = self.gh
        head, base = payload.get("head", ""), payload.get("base", "")
        head_branch = head.split(":", 1)[-1]
        if head_branch not in gh.refs or base not in gh.refs:
            return 422, {"message": "Validation Failed", "errors": [
                {"resource": "PullRequest", "field": "head" if head_branch not in gh.refs else "base",
                 "code": "invalid"}],
                "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
                "status": "422"}, []
        if any(p.head == head_branch and p.base == base and p.state == "open" for p in gh.pulls.values()):
            return 422, {"message": "Validation Failed", "errors": [
                {"resource": "PullRequest", "code": "custom",
                 "message": f"A pull request already exists for {gh.owner}:{head_branch}."}],
                "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
                "status": "422"}, []
        number = max(gh.issues, default=0) + 1
        now = time.time()
        pr = Pull(number, payload.get("title", ""), payload.get("body") or "", head_branch, base, "open", now, now)
        gh.pulls[number] = pr
        gh.issues[number] = Issue(number, pr.title, pr.body, [], [], pull_request=True)
        return 201, gh.pull_json(pr), [("Location", f"{gh.base_url}/repos/{gh.full_name}/pulls/{number}")]


def rest_is_repo(path: str, gh: FakeGitHub) -> bool:
    return path.lower() == f"/repos/{gh.full_name}".lower()
