"""Report and checks on big timelines: prints figures, asserts nothing.

    python benchmarks/bench_report.py

The live preview re-renders one section on each edit and a screenful of
timeline rows on scroll; these figures show what each costs at 1,000 and
10,000 events, side by side in one run (the machine is shared and noisy).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support_doc import NOW, good_pm  # noqa: E402

from pmtui import checks, report  # noqa: E402
from pmtui.model import TimelineEvent  # noqa: E402


def doc(n: int, hostile: bool):
    pm = good_pm()
    start = datetime(2025, 2, 9, 10, 0, tzinfo=UTC)
    kinds = ("symptom", "detection", "action", "mitigation", "communication", "resolution")
    pm.timeline = [
        TimelineEvent(start + timedelta(milliseconds=250 * i), f"event {i} | pool 20/20 <wait> `x`" if hostile else f"event {i}: pool 20/20 in use", "Prometheus",
                      "@alice" if i % 3 else "", kinds[i % len(kinds)])
        for i in range(n)
    ]
    pm.times.resolved = pm.timeline[-1].time
    return pm


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    print(f"{'text':>7}  {'events':>7}  {'render':>9}  {'timeline':>9}  {'one section':>11}  {'50 rows':>9}  {'checks':>9}")
    for hostile, n in ((False, 1_000), (False, 10_000), (True, 1_000), (True, 10_000)):
        pm = doc(n, hostile)
        events = report.sorted_timeline(pm)
        full = best(lambda: report.render(pm))
        tl = best(lambda: report.render_section(pm, "timeline"))
        one = best(lambda: report.render_section(pm, "summary"))
        rows = best(lambda: report.render_timeline_rows(events[n // 2 : n // 2 + 50], pm.incident_date))
        chk = best(lambda: checks.run(pm, now=NOW))
        label = "escaped" if hostile else "plain"
        print(f"{label:>7}  {n:>7}  {full * 1000:>7.1f}ms  {tl * 1000:>7.1f}ms  {one * 1000:>9.3f}ms  {rows * 1000:>7.2f}ms  {chk * 1000:>7.1f}ms")


if __name__ == "__main__":
    main()
