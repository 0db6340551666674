"""The evidence viewer's metric chart: pmtui's braille TimeChart against
plotext (what textual-plotext draws with), side by side, on one series of
240, 2,000 and 11,000 points (a Prometheus answer holds at most ~11,000)
with the incident's detected / mitigated / resolved marks, at the chart
sizes of an 80x24 and a 160x48 terminal.

  pmtui    ui.widgets.chart.plot: the text and styles of every line
  plotext  plt.build() of the same plot (line, three vertical lines, time ticks)

and prints the median time of each and the ratio. The widget's own redraw
(plot plus strips) is timed by the app: TimeChart.render_ms.
plotext comes with the `bench` extra: pip install -e '.[bench]'
Run: python benchmarks/bench_chart.py [--rounds R]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from datetime import UTC, datetime, timedelta

from pmtui.ui.widgets.chart import Mark, plot

START = datetime(2025, 2, 9, 9, 30, tzinfo=UTC)
MARKS = [Mark("detected", START + timedelta(minutes=36), "D"), Mark("mitigated", START + timedelta(minutes=52), "M"),
         Mark("resolved", START + timedelta(minutes=70), "R")]
SIZES = [(72, 12), (152, 30)]  # the chart inside the viewer at 80x24 and 160x48


def series(n: int) -> list[tuple[float, float]]:
    t0, span = START.timestamp(), 2.5 * 3600
    return [(t0 + span * i / n, 0.01 + (0.4 if 0.24 < i / n < 0.47 else 0) + 0.005 * math.sin(i / 7))
            for i in range(n)]


def timed(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def plotext_build(samples: list[tuple[float, float]], width: int, height: int):
    import plotext as plt

    def run() -> str:
        plt.clf()
        plt.plotsize(width, height)
        xs, ys = [t for t, _ in samples], [v for _, v in samples]
        plt.plot(xs, ys, marker="braille")
        for mark in MARKS:
            plt.vline(mark.when.timestamp())
        ticks = [xs[0] + (xs[-1] - xs[0]) * k / 5 for k in range(6)]
        plt.xticks(ticks, [datetime.fromtimestamp(t, UTC).strftime("%H:%M") for t in ticks])
        return plt.build()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    import importlib.util

    have_plotext = importlib.util.find_spec("plotext") is not None
    print(f"{'points':>7} {'size':>7} {'pmtui ms':>9} {'plotext ms':>11} {'ratio':>7}")
    for n in (240, 2000, 11000):
        samples = series(n)
        for width, height in SIZES:
            ours = timed(lambda s=samples, w=width, h=height: plot(s, w, h, MARKS), args.rounds)
            theirs = timed(plotext_build(samples, width, height), args.rounds) if have_plotext else float("nan")
            print(f"{n:>7,} {width:>3}x{height:<3} {ours:>9.2f} {theirs:>11.2f} {theirs / ours:>6.1f}x")


if __name__ == "__main__":
    main()
