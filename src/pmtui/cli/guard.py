"""What every command that writes a post-mortem does first and last, as
the app does: take the file's lock (one writer at a time), keep a backup,
and never overwrite edits made to the file while the command ran."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from pmtui.cli.errors import fail, say

if TYPE_CHECKING:
    from pmtui.filesafety.lock import FileLock
    from pmtui.store import Document


def hold_lock(file: str | Path, *, what: str) -> FileLock:
    """The file's lock, or exit 2 when the app (or another command) has it.
    A state folder that cannot hold a lock (a full disk) is said once and
    the command goes on without one."""
    from pmtui.filesafety.lock import FileLock

    lock = FileLock(file)
    if lock.acquire():
        return lock
    if lock.error is not None:
        say(f"pmtui: warning: {lock.error}; {what} goes on without it")
        return lock
    other = lock.other
    who = f" (pid {other.pid} on {other.host}, since {other.since})" if other else ""
    fail(f"{file} is open in pmtui{who}: {what} would overwrite its edits, or it ours. "
         "Do it from the app, or close it and run this again.")


def changed_on_disk(doc: Document) -> bool:
    """Has the file changed since `doc` was read (another editor, a git pull)?"""
    if doc.path is None or doc.stamp is None:
        return False
    try:
        data = Path(doc.path).read_bytes()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return hashlib.sha256(data).hexdigest() != doc.stamp.sha256


def keep_backup(file: str | Path) -> None:
    """NAME.toml.bak before a command replaces NAME.toml; a backup that
    cannot be made is a warning, not a stop (the save itself is atomic)."""
    from pmtui.filesafety.disk import backup

    try:
        backup(file)
    except OSError as exc:
        say(f"pmtui: warning: {exc.filename or file}: {exc.strerror or exc}")
