"""Log files from disk: each format's times (any offset) in UTC, gzip,
the window's lines only, and their errors grouped like pod logs."""

from __future__ import annotations

import gzip
import json
from functools import partial

import pytest

from pmtui.model import LogFileSettings
from pmtui.sample import at
from pmtui.sources.base import Context, Window
from pmtui.sources.collect import run_one
from pmtui.sources.logfiles import collect as collect_files
from pmtui.sources.logfiles import read_file
from pmtui.sources.logformats import NORMALISERS, LineTime, rfc3339, sniff, split_spec

WINDOW = Window(at("10:00:00"), at("11:00:00"))


def collect(settings: LogFileSettings, ctx: Context, **options):
    """The source as the orchestrator runs it (its log streams become candidates there)."""
    return run_one("files", partial(collect_files, settings, **options), ctx)


def _ctx(tmp_path) -> Context:
    return Context(window=WINDOW, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path)


def _norm(fmt: str, line: str) -> tuple[str | None, str]:
    """(the line's UTC time, the line as kept after that time's prefix)."""
    times = LineTime(2025)
    ns, shaped = NORMALISERS[fmt](times)(line.encode())
    text = shaped.decode("utf-8", "replace")
    if ns is None:
        return None, text
    stamp = rfc3339(ns).decode()
    return stamp, text.removeprefix(stamp + " ")


@pytest.mark.parametrize("fmt, line, stamp", [
    ("plain", "2025-02-09T10:05:23Z level=error msg=x", "2025-02-09T10:05:23.000000000Z"),
    ("plain", "2025-02-09T12:05:23.5+02:00 ERROR x", "2025-02-09T10:05:23.500000000Z"),
    ("plain", "2025-02-09 11:05:23,123 ERROR [orders] x", "2025-02-09T11:05:23.123000000Z"),
    ("plain", "[2025-02-09 05:05:23 -0500] error: x", "2025-02-09T10:05:23.000000000Z"),
    ("plain", "2025/02/09 10:05:23 http: panic serving 10.0.0.1", "2025-02-09T10:05:23.000000000Z"),
    ("plain", "2025-02-09T10:05:23.123456789Z already kubelet-shaped", "2025-02-09T10:05:23.123456789Z"),
    ("plain", "Feb  9 10:05:23 web-1 nginx[812]: error", "2025-02-09T10:05:23.000000000Z"),
    ("combined", '10.1.2.3 - - [09/Feb/2025:11:05:23 +0100] "GET /api/orders?id=7 HTTP/1.1" 502 157 "-" "curl/8.5"',
     "2025-02-09T10:05:23.000000000Z"),
    ("combined", '10.1.2.3 - alice [09/Feb/2025:10:05:23 +0000] "POST /x HTTP/2.0" 200 0',
     "2025-02-09T10:05:23.000000000Z"),
    ("combined", "10.1.2.3 - - [09/Feb/2025:10:05:23 +0000] \"-\" 400 0", "2025-02-09T10:05:23.000000000Z"),
    ("jsonl", '{"time":"2025-02-09T10:05:23.25Z","level":"error","msg":"x"}', "2025-02-09T10:05:23.250000000Z"),
    ("jsonl", '{"ts":1739095523.5,"level":"error","msg":"x"}', "2025-02-09T10:05:23.500000000Z"),
    ("jsonl", '{"@timestamp":"2025-02-09T11:05:23+01:00","message":"x"}', "2025-02-09T10:05:23.000000000Z"),
    ("jsonl", '{"timestamp":1739095523250,"msg":"x"}', "2025-02-09T10:05:23.250000000Z"),
])
def test_each_format_gives_the_line_its_utc_time(fmt, line, stamp):
    got, rest = _norm(fmt, line)
    assert got == stamp
    if fmt == "combined":  # led by a level and message from the status class
        rest = rest.split('" ', 1)[1] if rest.startswith("level=") else rest
    assert rest == line or f"{stamp} {rest}" == line  # the line follows unchanged (kept whole when so shaped)


def test_journal_lines_get_their_level_from_priority():
    entry = {"__REALTIME_TIMESTAMP": "1739095523250000", "PRIORITY": "3", "SYSLOG_IDENTIFIER": "api", "_PID": "81",
             "MESSAGE": "upstream timed out"}
    got, rest = _norm("journal", json.dumps(entry))
    assert got == "2025-02-09T10:05:23.250000000Z" and rest == "level=error api[81]: upstream timed out"
    quiet = dict(entry, PRIORITY="6", MESSAGE="retrying after error")
    assert _norm("journal", json.dumps(quiet))[1] == "level=info api[81]: retrying after error"
    binary = dict(entry, MESSAGE=[104, 105, 10, 255])
    assert _norm("journal", json.dumps(binary))[1].startswith("level=error api[81]: hi\\n")


def test_lines_without_a_time_stay_as_they_are():
    assert _norm("plain", "    at orders.Handler(Orders.java:42)") == (None, "    at orders.Handler(Orders.java:42)")
    assert _norm("jsonl", '{"msg": "no time"}') == (None, '{"msg": "no time"}')
    assert _norm("jsonl", "not json") == (None, "not json")


