"""A server that accepts the connection and never answers: each outside
client gives up within its timeout and bounded retries, with a gap or an
error that says so. (Prometheus's own case is in test_prometheus_http.py,
a hung `gh auth token` in test_export_cli.py.)"""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from pmtui.model import AlertmanagerSettings, KubernetesSettings
from pmtui.sample import at
from pmtui.sources import kubernetes as k8s
from pmtui.sources.alertmanager import collect as collect_alertmanager
from pmtui.sources.base import Context, Window
from pmtui.sources.httpget import HttpOptions

WINDOW = Window(at("10:00:00"), at("11:00:00"))


class Silent:
    """127.0.0.1:port accepting connections and never sending a byte (nor
    the TLS handshake's answer). `connections()` counts them exactly: the
    kernel queues every completed connect, so once the client has given up
    the acceptor is stopped and the queue drained before counting (a count
    read while the acceptor thread might still be behind was the flaky part
    on a loaded machine)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self.sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                continue

    def connections(self) -> int:
        self._stop.set()
        self._thread.join(10)
        assert not self._thread.is_alive()
        self.sock.setblocking(False)
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except (BlockingIOError, InterruptedError):
                return len(self.held)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent():
    server = Silent()
    yield server
    server.close()


def bounded(fn, limit: float):
    """fn() in a thread; fails (instead of hanging the suite) when a call
    has no timeout and is still waiting after `limit` seconds."""
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:
            out["error"] = exc

    began = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    assert not thread.is_alive(), f"still waiting after {limit} s: a call without a timeout"
    return out, time.monotonic() - began


def _ctx(tmp_path) -> Context:
    return Context(window=WINDOW, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path)


def test_hung_alertmanager_is_a_gap_within_the_bound(tmp_path, silent):
    port = silent.port
    began = time.monotonic()
    result = collect_alertmanager(AlertmanagerSettings(url=f"http://127.0.0.1:{port}"), _ctx(tmp_path),
                                  http=HttpOptions(timeout=0.5, retries=1, backoff=0.1))
    elapsed = time.monotonic() - began
    assert 1.0 <= elapsed < 6.0, elapsed  # two tries of 0.5 s, one backoff, then give up
    assert silent.connections() == 2  # it did connect, twice: the answer never came
    assert [g.source for g in result.gaps] == ["alertmanager"]
    assert "no answer from" in result.gaps[0].description and "(2 tries)" in result.gaps[0].description
    assert result.candidates == [] and result.evidence == []


def _kubeconfig(path, port: int):
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "hung",
        "clusters": [{"name": "hung", "cluster": {"server": f"https://127.0.0.1:{port}",
                                                   "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u", "user": {"token": "t0k3n"}}],
        "contexts": [{"name": "hung", "context": {"cluster": "hung", "user": "u"}}]}))
    return path


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens: every connect is refused at once
    return port


def test_hung_kubernetes_api_server_is_a_gap_within_the_bound(tmp_path, silent, monkeypatch):
    # The real timeouts are (5 s connect, 30 s read) with 2 retries; the same
    # calls with 0.5 s ones keep the test short. The mechanism is the one
    # every call uses (`_request_timeout`), and a call without it would hang
    # here until the server closes, failing the bound.
    monkeypatch.setattr(k8s, "API_TIMEOUT", (0.5, 0.5))
    monkeypatch.setattr(k8s, "LOG_TIMEOUT", (0.5, 0.5))
    settings = KubernetesSettings(kubeconfig=str(_kubeconfig(tmp_path / "kubeconfig", silent.port)),
                                  namespace="shop", deployment="api")
    refused = KubernetesSettings(kubeconfig=str(_kubeconfig(tmp_path / "refused", _closed_port())),
                                 namespace="shop", deployment="api")
    # The same collection against a port that refuses at once: the client's
    # own work (kubeconfig, TLS setup, its tries) as this machine
    # does it now, which is seconds when it is busy. What the hung server adds
    # on top is the waiting, and that is what must be bounded.
    bounded(lambda: k8s.collect_kubernetes(refused, _ctx(tmp_path / "warm")), 120)  # imports, once
    out, work = bounded(lambda: k8s.collect_kubernetes(refused, _ctx(tmp_path / "a")), 30)
    assert len(out["value"].gaps) == 1
    out, elapsed = bounded(lambda: k8s.collect_kubernetes(settings, _ctx(tmp_path / "b")), 30)
    result = out["value"]
    print(f"hung Kubernetes API server: gap after {elapsed:.2f} s (the client's own work: {work:.2f} s)")
    # 3 tries (urllib3 retries=2) of a 0.5 s connect and a 0.5 s handshake
    # read at most: ~1.7 s here, 2.7 s with four busy processes per core;
    # without a timeout it would wait forever, with the real ones 105 s.
    assert elapsed < 2 * work + 3 * (0.5 + 0.5) + 3.0, (elapsed, work)
    assert silent.connections() == 3, "3 tries (urllib3 retries=2), each connected, none answered"
    assert len(result.gaps) == 1, result.gaps
    text = result.gaps[0].description
    assert "deployment api" in text or "API server" in text, text
    assert result.candidates == [] and result.evidence == []


def test_hung_github_is_a_network_error_within_the_bound(silent):
    from pmtui.export.errors import ExportError
    from pmtui.export.github import connect
    from pmtui.export.settings import ExportSettings
    from pmtui.export.token import Token

    port = silent.port
    settings = ExportSettings(repo="acme/ops", base_url=f"http://127.0.0.1:{port}", throttle=False,
                              timeout=1, retries=1, backoff=0.1)
    client = connect(settings, Token("ghp_" + "x" * 36, "GITHUB_TOKEN"))
    out, elapsed = bounded(client.check, 20)
    assert 2.0 <= elapsed < 10.0, elapsed  # two tries of 1 s, one backoff (more when the machine is loaded)
    assert silent.connections() == 2
    error = out.get("error")
    assert isinstance(error, ExportError) and error.kind == "network", out
    assert f"127.0.0.1:{port}" in error.message and "ReadTimeout" in error.message

