"""The people's sources (Slack, PagerDuty, Loki) under pmtui.trust's rules.

Post-mortem files travel through git and pull requests, so a file alone
never decides where a user's secret is sent (docs/security.md):

- The Slack and PagerDuty API hosts are fixed (slack.com,
  api.pagerduty.com); only the user's environment moves them
  (PMTUI_SLACK_API_URL, PMTUI_PAGERDUTY_API_URL: GovSlack, PagerDuty's
  EU service, tests): the user named them.
- A Loki URL from the file receives credentials only once the user
  trusted it (`pmtui trust URL --credential env:LOKI_TOKEN`); one given on
  the command line is the user's.
- A file may leave the variable blank (the source's own: SLACK_TOKEN,
  PAGERDUTY_TOKEN, LOKI_TOKEN...) or name one the user allowed
  (`pmtui trust --env NAME`).
- No credential goes over plain http, except to loopback.

A secret read from the environment is added to the redactor at once, so
a server that echoes it back (an error message, a log line) cannot carry
it into a gap, evidence or the screen, whatever its shape (a PagerDuty
REST key has no prefix any rule could know it by).
"""

from __future__ import annotations

import os
import re

from pmtui.redact import Redactor, Rule, config_path, load_extra_patterns, set_default_redactor
from pmtui.sources.httpget import SourceError

# The variable each source reads when the file names none: pmtui's
# convention, not the file's choice.
DEFAULT_ENV: dict[tuple[str, str], str] = {
    ("slack", "token_env"): "SLACK_TOKEN",
    ("pagerduty", "token_env"): "PAGERDUTY_TOKEN",
    ("loki", "token_env"): "LOKI_TOKEN",
    ("loki", "username_env"): "LOKI_USERNAME",
    ("loki", "password_env"): "LOKI_PASSWORD",
}
API_BASE = {
    "slack": ("PMTUI_SLACK_API_URL", "https://slack.com/api"),
    "pagerduty": ("PMTUI_PAGERDUTY_API_URL", "https://api.pagerduty.com"),
}
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def credential_var(named: str, source: str, field: str = "token_env") -> str:
    """The environment variable to read for `source`'s `field`: the one the
    file names, if the user allowed it, else the source's own."""
    from pmtui.trust import TrustError, check_env_name

    default = DEFAULT_ENV[(source, field)]
    name = (named or "").strip().lstrip("$") or default
    if not _ENV_NAME_RE.match(name):
        raise SourceError(f"{field} {name!r} is not the name of an environment variable")
    if name != default:
        try:
            check_env_name(name, field_name=f"[sources.{source}] {field}")
        except TrustError as exc:
            raise SourceError(str(exc)) from None
    return name


def read_secret(var: str, kind: str) -> str:
    """The value of `var`, remembered by the redactor; SourceError when unset."""
    value = os.environ.get(var, "").strip()
    if not value:
        raise SourceError(f"environment variable {var} is not set: export it with the {kind} "
                          "(the token is read from the environment only, never stored)")
    remember_secret(value, kind)
    return value


_remembered: dict[str, str] = {}


def remember_secret(value: str, kind: str) -> None:
    """Redact this exact value everywhere from now on (on top of the rule
    sets and the user's redact.toml)."""
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


def check_credentials_may_go(url: str, var: str, *, from_user: bool, what: str) -> None:
    """SourceError unless the value of `var` may be sent to `url` (pmtui.trust.check)."""
    from pmtui.trust import TrustError, check, env_credential

    try:
        check(url, env_credential(var), named_by="user" if from_user else f"the file's [sources.{what}] url")
    except TrustError as exc:
        raise SourceError(str(exc)) from None
