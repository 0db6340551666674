"""`pmtui ls | actions | search | stats | check DIR…` on real folders of
generated post-mortems, with broken and newer-schema files among them:
tables, JSON, exit statuses, and text from files shown inert."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmtui import model as m
from pmtui import store
from pmtui.cli import main
from pmtui.sample_library import add_bad_files, make_library

AS_OF = ("--as-of", "2025-06-01")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    root = tmp_path_factory.mktemp("postmortems")
    make_library(root, 30, events=(50, 70), per_folder=12)
    add_bad_files(root)
    return root


@pytest.fixture
def clean_lib(tmp_path):
    make_library(tmp_path, 4, events=(50, 50))
    return tmp_path


def test_ls_lists_rows_and_unreadable_files(lib):
    res = run("ls", lib, *AS_OF)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "DATE", "SEV", "STATUS"]
    body = [ln for ln in lines[1:] if ln.startswith("PM-")]
    assert len(body) == 30
    dates = [ln.split()[1] for ln in body]
    assert dates == sorted(dates, reverse=True)  # newest first
    assert any("bad/broken.toml: cannot be read: 5:11: times.started" in ln for ln in lines)
    assert any("bad/newer.toml: written by a newer pmtui" in ln for ln in lines)
    assert "30 of 33 post-mortems shown, 3 cannot be read" in res.stdout


def test_ls_json_filters_and_sorts(lib):
    data = json.loads(run("ls", lib, "--json", "--severity", "SEV3", "--sort", "overdue", *AS_OF).stdout)
    rows = data["post_mortems"]
    assert rows and all(r["severity"] == "SEV3" for r in rows)
    assert [r["overdue_actions"] for r in rows] == sorted((r["overdue_actions"] for r in rows), reverse=True)
    assert {"file", "id", "ttd_s", "ttr_s", "open_actions", "checks", "related"} <= set(rows[0])
    assert {u["state"] for u in data["unreadable"]} == {"broken", "newer"}
    since = json.loads(run("ls", lib, "--json", "--since", "2025-01-01", "--until", "2025-03-31").stdout)
    assert all("2025-01-01" <= r["date"] <= "2025-03-31" for r in since["post_mortems"])


def test_several_folders_at_once_and_a_missing_one(lib, clean_lib):
    data = json.loads(run("ls", lib, clean_lib, "--json").stdout)
    assert len(data["post_mortems"]) == 34
    res = run("ls", lib / "nope")
    assert res.exit_code == 2 and "no such file or folder" in res.stderr


def test_actions_filters(lib):
    data = json.loads(run("actions", lib, "--overdue", "--priority", "high", "--json", *AS_OF).stdout)["actions"]
    assert data and all(a["priority"] == "high" and a["overdue_days"] > 0 and a["status"] != "done" for a in data)
    assert [a["overdue_days"] for a in data] == sorted((a["overdue_days"] for a in data), reverse=True)
    bob = json.loads(run("actions", lib, "--open", "--owner", "@bob", "--json").stdout)["actions"]
    assert bob and all(a["owner"] == "@bob" and a["status"] != "done" for a in bob)
    text = run("actions", lib, "--overdue", *AS_OF).stdout
    assert text.splitlines()[0].split()[:3] == ["POST-MORTEM", "ID", "OWNER"]
    assert text.splitlines()[-1].endswith("overdue")


def test_search_shows_file_line_and_field(lib):
    res = run("search", lib, "OOMKilled", "--json")
    hits = json.loads(res.stdout)["hits"]
    assert hits
    for h in hits:
        assert h["field"].startswith("timeline[") and h["field"].endswith("].event")
        line = Path(h["file"]).read_text(encoding="utf-8").splitlines()[h["line"] - 1]
        assert "OOMKilled" in line
    text = run("search", lib, "OOMKilled").stdout
    assert f"{hits[0]['file']}:{hits[0]['line']}" in text
    assert run("search", lib, "no-such-words-anywhere").stdout.strip() == "0 hits in 0 post-mortems"


def test_stats_text_json_and_markdown(lib):
    text = run("stats", lib, *AS_OF).stdout
    assert "Incidents per month" in text and "\u2588" in text
    data = json.loads(run("stats", lib, "--json", *AS_OF).stdout)
    assert data["incidents"] == 30 and sum(sum(v.values()) for v in data["per_month"].values()) == 30
    md = run("stats", lib, "--md", "--since", "2024-06-01").stdout
    assert md.count("```mermaid") == 4 and "| Month |" in md and "since 2024-06-01" in md


def test_check_dir_one_summary_and_exit_status(clean_lib, lib):
    res = run("check", clean_lib, *AS_OF)
    assert res.exit_code == 1  # generated post-mortems fail some checks (untracked items...)
    assert res.stdout.splitlines()[-1].startswith("4 post-mortems: ")
    res = run("check", lib, "--json", *AS_OF)
    data = json.loads(res.stdout)
    assert res.exit_code == 2 and data["summary"]["unreadable"] == 3 and data["summary"]["exit"] == 2
    assert len(data["files"]) == 30


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "api-degradation.toml"


def test_check_dir_fail_on_warn(tmp_path):
    # The bundled example passes every check until its items fall due; with
    # its two high-priority items done, on 2025-02-24 only AI-005 (medium,
    # due 2025-02-23) is late: a warning.
    doc = store.load(EXAMPLE)
    for a in doc.pm.actions:
        if a.id in ("AI-001", "AI-002"):
            a.status = "done"
    store.save(doc, tmp_path / "pm.toml")
    day = ("--as-of", "2025-02-24")
    single = run("check", tmp_path / "pm.toml", *day)
    assert single.exit_code == 0 and "!  actions.overdue" in single.stdout and "\u2717" not in single.stdout
    assert run("check", tmp_path, *day).exit_code == 0
    res = run("check", tmp_path, "--fail-on", "warn", *day)
    assert res.exit_code == 1 and "actions.overdue" in res.stdout and "AI-005" in res.stdout
    assert run("check", tmp_path / "pm.toml", "--fail-on", "warn", *day).exit_code == 1
    assert run("check", tmp_path, "--fail-on", "warn", "--as-of", "2025-02-22").exit_code == 0


def test_empty_folder_is_unusable_input(tmp_path):
    res = run("check", tmp_path)
    assert res.exit_code == 2 and "no post-mortem files" in res.stderr and res.stdout == ""


def test_text_from_files_is_inert_and_redacted(tmp_path):
    start = datetime(2025, 1, 5, 10, tzinfo=UTC)
    token = "ghp_Zx7Kq9mW2pL4tR8vB3nC6yH1jF5dG0sE7aQ2"
    pm = m.PostMortem(id="PM-\x1b[31mX", title=f"Evil \x1b]52;c;SGVsbG8=\x07 title {token} [bold]x[/bold]",
                      services=["api\x1b[2J"], times=m.IncidentTimes(start, start, start, start),
                      actions=[m.ActionItem("AI-001", f"Rotate \x1b[5m {token}", owner="@bob",
                                            deadline=date(2025, 1, 6))])
    pm.timeline = [m.TimelineEvent(start, "\x1b[31mred\x1b[0m boom", kind="symptom")]
    store.save(store.new_document(pm, tmp_path / "evil.toml"))
    for args in (("ls", tmp_path), ("actions", tmp_path), ("search", tmp_path, "boom"), ("stats", tmp_path),
                 ("check", tmp_path), ("review", tmp_path, "--no-sync"), ("stats", tmp_path, "--md")):
        out = subprocess.run([sys.executable, "-m", "pmtui", *map(str, args)], capture_output=True, text=True,
                             timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                              "XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "200"})
        assert "\x1b" not in out.stdout + out.stderr, (args, out.stdout)
        assert "\x07" not in out.stdout and token not in out.stdout + out.stderr, args
        assert "Traceback" not in out.stderr, out.stderr
