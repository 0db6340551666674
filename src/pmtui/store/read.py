"""Reading: the file's bytes -> a Document (or, to check or report, just the
model). The [[timeline]] rows, nearly all of a big file, are read apart
from the rest by store.rowread a slice at a time; tomllib reads the rest.
Any layout the split cannot be sure of is read whole the general way
(store.scan's line index with tomllib), which also words every error with
its line. Never tomlkit.

`Reader` does it in steps, so the app can draw its first screen after the
first slice and read the rest between frames; `load`, `loads` and `read`
run every step at once.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pmtui import model as m
from pmtui.store.document import Document, FileStamp
from pmtui.store.errors import NewerSchemaError, Problem, StoreError
from pmtui.store.longtext import refuse_long_strings
from pmtui.store.rowread import HEADER, SLICE, NotFast, RowReader, Run, find_run, outside
from pmtui.store.scan import ARRAY, ROOT, TABLE, Index, Segment, _bounds, _lex, counters, scan
from pmtui.store.syntax import syntax_problems
from pmtui.store.validate import MAX_LINE, MAX_PROSE, ModelBuilder, build


def _read_bytes(p: Path) -> tuple[bytes, os.stat_result]:
    try:
        data = p.read_bytes()
        st = p.stat()
    except OSError as exc:
        raise StoreError(p, [Problem(0, 0, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    return data, st


def decode(data: bytes, path: str | os.PathLike) -> str:
    """The file's bytes as text, or StoreError placing the first byte that
    makes it binary or not UTF-8."""
    if b"\x00" in data:
        at = data.index(b"\x00")
        line, col = _byte_place(data, at)
        raise StoreError(
            path, [Problem(line, col, "", "this is a binary file (it contains NUL bytes), not a TOML post-mortem")]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_place(data, exc.start)
        raise StoreError(
            path,
            [Problem(line, col, "",
                     f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read); save it as UTF-8")],
        ) from None


def stamp_of(data: bytes, st: os.stat_result) -> FileStamp:
    return FileStamp(st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())


def load(path: str | os.PathLike) -> Document:
    p = Path(path)
    data, st = _read_bytes(p)
    doc = loads(decode(data, p), path=p)
    doc.stamp = stamp_of(data, st)
    doc.seed_encoded(data[3:] if doc.bom else data)
    return doc


def read_model(path: str | os.PathLike) -> m.PostMortem:
    """Only the model, to check it or write its report: no line index and
    no record of the text for a later save (a third of load's work on a
    big file). Errors as load's."""
    p = Path(path)
    data, _st = _read_bytes(p)
    text = decode(data, p)
    with paused_gc(), nesting_refused(text, p):
        reader = Reader(text, p, for_saving=False)
        reader.read_all()
        pm = reader.finish_model()
        settle(pm)
        return pm


def _byte_place(data: bytes, at: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, at) + 1
    start = data.rfind(b"\n", 0, at) + 1
    return line, len(data[start:at].decode("utf-8", "replace")) + 1


def loads(text: str, path: str | os.PathLike = "<string>") -> Document:
    with paused_gc(), nesting_refused(text, path):
        reader = Reader(text, path)
        reader.read_all()
        doc = reader.finish()
        settle(doc.pm)
        return doc


@contextmanager
def nesting_refused(text: str, path: str | os.PathLike) -> Iterator[None]:
    """tomllib recurses once per nesting level: arrays or inline tables
    nested hundreds deep are refused with the line where it starts."""
    try:
        yield
    except RecursionError:
        line = _too_deep(text)
        message = (f"arrays or inline tables nested more than {MAX_NESTING} deep; "
                   "a post-mortem needs two or three levels")
        raise StoreError(path, [Problem(line, 1 if line else 0, "", message)]) from None


MAX_NESTING = 64


def _too_deep(text: str) -> int:
    """The line where brackets first nest past MAX_NESTING (strings and
    comments skipped, roughly: enough to point at the place)."""
    depth, line, quote = 0, 1, ""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            if quote in ('"', "'"):
                quote = ""
        elif quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":
            end = text.find("\n", i)
            i = n if end == -1 else end
            continue
        elif c in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return 0




