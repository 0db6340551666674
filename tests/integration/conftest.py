"""Fixtures of the integration layer: real Prometheus and Alertmanager
processes (one of each per pytest-xdist worker, shared by its tests), the
loopback Kubernetes API server, and the small things the tests that talk to
them need (a closed port, a JSON client, the export tests' post-mortem)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date

import pytest

from pmtui.model import ActionItem, Factor, GithubExportSettings, PostMortem
from support import github_pulls, kubernetes, loki, pagerduty, prometheus, shapes, slack, terminal

# -- Prometheus and Alertmanager ----------------------------------------------------


@pytest.fixture(scope="session")
def prometheus_server():
    """A real Prometheus holding the example incident, backfilled."""
    server = prometheus.start_prometheus()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def start_prometheus():
    """start_prometheus(openmetrics): a Prometheus of the caller's own with
    that data backfilled (stopped at the end of the session)."""
    started: list[prometheus.Server] = []

    def start(openmetrics: str) -> prometheus.Server:
        server = prometheus.start_prometheus(openmetrics)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def incident_shapes():
    """The incident shapes of tests/support/shapes.py (rollout_rollback,
    warn_trigger): each with its metrics, cluster, alerts and ground truth."""
    return shapes


@pytest.fixture(scope="session")
def alertmanager_server():
    """A real Alertmanager, shared: tests post alerts and silences to it."""
    server = prometheus.start_alertmanager()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def start_alertmanager():
    """start_alertmanager(): an Alertmanager of the caller's own (stop it when
    done; any left running is stopped at the end of the session)."""
    started: list[prometheus.Server] = []

    def start() -> prometheus.Server:
        server = prometheus.start_alertmanager()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def backfilled() -> prometheus.IncidentMarks:
    """The moments of the backfilled incident (first_error, pool_full...)."""
    return prometheus.IncidentMarks()


@pytest.fixture(scope="session")
def http_json() -> Callable:
    """http_json(method, url, body=None): a JSON request, its decoded answer."""
    return prometheus.http_json


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening (bound and released)."""
    return prometheus.closed_port()


# -- Kubernetes ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def kube_incident() -> kubernetes.KubeIncident:
    """The incident the loopback cluster replays (state(), api_log(),
    SECRETS) and the types to build another state with."""
    return kubernetes.KubeIncident()


@pytest.fixture
def fake_cluster():
    """fake_cluster(state=None, token=...): a loopback Kubernetes API server
    over HTTPS serving `state` (the incident by default), started; stopped
    after the test. cluster.write_kubeconfig(path) for the real client."""
    started: list[kubernetes.FakeCluster] = []

    def start(state: kubernetes.ClusterState | None = None, **options) -> kubernetes.FakeCluster:
        cluster = kubernetes.FakeCluster(kubernetes.incident_state() if state is None else state, **options).__enter__()
        started.append(cluster)
        return cluster

    yield start
    for cluster in started:
        cluster.__exit__(None, None, None)


# -- Slack, PagerDuty, Loki (loopback servers of the real API shapes) ------------------


def _started(factory):
    started = []

    def start(**options):
        server = factory(**options).start()
        started.append(server)
        return server

    return start, started


@pytest.fixture
def fake_slack(monkeypatch):
    """fake_slack(**options): a loopback Slack Web API (support.slack.FakeSlack,
    loaded with the demo channel unless load=False), started; the real
    client is pointed at it (PMTUI_SLACK_API_URL) and SLACK_TOKEN holds its
    token. Stopped after the test."""
    start, started = _started(slack.FakeSlack)

    def make(*, load: bool = True, **options):
        server = start(**options)
        if load:
            server.load_export()
        monkeypatch.setenv("PMTUI_SLACK_API_URL", server.url + "/api")
        monkeypatch.setenv("SLACK_TOKEN", server.token)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def fake_pagerduty(monkeypatch):
    """fake_pagerduty(**options): a loopback PagerDuty REST API v2 holding the
    demo incident (server.load_demo() gave its id: server.demo_id), started,
    the client pointed at it (PMTUI_PAGERDUTY_API_URL, PAGERDUTY_TOKEN)."""
    start, started = _started(pagerduty.FakePagerDuty)

    def make(*, load: bool = True, **options):
        server = start(**options)
        server.demo_id = server.load_demo() if load else ""
        monkeypatch.setenv("PMTUI_PAGERDUTY_API_URL", server.url)
        monkeypatch.setenv("PAGERDUTY_TOKEN", server.key)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def fake_loki():
    """fake_loki(tenants=False, token=""): a loopback Loki (support.loki.FakeLoki), started."""
    start, started = _started(loki.FakeLoki)
    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def pagerduty_examples() -> dict:
    """The response examples of PagerDuty's OpenAPI description."""
    return pagerduty.examples()


