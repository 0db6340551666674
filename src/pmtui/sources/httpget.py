"""Bounded, cancellable GETs for the HTTP sources (Prometheus, Alertmanager).

Only GETs, which are idempotent, are retried; connection failures, timeouts
and 429/502/503/504 get `retries` more tries with a short backoff. Secrets
come from named environment variables and live only in the client's
headers: never in a message, a gap or a file. httpx is imported here, and
this module is imported only when a collection runs.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from pmtui.redact import redact
from pmtui.sources.base import Cancelled, Context
from pmtui.textsafe import one_line

RETRY_STATUS = frozenset({429, 502, 503, 504})
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 0.5
MAX_BODY_IN_MESSAGE = 300
# Every request (all its tries, the whole body) ends within DEFAULT_DEADLINE:
# httpx's read timeout restarts on every byte, so a server dripping one
# byte a second would otherwise hold a collection for ever.
DEFAULT_DEADLINE = 60.0
# An answer larger than this is not read (and not written as evidence): a
# 300 MB answer once took the process to 3.4 GB.
DEFAULT_MAX_BYTES = 64 << 20
POLL = 0.1  # how often a wait looks at the cancel flag and the deadline


class SourceError(Exception):
    """One request or setting failed; the message is fit for a gap."""


class Unreachable(SourceError):
    """The server could not be reached at all: no point asking it more."""


class TooLarge(SourceError):
    """The answer was over the size cap; nothing of it was kept."""


class RateLimited(SourceError):
    """The server asked for a wait longer than pmtui's bound."""


DEFAULT_MAX_WAIT = 30.0
RATE_LIMIT_RETRIES = 5
# A list repeats keys (include[]=a&include[]=b).
Params = dict[str, str] | list[tuple[str, str]] | None


@dataclass
class HttpOptions:
    timeout: float = DEFAULT_TIMEOUT  # connect, and each read
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    deadline: float = DEFAULT_DEADLINE  # one request, all tries, seconds
    max_bytes: int = DEFAULT_MAX_BYTES  # one answer's body
    # A rate-limited answer (429 or 503 with Retry-After, or PagerDuty's
    # ratelimit-reset) is waited out as asked, up to this long and
    # RATE_LIMIT_RETRIES times, within the deadline; a longer wait is a gap.
    max_wait: float = DEFAULT_MAX_WAIT


_defaults = HttpOptions()


@contextlib.contextmanager
def limits(*, deadline: float | None = None, max_bytes: int | None = None) -> Iterator[None]:
    """The limits every source's requests take unless given their own, for
    the block (`pmtui collect --request-deadline / --max-response-mb`); put
    back after it, so one run's limits never reach the next in a process."""
    saved = (_defaults.deadline, _defaults.max_bytes)
    if deadline is not None:
        _defaults.deadline = deadline
    if max_bytes is not None:
        _defaults.max_bytes = max_bytes
    try:
        yield
    finally:
        _defaults.deadline, _defaults.max_bytes = saved


def default_options() -> HttpOptions:
    return HttpOptions(_defaults.timeout, _defaults.retries, _defaults.backoff, _defaults.deadline,
                       _defaults.max_bytes, _defaults.max_wait)


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asks to wait: Retry-After (seconds or an HTTP
    date, RFC 9110 10.2.3), else PagerDuty's `ratelimit-reset` (seconds)."""
    from email.utils import parsedate_to_datetime

    for name in ("retry-after", "ratelimit-reset"):
        text = (headers.get(name) or "").strip()
        if not text:
            continue
        try:
            return max(0.0, float(text))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            continue
        if when.tzinfo is not None:
            return max(0.0, when.timestamp() - time.time())
    return None


def shown_url(url: object) -> str:
    """A URL fit for a message: a password in it (user:PASSWORD@host)
    redacted, one line."""
    return one_line(redact(str(url)), 300)


def outside(text: str, limit: int = MAX_BODY_IN_MESSAGE) -> str:
    """Text from a server made fit for a gap or notice: redacted, one line."""
    return one_line(redact(text), limit)


