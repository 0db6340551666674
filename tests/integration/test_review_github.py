"""`pmtui review DIR… --post OWNER/REPO` end to end: real files exported to
the loopback GitHub (tests/support_github.py, recorded API shapes) with
the real PyGithub, an issue closed on the server, then the review: the
sync marks the item done in its file, the digest says so, and the digest
is posted as one issue — updated, never duplicated, on the next run."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmtui import store
from pmtui.cli import main
from pmtui.export.issue_text import find_marker
from pmtui.model import ActionItem, Factor, GithubExportSettings, IncidentTimes, PostMortem

TODAY = datetime.now(UTC).date()


@pytest.fixture
def gh(fake_github):
    return fake_github()


def _pm(pm_id: str, gh, start: datetime) -> PostMortem:
    return PostMortem(
        id=pm_id, title=f"Outage {pm_id}", severity="SEV2",
        times=IncidentTimes(start, start + timedelta(minutes=2), start + timedelta(minutes=9),
                            start + timedelta(minutes=30)),
        factors=[Factor("F1", "No alert on queue depth", "monitoring")],
        actions=[ActionItem("AI-001", "Add an alert on queue depth above 1000", owner="@bob",
                            deadline=TODAY - timedelta(days=3), priority="high", factor="F1"),
                 ActionItem("AI-002", "Write the failover runbook", owner="@carol",
                            deadline=TODAY + timedelta(days=10), priority="medium")],
        github=GithubExportSettings(repo="acme/ops", base_url=gh.base_url),
    )


def _env(tmp_path: Path, token: str | None) -> dict:
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    return {"GITHUB_TOKEN": token, "GH_TOKEN": None, "PATH": str(empty)}


def run(args, env):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def library(tmp_path, gh):
    from pmtui.trust import Trust

    # The files name the loopback server; the user trusts it with the token
    # (as `pmtui trust URL --credential github` records).
    Trust.load().remember(gh.base_url, "github")
    folder = tmp_path / "postmortems"
    (folder / "2025").mkdir(parents=True)
    paths = []
    for i, pm_id in enumerate(("PM-ONE", "PM-TWO")):
        path = folder / "2025" / f"{pm_id.lower()}.toml"
        store.save(store.new_document(_pm(pm_id, gh, datetime.now(UTC) - timedelta(days=20 + i)), path))
        res = run(["export", path, "--no-pace"], _env(tmp_path, gh.token))
        assert res.exit_code == 0, res.output
        paths.append(path)
    return folder, paths


def _review_issues(gh) -> list:
    return [i for i in gh.issues.values() if find_marker(i.body) and find_marker(i.body)[0] == "review"]


def test_review_syncs_then_posts_once_and_updates(gh, library, tmp_path):
    folder, paths = library
    one = store.load(paths[0]).pm
    gh.close(one.actions[0].issue)  # someone closed AI-001's issue on GitHub
    env = _env(tmp_path, gh.token)
    lists_before = gh.count("GET", r"/repos/acme/ops/issues")

    res = run(["review", folder, "--post", "acme/ops", "--base-url", gh.base_url, "--no-pace"], env)
    assert res.exit_code == 0, res.output
    assert store.load(paths[0]).pm.actions[0].status == "done"  # synced into the file
    # One listing of the repository for the sync of both files, one for the post.
    assert gh.count("GET", r"/repos/acme/ops/issues") - lists_before == 2
    md = res.stdout
    assert md.startswith("# Post-mortem review, week of ")
    assert "## Recently closed" in md and "| PM-ONE | AI-001 |" in md.split("## Recently closed")[1]
    overdue = md.split("## Overdue")[1].split("## ")[0]
    assert "PM-TWO" in overdue and "PM-ONE" not in overdue  # PM-ONE's late item is done now
    posted = _review_issues(gh)
    assert len(posted) == 1 and "created issue #" in res.stderr
    year, week, _ = TODAY.isocalendar()
    assert find_marker(posted[0].body) == ("review", f"{year}-W{week:02d}")
    assert posted[0].body.startswith(md.rstrip())

    # Nothing changed: the same issue, left as it is.
    res = run(["review", folder, "--post", "acme/ops", "--base-url", gh.base_url, "--no-pace"], env)
    assert res.exit_code == 0 and "unchanged issue #" in res.stderr
    assert len(_review_issues(gh)) == 1

    # AI-002 of PM-TWO closed too: the same issue is updated.
    two = store.load(paths[1]).pm
    gh.close(two.actions[1].issue)
    patches = gh.count("PATCH")
    res = run(["review", folder, "--post", "acme/ops", "--base-url", gh.base_url, "--no-pace", "--json"], env)
    assert res.exit_code == 0 and "updated issue #" in res.stderr
    assert len(_review_issues(gh)) == 1 and gh.count("PATCH") == patches + 1
    data = json.loads(res.stdout)
    closed = {(i["post_mortem"], i["id"]) for i in data["recently_closed"]}
    assert closed == {("PM-ONE", "AI-001"), ("PM-TWO", "AI-002")}
    assert data["recently_closed_means"] == "issues closed on GitHub in the last 7 days"


def test_review_without_a_token_prints_the_digest_unsynced(gh, library, tmp_path):
    folder, paths = library
    gh.close(store.load(paths[0]).pm.actions[0].issue)
    res = run(["review", folder, "--no-pace"], _env(tmp_path, None))
    assert res.exit_code == 1  # the sync could not run: said so, digest printed anyway
    assert "No GitHub token" in res.stderr
    assert store.load(paths[0]).pm.actions[0].status == "open"
    assert "## Overdue" in res.stdout
    res = run(["review", folder, "--post", "acme/ops", "--base-url", gh.base_url], _env(tmp_path, None))
    assert res.exit_code == 2 and "--post needs a GitHub token" in res.stderr and res.stdout == ""


def test_post_with_a_wrong_token_fails_cleanly(gh, library, tmp_path):
    folder, _paths = library
    res = run(["review", folder, "--no-sync", "--post", "acme/ops", "--base-url", gh.base_url, "--no-pace"],
              _env(tmp_path, "ghp_wrong0000000000000000000000000000000"))
    assert res.exit_code == 2 and "rejected the token" in res.stderr and "Traceback" not in res.stderr
    assert _review_issues(gh) == []


def test_digest_files_open_in_the_app_are_not_synced(gh, library, tmp_path):
    folder, paths = library
    gh.close(store.load(paths[0]).pm.actions[0].issue)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pmtui.filesafety.lock import FileLock\n"
         "lock = FileLock(sys.argv[1]); assert lock.acquire(); print('held', flush=True); sys.stdin.read()",
         str(paths[0])], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        res = run(["review", folder, "--no-pace"], _env(tmp_path, gh.token))
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert res.exit_code == 1 and "open in pmtui; not synced" in res.stderr
    assert store.load(paths[0]).pm.actions[0].status == "open"


def test_a_server_the_user_never_trusted_gets_no_token(fake_github, tmp_path):
    other = fake_github()
    folder = tmp_path / "pms"
    folder.mkdir()
    pm = _pm("PM-X", other, datetime.now(UTC) - timedelta(days=3))
    pm.actions[0].issue, pm.actions[0].tracker = 1, f"{other.root}/acme/ops/issues/1"
    store.save(store.new_document(pm, folder / "x.toml"))
    res = run(["review", folder, "--no-pace"], _env(tmp_path, other.token))
    assert res.exit_code == 1 and "not trusted with the GitHub token" in res.stderr
    assert other.requests == []  # not one request: the token never left
