"""`pmtui add`: rows from pasted text in each shape, every bad line named,
and nothing written when one is bad."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmtui import store
from pmtui.cli import main
from pmtui.model import IncidentTimes, PostMortem, TimelineEvent
from pmtui.rowtext import Defaults, parse
from pmtui.sample import at

DAY = Defaults(base_date=date(2025, 2, 9))


def _rows(text: str, defaults: Defaults = DAY) -> list[tuple]:
    parsed = parse(text, defaults)
    assert parsed.problems == [], parsed.problems
    return [(line, r.time, r.event, r.source, r.actor, r.kind) for line, r in parsed.rows]


def test_a_chat_transcript():
    text = "\n".join([
        "# Timeline (all times UTC)",
        "10:05 First 5xx errors",
        "",
        "[10:12] @alice: acknowledged the page",
        "10:13:05 - <bob> opened #inc-api",
        "2025-02-09 10:20 Status page updated",
        "10:22:10.5 Cache enabled",
        "10:30 PM Post-mortem scheduled",
        "11:00 UTC All clear",
    ])
    assert _rows(text) == [
        (2, at("10:05:00"), "First 5xx errors", "", "", "other"),
        (4, at("10:12:00"), "acknowledged the page", "", "@alice", "other"),
        (5, at("10:13:05"), "opened #inc-api", "", "@bob", "other"),
        (6, at("10:20:00"), "Status page updated", "", "", "other"),
        (7, at("10:22:10").replace(microsecond=500000), "Cache enabled", "", "", "other"),
        (8, at("22:30:00"), "Post-mortem scheduled", "", "", "other"),
        (9, at("11:00:00"), "All clear", "", "", "other"),
    ]


def test_pipe_rows_and_the_procedures_markdown_table():
    text = """
| Time     | Event | Source | Actor |
|----------|-------|--------|-------|
| 10:05:23 | First 5xx errors appear | nginx access logs | - |
| 10:12:00 | Engineer acknowledges alert | PagerDuty | @alice |
2025-02-09T10:15:30Z | Pool exhausted | app logs | | symptom
"""
    assert _rows(text) == [
        (4, at("10:05:23"), "First 5xx errors appear", "nginx access logs", "", "other"),
        (5, at("10:12:00"), "Engineer acknowledges alert", "PagerDuty", "@alice", "other"),
        (6, at("10:15:30"), "Pool exhausted", "app logs", "", "symptom"),
    ]
    assert parse(text, DAY).shape == "table"


def test_csv_with_a_header_in_any_order_and_quoted_commas():
    text = ('When,Who,What,Type,Tool,Notes\n'
            '10:05,,"First 5xx errors, checkout",symptom,nginx,seen by support\n'
            '"10:40","@alice","Resolved",resolution,PagerDuty,\n')
    parsed = parse(text, DAY)
    assert parsed.shape == "csv" and parsed.problems == []
    assert [(line, r.time, r.event, r.source, r.actor, r.kind) for line, r in parsed.rows] == [
        (2, at("10:05:00"), "First 5xx errors, checkout", "nginx", "", "symptom"),
        (3, at("10:40:00"), "Resolved", "PagerDuty", "@alice", "resolution")]
    assert parsed.notes == ["line 1: column 'Notes' ignored (pmtui reads time, event, source, actor, kind)"]


def test_defaults_and_zones():
    rows = _rows("11:05 Rolled back", Defaults(base_date=date(2025, 2, 9), zone="Europe/Berlin", source="Slack",
                                               kind="action"))
    assert rows == [(1, at("10:05:00"), "Rolled back", "Slack", "", "action")]


def test_every_bad_line_is_named():
    text = "\n".join([
        "10:05 fine",
        "25:00 hour out of range",
        "yesterday we rolled back",
        "10:07",
        "10:08 | event | src | actor | kind | extra",
        "10:09 | event | src | @a | urgent",
        "10:10 | | src",
    ])
    problems = [(p.line, p.message.split(":")[0]) for p in parse(text, DAY).problems]
    assert problems == [(2, "time"), (3, "expected a time first (10"), (4, "expected a time first (10"),
                        (5, "6 cells; expected at most 5"), (6, "kind"), (7, "event")]
    no_date = parse("10:05 first", Defaults())
    assert "has no date and the incident has no start time" in no_date.problems[0].message


def _file(tmp_path, timeline=()) -> str:
    pm = PostMortem(id="PM-1", title="API", times=IncidentTimes(started=at("10:00:00")), timeline=list(timeline))
    path = tmp_path / "inc.toml"
    store.save(store.new_document(pm, path))
    return str(path)


def test_cli_adds_rows_in_order_and_skips_what_is_there(tmp_path):
    path = _file(tmp_path, [TimelineEvent(at("10:05:00"), "First 5xx errors", "nginx", kind="symptom")])
    res = CliRunner().invoke(main, ["add", path, "--source", "Slack", "--json"],
                             input="10:30 Rolled back\n10:05 first 5xx   ERRORS\n10:01 Deploy started\n")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [r["event"] for r in out["added"]] == ["Rolled back", "Deploy started"]
    assert [r["line"] for r in out["skipped"]] == [2]
    pm = store.load(path).pm
    assert [(e.time, e.event, e.source) for e in pm.timeline] == [
        (at("10:01:00"), "Deploy started", "Slack"), (at("10:05:00"), "First 5xx errors", "nginx"),
        (at("10:30:00"), "Rolled back", "Slack")]


def test_cli_writes_nothing_when_one_line_is_bad(tmp_path):
    path = _file(tmp_path)
    before = Path(path).read_bytes()
    res = CliRunner().invoke(main, ["add", path], input="10:05 fine\n10:99 broken\n\n|x|y|\n")
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [
        "stdin:2: time: '10:99': minute must be in 0..59",
        "stdin:4: time: 'x' is not a time; expected one of: 2025-02-09T10:05:23Z, 2025-02-09T12:05:23+02:00, "
        "2025-02-09 10:05, 10:05:23 (the incident's date), 10:05 Europe/Berlin",
        f"2 bad lines: nothing was added to {path}"]
    assert Path(path).read_bytes() == before and "Traceback" not in res.output


@pytest.mark.parametrize("args, stdin, message", [
    ([], b"", "no rows on standard input"),
    ([], b"\xff\xfe10:05 x", "standard input is not UTF-8 text"),
    (["--zone", "Mars/Olympus"], b"10:05 x", "--zone: unknown time zone 'Mars/Olympus'"),
    (["--kind", "urgent"], b"10:05 x", "--kind: unknown value 'urgent'"),
])
def test_cli_unusable_input(tmp_path, args, stdin, message):
    path = _file(tmp_path)
    before = Path(path).read_bytes()
    res = CliRunner().invoke(main, ["add", path, *args], input=stdin)
    assert res.exit_code == 2 and message in res.stderr, res.stderr
    assert Path(path).read_bytes() == before


def test_cli_dry_run_and_a_missing_file(tmp_path):
    path = _file(tmp_path)
    before = Path(path).read_bytes()
    res = CliRunner().invoke(main, ["add", path, "--dry-run"], input="10:05 First errors\n")
    assert res.exit_code == 0 and res.stdout.startswith("Would add 1 row to")
    assert Path(path).read_bytes() == before
    res = CliRunner().invoke(main, ["add", str(tmp_path / "none.toml")], input="10:05 x\n")
    assert res.exit_code == 2 and "No such file" in res.stderr
