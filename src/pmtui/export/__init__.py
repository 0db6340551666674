"""Action items -> GitHub issues, safe to run again.

The API a UI drives from a thread worker (and the CLI drives headless):

    settings = settings_for(pm, repo=..., base_url=...)   # ExportError("config")
    client = connect(settings)                             # ExportError("token")
    p = plan(pm, settings, client, progress=..., cancelled=...)      # reads only
    r = apply(pm, p, client, progress=..., cancelled=..., on_item_done=save)
    changes = plan_sync(pm, settings, client); apply_sync(pm, changes)

From a UI: run plan/apply/sync in a thread worker. `progress(Progress)` and
`on_item_done(ItemOutcome)` are called on that thread (hand them to the
main thread, e.g. call_from_thread / post_message); `cancelled()` is polled
between items and every 0.2 s of a wait, so a cancel ends a rate-limit
countdown at once. `Progress.wait_left` carries the countdown. `plan`
raises ExportError (kind says which: token, auth, forbidden, not-found,
rate-limit...; `.message` + `.hint` are ready to show); `apply` never
raises it: `Result.stopped` holds it and unreached items are "not done".
apply writes issue/tracker into the pm's ActionItems it is given: pass a
copy and apply each outcome's (item_id, number, url) through the edit
session if the model belongs to the main thread.

Importing this package is cheap: PyGithub is imported when a client is made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pmtui.export.apply import ItemOutcome, Result, apply
from pmtui.export.errors import ExportError
from pmtui.export.plan import Plan, PlanItem, offline_plan, plan
from pmtui.export.progress import Progress
from pmtui.export.settings import ExportSettings, check_trust, settings_for
from pmtui.export.sync import SyncChange, apply_sync, plan_sync
from pmtui.export.token import MISSING_TOKEN_HINT, Token, find_token

if TYPE_CHECKING:
    from pmtui.export.github import GithubClient

__all__ = [
    "ExportError", "ExportSettings", "ItemOutcome", "Plan", "PlanItem", "Progress", "Result",
    "SyncChange", "Token", "apply", "apply_sync", "check_trust", "connect", "find_token", "offline_plan", "plan",
    "plan_sync",
    "settings_for",
]


def connect(settings: ExportSettings, token: Token | None = None, *, sleep: Callable[[float], None] = time.sleep,
            clock: Callable[[], float] = time.monotonic) -> GithubClient:
    """A client for settings.repo; the token is looked up when not given.
    `sleep` and `clock` time its waits (tests make them instant). Raises
    ExportError("trust") when the file, not the user, chose a base URL the
    user has not trusted with the token (pmtui.trust)."""
    check_trust(settings)
    if token is None:
        token = find_token(settings.base_url)
    if token is None:
        raise ExportError("token", "No GitHub token.", MISSING_TOKEN_HINT)
    from pmtui.export.github import GithubClient

    return GithubClient(settings, token, sleep=sleep, clock=clock)
