"""Key-to-frame latency while a source hangs, against the same with no
source running, side by side in one run (the machine is shared and noisy).

A Prometheus that never answers: a loopback socket that accepts the
connection and never sends a byte (collection keeps waiting: 10 s per try,
3 tries). Collection is started in the Collect pane, then keys are pressed
in the Timeline pane (cursor down/up) and in the Collect pane (`v`, the
next view) while it hangs.

Per frame, not `pilot.pause()`: `App._display` is wrapped to note the time
of every frame handed to the (headless) driver together with what the key
changes (the timeline's cursor row, the Collect pane's view). A figure runs
from the key press until the first frame that shows the change.

    python benchmarks/bench_hung_source.py [--events 2000] [--moves 200] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

from pmtui import store
from pmtui.sample import large_postmortem
from pmtui.ui.app import PmApp


class SilentServer:
    """Accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        self.sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self.held:
            conn.close()
        self.sock.close()


class FrameClock:
    """Every frame's time and the state it shows (read when it is drawn)."""

    def __init__(self, app: PmApp, state) -> None:
        self.frames: list[tuple[float, object]] = []
        self._event = asyncio.Event()
        original = app._display

        def display(screen, update):
            result = original(screen, update)
            self.frames.append((time.perf_counter(), state()))
            self._event.set()
            return result

        app._display = display

    async def frame_showing(self, start: float, wanted, timeout: float = 5.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for at, shown in self.frames:
                if at > start and shown == wanted:
                    return at - start
            self._event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout=0.5)
        raise TimeoutError(f"no frame showing {wanted!r}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _state(app: PmApp):
    timeline = app.panes.get("timeline")
    collect = app.panes.get("collect")
    return (timeline.table.cursor_row if timeline is not None else None,
            collect.view if collect is not None else None)


async def measure(path: Path, hung_url: str | None, moves: int, views: int) -> dict[str, list[float]]:
    doc = store.load(path)
    s = doc.pm.sources
    s.prometheus.url = hung_url or ""
    s.alertmanager.url = ""
    s.kubernetes.deployment = s.kubernetes.selector = ""
    app = PmApp(doc, first_pane="collect", blink=False)
    clock = FrameClock(app, lambda: _state(app))
    out: dict[str, list[float]] = {"timeline cursor": [], "collect view": []}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        collect = app.panes["collect"]
        if hung_url:
            await pilot.press("c")
            await pilot.pause(0.3)
            assert collect.running, "the hung source should be running"
        for _ in range(views):
            before = collect.view
            t0 = time.perf_counter()
            await pilot.press("v")
            assert collect.view != before
            out["collect view"].append(await clock.frame_showing(t0, _state(app)))
        await app.show_pane("timeline")
        await pilot.pause(0.3)
        table = app.panes["timeline"].table
        table.focus()
        await pilot.pause(0.1)
        for i in range(moves):
            key = "down" if (i // 50) % 2 == 0 else "up"
            t0 = time.perf_counter()
            await pilot.press(key)
            out["timeline cursor"].append(await clock.frame_showing(t0, _state(app)))
        if hung_url:
            assert collect.running, "the source stopped hanging before the measurement ended"
            await app.show_pane("collect")
            await pilot.press("x")  # cancel: the worker leaves at its next check
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--views", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="pmtui-bench-hung-"))
    path = folder / "incident.toml"
    store.save(store.new_document(large_postmortem(args.events), path))
    server = SilentServer()
    figures: dict[str, dict[str, list[float]]] = {"no source": {}, "Prometheus hung": {}}
    try:
        # Alternate the two, so drift in the machine's load hits both alike.
        for _ in range(args.rounds):
            for name, url in (("no source", None), ("Prometheus hung", server.url)):
                got = asyncio.run(measure(path, url, args.moves, args.views))
                for key, values in got.items():
                    figures[name].setdefault(key, []).extend(values)
    finally:
        print(f"(the hung server held {len(server.held)} connection(s) that never got an answer)")
        server.close()
    print(f"-- key-to-frame latency, {args.events:,} timeline events, 120x40 headless, "
          f"{args.rounds} rounds alternated --")
    print(f"{'':18s} {'no source':>22s} {'Prometheus hung':>22s} {'ratio p95':>10s}")
    for key in ("timeline cursor", "collect view"):
        a, b = figures["no source"][key], figures["Prometheus hung"][key]
        cell = lambda v: f"p50 {statistics.median(v) * 1000:5.1f} p95 {pct(v, 95) * 1000:5.1f} ms"  # noqa: E731
        print(f"{key:18s} {cell(a):>22s} {cell(b):>22s} {pct(b, 95) / pct(a, 95):9.2f}x   (n={len(a)}/{len(b)})")


if __name__ == "__main__":
    main()
