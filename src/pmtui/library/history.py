"""Which action items were marked done this week, from git.

Without a GitHub token the review cannot ask when an issue was closed.
A file's modification time cannot say either: a fresh clone (a CI job,
a colleague's checkout) gives every file today's time, so every done item
looked "recently closed". In a git repository the file as it was a week
ago is at hand: an item done now that was not done then was closed this
week. Files outside a repository fall back to their modification time,
and the digest says which rule it used.

git runs a few times per repository, not per file: one `rev-list` for
the commit of a week ago, one `diff --name-only` for what changed since
(committed or not), one `ls-files --others` for new files, and one
`cat-file --batch` for the old texts of the changed files."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

WEEK = timedelta(days=7)
_GIT_TIMEOUT = 60.0


@dataclass
class Closed:
    """item ids done this week, by file (Entry.name); `rule` says how it
    was told: "git" for every file, "mtime" when some had no repository."""

    items: dict[str, set[str]] = field(default_factory=dict)
    by_git: int = 0  # files told by their git history
    by_mtime: int = 0  # files outside a repository: told by their modification time

    @property
    def rule(self) -> str:
        if self.by_mtime and not self.by_git:
            return "done items in files changed in the last 7 days"
        if self.by_mtime:
            return ("items marked done in the last 7 days (git history; files outside a repository: "
                    "done items in files changed in the last 7 days)")
        return "items marked done in the last 7 days (git history)"


def _git(repo: Path, *args: str, data: bytes | None = None) -> bytes | None:
    try:
        out = subprocess.run(["git", "-C", str(repo), *args], input=data, capture_output=True,
                             timeout=_GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def _toplevel(folder: Path, known: dict[Path, Path | None]) -> Path | None:
    """The repository holding `folder`: the nearest folder up with a .git
    (looked for in Python and remembered: a git call per folder cost
    seconds over a library of thousands of folders)."""
    seen = []
    top: Path | None = None
    for candidate in (folder, *folder.parents):
        if candidate in known:
            top = known[candidate]
            break
        seen.append(candidate)
        if (candidate / ".git").exists():
            top = candidate
            break
    for f in seen:
        known[f] = top
    return top


def _done_ids(text: str) -> set[str] | None:
    from pmtui import store

    try:
        pm = store.loads(text).pm
    except (store.StoreError, ValueError):
        return None
    return {a.id for a in pm.actions if a.status == "done"}


def _old_texts(repo: Path, rev: str, rels: list[str]) -> dict[str, str | None]:
    """rel path -> its text at `rev` (None: not there then)."""
    if not rels:
        return {}
    out = _git(repo, "cat-file", "--batch", data="".join(f"{rev}:{r}\n" for r in rels).encode(
        "utf-8", "surrogateescape"))
    texts: dict[str, str | None] = {}
    if out is None:
        return dict.fromkeys(rels)
    pos = 0
    for rel in rels:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) == 2 and header[1] == b"missing":
            texts[rel] = None
            continue
        size = int(header[2])
        texts[rel] = out[pos:pos + size].decode("utf-8", "replace")
        pos += size + 1
    return texts


def _in_repo(repo: Path, files: dict[str, set[str]], now: datetime, closed: Closed) -> None:
    """`files`: rel path -> the ids done now. Fills closed.items by name."""
    since = (now - WEEK).isoformat()
    base = (_git(repo, "rev-list", "-1", f"--before={since}", "HEAD") or b"").decode().strip()
    if base:
        changed_out = _git(repo, "diff", "--name-only", "-z", base, "--") or b""
        changed = {p.decode("utf-8", "surrogateescape") for p in changed_out.split(b"\0") if p}
    else:
        changed = set(files)  # the repository is younger than a week: every file is this week's
    new_out = _git(repo, "ls-files", "--others", "--exclude-standard", "-z") or b""
    changed |= {p.decode("utf-8", "surrogateescape") for p in new_out.split(b"\0") if p}
    todo = [rel for rel in files if rel in changed]
    old = _old_texts(repo, base, todo) if base else dict.fromkeys(todo)
    for rel, done_now in files.items():
        closed.by_git += 1
        if rel not in changed or not done_now:
            continue
        before = old.get(rel)
        was_done = _done_ids(before) if before is not None else set()
        name = str(repo / rel)
        closed.items[name] = done_now - (was_done or set())


def closed_this_week(entries: Iterable[tuple[str, set[str]]], now: datetime) -> Closed:
    """`entries`: (file path, ids of its items done now). Each file's items
    marked done in the seven days before `now`."""
    closed = Closed()
    repos: dict[Path, dict[str, set[str]]] = {}
    tops: dict[Path, Path | None] = {}
    names: dict[tuple[Path, str], str] = {}
    for name, done in entries:
        path = Path(name).resolve()
        folder = path.parent
        top = _toplevel(folder, tops)
        if top is None:
            closed.by_mtime += 1
            try:
                mtime = os.stat(path).st_mtime
            except OSError:
                continue
            if (now - WEEK).timestamp() <= mtime <= now.timestamp() and done:
                closed.items[name] = set(done)
            continue
        rel = path.relative_to(top.resolve()).as_posix()
        repos.setdefault(top.resolve(), {})[rel] = done
        names[(top.resolve(), rel)] = name
    for repo, files in repos.items():
        found = Closed()
        _in_repo(repo, files, now, found)
        closed.by_git += found.by_git
        for rel in files:
            ids = found.items.get(str(repo / rel))
            if ids:
                closed.items[names[(repo, rel)]] = ids
    return closed
