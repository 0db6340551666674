"""Where a credential may go, and which environment variables a
post-mortem file may name.

Post-mortem files travel through git and pull requests, so a file alone
never decides where a user's secret is sent:

- The Slack and PagerDuty API hosts are fixed (slack.com, api.pagerduty.com);
  only the user's environment moves them (PMTUI_SLACK_API_URL,
  PMTUI_PAGERDUTY_API_URL: Slack GovSlack, PagerDuty's EU service, tests).
- An endpoint named in the file (Loki) receives credentials only when the
  user gave it on the command line, or listed its host in PMTUI_TRUST_HOSTS.
- A file may name a credential variable only among each source's usual
  names (SLACK_TOKEN...) or those the user listed in PMTUI_ALLOW_ENV.
- Credentials never go over plain http, except to loopback.

A secret read from the environment is added to the redactor at once, so
a server that echoes it back (an error message, a log line) cannot carry
it into a gap, evidence or the screen, whatever its shape.
"""

from __future__ import annotations

import ipaddress
import os
import re
from urllib.parse import urlsplit

from pmtui.redact import Redactor, Rule, config_path, load_extra_patterns, set_default_redactor
from pmtui.sources.httpget import SourceError, outside

TRUST_HOSTS_ENV = "PMTUI_TRUST_HOSTS"
ALLOW_ENV_ENV = "PMTUI_ALLOW_ENV"

# The variables each source reads by convention; a file may name these.
USUAL_ENV: dict[str, tuple[str, ...]] = {
    "slack": ("SLACK_TOKEN", "SLACK_BOT_TOKEN", "SLACK_USER_TOKEN"),
    "pagerduty": ("PAGERDUTY_TOKEN", "PAGERDUTY_API_TOKEN", "PAGERDUTY_API_KEY"),
    "loki": ("LOKI_TOKEN", "LOKI_USERNAME", "LOKI_PASSWORD"),
}
API_BASE = {
    "slack": ("PMTUI_SLACK_API_URL", "https://slack.com/api"),
    "pagerduty": ("PMTUI_PAGERDUTY_API_URL", "https://api.pagerduty.com"),
}
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _listed(name: str) -> set[str]:
    return {part for part in re.split(r"[\s,]+", os.environ.get(name, "")) if part}


def credential_var(named: str, source: str, field: str = "token_env") -> str:
    """The environment variable to read for `source`: the one the file
    names (`named`, "" = the source's usual first name), if it may."""
    name = (named or "").strip().lstrip("$") or USUAL_ENV[source][0]
    if not _ENV_NAME_RE.match(name):
        raise SourceError(f"{field} {outside(name)!r} is not the name of an environment variable")
    if name not in USUAL_ENV[source] and name not in _listed(ALLOW_ENV_ENV):
        raise SourceError(
            f"{field} names {name}, which is not one of the variables {source} reads by convention "
            f"({', '.join(USUAL_ENV[source])}): a post-mortem file may not choose which secret is sent; "
            f"to allow it, add {name} to {ALLOW_ENV_ENV} in your own environment"
        )
    return name


def read_secret(var: str, kind: str) -> str:
    """The value of `var`, remembered by the redactor; SourceError when unset."""
    value = os.environ.get(var, "")
    if not value.strip():
        raise SourceError(f"environment variable {var} is not set: export it with the {kind} "
                          "(the token is read from the environment only, never stored)")
    remember_secret(value.strip(), kind)
    return value.strip()


_remembered: dict[str, str] = {}


def remember_secret(value: str, kind: str) -> None:
    """Redact this exact value everywhere from now on (on top of the
    builtin rules and the user's redact.toml)."""
    if len(value) < 8 or value in _remembered:
        return
    _remembered[value] = kind
    rules = [*load_extra_patterns(config_path()), *(Rule(k, re.escape(v)) for v, k in _remembered.items())]
    set_default_redactor(Redactor(rules))


def api_base(source: str) -> str:
    """The API root for Slack or PagerDuty: the official one unless the
    user's environment says otherwise."""
    var, default = API_BASE[source]
    return (os.environ.get(var) or default).rstrip("/")


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_credentials_may_go(url: str, *, from_user: bool, what: str) -> None:
    """Refuse (SourceError) to send credentials to `url` unless the user
    chose it and the connection is encrypted or stays on this machine."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "http" and not is_loopback(host):
        raise SourceError(f"{what} credentials are not sent over plain http to {outside(host)}: "
                          "use an https:// URL")
    if from_user:
        return
    trusted = {h.lower() for h in _listed(TRUST_HOSTS_ENV)}
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if host in trusted or netloc in trusted:
        return
    raise SourceError(
        f"{what} credentials not sent: the URL {outside(url)} comes from the post-mortem file alone; "
        f"pass it on the command line, or trust the host once by adding {netloc} to {TRUST_HOSTS_ENV} "
        "in your own environment"
    )
