"""The recovery journal: unsaved work survives a dropped SSH connection, a
closed terminal, a SIGTERM or a crash.

While a post-mortem is open, its full serialized text (what `store.dumps`
would save) is written to the user's state directory shortly after every
change, keyed by the file's absolute path, together with the path, the
sha256 of the file as it was opened and the time. A save or a clean quit
clears it. On the next open, `find_recovery(path)` returns what the journal
holds when it differs from the file, with a unified diff, and the app offers
restore / discard / keep both. No Textual here.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pmtui.filesafety.atomic import mode_beside
from pmtui.filesafety.disk import key_for, private_dir, sha256_bytes, state_root, write_atomic

FORMAT = 1
# How long a change may wait before it reaches the journal. The app flushes
# on a timer at this period, so the worst case stays under a second.
FLUSH_PERIOD = 0.1  # how often the app asks; JournalWriter decides when to write


def journal_dir(root: Path | None = None) -> Path:
    return (root or state_root()) / "journal"


def journal_file(path: str | os.PathLike[str], root: Path | None = None) -> Path:
    return journal_dir(root) / f"{key_for(path)}.json"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Entry:
    path: str  # the post-mortem's absolute path
    text: str  # the whole post-mortem as it would be saved
    opened_sha256: str  # of the file when it was opened; "" for a new file
    written: str  # ISO 8601 UTC
    pid: int
    host: str


class Journal:
    """The journal of one post-mortem path."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        opened_sha256: str = "",
        root: Path | None = None,
    ) -> None:
        self.path = os.path.abspath(os.fspath(path))
        self.opened_sha256 = opened_sha256
        self.file = journal_file(self.path, root)
        self._last_text: str | None = None

    def write(self, text: str) -> bool:
        """Record `text` atomically; False when it is what is already there.
        No fsync: the journal guards against the process dying (SIGHUP,
        SIGKILL, a crash), which the page cache survives, and an fsync per
        keystroke pause would stall typing on a busy disk."""
        if text == self._last_text:
            return False
        entry = {
            "format": FORMAT,
            "path": self.path,
            "opened_sha256": self.opened_sha256,
            "written": _now(),
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "text": text,
        }
        # ASCII JSON: any string the model can hold (even a lone surrogate)
        # round-trips.
        data = json.dumps(entry).encode("ascii")
        private_dir(self.file.parent)
        write_atomic(self.file, data, mode=0o600, durable=False)
        self._last_text = text
        return True

    def read(self) -> Entry | None:
        """What the journal holds; None when empty or unreadable (a journal
        is only ever written whole, so an unreadable one was not ours)."""
        try:
            data = json.loads(self.file.read_bytes())
            if data.get("format") != FORMAT:
                return None
            return Entry(
                path=str(data["path"]),
                text=str(data["text"]),
                opened_sha256=str(data.get("opened_sha256", "")),
                written=str(data.get("written", "")),
                pid=int(data.get("pid", 0)),
                host=str(data.get("host", "")),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def clear(self) -> None:
        self._last_text = None
        with contextlib.suppress(FileNotFoundError):
            self.file.unlink()

    @property
    def exists(self) -> bool:
        return self.file.exists()


class JournalWriter:
    """Turns a stream of edits into at most one journal write per flush
    period. `changed()` is called on every edit and costs nothing;
    `flush()` serializes and writes only when something changed, and is
    called by the app's timer and by the hang-up/terminate handlers. Calls
    come from one thread (the app's event loop).

    With `background=True` only the serializing (the store's incremental
    dumps, cheap after a small edit) happens on the calling thread; the
    JSON encoding and the file write (a megabyte at 10,000 events) happen
    on a writer thread, so the app never waits for the disk. The newest
    text always wins: a write handed over earlier is dropped when a newer
    one is pending, and `saved()` drops anything still pending before it
    clears the journal. `flush(force=True)` (signals) writes on the calling
    thread, after any write in progress."""

    def __init__(self, journal: Journal, serialize: Callable[[], str], *, background: bool = False,
                 idle: float = 0.0, max_delay: float = 0.9) -> None:
        """`idle`: serializing runs on the caller's thread, so the app waits
        for that long a lull in the edits before a flush (it must not land
        between a key and its frame), but never lets an edit wait more than
        `max_delay` for the journal."""
        self.idle = idle
        self.max_delay = max_delay
        self.journal = journal
        self.serialize = serialize
        self.background = background
        self.dirty = False
        self.writes = 0
        self.last_cost = 0.0  # seconds the last flush took on the calling thread
        self.error: BaseException | None = None  # the last background write's failure
        self._skip_until = 0.0
        self._first_change = self._last_change = 0.0
        self._lock = threading.Lock()  # one write (or clear) at a time
        self._handed = 0  # sequence number of the newest text handed over
        self._written = 0  # sequence number of the newest text on disk
        self._generation = 0  # bumped by saved(): pending writes are stale
        self._pending: tuple[int, int, str] | None = None
        self._busy = False
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def changed(self, *_: object) -> None:
        now = time.monotonic()
        if not self.dirty:
            self._first_change = now
        self._last_change = now
        self.dirty = True

    def flush(self, *, force: bool = False) -> bool:
        """Write (or hand over for writing) pending changes; True when
        something was. On a very large post-mortem, where serializing takes
        a noticeable time, flushes are spaced so the journal never takes
        more than a third of the app's time (force=True, for signals,
        ignores that and writes before returning)."""
        if not self.dirty:
            if force:
                # The process may end right after this: a text still waiting
                # for the writer thread is written here and now.
                with self._wake:
                    pending, self._pending = self._pending, None
                if pending is not None:
                    return self._write(*pending)
            return False
        now = time.monotonic()
        if not force and now < self._skip_until:
            return False
        if not force and now - self._last_change < self.idle and now - self._first_change < self.max_delay:
            return False
        text = self.serialize()
        self.dirty = False
        self._handed += 1
        seq, generation = self._handed, self._generation
        if self.background and not force:
            with self._wake:
                self._pending = (seq, generation, text)
                self._start_thread()
                self._wake.notify()
            wrote = True
        else:
            wrote = self._write(seq, generation, text)
        self.last_cost = time.monotonic() - now
        self._skip_until = now + 3 * self.last_cost
        return wrote

    def _write(self, seq: int, generation: int, text: str) -> bool:
        with self._lock:
            if generation != self._generation or seq <= self._written:
                return False  # saved since, or a newer text is already there
            wrote = self.journal.write(text)
            self._written = seq
            if wrote:
                self.writes += 1
            return wrote

    def _start_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="pmtui-journal", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._pending is None:
                    if not self._wake.wait(timeout=5.0):
                        self._thread = None  # idle: end; the next flush starts another
                        return
                seq, generation, text = self._pending
                self._pending = None
                self._busy = True
            try:
                self._write(seq, generation, text)
            except BaseException as exc:
                self.error = exc
            with self._wake:
                self._busy = False
                self._wake.notify_all()

    def wait(self, timeout: float = 5.0) -> bool:
        """Block until every handed-over text is written (tests, closing);
        False on timeout."""
        deadline = time.monotonic() + timeout
        with self._wake:
            while self._pending is not None or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(timeout=min(left, 0.05))
        return True

    def take_error(self) -> BaseException | None:
        error, self.error = self.error, None
        return error

    def saved(self) -> None:
        """The file on disk now holds everything: nothing to recover."""
        self.dirty = False
        with self._wake:
            self._pending = None
        with self._lock:
            self._generation += 1
            self._written = self._handed
            self.journal.clear()

    def closed(self) -> None:
        """A clean quit (the user saved or chose to discard)."""
        self.saved()


def lines_of(text: str) -> list[str]:
    """Lines split at newlines only. str.splitlines also splits at \\r, form
    feeds and U+2028, which would hide those characters in a diff instead
    of showing them."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


@dataclass
class Recovery:
    """Unsaved work found in the journal for a post-mortem."""

    path: Path
    text: str  # the recovered post-mortem, as it would be saved
    written: str  # when the journal was last written (ISO 8601 UTC)
    opened_sha256: str  # of the file when those edits started
    disk_text: str | None  # the file now; None when it does not exist
    disk_sha256: str
    host: str = ""
    pid: int = 0
    root: Path | None = None

    @property
    def file_changed_since(self) -> bool:
        """The file changed on disk after the lost session opened it (a `git
        pull`, another editor): restoring would undo those changes too."""
        if not self.opened_sha256:
            return self.disk_text is not None
        return self.disk_sha256 != self.opened_sha256

    def diff(self, context: int = 3) -> str:
        """Unified diff from the file on disk to the recovered text."""
        name = self.path.name
        before = lines_of(self.disk_text or "")
        after = lines_of(self.text)
        lines = difflib.unified_diff(
            before,
            after,
            fromfile=f"{name} (on disk)" if self.disk_text is not None else f"{name} (missing)",
            tofile=f"{name} (recovered, {self.written})",
            n=context,
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def changed_lines(self) -> tuple[int, int]:
        """(lines added, lines removed) by restoring."""
        added = removed = 0
        for line in self.diff(context=0).splitlines():
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                removed += 1
        return added, removed

    def discard(self) -> None:
        Journal(self.path, root=self.root).clear()

    def keep_both(self) -> Path:
        """Write the recovered text beside the file as
        NAME.recovered-<time>.toml (never over an existing file) and clear
        the journal; the original stays as it is on disk."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        stem, suffix = self.path.stem, self.path.suffix or ".toml"
        data = self.text.encode("utf-8", "surrogateescape")
        # no wider than the post-mortem (was a fixed 0644); private when the
        # original is gone, as the journal it comes from was
        mode = mode_beside(self.path) if self.path.exists() else 0o600
        for n in range(1, 1000):
            extra = "" if n == 1 else f"-{n}"
            target = self.path.with_name(f"{stem}.recovered-{stamp}{extra}{suffix}")
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            except FileExistsError:
                continue
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            self.discard()
            return target
        raise FileExistsError(f"{self.path}: too many recovered copies beside it")


def find_recovery(path: str | os.PathLike[str], *, root: Path | None = None) -> Recovery | None:
    """Unsaved work for `path`, when the journal holds something other than
    what the file holds now. A journal equal to the file is left over from a
    session that ended after a save landed, and is removed."""
    journal = Journal(path, root=root)
    entry = journal.read()
    if entry is None:
        return None
    target = Path(journal.path)
    try:
        raw: bytes | None = target.read_bytes()
    except FileNotFoundError:
        raw = None
    except OSError:
        raw = None  # unreadable now: still offer what we have
    disk_text = raw.decode("utf-8", "replace") if raw is not None else None
    if disk_text is not None and disk_text == entry.text:
        journal.clear()
        return None
    return Recovery(
        path=target,
        text=entry.text,
        written=entry.written,
        opened_sha256=entry.opened_sha256,
        disk_text=disk_text,
        disk_sha256=sha256_bytes(raw) if raw is not None else "",
        host=entry.host,
        pid=entry.pid,
        root=root,
    )