@contextmanager
def paused_gc() -> Iterator[None]:
    """No garbage collection while a file is read: every row is a new
    object that lives on, and the collector walking them all again and
    again took half of a 100,000-row read (the usual trick of parsers)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# From this many rows a post-mortem read is moved out of the collector's
# view (gc.freeze) rather than walked by it after the read: one walk of a
# 100,000-row model took as long as reading it, and it lives as long as the
# program that opened it. Smaller ones are left to the collector as usual.
FREEZE_ROWS = 20_000


def settle(pm: m.PostMortem) -> None:
    if len(pm.timeline) >= FREEZE_ROWS:
        gc.freeze()


class Loading:
    """A post-mortem opened for editing a slice at a time, for the app:
    `document` is usable at once, its `pm` holding the rows of the first
    screen and more after each `step()` (the rest of the file: tomllib
    read it already). `finish()` completes the document, or raises
    StoreError with every problem placed. While reading, the collector is
    paused; when done, what was read is moved out of its view.

    Until `done`, nothing may add, remove or move timeline rows (the app
    holds back such edits); values of rows read may change (the snapshot of
    each slice is taken as it is read, before anything can reach it).

    A file whose rows cannot be read apart from the rest for certain (a
    table among them) is read whole in the constructor instead."""

    # Characters per step: about 400 rows, a few milliseconds between frames.
    STEP = 1 << 16

    def __init__(self, path: str | os.PathLike) -> None:
        from pmtui.store.splice import flat_fields, row_getter, snapshot_rows

        p = Path(path)
        data, st = _read_bytes(p)
        self._data, self._st = data, st
        self._digest = hashlib.sha256()
        self._hashed = 0
        self._gc_was = gc.isenabled()
        gc.disable()
        try:
            text = decode(data, p)
            self._text_for_errors = text
            with nesting_refused(text, p):
                reader = self.reader = Reader(text, p, slice_size=self.STEP)
                reader.widen = None
                if reader._rows is not None and not _rows_apart(reader.text, reader._rows.run):
                    reader.widen = 6
                    reader.read_all()  # read whole, now
            pm = self.pm
            self.document = Document.opening(p, pm, bom=reader.bom)
            # The file's values before any edit can reach them.
            self._flat = flat_fields(pm)
            self._snaps = snapshot_rows(pm)
            self._timeline: list[tuple[object, ...]] = self._snaps["timeline"][1]
            self._get = row_getter("timeline")
            self._snapped = len(pm.timeline)
            self.step()  # the first screen of rows
        except BaseException:
            self._resume_gc()
            raise
        self._finished = False

    @property
    def pm(self) -> m.PostMortem:
        return self.reader.pm

    @property
    def done(self) -> bool:
        return self.reader.done

    @property
    def rows_read(self) -> int:
        return len(self.pm.timeline)

    def estimate(self) -> int:
        """About how many rows the file holds."""
        rows = self.reader._rows
        if rows is None or rows.done:
            return self.rows_read
        read = rows.pos - rows.run.start
        return max(self.rows_read, round(self.rows_read * (rows.run.end - rows.run.start) / read)) if read else 0

    def _hash_some(self, size: int = 1 << 20) -> None:
        """The file's sha256 a megabyte at a time, its bytes let go once
        hashed (15 MB less to hold while the rows are read)."""
        data = self._data
        if self._hashed < len(data):
            self._digest.update(memoryview(data)[self._hashed : self._hashed + size])
            self._hashed += size
            if self._hashed >= len(data):
                self._data = b""

    def step(self) -> int:
        """Read the next slice of rows (and take its snapshot); returns how
        many rows it added."""
        self._hash_some()
        with nesting_refused(self._text_for_errors, self.document.path or "<string>"):
            n = self.reader.step()
        rows = self.pm.timeline
        if len(rows) > self._snapped:
            self._timeline.extend(self._get.many(rows[self._snapped :]))
            self._snapped = len(rows)
        return n

    def finish(self) -> Document:
        for _ in self.finish_steps():
            pass
        return self.document

    def finish_steps(self) -> Iterator[None]:
        """finish() in steps of a few milliseconds (the rows left, the
        file's sha256 a megabyte at a time, the index), yielding between."""
        if self._finished:
            return
        try:
            while not self.reader.done:
                self.step()
                yield
            while self._snapped < len(self.pm.timeline):
                self.step()
            while self._data:
                self._hash_some()
                yield
            reader = self.reader
            reader._problems()
            index = reader._index or reader._assemble()
            yield
            self._snaps["timeline"] = (list(self.pm.timeline), self._timeline)
            doc = self.document
            doc.pm = self.pm
            doc.complete(reader.text, index, flat=self._flat, rows=self._snaps)
            doc.stamp = FileStamp(self._st.st_mtime_ns, self._st.st_size, self._digest.hexdigest())
            self._text_for_errors = ""
            self.reader = _Done(self.pm)  # type: ignore[assignment]  # the text and pieces are not kept
            self._finished = True
            if len(self.pm.timeline) >= FREEZE_ROWS:
                gc.freeze()
        finally:
            self._resume_gc()

    def _resume_gc(self) -> None:
        if self._gc_was and not gc.isenabled():
            gc.enable()


class _Done:
    """What a finished Loading keeps of its reader."""

    done = True

    def __init__(self, pm: m.PostMortem) -> None:
        self.pm = pm

    def step(self) -> int:
        return 0

    def read_all(self) -> None:
        return None


def _rows_apart(text: str, run: Run) -> bool:
    """No line among the rows opens a table other than [[timeline]] (not
    even inside a string): then a slice read later can only fail on a real
    error in the file, never on a layout the split misread."""
    header = "\n" + HEADER
    return text.count("\n[", run.start - 1, run.end) == text.count(header, run.start - 1, run.end) and (
        _INDENTED.search(text, run.start, run.end) is None)


_INDENTED = re.compile(r"\n[ \t]+\[")


def _head_closed(text: str, start: int) -> bool:
    """The text before the rows ends outside any string. Only a multi-line
    string can hold a line "[[timeline]]", so a head without triple quotes
    needs no parse; with them, the head must read as TOML on its own (a
    description holding such a line lost it to the rows otherwise)."""
    if text.find('"""', 0, start) < 0 and text.find("'''", 0, start) < 0:
        return True
    try:
        tomllib.loads(text[:start])
    except tomllib.TOMLDecodeError:
        return False
    return True


class Reader:
    """A post-mortem's text read in steps: the constructor reads all but
    the [[timeline]] rows (raising StoreError for what is wrong there),
    `step()` reads the next slice of rows into `pm.timeline`, `finish()`
    checks what is left and returns the Document.

    `for_saving=False` builds neither the line index nor the record of the
    text a save splices into (`finish_model()` then returns the model)."""

    def __init__(self, text: str, path: str | os.PathLike = "<string>", *, for_saving: bool = True,
                 slice_size: int = SLICE, whole: bool = False) -> None:
        """`slice_size` (characters) and `whole` (the general reader only)
        are for tests."""
        self.slice_size = slice_size
        self.widen: int | None = 6  # None: a slice that does not read is widened to the end (store.Loading)
        self.bom = text.startswith("\ufeff")
        self.text = text[1:] if self.bom else text
        self.path = path
        _refuse_long_lines(self.text, path)
        refuse_long_strings(self.text, path)
        self.for_saving = for_saving
        self._index: Index | None = None
        self._rows: RowReader | None = None
        self._builder: ModelBuilder | None = None
        self._head_segments = 0
        self._blocks: list[list[int]] = []  # the index's blocks of segments (scan.Index), one per slice
        self._general: list[tuple[int, int]] = []  # segment ranges lexed the general way
        self._segments: list[Segment] = []
        self._lines: list[str] | None = None
        if whole:
            self._whole()
        else:
            self._start()

    @property
    def pm(self) -> m.PostMortem:
        if self._builder is None:
            raise RuntimeError("the reader has no model (read the general way)")
        return self._builder.pm

    @property
    def done(self) -> bool:
        return self._rows is None or self._rows.done

    # -- steps ---------------------------------------------------------------------

    def _start(self) -> None:
        text = self.text
        run = find_run(text)
        if run is None:
            self._whole()
            return
        try:
            if not _head_closed(text, run.start):
                self._whole()  # the "rows" begin inside a multi-line string
                return
            data = tomllib.loads(outside(text, run))
        except (tomllib.TOMLDecodeError, RecursionError):
            self._whole()  # the general reader words the error on its right line
            return
        if "timeline" in data:
            self._whole()
            return
        self._builder = ModelBuilder(data)
        if self._builder.newer is not None:
            raise NewerSchemaError(self.path, self._builder.problems(self._whole_index()))
        if self.for_saving:
            self._lines = _split_lines(text, 0, run.start)
            segs = self._segments
            root = Segment(ROOT, (), -1)
            segs.append(root)
            ok, _stop = _lex(self._lines, 0, len(self._lines), segs, "", 0, False)
            if not ok:
                self._lines = None  # an index the lexer cannot make: built whole at the end
            self._head_segments = len(segs)
            self._block(segs)
        self._rows = RowReader(text, run, self._lines, widen=self.widen)

    def step(self, size: int = 0) -> int:
        """Read the next slice of rows; returns how many rows it added."""
        size = size or self.slice_size
        rows = self._rows
        if rows is None or rows.done or self._builder is None:
            return 0
        try:
            got = rows.next_slice(size)
        except NotFast:
            self._rows = None
            self._whole()
            return len(self.pm.timeline)
        self._builder.rows(got.rows, got.events_only)
        if got.segments:
            first = len(self._segments)
            self._segments.extend(got.segments)
            self._block(got.segments)
            if got.general:
                self._general.append((first, len(self._segments)))
        return len(got.rows)

    def _block(self, segs: list[Segment]) -> None:
        """`segs` (new, at their places) share a new block of the index."""
        block = [0, len(self._blocks)]
        self._blocks.append(block)
        for seg in segs:
            seg._base = block

    def read_all(self) -> None:
        while not self.done:
            self.step()

    def _whole(self) -> None:
        """Read the whole text the general way (an unusual layout, or an
        error to word precisely); raises StoreError on any problem."""
        text = self.text
        index = scan(text)
        data = None
        if index.ok:
            data = _parse_with_index(index)
        if data is None:
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise StoreError(self.path, syntax_problems(text, str(exc))) from None
            if not index.ok:
                index = scan(text, fast=False)
        more = [0]
        pm, problems = build(data, index, more)
        _drop_fast(index)  # the decoded rows live on in the model; the index needs only places
        if problems:
            cls = NewerSchemaError if problems[0].message.startswith("file uses schema") else StoreError
            raise cls(self.path, problems, more=more[0])
        builder = ModelBuilder({})
        builder.pm = pm
        self._builder = builder
        self._index = index
        self._rows = None

    def _whole_index(self) -> Index:
        index = scan(self.text)
        if not index.ok:
            index = scan(self.text, fast=False)
        return index

    # -- the end ---------------------------------------------------------------------

    def _problems(self) -> None:
        builder = self._builder
        if builder is not None and builder.has_problems:
            # The pieces the slices made place the problems too: no second
            # whole-file scan (read_model keeps no pieces: it scans).
            index = self._index or (self._assemble() if self._lines is not None else self._whole_index())
            problems = builder.problems(index)
            cls = NewerSchemaError if builder.newer is not None else StoreError
            raise cls(self.path, problems, more=builder.more)

    def finish_model(self) -> m.PostMortem:
        self.read_all()
        self._problems()
        return self.pm

    def finish(self) -> Document:
        """The Document, once every row is read; StoreError for any problem."""
        self.read_all()
        self._problems()
        index = self._index or self._assemble()
        file_path = None if str(self.path) == "<string>" else self.path
        return Document(file_path, self.pm, self.text, bom=self.bom, index=index)

    def _assemble(self) -> Index:
        """The line index from the pieces each slice made: the lines and
        segments of the rows, then the rest of the file lexed after them."""
        lines, segs = self._lines, self._segments
        rows = self._rows
        counters.full_scans += 1  # the one whole-file index of a load, made in pieces
        if lines is None or rows is None or len(segs) <= self._head_segments:
            return self._whole_index()
        text = self.text
        end = rows.run.end
        tail_from = len(lines)
        if end < len(text) or text.endswith("\n"):
            lines.extend(text[end:].split("\n"))
        n_rows_end = len(segs)
        ok, _stop = _lex(lines, tail_from, len(lines), segs, "", 0, False)
        if not ok:
            return self._whole_index()
        self._block(segs[n_rows_end:])
        first_row = self._head_segments
        _bounds(lines, segs, 0, first_row + 1)
        for lo, hi in self._general:
            _bounds(lines, segs, max(lo - 1, 0), min(hi + 1, len(segs)))
        _bounds(lines, segs, n_rows_end - 1, len(segs))
        index = Index(lines, segs, True, blocks=self._blocks)
        # What the first save would otherwise look for among every row.
        others = segs[:first_row] + segs[n_rows_end:]
        timeline = ("timeline",)
        general = [s for lo, hi in self._general for s in segs[lo:hi]]
        if not any(s.name[:1] == timeline for s in others) and all(s.name == timeline for s in general):
            index._arrays["timeline"] = segs[first_row:n_rows_end]
            index._nested["timeline"] = False
            index._tables = {}
            for s in others:
                if s.kind == TABLE:
                    index._tables.setdefault(s.name, s)
        return index


# A line at least this long holds a value no field may hold (store.validate:
# MAX_LINE, MAX_PROSE), however it is written: refused before tomllib, whose
# string parser took 4 s over a 20 MB title (and the line index as long).
LONG_LINE = 2 * MAX_PROSE
_ONE_KEY = r"(?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')"
_KEY_AT = re.compile(r"[ \t]*(" + _ONE_KEY + r"(?:[ \t]*\.[ \t]*" + _ONE_KEY + r")*)[ \t]*=")


def _refuse_long_lines(text: str, path: str | os.PathLike) -> None:
    """StoreError naming the key and line of the first line of LONG_LINE
    characters or more. Such a line covers a whole window of MAX_PROSE
    characters with no newline in it: one find per window, ~1 ms for 15 MB."""
    step = MAX_PROSE
    for at in range(0, len(text) - step + 1, step):
        if text.find("\n", at, at + step) < 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            if end - start < LONG_LINE:
                continue
            line = text.count("\n", 0, start) + 1
            key = _KEY_AT.match(text, start, min(end, start + 1000))
            header = text.rfind("\n[", 0, start)
            table = text[header + 1 : text.find("\n", header + 1)].strip() if header >= 0 else ""
            name = key.group(1) if key else ""
            if name and table:
                name = f"{table.strip('[]').strip()}.{name}" if not table.startswith("[[") else (
                    f"{table.strip('[]').strip()}[].{name}")
            message = (f"a line of {end - start:,} characters; no field may hold more than {MAX_PROSE:,} "
                       f"(a one-line field {MAX_LINE:,}): keep long logs and dumps in evidence files")
            raise StoreError(path, [Problem(line, 1, name, message)])


def _split_lines(text: str, start: int, stop: int) -> list[str]:
    parts = text[start:stop].split("\n")
    if parts and parts[-1] == "" and stop > start:
        parts.pop()
    return parts


def _drop_fast(index: Index) -> None:
    for seg in index.segments:
        seg.fast = None


def _parse_with_index(index: Index) -> dict | None:
    """tomllib on the text without the fast-read [[timeline]] blocks, then
    the rows merged back in file order. None when the layout needs the
    whole-file parse (which also words any error with the right line)."""
    segs = index.segments
    if not any(s.fast is not None for s in segs):
        return None
    if any(s.name[:1] == ("timeline",) and s.name != ("timeline",) for s in segs) or any(
        p[0] == "timeline" for p in segs[0].entries
    ):
        return None
    lines = index.lines
    # Runs of fast blocks are cut out whole: only blank lines and comments
    # lie between two of them, and each run ends at a header or the end.
    kept: list[str] = []
    pos = 0
    k = 0
    n = len(segs)
    while k < n:
        if segs[k].fast is None:
            k += 1
            continue
        first = segs[k]
        while k + 1 < n and segs[k + 1].fast is not None:
            k += 1
        kept.extend(lines[pos : first.header])
        pos = segs[k].core_end
        k += 1
    kept.extend(lines[pos:])
    try:
        data = tomllib.loads("\n".join(kept))
    except tomllib.TOMLDecodeError:
        return None
    slow = data.get("timeline", [])
    arrays = [s for s in segs if s.kind == ARRAY and s.name == ("timeline",)]
    n_fast = sum(1 for s in arrays if s.fast is not None)
    if not isinstance(slow, list) or len(slow) != len(arrays) - n_fast:
        return None
    it = iter(slow)
    data["timeline"] = [s.fast if s.fast is not None else next(it) for s in arrays]
    return data
