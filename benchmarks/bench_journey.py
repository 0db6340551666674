"""Key-to-screen latency of a whole post-mortem done by keyboard over SSH
at 80x24 (pmtui.journey.script), from `tmux send-keys` to the change being
visible in `tmux capture-pane`: median and worst per step over the runs.

Then single keys on the saved file, one at a time with a person's pause
between them: the latency of one keystroke (pane switch, form open and
close, cursor move, delete, undo, help). Side by side in the same run: the same journey in tmux without SSH (what
the SSH hop adds), and the latency floor of the measuring itself (a
capture-pane round trip). Each step is a burst: its figure is the time
until the last key's effect shows; "per key" divides it by the keys in the
burst. Collection shows progress while it runs and is marked as such.

    python benchmarks/bench_journey.py [--runs 3] [--size 80x24] [--no-local]

Needs Debian's openssh-server and tmux (scripts/setup.sh installs them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pmtui.journey.script import Journey, events_shown
from pmtui.journey.sshd import SshServer, why_no_sshd
from pmtui.journey.terminal import Key, Terminal, remote_command, remote_env

TARGET_MS = 100.0
WAITED_OUT = {"collect"}  # shows progress while the sources answer
# The first step includes starting pmtui over the connection (not a key's latency).
STARTUP = {"title"}


def one_run(folder: Path, width: int, height: int, server: SshServer | None) -> dict[str, tuple[float, int]]:
    folder.mkdir(parents=True)
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = str(folder / name.lower())
    term = Terminal(folder, width, height)
    if server is not None:
        term.start(server.ssh_command(remote_command(sys.executable, ["new.toml"], remote_env(), folder)))
    else:
        term.start(["sh", "-c", remote_command(sys.executable, ["new.toml"], remote_env(), folder)])
    journey = Journey(term)
    keys: dict[str, int] = {}
    original = term.step

    def counted(name, items, until, *, timeout=20.0):
        items = list(items)
        keys[name] = sum(len(i) if isinstance(i, str) else 1 for i in items)
        return original(name, items, until, timeout=timeout)

    term.step = counted  # type: ignore[method-assign]
    try:
        journey.run()
    finally:
        term.kill()
    return {s.name: (s.seconds, keys.get(s.name, 1)) for s in term.steps}


def _line(screen: str, n: int) -> str:
    lines = screen.splitlines()
    return lines[n] if len(lines) > n else ""


# One key each, on the file the journey saved: what a person waits for
# after one keystroke (pane switch, a form opening and closing, a cursor
# move, a delete and its undo, a mark).
SINGLE_KEYS: list[tuple[str, str | Key, object]] = [
    ("key: timeline pane", "3", lambda s: events_shown(s) is not None),
    ("key: cursor down", Key("down"), lambda s: True),
    ("key: open add form", "a", lambda s: "Add event" in s),
    ("key: close form", Key("escape"), lambda s: "Add event" not in _line(s, 3) and "Add event" not in s[:400]),
    ("key: delete row", "x", lambda s: "unsaved" in _line(s, 0)),
    ("key: undo", Key("ctrl+z"), lambda s: "unsaved" not in _line(s, 0)),
    ("key: open edit form", "e", lambda s: "Edit event" in s),
    ("key: close edit form", Key("escape"), lambda s: "Edit event" not in s),
    ("key: analysis pane", "4", lambda s: "Five whys" in s),
    ("key: actions pane", "5", lambda s: "AI-001" in s and "Deadline" in s),
    ("key: report pane", "6", lambda s: "Checklist" in s),
    ("key: overview pane", "1", lambda s: "Edit the fields" in s),
    ("key: help", "?", lambda s: "Same key, same meaning" in s),
    ("key: close help", Key("escape"), lambda s: "Same key, same meaning" not in s),
]


def single_keys(folder: Path, width: int, height: int, server: SshServer) -> dict[str, tuple[float, int]]:
    term = Terminal(folder, width, height, name="keys")
    term.start(server.ssh_command(remote_command(sys.executable, ["new.toml"], remote_env(), folder)))
    try:
        term.wait_for("Edit the fields", timeout=60)
        for name, key, until in SINGLE_KEYS:
            term.step(name, [key], until)  # type: ignore[arg-type]
            time.sleep(0.15)  # a person's pause between keys
        term.send(Key("ctrl+q"))
    finally:
        term.kill()
    return {s.name: (s.seconds, 1) for s in term.steps}


def capture_floor(folder: Path) -> float:
    term = Terminal(folder, 80, 24, name="floor")
    term.start(["sh", "-c", "sleep 30"])
    try:
        times = []
        for _ in range(30):
            start = time.perf_counter()
            term.screen()
            times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        term.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="80x24")
    parser.add_argument("--no-local", action="store_true", help="skip the same journey without SSH")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))
    reason = why_no_sshd()
    if reason:
        sys.exit(f"bench_journey: {reason}")
    with tempfile.TemporaryDirectory(prefix="bench-journey-") as tmp:
        base = Path(tmp)
        server = SshServer(base / "sshd").start()
        try:
            ssh_runs, local_runs = [], []
            for n in range(args.runs):
                ssh_runs.append(one_run(base / f"ssh-{n}", width, height, server))
                ssh_runs[-1].update(single_keys(base / f"ssh-{n}", width, height, server))
                if not args.no_local:
                    local_runs.append(one_run(base / f"local-{n}", width, height, None))
        finally:
            server.stop()
        floor = capture_floor(base)
    load = os.getloadavg()[0]
    print(f"pmtui journey over SSH at {width}x{height}: {args.runs} run(s); load average {load:.1f} on "
          f"{os.cpu_count()} cores; capture-pane round trip {floor * 1000:.1f} ms (the resolution)")
    print(f"{'step':24} {'keys':>4} {'ssh median':>11} {'ssh worst':>10} {'per key':>8} {'no ssh':>8}")
    over = []
    for name in ssh_runs[0]:
        values = [run[name][0] * 1000 for run in ssh_runs if name in run]
        nkeys = ssh_runs[0][name][1]
        local = [run[name][0] * 1000 for run in local_runs if name in run]
        median, worst = statistics.median(values), max(values)
        note = " (shows progress)" if name in WAITED_OUT else " (includes start-up)" if name in STARTUP else ""
        local_text = f"{statistics.median(local):7.0f}" if local else "      -"
        print(f"{name:24} {nkeys:4d} {median:9.0f}ms {worst:8.0f}ms {median / nkeys:6.1f}ms {local_text}ms{note}")
        if not note and median / nkeys > TARGET_MS:
            over.append(name)
    all_steps = [v[0] * 1000 for run in ssh_runs for k, v in run.items() if k not in WAITED_OUT | STARTUP]
    print(f"all steps but start-up and collection: median {statistics.median(all_steps):.0f} ms, "
          f"worst {max(all_steps):.0f} ms per burst")
    print("per key over the target of 100 ms: " + (", ".join(over) if over else "none"))


if __name__ == "__main__":
    main()