# -- GitHub export ------------------------------------------------------------------


def _export_pm() -> PostMortem:
    return PostMortem(
        id="PM-2025-007",
        title="Checkout outage after config push",
        factors=[Factor("F1", "No alert fired on queue depth growth", "monitoring")],
        actions=[
            ActionItem("AI-001", "Add an alert on queue depth", owner="@bob", deadline=date(2025, 3, 1),
                       priority="high", type="prevent", factor="F1"),
            ActionItem("AI-002", "Write the failover runbook", owner="Carol Smith", deadline=date(2025, 3, 15),
                       priority="medium", type="process"),
        ],
        github=GithubExportSettings(repo="acme/ops"),
    )


@pytest.fixture(scope="session")
def make_pm() -> Callable[[], PostMortem]:
    """make_pm(): a fresh copy of the post-mortem the export tests send to
    the loopback GitHub (PM-2025-007: one factor, two actions)."""
    return _export_pm


@pytest.fixture
def fake_github_pulls():
    """A loopback GitHub that also serves branches, contents and pull
    requests (support.github_pulls.PullsGitHub), started; stopped after."""
    server = github_pulls.PullsGitHub(owner="acme", repo="postmortems").start()
    yield server
    server.stop()


@pytest.fixture
def pmtui_env() -> dict[str, str]:
    """The environment pmtui runs with in a tmux_terminal: this test's
    state, config and data folders, an xterm, and these sources."""
    return {
        "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"], "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"],
        "XDG_DATA_HOME": os.environ["XDG_DATA_HOME"], "TERM": "xterm-256color",
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }


@pytest.fixture
def tmux_terminal(tmp_path):
    """tmux_terminal(width=80, height=24): a real terminal (tmux on a private
    socket) to run pmtui in; its server is killed after the test."""
    made: list[terminal.Tmux] = []

    def make(width: int = 80, height: int = 24) -> terminal.Tmux:
        term = terminal.Tmux(tmp_path, width, height)
        made.append(term)
        return term

    yield make
    for term in made:
        term.kill_server()


# -- pmtui over SSH in a real terminal ----------------------------------------------


@pytest.fixture(scope="session")
def ssh_server(tmp_path_factory):
    """A real sshd (Debian's OpenSSH) on 127.0.0.1, a free port, a throwaway
    host key and user key, as the current user; skipped, saying why, where
    sshd cannot run."""
    from pmtui.journey.sshd import SshServer, why_no_sshd

    reason = why_no_sshd()
    if reason:
        pytest.skip(reason)
    server = SshServer(tmp_path_factory.mktemp("sshd")).start()
    yield server
    server.stop()


@pytest.fixture
def ssh_pmtui(ssh_server, tmp_path):
    """ssh_pmtui(args, width=80, height=24, name="pm", env=None): a tmux
    session of that size whose pane runs `ssh -tt` to the loopback sshd,
    which runs `python -m pmtui ARGS` in tmp_path (with this test's XDG
    folders). Returns the pmtui.journey.terminal.Terminal; every session is
    killed after the test."""
    import sys

    from pmtui.journey.terminal import Terminal, remote_command, remote_env

    started: list[Terminal] = []

    def start(args: list[str], *, width: int = 80, height: int = 24, name: str = "pm",
              env: dict[str, str] | None = None) -> Terminal:
        term = Terminal(tmp_path, width, height, name)
        remote = remote_command(sys.executable, args, remote_env(env), tmp_path)
        term.start(ssh_server.ssh_command(remote))
        started.append(term)
        return term

    yield start
    for term in started:
        term.kill()


@pytest.fixture(scope="session")
def footer_descriptions() -> set[str]:
    """Every description a footer may show whole (each binding's, and "more")."""
    from pmtui.ui.app import PmApp
    from pmtui.ui.keys import binding_classes, bindings_of

    found = {"more"}
    for cls in [PmApp, *binding_classes()]:
        found |= {b.description for b in bindings_of(cls)}
    return found
