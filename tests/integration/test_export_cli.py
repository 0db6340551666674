"""`pmtui export` end to end: real files, the loopback GitHub, the real
PyGithub; token lookup through the environment and a `gh` on PATH."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmtui import store
from pmtui.cli import main
from pmtui.export.token import find_token, gh_hostname


@pytest.fixture
def gh(fake_github):
    return fake_github()


@pytest.fixture
def pm_file(tmp_path: Path, make_pm) -> Path:
    path = tmp_path / "outage.toml"
    store.save(store.new_document(make_pm(), path))
    return path


def no_gh_path(tmp_path: Path) -> str:
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    return str(empty)


def run(args, *, token, tmp_path, path=None):
    env = {"GITHUB_TOKEN": token, "GH_TOKEN": None, "PATH": path or no_gh_path(tmp_path)}
    return CliRunner().invoke(main, ["export", *args], env=env, catch_exceptions=False)


def test_dry_run_json_changes_nothing(gh, pm_file, tmp_path):
    before = pm_file.read_text()
    res = run([str(pm_file), "--base-url", gh.base_url, "--dry-run", "--json", "--no-pace"],
              token=gh.token, tmp_path=tmp_path)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["dry_run"] is True
    assert [(i["item"], i["action"]) for i in out["plan"]["items"]] == [("AI-001", "create"), ("AI-002", "create")]
    assert out["plan"]["items"][0]["assignee"] == "bob"
    assert out["plan"]["missing_labels"] == ["post-mortem", "priority: high", "priority: medium"]
    assert gh.count("POST") == 0 and gh.count("PATCH") == 0
    assert pm_file.read_text() == before


def test_dry_run_text(gh, pm_file, tmp_path):
    res = run([str(pm_file), "--base-url", gh.base_url, "--dry-run", "--no-pace"], token=gh.token, tmp_path=tmp_path)
    assert res.exit_code == 0
    assert "AI-001   create" in res.stdout
    assert "title: AI-001: Add an alert on queue depth" in res.stdout
    assert "2 to create" in res.stdout


def test_export_saves_links_and_rerun_creates_nothing(gh, pm_file, tmp_path):
    args = [str(pm_file), "--base-url", gh.base_url, "--json", "--no-pace"]
    res = run(args, token=gh.token, tmp_path=tmp_path)
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert [i["status"] for i in out["result"]["items"]] == ["created", "created"]
    saved = store.load(pm_file).pm
    assert [(a.issue, a.tracker) for a in saved.actions] == [
        (1, f"{gh.root}/acme/ops/issues/1"), (2, f"{gh.root}/acme/ops/issues/2")]
    assert "issue = 1" in pm_file.read_text()
    res = run(args, token=gh.token, tmp_path=tmp_path)
    assert res.exit_code == 0
    assert json.loads(res.stdout)["result"]["counts"]["unchanged"] == 2
    assert len(gh.issues) == 2


def test_missing_token_says_where_to_put_one_once(pm_file, tmp_path):
    res = run([str(pm_file)], token=None, tmp_path=tmp_path)
    assert res.exit_code == 2
    assert "GITHUB_TOKEN" in res.stderr and "gh auth login" in res.stderr
    # Said once: the message and its hint do not repeat each other.
    assert res.stderr.lower().count("no github token") == 1, res.stderr
    res = run([str(pm_file), "--json"], token=None, tmp_path=tmp_path)
    assert res.exit_code == 2 and json.loads(res.stdout)["error"]["kind"] == "token"


def test_dry_run_without_token_plans_from_the_file(pm_file, tmp_path):
    res = run([str(pm_file), "--dry-run"], token=None, tmp_path=tmp_path)
    assert res.exit_code == 0, res.output
    assert "Not checked against GitHub: no GitHub token" in res.stdout
    assert "AI-001   create" in res.stdout and "title: AI-001: Add an alert on queue depth" in res.stdout
    assert "2 to create (not checked against GitHub)" in res.stdout
    res = run([str(pm_file), "--dry-run", "--json"], token=None, tmp_path=tmp_path)
    plan = json.loads(res.stdout)["plan"]
    assert res.exit_code == 0 and plan["checked"] is False and "no GitHub token" in plan["unchecked_because"]
    assert [(i["item"], i["action"]) for i in plan["items"]] == [("AI-001", "create"), ("AI-002", "create")]


def test_dry_run_offline_says_so_at_once(pm_file, tmp_path, closed_port):
    import time

    started = time.monotonic()
    res = run([str(pm_file), "--dry-run", "--base-url", f"http://127.0.0.1:{closed_port}/api/v3"],
              token="ghp_dummy0123456789", tmp_path=tmp_path)
    took = time.monotonic() - started
    assert res.exit_code == 1, res.output
    assert "could not reach" in res.stderr.lower() and "connection refused" in res.stderr
    assert "Not checked against GitHub: GitHub could not be reached" in res.stdout
    assert "Retrying" not in res.stderr
    assert took < 3, f"offline dry run took {took:.1f} s"


def test_bad_token_exit_2_and_never_shown(gh, pm_file, tmp_path):
    secret = "ghp_SECRETSECRETSECRETSECRET0123456789"
    res = run([str(pm_file), "--base-url", gh.base_url, "--no-pace"], token=secret, tmp_path=tmp_path)
    assert res.exit_code == 2
    assert "401" in res.stderr and "GITHUB_TOKEN" in res.stderr
    assert secret not in res.output and secret not in pm_file.read_text()


def test_missing_repository_setting(gh, tmp_path, make_pm):
    pm = make_pm()
    pm.github.repo = ""
    path = tmp_path / "norepo.toml"
    store.save(store.new_document(pm, path))
    res = run([str(path), "--base-url", gh.base_url], token=gh.token, tmp_path=tmp_path)
    assert res.exit_code == 2
    assert "No GitHub repository" in res.stderr and "--repo" in res.stderr


def test_unreadable_file_exit_2(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("title = \n")
    res = run([str(path)], token="x", tmp_path=tmp_path)
    assert res.exit_code == 2
    assert "broken.toml" in res.stderr


def test_rate_limit_stop_exit_1_and_file_keeps_what_was_done(gh, pm_file, tmp_path):
    # The first create meets a wait far beyond --max-wait: stop, nothing linked.
    gh.fault("POST", "/repos/acme/ops/issues", "secondary_rate_limit", retry_after=600)
    res = run([str(pm_file), "--base-url", gh.base_url, "--max-wait", "1", "--no-pace"],
              token=gh.token, tmp_path=tmp_path)
    assert res.exit_code == 1
    assert "600 s" in res.stderr and "not done" in res.stdout
    assert all(a.issue is None for a in store.load(pm_file).pm.actions)


def test_sync_marks_closed_item_done(gh, pm_file, tmp_path):
    base = [str(pm_file), "--base-url", gh.base_url, "--no-pace"]
    assert run(base, token=gh.token, tmp_path=tmp_path).exit_code == 0
    gh.close(1)
    res = run([*base, "--sync", "--dry-run", "--json"], token=gh.token, tmp_path=tmp_path)
    assert json.loads(res.stdout)["changes"] == [
        {"item": "AI-001", "field": "status", "old": "open", "new": "done", "why": "#1 is closed"}]
    assert store.load(pm_file).pm.actions[0].status == "open"
    res = run([*base, "--sync"], token=gh.token, tmp_path=tmp_path)
    assert res.exit_code == 0 and "1 changed" in res.stdout
    assert store.load(pm_file).pm.actions[0].status == "done"


def test_refuses_to_write_a_file_open_in_the_app(gh, pm_file, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from pmtui.filesafety.lock import FileLock; print(FileLock(sys.argv[1]).acquire(), flush=True); "
         "sys.stdin.read()", str(pm_file)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "True"
        res = run([str(pm_file), "--base-url", gh.base_url, "--no-pace"], token=gh.token, tmp_path=tmp_path)
        assert res.exit_code == 2
        assert "is open in pmtui" in res.stderr and f"pid {holder.pid}" in res.stderr
        assert gh.count("POST") == 0
        res = run([str(pm_file), "--base-url", gh.base_url, "--no-pace", "--dry-run"], token=gh.token,
                  tmp_path=tmp_path)
        assert res.exit_code == 0
    finally:
        holder.stdin.close()
        holder.wait(10)
    res = run([str(pm_file), "--base-url", gh.base_url, "--no-pace"], token=gh.token, tmp_path=tmp_path)
    assert res.exit_code == 0 and len(gh.issues) == 2


def test_token_from_gh_with_enterprise_hostname(tmp_path, fake_github, make_pm):
    ghe = fake_github(prefix="/api/v3")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    args_log = tmp_path / "gh-args"
    script = bindir / "gh"
    script.write_text(f"#!/bin/sh\necho \"$@\" > {args_log}\necho {ghe.token}\n")
    script.chmod(0o755)
    pm = make_pm()
    path = tmp_path / "ghe.toml"
    pm.github.base_url = ghe.base_url
    store.save(store.new_document(pm, path))
    # The file names the server: refused (no token looked up, no request
    # made) until the user trusts it; then the token goes there.
    res = run([str(path), "--dry-run", "--json", "--no-pace"], token=None, tmp_path=tmp_path, path=str(bindir))
    assert res.exit_code == 2 and "not trusted with the GitHub token" in res.stderr
    assert not args_log.exists() and ghe.requests == []
    from pmtui.trust import Trust

    Trust.load().remember(ghe.base_url, "github")
    res = run([str(path), "--dry-run", "--json", "--no-pace"], token=None, tmp_path=tmp_path, path=str(bindir))
    assert res.exit_code == 0, res.stderr
    assert args_log.read_text().split() == ["auth", "token", "--hostname", "127.0.0.1"]
    assert json.loads(res.stdout)["plan"]["base_url"] == ghe.base_url


def test_token_lookup_order_and_failures(tmp_path):
    assert find_token(env={"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}).source == "GITHUB_TOKEN"
    assert find_token(env={"GITHUB_TOKEN": " ", "GH_TOKEN": "b"}).reveal() == "b"
    assert find_token(env={"PATH": no_gh_path(tmp_path)}) is None  # no gh at all
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "gh").write_text("#!/bin/sh\necho 'not logged in' >&2\nexit 1\n")
    (bindir / "gh").chmod(0o755)
    assert find_token(env={"PATH": str(bindir)}) is None
    (bindir / "gh").write_text("#!/bin/sh\nsleep 5\n")
    assert find_token(env={"PATH": str(bindir)}, timeout=0.3) is None
    tok = find_token(env={"GITHUB_TOKEN": "ghp_abc"})
    assert "ghp_abc" not in repr(tok) and "ghp_abc" not in str(tok)
    assert tok.scrub("x ghp_abc y") == "x \u00abredacted:token\u00bb y"
    assert gh_hostname("https://api.github.com") is None
    assert gh_hostname("https://ghe.example.com/api/v3") == "ghe.example.com"


def test_importing_export_loads_no_pygithub():
    # Textual is kept out by the import contracts (pyproject); this is start-up cost.
    code = (
        "import sys, pmtui.export, pmtui.cli.export, pmtui.export.github, pmtui.export.plan;"
        "bad = [m for m in ('github', 'requests') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_command_line_process(gh, pm_file, tmp_path):
    env = dict(os.environ, GITHUB_TOKEN=gh.token, PATH=no_gh_path(tmp_path) + os.pathsep + os.environ["PATH"])
    env.pop("GH_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "pmtui", "export", str(pm_file), "--base-url", gh.base_url, "--dry-run", "--json",
         "--no-pace"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["plan"]["counts"]["create"] == 2
