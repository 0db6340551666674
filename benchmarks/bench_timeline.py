"""Timeline pane figures on big post-mortems: per-frame latency of every
kind of edit, and the worst blocked loop while doing it.

Each latency runs from the moment of the action until the app hands the
next frame to its (headless) driver: `App._display` is wrapped to note the
time of every frame. Not `pilot.pause()`, which always sleeps >= 20 ms.
Beside it a heartbeat (a task sleeping 5 ms at a time on the app's loop)
measures how late the loop ran: the longest any frame could have waited,
which also catches work done after the frame (a re-sort, a journal write)
that the latency alone would miss. The UI thread's CPU time from the
action to its frame is given too ("CPU to frame", time.thread_time): on a shared machine the wall figures
also hold the time spent waiting for a core, and this one does not.

The file is opened as `pmtui FILE` opens it (store.Loading: the first
screen of rows before the rest is read), with the journal and the saver
running as in real use.

    python benchmarks/bench_timeline.py [--events 10000 100000] [--src DIR]

`--src DIR` measures another checkout's sources (for before/after runs
side by side: `--src /path/to/main/src`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path


def _use_sources() -> None:
    if "--src" in sys.argv:
        sys.path.insert(0, sys.argv[sys.argv.index("--src") + 1])


_use_sources()

from pmtui import store  # noqa: E402
from pmtui.model import TimelineEvent  # noqa: E402
from pmtui.sample import large_postmortem  # noqa: E402
from pmtui.ui.app import PmApp  # noqa: E402


class FrameClock:
    def __init__(self, app: PmApp) -> None:
        self.frames: list[float] = []
        self.frames_cpu: list[float] = []  # the UI thread's CPU time at each frame
        self._event = asyncio.Event()
        original = app._display

        def display(screen, update):
            result = original(screen, update)
            self.frames.append(time.perf_counter())
            self.frames_cpu.append(time.thread_time())
            self._event.set()
            return result

        app._display = display

    def cpu_at_frame_after(self, start: float) -> float:
        return next(c for f, c in zip(self.frames, self.frames_cpu, strict=True) if f > start)

    async def next_frame_after(self, start: float, timeout: float = 10.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            later = [f for f in self.frames if f > start]
            if later:
                return later[0] - start
            self._event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout=0.5)
        raise TimeoutError("no frame")


class Heartbeat:
    """The loop's worst lateness while `with beat:` is open."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task | None = None
        self._on = False

    async def _run(self) -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(0.005)
            if self._on:
                self.worst = max(self.worst, time.perf_counter() - t0 - 0.005)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def measure(self) -> Heartbeat:
        self.worst = 0.0
        self._on = True
        return self

    def stop(self) -> float:
        self._on = False
        return self.worst


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def settle(app: PmApp, pilot, seconds: float = 0.3) -> None:
    """Let the journal and any background work finish."""
    await pilot.pause(seconds)
    guard = getattr(app, "guard", None)
    writer = getattr(guard, "writer", None)
    if writer is not None:
        writer.flush(force=False)
        writer.wait()
    saver = getattr(app, "_saver", None)
    if saver is not None:
        await saver.idle()
    await pilot.pause(0.05)


