"""Change detection on a metric series: when did it leave its baseline and
when did it come back?

The baseline is the first part of the collection window (which by default
starts 30 minutes before the incident). Robust statistics keep one spike in
that part from moving it: the median, and the median absolute deviation
(MAD, scaled by 1.4826 to match a standard deviation on normal data).

A series has *left* the baseline when `MIN_RUN` consecutive samples lie
beyond median ± K·MAD, and has *returned* when `MIN_RUN` consecutive
samples lie within median ± K_BACK·MAD (K_BACK < K: hysteresis, so a
series hovering at the threshold does not flap). Each event carries the
time of the first sample of its run.

The distances are never smaller than 10 % (leave) and 5 % (return) of the
series' whole range, so a baseline that is perfectly flat (MAD = 0, e.g.
no errors at all) still needs a real rise, not one stray request, to count;
nor smaller than 10 % / 5 % of the baseline itself, so a smooth series
(a 5-minute rate) moving by 1 % is not an event.

The edges of the data are not changes: the first range of a `rate()` (its
window not yet full) and the last range of a series that stops inside the
collection window are left out (`trim_edges`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

K = 5.0
K_BACK = 2.5
MIN_RUN = 2
BASELINE_FRACTION = 0.2
MIN_BASELINE_SAMPLES = 5
LEAVE_FLOOR = 0.10
BACK_FLOOR = 0.05
MAD_SCALE = 1.4826


@dataclass(frozen=True)
class Change:
    time: datetime
    direction: str  # "rose" | "fell" | "returned"
    value: float
    baseline: float


def baseline_of(samples: list[tuple[datetime, float]], start: datetime, end: datetime) -> list[float]:
    cut = start + (end - start) * BASELINE_FRACTION
    values = [v for t, v in samples if t < cut]
    if len(values) < MIN_BASELINE_SAMPLES:
        values = [v for _, v in samples[:MIN_BASELINE_SAMPLES]]
    return values


def trim_edges(samples: list[tuple[datetime, float]], end: datetime, warmup: float,
               step: float) -> list[tuple[datetime, float]]:
    """No artefacts of the data's edges: drop the first `warmup` seconds of
    a series (a `rate(x[5m])` is not whole until 5 minutes of x exist) and,
    for a series that stops before the window's end, its last `warmup`
    seconds (the rate of a series that ended falls off by itself)."""
    if not samples or warmup <= 0:
        return samples
    first, last = samples[0][0], samples[-1][0]
    head = first + timedelta(seconds=warmup)
    out = [(t, v) for t, v in samples if t >= head]
    if (end - last).total_seconds() > 2 * step:
        tail = last - timedelta(seconds=warmup)
        out = [(t, v) for t, v in out if t <= tail]
    return out


def detect(samples: list[tuple[datetime, float]], start: datetime, end: datetime, *, warmup: float = 0.0,
           step: float = 15.0) -> list[Change]:
    """Changes in `samples` (time-sorted; NaN and infinities are skipped;
    the edges trimmed by `warmup`, see trim_edges)."""
    samples = trim_edges([(t, v) for t, v in samples if math.isfinite(v)], end, warmup, step)
    if len(samples) < MIN_BASELINE_SAMPLES + MIN_RUN:
        return []
    base_values = baseline_of(samples, start, end)
    mid = median(base_values)
    mad = median(abs(v - mid) for v in base_values) * MAD_SCALE
    values = [v for _, v in samples]
    span = max(values) - min(values)
    leave = max(K * mad, LEAVE_FLOOR * span, LEAVE_FLOOR * abs(mid))
    back = max(K_BACK * mad, BACK_FLOOR * span, BACK_FLOOR * abs(mid))
    if leave <= 0:
        return []
    high, low = mid + leave, mid - leave
    back_high, back_low = mid + back, mid - back

    def state_of(v: float, current: str) -> str:
        if v > high:
            return "rose"
        if v < low:
            return "fell"
        if current != "base" and not (back_low <= v <= back_high):
            return current  # between the two thresholds: keep the state
        return "base"

    changes: list[Change] = []
    state = "base"
    run_state, run_start, run_len = "base", 0, 0
    for i, (_, v) in enumerate(samples):
        s = state_of(v, state)
        if s == run_state:
            run_len += 1
        else:
            run_state, run_start, run_len = s, i, 1
        if run_state != state and run_len >= MIN_RUN:
            at = _descent_start(samples, run_start, state) if run_state == "base" else run_start
            t0, v0 = samples[at]
            changes.append(Change(t0, "returned" if run_state == "base" else run_state, v0, mid))
            state = run_state
    return changes


def _descent_start(samples: list[tuple[datetime, float]], i: int, state: str) -> int:
    """A series coming back is back from when its way back began: the first
    sample of the steady fall (after a rise) or climb (after a fall) that
    ends in the run at `i` (a rate over a window comes down over the
    window's length after the cause has stopped)."""
    j = i
    while j > 0:
        prev, cur = samples[j - 1][1], samples[j][1]
        if (state == "rose" and cur < prev) or (state == "fell" and cur > prev):
            j -= 1
        else:
            break
    return j + 1 if j < i else i


def describe(name: str, change: Change) -> str:
    if change.direction == "returned":
        return f"{name} returned to baseline ({fmt(change.value)}, baseline {fmt(change.baseline)})"
    word = "rose above" if change.direction == "rose" else "fell below"
    return f"{name} {word} baseline ({fmt(change.value)} vs baseline {fmt(change.baseline)})"


def fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000 or abs(value) < 0.001:
        return f"{value:.3g}"
    return f"{value:.4g}"
