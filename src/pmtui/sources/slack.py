"""Slack: an incident channel's messages as candidate timeline events.

Two ways in, one way out. `slackexport` reads a workspace or channel
export (zip or folder, offline); `slackapi` reads the Web API
(conversations.history and .replies, users.info, pins.list). Both give
`Message`s and a `Directory` of names, which become candidates here: the
author as actor, the kind guessed from the words, threads kept (a reply
names its thread), pinned, starred and reaction-marked messages flagged
so they rank first, bots and chatter left out unless asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pmtui.model import SLACK_MARKS, Gap, SlackSettings
from pmtui.redact import redact
from pmtui.sources.base import Candidate, Context, SourceResult, Window
from pmtui.sources.jsonshape import obj
from pmtui.sources.slackdata import Collected, Directory, SlackError, ts_time
from pmtui.sources.slacktext import (
    BOT_SUBTYPES,
    COMMUNICATION_SUBTYPES,
    NOISE_SUBTYPES,
    guess_kind,
    is_chatter,
    plain,
)
from pmtui.textsafe import one_line

SOURCE = "slack"
MAX_EVENT = 240  # characters of a message kept in its timeline row


# -- messages to candidates --------------------------------------------------------------


def _text_of(msg: dict, directory: Directory) -> str:
    text = plain(str(msg.get("text") or ""), directory.user, directory.channel)
    if not text.strip():
        parts = []
        for att in msg.get("attachments") or []:
            if isinstance(att, dict):
                parts.append(str(att.get("fallback") or att.get("text") or att.get("title") or ""))
        for f in msg.get("files") or []:
            if isinstance(f, dict):
                parts.append(f"shared a file: {f.get('title') or f.get('name') or 'file'}")
        text = plain(" ".join(p for p in parts if p), directory.user, directory.channel)
    return text


def _shorten(text: str) -> str:
    """One timeline line: a long paste keeps its first line and says how
    much more there was (the whole is in the evidence)."""
    text = text.strip()
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    if len(lines) <= 3 and len(text) <= MAX_EVENT:
        return one_line(" / ".join(line.strip() for line in lines), MAX_EVENT)
    first, last = lines[0].strip(), lines[-1].strip()
    if len(lines) == 1:
        return one_line(first, MAX_EVENT)
    # A paste (a stack trace, a log excerpt): its first and last lines say
    # the most; the whole is in the evidence.
    tail = f" ({len(lines)} lines)"
    room = MAX_EVENT - len(tail) - 3
    head = one_line(first, max(20, room // 2))
    return head + " \u2026 " + one_line(last, room - len(head)) + tail


def _author(msg: dict, directory: Directory) -> tuple[str, bool]:
    """(actor, is a bot)."""
    uid = str(msg.get("user") or "")
    profile = obj(msg, "user_profile")
    bot = bool(msg.get("bot_id")) or msg.get("subtype") in BOT_SUBTYPES or uid in directory.bots
    name = ""
    for value in (profile.get("display_name"), profile.get("real_name"), directory.user(uid)):
        if isinstance(value, str) and value.strip():
            name = value.strip()
            break
    if not name and bot:
        bp = obj(msg, "bot_profile")
        name = str(msg.get("username") or bp.get("name") or "bot")
    name = name or uid or "unknown"
    return ("@" + name.lstrip("@") + (" (bot)" if bot else "")), bot


def _flag(msg: dict, pinned: set[str], marks: Iterable[str]) -> str:
    ts = str(msg.get("ts") or "")
    if ts in pinned or msg.get("pinned_to"):
        return "pinned"
    if msg.get("is_starred"):
        return "starred"
    wanted = list(marks)
    best: tuple[int, int, str] | None = None
    for reaction in msg.get("reactions") or []:
        if not isinstance(reaction, dict):
            continue
        name = str(reaction.get("name") or "").split("::")[0]  # skin tones: thumbsup::skin-tone-2
        if name in wanted:
            count = int(reaction.get("count") or len(reaction.get("users") or []) or 1)
            key = (wanted.index(name), -count, name)
            if best is None or key < best:
                best = key
    if best is None:
        return ""
    return f":{best[2]}:" + (f" \u00d7{-best[1]}" if -best[1] > 1 else "")


@dataclass
class Stats:
    in_window: int = 0
    bots: int = 0
    chatter: int = 0
    noise: int = 0


def candidates(got: Collected, settings: SlackSettings, window: Window, evidence_id: str = "",
               lines: dict[str, int] | None = None) -> tuple[list[Candidate], Stats]:
    """Candidates for the messages in the window, flagged ones first.
    `lines` (message ts -> line in the evidence) makes each reference open
    at its message."""
    from pmtui.sources.base import ref

    directory = got.directory
    marks = settings.marks or list(SLACK_MARKS)
    source = f"{SOURCE}: #{got.channel.name or got.channel.id}"
    parents = {str(m.get("ts")): m for m in got.messages if isinstance(m, dict)}
    out: list[Candidate] = []
    stats = Stats()
    seen: set[str] = set()
    for msg in sorted((m for m in got.messages if isinstance(m, dict)), key=lambda m: float(m.get("ts") or 0)):
        ts = str(msg.get("ts") or "")
        when = ts_time(ts)
        if when is None or ts in seen or not (window.start <= when <= window.end):
            continue
        seen.add(ts)
        stats.in_window += 1
        subtype = str(msg.get("subtype") or "")
        if subtype in NOISE_SUBTYPES and subtype not in BOT_SUBTYPES:
            stats.noise += 1
            continue
        actor, bot = _author(msg, directory)
        flag = _flag(msg, got.pinned, marks)
        if bot and not settings.bots and not flag:
            stats.bots += 1
            continue
        text = redact(_text_of(msg, directory))
        if not flag and not settings.chatter and subtype not in COMMUNICATION_SUBTYPES and is_chatter(text):
            stats.chatter += 1
            continue
        kind = "communication" if subtype in COMMUNICATION_SUBTYPES else guess_kind(text)
        event = _shorten(text) or "(empty message)"
        thread = str(msg.get("thread_ts") or "")
        if thread and thread != ts:
            parent = parents.get(thread)
            started = ts_time(thread)
            who = f" {_author(parent, directory)[0]}" if parent is not None else ""
            at = f" at {started:%H:%M:%S}" if started is not None else ""
            event = f"\u21b3 {event} (in the thread of{who}{at})"
        # A ts's fraction is Slack's sequence within the second, not a time.
        at = ref(evidence_id, line=(lines or {}).get(ts)) if evidence_id else ""
        out.append(Candidate(when.replace(microsecond=0), event, source, kind=kind,
                             actor=one_line(redact(actor), 80), evidence=at, flag=flag, signal="chat",
                             confidence=0.75 if flag else 0.55, precision=3))
    out.sort(key=lambda c: (not c.flag, c.time))
    return out, stats


# -- the source -------------------------------------------------------------------------


def evidence_document(got: Collected, window: Window) -> bytes:
    """The channel's messages in the window (threads included) and the
    names they use, as one JSON document."""
    def z(when: datetime) -> str:
        return when.isoformat().replace("+00:00", "Z")

    keep = []
    for msg in got.messages:
        when = ts_time(str(msg.get("ts") or "")) if isinstance(msg, dict) else None
        if when is not None and window.start <= when <= window.end:
            keep.append(msg)
    keep.sort(key=lambda m: float(m.get("ts") or 0))
    doc = {"channel": {"id": got.channel.id, "name": got.channel.name}, "read_from": got.where,
           "window": [z(window.start), z(window.end)], "pinned": sorted(got.pinned),
           "users": dict(sorted(got.directory.users.items())), "messages": keep}
    return json.dumps(doc, indent=1, ensure_ascii=False).encode()


def export_and_channel(settings: SlackSettings, base_dir: Path) -> tuple[Path | None, str]:
    """(export path or None, channel): `export` may carry the channel after
    a `#` (slack-export.zip#inc-api) when it is not itself a path."""
    export, channel = settings.export.strip(), settings.channel.strip().lstrip("#")
    if not export:
        return None, channel
    path = Path(export).expanduser()
    path = path if path.is_absolute() else base_dir / path
    if not path.exists() and "#" in export:
        head, _, tail = export.rpartition("#")
        path = Path(head).expanduser()
        path = path if path.is_absolute() else base_dir / path
        channel = channel or tail.strip()
    return path, channel


def collect(settings: SlackSettings, ctx: Context, *, http: object = None, transport: object = None) -> SourceResult:
    """The channel's messages in the window, from the export when one is
    set, else from the Web API."""
    from pmtui.sources.evidence import write_evidence
    from pmtui.sources.httpget import SourceError

    result = SourceResult(SOURCE)
    window = ctx.window

    def gap(text: str) -> None:
        result.gaps.append(Gap(SOURCE, one_line(redact(text), 400), window.start, window.end))

    export, channel = export_and_channel(settings, ctx.base_dir)
    try:
        if export is not None:
            from pmtui.sources.slackexport import read_export

            ctx.progress(f"Slack: reading the export {export.name}", 0.1)
            got = read_export(export, channel, window)
        elif channel:
            from pmtui.sources.slackapi import read_api

            got = read_api(settings, channel, ctx, http=http, transport=transport)
        else:
            gap("Slack not read: set [sources.slack] channel (with a token in the environment) or export, "
                "or pass --slack PATH_OR_CHANNEL")
            return result
    except (SlackError, SourceError) as exc:
        gap(f"Slack not read: {exc}")
        return result
    name = got.channel.name or got.channel.id
    ev = write_evidence(ctx, "chat", SOURCE, f"slack/{name}.json", evidence_document(got, window),
                        query=f"#{name} {got.where}")
    result.evidence.append(ev)
    from pmtui.sources.jsonshape import id_lines

    found, stats = candidates(got, settings, window, ev.id, id_lines((ctx.base_dir / ev.path).read_bytes(), "ts"))
    result.candidates.extend(found)
    for note in got.notes:
        gap(note)
    if not stats.in_window:
        gap(f"no messages in #{name} between {window.start:%Y-%m-%d %H:%M} and {window.end:%Y-%m-%d %H:%M} UTC")
    left_out, keys = [], []
    if stats.bots:
        left_out.append(f"{stats.bots} bot message{'s' if stats.bots != 1 else ''}")
        keys.append("bots")
    if stats.chatter:
        left_out.append(f"{stats.chatter} short acknowledgement{'s' if stats.chatter != 1 else ''}")
        keys.append("chatter")
    if left_out:
        result.notes.append(f"left out {' and '.join(left_out)} (in the evidence; "
                            f"[sources.slack] {' = true, '.join(keys)} = true keeps them)")
    ctx.progress("Slack: done", 1.0)
    return result