async def measure(events: int, edits: int, only: str = "all") -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="pmtui-bench-"))
    os.environ["XDG_STATE_HOME"] = str(folder / "state")
    path = folder / "big.toml"
    store.save(store.new_document(large_postmortem(events), path))

    start = time.perf_counter()
    loading_cls = getattr(store, "Loading", None)
    if loading_cls is not None:
        loading = loading_cls(path)
        if loading.done:
            loading.finish()
        app = PmApp(loading.document, loading=loading, first_pane="timeline", blink=False)
    else:  # a checkout before store.Loading: the whole file first
        app = PmApp(store.load(path), first_pane="timeline", blink=False)
    clock = FrameClock(app)
    results: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        while not ("timeline" in app.panes and app.panes["timeline"].table.rows and clock.frames):
            await asyncio.sleep(0.001)
        results["open: first frame with rows"] = clock.frames[0] - start
        beat = Heartbeat()
        beat.start()
        beat.measure()
        while getattr(app, "loading", None) is not None or getattr(app, "guard", None) is None:
            await asyncio.sleep(0.005)
        results["open: every row read"] = time.perf_counter() - start
        results["open: worst blocked while reading"] = beat.stop()
        await settle(app, pilot, 0.5)
        pane = app.panes["timeline"]
        table = pane.table
        lat: dict[str, list[float]] = {}
        worst: dict[str, float] = {}

        async def timed(name: str, action, *, wait: float = 0.12, applied: list[float] | None = None,
                        built=None) -> None:
            await settle(app, pilot, 0.05)
            beat.measure()
            cpu0 = time.thread_time()
            t0 = time.perf_counter()
            before = len(applied) if applied is not None else 0
            result = action()
            if asyncio.iscoroutine(result):
                await result
            lat.setdefault(name, []).append(await clock.next_frame_after(t0))
            lat.setdefault(f"{name}: CPU to frame", []).append(clock.cpu_at_frame_after(t0) - cpu0)
            if applied is not None:  # and the frame after the view was rebuilt for it
                lat.setdefault(f"{name}: rows shown", []).append(await rows_shown(clock, applied, before, t0))
            await after_frame(wait, built)
            worst[name] = max(worst.get(name, 0.0), beat.stop())

        edits_on = only == "all"
        for i in range(60 if edits_on else 0):
            await timed("cursor move", lambda i=i: pilot.press("down" if (i // 20) % 2 == 0 else "up"), wait=0.0)
        for i in range(10 if edits_on else 0):
            await timed("page down/up", lambda i=i: pilot.press("pagedown" if i % 2 == 0 else "pageup"), wait=0.0)
        for i in range(edits if only in ("all", "edits") else 0):
            table.move_cursor(events // 2)
            await pilot.pause(0.05)
            row = table.cursor_value
            await timed("edit + re-sort", lambda row=row, i=i: pane.update_event(
                row, {"time": row.time + timedelta(hours=1 + i % 3)}))
            await timed("undo", lambda: pilot.press("ctrl+z"))
            await timed("redo", lambda: pilot.press("ctrl+y"))
            await timed("undo", lambda: pilot.press("ctrl+z"))
            new = TimelineEvent(row.time, f"inserted {i}", kind="action")
            await timed("insert row", lambda new=new: pane.insert_event(new))
            await timed("delete row", lambda: pilot.press("x"))
            await timed("save (ctrl+s)", lambda: pilot.press("ctrl+s"), wait=0.4)
        await settle(app, pilot, 0.3)
        if only == "edits":
            return _summary(results, lat, worst)
        if only in ("all", "filter"):
            applied = rebuilds(pane)
            await pilot.press("slash")
            for ch in "pod api-1":
                await timed("filter keystroke", lambda ch=ch: pilot.press("space" if ch == " " else ch), wait=0.03,
                            applied=applied)
            await settle(app, pilot, 0.5)
            for _ in range(3):
                await timed("filter keystroke (backspace)", lambda: pilot.press("backspace"), wait=0.03,
                            applied=applied)
            await pilot.press("escape")
            await settle(app, pilot, 0.3)
        await switch_panes(timed, pilot, beat, results, only)
    return _summary(results, lat, worst)


async def rows_shown(clock: FrameClock, applied: list[float], before: int, t0: float) -> float:
    """From t0 to the first frame after the pane's next rebuild."""
    while len(applied) == before and time.perf_counter() - t0 < 10:
        await asyncio.sleep(0.001)
    shown = applied[before]
    return shown - t0 + await clock.next_frame_after(shown)


def rebuilds(pane) -> list[float]:
    """When the pane rebuilt its view (a filter typed is applied on the
    frame after the keystroke's: "rows shown" times the frame after that;
    a checkout that filters in the keystroke's handler rebuilds at once)."""
    times: list[float] = []
    original = pane._rebuild

    def rebuild(*args, **kwargs):
        original(*args, **kwargs)
        times.append(time.perf_counter())

    pane._rebuild = rebuild
    return times


def _summary(results: dict[str, float], lat: dict[str, list[float]], worst: dict[str, float]) -> dict[str, float]:
    for name, values in lat.items():
        results[f"{name} p50"] = statistics.median(values)
        results[f"{name} p95"] = pct(values, 95)
        if name in worst:
            results[f"{name} worst blocked"] = worst[name]
    return results


async def switch_panes(timed, pilot, beat: Heartbeat, results: dict[str, float], only: str) -> None:
    keys = {"overview": "1", "collect": "2", "timeline": "3", "analysis": "4", "actions": "5", "report": "6"}
    order = ("report", "analysis", "overview", "timeline", "report", "timeline")
    if only == "switch":  # every pane once (a first showing), then back and forth
        order = ("report", "analysis", "overview", "actions", "collect", "timeline", "report", "timeline")
    for name in order if only in ("all", "switch") else ():
        await timed("pane switch", lambda name=name: pilot.press(keys[name]), wait=0.3,
                    built=lambda name=name: _built(pilot.app, name))
        if only == "switch":
            results[f"pane switch to {name} worst blocked"] = max(
                results.get(f"pane switch to {name} worst blocked", 0.0), beat.worst)


async def after_frame(wait: float, built) -> None:
    """What follows the frame (journal, re-sort) counts as blocking too; a
    pane that builds itself in steps (`built()` False until done): every
    step of it, and `wait` after the last."""
    await asyncio.sleep(wait)
    start = time.perf_counter()
    if built is not None and not built():
        while not built() and time.perf_counter() - start < 10:
            await asyncio.sleep(0.01)
        await asyncio.sleep(wait)


def _built(app: PmApp, name: str) -> bool:
    """The pane is built all the way (the Overview's form, built after its
    first frame, is laid out and wrapped)."""
    shown = getattr(app.panes.get(name), "form_shown", None)
    return shown is None or shown.is_set()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--edits", type=int, default=8)
    parser.add_argument("--only", choices=("all", "filter", "switch", "edits"), default="all",
                        help="filter / switch: open the file and type the filter, or switch panes, only "
                             "(quicker rounds; switch also shows every pane once, with each one's figure); "
                             "edits: the edit, undo, redo, insert, delete and save rounds only")
    parser.add_argument("--src", default=None, help="the sources to measure (another checkout's src/)")
    args = parser.parse_args()
    targets = {
        "undo p95": 0.016, "redo p95": 0.016, "filter keystroke p95": 0.016, "cursor move p95": 0.016,
    }
    for n in args.events:
        results = asyncio.run(measure(n, args.edits, args.only))
        print(f"-- {n:,} events (120x40 headless) --")
        for name, value in results.items():
            target = targets.get(name)
            note = f"  (target < {target * 1000:.0f} ms)" if target else ""
            if "worst blocked" in name:
                note = "  (target < 50 ms)"
            print(f"{name:40s} {value * 1000:8.1f} ms{note}")


if __name__ == "__main__":
    main()
