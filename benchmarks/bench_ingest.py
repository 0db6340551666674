"""Log ingest: signature grouping + window filtering against `grep -cE`.

Generates a pod log of N lines (default 1,000,000, about 140 MB) the way
`kubectl logs --timestamps` shows it, then times, side by side and in turn:

  grep -cE ERROR_PATTERN FILE      (output to a pipe: GNU grep stops at the
                                    first match when writing to /dev/null)
  logsig.scan_file(FILE, window)   (the same pattern, every error line
                                    templated, counted and time-stamped)
  scan_file(..., all_lines=True)   (every line templated: the mode the
                                    Kubernetes source reads pod logs in, for
                                    new templates and rate changes)

each round running grep and both scans one after the other (a busy machine
slows all three alike), and prints the medians, the ratios to grep (target
for the error scan: at most 2x grep; the all-lines scan is reported), and
the memory peak of both modes for a quarter-size and a full-size log
(target: not growing with the file).
Run: python benchmarks/bench_ingest.py [--lines N] [--rounds R]

Where the all-lines time goes (cProfile, 1M lines): masking a line costs
~60 us, so the template cache decides. Keyed by a line's digit-free text,
nearly every line missed (the request ids are hex): 48 s. Keyed by its
shape (logsig.shapes: digit runs replaced in one regex pass over a chunk)
the million lines hit 9 templates; what remains is that pass (~1.5 s per
40 MB: Python's re, ~0.5 us a match) and the per-line loop.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from pmtui.sources.base import Window
from pmtui.sources.logsig import ERROR_PATTERN, scan_file
from pmtui.sources.logtypes import LogSummary

START = datetime(2025, 2, 9, 9, 0, tzinfo=UTC)
SPAN = timedelta(hours=3)


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}" + "417Z"


def generate(path: str, lines: int, seed: int = 5) -> int:
    """A realistic mix: logfmt and JSON info lines, ~1.5 % error lines of a
    few templates (with request ids, IPs, durations), access-log 5xx lines,
    a panic, a Java exception, and info lines that merely mention errors."""
    rnd = random.Random(seed)
    step = SPAN / lines
    paths = ("/api/v1/orders", "/api/v1/users", "/api/v1/cart", "/healthz", "/api/v1/payments")
    out = []
    size = 0
    with open(path, "wb") as f:
        for i in range(lines):
            ts = _ts(START + step * i)
            r = rnd.random()
            rid = f"{rnd.getrandbits(64):016x}"
            if r < 0.006:
                msg = (f'level=error msg="connection pool exhausted" pool=orders waited={rnd.randint(1, 999)}ms '
                       f"active={rnd.randint(1, 64)} req={rid}")
            elif r < 0.009:
                msg = (f'level=error msg="upstream timeout" host=10.0.{rnd.randint(0, 255)}.'
                       f'{rnd.randint(1, 254)}:8080 after={rnd.random() * 5:.2f}s req={rid}')
            elif r < 0.011:
                msg = (f'{{"level":"error","ts":{1739091600 + i // 300},"msg":"payment failed",'
                       f'"order":{rnd.randint(1, 10**6)},"err":"card declined","trace":"{rid}"}}')
            elif r < 0.014:
                msg = (f'10.1.{rnd.randint(0, 255)}.{rnd.randint(1, 254)} - - "POST /api/v1/payments HTTP/1.1" '
                       f"{rnd.choice((500, 502, 503))} 0 {rnd.random() * 900:.1f}ms")
            elif r < 0.0142:
                msg = ("panic: runtime error: invalid memory address or nil pointer dereference "
                       f"[signal SIGSEGV addr=0x{rnd.getrandbits(32):x}]")
            elif r < 0.0145:
                msg = (f"ERROR [pool-{rnd.randint(1, 8)}-thread-{rnd.randint(1, 32)}] "
                       "java.lang.IllegalStateException: Connection is closed")
            elif r < 0.02:
                msg = f'level=info msg="retry succeeded after error" attempt={rnd.randint(2, 5)} req={rid}'
            elif r < 0.10:
                msg = (f'{{"level":"info","ts":{1739091600 + i // 300},"msg":"cache refreshed",'
                       f'"items":{rnd.randint(1, 99999)},"took":"{rnd.random() * 90:.1f}ms"}}')
            else:
                msg = (f'level=info msg="handled request" method=GET path={rnd.choice(paths)}/{rnd.randint(1, 99999)} '
                       f"status=200 dur={rnd.random() * 50:.1f}ms req={rid}")
            line = f"{ts} {msg}\n".encode()
            out.append(line)
            size += len(line)
            if len(out) >= 20000:
                f.write(b"".join(out))
                out.clear()
        f.write(b"".join(out))
    return size


def time_grep(path: str) -> tuple[float, int]:
    t = time.perf_counter()
    done = subprocess.run(["grep", "-cE", ERROR_PATTERN, path], stdout=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - t
    return elapsed, int(done.stdout.strip() or 0)


def time_logsig(path: str, window: Window, *, all_lines: bool = False) -> tuple[float, LogSummary]:
    t = time.perf_counter()
    summary = scan_file(path, window, all_lines=all_lines)
    return time.perf_counter() - t, summary


def memory_child(path: str, window: Window, all_lines: bool) -> None:
    """Run in a child process: prints tracemalloc peak and ru_maxrss."""
    import ahocorasick_rs  # noqa: F401  (loaded before the baseline, as in a real run)

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    summary = scan_file(path, window, all_lines=all_lines)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{peak} {rss} {base_rss} {summary.error_lines}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-child", nargs=4, metavar=("FILE", "START", "END", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        path, start, end, mode = args.memory_child
        memory_child(path, Window(datetime.fromisoformat(start), datetime.fromisoformat(end)), mode == "all")
        return

    whole = Window(START, START + SPAN)
    middle = Window(START + timedelta(minutes=30), START + SPAN - timedelta(minutes=30))
    with tempfile.TemporaryDirectory(prefix="pmtui-bench-") as tmp:
        big = os.path.join(tmp, "pod.log")
        quarter = os.path.join(tmp, "pod-quarter.log")
        t = time.perf_counter()
        size = generate(big, args.lines)
        qsize = generate(quarter, args.lines // 4)
        print(f"generated {args.lines:,} lines, {size / 1e6:.1f} MB ({time.perf_counter() - t:.1f} s); "
              f"quarter: {args.lines // 4:,} lines, {qsize / 1e6:.1f} MB")
        print(f"pattern: grep -cE '{ERROR_PATTERN}'")

        with open(big, "rb") as f:  # both start from a warm page cache
            while f.read(1 << 24):
                pass
        greps, whole_t, middle_t, all_t = [], [], [], []
        grep_count = errors = errors_mid = templates = all_templates = all_count = 0
        for _ in range(args.rounds):
            g, grep_count = time_grep(big)
            w, summary = time_logsig(big, whole)
            m, summary_mid = time_logsig(big, middle)
            a, summary_all = time_logsig(big, whole, all_lines=True)
            greps.append(g)
            whole_t.append(w)
            middle_t.append(m)
            all_t.append(a)
            errors, errors_mid, templates = summary.error_lines, summary_mid.error_lines, len(summary.signatures)
            all_templates, all_count = len(summary_all.signatures), summary_all.lines
        g_med, w_med, m_med, a_med = (statistics.median(x) for x in (greps, whole_t, middle_t, all_t))
        print(f"grep -cE:                     {g_med:.3f} s  (median of {args.rounds}; min {min(greps):.3f})  "
              f"{grep_count:,} matching lines")
        print(f"logsig, window = whole log:   {w_med:.3f} s  (min {min(whole_t):.3f})  {errors:,} error lines, "
              f"{templates} templates  ratio {w_med / g_med:.2f}x grep")
        print(f"logsig, window = middle 2 h:  {m_med:.3f} s  (min {min(middle_t):.3f})  {errors_mid:,} error lines  "
              f"ratio {m_med / g_med:.2f}x grep")
        print(f"logsig, all lines templated:  {a_med:.3f} s  (min {min(all_t):.3f})  {all_count:,} lines, "
              f"{all_templates} templates  ratio {a_med / g_med:.2f}x grep  ({all_count / a_med / 1e6:.2f}M lines/s)")
        print("(grep counts lines matching the pattern; logsig leaves out the lines whose own level field says "
              "info/debug, which is why its count is lower)")

        for mode in ("errors", "all"):
            for label, path in (("quarter", quarter), ("full", big)):
                out = subprocess.run(
                    [sys.executable, __file__, "--memory-child", path, whole.start.isoformat(),
                     whole.end.isoformat(), mode],
                    stdout=subprocess.PIPE, text=True, check=True,
                ).stdout.split()
                peak, rss, base_rss, n = (int(x) for x in out)
                print(f"memory, {mode:6s} {label:7s} log: tracemalloc peak {peak / 1e6:.1f} MB, ru_maxrss "
                      f"{rss / 1024:.1f} MB (interpreter before the scan {base_rss / 1024:.1f} MB), {n:,} error lines")


if __name__ == "__main__":
    main()
