"""The HTTP side of the Prometheus source: unreachable and silent servers,
auth from named environment variables, secrets kept out of everything."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from pmtui.model import PrometheusSettings
from pmtui.sources.base import Context, Window
from pmtui.sources.httpget import HttpOptions
from pmtui.sources.prometheus import collect

WINDOW = Window(datetime(2025, 2, 9, 9, 35, tzinfo=UTC), datetime(2025, 2, 9, 11, 10, tzinfo=UTC))
TOKEN = "s3cr3t-T0ken-value-9f8e7d6c5b4a"


def _ctx(tmp_path):
    return Context(window=WINDOW, evidence_dir=tmp_path / "inc.evidence", base_dir=tmp_path)


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list] = []

    def do_GET(self):
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        body = json.dumps({"status": "success", "data": {"resultType": "matrix", "result": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    handler = type("Handler", (_Recorder,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def silent_server():
    """Accepts connections (the kernel's backlog) and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def test_unreachable_server_is_one_gap(tmp_path, closed_port):
    url = f"http://127.0.0.1:{closed_port}"
    began = time.monotonic()
    result = collect(PrometheusSettings(url=url), _ctx(tmp_path), http=HttpOptions(timeout=2, retries=2, backoff=0.05))
    assert time.monotonic() - began < 5
    assert len(result.gaps) == 1
    gap = result.gaps[0]
    assert gap.source == "prometheus" and gap.description.startswith("Prometheus unreachable: cannot reach")
    assert "(3 tries)" in gap.description
    assert (gap.window_start, gap.window_end) == (WINDOW.start, WINDOW.end)
    assert result.evidence == [] and result.candidates == []


def test_silent_server_times_out_within_the_bound(tmp_path, silent_server):
    options = HttpOptions(timeout=0.5, retries=1, backoff=0.1)
    began = time.monotonic()
    result = collect(PrometheusSettings(url=silent_server), _ctx(tmp_path), http=options)
    elapsed = time.monotonic() - began
    # Two tries of 0.5 s and one backoff, then the source gives up as a whole.
    assert 1.0 <= elapsed < 3.0
    assert [g.description for g in result.gaps] == [
        f"Prometheus unreachable: no answer from {silent_server}/api/v1/query_range within 0.5 s (2 tries)"]


def _trust(url: str, *names: str) -> None:
    """What the user does once (`pmtui trust`): allow the variable names and
    trust the file's URL with them."""
    from pmtui.trust import Trust

    trust = Trust.load()
    for name in names:
        trust.allow_env(name)
        trust.remember(url, f"env:{name}")


def test_bearer_token_from_named_variable_never_written(tmp_path, recorder, monkeypatch):
    url, seen = recorder
    _trust(url, "PMTUI_TEST_PROM_TOKEN")
    monkeypatch.setenv("PMTUI_TEST_PROM_TOKEN", TOKEN)
    settings = PrometheusSettings(url=url, auth="bearer", token_env="PMTUI_TEST_PROM_TOKEN")
    result = collect(settings, _ctx(tmp_path))
    assert seen and all(auth == f"Bearer {TOKEN}" for _, auth in seen)
    assert {p.split("?")[0] for p, _ in seen} == {"/api/v1/query_range", "/api/v1/query"}
    for f in (tmp_path / "inc.evidence").rglob("*"):
        if f.is_file():
            assert TOKEN.encode() not in f.read_bytes()
    assert TOKEN not in repr(result)


def test_basic_auth_from_named_variables(tmp_path, recorder, monkeypatch):
    import base64

    url, seen = recorder
    _trust(url, "PMTUI_TEST_USER", "PMTUI_TEST_PASS")
    monkeypatch.setenv("PMTUI_TEST_USER", "grafana")
    monkeypatch.setenv("PMTUI_TEST_PASS", TOKEN)
    settings = PrometheusSettings(url=url, auth="basic", username_env="PMTUI_TEST_USER",
                                  password_env="PMTUI_TEST_PASS", queries={"up": "up"})
    collect(settings, _ctx(tmp_path))
    expected = "Basic " + base64.b64encode(f"grafana:{TOKEN}".encode()).decode()
    assert seen and all(auth == expected for _, auth in seen)


def test_missing_variable_is_a_gap_naming_it(tmp_path, recorder, monkeypatch):
    url, seen = recorder
    _trust(url, "PMTUI_TEST_UNSET")
    monkeypatch.delenv("PMTUI_TEST_UNSET", raising=False)
    result = collect(PrometheusSettings(url=url, auth="bearer", token_env="PMTUI_TEST_UNSET"), _ctx(tmp_path))
    assert [g.description for g in result.gaps] == [
        "Prometheus not queried: environment variable PMTUI_TEST_UNSET (named by token_env) is not set"]
    assert seen == []


def test_url_must_be_http(tmp_path):
    result = collect(PrometheusSettings(url="ftp://example"), _ctx(tmp_path))
    assert [g.description for g in result.gaps] == [
        "Prometheus not queried: URL 'ftp://example' must start with http:// or https://"]
