"""Export settings: the file's [export.github] with command-line overrides,
plus the knobs of retrying and rate-limit waiting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypedDict, Unpack

from pmtui.export.errors import ExportError
from pmtui.model import PostMortem

DEFAULT_BASE_URL = "https://api.github.com"
_REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class ExportSettings:
    repo: str  # OWNER/NAME
    base_url: str = DEFAULT_BASE_URL
    labels: tuple[str, ...] = ()
    # Longest rate-limit wait (seconds) sat through with a countdown; a
    # longer one stops the export cleanly instead.
    max_wait: float = 60.0
    retries: int = 3  # extra attempts for idempotent calls after 5xx / network errors
    backoff: float = 1.0  # first retry delay, doubled each time
    timeout: int = 15  # per request, seconds (PyGithub wants an int)
    # PyGithub's own pacing (0.25 s between requests, 1 s between writes)
    # keeps bulk creation under GitHub's secondary limits; tests turn it off.
    throttle: bool = True
    # Who named base_url: "user" (the command line, or the default), or the
    # file, whose choice needs the user's trust before the token goes there.
    base_url_named_by: str = "user"
    # The team's mapping (.pmtui.toml [export]): priority -> label, person -> login.
    priority_labels: tuple[tuple[str, str], ...] = ()
    assignees: tuple[tuple[str, str], ...] = ()

    @property
    def is_enterprise(self) -> bool:
        return self.base_url.rstrip("/") != DEFAULT_BASE_URL


class Knobs(TypedDict, total=False):
    """ExportSettings' tuning, passed through by settings_for."""

    max_wait: float
    retries: int
    backoff: float
    timeout: int
    throttle: bool
    priority_labels: tuple[tuple[str, str], ...]
    assignees: tuple[tuple[str, str], ...]


def settings_for(
    pm: PostMortem,
    *,
    repo: str | None = None,
    base_url: str | None = None,
    labels: list[str] | tuple[str, ...] | None = None,
    **knobs: Unpack[Knobs],
) -> ExportSettings:
    """Settings from the file, each overridden by a non-empty argument.
    Raises ExportError(kind="config") naming what is wrong."""
    gh = pm.github
    repo = (repo or gh.repo or "").strip()
    base = (base_url or gh.base_url or DEFAULT_BASE_URL).strip().rstrip("/")
    if not repo:
        raise ExportError(
            "config",
            "No GitHub repository to export to.",
            'Set repo = "OWNER/NAME" under [export.github] in the file, or pass --repo OWNER/NAME.',
        )
    if not _REPO_RE.match(repo):
        raise ExportError("config", f"Repository {repo!r} is not OWNER/NAME.",
                          "Write it like acme/ops.")
    if not re.match(r"^https?://[^/\s]+", base):
        raise ExportError(
            "config",
            f"Base URL {base!r} is not an http(s) URL.",
            "Use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise.",
        )
    if not pm.id or any(c.isspace() for c in pm.id):
        raise ExportError(
            "config",
            "The post-mortem needs an id without spaces before its items can be exported.",
            "Set id (e.g. PM-2025-001) in the file: issues are matched to items by it.",
        )
    extra = tuple(labels) if labels else tuple(gh.labels)
    named_by = "user" if (base_url or "").strip() or not (gh.base_url or "").strip() else (
        "the file's [export.github] base_url")
    return ExportSettings(repo=repo, base_url=base, labels=extra, base_url_named_by=named_by, **knobs)


def check_trust(settings: ExportSettings) -> None:
    """ExportError("trust") unless the GitHub token may go to
    settings.base_url (pmtui.trust): before the token is even looked up."""
    from pmtui.trust import GITHUB, TrustError, check

    try:
        check(settings.base_url, GITHUB, named_by=settings.base_url_named_by)
    except TrustError as exc:
        raise ExportError("trust", exc.message, exc.hint) from None
