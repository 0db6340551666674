"""`pmtui collect` with --slack, --pagerduty, --loki/--logql and --log:
each alone and together, a failing one a gap while the others run, exit 1
only when every source failed, and the file's own settings used on the
next run with no flags."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmtui import store
from pmtui.cli import main
from pmtui.model import IncidentTimes, PostMortem
from pmtui.sample import at
from pmtui.sources.loki import _ns

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-recordings"


def _file(tmp_path, pm: PostMortem | None = None) -> Path:
    pm = pm or PostMortem(id="PM-1", title="Checkout outage",
                          times=IncidentTimes(started=at("10:05:00"), resolved=at("10:40:00")))
    path = tmp_path / "inc.toml"
    store.save(store.new_document(pm, path))
    return path


def _run(*args: str, expect: int = 0) -> dict:
    res = CliRunner().invoke(main, ["collect", *args, "--json"])
    assert res.exit_code == expect, (res.exit_code, res.output)
    assert "Traceback" not in res.stderr  # (the Slack fixture pastes one into the chat: stdout may quote it)
    return json.loads(res.stdout)


@pytest.fixture
def saved_pagerduty(tmp_path) -> Path:
    """The demo incident's log entries as a saved answer of the API."""
    path = tmp_path / "pd-log.json"
    shutil.copyfile(DEMO / "pagerduty" / "Q1API20250209_log_entries.json", path)
    return path


@pytest.fixture
def access_log(tmp_path) -> Path:
    lines = [f'10.0.0.{i} - - [09/Feb/2025:11:{10 + i:02d}:00 +0100] "GET /api/checkout HTTP/1.1" '
             f'{502 if i < 3 else 200} 12 "-" "k6"' for i in range(10)]
    path = tmp_path / "access.log.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def test_each_source_by_option_together(tmp_path, slack_export_zip, saved_pagerduty, access_log, fake_loki):
    loki = fake_loki()
    loki.add({"app": "checkout", "pod": "checkout-1"}, [(_ns(at("10:20:00")), 'level=error msg="upstream reset"')])
    path = _file(tmp_path)
    out = _run(str(path), "--slack", f"{slack_export_zip}#inc-checkout", "--pagerduty", str(saved_pagerduty),
               "--log", f"combined:{access_log}", "--loki", loki.url, "--logql", '{app="checkout"}')
    sources = {c["source"].split(":")[0] for c in out["candidates"]}
    assert sources == {"slack", "pagerduty", "file", "loki"}
    assert out["failed"] == [] and out["notes"]
    slack = [c for c in out["candidates"] if c["source"] == "slack: #inc-checkout"]
    decision = next(c for c in slack if c["time"] == "2025-02-09T10:20:00Z")
    assert decision == {**decision, "event": "Decision: we will not roll back (migration 0042). Going with the "
                        "cache flag.", "kind": "decision", "actor": "@bob", "flag": "pinned", "signal": "chat",
                        "sources": ["slack: #inc-checkout"]}
    assert decision["evidence"][0].startswith("slack/inc-checkout.json#L")
    ack = next(c for c in out["candidates"] if c.get("sets") == "detected")
    assert ack["actor"] == "Alice Chen" and ack["time"] == "2025-02-09T10:12:00Z"
    assert any(c["source"] == "file: access.log.gz" and c["time"] == "2025-02-09T10:10:00Z" for c in out["candidates"])
    saved = store.load(path).pm
    assert {e.source for e in saved.evidence} == {"slack", "pagerduty", "files", "loki"}
    # The options were for this run: the file names none of them.
    assert saved.sources.slack.export == "" and saved.sources.files.paths == [] and saved.sources.loki.url == ""


def test_a_failing_source_is_a_gap_and_the_others_run(tmp_path, saved_pagerduty):
    path = _file(tmp_path)
    out = _run(str(path), "--slack", str(tmp_path / "missing-export.zip"), "--pagerduty", str(saved_pagerduty))
    assert out["failed"] == ["slack"]
    assert [g["description"] for g in out["gaps"]] == ["Slack not read: export missing-export.zip does not exist"]
    assert {c["source"] for c in out["candidates"]} == {"pagerduty: #4711"}


def test_exit_1_when_every_source_failed_and_the_gaps_are_kept(tmp_path, closed_port):
    path = _file(tmp_path)
    res = CliRunner().invoke(main, ["collect", str(path), "--slack", str(tmp_path / "gone.zip"), "--pagerduty",
                                    str(tmp_path / "gone.json"), "--log", str(tmp_path / "gone.log"),
                                    "--loki", f"http://127.0.0.1:{closed_port}", "--logql", '{app="x"}'])
    assert res.exit_code == 1, res.output
    assert "Every source failed (loki, files, slack, pagerduty): see the gaps above." in res.stderr
    assert "Traceback" not in res.output
    gaps = {g.source for g in store.load(path).pm.gaps}
    assert gaps == {"loki", "files: gone.log", "slack", "pagerduty"}
    out = _run(str(path), "--slack", str(tmp_path / "gone.zip"), expect=1)
    assert out["failed"] == ["slack"] and out["candidates"] == []


def test_the_files_settings_need_no_flags_next_time(tmp_path, slack_export_dir, saved_pagerduty, access_log):
    pm = PostMortem(id="PM-1", title="Checkout outage",
                    times=IncidentTimes(started=at("10:05:00"), resolved=at("10:40:00")))
    shutil.copytree(slack_export_dir, tmp_path / "slack-export")
    pm.sources.slack.export, pm.sources.slack.channel = "slack-export", "inc-checkout"
    pm.sources.pagerduty.file = saved_pagerduty.name
    pm.sources.files.paths = [f"combined:{access_log.name}"]
    path = _file(tmp_path, pm)
    first = _run(str(path))
    assert {c["source"].split(":")[0] for c in first["candidates"]} == {"slack", "pagerduty", "file"}
    res = CliRunner().invoke(main, ["collect", str(path), "--accept"])
    assert res.exit_code == 0 and "Added" in res.stdout
    assert "set the incident's detected time (it had none): 2025-02-09 10:12:00" in res.stdout
    saved = store.load(path).pm
    assert saved.times.detected == at("10:12:00") and saved.times.resolved == at("10:40:00")  # kept
    assert any(e.actor == "@bob" and e.kind == "decision" for e in saved.timeline)


def test_logql_without_a_loki_url_is_unusable_input(tmp_path):
    path = _file(tmp_path)
    before = path.read_bytes()
    res = CliRunner().invoke(main, ["collect", str(path), "--logql", '{app="x"}'])
    assert res.exit_code == 2 and "--logql: give the Loki URL too" in res.stderr
    assert path.read_bytes() == before


def test_the_demo_collects_the_people_offline(tmp_path, repo_root):
    path = tmp_path / "api-degradation.toml"
    shutil.copyfile(repo_root / "examples" / "api-degradation.toml", path)
    res = CliRunner().invoke(main, ["collect", str(path), "--prometheus", "demo:", "--alertmanager", "demo:",
                                    "--deployment", "", "--slack", str(DEMO / "slack"),
                                    "--pagerduty", str(DEMO / "pagerduty" / "Q1API20250209_log_entries.json")])
    assert res.exit_code == 0, res.output
    # Most of the human half is in the demo's timeline already: said so, not offered again.
    assert "more the timeline already says (not offered again)" in res.stdout
    assert "Alice Chen paged by sms (#4711)  (System)" in res.stdout  # the second page: no row for it yet
    assert "\u2605" not in res.stdout  # both pinned messages are rows already
