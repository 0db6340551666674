"""The Slack Web API, read-only, as the Slack source needs it.

Methods (https://docs.slack.dev/reference/methods/): conversations.info
or conversations.list to find the channel, conversations.history for the
window (oldest/latest, cursor pagination through
response_metadata.next_cursor), conversations.replies for each thread,
pins.list, users.info for every author and mention. Slack answers HTTP
200 with {"ok": false, "error": "..."} for most failures (invalid_auth,
missing_scope, channel_not_found...) and HTTP 429 with Retry-After when
rate limited (https://docs.slack.dev/apis/web-api/rate-limits), which
httpget waits out. The token comes from the environment only and goes
to slack.com (or where the user's PMTUI_SLACK_API_URL says).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmtui.model import SlackSettings
from pmtui.sources.base import Context
from pmtui.sources.jsonshape import obj
from pmtui.sources.slackdata import CHANNEL_ID_RE, MAX_MESSAGES, Channel, Collected, Directory, SlackError
from pmtui.sources.slacktext import mentioned_users

if TYPE_CHECKING:
    import httpx

    from pmtui.sources.httpget import HttpOptions

PAGE = 200
MAX_PAGES = 200
MAX_USERS = 300

_AUTH_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                "no_permission", "ekm_access_denied", "two_factor_setup_required", "not_allowed_token_type"}


class _Api:
    def __init__(self, client: httpx.Client, ctx: Context, http: HttpOptions | None, var: str) -> None:
        self.client, self.ctx, self.http, self.var = client, ctx, http, var
        self.calls = 0

    def call(self, method: str, params: dict[str, str]) -> dict[str, Any]:
        from pmtui.sources import httpget

        self.ctx.check_cancelled()
        self.calls += 1
        _body, data = httpget.get_json(self.client, f"/{method}", params, self.ctx, self.http)
        if not isinstance(data, dict):
            raise SlackError(f"{method} did not answer a JSON object")
        if data.get("ok") is not True:
            raise SlackError(self._problem(method, data, params))
        return data

    def _problem(self, method: str, data: dict[str, Any], params: dict[str, str]) -> str:
        from pmtui.sources.httpget import outside

        error = outside(str(data.get("error") or "unknown error"), 80)
        channel = outside(params.get("channel", ""), 40)
        if error in _AUTH_ERRORS:
            return (f"Slack refused the token in ${self.var} ({error}): it is wrong, revoked or expired, "
                    "or not a bot/user token")
        if error == "missing_scope":
            needed = outside(str(data.get("needed") or "?"), 80)
            provided = outside(str(data.get("provided") or ""), 200)
            return f"{method}: the token lacks the scope {needed} (it has: {provided or 'none'})"
        if error == "channel_not_found":
            return f"channel {channel} not found, or the token cannot see it (a private channel needs the app in it)"
        if error == "not_in_channel":
            return f"the token's app is not in channel {channel}: invite it (/invite @app) and collect again"
        return f"{method} failed: {error}"

    def pages(self, method: str, params: dict[str, str], key: str) -> tuple[list[Any], bool]:
        """Every item of a cursor-paginated method; True when cut at MAX_PAGES."""
        out: list[Any] = []
        cursor = ""
        for _ in range(MAX_PAGES):
            data = self.call(method, {**params, **({"cursor": cursor} if cursor else {})})
            items = data.get(key)
            out.extend(items if isinstance(items, list) else [])
            meta = obj(data, "response_metadata")
            cursor = str(meta.get("next_cursor") or "")
            if not cursor or len(out) >= MAX_MESSAGES:
                return out, bool(cursor)
        return out, True


def _channel(api: _Api, wanted: str) -> Channel:
    name = wanted.strip().lstrip("#")
    if CHANNEL_ID_RE.match(name):
        data = api.call("conversations.info", {"channel": name})
        info = obj(data, "channel")
        return Channel(name, str(info.get("name") or name))
    cursor = ""
    for _ in range(MAX_PAGES):
        params = {"types": "public_channel,private_channel", "exclude_archived": "false", "limit": "1000"}
        data = api.call("conversations.list", {**params, **({"cursor": cursor} if cursor else {})})
        for item in data.get("channels") or []:
            if isinstance(item, dict) and name in (item.get("name"), item.get("name_normalized")):
                return Channel(str(item.get("id")), str(item.get("name")))
        meta = obj(data, "response_metadata")
        cursor = str(meta.get("next_cursor") or "")
        if not cursor:
            break
    raise SlackError(f"no channel named #{name} that the token can see (give its id, C…, for a private one)")


def read_api(settings: SlackSettings, channel: str, ctx: Context, *, http: Any = None,
             transport: Any = None) -> Collected:
    from pmtui.sources import httpget, trust

    base = trust.api_base("slack")
    var = trust.credential_var(settings.token_env, "slack")
    trust.check_credentials_may_go(base, var, from_user=True, what="slack")
    token = trust.read_secret(var, "slack-token")
    client = httpget.make_client(base, {"Authorization": f"Bearer {token}"}, http, transport)
    window = ctx.window
    notes: list[str] = []
    with client:
        api = _Api(client, ctx, http, var)
        ctx.progress(f"Slack: finding #{channel.lstrip('#')}", 0.05)
        chosen = _channel(api, channel)
        ctx.progress(f"Slack: history of #{chosen.name}", 0.15)
        span = {"channel": chosen.id, "oldest": f"{window.start.timestamp():.6f}",
                "latest": f"{window.end.timestamp():.6f}", "inclusive": "true", "limit": str(PAGE)}
        messages, cut = api.pages("conversations.history", span, "messages")
        if cut:
            notes.append(f"#{chosen.name}: history cut at {len(messages)} messages; "
                         "the rest of the window was not read")
        by_ts = {str(m.get("ts")): m for m in messages if isinstance(m, dict)}
        parents = [m for m in by_ts.values() if int(m.get("reply_count") or 0) > 0]
        for i, parent in enumerate(parents):
            ctx.progress(f"Slack: thread {i + 1} of {len(parents)}", 0.3 + 0.4 * i / max(1, len(parents)))
            replies, _ = api.pages("conversations.replies", {**span, "ts": str(parent.get("ts"))}, "messages")
            for reply in replies:
                if isinstance(reply, dict):
                    by_ts.setdefault(str(reply.get("ts")), reply)
        pinned: set[str] = set()
        try:
            listed = api.call("pins.list", {"channel": chosen.id}).get("items") or []
            for item in listed if isinstance(listed, list) else []:
                msg = item.get("message") if isinstance(item, dict) else None
                if isinstance(msg, dict) and msg.get("ts"):
                    pinned.add(str(msg["ts"]))
        except SlackError as exc:
            notes.append(f"pins of #{chosen.name} not read ({exc}); pinned messages are not ranked first")
        directory = Directory(channels={chosen.id: chosen.name})
        wanted: set[str] = set()
        for msg in by_ts.values():
            wanted |= {str(msg.get("user") or "")} | mentioned_users(str(msg.get("text") or ""))
        wanted.discard("")
        for i, uid in enumerate(sorted(wanted)[:MAX_USERS]):
            ctx.progress("Slack: names", 0.75 + 0.2 * i / max(1, len(wanted)))
            try:
                directory.add_user(api.call("users.info", {"user": uid}).get("user"))
            except SlackError as exc:
                if "refused the token" in str(exc):
                    raise
                notes.append(f"name of {uid} not read ({exc})")
    return Collected(chosen, list(by_ts.values()), directory, pinned,
                     where=f"(Web API: conversations.history and .replies, {api.calls} calls)", notes=notes)