def test_sniffing_and_format_prefixes():
    assert sniff(b'{"__REALTIME_TIMESTAMP":"1"}\n') == "journal"
    assert sniff(b'{"time":"x"}\n{"time":"y"}\n') == "jsonl"
    assert sniff(b'1.2.3.4 - - [09/Feb/2025:10:05:23 +0000] "GET / HTTP/1.1" 200 1\n') == "combined"
    assert sniff(b"2025-02-09 10:05:23 hello\n") == "plain"
    assert split_spec("nginx:logs/access.log") == ("combined", "logs/access.log")
    assert split_spec("journal:api.json") == ("journal", "api.json")
    assert split_spec("logs/a:b.log") == ("auto", "logs/a:b.log")
    assert split_spec("/var/log/app.log") == ("auto", "/var/log/app.log")


def _access_log() -> bytes:
    lines = []
    for minute in range(40, 60):  # 10:40 .. 10:59 at +01:00: before the window
        lines.append(f'10.0.0.{minute} - - [09/Feb/2025:10:{minute:02d}:00 +0100] "GET /api/orders/{minute} '
                     f'HTTP/1.1" 502 157 "-" "Mozilla/5.0"')
    for minute in range(0, 20):  # 10:00 .. 10:19 UTC, in the window
        status = 502 if 5 <= minute <= 7 else 200
        lines.append(f'10.0.1.{minute} - - [09/Feb/2025:11:{minute:02d}:00 +0100] "GET /api/orders/{minute} '
                     f'HTTP/1.1" {status} 157 "-" "Mozilla/5.0"')
    return ("\n".join(lines) + "\n").encode()


def test_a_gzipped_access_log_in_another_offset(tmp_path):
    (tmp_path / "access.log.gz").write_bytes(gzip.compress(_access_log()))
    result = collect(LogFileSettings(paths=["access.log.gz"]), _ctx(tmp_path))
    assert result.gaps == []
    (ev,) = result.evidence
    assert ev.path == "inc.evidence/files/access.log" and "combined; 20 of 40 lines in the window" in ev.query
    kept = (tmp_path / ev.path).read_text().splitlines()
    assert kept[0].startswith('2025-02-09T10:00:00.000000000Z level=info msg="HTTP 2xx" 10.0.1.0 - -')
    (c,) = result.candidates
    assert (c.time, c.source) == (at("10:05:00"), "file: access.log.gz")
    assert c.event == "first 'HTTP 5xx' error \u2014 \u00d73 until 10:07:00 on file access.log.gz"
    assert c.evidence == f"{ev.id}#L6"  # opens at the line


def test_window_and_continuations(tmp_path):
    text = "\n".join([
        "2025-02-09T09:59:59Z ERROR before the window",
        "    at before(Before.java:1)",
        "2025-02-09T10:30:00Z ERROR connection refused to orders-db",
        "    at Orders.query(Orders.java:42)",
        "2025-02-09T11:00:01Z ERROR after the window",
    ]) + "\n"
    (tmp_path / "app.log").write_text(text)
    got = read_file(tmp_path / "app.log", "auto", _ctx(tmp_path))
    assert got.data.decode().splitlines() == [  # already the scanner's shape: kept as written
        "2025-02-09T10:30:00Z ERROR connection refused to orders-db", "    at Orders.query(Orders.java:42)"]
    assert (got.lines, got.kept, got.timed) == (5, 2, 3)


def test_times_without_an_offset_are_read_as_utc_and_said_so(tmp_path):
    (tmp_path / "app.log").write_text("2025-02-09 10:05:00 ERROR db timeout\n2025-02-09 10:06:00 INFO ok\n")
    result = collect(LogFileSettings(paths=["app.log"]), _ctx(tmp_path))
    assert result.notes == ["app.log: 2 times had no offset and were read as UTC"]
    assert [c.time for c in result.candidates] == [at("10:05:00")]


def test_unreadable_files_are_gaps_and_the_others_are_read(tmp_path):
    (tmp_path / "good.log").write_text("2025-02-09T10:05:00Z level=error msg=boom\n")
    (tmp_path / "broken.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "notimes.log").write_text("hello\nworld\n")
    (tmp_path / "dir.log").mkdir()
    result = collect(LogFileSettings(paths=["missing.log", "broken.gz", "notimes.log", "dir.log", "jsonl:good.log"]),
                     _ctx(tmp_path))
    gaps = {g.source: g.description for g in result.gaps}
    assert gaps["files: missing.log"] == "missing.log: no such file"
    assert gaps["files: broken.gz"].startswith("broken.gz: cannot read it")
    assert gaps["files: notimes.log"].startswith("no line of notimes.log has a time pmtui can read as plain")
    assert gaps["files: dir.log"] == "dir.log is a folder, not a log file"
    # good.log named as JSON lines: no line is JSON, so no time is found.
    assert gaps["files: good.log"].startswith("no line of good.log has a time pmtui can read as jsonl")
    result = collect(LogFileSettings(paths=["good.log"]), _ctx(tmp_path))
    assert [c.event for c in result.candidates] == ["first 'boom' error \u2014 1 line on file good.log"]


def test_secrets_in_a_log_file_never_reach_evidence_or_candidates(tmp_path):
    (tmp_path / "app.log").write_text(
        "2025-02-09T10:05:00Z level=error msg=\"slack post failed\" url=https://hooks.slack.com/services/T0/B0/"
        "AbCdEfGhIjKlMnOpQrStUvWx token=xoxb-1111111111-2222222222-SecretSecretSecret\n")
    result = collect(LogFileSettings(paths=["app.log"]), _ctx(tmp_path))
    evidence = (tmp_path / result.evidence[0].path).read_text()
    shown = " ".join(c.event for c in result.candidates)
    for text in (evidence, shown):
        assert "AbCdEfGhIjKl" not in text and "SecretSecret" not in text
