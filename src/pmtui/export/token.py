"""Where the GitHub token comes from: GITHUB_TOKEN, else GH_TOKEN, else
`gh auth token`. The value lives only in memory, inside a `Token` whose
repr and str never show it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from urllib.parse import urlsplit

GH_TIMEOUT = 5.0  # seconds; a hung `gh` must not hang the export


class Token:
    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str) -> None:
        self._value = value
        self.source = source  # "GITHUB_TOKEN", "GH_TOKEN" or "gh auth token"

    def reveal(self) -> str:
        return self._value

    def scrub(self, text: str) -> str:
        """`text` with the token replaced, for any message built from
        outside data (exception text, response bodies)."""
        if self._value and self._value in text:
            text = text.replace(self._value, "\u00abredacted:token\u00bb")
        return text

    def __repr__(self) -> str:
        return f"Token(from {self.source})"

    __str__ = __repr__


def gh_hostname(base_url: str) -> str | None:
    """The host `gh` knows this API by: None for github.com, the server's
    host for GitHub Enterprise (`https://ghe.example.com/api/v3`)."""
    if not base_url:
        return None
    host = urlsplit(base_url).hostname or ""
    if host in ("api.github.com", "github.com"):
        return None
    return host or None


def find_token(
    base_url: str = "",
    *,
    env: Mapping[str, str] | None = None,
    gh: str = "gh",
    timeout: float = GH_TIMEOUT,
) -> Token | None:
    env = os.environ if env is None else env
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        value = (env.get(name) or "").strip()
        if value:
            return Token(value, name)
    cmd = [gh, "auth", "token"]
    host = gh_hostname(base_url)
    if host:
        cmd += ["--hostname", host]
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(env),
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        # gh missing, not executable, or hung: same as "not logged in".
        return None
    value = done.stdout.strip() if done.returncode == 0 else ""
    if not value or any(c.isspace() for c in value):
        return None
    return Token(value, "gh auth token")


MISSING_TOKEN_HINT = (
    "Set GITHUB_TOKEN (or GH_TOKEN) to a token that can read and write issues in the "
    "repository, or log in with `gh auth login`; --dry-run shows the plan without one."
)
