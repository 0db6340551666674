"""Real Prometheus and Alertmanager for the collection tests.

Prometheus gets the example incident (2025-02-09, DB connection pool
exhausted) backfilled with `promtool tsdb create-blocks-from openmetrics`,
and a retention of 100 years so the fixed date never ages out. Alertmanager
starts empty; tests post alerts and silences to it. Each pytest-xdist
worker starts its own servers on free loopback ports (the session fixtures
of tests/integration/conftest.py); they are always stopped (terminate,
wait, kill on timeout).

The incident data is generated here, from the times below, and
examples/demo-recordings/record.py records the demo from the same data.
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pmtui.sample import at

PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"
ALERTMANAGER = "/usr/bin/prometheus-alertmanager"


# -- the incident ---------------------------------------------------------------

DATA_START, DATA_END = at("09:00:00"), at("12:00:00")
SCRAPE = timedelta(seconds=15)
FIRST_ERROR = at("10:05:23")  # first 5xx
ERRORS_END = at("10:35:00")  # errors stop
POOL_FULL = at("10:05:30")  # first sample with the pool at its maximum
POOL_BACK = at("10:35:00")  # first sample with the pool back to normal
POOL_MAX = 20

# Alert rules evaluated every 15 s: (alertname, labels, pending from, firing from, last sample).
ALERT_RULES = [
    ("HighErrorRate", {"service": "api", "severity": "page"}, at("10:05:45"), at("10:06:45"), at("10:35:15")),
    ("DBPoolSaturated", {"pool": "primary", "severity": "warning"}, at("10:05:45"), at("10:07:45"), at("10:34:45")),
    # A flap: pending for 45 s, never fired.
    ("HighLatency", {"service": "api", "severity": "warning"}, at("10:20:00"), None, at("10:20:30")),
]

JOB = "api-service"
# Share of requests failing from each time on (the example incident: the
# order-history cache at 10:22:10 halves the errors, the restart with a
# bigger pool at 10:27:45 leaves a few, errors stop at 10:35:00).
ERROR_PROFILE = [(FIRST_ERROR, 0.41), (at("10:22:10"), 0.20), (at("10:27:45"), 0.06), (ERRORS_END, 0.0)]
BASELINE_ERRORS = 0.1  # per second
REQUESTS = 100.0  # per second
POOL_WAIT_RISE = at("10:05:00")  # pool wait time starts climbing
POOL_RESIZED = at("10:27:45")  # pool 20 -> 40

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LATENCY_NORMAL = (0.5, 0.3, 0.185, 0.012, 0.003, 0.0, 0.0, 0.0)
LATENCY_INCIDENT = (0.3, 0.2, 0.15, 0.05, 0.05, 0.1, 0.15, 0.0)
WAIT_BUCKETS = (0.005, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5)
WAIT_NORMAL = (0.9, 0.08, 0.02, 0.0, 0.0, 0.0, 0.0, 0.0)
WAIT_INCIDENT = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.15, 0.05)


def _steps():
    t = DATA_START
    while t <= DATA_END:
        yield t
        t += SCRAPE


def _fmt_labels(labels: dict) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _error_share(seconds_from: datetime, seconds_to: datetime) -> float:
    """Failed requests per second, averaged over (seconds_from, seconds_to]."""
    total = 0.0
    for (since, share), (until, _) in itertools.pairwise([*ERROR_PROFILE, (DATA_END + SCRAPE, 0.0)]):
        overlap = (min(seconds_to, until) - max(seconds_from, since)).total_seconds()
        if overlap > 0:
            total += overlap * share * REQUESTS
    return total


class _Histogram:
    def __init__(self, name: str, buckets: tuple):
        self.name, self.buckets = name, buckets
        self.counts = [0.0] * len(buckets)
        self.count = self.sum = 0.0
        self.rows: list[str] = []

    def observe(self, n: float, shares: tuple, stamp: int) -> None:
        for i, (le, share) in enumerate(zip(self.buckets, shares, strict=True)):
            self.counts[i] += n * share
            self.sum += n * share * le * 0.7
        self.count += n
        running = 0.0
        lbl = f'job="{JOB}"'
        for le, c in zip(self.buckets, self.counts, strict=True):
            running += c
            self.rows.append(f'{self.name}_bucket{{{lbl},le="{le}"}} {running:.0f} {stamp}')
        self.rows += [f'{self.name}_bucket{{{lbl},le="+Inf"}} {self.count:.0f} {stamp}',
                      f"{self.name}_count{{{lbl}}} {self.count:.0f} {stamp}",
                      f"{self.name}_sum{{{lbl}}} {self.sum:.3f} {stamp}"]


def incident_openmetrics() -> str:
    """The whole incident as OpenMetrics text, deterministic (seeded noise)."""
    rng = random.Random(20250209)
    steps = list(_steps())
    out: list[str] = []

    ok, err, cpu = 0.0, 0.0, 0.0
    ok_rows, err_rows, cpu_rows, pool_rows = [], [], [], []
    latency = _Histogram("http_request_duration_seconds", LATENCY_BUCKETS)
    wait = _Histogram("db_pool_wait_seconds", WAIT_BUCKETS)
    prev = steps[0] - SCRAPE
    for t in steps:
        secs = (t - prev).total_seconds()
        failing = _error_share(prev, t)
        requests = REQUESTS * secs * rng.uniform(0.97, 1.03)
        errors = round(BASELINE_ERRORS * secs * rng.uniform(0.5, 1.5) + failing * rng.uniform(0.95, 1.05))
        ok += round(requests - failing)
        err += errors
        cpu += secs * (0.9 if failing else 0.3) * rng.uniform(0.95, 1.05)
        stamp = int(t.timestamp())
        ok_rows.append(f'http_requests_total{{code="200",job="{JOB}"}} {ok:.0f} {stamp}')
        err_rows.append(f'http_requests_total{{code="500",job="{JOB}"}} {err:.0f} {stamp}')
        cpu_rows.append(f'process_cpu_seconds_total{{job="{JOB}"}} {cpu:.3f} {stamp}')
        if POOL_FULL <= t < POOL_RESIZED:
            in_use = POOL_MAX
        elif POOL_RESIZED <= t < POOL_BACK:
            in_use = 34
        else:
            in_use = rng.choice((5, 6, 6, 7))
        pool_rows.append(f'db_pool_connections_in_use{{job="{JOB}",pool="primary"}} {in_use} {stamp}')
        latency.observe(requests, LATENCY_INCIDENT if failing else LATENCY_NORMAL, stamp)
        waiting = POOL_WAIT_RISE < t <= ERRORS_END
        wait.observe(requests, WAIT_INCIDENT if waiting else WAIT_NORMAL, stamp)
        prev = t

    out += ["# TYPE http_requests counter", *ok_rows, *err_rows]
    out += ["# TYPE process_cpu_seconds counter", *cpu_rows]
    out += ["# TYPE db_pool_connections_in_use gauge", *pool_rows]
    out += ["# TYPE http_request_duration_seconds histogram", *latency.rows]
    out += ["# TYPE db_pool_wait_seconds histogram", *wait.rows]

    alerts, for_state = [], []
    for name, labels, pending, firing, last in ALERT_RULES:
        states = []
        t = pending
        while t <= last:
            states.append((t, "firing" if firing is not None and t >= firing else "pending"))
            t += SCRAPE
        for state in ("pending", "firing"):
            lbl = _fmt_labels({"alertname": name, "alertstate": state, **labels})
            alerts += [f"ALERTS{lbl} 1 {int(t.timestamp())}" for t, s in states if s == state]
        lbl = _fmt_labels({"alertname": name, **labels})
        for_state += [f"ALERTS_FOR_STATE{lbl} {int(pending.timestamp())} {int(t.timestamp())}" for t, _ in states]
    out += ["# TYPE ALERTS gauge", *alerts, "# TYPE ALERTS_FOR_STATE gauge", *for_state, "# EOF", ""]
    return "\n".join(out)


# -- processes ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port() -> int:
    """A loopback port with nothing listening (bound and released)."""
    return free_port()


def _wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    workdir: Path

    def stop(self) -> None:
        stop(self.proc)
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_prometheus(openmetrics: str | None = None) -> Server:
    """A Prometheus holding `openmetrics` (the example incident by default)."""
    work = Path(tempfile.mkdtemp(prefix="pmtui-prom-"))
    data = work / "data"
    source = work / "incident.om"
    source.write_text(incident_openmetrics() if openmetrics is None else openmetrics)
    subprocess.run([PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
                   check=True, capture_output=True, timeout=120)
    config = work / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 15s\n  evaluation_interval: 15s\nscrape_configs: []\n")
    port = free_port()
    log = work / "prometheus.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={data}",
             "--storage.tsdb.retention.time=100y", f"--web.listen-address=127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server(f"http://127.0.0.1:{port}", proc, work)
    try:
        _wait_ready(server.url, proc, log)
    except BaseException:
        server.stop()
        raise
    return server


ALERTMANAGER_CONFIG = """\
route:
  receiver: devnull
  group_wait: 1h
receivers:
  - name: devnull
inhibit_rules:
  - source_matchers: [severity="page"]
    target_matchers: [severity="warning"]
    equal: [service]
"""


def start_alertmanager() -> Server:
    work = Path(tempfile.mkdtemp(prefix="pmtui-am-"))
    config = work / "alertmanager.yml"
    config.write_text(ALERTMANAGER_CONFIG)
    port = free_port()
    log = work / "alertmanager.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [ALERTMANAGER, f"--config.file={config}", f"--storage.path={work / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server(f"http://127.0.0.1:{port}", proc, work)
    try:
        _wait_ready(server.url, proc, log)
    except BaseException:
        server.stop()
        raise
    return server


def http_json(method: str, url: str, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        raw = r.read()
    return json.loads(raw) if raw else None


# -- what the tests assert about the data ---------------------------------------


@dataclass(frozen=True)
class IncidentMarks:
    """The moments of the backfilled incident a test checks Prometheus's
    answers against (the `prometheus_incident` fixture)."""

    first_error: datetime = FIRST_ERROR
    errors_end: datetime = ERRORS_END
    pool_full: datetime = POOL_FULL
    pool_back: datetime = POOL_BACK