def auth_headers(auth: str, token_env: str = "", username_env: str = "", password_env: str = "", *,
                 url: str = "", named_by: str = "user", source: str = "") -> dict:
    """Authorization header from the named environment variables, once
    pmtui.trust allows them: each variable name must be allowed by the user
    (a post-mortem file names them), and the URL must be one the user named
    or trusted with them, over https unless it is loopback."""
    auth = (auth or "none").strip().lower()
    if auth in ("", "none"):
        return {}
    if auth == "bearer":
        token = _secret(token_env, "token_env", url, named_by, source)
        return {"Authorization": f"Bearer {token}"}
    if auth == "basic":
        user = _secret(username_env, "username_env", url, named_by, source)
        password = _secret(password_env, "password_env", url, named_by, source)
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}
    raise SourceError(f"auth {auth!r} is not one of none, bearer, basic")


def _secret(name: str, field: str, url: str, named_by: str, source: str) -> str:
    from pmtui.trust import TrustError, check, check_env_name, env_credential

    if not name:
        raise SourceError(f"{field} is empty: name the environment variable that holds the secret")
    try:
        check_env_name(name, field_name=f"[sources.{source}] {field}" if source else field)
        if url:
            check(url, env_credential(name), named_by=named_by)
    except TrustError as exc:
        raise SourceError(str(exc)) from None
    value = os.environ.get(name)
    if not value:
        raise SourceError(f"environment variable {name} (named by {field}) is not set")
    return value


def make_client(base_url: str, headers: dict | None = None, options: HttpOptions | None = None,
                transport: httpx.BaseTransport | None = None) -> httpx.Client:
    options = options or default_options()
    url = base_url.strip()
    if not url.startswith(("http://", "https://")) and transport is None:
        raise SourceError(f"URL {shown_url(url)!r} must start with http:// or https://")
    return httpx.Client(
        base_url=url.rstrip("/"),
        headers={"Accept": "application/json", **(headers or {})},
        timeout=httpx.Timeout(options.timeout, connect=min(options.timeout, 5.0)),
        follow_redirects=False,  # a redirect is reported, never followed with our headers
        transport=transport,
    )


def _sleep(seconds: float, ctx: Context) -> None:
    deadline = time.monotonic() + seconds
    while True:
        ctx.check_cancelled()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, POLL))


@dataclass
class Answer:
    status_code: int
    headers: httpx.Headers
    content: bytes


class _Fetch:
    """One GET read whole (up to the cap) in a daemon thread, so that the
    caller can give up on it at once: on cancel or at the deadline the
    thread is told to stop and left behind (a blocked read ends with the
    read timeout; the thread cannot keep the process alive)."""

    def __init__(self, client: httpx.Client, path: str, params: Params, max_bytes: int) -> None:
        self.client, self.path, self.params, self.max_bytes = client, path, params, max_bytes
        self.done = threading.Event()
        self.stop = threading.Event()
        self.answer: Answer | None = None
        self.error: BaseException | None = None
        self.too_large = False

    def run(self) -> None:
        try:
            params = tuple(self.params) if isinstance(self.params, list) else self.params
            with self.client.stream("GET", self.path, params=params) as response:
                parts: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    if self.stop.is_set():
                        return
                    size += len(chunk)
                    if size > self.max_bytes:
                        self.too_large = True
                        break
                    parts.append(chunk)
                self.answer = Answer(response.status_code, response.headers, b"".join(parts))
        except BaseException as exc:  # handed to the waiting caller
            self.error = exc
        finally:
            self.done.set()


def _once(client: httpx.Client, path: str, params: Params, ctx: Context, options: HttpOptions,
          deadline: float) -> Answer:
    fetch = _Fetch(client, path, params, options.max_bytes)
    threading.Thread(target=fetch.run, name="pmtui-http", daemon=True).start()
    while not fetch.done.wait(POLL):
        if ctx.cancelled():
            fetch.stop.set()
            raise Cancelled()
        if time.monotonic() >= deadline:
            fetch.stop.set()
            raise _DeadlinePassed()
    if fetch.error is not None:
        raise fetch.error
    if fetch.too_large:
        raise TooLarge(f"the answer from {shown_url(str(client.base_url) + path)} is larger than "
                       f"{_mb(options.max_bytes)}: not read (raise the cap with --max-response-mb)")
    assert fetch.answer is not None
    return fetch.answer


