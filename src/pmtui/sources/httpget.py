"""Bounded, cancellable GETs for the HTTP sources (Prometheus, Alertmanager).

Only GETs, which are idempotent, are retried; connection failures, timeouts
and 429/502/503/504 get `retries` more tries with a short backoff. Secrets
come from named environment variables and live only in the client's
headers: never in a message, a gap or a file. httpx is imported here, and
this module is imported only when a collection runs.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass

import httpx

from pmtui.redact import redact
from pmtui.sources.base import Context
from pmtui.textsafe import one_line

RETRY_STATUS = frozenset({429, 502, 503, 504})
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 0.5
MAX_BODY_IN_MESSAGE = 300


class SourceError(Exception):
    """One request or setting failed; the message is fit for a gap."""


class Unreachable(SourceError):
    """The server could not be reached at all: no point asking it more."""


DEFAULT_MAX_WAIT = 30.0
RATE_LIMIT_RETRIES = 5


@dataclass
class HttpOptions:
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    # A rate-limited answer (429 with Retry-After, or PagerDuty's
    # ratelimit-reset) is waited out up to this long, up to
    # RATE_LIMIT_RETRIES times; a longer wait ends the source with a gap.
    max_wait: float = DEFAULT_MAX_WAIT


class RateLimited(SourceError):
    """The server asked for a wait longer than pmtui's bound."""


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks to wait: Retry-After (seconds or an HTTP
    date, RFC 9110 10.2.3), else PagerDuty's `ratelimit-reset` (seconds)."""
    from email.utils import parsedate_to_datetime

    for name in ("retry-after", "ratelimit-reset"):
        text = (response.headers.get(name) or "").strip()
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


def outside(text: str, limit: int = MAX_BODY_IN_MESSAGE) -> str:
    """Text from a server made fit for a gap or notice: redacted, one line."""
    return one_line(redact(text), limit)


def auth_headers(auth: str, token_env: str = "", username_env: str = "", password_env: str = "") -> dict:
    """Authorization header from the named environment variables."""
    auth = (auth or "none").strip().lower()
    if auth in ("", "none"):
        return {}
    if auth == "bearer":
        token = _env(token_env, "token_env")
        return {"Authorization": f"Bearer {token}"}
    if auth == "basic":
        user = _env(username_env, "username_env")
        password = _env(password_env, "password_env")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}
    raise SourceError(f"auth {auth!r} is not one of none, bearer, basic")


def _env(name: str, field: str) -> str:
    if not name:
        raise SourceError(f"{field} is empty: name the environment variable that holds the secret")
    value = os.environ.get(name)
    if not value:
        raise SourceError(f"environment variable {name} (named by {field}) is not set")
    return value


def make_client(base_url: str, headers: dict | None = None, options: HttpOptions | None = None,
                transport: httpx.BaseTransport | None = None) -> httpx.Client:
    options = options or HttpOptions()
    url = base_url.strip()
    if not url.startswith(("http://", "https://")) and transport is None:
        raise SourceError(f"URL {outside(url)!r} must start with http:// or https://")
    return httpx.Client(
        base_url=url.rstrip("/"),
        headers={"Accept": "application/json", **(headers or {})},
        timeout=httpx.Timeout(options.timeout, connect=min(options.timeout, 5.0)),
        follow_redirects=False,
        transport=transport,
    )


def _sleep(seconds: float, ctx: Context) -> None:
    deadline = time.monotonic() + seconds
    while True:
        ctx.check_cancelled()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.1))


# A list repeats keys (include[]=a&include[]=b).
Params = dict[str, str] | list[tuple[str, str]] | None


def get(client: httpx.Client, path: str, params: Params, ctx: Context,
        options: HttpOptions | None = None) -> httpx.Response:
    """GET with bounded retries; raises Unreachable or SourceError."""
    options = options or HttpOptions()
    where = outside(f"{client.base_url}{path}")
    last = ""
    attempt = waits = 0
    wait: float | None = None
    while attempt <= options.retries:
        ctx.check_cancelled()
        if wait is not None:
            _sleep(wait, ctx)
        elif attempt:
            _sleep(options.backoff * 2 ** (attempt - 1), ctx)
        wait = None
        try:
            response = client.get(path, params=tuple(params) if isinstance(params, list) else params)
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
            asked = retry_after(response)
            if asked is not None and response.status_code in (429, 503):
                if asked > options.max_wait:
                    raise RateLimited(f"{where} is rate limiting (HTTP {response.status_code}) and asks to wait "
                                      f"{asked:.0f} s, longer than the {options.max_wait:g} s pmtui waits: "
                                      "collect again later")
                waits += 1
                if waits <= RATE_LIMIT_RETRIES:
                    wait = asked  # waited out as asked; not counted as a failed try
                    continue
                last += f" (rate limited {waits - 1} times in a row)"
            attempt += 1
            continue
        return response
    tries = attempt
    raise Unreachable(f"{last} ({tries} {'try' if tries == 1 else 'tries'})")


def get_json(client: httpx.Client, path: str, params: Params, ctx: Context,
             options: HttpOptions | None = None) -> tuple[bytes, object]:
    """The raw body (for evidence) and its parsed JSON; an HTTP error or a
    body that is not JSON raises SourceError with the server's own words."""
    response = get(client, path, params, ctx, options)
    body = response.content
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if response.status_code >= 400:
        detail = ""
        if isinstance(data, dict):
            detail = str(data.get("error") or data.get("message") or "")
        if not detail:
            detail = body.decode("utf-8", "replace")
        raise SourceError(f"HTTP {response.status_code} from {client.base_url}{path}: {outside(detail)}")
    if data is None:
        raise SourceError(f"{client.base_url}{path} did not answer JSON: {outside(body.decode('utf-8', 'replace'))}")
    return body, data
