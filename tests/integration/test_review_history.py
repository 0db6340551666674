"""`pmtui review` without a GitHub token: "recently closed" comes from the
files' git history (an item done now that was not done a week ago), so a
fresh clone, where every file is new on disk, does not call every done
item recent; outside a repository it falls back to the file's time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner

from pmtui import store
from pmtui.cli import main
from pmtui.model import ActionItem, IncidentTimes, PostMortem

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is needed for history")

NOW = datetime.now(UTC).replace(microsecond=0)


def _git(repo, *args, when: datetime | None = None):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _pm(pm_id: str, statuses: list[str]) -> PostMortem:
    start = NOW - timedelta(days=30)
    return PostMortem(id=pm_id, title=f"Incident {pm_id}", times=IncidentTimes(started=start,
                      resolved=start + timedelta(hours=1)),
                      actions=[ActionItem(id=f"AI-{i + 1:03d}", action=f"Add alert {i}", owner="@alice",
                                          deadline=date(2030, 1, 1), priority="high", status=s)
                               for i, s in enumerate(statuses)])


def _save(path, pm):
    path.parent.mkdir(parents=True, exist_ok=True)
    store.save(store.new_document(pm, path))


def _closed(folder) -> tuple[list[tuple[str, str]], str]:
    res = CliRunner().invoke(main, ["review", str(folder), "--no-sync", "--json"], env={"GITHUB_TOKEN": None,
                                                                                          "GH_TOKEN": None})
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    return sorted((i["post_mortem"], i["id"]) for i in out["recently_closed"]), out["recently_closed_means"]


def test_done_this_week_from_git_history_even_in_a_fresh_clone(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    old, recent = repo / "2025" / "old.toml", repo / "2025" / "recent.toml"
    _save(old, _pm("PM-OLD", ["done", "open"]))
    _save(recent, _pm("PM-NEW", ["open", "open", "done"]))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "two post-mortems", when=NOW - timedelta(days=20))

    # This week: AI-001 of PM-NEW is done (committed), AI-002 done too (not committed yet).
    doc = store.load(recent)
    doc.pm.actions[0].status = "done"
    store.save(doc)
    _git(repo, "commit", "-qam", "AI-001 done", when=NOW - timedelta(days=2))
    doc = store.load(recent)
    doc.pm.actions[1].status = "done"
    store.save(doc)
    # A file added this week: its done item is this week's.
    _save(repo / "2025" / "added.toml", _pm("PM-ADD", ["done"]))

    closed, means = _closed(repo)
    assert closed == [("PM-ADD", "AI-001"), ("PM-NEW", "AI-001"), ("PM-NEW", "AI-002")]
    assert means == "items marked done in the last 7 days (git history)"

    # A fresh clone: every file was just written to disk; nothing done long ago counts.
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "the rest", when=NOW - timedelta(days=1))
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    closed, _ = _closed(clone)
    assert ("PM-OLD", "AI-001") not in closed
    assert closed == [("PM-ADD", "AI-001"), ("PM-NEW", "AI-001"), ("PM-NEW", "AI-002")]


def test_outside_a_repository_the_files_time_decides_and_says_so(tmp_path):
    folder = tmp_path / "plain"
    fresh, stale = folder / "fresh.toml", folder / "stale.toml"
    _save(fresh, _pm("PM-FRESH", ["done"]))
    _save(stale, _pm("PM-STALE", ["done"]))
    ten_days = (NOW - timedelta(days=10)).timestamp()
    os.utime(stale, (ten_days, ten_days))
    closed, means = _closed(folder)
    assert closed == [("PM-FRESH", "AI-001")]
    assert means == "done items in files changed in the last 7 days"
