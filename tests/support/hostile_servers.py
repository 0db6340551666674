"""Loopback HTTP servers that misbehave the ways a real server (or an
attacker's) can, for the sources and the export:

- garbage: answers 200 with bytes that are not JSON (and not UTF-8);
- huge: answers 200 with a body of `size` bytes (streamed, never held);
- drip: answers 200 and then one byte every `interval` seconds, for ever;
- redirect: answers 302 to `location` (a metadata address such as
  169.254.169.254 by default: nothing may follow it);
- not_github: answers every path with valid JSON that is not GitHub's shape;
- bad_samples: a Prometheus answer whose samples include "x" values;
- error_bytes: answers 500 with a body that is not UTF-8.

Each records the requests it received (method, path, headers), so a test
asserts that no credential reached it. Bounded: a drip stops after
`max_seconds`; every server stops when the test ends."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

METADATA = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class HostileServer:
    kind: str
    options: dict[str, Any] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> HostileServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                owner._answer(self, "GET")

            def do_POST(self) -> None:
                owner._answer(self, "POST")

            def do_PATCH(self) -> None:
                owner._answer(self, "PATCH")

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def credentials_seen(self) -> list[str]:
        """Every Authorization / Cookie / X-Api-Key header value received."""
        return [v for s in self.seen for k, v in s.headers.items()
                if k.lower() in ("authorization", "cookie", "x-api-key", "private-token")]

    # -- the answers ----------------------------------------------------------------

    def _answer(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)
        self.seen.append(Seen(method, h.path, dict(h.headers.items())))
        getattr(self, f"_{self.kind}")(h)

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, kind: str = "application/json",
              extra: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def _garbage(self, h: BaseHTTPRequestHandler) -> None:
        self._send(h, 200, b"\xff\xfe<html>\x00not json \x1b[31m\xc3(", "text/html")

    def _error_bytes(self, h: BaseHTTPRequestHandler) -> None:
        self._send(h, 500, b"\xff\xfeinternal \xc3\x28 error \x80\x81", "text/plain")

    def _huge(self, h: BaseHTTPRequestHandler) -> None:
        size = int(self.options.get("size", 300 << 20))
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(size))
        h.end_headers()
        chunk = b'{"status":"success","data":{"resultType":"matrix","result":[' + b" " * 65000
        sent = 0
        try:
            while sent < size and not self._stop.is_set():
                piece = chunk[: min(len(chunk), size - sent)]
                h.wfile.write(piece)
                sent += len(piece)
        except OSError:  # the client hung up at its cap, as it should
            return

    def _drip(self, h: BaseHTTPRequestHandler) -> None:
        interval = float(self.options.get("interval", 2.0))
        deadline = time.monotonic() + float(self.options.get("max_seconds", 30.0))
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", "1000000")
        h.end_headers()
        try:
            while time.monotonic() < deadline and not self._stop.wait(interval):
                h.wfile.write(b" ")
                h.wfile.flush()
        except OSError:
            return

    def _redirect(self, h: BaseHTTPRequestHandler) -> None:
        self._send(h, 302, b"", "text/plain", {"Location": str(self.options.get("location", METADATA))})

    def _not_github(self, h: BaseHTTPRequestHandler) -> None:
        body: object = {"status": "ok", "items": [1, 2, 3], "login": 42, "permissions": "all"}
        if h.path.rstrip("/").endswith("/issues") or "/labels" in h.path:
            body = [{"id": "x", "unexpected": True}]
        self._send(h, 200, json.dumps(body).encode())

    def _bad_samples(self, h: BaseHTTPRequestHandler) -> None:
        t0 = float(self.options.get("t0", 1739093723))
        values = [[t0 + 15 * i, "0.5" if i % 7 else "x"] for i in range(120)]
        values.insert(3, ["never", "1"])
        values.insert(5, [t0, "1", "extra"])
        result = [{"metric": {"job": "api"}, "values": values}, "not a series"]
        self._send(h, 200, json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}})
                   .encode())


class HostileServers:
    """What the `hostile_server` fixture hands a test: start(kind, **options)."""

    METADATA = METADATA
    kinds = ("garbage", "error_bytes", "huge", "drip", "redirect", "not_github", "bad_samples")

    def __init__(self) -> None:
        self.started: list[HostileServer] = []

    def start(self, kind: str, **options: Any) -> HostileServer:
        assert kind in self.kinds, kind
        server = HostileServer(kind, options).start()
        self.started.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()
