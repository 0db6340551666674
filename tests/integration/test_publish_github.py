"""`pmtui publish` end to end: the real PyGithub against the loopback
GitHub (support_github_pulls: refs, contents, pulls in GitHub's shapes):
a pull request created, then updated by a second run; a create whose
answer is lost; GitHub's 422 when the branch exists; --issue; a dry run
with no token; the file records where and when it was shared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmtui import store
from pmtui.cli import main
from pmtui.examples import example_path


@pytest.fixture
def gh(fake_github_pulls):
    return fake_github_pulls


@pytest.fixture
def pm_file(tmp_path: Path) -> Path:
    path = tmp_path / "api.toml"
    path.write_bytes(example_path().read_bytes())
    return path


def run(gh, *args, token=None, env=None):
    environ = {"GITHUB_TOKEN": token if token is not None else gh.token, "GH_TOKEN": None, "PATH": "/nonexistent",
               "PMTUI_NOW": "2025-02-10T16:00:00Z", "PMTUI_GITHUB_API_URL": gh.base_url, **(env or {})}
    return CliRunner().invoke(main, ["publish", *map(str, args), "--no-pace"], env=environ, catch_exceptions=False)


def _file(gh, path: str, branch: str = "postmortem/PM-2025-02-09-api") -> str:
    return gh.files[(branch, path)].decode()


def test_creates_the_branch_files_and_pull_request_then_updates_them(gh, pm_file):
    res = run(gh, pm_file, "--repo", "acme/postmortems", "--toml", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)["result"]
    assert (out["kind"], out["action"], out["branch"]) == ("pull-request", "created", "created")
    assert [(f["path"], f["action"]) for f in out["files"]] == [
        ("postmortems/PM-2025-02-09-api.md", "created"), ("postmortems/PM-2025-02-09-api.toml", "created")]
    pr = gh.pulls[out["number"]]
    assert (pr.head, pr.base, pr.state) == ("postmortem/PM-2025-02-09-api", "main", "open")
    assert pr.title == "Post-mortem: API Service Degradation (PM-2025-02-09-api)"
    assert "<!-- pmtui:publish PM-2025-02-09-api -->" in pr.body
    report = _file(gh, "postmortems/PM-2025-02-09-api.md")
    assert report.startswith("# Post-Mortem: API Service Degradation")
    assert "api.toml" not in report and "ghp_" not in report
    # The file records where and when
    pm = store.load(pm_file).pm
    assert [(s.via, s.url) for s in pm.shares] == [("pull-request", out["url"])]
    assert pm.status == "published" and pm.shared.isoformat() == "2025-02-10T15:30:00+00:00"  # first share kept

    # Second run, nothing changed: same pull request, nothing written on GitHub
    puts = gh.count("PUT")
    again = json.loads(run(gh, pm_file, "--repo", "acme/postmortems", "--toml", "--json").stdout)["result"]
    assert (again["number"], again["action"], again["branch"]) == (out["number"], "unchanged", "existed")
    assert len(gh.pulls) == 1
    # The TOML itself changed (the share's time), so only it is rewritten
    assert gh.count("PUT") == puts + 1 and [f["action"] for f in again["files"]] == ["unchanged", "updated"]

    # The post-mortem changes: the same pull request and files are updated
    text = pm_file.read_text().replace('title = "API Service Degradation"', 'title = "API Service Degradation (v2)"')
    pm_file.write_text(text)
    third = json.loads(run(gh, pm_file, "--repo", "acme/postmortems", "--json").stdout)["result"]
    assert (third["number"], third["action"]) == (out["number"], "updated")
    assert gh.pulls[out["number"]].title.startswith("Post-mortem: API Service Degradation (v2)")
    assert "(v2)" in _file(gh, "postmortems/PM-2025-02-09-api.md")
    assert len(gh.pulls) == 1 and len(store.load(pm_file).pm.shares) == 1


def test_lost_answers_never_create_twice(gh, pm_file):
    gh.fault("POST", r"/repos/acme/postmortems/git/refs", "drop_after")
    gh.fault("PUT", r"/repos/acme/postmortems/contents/.*", "drop_after")
    gh.fault("POST", r"/repos/acme/postmortems/pulls", "drop_after")
    res = run(gh, pm_file, "--repo", "acme/postmortems", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)["result"]
    assert out["action"] == "created" and out["branch"] == "created"
    assert len(gh.pulls) == 1 and gh.count("POST", r".*/pulls") == 1 and gh.count("POST", r".*/git/refs") == 1
    assert gh.count("PUT") == 1  # looked up, not sent again
    assert store.load(pm_file).pm.shares[0].url == out["url"]


def test_a_502_after_the_work_is_done(gh, pm_file):
    gh.fault("POST", r"/repos/acme/postmortems/pulls", "status_after", status=502)
    out = json.loads(run(gh, pm_file, "--repo", "acme/postmortems", "--json").stdout)["result"]
    assert out["action"] == "created" and len(gh.pulls) == 1


def test_branch_that_exists_is_used_after_githubs_422(gh, pm_file):
    # The branch appears between the lookup and the create (a teammate, a
    # concurrent run): GitHub answers 422 "Reference already exists".
    gh.fault("GET", r"/repos/acme/postmortems/git/ref/heads/postmortem/.*", "status", status=404,
             body={"message": "Not Found", "documentation_url": "https://docs.github.com/rest/git/refs#get-a-reference",
                   "status": "404"})
    gh.refs["postmortem/PM-2025-02-09-api"] = gh.refs["main"]
    res = run(gh, pm_file, "--repo", "acme/postmortems", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)["result"]
    assert out["branch"] == "existed" and out["action"] == "created"
    posts = [p for m, path, p in gh.requests if m == "POST" and path.endswith("/git/refs")]
    assert len(posts) == 1  # the 422 was answered once and taken for "it is there"


def test_pull_request_that_exists_is_updated_after_githubs_422(gh, pm_file):
    run(gh, pm_file, "--repo", "acme/postmortems")
    number = next(iter(gh.pulls))
    # The list misses it once (replica lag): the create gets 422 "already exists".
    gh.fault("GET", r"/repos/acme/postmortems/pulls", "status", status=200, body=[])
    pm_file.write_text(pm_file.read_text().replace('severity = "P1"', 'severity = "P2"'))
    out = json.loads(run(gh, pm_file, "--repo", "acme/postmortems", "--json").stdout)["result"]
    assert (out["number"], out["action"]) == (number, "updated") and len(gh.pulls) == 1


def test_as_an_issue_once(gh, pm_file):
    first = json.loads(run(gh, pm_file, "--repo", "acme/postmortems", "--issue", "--json").stdout)["result"]
    assert first["kind"] == "issue" and first["action"] == "created"
    issue = gh.issues[first["number"]]
    assert "## Timeline (all times UTC)" in issue.body and "<!-- pmtui:publish PM-2025-02-09-api -->" in issue.body
    second = json.loads(run(gh, pm_file, "--repo", "acme/postmortems", "--issue", "--json").stdout)["result"]
    assert second["number"] == first["number"] and len([i for i in gh.issues.values() if not i.pull_request]) == 1


def test_dry_run_needs_no_token_and_changes_nothing(gh, pm_file):
    before = pm_file.read_bytes()
    res = run(gh, pm_file, "--repo", "acme/postmortems", "--dry-run", token="")
    assert res.exit_code == 0, res.output
    assert "pull request postmortem/PM-2025-02-09-api -> (default branch)" in res.stdout
    assert "file:  postmortems/PM-2025-02-09-api.md" in res.stdout
    assert gh.requests == [] and pm_file.read_bytes() == before


def test_publishing_before_sign_off_asks(gh, pm_file):
    text = pm_file.read_text().replace('who = "@frank"', 'who = "@someone-else"')
    pm_file.write_text(text)
    res = run(gh, pm_file, "--repo", "acme/postmortems")
    assert res.exit_code == 2 and "Not approved yet by @frank" in res.stderr and "--yes" in res.stderr
    assert gh.pulls == {}
    ok = run(gh, pm_file, "--repo", "acme/postmortems", "--yes")
    assert ok.exit_code == 0 and len(gh.pulls) == 1


def test_the_api_address_never_comes_from_shared_files(gh, pm_file, tmp_path):
    (tmp_path / ".pmtui.toml").write_text('[publish]\nrepo = "acme/postmortems"\nbase_url = "http://127.0.0.1:9"\n')
    pm_file.write_text(pm_file.read_text().replace('repo = "example/api-service"', 'repo = "example/api-service"\n'
                                                   'base_url = "http://127.0.0.1:9"'))
    res = run(gh, pm_file, "--json")
    assert res.exit_code == 0, res.output
    assert "publish.base_url: not allowed in a shared .pmtui.toml" in res.stderr
    assert json.loads(res.stdout)["result"]["action"] == "created"  # sent to the user's API, not port 9


def test_bad_token_is_a_clear_error(gh, pm_file):
    res = run(gh, pm_file, "--repo", "acme/postmortems", token="ghp_wrong")
    assert res.exit_code == 2 and "rejected the token" in res.stderr and "Traceback" not in res.stderr
    assert gh.pulls == {}
