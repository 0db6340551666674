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
from pmtui.library.summary import Summary, from_plain, summarise, to_plain
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
    read: int = 0  # files parsed this time
    cached: int = 0  # entries taken from the cache
    skipped: int = 0  # TOML files that are not post-mortems
    missing_roots: list[str] = field(default_factory=list)

    @property
    def good(self) -> list[Entry]:
        return [e for e in self.entries if e.ok]


def read_file(path: str, now: datetime | None = None) -> tuple:
    """(stat key..., sha256, state, payload) for one file: runs in a pool
    process too, so it takes and returns plain values only."""
    from pmtui.store import NewerSchemaError, read_quick

    seen = time.time_ns()
    team, team_key = team_of(os.path.dirname(os.path.abspath(path)))
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read()
    except OSError as exc:
        try:
            st = os.stat(path)
            key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        except OSError:
            key = (-1, 0, 0, 0)
        return (*key, seen, b"", UNREADABLE, f"cannot read the file: {exc.strerror or exc}", team_key)
    key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    digest = hashlib.sha256(data).digest()
    if not _MARKER_RE.search(data) and b"\x00" not in data[:4096]:
        return (*key, seen, digest, SKIP, "", team_key)
    try:
        pm = read_quick(data, path)
    except NewerSchemaError as exc:
        return (*key, seen, digest, NEWER, _problems(exc), team_key)
    except StoreError as exc:
        return (*key, seen, digest, BROKEN, _problems(exc), team_key)
    return (*key, seen, digest, OK, to_plain(summarise(pm, now, team)), team_key)


def _problems(exc: StoreError) -> str:
    """One line a problem: `41:8: timeline[3].time: expected ...`."""
    lines = []
    for p in exc.problems:
        where = f"{p.line}:{p.column}: " if p.line and p.column else f"{p.line}: " if p.line else ""
        lines.append(where + (f"{p.field}: " if p.field else "") + p.message)
    return "\n".join(lines)


def _read_chunk(paths: list[str]) -> list[tuple]:
    return [read_file(p) for p in paths]


def _entry(found: Found, rec: cache_mod.Record) -> Entry | None:
    if rec.state == SKIP:
        return None
    team = team_of(os.path.dirname(os.path.abspath(found.path)))[0]
    if rec.state == OK:
        return Entry(found.path, found.root, found.rel, OK, from_plain(rec.payload), team=team)  # type: ignore[arg-type]
    return Entry(found.path, found.root, found.rel, rec.state, None, str(rec.payload), team=team)


def _record(values: tuple) -> cache_mod.Record:
    return cache_mod.Record(*values)


def iter_scan(
    roots: Iterable[str | os.PathLike],
    *,
    use_cache: bool = True,
    workers: int | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    result: ScanResult | None = None,
) -> Iterator[Entry]:
    """Entries below `roots` (folders or files), cache hits first, then the
    rest as they are read. `result` (if given) gets the counts."""
    result = result if result is not None else ScanResult()
    _TEAMS.clear()  # .pmtui.toml files are read afresh for each scan
    root_list = [Path(r) for r in roots]
    cpath = cache_mod.cache_path(root_list)
    old = cache_mod.load(cpath) if use_cache else {}
    new: dict[str, cache_mod.Record] = {}
    todo: list[tuple[Found, str]] = []
    seen_paths: set[str] = set()
    for root in root_list:
        if not root.exists():
            result.missing_roots.append(str(root))
            continue
        for found in find(root):
            key = os.path.abspath(found.path)
            if key in seen_paths:
                continue  # the same file reached from two roots
            seen_paths.add(key)
            rec = old.get(key)
            if rec is not None:
                try:
                    st = os.stat(found.path)
                except OSError:
                    st = None
                if st is not None and rec.trusted(st, team_of(os.path.dirname(key))[1]):
                    new[key] = rec
                    entry = _entry(found, rec)
                    result.cached += 1
                    if entry is None:
                        result.skipped += 1
                    else:
                        yield entry
                    continue
            todo.append((found, key))
        if cancelled():
            return
    yield from _read_all(todo, old, new, result, workers, cancelled)
    if use_cache and not cancelled() and (result.read or new.keys() != old.keys()):
        cache_mod.save(cpath, new)


Todo = list[tuple[Found, str]]
Take = Callable[[Found, str, tuple], "Entry | None"]


def _read_all(todo: Todo, old: dict[str, cache_mod.Record], new: dict[str, cache_mod.Record], result: ScanResult,
              workers: int | None, cancelled: Callable[[], bool]) -> Iterator[Entry]:
    def take(found: Found, key: str, values: tuple) -> Entry | None:
        rec = _record(values)
        prior = old.get(key)
        if prior is not None and prior.sha256 == rec.sha256 and prior.state == rec.state == OK and rec.sha256:
            rec.payload = prior.payload  # touched, not changed: the summary stands
        new[key] = rec
        result.read += 1
        entry = _entry(found, rec)
        if entry is None:
            result.skipped += 1
        return entry

    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if len(todo) < POOL_FROM or workers <= 1:
        for found, key in todo:
            if cancelled():
                return
            entry = take(found, key, read_file(str(found.path)))
            if entry is not None:
                yield entry
        return
    yield from _read_pooled(todo, take, workers, cancelled)


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


def _read_pooled(todo: Todo, take: Take, workers: int, cancelled: Callable[[], bool]) -> Iterator[Entry]:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        pending = {pool.submit(_read_chunk, [str(f.path) for f, _k in chunk]): chunk for chunk in chunks}
        try:
            while pending:
                done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                if cancelled():
                    return
                for fut in done:
                    chunk = pending.pop(fut)
                    for (found, key), values in zip(chunk, fut.result(), strict=True):
                        entry = take(found, key, values)
                        if entry is not None:
                            yield entry
        finally:
            for fut in pending:
                fut.cancel()


def scan(roots: Iterable[str | os.PathLike], **kwargs: Any) -> ScanResult:
    result = ScanResult()
    result.entries = list(iter_scan(roots, result=result, **kwargs))
    return result


def now_utc() -> datetime:
    return datetime.now(UTC)
