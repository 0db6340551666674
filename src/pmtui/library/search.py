"""`pmtui search`: every text field of every post-mortem, with where each
hit is (file, line, field).

A query is words; a field is a hit when it holds all of them, in any case.
Each file's bytes are read (the files are the truth, so no cached text is
searched) and tested first for every word at C speed (bytes.lower and
`in`); only the files that hold them all are looked at further. Words
that TOML may write escaped (quotes, backslashes, control and non-ASCII
characters) skip that test, so nothing is missed.

A file that holds the words is parsed whole (store.loads, for the lines of
its fields: ~3.5 ms a file of 275 rows) unless the library's cache vouches
for it: unchanged since a whole read found it valid and in pmtui's own
layout (cache.Record.layout). Then the hits are placed from the bytes: a
word in the run of [[timeline]] blocks is on an `event`, `source` or
`actor` line of one block (the layout has nothing else there), and only
the rest of the file, without the run, is parsed when a word lies outside
it. A word common to a quarter of 10,000 files took 10 s the first way,
well under 1 s this way (benchmarks/bench_library.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmtui.library.walk import Found, find
from pmtui.model import PostMortem


@dataclass(frozen=True)
class Hit:
    path: Path
    rel: str
    pm_id: str
    title: str
    field: str  # timeline[12].event, actions[AI-002].action, title...
    line: int  # 1-based; 0 when unknown
    text: str  # the field's whole text
    spans: tuple[tuple[int, int], ...]  # where the words are in `text`

    def to_json(self) -> dict:
        return {"file": str(self.path), "id": self.pm_id, "title": self.title, "field": self.field,
                "line": self.line, "text": self.text, "spans": [list(s) for s in self.spans]}


@dataclass(frozen=True)
class Unreadable:
    path: Path
    problem: str


def terms(query: str) -> list[str]:
    return [w for w in query.split() if w]


HEAD, TIMELINE, TAIL = "head", "timeline", "tail"  # the fields before, in and after the timeline, in order
LISTS = ("services", "authors", "reviewers", "related", "systemic_issues", "went_well", "went_wrong", "lucky",
         "lessons")


def _fields(pm: PostMortem, parts: tuple[str, ...] = (HEAD, TIMELINE, TAIL)) -> Iterator[tuple[str, tuple, str]]:
    """(shown name, store path, text) for every piece of text in the file."""
    if HEAD in parts:
        for name in ("id", "title", "severity", "status", "summary", "trigger", "root_cause", "immediate_cause",
                     "problem", "shallow_reason", "prevention"):
            yield name, (name,), getattr(pm, name)
        for name in LISTS:
            for i, text in enumerate(getattr(pm, name)):
                yield f"{name}[{i}]", (name,), text
        yield "impact.description", ("impact", "description"), pm.impact.description
        yield "impact.revenue", ("impact", "revenue"), pm.impact.revenue
    if TIMELINE in parts:
        for i, ev in enumerate(pm.timeline):
            for key in ("event", "source", "actor"):
                yield f"timeline[{i}].{key}", ("timeline", i, key), getattr(ev, key)
    if TAIL in parts:
        for i, w in enumerate(pm.whys):
            yield f"whys[{w.id}].text", ("whys", i, "text"), w.text
        for i, f in enumerate(pm.factors):
            yield f"factors[{f.id}].text", ("factors", i, "text"), f.text
            yield f"factors[{f.id}].category", ("factors", i, "category"), f.category
        for i, a in enumerate(pm.actions):
            for key in ("action", "owner", "tracker"):
                yield f"actions[{a.id}].{key}", ("actions", i, key), getattr(a, key)
        for i, g in enumerate(pm.gaps):
            yield f"gaps[{i}].description", ("gaps", i, "description"), g.description


def _quick_test_bytes(words: list[str]) -> list[bytes] | None:
    """The words as bytes to look for in the lowered file, or None when a
    word could be written escaped in TOML (then every file is parsed)."""
    out = []
    for w in words:
        if not w.isascii() or any(c in w for c in '"\\') or not w.isprintable():
            return None
        out.append(w.lower().encode())
    return out


POOL_FROM = 400  # files from which a pool of processes pays for its start (~0.1 s)
CHUNK = 200


def search(
    roots: Iterable[str | Path],
    query: str,
    *,
    cancelled: Callable[[], bool] = lambda: False,
    unreadable: list[Unreadable] | None = None,
    use_cache: bool = True,
    workers: int | None = None,
) -> Iterator[Hit]:
    """The hits, file by file as they are found (in the walk's order),
    each file's in the order of its fields. `use_cache`: files the
    library's cache vouches for are read from their bytes (see above).
    Many files are searched by a pool of `workers` processes (default:
    the cores, up to 4), their hits still given in the walk's order."""
    words = terms(query)
    if not words:
        return
    root_paths = [Path(r) for r in roots]
    cache_file = None
    if use_cache and _quick_test_bytes(words) is not None:
        from pmtui.library import cache

        cache_file = str(cache.cache_path(root_paths))
    seen: set[Path] = set()
    files: list[Found] = []
    for root in root_paths:
        if not root.exists():
            continue
        for found in find(root):
            if found.path not in seen:
                seen.add(found.path)
                files.append(found)
        if cancelled():
            return
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(files) < POOL_FROM:
        searcher = _Searcher(words, cache_file)
        for found in files:
            if cancelled():
                return
            yield from searcher.file(found, unreadable)
        return
    yield from _pooled(files, words, cache_file, workers, cancelled, unreadable)


def _pooled(files: list[Found], words: list[str], cache_file: str | None, workers: int,
            cancelled: Callable[[], bool], unreadable: list[Unreadable] | None) -> Iterator[Hit]:
    """`search` by a pool: chunks of files in the walk's order, each one's
    results given as it is done and every chunk before it."""
    from concurrent.futures import ProcessPoolExecutor

    from pmtui.library.scan import _pool_context

    context = _pool_context()
    if context.get_start_method() == "fork" and cache_file is not None:
        # Forked readers inherit the cache loaded here once; else each
        # loads it when a file first holds the words (~0.1 s for 10,000).
        searcher = _SEARCHERS[(tuple(words), cache_file)] = _Searcher(words, cache_file)
        searcher.record(files[0])
    # Paths go as plain strings (a Path costs ~10 us to pickle and rebuild).
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_search_chunk, [(str(f.path), str(f.root), f.rel) for f in files[i : i + CHUNK]],
                               words, cache_file)
                   for i in range(0, len(files), CHUNK)]
        try:
            for fut in futures:
                while True:
                    try:
                        hits, problems = fut.result(timeout=0.2)
                        break
                    except TimeoutError:
                        if cancelled():
                            return
                if cancelled():
                    return
                if unreadable is not None:
                    unreadable.extend(problems)
                yield from hits
        finally:
            for fut in futures:
                fut.cancel()
            _SEARCHERS.clear()


