"""The recovery journal: unsaved work survives a dropped SSH connection, a
closed terminal, a SIGTERM, a crash or a kill -9.

While a post-mortem is open, what a save would write is kept in the user's
state directory shortly after every change, keyed by the file's absolute
path, together with the path, the sha256 of the file as it was opened and
the time. It is kept as a base and a log: `KEY.json` holds the whole text
at one moment, written atomically (a line of JSON, the header, then the
text as it is, UTF-8); `KEY.log` holds the line edits made
since, one JSON line per journal write, appended. A write after a small
edit to a 100,000-event post-mortem appends a few hundred bytes instead of
15 MB; the base is written again, on the writer's thread, when the log has
grown (or after a save). A kill at any moment leaves a whole base (the old
or the new one: temporary file and rename) and a log whose lines belong to
it, the last maybe cut short, which reading leaves out: every write the
journal finished is there.

A save or a clean quit clears it. On the next open, `find_recovery(path)`
returns what the journal holds when it differs from the file, with a
unified diff, and the app offers restore / discard / keep both. No Textual
here.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pmtui.filesafety.atomic import mode_beside, write_atomic_chunks
from pmtui.filesafety.disk import key_for, private_dir, sha256_bytes, state_root

# 2: the base's text follows its header line as it is (1: inside the JSON,
# escaped: three times the work on the writer thread, whose hold on the
# interpreter made the app's frames wait; still read).
FORMAT = 2
# How long a change may wait before it reaches the journal. The app flushes
# on a timer at this period, so the worst case stays under a second.
FLUSH_PERIOD = 0.1  # how often the app asks; JournalWriter decides when to write
# The log is folded into a new base once it holds this many bytes, or a
# quarter of the base's size if that is more.
COMPACT_BYTES = 1 << 20
COMPACT_ENTRIES = 2000

# Line edits from one version of a text to the next: (start, end, new lines)
# in the older version's line numbers, sorted, not overlapping.
LineEdit = tuple[int, int, list[str]]


def journal_dir(root: Path | None = None) -> Path:
    return (root or state_root()) / "journal"


def journal_file(path: str | os.PathLike[str], root: Path | None = None) -> Path:
    return journal_dir(root) / f"{key_for(path)}.json"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def apply_line_edits(lines: list[str], edits: Sequence[LineEdit]) -> list[str]:
    out: list[str] = []
    pos = 0
    for start, end, new in edits:
        out.extend(lines[pos:start])
        out.extend(new)
        pos = end
    out.extend(lines[pos:])
    return out


@dataclass(frozen=True)
class Entry:
    path: str  # the post-mortem's absolute path
    text: str  # the whole post-mortem as it would be saved
    opened_sha256: str  # of the file when it was opened; "" for a new file
    written: str  # ISO 8601 UTC
    pid: int
    host: str


def _text_chunks(parts: Sequence[str] | str, sep: str, size: int = 1 << 16) -> Iterator[str]:
    """The text in pieces of about `size` characters."""
    if isinstance(parts, str):
        for at in range(0, len(parts), size):
            yield parts[at : at + size]
        return
    step = max(1, size // 64)
    n = len(parts)
    for at in range(0, n, step):
        piece = sep.join(parts[at : at + step])
        yield piece + sep if at + step < n else piece


class Journal:
    """The journal of one post-mortem path: its base and its log."""

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
        self.log = self.file.with_suffix(".log")
        self._last_text: str | None = None
        self._base_id = ""  # of the base on disk, which log lines name
        self.log_bytes = 0  # appended since the base was written
        self.log_entries = 0
        self.base_size = 0

    def _header(self, base_id: str, bom: bool = False) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "path": self.path,
            "opened_sha256": self.opened_sha256,
            "written": _now(),
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "base": base_id,
            "bom": bom,
        }

    def write(self, text: str) -> bool:
        """Record `text` as a new base (the log emptied); False when it is
        what is already there. No fsync: the journal guards against the
        process dying (SIGHUP, SIGKILL, a crash), which the page cache
        survives, and an fsync per keystroke pause would stall typing on a
        busy disk."""
        if text == self._last_text:
            return False
        self.write_base(text, "")
        self._last_text = text
        return True

    def write_base(self, parts: Sequence[str] | str, sep: str, *, bom: bool = False) -> None:
        """A new base: the text given as one string or as lines joined by
        `sep`, encoded a piece at a time (a writer thread never holds the
        interpreter for the whole of a big text)."""
        base_id = secrets.token_hex(8)
        header = json.dumps(self._header(base_id, bom))  # ASCII, one line
        size = 0

        def chunks() -> Iterator[bytes]:
            nonlocal size
            yield header.encode("ascii") + b"\n"
            for piece in _text_chunks(parts, sep):
                size += len(piece)
                # surrogatepass: any string the model can hold (even a lone surrogate) round-trips
                yield piece.encode("utf-8", "surrogatepass")

        private_dir(self.file.parent)
        write_atomic_chunks(self.file, chunks(), mode=0o600, durable=False)
        self._base_id = base_id
        self._last_text = None
        self.base_size = size
        with contextlib.suppress(FileNotFoundError):
            self.log.unlink()  # lines of the old base (a kill before this: they name it, and are left out)
        self.log_bytes = self.log_entries = 0

    def append(self, version: int, edits: Sequence[Sequence[LineEdit]]) -> None:
        """Append the line edits of some versions after the base (or after
        the last line appended): one line of JSON, no fsync."""
        if not self._base_id:
            raise RuntimeError("a journal log needs a base first")
        record = {"base": self._base_id, "v": version,
                  "edits": [[[a, b, list(new)] for a, b, new in step] for step in edits]}
        data = (json.dumps(record, separators=(",", ":")) + "\n").encode("ascii")
        fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        self._last_text = None
        self.log_bytes += len(data)
        self.log_entries += 1

    def wants_compaction(self) -> bool:
        return self.log_entries >= COMPACT_ENTRIES or self.log_bytes >= max(COMPACT_BYTES, self.base_size // 4)

    def read(self) -> Entry | None:
        """What the journal holds; None when empty or unreadable (a base is
        only ever written whole, so an unreadable one was not ours)."""
        try:
            raw = self.file.read_bytes()
            head, newline, rest = raw.partition(b"\n")
            data = json.loads(head)
            if data.get("format") == FORMAT and newline:
                text = rest.decode("utf-8", "surrogatepass")
            elif data.get("format") == 1 and not newline:  # left by an older pmtui: the text inside
                text = str(data["text"])
            else:
                return None
            base_id = str(data.get("base", ""))
            if base_id:
                text = self._with_log(text, base_id)
            if data.get("bom"):
                text = "\ufeff" + text
            return Entry(
                path=str(data["path"]),
                text=text,
                opened_sha256=str(data.get("opened_sha256", "")),
                written=str(data.get("written", "")),
                pid=int(data.get("pid", 0)),
                host=str(data.get("host", "")),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def _with_log(self, text: str, base_id: str) -> str:
        """The base with the log's lines for it applied, in order; a line
        cut short by a kill (the last one) and anything not for this base
        are left out."""
        try:
            raw = self.log.read_bytes()
        except FileNotFoundError:
            return text
        lines: list[str] | None = None
        for record in raw.split(b"\n"):
            if not record:
                continue
            try:
                item = json.loads(record)
            except ValueError:
                break  # cut short: nothing after it was written whole
            if not isinstance(item, dict) or item.get("base") != base_id:
                continue
            if lines is None:
                lines = text.split("\n")
            for step in item["edits"]:
                lines = apply_line_edits(lines, [(int(a), int(b), [str(x) for x in new]) for a, b, new in step])
        return text if lines is None else "\n".join(lines)

    def clear(self) -> None:
        self._last_text = None
        self._base_id = ""
        for f in (self.log, self.file):
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
        self.log_bytes = self.log_entries = 0

    @property
    def has_base(self) -> bool:
        return bool(self._base_id)

    @property
    def exists(self) -> bool:
        return self.file.exists()


class JournalSource(Protocol):
    """What the journal needs of the open document (store.Document)."""

    version: int

    def render(self) -> bool: ...

    def changes_since(self, version: int) -> list[list[LineEdit]] | None: ...

    def parts(self) -> tuple[list[str] | str, str]: ...

    @property
    def bom(self) -> bool: ...


# What the writer thread is handed: a whole text (old style), a base, or
# the edits since the last thing handed over.
@dataclass(frozen=True)
class _Base:
    parts: list[str] | str
    sep: str
    bom: bool


@dataclass(frozen=True)
class _Delta:
    version: int
    edits: list[list[LineEdit]]


Payload = str | _Base | _Delta


class JournalWriter:
    """Turns a stream of edits into at most one journal write per flush
    period. `changed()` is called on every edit and costs nothing;
    `flush()` serializes and writes only when something changed, and is
    called by the app's timer and by the hang-up/terminate handlers. Calls
    come from one thread (the app's event loop).

    Given a `document` (a callable returning the open store.Document) the
    writer renders it and hands over only the line edits since the last
    write, which the journal appends; the first write, and one after the
    log has grown, hands over the whole text as a new base. Given
    `serialize` (a callable returning the whole text) every write is a base.

    With `background=True` only the rendering (cheap after a small edit)
    happens on the calling thread; the encoding and the file write happen
    on a writer thread, in order, so the app never waits for the disk. A
    base makes anything still waiting before it unnecessary; `saved()`
    drops anything still waiting before it clears the journal.
    `flush(force=True)` (signals) writes on the calling thread, after any
    write in progress."""

    def __init__(self, journal: Journal, serialize: Callable[[], str] | None = None, *, background: bool = False,
                 idle: float = 0.0, max_delay: float = 0.9,
                 document: Callable[[], JournalSource] | None = None) -> None:
        """`idle`: rendering runs on the caller's thread, so the app waits
        for that long a lull in the edits before a flush (it must not land
        between a key and its frame), but never lets an edit wait more than
        `max_delay` for the journal."""
        if (serialize is None) == (document is None):
            raise ValueError("give the journal writer either serialize or document")
        self.idle = idle
        self.max_delay = max_delay
        self.journal = journal
        self.serialize = serialize
        self.document = document
        self.background = background
        self.dirty = False
        self.writes = 0
        self.last_cost = 0.0  # seconds the last flush took on the calling thread
        self.error: BaseException | None = None  # the last background write's failure
        self._skip_until = 0.0
        self._first_change = self._last_change = 0.0
        self._lock = threading.Lock()  # one write (or clear) at a time
        self._handed = 0  # sequence number of the newest payload handed over
        self._written = 0  # sequence number of the newest payload on disk
        self._generation = 0  # bumped by saved(): pending writes are stale
        self._queue: deque[tuple[int, int, Payload]] = deque()
        self._busy = False
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._doc: JournalSource | None = None  # the document the journal follows
        self._version = -1  # its version the journal holds (-1: no base yet)
        self._pending_bytes = 0

    # compatibility with callers that looked at the single pending write
    @property
    def _pending(self) -> tuple[int, int, Payload] | None:
        return self._queue[-1] if self._queue else None

    def changed(self, *_: object) -> None:
        now = time.monotonic()
        if not self.dirty:
            self._first_change = now
        self._last_change = now
        self.dirty = True

    def due(self) -> bool:
        """Whether a flush now would write (edits waiting, the lull or the
        longest wait reached, the spacing respected)."""
        now = time.monotonic()
        if not self.dirty or now < self._skip_until:
            return False
        return now - self._last_change >= self.idle or now - self._first_change >= self.max_delay

    def wants_base(self, doc: JournalSource) -> bool:
        """Whether the next write of `doc` is a whole base (the first, one
        after a save, or one folding a grown log): the caller may copy its
        text in steps first (flush's `parts`)."""
        return doc is not self._doc or self._version < 0 or self.journal.wants_compaction()

    def flush(self, *, force: bool = False, rendered: bool = False,
              parts: tuple[int, list[str] | str, str] | None = None) -> bool:
        """Write (or hand over for writing) pending changes; True when
        something was. On a very large post-mortem, where rendering takes a
        noticeable time, flushes are spaced so the journal never takes more
        than a third of the app's time (force=True, for signals, ignores
        that and writes before returning). `rendered`: the caller has just
        rendered the document (in steps, between frames) and nothing changed
        since: the flush does not render it again. `parts`: (version, lines,
        separator), that version's text copied by the caller (in steps), for
        a base."""
        if not self.dirty:
            if force:
                # The process may end right after this: what still waits
                # for the writer thread is written here and now.
                return self._drain()
            return False
        now = time.monotonic()
        if not force and not rendered and not self.due():
            return False
        payload = self._payload(rendered, parts)
        self.dirty = False
        if payload is None:
            wrote = self._drain() if force else False
        elif self.background and not force:
            self._hand_over(payload)
            wrote = True
        else:
            self._hand_over(payload, start=False)
            wrote = self._drain()
        self.last_cost = time.monotonic() - now
        self._skip_until = now + 3 * self.last_cost
        return wrote

    def _payload(self, rendered: bool = False,
                 parts: tuple[int, list[str] | str, str] | None = None) -> Payload | None:
        if self.serialize is not None:
            return self.serialize()
        assert self.document is not None
        doc = self.document()
        if not rendered:
            doc.render()
        if doc is not self._doc or self._version < 0:
            return self._base(doc, parts)
        changes = doc.changes_since(self._version)
        if changes is None or self.journal.wants_compaction():
            return self._base(doc, parts)
        if not changes:
            return None
        self._version = doc.version
        return _Delta(doc.version, changes)

    def _base(self, doc: JournalSource, copied: tuple[int, list[str] | str, str] | None = None) -> _Base:
        self._doc = doc
        self._version = doc.version
        if copied is not None and copied[0] == doc.version:
            return _Base(copied[1], copied[2], doc.bom)
        parts, sep = doc.parts()
        return _Base(parts, sep, doc.bom)

    def _hand_over(self, payload: Payload, *, start: bool = True) -> None:
        self._handed += 1
        item = (self._handed, self._generation, payload)
        with self._wake:
            if not isinstance(payload, _Delta):
                self._queue.clear()  # a whole text makes anything before it unnecessary
            self._queue.append(item)
            if start:
                self._start_thread()
                self._wake.notify()

    def _drain(self) -> bool:
        """Write what is waiting, on this thread, in order: after the item
        the writer thread may be writing (log lines must land in order)."""
        wrote = False
        while True:
            with self._wake:
                while self._busy:
                    self._wake.wait(timeout=0.05)
                if not self._queue:
                    return wrote
                item = self._queue.popleft()
                self._busy = True
            try:
                wrote = self._write(*item) or wrote
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()

    def _write(self, seq: int, generation: int, payload: Payload) -> bool:
        with self._lock:
            if generation != self._generation or seq <= self._written:
                return False  # saved since, or a newer text is already there
            journal = self.journal
            if isinstance(payload, str):
                wrote = journal.write(payload)
            elif isinstance(payload, _Base):
                journal.write_base(payload.parts, payload.sep, bom=payload.bom)
                wrote = True
            else:
                if not journal.has_base:
                    return False  # its base failed to be written: the next flush writes one
                journal.append(payload.version, payload.edits)
                wrote = True
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
                while not self._queue or self._busy:
                    if not self._wake.wait(timeout=5.0) and not self._queue:
                        self._thread = None  # idle: end; the next flush starts another
                        return
                item = self._queue.popleft()
                self._busy = True
            try:
                self._write(*item)
            except BaseException as exc:
                self.error = exc
                self._version = -1  # the next flush writes a whole base
            del item  # a base holds the whole text: not kept while the thread waits
            with self._wake:
                self._busy = False
                self._wake.notify_all()

    def wait(self, timeout: float = 5.0) -> bool:
        """Block until every handed-over text is written (tests, closing);
        False on timeout."""
        deadline = time.monotonic() + timeout
        with self._wake:
            while self._queue or self._busy:
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
            self._queue.clear()
        with self._lock:
            self._generation += 1
            self._written = self._handed
            self.journal.clear()
        self._version = -1

    def rebase(self) -> None:
        """The file on disk changed under the journal (a save that did not
        take every edit): the next write is a whole base with the new
        file's sha256."""
        self._version = -1
        self.changed()

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
