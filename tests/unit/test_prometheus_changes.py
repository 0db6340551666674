"""Change detection on series: robust baseline, hysteresis, sample times."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from pmtui.sources.changes import describe, detect
from pmtui.sources.prometheus import choose_step, parse_step

T0 = datetime(2025, 2, 9, 9, 35, tzinfo=UTC)


def _series(values):
    return [(T0 + timedelta(seconds=15 * i), v) for i, v in enumerate(values)]


def _window(samples):
    return samples[0][0], samples[-1][0]


def test_noise_alone_proposes_nothing():
    rng = random.Random(1)
    samples = _series([100 + rng.gauss(0, 2) for _ in range(400)])
    assert detect(samples, *_window(samples)) == []


def test_rise_and_return_at_the_first_sample_of_each_run():
    rng = random.Random(2)
    values = [0.01 + rng.uniform(-0.002, 0.002) for _ in range(400)]
    for i in range(150, 270):
        values[i] = 0.3 + rng.uniform(-0.02, 0.02)
    samples = _series(values)
    changes = detect(samples, *_window(samples))
    assert [(c.direction, c.time) for c in changes] == [("rose", samples[150][0]), ("returned", samples[270][0])]
    assert describe("error rate", changes[0]).startswith("error rate rose above baseline (0.")
    assert describe("error rate", changes[1]).startswith("error rate returned to baseline")


def test_drop_is_reported_as_fell():
    samples = _series([100.0] * 100 + [20.0] * 50 + [100.0] * 50)
    changes = detect(samples, *_window(samples))
    assert [(c.direction, c.time) for c in changes] == [("fell", samples[100][0]), ("returned", samples[150][0])]


def test_hysteresis_holds_between_thresholds():
    # Up to 10, then hovering at 4 (below the leave threshold, above the
    # return one), then truly back: one rise, one return, no flapping.
    values = [0.0] * 100 + [10.0] * 20 + [4.0, 6.0] * 20 + [0.0] * 40
    samples = _series(values)
    changes = detect(samples, *_window(samples))
    assert [(c.direction, c.time) for c in changes] == [("rose", samples[100][0]), ("returned", samples[160][0])]


def test_single_spike_is_not_an_event_and_nan_is_skipped():
    values = [1.0] * 100 + [50.0] + [1.0] * 100 + [math.nan] * 5
    samples = _series(values)
    assert detect(samples, *_window(samples)) == []


def test_too_few_samples_gives_nothing():
    samples = _series([1.0, 5.0, 9.0])
    assert detect(samples, *_window(samples)) == []


def test_step_parsing_and_point_limit():
    assert parse_step("") is None
    assert parse_step("15s") == 15 and parse_step("1m30s") == 90 and parse_step("90") == 90
    hour = timedelta(hours=1)
    assert choose_step(T0, T0 + 2 * hour, None) == 15
    assert choose_step(T0, T0 + 2 * hour, 60) == 60
    for span in (timedelta(days=1), timedelta(days=30), timedelta(days=400)):
        step = choose_step(T0, T0 + span, 1)
        assert span.total_seconds() // step + 1 < 11_000
