"""What the two ways into Slack (export, Web API) hand the Slack source:
the channel, its raw messages and a directory of names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pmtui.sources.jsonshape import obj

MAX_MESSAGES = 20_000  # per collection; past it the rest is a gap
CHANNEL_ID_RE = re.compile(r"^[CGD][A-Z0-9]{6,}$")


class SlackError(Exception):
    """The export or the API cannot be used; the message is fit for a gap."""


def ts_time(ts: str) -> datetime | None:
    """A Slack timestamp ("1739095985.000200": seconds.sequence) as UTC."""
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


@dataclass
class Directory:
    """Names for ids: users (display name first) and channels."""

    users: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    bots: set[str] = field(default_factory=set)  # user ids that are bots or apps

    def user(self, uid: str) -> str:
        return self.users.get(uid, "")

    def channel(self, cid: str) -> str:
        return self.channels.get(cid, "")

    def add_user(self, user: object) -> None:
        """A user object (users.json entry, users.info's `user`)."""
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return
        name = display_name(user)
        if name:
            self.users[user["id"]] = name
        if user.get("is_bot") or user.get("is_app_user"):
            self.bots.add(user["id"])


def display_name(user: dict) -> str:
    profile = obj(user, "profile")
    for value in (profile.get("display_name"), profile.get("real_name"), user.get("real_name"), user.get("name")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


@dataclass
class Channel:
    id: str
    name: str


@dataclass
class Collected:
    """What either way in hands over."""

    channel: Channel
    messages: list[dict]  # raw message objects, replies included
    directory: Directory
    pinned: set[str] = field(default_factory=set)  # ts of pinned messages
    where: str = ""  # "export slack-export.zip" / "Web API", for the evidence's query
    notes: list[str] = field(default_factory=list)  # gaps found on the way
    raw: bytes = b""  # what to keep as evidence (a JSON document)
