"""Reading a library: every post-mortem below some folders, each as an
Entry (its summary, or why it cannot be read), through the cache.

`iter_scan` yields entries as they are read, cache hits first, so a screen
can show rows while a large library loads; `scan` collects them. Files
missing from the cache are read in this process when there are few, and
by a pool of processes when there are many (reading is CPU-bound Python;
threads would share one core and slow the UI thread down).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pmtui.library import cache as cache_mod
from pmtui.library.summary import Summary, from_plain, outline_summary, summarise, to_plain
from pmtui.library.walk import Found, find
from pmtui.store import StoreError
from pmtui.team import TeamResult

# folder -> (team conventions in force there, their key); emptied at each scan
_TEAMS: dict[str, tuple[TeamResult, bytes]] = {}


def team_of(folder: str) -> tuple[TeamResult, bytes]:
    """The .pmtui.toml conventions for post-mortems in `folder` and a key
    that changes when any of their files does."""
    hit = _TEAMS.get(folder)
    if hit is None:
        from pmtui.team import load_team

        result = load_team(Path(folder))
        h = hashlib.blake2b(digest_size=16)
        for f in result.config.files:
            h.update(str(f).encode("utf-8", "surrogateescape") + b"\0")
            try:
                h.update(f.read_bytes())
            except OSError:
                h.update(b"unreadable")
        hit = _TEAMS[folder] = (result, h.digest())
    return hit

OK, BROKEN, NEWER, UNREADABLE, SKIP = "ok", "broken", "newer", "unreadable", "skip"
POOL_FROM = 150  # files to read before a pool of processes pays for its start
CHUNK = 48

# A TOML file that is a post-mortem names at least one of these.
_MARKER_RE = re.compile(rb"^[ \t]*(?:(?:schema|title|id)[ \t]*=|\[\[?[ \t]*(?:times|timeline|actions|whys|factors)\b)",
                        re.MULTILINE)


@dataclass(slots=True)
class Entry:
    path: Path
    root: Path
    rel: str
    state: str  # ok | broken | newer | unreadable
    summary: Summary | None = None
    problem: str = ""  # why it cannot be read, one problem a line
    team: TeamResult | None = None  # the .pmtui.toml in force for its folder

    @property
    def ok(self) -> bool:
        return self.state == OK

    @property
    def pending(self) -> bool:
        """Listed from its outline: the checklist (and the timeline's
        alerts and signatures) come when the file is read whole."""
        return self.summary is not None and self.summary.pending

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def info(self) -> Summary:
        """The summary of a readable entry (ScanResult.good holds only those)."""
        if self.summary is None:
            raise ValueError(f"{self.path} could not be read")
        return self.summary


@dataclass
class ScanResult:
    entries: list[Entry] = field(default_factory=list)
    read: int = 0  # files parsed this time (outlines and whole reads)
    cached: int = 0  # entries taken from the cache
    skipped: int = 0  # TOML files that are not post-mortems
    checked: int = 0  # entries completed by a whole read after their outline was listed
    missing_roots: list[str] = field(default_factory=list)

    @property
    def good(self) -> list[Entry]:
        return [e for e in self.entries if e.ok]


def read_file(path: str, now: datetime | None = None, outline: bool = False, digest: bool = True) -> tuple:
    """(stat key..., sha256, state, payload) for one file: runs in a pool
    process too, so it takes and returns plain values only. `outline`:
    the summary without its checklist when the file allows (see
    store.read_outline), else the whole file as without it. Without
    `digest`, an outline's record has no hash (b""): a pending record's
    hash is never compared, and its whole read hashes the file; skipping
    it saves ~15% of a cold listing (sha256 of 45 kB, measured in
    benchmarks/bench_library.py)."""
    from pmtui.store import OUTLINE_WINDOW, NewerSchemaError, read_outline, read_outline_ends, read_quick_layout

    seen = time.time_ns()
    team, team_key = team_of(os.path.dirname(os.path.abspath(path)))
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if outline and not digest and st.st_size > 2 * OUTLINE_WINDOW:
                # A big file's row from its two ends (store.read_outline_ends).
                head = fh.read(OUTLINE_WINDOW)
                fh.seek(st.st_size - OUTLINE_WINDOW)
                tail = fh.read(OUTLINE_WINDOW)
                ends = read_outline_ends(head, tail) if _MARKER_RE.search(head) else None
                if ends is not None:
                    key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
                    return (*key, seen, b"", OK, to_plain(outline_summary(ends, None)), team_key)
                fh.seek(0)
            data = fh.read()
    except OSError as exc:
        try:
            st = os.stat(path)
            key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        except OSError:
            key = (-1, 0, 0, 0)
        return (*key, seen, b"", UNREADABLE, f"cannot read the file: {exc.strerror or exc}", team_key)
    key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    if not _MARKER_RE.search(data) and b"\x00" not in data[:4096]:
        return (*key, seen, hashlib.sha256(data).digest(), SKIP, "", team_key)
    if outline:
        got = read_outline(data)
        if got is not None:
            sha = hashlib.sha256(data).digest() if digest else b""
            return (*key, seen, sha, OK, to_plain(outline_summary(*got)), team_key)
    sha = hashlib.sha256(data).digest()
    try:
        pm, layout = read_quick_layout(data, path)
    except NewerSchemaError as exc:
        return (*key, seen, sha, NEWER, _problems(exc), team_key)
    except StoreError as exc:
        return (*key, seen, sha, BROKEN, _problems(exc), team_key)
    return (*key, seen, sha, OK, to_plain(summarise(pm, now, team)), team_key, layout)


def _problems(exc: StoreError) -> str:
    """One line a problem: `41:8: timeline[3].time: expected ...`."""
    lines = []
    for p in exc.problems:
        where = f"{p.line}:{p.column}: " if p.line and p.column else f"{p.line}: " if p.line else ""
        lines.append(where + (f"{p.field}: " if p.field else "") + p.message)
    return "\n".join(lines)


def _read_chunk(paths: list[str], outline: bool = False, digests: list[bool] | None = None) -> list[tuple]:
    if digests is None:
        return [read_file(p, outline=outline) for p in paths]
    return [read_file(p, outline=outline, digest=d) for p, d in zip(paths, digests, strict=True)]


def _entry(found: Found, rec: cache_mod.Record) -> Entry | None:
    if rec.state == SKIP:
        return None
    team = team_of(os.path.dirname(os.path.abspath(found.path)))[0]
    if rec.state == OK:
        return Entry(found.path, found.root, found.rel, OK, from_plain(rec.payload), team=team)  # type: ignore[arg-type]
    return Entry(found.path, found.root, found.rel, rec.state, None, str(rec.payload), team=team)


def _record(values: tuple) -> cache_mod.Record:
    return cache_mod.Record(*values)


Todo = list[tuple[Found, str]]


def iter_scan(
    roots: Iterable[str | os.PathLike],
    *,
    use_cache: bool = True,
    workers: int | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    result: ScanResult | None = None,
    checks_later: bool = False,
    listed: Callable[[], None] = lambda: None,
) -> Iterator[Entry]:
    """Entries below `roots` (folders or files), cache hits first, then the
    rest as they are read. `result` (if given) gets the counts.

    With `checks_later`, files are first listed from their outlines (every
    row's figures but its checklist: Entry.pending), `listed` is called
    once every file has its row, and then each pending entry comes again,
    complete, as its file is read whole (the same path: it replaces the
    first). Without it every entry comes once, complete."""
    _TEAMS.clear()  # .pmtui.toml files are read afresh for each scan
    run = _Scan([Path(r) for r in roots], use_cache, result if result is not None else ScanResult(), checks_later)
    yield from run.from_cache(cancelled)
    if cancelled():
        return
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    with _Readers(workers if len(run.todo) + len(run.later) >= POOL_FROM else 1, run.old.__contains__) as readers:
        yield from readers.run(run.todo, run.take, checks_later, cancelled, more=run.later if checks_later else None)
        if cancelled():
            return
        if checks_later:
            listed()
            if run.later:
                run.save()  # what is listed so far is kept, should the checks be cut short
            yield from readers.collect(run.take, cancelled)
            if cancelled():
                run.save()  # every file was listed: the checks done so far are kept
                return
    if run.result.read or run.result.checked or run.new.keys() != run.old.keys():
        run.save()


class _Scan:
    """One scan's cache (as loaded and as it will be saved) and its counts."""

    def __init__(self, roots: list[Path], use_cache: bool, result: ScanResult, checks_later: bool) -> None:
        self.roots = roots
        self.use_cache = use_cache
        self.result = result
        self.checks_later = checks_later
        self.cpath = cache_mod.cache_path(roots)
        self.old = cache_mod.load(self.cpath) if use_cache else {}
        self.new: dict[str, cache_mod.Record] = {}
        self.todo: Todo = []
        self.later: Todo = []  # listed from an outline (cached or read now): to read whole

    def from_cache(self, cancelled: Callable[[], bool]) -> Iterator[Entry]:
        """The entries the cache holds for files unchanged since; the rest
        go to `todo`. A pending entry is used only when checks come later."""
        seen_paths: set[str] = set()
        for root in self.roots:
            if not root.exists():
                self.result.missing_roots.append(str(root))
                continue
            for found in find(root):
                key = os.path.abspath(found.path)
                if key in seen_paths:
                    continue  # the same file reached from two roots
                seen_paths.add(key)
                rec = self.old.get(key)
                if rec is not None and (self.checks_later or not rec.pending) and self._trusted(found, key, rec):
                    self.new[key] = rec
                    entry = _entry(found, rec)
                    self.result.cached += 1
                    if entry is None:
                        self.result.skipped += 1
                        continue
                    if entry.pending:
                        self.later.append((found, key))
                    yield entry
                    continue
                self.todo.append((found, key))
            if cancelled():
                return

    @staticmethod
    def _trusted(found: Found, key: str, rec: cache_mod.Record) -> bool:
        try:
            st = os.stat(found.path)
        except OSError:
            return False
        return rec.trusted(st, team_of(os.path.dirname(key))[1])

    def take(self, found: Found, key: str, values: tuple, whole: bool) -> Entry | None:
        """The entry for what a reader gave for `found` (`whole`: the read
        after its outline was listed)."""
        rec = _record(values)
        prior = self.old.get(key)
        if (prior is not None and prior.sha256 == rec.sha256 and prior.state == rec.state == OK and rec.sha256
                and not prior.pending):
            rec.payload, rec.layout = prior.payload, prior.layout  # touched, not changed: the summary stands
        self.new[key] = rec
        if whole:
            self.result.checked += 1
        else:
            self.result.read += 1
        entry = _entry(found, rec)
        if entry is None:
            self.result.skipped += 1
        elif entry.pending:
            self.later.append((found, key))
        return entry

    def save(self) -> None:
        if self.use_cache:
            cache_mod.save(self.cpath, self.new)


Take = Callable[[Found, str, tuple, bool], "Entry | None"]


class _Readers:
    """Reads files in this process, or by a pool of processes when there
    are many: outlines first, and the whole files listed from one after
    them, so the pool never waits between the two."""

    def __init__(self, workers: int, known: Callable[[str], bool] = lambda key: True) -> None:
        self.workers = workers
        self.known = known  # the cache had a record of the file: its outline is hashed, to compare
        self.pool: Any = None
        self.pending: dict[Any, tuple[Todo, bool]] = {}
        self.queued: Todo = []  # whole reads still to do (no pool)

    def __enter__(self) -> _Readers:
        if self.workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_pool_context())
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            for fut in self.pending:
                fut.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _submit(self, chunk: Todo, outline: bool) -> Any:
        digests = [self.known(k) for _f, k in chunk] if outline else None
        fut = self.pool.submit(_read_chunk, [str(f.path) for f, _k in chunk], outline, digests)
        self.pending[fut] = (chunk, outline)
        return fut

    def _queue(self, more: Todo) -> None:
        """Whole reads of the entries listed from an outline, for `collect`."""
        if self.pool is None:
            self.queued += more
        else:
            for i in range(0, len(more), CHUNK):
                self._submit(more[i : i + CHUNK], False)
        more[:] = []

    def run(self, todo: Todo, take: Take, outline: bool, cancelled: Callable[[], bool],
            more: Todo | None = None) -> Iterator[Entry]:
        """Reads `todo` (outlines when `outline`) and yields the entries;
        `more` (where `take` puts pending entries) is queued for `collect`
        as it fills, behind the outlines."""
        if self.pool is None:
            for found, key in todo:
                if cancelled():
                    return
                values = read_file(str(found.path), outline=outline, digest=not outline or self.known(key))
                entry = take(found, key, values, False)
                if entry is not None:
                    yield entry
            if more:
                self._queue(more)
            return
        from concurrent.futures import FIRST_COMPLETED, wait

        mine = {self._submit(todo[i : i + CHUNK], outline) for i in range(0, len(todo), CHUNK)}
        if more:
            self._queue(more)  # pending in the cache: read whole once the outlines are
        while mine:
            done, _ = wait(mine, timeout=0.2, return_when=FIRST_COMPLETED)
            if cancelled():
                return
            for fut in done:
                mine.discard(fut)
                chunk, _outline = self.pending.pop(fut)
                for (found, key), values in zip(chunk, fut.result(), strict=True):
                    entry = take(found, key, values, False)
                    if entry is not None:
                        yield entry
                if more:
                    self._queue(more)

    def collect(self, take: Take, cancelled: Callable[[], bool]) -> Iterator[Entry]:
        """The whole reads queued by `run`, as they are done."""
        if self.pool is None:
            for found, key in self.queued:
                if cancelled():
                    return
                entry = take(found, key, read_file(str(found.path)), True)
                if entry is not None:
                    yield entry
            self.queued = []
            return
        from concurrent.futures import FIRST_COMPLETED, wait

        while self.pending:
            done, _ = wait(self.pending, timeout=0.2, return_when=FIRST_COMPLETED)
            if cancelled():
                return
            for fut in done:
                chunk, _outline = self.pending.pop(fut)
                for (found, key), values in zip(chunk, fut.result(), strict=True):
                    entry = take(found, key, values, True)
                    if entry is not None:
                        yield entry


def _pool_context() -> Any:
    import multiprocessing as mp
    import threading

    # fork is the cheapest start, and safe while this process runs one
    # thread (the command line); the app's worker threads call for a fork
    # server, which forks from a clean process instead.
    if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
        return mp.get_context("fork")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["pmtui.library.scan", "pmtui.store", "rtoml"])
    return ctx


def scan(roots: Iterable[str | os.PathLike], **kwargs: Any) -> ScanResult:
    result = ScanResult()
    result.entries = list(iter_scan(roots, result=result, **kwargs))
    return result


def now_utc() -> datetime:
    return datetime.now(UTC)
