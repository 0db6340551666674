"""Launch-to-first-frame of `pmtui demo`, side by side with a bare Textual
app mounting a TabbedContent of six panes (DataTable, Tree, Markdown).

Both run as whole processes on a pseudo-terminal, interleaved so machine
load hits both alike; each notes time.time() once its first frame is on
screen and exits. Also times `pmtui --help` to completion.

    python benchmarks/bench_startup.py [--runs 7] [--events 10000 100000]

`--events`: also `pmtui FILE` on generated files of that many timeline
events, the timeline pane first (PMTUI_FIRST_PANE), launch to the first
frame with the first screen of rows, beside the same bare app (issue 17:
<= 1.2x the bare app's first frame at any size).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

BARE_APP = r'''
import os, time
from pathlib import Path
from textual.app import App
from textual.widgets import DataTable, Markdown, TabbedContent, TabPane, Tree

class Bare(App):
    def compose(self):
        with TabbedContent():
            for i in range(6):
                with TabPane(f"Pane {i + 1}"):
                    yield DataTable()
                    yield Tree("root")
                    yield Markdown("# Pane\n\nSome *text*.")

    def on_mount(self):
        def done():
            Path(os.environ["PMTUI_BENCH_FIRST_FRAME"]).write_text(repr(time.time()))
            self.exit()
        self.call_after_refresh(done)

Bare().run()
'''


def pmtui_command() -> list[str]:
    script = Path(sys.executable).with_name("pmtui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pmtui"]


def run_on_pty(argv: list[str], mark: Path, cwd: Path, env: dict[str, str] | None = None) -> float:
    """Seconds from launch until the child wrote its first-frame mark."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(env or os.environ, TERM="xterm-256color", PMTUI_BENCH_FIRST_FRAME=str(mark))
    mark.unlink(missing_ok=True)
    start = time.time()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, start_new_session=True)
    os.close(slave)
    deadline = start + 30
    while proc.poll() is None and time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                break
    proc.wait(timeout=10)
    os.close(master)
    if not mark.exists():
        raise RuntimeError(f"{argv} never reached its first frame")
    return float(mark.read_text()) - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--events", type=int, nargs="*", default=[])
    args = parser.parse_args()
    # An installed pmtui runs from bytecode (pip compiles on install), as do
    # Textual's modules here; with PYTHONDONTWRITEBYTECODE set, a source
    # checkout would otherwise recompile ~30 modules on every launch.
    import compileall

    import pmtui

    compileall.compile_dir(str(Path(pmtui.__file__).parent), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="pmtui-bench-"))
    bare = work / "bare_app.py"
    bare.write_text(BARE_APP)
    mark = work / "first-frame"
    pm_times: list[float] = []
    bare_times: list[float] = []
    run_on_pty([*pmtui_command(), "demo"], mark, work)  # warm the file cache
    run_on_pty([sys.executable, str(bare)], mark, work)
    for _ in range(args.runs):
        pm_times.append(run_on_pty([*pmtui_command(), "demo"], mark, work))
        bare_times.append(run_on_pty([sys.executable, str(bare)], mark, work))
    files = {}
    if args.events:
        from pmtui import store
        from pmtui.sample import large_postmortem

        for n in args.events:
            files[n] = work / f"big-{n}.toml"
            store.save(store.new_document(large_postmortem(n), files[n]))
    env_file = dict(os.environ, PMTUI_FIRST_PANE="timeline", XDG_STATE_HOME=str(work / "state"))
    file_times: dict[int, list[float]] = {n: [] for n in files}
    file_bare: list[float] = []
    for _ in range(args.runs if files else 0):
        for n, path in files.items():
            file_times[n].append(run_on_pty([*pmtui_command(), str(path)], mark, work, env_file))
        file_bare.append(run_on_pty([sys.executable, str(bare)], mark, work))
    help_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([*pmtui_command(), "--help"], capture_output=True, check=True)
        help_times.append(time.perf_counter() - start)
    pm, base, helped = (statistics.median(x) for x in (pm_times, bare_times, help_times))
    print(f"runs: {args.runs} each, interleaved, 80x24 pty, cpu count {os.cpu_count()}")
    print(f"pmtui demo, launch -> first frame: median {pm * 1000:.0f} ms (min {min(pm_times) * 1000:.0f})")
    print(f"bare TabbedContent app:            median {base * 1000:.0f} ms (min {min(bare_times) * 1000:.0f})")
    print(f"ratio pmtui / bare: {pm / base:.2f}x (target <= 0.85x, and < 650 ms)")
    print(f"pmtui --help: median {helped * 1000:.0f} ms (target < 100 ms)")
    if files:
        base_file = statistics.median(file_bare)
        print(f"bare app (beside the files):        median {base_file * 1000:.0f} ms")
        for n, times in file_times.items():
            med = statistics.median(times)
            print(f"pmtui FILE, {n:>7,} events, first frame with rows: median {med * 1000:.0f} ms "
                  f"(min {min(times) * 1000:.0f}), {med / base_file:.2f}x bare (target <= 1.2x)")


if __name__ == "__main__":
    main()
