"""The machinery the loopback API servers share (Slack, PagerDuty, Loki):
a threaded HTTP server on 127.0.0.1 and a free port, a log of every
request (method, path, query, headers), and faults queued for the next
matching request — an answer of the caller's choosing (a 401, a 429 with
Retry-After, a body), or a hang (the connection accepted, the answer
never sent, until the server stops).

Each server subclasses Loopback and implements `answer(request)`.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names

    def arg(self, name: str, default: str = "") -> str:
        for key, value in self.query:
            if key == name:
                return value
        return default

    def args(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, data: object, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Answer:
        return cls(status, json.dumps(data).encode(), [("Content-Type", "application/json"), *(headers or [])])

    @classmethod
    def text(cls, text: str, status: int, headers: list[tuple[str, str]] | None = None) -> Answer:
        return cls(status, text.encode(), [("Content-Type", "text/plain; charset=utf-8"), *(headers or [])])


@dataclass
class Fault:
    path: str  # a regex on the path
    answer: Answer | None  # None: hang
    times: int = 1


class Loopback:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- to implement ---------------------------------------------------------------

    def answer(self, request: Request) -> Answer:
        raise NotImplementedError

    # -- faults -----------------------------------------------------------------------

    def fault(self, path: str, answer: Answer | None = None, *, times: int = 1) -> None:
        """The next `times` requests whose path matches answer `answer`
        instead (None: they hang)."""
        with self.lock:
            self.faults.append(Fault(path, answer, times))

    def hang(self, path: str = ".*", *, times: int = 1000) -> None:
        self.fault(path, None, times=times)

    def respond(self, path: str, status: int, body: object = b"", headers: list[tuple[str, str]] | None = None,
                *, times: int = 1) -> None:
        """The next `times` requests to `path` get this answer: a dict or
        list as JSON, a str as plain text, bytes as they are."""
        if isinstance(body, dict | list):
            answer = Answer.json(body, status, headers)
        elif isinstance(body, str):
            answer = Answer.text(body, status, headers)
        else:
            answer = Answer(status, bytes(body), list(headers or []))  # type: ignore[arg-type]
        self.fault(path, answer, times=times)

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.times > 0 and re.search(f.path, path):
                    f.times -= 1
                    return f
        return None

    def calls(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if re.search(path, r.path)]

    # -- the server --------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Loopback:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = parse_qsl(parts.query, keep_blank_values=True)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    body = self.rfile.read(length).decode("utf-8", "replace")
                    if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                        query += parse_qsl(body, keep_blank_values=True)
                request = Request(method, parts.path, query, {k.lower(): v for k, v in self.headers.items()})
                with owner.lock:
                    owner.requests.append(request)
                fault = owner._take_fault(parts.path)
                if fault is not None and fault.answer is None:
                    owner._stopping.wait(120)  # hold the connection, answer nothing
                    return
                answer = fault.answer if fault is not None else owner.answer(request)
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> Loopback:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
