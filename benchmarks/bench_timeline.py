"""Timeline pane figures on big post-mortems, per frame.

Each figure runs from the moment of the action until the app hands the
next frame to its (headless) driver: `App._display` is wrapped to note the
time of every frame. Not `pilot.pause()`, which always sleeps >= 20 ms.

    python benchmarks/bench_timeline.py [--events 10000] [--stretch]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from pmtui import store
from pmtui.sample import large_postmortem
from pmtui.ui.app import PmApp


class FrameClock:
    def __init__(self, app: PmApp) -> None:
        self.frames: list[float] = []
        self._event = asyncio.Event()
        original = app._display

        def display(screen, update):
            result = original(screen, update)
            self.frames.append(time.perf_counter())
            self._event.set()
            return result

        app._display = display

    async def next_frame_after(self, start: float, timeout: float = 5.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            later = [f for f in self.frames if f > start]
            if later:
                return later[0] - start
            self._event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout=0.5)
        raise TimeoutError("no frame")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(events: int, moves: int, edits: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="pmtui-bench-"))
    path = folder / "big.toml"
    store.save(store.new_document(large_postmortem(events), path))

    start = time.perf_counter()
    document = store.load(path)
    loaded = time.perf_counter() - start
    app = PmApp(document, first_pane="timeline", blink=False)
    clock = FrameClock(app)
    results: dict[str, float] = {"load file": loaded}
    async with app.run_test(size=(120, 40)) as pilot:
        # First interactive frame: the first frame showing the table's rows.
        while not ("timeline" in app.panes and app.panes["timeline"].table.rows and clock.frames):
            await asyncio.sleep(0.001)
        first = await clock.next_frame_after(start)
        while not app.panes["timeline"].table.rows:
            await asyncio.sleep(0.001)
        results["open to first interactive frame"] = clock.frames[-1] - start
        results["first frame (any)"] = first
        await pilot.pause(0.2)
        pane = app.panes["timeline"]
        table = pane.table

        move_lat = []
        for i in range(moves):
            key = "down" if (i // 50) % 2 == 0 else "up"
            t0 = time.perf_counter()
            await pilot.press(key)
            move_lat.append(await clock.next_frame_after(t0))
        page_lat = []
        for i in range(20):
            t0 = time.perf_counter()
            await pilot.press("pagedown" if i % 2 == 0 else "pageup")
            page_lat.append(await clock.next_frame_after(t0))

        edit_lat = []
        undo_lat = []
        for i in range(edits):
            table.move_cursor(events // 2)
            await pilot.pause(0.05)
            row = table.cursor_value
            t0 = time.perf_counter()
            pane.update_event(row, {"time": row.time + timedelta(hours=1 + i % 3)})  # re-sorts
            edit_lat.append(await clock.next_frame_after(t0))
            assert table.cursor_value is row
            t0 = time.perf_counter()
            await pilot.press("ctrl+z")
            undo_lat.append(await clock.next_frame_after(t0))

        filter_lat = []
        await pilot.press("slash")
        for ch in "pod api-1":
            t0 = time.perf_counter()
            await pilot.press("space" if ch == " " else ch)
            filter_lat.append(await clock.next_frame_after(t0))

    results["cursor move p50"] = statistics.median(move_lat)
    results["cursor move p95"] = pct(move_lat, 95)
    results["cursor move max"] = max(move_lat)
    results["page down/up p95"] = pct(page_lat, 95)
    results["edit + re-sort p95"] = pct(edit_lat, 95)
    results["edit + re-sort max"] = max(edit_lat)
    results["undo p95"] = pct(undo_lat, 95)
    results["filter keystroke p95"] = pct(filter_lat, 95)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--stretch", action="store_true", help="also 100,000 events")
    args = parser.parse_args()
    sizes = [args.events] + ([100_000] if args.stretch else [])
    targets = {
        "open to first interactive frame": 1.0,
        "cursor move p95": 0.016,
        "edit + re-sort p95": 0.050,
    }
    for n in sizes:
        results = asyncio.run(measure(n, args.moves, args.edits))
        print(f"-- {n:,} events (120x40 headless) --")
        for name, value in results.items():
            target = targets.get(name)
            note = f"  (target < {target * 1000:.0f} ms)" if target and n == 10_000 else ""
            print(f"{name:34s} {value * 1000:8.1f} ms{note}")


if __name__ == "__main__":
    main()
