"""One pmtui per post-mortem: a lock file recording who has it open.

The lock lives in the user's state directory (keyed like the journal), not
beside the post-mortem, so it never shows up in `git status` and works for
files in read-only folders. It holds the pid, the host, the process's start
time and when it was taken. A lock is stale when its process is gone on
this host — or when the pid has been reused by another process, which the
start time gives away. A lock from another host cannot be checked, so it
is reported, never broken silently. No Textual here.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pmtui.filesafety.disk import key_for, private_dir, state_root


@dataclass(frozen=True)
class LockInfo:
    path: str  # the post-mortem's absolute path
    pid: int
    host: str
    since: str  # ISO 8601 UTC, when the lock was taken
    pid_start: str = ""  # the process's start time in clock ticks since boot ("" = unknown)

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host} since {self.since}"

    @property
    def same_host(self) -> bool:
        return self.host == socket.gethostname()


def lock_dir(root: Path | None = None) -> Path:
    return (root or state_root()) / "locks"


def lock_file(path: str | os.PathLike[str], root: Path | None = None) -> Path:
    return lock_dir(root) / f"{key_for(path)}.lock"


def _pid_start(pid: int) -> str:
    """Field 22 of /proc/PID/stat: constant for a process's life and
    different for a later process given the same pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read().decode("ascii", "replace")
    except OSError:
        return ""
    # The command name (field 2) is in parentheses and may itself hold
    # spaces or parentheses; everything after the last ')' is fixed.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def is_stale(info: LockInfo) -> bool:
    if not info.same_host:
        return False
    if not _alive(info.pid):
        return True
    if info.pid_start:
        now = _pid_start(info.pid)
        if now and now != info.pid_start:
            return True
    return False


def read_lock(file: Path) -> LockInfo | None:
    """The lock at `file`; None when absent. A lock file we cannot make
    sense of (hand-edited, truncated by a full disk) counts as stale: the
    pid it would name cannot be checked."""
    try:
        raw = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return LockInfo(path="", pid=-1, host=socket.gethostname(), since="")
    try:
        data = json.loads(raw)
        return LockInfo(
            path=str(data["path"]),
            pid=int(data["pid"]),
            host=str(data["host"]),
            since=str(data["since"]),
            pid_start=str(data.get("pid_start", "")),
        )
    except (ValueError, KeyError, TypeError):
        return LockInfo(path="", pid=-1, host=socket.gethostname(), since="")


class FileLock:
    """Our claim on one post-mortem. `acquire()` never blocks: it either
    takes the lock (replacing a stale one, remembered in `.replaced`) or
    leaves `.other` set to the live holder for the app to warn about."""

    def __init__(self, path: str | os.PathLike[str], *, root: Path | None = None) -> None:
        self.path = os.path.abspath(os.fspath(path))
        self.file = lock_file(self.path, root)
        self.held = False
        self.other: LockInfo | None = None
        self.replaced: LockInfo | None = None
        # why the lock could not be taken at all (a full disk, a read-only
        # state folder): acquire() then returns False with `other` None, and
        # the caller goes on without a lock, saying so
        self.error: str | None = None
        self.info = LockInfo(
            path=self.path,
            pid=os.getpid(),
            host=socket.gethostname(),
            since=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            pid_start=_pid_start(os.getpid()),
        )

    def _tmp_with_info(self) -> str:
        fd, tmp = tempfile.mkstemp(prefix=".lock.", dir=private_dir(self.file.parent))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(self.info), handle)
        return tmp

    def acquire(self) -> bool:
        """True when we now hold the lock. Never raises for the state
        folder's trouble: `error` says what it was."""
        try:
            return self._acquire()
        except OSError as exc:
            self.held, self.other = False, None
            self.error = f"no lock taken in {self.file.parent}: {exc.strerror or exc}"
            return False

    def _acquire(self) -> bool:
        tmp = self._tmp_with_info()
        try:
            for _ in range(3):
                try:
                    # link() fails if the lock exists, and the lock appears
                    # with its content complete: no half-written lock to
                    # misread.
                    os.link(tmp, self.file)
                    self.held, self.other = True, None
                    return True
                except FileExistsError:
                    pass
                current = read_lock(self.file)
                if current is None:
                    continue  # released between our two calls: try again
                if self._is_ours(current):
                    self.held, self.other = True, None
                    return True
                if not is_stale(current):
                    self.other = current
                    return False
                self.replaced = current
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.file)
            self.other = read_lock(self.file)
            return False
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def take_over(self) -> None:
        """The user chose to open the file anyway: the lock becomes ours, and
        the other instance will not remove it when it quits."""
        tmp = self._tmp_with_info()
        os.replace(tmp, self.file)
        self.held, self.other = True, None

    def _is_ours(self, info: LockInfo) -> bool:
        return info.pid == self.info.pid and info.host == self.info.host and info.pid_start == self.info.pid_start

    def release(self) -> None:
        """Remove the lock only if it is still ours (another instance may
        have taken it over)."""
        if not self.held:
            return
        self.held = False
        current = read_lock(self.file)
        if current is not None and self._is_ours(current):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.file)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
