"""A metric as a line chart on a time axis, in braille dots, with the
incident's detected / mitigated / resolved moments as vertical marks.

Our own widget rather than textual-plotext: plotext builds its canvas in
pure Python per point and per cell, 4-6 ms for 240 points and 72 ms for the
11,000 a Prometheus answer may hold, on every redraw (resize, theme);
`plot` bins the samples per dot column first, so its cost is one pass over
the samples plus the cells: 0.3-0.6 ms at 240 points, 6.7 ms at 11,000,
about 10x faster at every size (benchmarks/bench_chart.py prints both side
by side). The plot is a pure function of the samples and the size (`plot`),
which the benchmark times without a screen.
Labels the chart draws are numbers and times only: series labels (text
from outside) are shown by the caller, through textsafe.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

# Dot (x in 0..1, y in 0..3 from the top) -> its bit in a braille cell.
_DOT = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
_TICK_MINUTES = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080)
MARK_NAMES = ("detected", "mitigated", "resolved")


@dataclass(frozen=True)
class Mark:
    name: str  # row | detected | mitigated | resolved: its style is chart--<name>
    when: datetime
    letter: str


@dataclass
class Plot:
    """What the widget draws: one text per line, and the style of each
    span as (start, end, style name) in cells."""

    lines: list[str]
    spans: list[list[tuple[int, int, str]]] = field(default_factory=list)


def fmt_value(v: float) -> str:
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e6 or a < 1e-3:
        return f"{v:.2g}"
    if a >= 1e3:
        return f"{v / 1e3:.3g}k"
    return f"{v:.3g}"


def _ticks(t0: float, t1: float, room: int) -> list[float]:
    """Round clock times (whole minutes of a step from _TICK_MINUTES) from
    t0 to t1, at most `room` of them."""
    span = max(1.0, t1 - t0)
    for minutes in _TICK_MINUTES:
        step = minutes * 60
        if span / step <= max(1, room):
            first = math.ceil(t0 / step) * step
            return [first + i * step for i in range(int((t1 - first) // step) + 1)]
    return [t0]


def _extent(samples: Sequence[tuple[float, float]], marks: Sequence[Mark],
            span: tuple[float, float] | None) -> tuple[float, float, float, float]:
    """(first time, last time, lowest value, highest value) to draw: the
    span asked for, widened to hold every mark."""
    if span is not None:
        t0, t1 = span
    elif samples:
        t0, t1 = samples[0][0], samples[-1][0]
    else:
        t0, t1 = 0.0, 1.0
    for mark in marks:  # the marks stay in view even when outside the data
        ts = mark.when.timestamp()
        t0, t1 = min(t0, ts), max(t1, ts)
    if t1 <= t0:
        t1 = t0 + 60.0
    values = [v for _, v in samples if not math.isnan(v)]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    if hi == lo:
        lo, hi = lo - 1 if lo else -1.0, hi + 1 if hi else 1.0
    return t0, t1, lo, hi


def _dots(samples: Sequence[tuple[float, float]], cols: int, rows: int,
          extent: tuple[float, float, float, float]) -> list[list[int]]:
    """The braille bits of each cell. Per dot column, the samples' lowest
    and highest dot are joined, and to the column before (unless the data
    has a gap there: NaN, or no sample for over 2.5 steps)."""
    t0, t1, lo, hi = extent
    dots_x, dots_y = cols * 2, rows * 4
    scale_t, scale_v = (dots_x - 1) / (t1 - t0), (dots_y - 1) / (hi - lo)
    low: list[int | None] = [None] * dots_x
    high = [0] * dots_x
    last = [0] * dots_x
    joined = [False] * dots_x
    step = min((b[0] - a[0] for a, b in itertools.pairwise(samples) if b[0] > a[0]), default=0.0)
    prev_t: float | None = None
    for t, v in samples:
        if math.isnan(v):
            prev_t = None
            continue
        x = round((t - t0) * scale_t)
        if not 0 <= x < dots_x:
            continue
        y = dots_y - 1 - round((v - lo) * scale_v)
        have = low[x]
        if have is None:
            low[x] = high[x] = y
            joined[x] = prev_t is not None and not (step > 0 and t - prev_t > 2.5 * step)
        else:
            low[x], high[x] = min(have, y), max(high[x], y)
        last[x] = y
        prev_t = t
    grid = [[0] * cols for _ in range(rows)]
    before: int | None = None
    for x in range(dots_x):
        a = low[x]
        if a is None:
            continue
        b = high[x]
        if before is not None and joined[x]:
            a, b = min(a, before), max(b, before)
        bits = _DOT[x & 1]
        for y in range(a, b + 1):
            grid[y >> 2][x >> 1] |= bits[y & 3]
        before = last[x]
    return grid


def _time_axis(t0: float, t1: float, cols: int, left: int) -> tuple[str, str]:
    scale = (cols * 2 - 1) / (t1 - t0)
    axis = ["\u2500"] * cols
    under = [" "] * (cols + 6)
    for tick in _ticks(t0, t1, cols // 8):
        col = round((tick - t0) * scale) >> 1
        if 0 <= col < cols:
            axis[col] = "\u252c"
            text = datetime.fromtimestamp(tick, UTC).strftime("%H:%M")
            start = max(0, min(col - 2, cols - 5))
            if all(ch == " " for ch in under[max(0, start - 1) : start + 6]):
                under[start : start + 5] = text
    return " " * (left - 1) + "\u2514" + "".join(axis), " " * left + "".join(under[:cols])


def plot(samples: Sequence[tuple[float, float]], width: int, height: int, marks: Sequence[Mark] = (),
         span: tuple[float, float] | None = None) -> Plot:
    """The chart of `samples` ((unix time, value), in time order; NaN is a
    gap) in `width` x `height` cells: a row of mark letters on top, the
    plot, an axis line and a row of times under it, values on the left."""
    extent = _extent(samples, marks, span)
    t0, t1, lo, hi = extent
    labels = [fmt_value(hi), fmt_value((hi + lo) / 2), fmt_value(lo)]
    left = max(len(x) for x in labels) + 1
    cols, rows = max(4, width - left), max(2, height - 3)
    grid = _dots(samples, cols, rows, extent)
    scale_t = (cols * 2 - 1) / (t1 - t0)
    mark_cols = {max(0, min(cols - 1, round((m.when.timestamp() - t0) * scale_t) >> 1)): m for m in marks}
    top = [" "] * cols
    for col, mark in mark_cols.items():
        top[col] = mark.letter
    lines = [" " * left + "".join(top)]
    spans = [[(left + col, left + col + 1, f"chart--{m.name}") for col, m in sorted(mark_cols.items())]]
    for r in range(rows):
        label = labels[0] if r == 0 else labels[2] if r == rows - 1 else labels[1] if r == rows // 2 else ""
        cells = []
        row_spans: list[tuple[int, int, str]] = [(0, left, "chart--axis")]
        for c, bits in enumerate(grid[r]):
            if bits:
                cells.append(chr(0x2800 + bits))
                row_spans.append((left + c, left + c + 1, "chart--line"))
            elif c in mark_cols:
                cells.append("\u2502")
                row_spans.append((left + c, left + c + 1, f"chart--{mark_cols[c].name}"))
            else:
                cells.append(" ")
        lines.append(label.rjust(left - 1) + " " + "".join(cells))
        spans.append(row_spans)
    axis, under = _time_axis(t0, t1, cols, left)
    lines += [axis, under]
    spans += [[(0, left + cols, "chart--axis")], [(0, left + cols, "chart--axis")]]
    return Plot(lines, spans)


class TimeChart(Widget):
    """One series over time (see the module's docstring). Redrawn from
    `plot` when its size or theme changes; scrolling past it costs nothing."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "chart--line", "chart--axis", "chart--row", "chart--detected", "chart--mitigated", "chart--resolved",
    }
    DEFAULT_CSS = """
    TimeChart { height: 12; }
    TimeChart > .chart--line { color: $primary; }
    TimeChart > .chart--axis { color: $text-muted; }
    TimeChart > .chart--row { color: $text; text-style: bold; }
    TimeChart > .chart--detected { color: $warning; text-style: bold; }
    TimeChart > .chart--mitigated { color: $accent; text-style: bold; }
    TimeChart > .chart--resolved { color: $success; text-style: bold; }
    """

    def __init__(self, samples: Sequence[tuple[float, float]], marks: Sequence[Mark] = (), *,
                 span: tuple[float, float] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.samples = samples
        self.marks = list(marks)
        self.span = span
        self._strips: list[Strip] = []
        self._drawn: tuple[int, int, Style] | None = None
        self.render_ms = 0.0  # the last redraw, for the benchmark and tests

    def _draw(self) -> None:
        import time

        width, height = self.size
        base = self.rich_style
        key = (width, height, base)
        if key == self._drawn:
            return
        t = time.perf_counter()
        chart = plot(self.samples, width, height, self.marks, self.span)
        styles = {name: base + self.get_component_rich_style(name, partial=True) for name in self.COMPONENT_CLASSES}
        strips = []
        for text, row_spans in zip(chart.lines, chart.spans, strict=True):
            segments = []
            pos = 0
            for start, end, name in row_spans:
                if start > pos:
                    segments.append(Segment(text[pos:start], base))
                segments.append(Segment(text[start:end], styles[name]))
                pos = end
            if pos < len(text):
                segments.append(Segment(text[pos:], base))
            strips.append(Strip(segments).adjust_cell_length(width, base))
        self._strips = strips
        self._drawn = key
        self.render_ms = (time.perf_counter() - t) * 1000

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn = None

    def render_line(self, y: int) -> Strip:
        self._draw()
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.rich_style)
