"""Report and checks on big timelines: prints figures, asserts nothing.

    python benchmarks/bench_report.py

The live preview re-renders one section on each edit and a screenful of
timeline rows on scroll; these figures show what each costs at 1,000 and
10,000 events, side by side in one run (the machine is shared and noisy).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from pmtui import checks, report
from pmtui.model import PostMortem, TimelineEvent
from pmtui.sample import CHECKED_AT, complete_postmortem


def doc(n: int, hostile: bool):
    pm = complete_postmortem()
    start = datetime(2025, 2, 9, 10, 0, tzinfo=UTC)
    kinds = ("symptom", "detection", "action", "mitigation", "communication", "resolution")
    pm.timeline = [
        TimelineEvent(start + timedelta(milliseconds=250 * i),
                      f"event {i} | pool 20/20 <wait> `x`" if hostile else f"event {i}: pool 20/20 in use",
                      "Prometheus", "@alice" if i % 3 else "", kinds[i % len(kinds)])
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


def domain_figures() -> None:
    print("report and checks (domain), best of 5:")
    print(f"{'text':>7}  {'events':>7}  {'render':>9}  {'timeline':>9}  {'one section':>11}  {'50 rows':>9}  "
          f"{'checks':>9}")
    for hostile, n in ((False, 1_000), (False, 10_000), (True, 1_000), (True, 10_000)):
        pm = doc(n, hostile)
        events = report.sorted_timeline(pm)
        full = best(partial(report.render, pm))
        tl = best(partial(report.render_section, pm, "timeline"))
        one = best(partial(report.render_section, pm, "summary"))
        rows = best(partial(report.render_timeline_rows, events[n // 2 : n // 2 + 50], pm.incident_date))
        chk = best(partial(checks.run, pm, now=CHECKED_AT))
        label = "escaped" if hostile else "plain"
        print(f"{label:>7}  {n:>7}  {full * 1000:>7.1f}ms  {tl * 1000:>7.1f}ms  {one * 1000:>9.3f}ms  "
              f"{rows * 1000:>7.2f}ms  {chk * 1000:>7.1f}ms")



# -- the Report pane: live preview latency and blocked frames -----------------


@dataclass
class HeldDocument:
    """What PmApp needs of a store.Document, for a run that never saves."""

    path: Path
    pm: PostMortem


async def workers_idle(app) -> None:
    """Wait for every worker to finish or be cancelled (wait_for_complete
    raises for the ones an exclusive worker replaced)."""
    import asyncio

    from textual.worker import WorkerState

    while any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
        await asyncio.sleep(0.005)


def _frame(app) -> float:
    """Compose one full frame of the screen as Textual would paint it (what
    export_screenshot does); returns the seconds it took."""
    t0 = time.perf_counter()
    app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return time.perf_counter() - t0


async def _pane_run(n: int, size=(160, 48)) -> dict:
    import asyncio
    import tempfile

    from pmtui.ui.app import PmApp
    from pmtui.ui.panes.report import ReportPane

    pm = doc(n, False)
    folder = Path(tempfile.mkdtemp(prefix="bench-report-"))
    app = PmApp(HeldDocument(folder / "bench.toml", pm), first_pane="report", now=lambda: CHECKED_AT, blink=False)
    out: dict = {}
    async with app.run_test(size=size) as pilot:
        while not app.query(ReportPane) or app.query_one(ReportPane).preview_revision < 0:
            await asyncio.sleep(0.001)
        await workers_idle(app)
        await pilot.pause()
        pane = app.query_one(ReportPane)
        session = app.session

        async def edit_and_wait(area: str, obj, attr: str, value) -> float:
            t0 = time.perf_counter()
            session.set(area, "bench", obj, attr, value)
            while pane.preview_revision < session.revision:
                await asyncio.sleep(0.001)
            _frame(app)
            return time.perf_counter() - t0

        # Edits in the areas a user works in while the report is open; the
        # timeline edit is the heaviest (re-sort of every event).
        lat: dict[str, list[float]] = {"timeline": [], "analysis": [], "overview": []}
        for i in range(15):
            ev = pm.timeline[(i * 7919) % n]
            lat["timeline"].append(await edit_and_wait("timeline", ev, "event", f"edited {i}"))
            lat["analysis"].append(await edit_and_wait("analysis", pm, "problem", f"problem {i}"))
            lat["overview"].append(await edit_and_wait("overview", pm, "summary", f"summary {i}"))
            await workers_idle(app)
        out["latency"] = {k: (sorted(v)[len(v) // 2], max(v)) for k, v in lat.items()}

        # Typing: one edit per keystroke every 30 ms (a fast typist) for 3 s,
        # while a heartbeat measures how late the event loop runs: the worst
        # lateness is the longest any frame was blocked.
        worst = 0.0
        stop = False

        async def heartbeat() -> None:
            nonlocal worst
            while not stop:
                t0 = time.perf_counter()
                await asyncio.sleep(0.005)
                worst = max(worst, time.perf_counter() - t0 - 0.005)

        # The same heartbeat with nobody typing: what the shared machine
        # alone costs, printed beside the figure for scale.
        beat = asyncio.create_task(heartbeat())
        await asyncio.sleep(3.0)
        stop = True
        await beat
        out["idle_blocked"] = worst
        worst, stop = 0.0, False
        beat = asyncio.create_task(heartbeat())
        ev = pm.timeline[n // 2]
        text = ""
        for i in range(100):
            text += "abcdefghij"[i % 10]
            session.set("timeline", "typing", ev, "event", text)
            session.set("overview", "typing", pm, "summary", text)
            await asyncio.sleep(0.03)
        await workers_idle(app)
        stop = True
        await beat
        out["blocked"] = worst
        out["updates_while_typing"] = pane.sections_rendered
    return out


def pane_figures() -> None:
    import asyncio

    print()
    print("Report pane (PmApp headless at 160x48): edit -> preview updated + one full frame composed")
    print(f"{'events':>7}  {'timeline edit':>18}  {'analysis edit':>18}  {'overview edit':>18}  "
          f"{'blocked: typing / idle':>24}")
    for n in (1_000, 10_000):
        r = asyncio.run(_pane_run(n))
        cells = "  ".join(f"{med * 1000:6.1f} / {mx * 1000:6.1f} ms" for med, mx in r["latency"].values())
        print(f"{n:>7}  {cells}  {r['blocked'] * 1000:11.1f} / {r['idle_blocked'] * 1000:5.1f} ms")
    print("(latency cells: median / worst of 15 edits; target 100 ms at 1,000 events, 300 ms at 10,000;")
    print(" blocked: the event loop's worst lateness while typing (a timeline event and the summary edited")
    print(" every 30 ms for 3 s) / while idle for 3 s, side by side so the shared machine's own stalls show;")
    print(" target: no frame blocked over 100 ms while typing)")


def main() -> None:
    which = sys.argv[1:] or ["domain", "pane"]
    if "domain" in which:
        domain_figures()
    if "pane" in which:
        pane_figures()


if __name__ == "__main__":
    main()
