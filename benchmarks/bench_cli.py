"""`pmtui check` and `pmtui report` on big post-mortems, and peak memory:
prints figures, asserts nothing.

Each command runs as a whole process, as a user or CI runs it (start-up,
imports, reading, the work, the output), a few rounds interleaved so that
machine load hits every figure alike; the median wall time and the
process's peak RSS (os.wait4's ru_maxrss) are printed. The app's own
peak RSS is that of a child process that opens the file as `pmtui FILE`
opens it (store.Loading, headless, the timeline pane first) and waits
until every row is read and the journal has its base. Last, a file whose
title is one 20 MB string (a log pasted into it), and one whose summary is
20 MB of lines between triple quotes, go to `pmtui check`.

    python benchmarks/bench_cli.py [--events 10000 100000] [--rounds 3]

For a before/after run, PYTHONPATH=/path/to/other/checkout/src measures
another checkout's sources with this script (the children inherit it).

Targets (issue 17, at 100,000 events): check <= 0.5 s, report <= 1 s,
peak RSS < 200 MB; a 20 MB field (one line, or many between triple quotes)
refused with a clear message in < 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

APP_RSS = textwrap.dedent('''
    import asyncio, os, resource, sys
    from pmtui import store
    from pmtui.ui.app import PmApp

    async def main(path):
        if hasattr(store, "Loading"):
            loading = store.Loading(path)
            if loading.done:
                loading.finish()
            app = PmApp(loading.document, loading=loading, first_pane="timeline", blink=False)
        else:  # a checkout before store.Loading (PYTHONPATH=other/src for a before/after run)
            app = PmApp(store.load(path), first_pane="timeline", blink=False)
        async with app.run_test(size=(120, 40)) as pilot:
            while getattr(app, "loading", None) is not None or getattr(app, "guard", None) is None:
                await asyncio.sleep(0.01)
            await pilot.pause(0.5)
            writer = getattr(app.guard, "writer", None)
            if writer is not None:
                writer.flush(force=False)
                writer.wait()
            await pilot.pause(0.2)
    asyncio.run(main(sys.argv[1]))
''')


# Files are written by a child process: ru_maxrss counts what a child
# inherited at fork, so this process must stay small for the figures to
# be the commands' own.
WRITE = textwrap.dedent('''
    import sys
    from pmtui import store
    from pmtui.sample import large_postmortem
    n, path, big = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    pm = large_postmortem(n)
    if big in ("title", "summary"):  # written as rendered: store.save refuses a text over its limit
        if big == "title":
            pm.title = "GET /api/v1/orders 200 " * (20_000_000 // 23)
        else:  # a log pasted between triple quotes, one line per request
            pm.summary = "GET /api/v1/orders 200 in 12 ms\\n" * (20_000_000 // 32)
        open(path, "w", encoding="utf-8").write(store.dumps(store.new_document(pm, path)))
    else:
        store.save(store.new_document(pm, path))
''')


def write(n: int, path: Path, *, big: str = "-") -> None:
    """`big`: "title" (a 20 MB one-line title) or "summary" (20 MB over
    many lines), else the file as the store saves it."""
    subprocess.run([sys.executable, "-c", WRITE, str(n), str(path), big], check=True)


def pmtui() -> list[str]:
    script = Path(sys.executable).with_name("pmtui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pmtui"]


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, int, str]:
    """(seconds, CPU seconds, peak RSS in MB, exit code, first line of
    stderr, else stdout). CPU time beside wall time: on a shared machine
    the wall time also holds the time waiting for a core."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        took = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        err.seek(0)
        out.seek(0)
        text = (err.read() or out.read(4096)).decode("utf-8", "replace").strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    return took, cpu, usage.ru_maxrss / 1024, proc.returncode, text[0][:160] if text else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pmtui-bench-cli-"))
    env = dict(os.environ, XDG_STATE_HOME=str(work / "state"), XDG_CONFIG_HOME=str(work / "config"))
    print(f"{args.rounds} rounds, medians; cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    for n in args.events:
        path = work / f"big-{n}.toml"
        write(n, path)
        size = path.stat().st_size / 1e6
        commands = {
            "pmtui check": [*pmtui(), "check", str(path)],
            "pmtui report": [*pmtui(), "report", str(path), "-o", str(work / f"report-{n}.md")],
            "pmtui --help": [*pmtui(), "--help"],
            "app, fully open (RSS)": [sys.executable, "-c", APP_RSS, str(path)],
        }
        figures: dict[str, list[tuple[float, float, float]]] = {k: [] for k in commands}
        for _ in range(args.rounds):
            for name, argv in commands.items():
                took, cpu, rss, code, line = run(argv, env)
                if code not in (0, 1):
                    raise SystemExit(f"{name} failed ({code}): {line}")
                figures[name].append((took, cpu, rss))
        print(f"-- {n:,} events ({size:.1f} MB) --")
        for name, values in figures.items():
            wall = statistics.median(v[0] for v in values)
            cpu = statistics.median(v[1] for v in values)
            rss = statistics.median(v[2] for v in values)
            print(f"{name:24s} {wall * 1000:8.0f} ms wall {cpu * 1000:8.0f} ms CPU   peak RSS {rss:6.0f} MB")
    for field in ("title", "summary"):
        big = work / f"{field}.toml"
        write(10, big, big=field)
        took, cpu, _rss, code, line = run([*pmtui(), "check", str(big)], env)
        shape = "one line" if field == "title" else "many lines"
        print(f"-- a 20 MB {field}, {shape} ({big.stat().st_size / 1e6:.1f} MB file) --")
        print(f"pmtui check              {took * 1000:8.0f} ms wall {cpu * 1000:8.0f} ms CPU   exit {code}: {line}")


if __name__ == "__main__":
    main()
