"""The people and the logs that outlive pods: how long they take.

1. The demo's collection, every source replayed offline (`pmtui demo`'s
   `c`): the whole run and each source, with the merge step.
2. A log file from disk of N lines (default 500,000) in each format
   (plain, combined access log, JSON lines, journalctl -o json; gzipped
   and not): lines per second through pmtui's reader and the templating
   the pod logs go through, side by side with `zcat | grep -c` reading
   the same bytes (the floor any reader has to pay).
3. A Slack workspace export of M messages (default 50,000 over 100
   channels, a zip): time to read the incident channel's window.

Run: python benchmarks/bench_people.py [--lines N] [--messages M] [--rounds R]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from pmtui import store
from pmtui.examples import example_path
from pmtui.model import LogFileSettings, SlackSettings
from pmtui.sources import collect as col
from pmtui.sources.base import Context, Window
from pmtui.sources.logfiles import collect as collect_files
from pmtui.sources.slack import collect as collect_slack

START = datetime(2025, 2, 9, 9, 0, tzinfo=UTC)
WINDOW = Window(START + timedelta(minutes=30), START + timedelta(hours=2, minutes=30))


def demo(rounds: int) -> None:
    totals: list[float] = []
    per: dict[str, list[float]] = {}
    for _ in range(rounds):
        folder = Path(tempfile.mkdtemp())
        pm = store.load(example_path()).pm
        marks: dict[str, float] = {}
        began = time.perf_counter()
        window = col.window_for(pm)
        base = col.baseline_end_for(pm, window)
        found = []
        for name, run in col.plan(pm, demo=True):
            t = time.perf_counter()
            ctx = col.context_for(folder / "demo.toml", window, baseline_end=base)
            result = col.run_one(name, run, ctx)
            found += result.candidates
            marks[name] = time.perf_counter() - t
        t = time.perf_counter()
        offered, known = col.sift(pm, found)
        marks["merge"] = time.perf_counter() - t
        totals.append(time.perf_counter() - began)
        for name, seconds in marks.items():
            per.setdefault(name, []).append(seconds)
        shutil.rmtree(folder)
    print(f"demo collection (offline replay, {rounds} rounds, median): {statistics.median(totals) * 1000:.0f} ms; "
          f"{len(found)} candidates from the sources, {len(offered)} offered, {len(known)} already in the timeline")
    for name, values in per.items():
        print(f"  {name:<13} {statistics.median(values) * 1000:7.1f} ms")


def _line(fmt: str, i: int, t: datetime, rnd: random.Random) -> str:
    error = rnd.random() < 0.02
    if fmt == "plain":
        level = "ERROR" if error else "INFO"
        text = "connection pool exhausted" if error else f"GET /api/orders/{i} 200"
        return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} {level} [orders] {text} req={rnd.getrandbits(48):x}"
    if fmt == "combined":
        status = 502 if error else 200
        return (f'10.0.{i % 250}.{i % 200} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "GET /api/orders/{i} HTTP/1.1" '
                f'{status} {rnd.randint(100, 9000)} "-" "Mozilla/5.0"')
    if fmt == "jsonl":
        return json.dumps({"time": t.isoformat().replace("+00:00", "Z"), "level": "error" if error else "info",
                           "msg": "connection pool exhausted" if error else "request done", "path": f"/api/{i}"})
    return json.dumps({"__REALTIME_TIMESTAMP": str(int(t.timestamp() * 1e6)), "PRIORITY": "3" if error else "6",
                       "SYSLOG_IDENTIFIER": "api", "_PID": "81",
                       "MESSAGE": "connection pool exhausted" if error else f"request {i} done"})


def log_files(lines: int, rounds: int) -> None:
    folder = Path(tempfile.mkdtemp())
    step = timedelta(hours=3) / lines
    print(f"\nlog files of {lines:,} lines (the window holds two thirds of them), best of {rounds}:")
    print(f"  {'format':<10} {'gzip':<5} {'MB':>6} {'pmtui lines/s':>14} {'grep -c lines/s':>16} {'ratio':>6}")
    for fmt in ("plain", "combined", "jsonl", "journal"):
        rnd = random.Random(3)
        text = "\n".join(_line(fmt, i, START + step * i, rnd) for i in range(lines)) + "\n"
        for zipped in (False, True):
            path = folder / f"{fmt}.log{'.gz' if zipped else ''}"
            data = text.encode()
            path.write_bytes(gzip.compress(data, 6) if zipped else data)
            ours, grep = [], []
            for _ in range(rounds):
                ctx = Context(window=WINDOW, evidence_dir=folder / "e.evidence", base_dir=folder)
                t = time.perf_counter()
                col.run_one("files", partial(collect_files, LogFileSettings(paths=[f"{fmt}:{path.name}"])), ctx)
                ours.append(time.perf_counter() - t)
                t = time.perf_counter()
                reader = f"zcat {path}" if zipped else f"cat {path}"
                subprocess.run(f"{reader} | grep -c .", shell=True, check=True, capture_output=True)
                grep.append(time.perf_counter() - t)
            a, b = min(ours), min(grep)
            print(f"  {fmt:<10} {'yes' if zipped else 'no':<5} {len(data) / 1e6:6.1f} {lines / a:14,.0f} "
                  f"{lines / b:16,.0f} {a / b:5.1f}x")
    shutil.rmtree(folder)


def slack_export(messages: int, rounds: int) -> None:
    folder = Path(tempfile.mkdtemp())
    rnd = random.Random(9)
    path = folder / "export.zip"
    channels = [{"id": f"C{i:08d}", "name": f"team-{i}" if i else "inc-api"} for i in range(100)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("channels.json", json.dumps(channels))
        z.writestr("users.json", json.dumps([{"id": f"U{i:04d}", "name": f"user{i}",
                                               "profile": {"display_name": f"user{i}"}} for i in range(500)]))
        per_day: dict[tuple[str, str], list[dict]] = {}
        for n in range(messages):
            channel = channels[0 if n % 10 == 0 else rnd.randrange(1, 100)]["name"]
            t = START - timedelta(days=rnd.randrange(0, 30)) + timedelta(seconds=rnd.randrange(0, 4 * 3600))
            per_day.setdefault((channel, f"{t:%Y-%m-%d}"), []).append(
                {"type": "message", "user": f"U{rnd.randrange(500):04d}", "ts": f"{t.timestamp():.6f}",
                 "text": f"message {n} about <@U{rnd.randrange(500):04d}> and the rollout"})
        for (channel, day), items in per_day.items():
            z.writestr(f"{channel}/{day}.json", json.dumps(items))
    times = []
    for _ in range(rounds):
        ctx = Context(window=WINDOW, evidence_dir=folder / "e.evidence", base_dir=folder)
        t = time.perf_counter()
        result = collect_slack(SlackSettings(export=str(path), channel="inc-api"), ctx)
        times.append(time.perf_counter() - t)
    print(f"\nSlack export of {messages:,} messages in 100 channels ({path.stat().st_size / 1e6:.1f} MB zip): "
          f"the incident channel's window read in {min(times) * 1000:.0f} ms "
          f"({len(result.candidates)} candidates)")
    shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    demo(args.rounds)
    log_files(args.lines, args.rounds)
    slack_export(args.messages, args.rounds)


if __name__ == "__main__":
    main()
