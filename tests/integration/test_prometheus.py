"""Prometheus source against a real Prometheus holding the backfilled incident."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from pmtui.model import PrometheusSettings
from pmtui.sample import at
from pmtui.sources.base import Context, Window
from pmtui.sources.prometheus import DEFAULT_QUERIES, collect, load_series

WINDOW = Window(at("09:35:00"), at("11:10:00"))


def _ctx(tmp_path, window=WINDOW, **kw):
    return Context(window=window, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path, **kw)


def _times(result, startswith):
    return [c.time for c in result.candidates if c.event.startswith(startswith)]


def test_changes_are_dated_at_the_sample_that_shows_them(prometheus_server, tmp_path, backfilled):
    settings = PrometheusSettings(url=prometheus_server.url, queries={
        "db_pool": "max(db_pool_connections_in_use)",
        "errors_1m": 'sum(rate(http_requests_total{code=~"5.."}[1m]))',
    })
    result = collect(settings, _ctx(tmp_path))
    assert not [g for g in result.gaps if "failed" in g.description], result.gaps
    assert _times(result, "db pool rose above baseline") == [backfilled.pool_full]
    assert _times(result, "db pool returned to baseline") == [backfilled.pool_back]
    # First 5xx at 10:05:23: the 10:05:30 sample is the first to hold it.
    assert _times(result, "errors 1m rose above baseline") == [at("10:05:30")]
    back = _times(result, "errors 1m returned to baseline")
    end = backfilled.errors_end
    # Dated from where the way back starts: the first sample after the errors stop.
    assert len(back) == 1 and end <= back[0] <= end + timedelta(minutes=1, seconds=15)
    assert all(c.source == "prometheus" for c in result.candidates)


def test_default_queries_evidence_and_alert_history(prometheus_server, tmp_path, backfilled):
    progress = []
    result = collect(PrometheusSettings(url=prometheus_server.url), _ctx(
        tmp_path, progress=lambda message, fraction=None: progress.append((message, fraction))))
    assert result.gaps == []
    names = sorted(ev.id for ev in result.evidence)
    assert names == sorted([f"prometheus/{n}.json" for n in DEFAULT_QUERIES]
                           + ["prometheus/ALERTS.json", "prometheus/ALERTS_FOR_STATE.json"])
    for ev in result.evidence:
        data = (tmp_path / ev.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == ev.sha256
        assert json.loads(data)["status"] == "success"
        assert ev.window_start == WINDOW.start and ev.window_end == WINDOW.end
    error_ev = next(ev for ev in result.evidence if ev.id == "prometheus/error_rate.json")
    assert error_ev.query.startswith(DEFAULT_QUERIES["error_rate"]) and "step 15s" in error_ev.query
    series = load_series(tmp_path / error_ev.path)
    assert len(series) == 1 and series[0].samples[0][0] == WINDOW.start and series[0].samples[-1][0] == WINDOW.end

    rose = _times(result, "error rate rose above baseline")
    assert len(rose) == 1 and backfilled.first_error < rose[0] <= backfilled.first_error + timedelta(seconds=90)
    back = _times(result, "error rate returned to baseline")
    assert len(back) == 1 and backfilled.errors_end <= back[0] <= backfilled.errors_end + timedelta(minutes=6)
    p99 = _times(result, "latency p99 rose above baseline")
    assert len(p99) == 1 and backfilled.first_error < p99[0] <= backfilled.first_error + timedelta(seconds=90)
    # The total request rate stays flat through the incident: nothing to propose.
    assert _times(result, "request rate") == []

    alerts = {(c.event, c.time) for c in result.candidates if c.event.startswith("Alert ")}
    assert alerts == {
        ("Alert HighErrorRate pending", at("10:05:45")),
        ("Alert HighErrorRate firing", at("10:06:45")),
        ("Alert HighErrorRate resolved", at("10:35:30")),  # last sample 10:35:15 + 15 s
        ("Alert DBPoolSaturated pending", at("10:05:45")),
        ("Alert DBPoolSaturated firing", at("10:07:45")),
        ("Alert DBPoolSaturated resolved", at("10:35:00")),
        ("Alert HighLatency pending", at("10:20:00")),
        ("Alert HighLatency back to inactive without firing", at("10:20:45")),
    }
    kinds = {c.event: c.kind for c in result.candidates}
    assert kinds["Alert HighErrorRate firing"] == "detection"
    assert kinds["Alert HighErrorRate resolved"] == "resolution"
    fractions = [f for _, f in progress if f is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_window_cutting_through_an_alert(prometheus_server, tmp_path):
    window = Window(at("10:10:00"), at("10:20:00"))
    result = collect(PrometheusSettings(url=prometheus_server.url, queries={"pool": "max(db_pool_connections_in_use)"}),
                     _ctx(tmp_path, window))
    events = {(c.event, c.time) for c in result.candidates if "HighErrorRate" in c.event}
    # Already firing when the window opens: ALERTS_FOR_STATE tells since when;
    # still firing when it closes: no resolution.
    assert events == {("Alert HighErrorRate became active (before the window)", at("10:05:45")),
                      ("Alert HighErrorRate firing", at("10:10:00"))}


def test_long_window_stays_under_the_point_limit(prometheus_server, tmp_path):
    window = Window(at("10:00:00") - timedelta(days=60), at("10:00:00"))
    result = collect(PrometheusSettings(url=prometheus_server.url, step="1s", queries={"one": "vector(1)"}),
                     _ctx(tmp_path, window))
    # Prometheus itself refuses 11,000 points or more per series.
    assert not [g for g in result.gaps if "failed" in g.description], result.gaps
    ev = next(ev for ev in result.evidence if ev.id == "prometheus/one.json")
    (series,) = load_series(tmp_path / ev.path)
    assert 10_000 < len(series.samples) < 11_000


def test_bad_query_is_a_gap_and_the_rest_goes_on(prometheus_server, tmp_path, backfilled):
    settings = PrometheusSettings(url=prometheus_server.url, queries={
        "broken": "sum(rate(http_requests_total[5m]",
        "pool": "max(db_pool_connections_in_use)",
        "absent": "no_such_metric_anywhere",
    })
    result = collect(settings, _ctx(tmp_path))
    texts = [g.description for g in result.gaps]
    assert any(t.startswith("query broken failed: HTTP 400") and "parse error" in t for t in texts), texts
    assert "query absent returned no data for the window" in texts
    assert _times(result, "pool rose above baseline") == [backfilled.pool_full]
    assert {ev.id for ev in result.evidence} >= {"prometheus/pool.json", "prometheus/ALERTS.json"}


def test_cancel_between_requests_keeps_what_was_fetched(prometheus_server, tmp_path):
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 1  # allow the first request only

    result = collect(PrometheusSettings(url=prometheus_server.url), _ctx(tmp_path, cancelled=cancelled))
    assert [ev.id for ev in result.evidence] == ["prometheus/request_rate.json"]
    assert [g.description for g in result.gaps] == ["collection cancelled before it finished"]


@pytest.mark.parametrize("step, message", [("fast", "not a duration"), ("-5s", "not a duration"), ("0", "positive")])
def test_unusable_step_is_a_gap(tmp_path, step, message):
    result = collect(PrometheusSettings(url="http://127.0.0.1:9", step=step), _ctx(tmp_path))
    assert len(result.gaps) == 1 and message in result.gaps[0].description
    assert result.evidence == []
