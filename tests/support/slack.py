"""A loopback Slack Web API for tests, answering the read methods pmtui's
Slack source calls the way slack.com does.

Shapes, from Slack's method reference (https://docs.slack.dev/reference/methods/<method>)
and the response samples in slackapi/java-slack-sdk json-logs/samples/api/:
- every answer is HTTP 200 with {"ok": true, ...} or {"ok": false, "error": "..."}:
  not_authed (no token), invalid_auth (a wrong one), missing_scope (with
  "needed" and "provided"), channel_not_found, not_in_channel,
  thread_not_found, user_not_found; the x-oauth-scopes header on each;
- rate limits are HTTP 429 with Retry-After (seconds) and {"ok": false,
  "error": "ratelimited"} (https://docs.slack.dev/apis/web-api/rate-limits);
- conversations.history: newest first, `oldest`/`latest` bounds
  (exclusive unless inclusive=true), `limit`, cursor pagination:
  has_more and response_metadata.next_cursor (base64 of "next_ts:<ts>",
  as Slack's own cursors decode); thread parents carry thread_ts,
  reply_count, reply_users, latest_reply; replies are not in it;
- conversations.replies: the parent first, then its replies oldest first;
- conversations.info / conversations.list (cursor-paginated channels),
  pins.list (items of type "message"), users.info.

Tests get a started server from the `fake_slack` fixture and point the
real client at it with PMTUI_SLACK_API_URL.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

from support.loopback import Answer, Loopback, Request

TOKEN = "xoxb-1234567890-0987654321-loopbackTokenAbCdEfGh"
ALL_SCOPES = ("channels:history", "channels:read", "groups:history", "groups:read", "pins:read", "users:read")
DEMO_EXPORT = Path(__file__).resolve().parents[2] / "examples" / "demo-recordings" / "slack"


def _cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _from_cursor(cursor: str) -> str:
    return base64.b64decode(cursor.encode()).decode().removeprefix("next_ts:")


class FakeSlack(Loopback):
    def __init__(self, *, token: str = TOKEN, scopes: tuple[str, ...] = ALL_SCOPES, page_cap: int = 1000) -> None:
        super().__init__()
        self.token = token
        self.scopes = set(scopes)
        self.page_cap = page_cap  # "fewer than the requested number of items may be returned"
        self.channels: list[dict] = []
        self.messages: dict[str, list[dict]] = {}  # channel id -> every message, replies too
        self.pins: dict[str, list[str]] = {}  # channel id -> pinned ts
        self.users: dict[str, dict] = {}
        self.not_member: set[str] = set()

    # -- state ------------------------------------------------------------------------

    def add_channel(self, cid: str, name: str, messages: list[dict], *, private: bool = False,
                    pinned: tuple[str, ...] = ()) -> None:
        self.channels.append({"id": cid, "name": name, "is_channel": not private, "is_group": private,
                              "is_im": False, "is_private": private, "is_archived": False,
                              "name_normalized": name, "created": 1739095980, "is_member": True,
                              "topic": {"value": "", "creator": "", "last_set": 0},
                              "purpose": {"value": "", "creator": "", "last_set": 0}, "num_members": 5})
        self.messages[cid] = [copy.deepcopy(m) for m in messages]
        self.pins[cid] = list(pinned)

    def add_users(self, users: list[dict]) -> None:
        for user in users:
            self.users[user["id"]] = copy.deepcopy(user)

    def load_export(self, folder: Path = DEMO_EXPORT) -> None:
        """The channels, users and messages of an export, as the API would serve them."""
        self.add_users(json.loads((folder / "users.json").read_text()))
        for channel in json.loads((folder / "channels.json").read_text()):
            messages = []
            for day in sorted((folder / channel["name"]).glob("*.json")):
                messages += json.loads(day.read_text())
            for m in messages:
                m.pop("user_profile", None)  # the API's history carries no profile: users.info does
            pinned = tuple(p["id"] for p in channel.get("pins") or [])
            self.add_channel(channel["id"], channel["name"], messages, pinned=pinned)

    def rate_limit(self, method: str, seconds: int, *, times: int = 1) -> None:
        """The next calls of `method` are refused as Slack does it."""
        self.respond(f"/{method}$", 429, {"ok": False, "error": "ratelimited"}, [("Retry-After", str(seconds))],
                     times=times)

    # -- answers ----------------------------------------------------------------------

    def _ok(self, data: dict) -> Answer:
        return Answer.json({"ok": True, **data}, headers=self._scope_headers())

    def _error(self, error: str, **extra: object) -> Answer:
        return Answer.json({"ok": False, "error": error, **extra}, headers=self._scope_headers())

    def _scope_headers(self) -> list[tuple[str, str]]:
        return [("x-oauth-scopes", ",".join(sorted(self.scopes)))]

    def answer(self, request: Request) -> Answer:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip() or request.arg("token")
        if not token:
            return self._error("not_authed")
        if token != self.token:
            return self._error("invalid_auth")
        method = request.path.rsplit("/", 1)[-1]
        handler = {
            "conversations.history": self._history, "conversations.replies": self._replies,
            "conversations.info": self._info, "conversations.list": self._list, "pins.list": self._pins,
            "users.info": self._user,
        }.get(method)
        if handler is None:
            return self._error("unknown_method")
        return handler(request)

    def _need(self, scope: str) -> Answer | None:
        if scope in self.scopes:
            return None
        return self._error("missing_scope", needed=scope, provided=",".join(sorted(self.scopes)))

    def _channel(self, request: Request) -> tuple[str, Answer | None]:
        cid = request.arg("channel")
        if cid not in self.messages:
            return cid, self._error("channel_not_found")
        if cid in self.not_member:
            return cid, self._error("not_in_channel")
        return cid, None

    def _decorate(self, cid: str, message: dict) -> dict:
        out = copy.deepcopy(message)
        ts = out["ts"]
        replies = [m for m in self.messages[cid] if m.get("thread_ts") == ts and m["ts"] != ts]
        if replies:
            out.update(thread_ts=ts, reply_count=len(replies), reply_users_count=len({r.get("user") for r in replies}),
                       latest_reply=max(r["ts"] for r in replies), reply_users=sorted({r.get("user") for r in replies}),
                       is_locked=False, subscribed=False)
        if ts in self.pins.get(cid, []):
            out["pinned_to"] = [cid]
        return out

    def _bounds(self, request: Request) -> tuple[float, float, bool]:
        oldest = float(request.arg("oldest") or 0)
        latest = float(request.arg("latest") or 9e12)
        return oldest, latest, request.arg("inclusive") in ("true", "1")

    def _page(self, items: list[dict], request: Request, key: str, extra: dict) -> Answer:
        limit = min(int(request.arg("limit") or 100), 999, self.page_cap)
        start = 0
        cursor = request.arg("cursor")
        if cursor:
            ts = _from_cursor(cursor)
            start = next((i for i, m in enumerate(items) if m["ts"] == ts), len(items))
        page = items[start:start + limit]
        more = start + limit < len(items)
        data = {key: page, "has_more": more, **extra,
                "response_metadata": {"next_cursor": _cursor(items[start + limit]["ts"]) if more else ""}}
        return self._ok(data)

    def _history(self, request: Request) -> Answer:
        cid, problem = self._channel(request)
        problem = problem or self._need("channels:history")
        if problem:
            return problem
        oldest, latest, inclusive = self._bounds(request)

        def inside(ts: float) -> bool:
            return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

        top = [self._decorate(cid, m) for m in self.messages[cid]
               if (m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast")
               and inside(float(m["ts"]))]
        top.sort(key=lambda m: float(m["ts"]), reverse=True)  # newest first, as Slack answers
        return self._page(top, request, "messages", {"pin_count": len(self.pins.get(cid, []))})

    def _replies(self, request: Request) -> Answer:
        cid, problem = self._channel(request)
        if problem:
            return problem
        ts = request.arg("ts")
        parent = next((m for m in self.messages[cid] if m["ts"] == ts), None)
        if parent is None:
            return self._error("thread_not_found")
        oldest, latest, inclusive = self._bounds(request)
        replies = sorted((m for m in self.messages[cid] if m.get("thread_ts") == ts and m["ts"] != ts
                          and (oldest <= float(m["ts"]) <= latest if inclusive else oldest < float(m["ts"]) < latest)),
                         key=lambda m: float(m["ts"]))
        return self._page([self._decorate(cid, parent), *replies], request, "messages", {})

    def _info(self, request: Request) -> Answer:
        found = next((c for c in self.channels if c["id"] == request.arg("channel")), None)
        if found is None:
            return self._error("channel_not_found")
        return self._ok({"channel": found})

    def _list(self, request: Request) -> Answer:
        problem = self._need("channels:read")
        if problem:
            return problem
        limit = min(int(request.arg("limit") or 100), 1000, self.page_cap)
        start = int(base64.b64decode(request.arg("cursor")).decode().removeprefix("offset:")) if request.arg(
            "cursor") else 0
        page = self.channels[start:start + limit]
        more = start + limit < len(self.channels)
        cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
        return self._ok({"channels": page, "response_metadata": {"next_cursor": cursor}})

    def _pins(self, request: Request) -> Answer:
        cid, problem = self._channel(request)
        problem = problem or self._need("pins:read")
        if problem:
            return problem
        items = []
        for ts in self.pins.get(cid, []):
            message = next((m for m in self.messages[cid] if m["ts"] == ts), None)
            if message is not None:
                items.append({"type": "message", "created": int(float(ts)) + 60, "created_by": message.get("user"),
                              "channel": cid, "message": self._decorate(cid, message)})
        return self._ok({"items": items})

    def _user(self, request: Request) -> Answer:
        problem = self._need("users:read")
        if problem:
            return problem
        user = self.users.get(request.arg("user"))
        if user is None:
            return self._error("user_not_found")
        return self._ok({"user": user})