_SEARCHERS: dict[tuple, _Searcher] = {}  # in a pool's process: one a query (its cache loaded once)


def _search_chunk(chunk: list[tuple[str, str, str]], words: list[str],
                  cache_file: str | None) -> tuple[list[Hit], list[Unreadable]]:
    files = [Found(Path(path), Path(root), rel) for path, root, rel in chunk]
    key = (tuple(words), cache_file)
    searcher = _SEARCHERS.get(key)
    if searcher is None:
        _SEARCHERS.clear()
        searcher = _SEARCHERS[key] = _Searcher(words, cache_file)
    problems: list[Unreadable] = []
    hits = [h for found in files for h in searcher.file(found, problems)]
    return hits, problems


class _Searcher:
    """One query over files; the library's cache (`cache_file`) is loaded
    when a file first holds every word (a rare word needs none of it)."""

    def __init__(self, words: list[str], cache_file: str | None) -> None:
        self.quick = _quick_test_bytes(words)
        self.patterns = [re.compile(re.escape(w), re.IGNORECASE) for w in words]
        self.cache_file = cache_file
        self._records: dict[str, Any] | None = None

    def record(self, found: Found) -> Any:
        if self.cache_file is None:
            return None
        if self._records is None:
            from pmtui.library import cache

            self._records = cache.load(Path(self.cache_file))
        return self._records.get(os.path.abspath(found.path))

    def file(self, found: Found, unreadable: list[Unreadable] | None) -> Iterator[Hit]:
        return _search_file(found, self, unreadable)