class _DeadlinePassed(Exception):
    pass


def _mb(n: int) -> str:
    return f"{n / (1 << 20):g} MB"


def get(client: httpx.Client, path: str, params: Params, ctx: Context,
        options: HttpOptions | None = None) -> Answer:
    """GET with bounded retries, a cap on the answer's size and one
    deadline over all of it; raises Unreachable, TooLarge or SourceError,
    or Cancelled within POLL seconds of the cancel."""
    options = options or default_options()
    where = shown_url(f"{client.base_url}{path}")
    deadline = time.monotonic() + options.deadline
    last = ""
    attempt = waits = 0
    wait: float | None = None
    while attempt <= options.retries:
        ctx.check_cancelled()
        if wait is not None:
            _sleep(wait, ctx)
        elif attempt:
            pause = options.backoff * 2 ** (attempt - 1)
            if time.monotonic() + pause >= deadline:
                break
            _sleep(pause, ctx)
        wait = None
        try:
            response = _once(client, path, params, ctx, options, deadline)
        except _DeadlinePassed:
            raise Unreachable(f"{where} did not answer in full within {options.deadline:g} s "
                              "(the request's deadline; set it with --request-deadline)") from None
        except httpx.TimeoutException:
            last = f"no answer from {where} within {options.timeout:g} s"
            attempt += 1
            continue
        except httpx.TransportError as exc:
            last = f"cannot reach {where}: {outside(str(exc) or type(exc).__name__)}"
            attempt += 1
            continue
        if response.status_code in RETRY_STATUS:
            last = f"{where} answered HTTP {response.status_code}"
            asked = retry_after(response.headers) if response.status_code in (429, 503) else None
            if asked is not None:
                if asked > options.max_wait or time.monotonic() + asked >= deadline:
                    raise RateLimited(f"{where} is rate limiting (HTTP {response.status_code}) and asks to wait "
                                      f"{asked:.0f} s, longer than the {min(options.max_wait, options.deadline):g} "
                                      "s pmtui waits: collect again later")
                waits += 1
                if waits <= RATE_LIMIT_RETRIES:
                    wait = asked  # waited out as asked: not a failed try
                    continue
                last += f" (rate limited {waits - 1} times in a row)"
            attempt += 1
            continue
        return response
    tries = max(1, attempt)
    raise Unreachable(f"{last or f'no answer from {where}'} ({tries} {'try' if tries == 1 else 'tries'})")


def get_json(client: httpx.Client, path: str, params: Params, ctx: Context,
             options: HttpOptions | None = None) -> tuple[bytes, object]:
    """The raw body (for evidence) and its parsed JSON; an HTTP error, a
    redirect or a body that is not JSON raises SourceError saying which,
    with the server's own words."""
    response = get(client, path, params, ctx, options)
    body = response.content
    where = shown_url(f"{client.base_url}{path}")
    if 300 <= response.status_code < 400:
        target = response.headers.get("location", "")
        to = f" to {shown_url(target)}" if target else " (no Location given)"
        raise SourceError(f"{where} answered HTTP {response.status_code}, a redirect{to}; pmtui does not follow "
                          "redirects (they could carry your credentials elsewhere): use the final URL")
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if response.status_code >= 400:
        detail = ""
        if isinstance(data, dict):
            detail = str(data.get("error") or data.get("message") or "")
        if not detail:
            detail = body.decode("utf-8", "replace") or "(empty body)"
        raise SourceError(f"HTTP {response.status_code} from {where}: {outside(detail)}")
    if data is None:
        shown = outside(body.decode("utf-8", "replace")) if body.strip() else "(an empty body)"
        kind = response.headers.get("content-type", "")
        raise SourceError(f"{where} did not answer JSON (HTTP {response.status_code}"
                          f"{', ' + outside(kind, 60) if kind else ''}): {shown}")
    return body, data
