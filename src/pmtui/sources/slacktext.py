"""Slack messages as plain, inert timeline text: mrkdwn and entities
resolved, a kind guessed, noise recognised.

Slack's message text is its "mrkdwn" with angle-bracket entities
(https://docs.slack.dev/messaging/formatting-message-text):
`<@U123>` a user, `<#C123|name>` a channel, `<!here>` and friends,
`<!subteam^S123|@team>`, `<!date^1392734382^{date}|fallback>`,
`<https://url|label>` a link; `&amp; &lt; &gt;` are the only escapes;
`*bold*`, `_italic_`, `~strike~`, `` `code` `` and ``` blocks mark style.
Everything here yields text for a one-line timeline row; it is then
redacted and made terminal-safe by the caller (pmtui.textsafe), so an
ANSI sequence or Rich markup in a message stays visible characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable

ENTITY_RE = re.compile(r"<([^<>\n]{1,2000})>")
_STYLE_RES = (
    re.compile(r"```(?:\n)?(.*?)```", re.DOTALL),
    re.compile(r"`([^`\n]+)`"),
    re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])"),
    re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])"),
)
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}

Names = Callable[[str], str]  # id -> display name ("" when unknown)


def _entity(body: str, user: Names, channel: Names) -> str:
    target, _, label = body.partition("|")
    if target.startswith("@"):
        uid = target[1:]
        name = label or user(uid) or ""
        return "@" + (name.lstrip("@") or uid)
    if target.startswith("#"):
        cid = target[1:]
        name = label or channel(cid) or ""
        return "#" + (name.lstrip("#") or cid)
    if target.startswith("!"):
        word = target[1:]
        if word in _SPECIAL:
            return _SPECIAL[word]
        if word.startswith("subteam^"):
            return label or "@" + word.split("^", 1)[1]
        if word.startswith("date^"):
            return label or word
        return label or "@" + word
    if label:
        return label
    return target.removeprefix("mailto:")


def plain(text: str, user: Names, channel: Names) -> str:
    """Message text with entities resolved and style marks dropped; lines kept."""
    if not text:
        return ""
    out = ENTITY_RE.sub(lambda m: _entity(m.group(1), user, channel), text)
    for pattern in _STYLE_RES:
        out = pattern.sub(r"\1", out)
    return out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mentioned_users(text: str) -> set[str]:
    """User ids named in `<@U123>` entities (to look their names up)."""
    return {m.group(1)[1:].partition("|")[0] for m in ENTITY_RE.finditer(text or "")
            if m.group(1).startswith("@") and "|" not in m.group(1)}


def mentioned_channels(text: str) -> set[str]:
    return {m.group(1)[1:].partition("|")[0] for m in ENTITY_RE.finditer(text or "")
            if m.group(1).startswith("#") and "|" not in m.group(1)}


# -- kinds ---------------------------------------------------------------------------

# Checked in this order: a message that decides to roll back is a decision.
_KIND_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("decision", re.compile(
        r"\b(?:decided|decision|we(?:'ll| will) (?:go with|keep|roll|revert|not)|let'?s (?:go with|roll|revert|keep)"
        r"|going with|agreed|ruled out|rule out|no[- ]go|go/no-go|call(?:ing)? it|plan is|the plan:)", re.I)),
    ("escalation", re.compile(
        r"(?:@here|@channel|@everyone|(?<!status )\bpag(?:e|ed|ing)\b|\bescalat\w*|\bincident commander\b|\bIC\b"
        r"|\btaking (?:command|lead|over)\b|\bjoin(?:ing|ed)? the (?:bridge|call)\b|\blooping in\b|\bpulling in\b"
        r"|\bdeclar(?:e|ed|ing) (?:a |an )?(?:incident|sev|p\d)|\bsev ?[0-4]\b|\bbridge\b)", re.I)),
    ("action", re.compile(
        r"\b(?:rolling back|rolled back|rollback|revert(?:ed|ing)?|restart(?:ed|ing)?|redeploy\w*|deploy(?:ed|ing)"
        r"|scal(?:ed|ing) (?:up|down|out|to)|enabl(?:ed|ing)|disabl(?:ed|ing)|flipp?(?:ed|ing)|toggl\w*|applied"
        r"|applying|kubectl|failover|failing over|drain(?:ed|ing)|creat(?:ed|ing) (?:the |an )?index"
        r"|index\b[^.]{0,60}\bcreated"
        r"|running (?:the )?(?:migration|script|query)|bump(?:ed|ing)|raised|killed|cordon\w*|patch(?:ed|ing))\b",
        re.I)),
)


def guess_kind(text: str) -> str:
    """communication, escalation, action or decision, from the words used."""
    for kind, pattern in _KIND_RULES:
        if pattern.search(text):
            return kind
    return "communication"


_CHATTER_RE = re.compile(
    r"^(?:\+1|\+\d|ok(?:ay)?|k|kk|ack(?:ed)?|thanks?|thx|ty|thank you|lol|lgtm|nice|cool"
    r"|great|👍|🙏|✅|on it|looking|ok thanks|sgtm|same|\?+|!+)[.!\s]*$", re.I)
_EMOJI_ONLY_RE = re.compile(r"^(?:\s*:[a-z0-9_+'-]+:\s*)+$")


def is_chatter(text: str) -> bool:
    """A short acknowledgement that says nothing new (ok, +1, thanks, an emoji)."""
    t = text.strip()
    return not t or bool(_CHATTER_RE.match(t)) or bool(_EMOJI_ONLY_RE.match(t))


# Subtypes that are not people talking: joins, leaves, edits, deletions.
NOISE_SUBTYPES = frozenset({
    "channel_join", "channel_leave", "group_join", "group_leave", "message_changed", "message_deleted",
    "message_replied", "tombstone", "joiner_notification", "reminder_add", "reminder_delete",
    "channel_archive", "channel_unarchive", "bot_add", "bot_remove", "pinned_item", "unpinned_item",
})
BOT_SUBTYPES = frozenset({"bot_message", "bot_add", "bot_remove"})
# Channel housekeeping that is worth a row (a topic set to the incident's status).
COMMUNICATION_SUBTYPES = frozenset({"channel_topic", "channel_purpose", "channel_name"})
