"""A Slack export, as Slack produces it: a zip (or the folder it unpacks
to) holding channels.json (public channels), groups.json (private ones),
mpims.json and dms.json (conversations), users.json (org_users.json on
Enterprise Grid), and one folder per conversation with one JSON file per
day (YYYY-MM-DD.json, an array of message objects, thread replies in the
day they were posted). Layout: https://slack.com/help/articles/220556107

Only the chosen channel's days around the window are read, each with a
size bound, so a workspace export of gigabytes costs what the window
holds. Works offline, over SSH, with no token.
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path, PurePosixPath

from pmtui.sources.base import Window
from pmtui.sources.slackdata import Channel, Collected, Directory, SlackError

MAX_MEMBER = 64 << 20  # bytes read of one file of the export
LISTS = ("channels.json", "groups.json", "mpims.json", "dms.json")
USERS = ("users.json", "org_users.json")
_DAY_RE = re.compile(r"^(\d{4}-\d\d-\d\d)\.json$")


class _Tree:
    """The export's files, from a zip or a folder, by their path inside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self.prefix = ""
        if path.is_dir():
            names = [p.relative_to(path).as_posix() for p in path.rglob("*.json") if p.is_file()]
        else:
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise SlackError(f"{path.name} is neither a Slack export zip nor a folder ({exc})") from None
            names = [i.filename for i in self._zip.infolist() if not i.is_dir()]
        # Some tools zip the export's folder rather than its contents.
        if not any(n in LISTS + USERS for n in names):
            tops = {n.split("/", 1)[0] for n in names if "/" in n}
            for top in tops:
                if any(n == f"{top}/channels.json" or n == f"{top}/users.json" for n in names):
                    self.prefix = top + "/"
                    break
        self.names = {n[len(self.prefix):] for n in names if n.startswith(self.prefix)}
        self.days: dict[str, list[tuple[str, str]]] = {}  # folder -> [(YYYY-MM-DD, name)]
        for name in self.names:
            parts = PurePosixPath(name)
            m = _DAY_RE.match(parts.name)
            if m and len(parts.parts) == 2:
                self.days.setdefault(parts.parts[0], []).append((m.group(1), name))
        for held in self.days.values():
            held.sort()

    def read(self, name: str) -> bytes:
        if name not in self.names:
            raise FileNotFoundError(name)
        if self._zip is not None:
            info = self._zip.getinfo(self.prefix + name)
            if info.file_size > MAX_MEMBER:
                raise SlackError(f"{name} in {self.path.name} is {info.file_size >> 20} MB, over the "
                                 f"{MAX_MEMBER >> 20} MB pmtui reads of one file")
            with self._zip.open(info) as fh:
                return fh.read(MAX_MEMBER + 1)[:MAX_MEMBER]
        target = self.path / self.prefix / name
        if target.stat().st_size > MAX_MEMBER:
            raise SlackError(f"{name} is {target.stat().st_size >> 20} MB, over the {MAX_MEMBER >> 20} MB "
                             "pmtui reads of one file")
        return target.read_bytes()

    def json(self, name: str) -> object:
        data = self.read(name)
        try:
            return json.loads(data)
        except ValueError as exc:
            raise SlackError(f"{name} in {self.path.name} is not JSON ({exc})") from None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _conversations(tree: _Tree) -> list[tuple[Channel, str]]:
    """Every conversation the export lists, with the folder of its days."""
    out: list[tuple[Channel, str]] = []
    for listing in LISTS:
        if listing not in tree.names:
            continue
        items = tree.json(listing)
        if not isinstance(items, list):
            raise SlackError(f"{listing} in {tree.path.name} is not a list of conversations")
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            name = str(item.get("name") or "")
            # Channels' folders are named after them; DMs' after their id.
            folder = name if name and name in tree.days else item["id"]
            out.append((Channel(item["id"], name or item["id"]), folder))
    return out


def _days(tree: _Tree, folder: str, window: Window) -> list[str]:
    """The day files of `folder` that may hold messages of the window (a
    day either side: the export's days follow the workspace's time zone)."""
    first = (window.start - timedelta(days=1)).date().isoformat()
    last = (window.end + timedelta(days=1)).date().isoformat()
    return [name for day, name in tree.days.get(folder, []) if first <= day <= last]


def _choose(conversations: list[tuple[Channel, str]], wanted: str, tree: _Tree,
            window: Window) -> tuple[Channel, str]:
    if wanted:
        for channel, folder in conversations:
            if wanted in (channel.id, channel.name):
                return channel, folder
        names = ", ".join(sorted("#" + c.name for c, _ in conversations)[:12])
        raise SlackError(f"the export {tree.path.name} has no channel {wanted!r} (it has {names or 'none'})")
    if len(conversations) == 1:
        return conversations[0]
    active = [(c, f) for c, f in conversations if _days(tree, f, window)]
    if len(active) == 1:
        return active[0]
    names = ", ".join("#" + c.name for c, _ in (active or conversations)[:12])
    raise SlackError(f"the export {tree.path.name} holds {len(active) or len(conversations)} channels"
                     f"{' with messages around the window' if active else ''} ({names}): name the incident's "
                     "with [sources.slack] channel, or --slack PATH#CHANNEL")


def read_export(path: Path, channel: str, window: Window) -> Collected:
    if not path.exists():
        raise SlackError(f"export {path.name} does not exist")
    tree = _Tree(path)
    try:
        if not any(n in tree.names for n in LISTS):
            raise SlackError(f"{path.name} is not a Slack export: it has no channels.json "
                             "(an export holds channels.json, users.json and a folder per channel)")
        conversations = _conversations(tree)
        if not conversations:
            raise SlackError(f"{path.name} lists no channels")
        chosen, folder = _choose(conversations, channel, tree, window)
        directory = Directory(channels={c.id: c.name for c, _ in conversations})
        for users in USERS:
            if users in tree.names:
                listed = tree.json(users)
                for user in listed if isinstance(listed, list) else []:
                    directory.add_user(user)
        pinned: set[str] = set()
        for listing in LISTS:
            items = tree.json(listing) if listing in tree.names else []
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and item.get("id") == chosen.id:
                    pinned |= {str(p.get("id")) for p in item.get("pins") or [] if isinstance(p, dict)}
        messages: list[dict] = []
        notes: list[str] = []
        days = _days(tree, folder, window)
        for day in days:
            data = tree.json(day)
            if not isinstance(data, list):
                notes.append(f"{day} in the export is not a list of messages; skipped")
                continue
            messages.extend(m for m in data if isinstance(m, dict))
        if not days:
            held = tree.days.get(folder, [])
            span = f" (the export holds {held[0][0]} to {held[-1][0]})" if held else " (it holds no day of it)"
            notes.append(f"the export has no day of #{chosen.name} in the window{span}")
        return Collected(chosen, messages, directory, pinned, where=f"(export {path.name})", notes=notes)
    finally:
        tree.close()
