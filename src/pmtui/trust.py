"""Which endpoint may receive which of the user's credentials.

A post-mortem file travels through git and pull requests: it may name a
URL, but it never decides where the user's secrets go. Every source or
export that sends a credential asks here first (`check`, `check_env_name`):

- An endpoint named by the user (a command-line option, the user's own
  config) may receive the credential meant for it. One named by a
  post-mortem file may only once the user has trusted that endpoint with
  that credential: `pmtui trust URL --credential NAME`, or the app's
  confirmation, remembered in the user's config (`trust.toml` in
  $XDG_CONFIG_HOME/pmtui, mode 0600). github.com's API is trusted with the
  GitHub token from the start.
- A credential never goes over plain http, except to loopback
  (127.0.0.0/8, ::1, localhost): not even to an endpoint the user named.
- The environment variables a file may name as credentials
  (`[sources.prometheus] token_env = "..."`) are the ones the user allowed:
  `pmtui trust --env NAME`. Any other name is refused, so a file cannot
  have AWS_SECRET_ACCESS_KEY sent as a bearer token.

Credentials are named `github` (GITHUB_TOKEN / GH_TOKEN / `gh auth token`)
and `env:NAME` (the value of environment variable NAME). A new source
(Slack, PagerDuty, Loki...) calls `check(url, "env:SLACK_TOKEN",
named_by=...)` before its first request and shows `TrustError.hint`.
The file format (`trust.toml`):

    credential_env = ["PROM_TOKEN", "PROM_PASSWORD"]

    [[endpoint]]
    url = "https://ghe.example.com"
    credentials = ["github"]

No Textual here.
"""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pmtui import locations
from pmtui.redact import redact

GITHUB = "github"
TRUSTED_FROM_THE_START = {"https://api.github.com": frozenset({GITHUB})}
_ENV_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