def _search_file(found: Found, searcher: _Searcher, unreadable: list[Unreadable] | None) -> Iterator[Hit]:
    quick, patterns = searcher.quick, searcher.patterns
    try:
        with open(found.path, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read()
    except OSError as exc:
        if unreadable is not None:
            unreadable.append(Unreadable(found.path, f"cannot read the file: {exc.strerror or exc}"))
        return
    if quick is not None:
        lowered = data.lower()
        if not all(w in lowered for w in quick):
            return
        rec = searcher.record(found)
        if rec is not None and rec.layout and rec.state == "ok" and not rec.pending and rec.unchanged(st):
            hits = _from_bytes(found, data, lowered, quick[0], patterns, rec.payload)
            if hits is not None:
                yield from hits
                return
    from pmtui import store

    try:
        doc = store.loads(store.decode(data, found.path), path=found.path)
    except store.StoreError as exc:
        if unreadable is not None:
            unreadable.append(Unreadable(found.path, str(exc).splitlines()[0]))
        return
    yield from _hits(found, doc.pm, _fields(doc.pm), patterns, doc.place, doc.text)


def _hits(found: Found, pm: PostMortem, fields: Iterable[tuple[str, tuple, str]], patterns: list[re.Pattern[str]],
          place: Callable[[tuple], tuple[int, int]], text_of_file: str,
          line_of: Callable[[int], int] = lambda line: line) -> Iterator[Hit]:
    """The fields that hold every word; `line_of` maps the lines of the
    text parsed (`text_of_file`) to the file's."""
    for name, where, text in fields:
        spans = _spans(text, patterns)
        if spans is None:
            continue
        line, _col = place(where)
        if where[0] in LISTS:
            line = _list_item_line(text_of_file, line, text)
        yield Hit(found.path, found.rel, pm.id, pm.title, name, line_of(line) if line else 0, text, spans)


def _spans(text: str, patterns: list[re.Pattern[str]]) -> tuple[tuple[int, int], ...] | None:
    """Where the words are in `text`, or None when one is missing."""
    if not text:
        return None
    spans: list[tuple[int, int]] = []
    for rx in patterns:
        if rx.search(text) is None:
            return None
        spans.extend((x.start(), x.end()) for x in rx.finditer(text))
    return tuple(sorted(spans))


def _from_bytes(found: Found, data: bytes, lowered: bytes, word: bytes, patterns: list[re.Pattern[str]],
                summary: tuple) -> list[Hit] | None:
    """The hits of a file in pmtui's layout that a whole read found valid,
    placed from its bytes; None (the caller parses it) if anything is not
    as that read left it."""
    from pmtui import store

    pm_id, title = summary[0], summary[1]
    got = store.rows_holding(data, lowered, word)
    if got is None:
        return None
    rows: list[Hit] = []
    for row, key, line, text in got.rows:
        spans = _spans(text, patterns)
        if spans is not None:
            rows.append(Hit(found.path, found.rel, pm_id, title, f"timeline[{row}].{key}", line, text, spans))
    if not got.outside:
        return rows
    rest = store.read_rest(data, got.start, got.end)
    if rest is None:
        return None
    head = list(_hits(found, rest.pm, _fields(rest.pm, (HEAD,)), patterns, rest.place, rest.text, rest.line_of))
    tail = list(_hits(found, rest.pm, _fields(rest.pm, (TAIL,)), patterns, rest.place, rest.text, rest.line_of))
    return head + rows + tail


def _list_item_line(text: str, line: int, item: str) -> int:
    """The line of one item of a list that starts at `line` (the list's
    own line when the item is not found on a line of its own)."""
    if not line:
        return 0
    lines = text.splitlines()
    needle = item.split("\n", 1)[0][:40]
    for k in range(line - 1, min(len(lines), line + 200)):
        if needle and needle in lines[k]:
            return k + 1
        if k > line - 1 and lines[k].strip().startswith("]"):
            break
    return line