class TrustError(ValueError):
    """A credential would go where the user did not say; `hint` says how
    to allow it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


def trust_file() -> Path:
    return locations.config_dir() / "trust.toml"


def env_credential(name: str) -> str:
    return f"env:{name}"


def origin(url: str) -> str:
    """scheme://host[:port], lower case, the default port left out: what a
    decision is remembered for (a path on the same server is the same
    endpoint). Raises TrustError for a URL without a scheme and host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise TrustError(f"{redact(url)!r} is not a URL") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        raise TrustError(f"{redact(url)!r} is not an http(s) URL")
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{_host(host)}"
    return f"{scheme}://{_host(host)}:{port}"


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def is_loopback(url: str) -> bool:
    host = (urlsplit(url.strip()).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Trust:
    """The user's decisions (trust.toml), plus github.com's API for the
    GitHub token."""

    endpoints: dict[str, set[str]] = field(default_factory=dict)
    credential_env: set[str] = field(default_factory=set)
    path: Path | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> Trust:
        """The user's trust file; missing means no decisions yet. A broken
        one raises TrustError naming it (trusting less is not silent)."""
        path = path or trust_file()
        trust = cls(path=path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return trust
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise TrustError(f"{path}: cannot be read: {exc}",
                             "Fix or remove the file (pmtui trust writes it).") from None
        names = data.get("credential_env", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise TrustError(f"{path}: credential_env: expected a list of variable names")
        trust.credential_env = set(names)
        for n, entry in enumerate(data.get("endpoint", []), 1):
            url, creds = (entry.get("url"), entry.get("credentials")) if isinstance(entry, dict) else (None, None)
            if not isinstance(url, str) or not isinstance(creds, list) or not all(isinstance(c, str) for c in creds):
                raise TrustError(f'{path}: endpoint[{n}]: expected url = "https://..." and credentials = ["..."]')
            trust.endpoints.setdefault(origin(url), set()).update(creds)
        return trust

    def allows(self, url: str, credential: str) -> bool:
        where = origin(url)
        return credential in TRUSTED_FROM_THE_START.get(where, ()) or credential in self.endpoints.get(where, ())

    def allows_env(self, name: str) -> bool:
        return name in self.credential_env

    def remember(self, url: str, credential: str) -> Path:
        """Trust `url`'s endpoint with `credential` from now on (saved)."""
        self.endpoints.setdefault(origin(url), set()).add(credential)
        return self.save()

    def allow_env(self, name: str) -> Path:
        if not name or not set(name) <= _ENV_NAME_CHARS:
            raise TrustError(f"{name!r} is not an environment variable name")
        self.credential_env.add(name)
        return self.save()

    def save(self) -> Path:
        from pmtui.filesafety.atomic import write_atomic

        path = self.path or trust_file()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lines = ["# Where pmtui may send your credentials: written by `pmtui trust` and the app.",
                 "# See docs/security.md.",
                 f"credential_env = [{', '.join(_quote(n) for n in sorted(self.credential_env))}]", ""]
        for where, creds in sorted(self.endpoints.items()):
            lines += ["[[endpoint]]", f"url = {_quote(where)}",
                      f"credentials = [{', '.join(_quote(c) for c in sorted(creds))}]", ""]
        write_atomic(path, "\n".join(lines).encode("utf-8"), mode=0o600)
        return path


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c >= " " else f"\\u{ord(c):04x}" for c in escaped) + '"'


def check(url: str, credential: str, *, named_by: str, trust: Trust | None = None) -> None:
    """Raise TrustError unless `credential` may be sent to `url`.
    `named_by` says where the URL came from: "user" (a command-line
    option, the user's config) or a description of the file ("the file's
    [export.github] base_url"), which then needs the user's trust."""
    where = origin(url)
    shown = _credential_words(credential)
    if where.startswith("http://") and not is_loopback(url):
        raise TrustError(
            f"{shown} would be sent over plain http to {where}.",
            "Use https; plain http carries credentials only to loopback (127.0.0.1, ::1, localhost).")
    if named_by == "user":
        return
    trust = trust if trust is not None else Trust.load()
    if not trust.allows(url, credential):
        raise TrustError(
            f"{named_by} names {where}, which you have not trusted with {shown}.",
            f"If it is yours, run `pmtui trust {where} --credential {credential}` (or pass the URL on the "
            "command line); a post-mortem file alone never decides where a credential goes.")


def check_env_name(name: str, *, field_name: str, named_by_user: bool = False, trust: Trust | None = None) -> None:
    """Raise TrustError unless the environment variable `name`, named as a
    credential by a post-mortem file's `field_name`, was allowed by the user."""
    if named_by_user:
        return
    trust = trust if trust is not None else Trust.load()
    if not trust.allows_env(name):
        raise TrustError(
            f"{field_name} names the environment variable {name!r}, which you have not allowed as a credential.",
            f"If it holds the token for this server, run `pmtui trust --env {name}`; a post-mortem file may "
            "only name variables you allowed.")


def _credential_words(credential: str) -> str:
    if credential == GITHUB:
        return "the GitHub token"
    if credential.startswith("env:"):
        return f"the value of {credential[4:]}"
    return credential


# -- asking the user -------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """What the app asks before a credential first goes to an endpoint a
    post-mortem file named: the server, who named it, and the environment
    variables whose values would go there (names only, never a value)."""

    url: str
    where: str  # origin(url): what the answer is remembered for
    named_by: str
    env_names: tuple[str, ...]  # the variables whose values would be sent
    unallowed: tuple[str, ...] = ()  # of those, the ones not yet allowed as credentials at all
    untrusted: tuple[str, ...] = ()  # credentials ("env:NAME") not yet trusted to this endpoint

    @property
    def command(self) -> str:
        """The `pmtui trust` command that answers yes from a shell."""
        parts = ["pmtui trust"]
        if self.untrusted:
            parts += [self.where, *(f"--credential {c}" for c in self.untrusted)]
        parts += [f"--env {n}" for n in self.unallowed]
        return " ".join(parts)

    def remember(self, trust: Trust | None = None) -> Path:
        """Yes: allow the variables and trust the endpoint with them (saved)."""
        trust = trust if trust is not None else Trust.load()
        for name in self.unallowed:
            if not name or not set(name) <= _ENV_NAME_CHARS:
                raise TrustError(f"{name!r} is not an environment variable name")
            trust.credential_env.add(name)
        for credential in self.untrusted:
            trust.endpoints.setdefault(self.where, set()).add(credential)
        return trust.save()


def question_for(url: str, env_names: list[str] | tuple[str, ...], *, named_by: str,
                 trust: Trust | None = None, conventional: frozenset[str] = frozenset()) -> Question | None:
    """The question to ask before the values of `env_names` go to `url`, or
    None when the user's decisions already allow it. `conventional`: names
    pmtui reads when a file names none (SLACK_TOKEN...), which need no
    allowing. Raises TrustError when no answer could allow it: plain http
    to another host, not a URL."""
    names = tuple(dict.fromkeys(n for n in env_names if n))
    if not names:
        return None
    where = origin(url)
    if where.startswith("http://") and not is_loopback(url):
        check(url, env_credential(names[0]), named_by="user")  # raises, with the words for it
    trust = trust if trust is not None else Trust.load()
    unallowed = tuple(n for n in names if n not in conventional and not trust.allows_env(n))
    untrusted = () if named_by == "user" else tuple(
        env_credential(n) for n in names if not trust.allows(url, env_credential(n)))
    if not unallowed and not untrusted:
        return None
    return Question(url, where, named_by, names, unallowed, untrusted)
