"""The open document and its save: a Document remembers the text it was
read from, where each field sits and the model's values as last written,
so a save re-renders only what changed (store.splice) and writes it
atomically. A save travels inside this room: document -> splice ->
filesafety.atomic.

Rendering and writing are apart, so the app can render on its own thread
(the model is read at one moment, in a few milliseconds even at 100,000
rows) and write on another: `render()` brings the document's text up to
the model and numbers the result (`version`); `begin_save()` renders and
takes the text of that version, `write_save()` writes it (any thread),
`end_save()` records it. `changes_since(version)` gives the line edits
between two versions, which the recovery journal appends instead of
writing the whole text again.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, cast

from pmtui import model as m
from pmtui.filesafety.atomic import refuse_read_only, write_atomic_buffers
from pmtui.store.errors import Problem, StoreError
from pmtui.store.scan import Index, scan
from pmtui.store.schema import ARRAYS, DICTS

if TYPE_CHECKING:
    from pmtui.store.splice import Compared, Edit, RowPlan, Snapshot


class FileStamp:
    """The file as last read or written, to notice changes made by others:
    its mtime, size and the sha256 of its bytes (filesafety.disk compares
    it with the file on disk). A stamp made by a save (`written`) hashes
    the bytes it wrote when first asked: a synchronous `store.save` whose
    caller never asks (the CLI) skips the 10 ms of hashing 15 MB, and the
    app's saver asks on its own thread (write_save(lazy=False))."""

    __slots__ = ("_buffers", "_sha256", "mtime_ns", "size")

    def __init__(self, mtime_ns: int, size: int, sha256: str) -> None:
        self.mtime_ns, self.size = mtime_ns, size
        self._sha256: str | None = sha256
        self._buffers: tuple[bytes | memoryview, ...] = ()

    @classmethod
    def written(cls, mtime_ns: int, size: int, buffers: Iterable[bytes | memoryview]) -> FileStamp:
        """The stamp of a file just written from `buffers` (immutable bytes,
        kept until the digest is asked for)."""
        stamp = cls(mtime_ns, size, "")
        stamp._sha256 = None
        stamp._buffers = tuple(buffers)
        return stamp

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            digest = hashlib.sha256()
            for buf in self._buffers:
                digest.update(buf)
            self._sha256, self._buffers = digest.hexdigest(), ()
        return self._sha256

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileStamp):
            return NotImplemented
        return (self.mtime_ns, self.size, self.sha256) == (other.mtime_ns, other.size, other.sha256)

    def __hash__(self) -> int:
        return hash((self.mtime_ns, self.size, self.sha256))

    def __repr__(self) -> str:
        return f"FileStamp(mtime_ns={self.mtime_ns}, size={self.size}, sha256={self.sha256!r})"


# Line edits from one version of the text to the next: (start, end, new
# lines) in the older version's line numbers, in file order. None: the
# whole text was replaced (written through tomlkit).
Change = list["Edit"] | None
# How many versions' edits a document keeps for `changes_since`: the
# journal asks after every few edits, so it never falls this far behind.
HISTORY = 256
# From this many rows on a render is made in steps (render_steps).
RENDER_STEP = 20_000
# Rows compared per step of render_steps: 2-3 ms (a step of 20,000 rows
# took 5-8 ms, and a key pressed meanwhile waited for it).
STEP_ROWS = 10_000
# Rows matched by identity alone per step of a touched render (render_steps
# with `touched`): about 1 ms each.
IDENTITY_STEP = 40_000
# Arrays shorter than this are compared whole even when the edits named
# their rows (every value of 1,000 rows: ~0.25 ms).
TOUCHED_ROWS = 1_000
# Edits naming more rows than this since the last render: compared whole.
TOUCHED_MAX = 64
# Lines copied per step of parts_steps (a save's copy of 670,000 lines
# takes 10 ms at once).
PARTS_STEP = 100_000
# Lines per piece of the encoded text a document keeps between saves
# (encoded(): ~90 KB, 0.1 ms to encode again after an edit in it).
CHUNK_LINES = 4096
# Pieces encoded per step of encoded_steps (~2-3 ms).
CHUNKS_STEP = 24


class Document:
    """One post-mortem file: `pm` to edit, plus what a minimal save needs."""

    def __init__(self, path: str | os.PathLike[str] | None, pm: m.PostMortem, text: str, *, bom: bool = False,
                 index: Index | None = None, stamp: FileStamp | None = None,
                 rows: dict[str, Snapshot] | None = None) -> None:
        """`rows`: the snapshot of the model's rows as in `text`, when the
        reader made it already (in slices, between frames)."""
        self.path = Path(path) if path is not None else None
        self.pm = pm
        self.stamp = stamp
        self._bom = bom
        self.version = 0  # of the text: +1 for every render that changed it
        self.saved_version = 0  # the version the file on disk holds (as far as we know)
        # The version whose text is known to hold no text over its field's
        # limit (the file read passed the reader's limits; a fresh layout is
        # checked on its first save): a save then looks only at the rows
        # changed since.
        self._limits_checked = 0
        self._history: deque[tuple[int, Change]] = deque(maxlen=HISTORY)
        self.loaded = True  # False while the reader is still adding rows (store.Loading)
        self._touched: dict[int, object] | None = None  # see touch()
        self._named = False  # see name_edits()
        self._renders = 0  # render() calls: a render in steps notices one made meanwhile
        self._chunks: list[list] = []  # see encoded()
        self._chunks_of: Index | None = None
        self._set_text(text, index)
        self._remember(rows)

    @classmethod
    def opening(cls, path: str | os.PathLike[str] | None, pm: m.PostMortem, *, bom: bool = False) -> Document:
        """A document whose rows are still being read (store.Loading): its
        model is usable, it renders nothing until `complete()`."""
        doc = cls.__new__(cls)
        doc.path = Path(path) if path is not None else None
        doc.pm = pm
        doc.stamp = None
        doc._bom = bom
        doc.version = doc.saved_version = doc._limits_checked = 0
        doc._history = deque(maxlen=HISTORY)
        doc.loaded = False
        doc._touched = None
        doc._named = False
        doc._renders = 0
        doc._chunks, doc._chunks_of = [], None
        doc._text, doc._index, doc._lines_count, doc._newline = "", None, 1, "\n"
        return doc

    def complete(self, text: str, index: Index | None, *, flat: dict[tuple[str, ...], object],
                 rows: dict[str, Snapshot]) -> None:
        """The reader is done: the text, its index and the snapshot of the
        model as read (taken before any edit could reach it)."""
        self._set_text(text, index)
        self._flat, self._rows, self._dicts = flat, rows, _dicts_of(flat)
        self.loaded = True

    def _set_text(self, text: str, index: Index | None) -> None:
        # The text of the current version. Dropped once the line index holds
        # it (half the memory of a big file) and joined again when asked.
        self._text: str | None = text
        self._newline = "\r\n" if "\r\n" in text[: text.find("\n") + 1 or None] else "\n"
        self._index = index  # None: rebuilt from the text when a render needs it
        self._lines_count = len(index.lines) if index is not None else text.count("\n") + 1
        if index is not None:
            self._text = None

    def _remember(self, rows: dict[str, Snapshot] | None = None) -> None:
        from pmtui.store.splice import flat_fields, snapshot_rows

        self._flat = flat_fields(self.pm)
        self._rows = rows if rows is not None else snapshot_rows(self.pm)
        self._dicts = _dicts_of(self._flat)

    def _current_index(self) -> Index:
        if self._index is None:
            self._index = scan(self.text)
            self._lines_count = len(self._index.lines)
        return self._index

    @property
    def text(self) -> str:
        """The text as last rendered (without a byte-order mark)."""
        if self._text is None:
            index = self._index
            if index is None:  # pragma: no cover - one of the two always holds it
                raise RuntimeError("a document without text or index")
            return "\n".join(index.lines)
        return self._text

    @property
    def bom(self) -> bool:
        return self._bom

    def place(self, path: tuple) -> tuple[int, int]:
        """1-based (line, column) of the value at `path` (("timeline", 3,
        "event"), ("title",)), or of what holds it; (0, 0) if unknown."""
        from pmtui.store.validate import _locate

        if not self.loaded:
            return (0, 0)  # rows still being read (store.Loading): no index yet
        return _locate(self._current_index(), path)

    def dirty(self) -> bool:
        """Whether the model differs from the file as last read or written."""
        if not self.loaded:
            return False
        if self.version != self.saved_version:
            return True
        changed, plans, _copies = _changes(self)
        return bool(changed or plans)

    # -- versions ------------------------------------------------------------

    def touch(self, rows: Iterable[object] | None) -> None:
        """The edit just made changed the values of these rows only (and
        maybe the post-mortem's own fields, or which rows there are and in
        what order); None: not known (session.Edit.touched). A touched render
        (`render_steps(touched=True)`) compares only the rows named since
        the last render by value. Naming too few rows never writes a wrong
        text: a row left out keeps its old snapshot, so the next full
        render (every save's) still finds it."""
        known = self._touched
        if known is None:
            return
        if rows is None:
            self._touched = None
            return
        for row in rows:
            known[id(row)] = row  # the object is kept, so its id is not reused meanwhile
        if len(known) > TOUCHED_MAX:
            self._touched = None

    def name_edits(self, *, unchanged: bool = False) -> None:
        """A promise from the caller: from now on every change to the
        model's rows is named through touch() (None when not known), so a
        render at once (store.save's) compares by value only the rows named
        since the last render, matching the rest by identity (an insert at
        100,000 rows: ~3 ms instead of 25). What changed before this call
        was not named: the next render compares every row. A document
        nobody promised this of (the CLI, sources, export, the app's
        ctrl+s in steps) compares every row at every save. `unchanged`:
        the model has not changed since the document was read or last
        rendered (nothing to compare whole)."""
        self._named = True
        self._touched = {} if unchanged and self.loaded else None

    def _compared_touched(self) -> dict[str, Compared] | None:
        """render()'s comparison when the edits named their rows (see
        name_edits); None: compare every row."""
        from pmtui.store.splice import compare_touched

        if not self._named or self._touched is None:
            return None
        known = list(self._touched.values())
        compared: dict[str, Compared] = {}
        for name in ARRAYS:
            rows, old = getattr(self.pm, name), self._rows[name]
            if len(rows) < TOUCHED_ROWS and len(old[0]) < TOUCHED_ROWS:
                continue  # compared whole: as cheap as matching
            kind = type(rows[0] if rows else old[0][0])
            steps = compare_touched(name, old, rows, [o for o in known if type(o) is kind], 1 << 62)
            while True:
                try:
                    next(steps)
                except StopIteration as done:
                    compared[name] = done.value
                    break
        return compared

    def render_steps(self, step: int = STEP_ROWS, *, touched: bool = False) -> Generator[None, None, bool]:
        """render() in steps: the comparison of a big array's rows with their
        snapshot runs `step` rows at a time, yielding between slices (the app
        draws frames meanwhile); the rest happens in the last step. The model
        must not change until it returns (the app starts again if it did).
        `touched`: when every edit since the last render named its rows
        (touch()), only those are compared by value (the recovery journal's
        render; a save compares every row)."""
        from pmtui.store.splice import compare_in_slices, compare_touched

        if not self.loaded:
            raise RuntimeError("the document is still being read")
        for _attempt in range(2):
            renders = self._renders
            known = list(self._touched.values()) if touched and self._touched is not None else None
            compared: dict[str, Compared] = {}
            for name in ARRAYS:
                rows = getattr(self.pm, name)
                if len(rows) > step or len(self._rows[name][0]) > step:
                    if known is not None:
                        compared[name] = yield from compare_touched(name, self._rows[name], rows, known,
                                                                    IDENTITY_STEP)
                    else:
                        compared[name] = yield from compare_in_slices(name, self._rows[name], rows, step)
                    yield
            if self._renders == renders:
                return self.render(compared)
            # Rendered at once meanwhile (a quit's save, a signal's journal
            # write): the snapshot moved on, so what was compared no longer
            # matches it. Compare again.
        return self.render()

    def render(self, compared: dict[str, Compared] | None = None, *, limits: bool = False) -> bool:
        """Bring the text up to the model; True when it changed (a new version).
        `limits`: first raise OverLimits, changing nothing, when a text is
        longer than its field may hold (store.validate.over_limits)."""
        from pmtui.store.splice import Fallback, splice, via_tomlkit

        if not self.loaded:
            raise RuntimeError("the document is still being read")
        self._renders += 1
        if compared is None:
            compared = self._compared_touched()
        changed, plans, copies = _changes(self, compared)
        if limits:
            self._refuse_over_limits(plans)
        self._touched = {}  # what the edits so far changed is rendered now
        for name in copies:  # the next render must match rows by the objects the model holds now
            self._rows[name] = (list(getattr(self.pm, name)), self._rows[name][1])
        if not changed and not plans:
            if limits:
                self._limits_checked = self.version
            return False
        change: Change
        try:
            change = splice(self._current_index(), self._newline, self.pm, changed, plans, self._dicts)
        except Fallback:
            text = via_tomlkit(self.text, self.pm, changed, plans)
            change = None
            self._text = text
            self._index = None
            self._lines_count = text.count("\n") + 1
        else:
            if not change:
                self._advance_rows(plans)
                if limits:
                    self._limits_checked = self.version
                return False
            self._apply(change)
        self._advance_rows(plans)
        self._flat = _flat(self.pm)
        self._dicts = _dicts_of(self._flat)
        self.version += 1
        if limits:
            self._limits_checked = self.version
        self._history.append((self.version, change))
        return True

    def _refuse_over_limits(self, plans: dict[str, RowPlan]) -> None:
        """OverLimits when the model holds a text over its field's limit. The
        timeline is looked at whole only when some render since the last
        check was not checked, or its rows were reordered at large; else only
        its rows the plan changes (an insert at 100,000 events: that row, not
        the 24 ms of every row's every field)."""
        from pmtui.store.validate import over_limits, rows_over_limits

        plan = plans.get("timeline")
        whole = self._limits_checked != self.version
        if not whole and plan is not None:
            if plan.structural and not plan.windows:
                whole = True
            else:
                rows = self.pm.timeline
                touched = [row for _j, row, _keys in plan.changed]
                for lo_new, hi_new, _lo, _hi, _w in plan.windows:
                    touched += rows[lo_new:hi_new]
                whole = rows_over_limits("timeline", touched)
        found = over_limits(self.pm, timeline=whole)
        if found:
            raise OverLimits(found)

    def _apply(self, edits: list[Edit]) -> None:
        index = self._index
        expected = self._lines_count + sum(len(new) - (end - start) for start, end, new in edits)
        old_count = self._lines_count
        if index is not None and index.update(edits) and len(index.lines) == expected:
            self._text = None
            self._lines_count = expected
            if self._chunks_of is index:
                self._chunks = _remap_chunks(self._chunks, edits, old_count, expected)
            return
        # Never expected: the text is made from the edits and the next
        # render scans it afresh.
        from pmtui.store.splice import apply_edits

        old = index.revert_lines() if index is not None else self.text.split("\n")
        lines = apply_edits(old, edits)
        self._text = "\n".join(lines)
        self._index = None
        self._lines_count = len(lines)

    def _advance_rows(self, plans: dict[str, RowPlan]) -> None:
        """The snapshot of the rows follows the render: only the rows a
        plan touched are read again (all of them after a general reorder)."""
        from pmtui.store.splice import row_getter

        for name, plan in plans.items():
            objs, snaps = self._rows[name]
            rows = getattr(self.pm, name)
            get = row_getter(name)
            if not plan.structural:
                for j, row, _keys in plan.changed:
                    objs[j] = row  # an equal copy may have taken the loaded row's place
                    snaps[j] = get.one(row)
                continue
            if not plan.windows:
                self._rows[name] = (list(rows), list(get.many(rows)))
                continue
            inside = [(lo_old, hi_old) for _a, _b, lo_old, hi_old, _w in plan.windows]
            for j, row, _keys in plan.changed:
                if not any(lo <= j < hi for lo, hi in inside):  # in place, outside the windows (old numbering)
                    snaps[j] = get.one(row)
            for lo_new, hi_new, lo_old, hi_old, _w in reversed(plan.windows):
                objs[lo_old:hi_old] = rows[lo_new:hi_new]
                snaps[lo_old:hi_old] = get.many(rows[lo_new:hi_new])

    def changes_since(self, version: int) -> list[list[Edit]] | None:
        """The line edits that take the text of `version` to the current
        one, one list per version in order; None when they are not all kept
        (too old, or the whole text was replaced in between)."""
        if version == self.version:
            return []
        if version > self.version or not self._history or self._history[0][0] > version + 1:
            return None
        out: list[list[Edit]] = []
        for v, change in self._history:
            if v <= version:
                continue
            if change is None:
                return None
            out.append(change)
        return out

    def parts(self) -> tuple[list[str] | str, str]:
        """The current text as a sequence of lines (a copy the document will
        not change) or one string, and the line separator that joins them:
        what a writer on another thread needs."""
        if self._text is not None:
            return self._text, ""
        index = self._current_index()
        return list(index.lines), "\n"

    def parts_steps(self, step: int = PARTS_STEP) -> Generator[None, None, tuple[list[str] | str, str] | None]:
        """parts() in steps of `step` lines, yielding between them; None
        when the text changed meanwhile (a render: start again)."""
        if self._text is not None:
            return self._text, ""
        lines = self._current_index().lines
        version = self.version
        out: list[str] = []
        for at in range(0, len(lines), step):
            if at:
                yield
                if self.version != version or self._text is not None or self._index is None:
                    return None
                lines = self._index.lines
            out += lines[at : at + step]
        if len(out) != len(lines):  # pragma: no cover - a render always bumps the version
            return None
        return out, "\n"

    # -- the encoded text, kept between saves ----------------------------------

    def _chunk_list(self) -> list[list] | None:
        """The pieces of the current lines, [first, end, bytes or None]
        covering every line in order (None: not encoded since it changed);
        None when the text is held whole (no index)."""
        if self._text is not None:
            return None
        index = self._current_index()
        if self._chunks_of is not index or not self._chunks or self._chunks[-1][1] != len(index.lines):
            self._chunks, self._chunks_of = [[0, len(index.lines), None]], index
        return self._chunks

    def seed_encoded(self, data: bytes, piece_bytes: int = 1 << 16) -> None:
        """The file's bytes as read (without a byte-order mark), kept as the
        encoded pieces of the text just read: the first save after opening
        encodes only what it changed. Cut at line ends about every
        `piece_bytes` bytes (2-3 ms at 15 MB); nothing is kept when the
        bytes do not make the text's lines."""
        chunks = self._chunk_list()
        if chunks is None or len(chunks) != 1 or chunks[0][2] is not None:
            return
        lines = self._current_index().lines
        out: list[list] = []
        at = line = 0
        size = len(data)
        while True:
            cut = data.find(b"\n", at + piece_bytes) if at + piece_bytes < size else -1
            end = size if cut < 0 else cut
            count = data.count(b"\n", at, end) + 1
            out.append([line, line + count, data[at:end]])
            line += count
            if cut < 0:
                break
            at = cut + 1
        if line != len(lines):
            return
        for lo, hi, piece in out:  # a cheap check that these bytes are these lines
            first, last = lines[lo].encode("utf-8"), lines[hi - 1].encode("utf-8")
            if piece[: len(first)] != first or piece[len(piece) - len(last) :] != last:
                return
        self._chunks[:] = out

    def _encode_pieces(self, k: int, chunks: list[list], lines: list[str]) -> int:
        """Encode the piece chunks[k] (split into CHUNK_LINES lines each
        first); how many pieces it became."""
        lo, hi, _data = chunks[k]
        pieces = [[a, min(hi, a + CHUNK_LINES), None] for a in range(lo, hi, CHUNK_LINES)] or [[lo, hi, None]]
        for piece in pieces:
            piece[2] = "\n".join(lines[piece[0] : piece[1]]).encode("utf-8")
        chunks[k : k + 1] = pieces
        return len(pieces)

    def encoded(self) -> list[bytes]:
        """The current text as UTF-8 pieces that joined with b"\n" make the
        file (without a byte-order mark): the pieces of unchanged lines are
        kept from the last save, so a save after one edit encodes ~4,000
        lines, not the 15 MB of a 100,000-event file (joining and encoding
        all of it: 14 ms). The bytes are immutable: a writer on another
        thread may hold them while the document changes."""
        chunks = self._chunk_list()
        if chunks is None:
            return [self.text.encode("utf-8")]
        lines = self._current_index().lines
        k = 0
        while k < len(chunks):
            k += self._encode_pieces(k, chunks, lines) if chunks[k][2] is None else 1
        return [c[2] for c in chunks]

    def encoded_steps(self, step: int = CHUNKS_STEP) -> Generator[None, None, list[bytes] | None]:
        """encoded() in steps of `step` pieces, yielding between them; None
        when the text changed meanwhile (a render: start again)."""
        chunks = self._chunk_list()
        if chunks is None:
            return [self.text.encode("utf-8")]
        version, index = self.version, self._index
        done = 0
        k = 0
        while k < len(chunks):
            if chunks[k][2] is None:
                if done >= step:
                    done = 0
                    yield
                    if self.version != version or self._index is not index or self._chunks is not chunks:
                        return None
                done += self._encode_pieces(k, chunks, index.lines)  # type: ignore[union-attr]
            k += 1
        return [c[2] for c in chunks]


def _remap_chunks(chunks: list[list], edits: list[Edit], n_old: int, n_new: int) -> list[list]:
    """The encoded pieces after line edits (start, end, new lines; sorted,
    in the old numbering): a piece no edit reaches keeps its bytes and
    moves; the pieces an edit reaches, and the lines it inserts, are left
    to encode again (a line inserted where two pieces meet belongs to the
    later one; at the very end, to the last)."""
    out: list[list] = []
    ei, delta, n_edits = 0, 0, len(edits)
    run: int | None = None  # new first line of a stretch of pieces to encode again
    for lo, hi, data in chunks:
        while ei < n_edits and (edits[ei][1] < lo or (edits[ei][1] == lo and edits[ei][0] < lo)):
            s, e, new = edits[ei]
            delta += len(new) - (e - s)
            ei += 1
        dirty = data is None or (ei < n_edits and (edits[ei][0] < hi or edits[ei][0] == hi == n_old))
        if dirty:
            if run is None:
                run = lo + delta
            continue
        if run is not None:
            out.append([run, lo + delta, None])
            run = None
        out.append([lo + delta, hi + delta, data])
    if run is not None:
        out.append([run, n_new, None])
    out = [c for c in out if c[1] > c[0]]  # a piece whose lines all went
    gaps = any(a[1] != b[0] for a, b in pairwise(out))
    if not out or out[0][0] != 0 or out[-1][1] != n_new or gaps:
        return []  # never expected: encoded afresh
    return out


def _dicts_of(flat: dict[tuple[str, ...], object]) -> dict[tuple[str, ...], dict[str, object]]:
    """Each user-keyed table (schema.DICTS) as in `flat`, so a render
    writes only its changed keys."""
    return {path: dict(cast(tuple, flat[path])) for path in DICTS}


def _flat(pm: m.PostMortem) -> dict[tuple[str, ...], object]:
    from pmtui.store.splice import flat_fields

    return flat_fields(pm)


def _changes(doc: Document, compared: dict[str, Compared] | None = None,
             ) -> tuple[list[tuple[str, ...]], dict[str, RowPlan], list[str]]:
    """The changed fields and row plans since the last render, and the
    arrays whose rows were only replaced by equal copies."""
    from pmtui.store.splice import flat_fields, plan_rows

    compared = compared or {}
    pm = doc.pm
    now = flat_fields(pm)
    changed = [p for p, v in now.items() if doc._flat.get(p) != v]
    plans: dict[str, RowPlan] = {}
    copies: list[str] = []
    for name in ARRAYS:
        plan = plan_rows(name, doc._rows[name], getattr(pm, name), compared.get(name))
        if plan is None:
            continue
        if plan.identity_only:
            copies.append(name)
        else:
            plans[name] = plan
    return changed, plans, copies


def new_document(pm: m.PostMortem, path: str | os.PathLike[str] | None) -> Document:
    """A Document for `pm` with a fresh, commented layout (not yet saved)."""
    from pmtui.store.render import fresh_text

    doc = Document(path, pm, fresh_text(pm))
    doc._limits_checked = -1  # a model never read from a file: the first save looks at every text
    return doc


def dumps(doc: Document) -> str:
    """The file's text for the model as it is now."""
    doc.render()
    return ("\ufeff" if doc._bom else "") + doc.text


# -- saving ----------------------------------------------------------------------


class OverLimits(Exception):
    """The model holds texts longer than their fields may hold: (field,
    message) for each (store.validate.over_limits)."""

    def __init__(self, found: list[tuple[str, str]]) -> None:
        super().__init__(found)
        self.found = found


BOM = "\ufeff".encode()


@dataclass(frozen=True)
class SaveJob:
    """One version of the document on its way to the disk."""

    target: Path  # as the caller named it
    real: Path  # the file the rename replaces (symbolic links followed)
    version: int
    parts: list[str] | str
    separator: str
    bom: bool
    # The text encoded already (Document.encoded: pieces joined by b"\n");
    # `parts` is then empty.
    encoded: list[bytes] | None = None

    def buffers(self) -> list[bytes]:
        """The file's bytes as pieces to write one after the other (os.writev)."""
        out = [BOM] if self.bom else []
        if self.encoded is None:
            return out + list(self.chunks(bom=False))
        newline = b"\n"
        for piece in self.encoded:
            out += (piece, newline)
        if self.encoded:
            out.pop()
        return out

    def chunks(self, lines_per_chunk: int = 4096, *, bom: bool = True) -> Iterator[bytes]:
        """The file's bytes a piece at a time: a writer thread holds the
        interpreter for a fraction of a millisecond per piece, never for the
        whole 15 MB of a big file."""
        if self.encoded is not None:
            yield from (self.buffers() if bom else self.buffers()[1 if self.bom else 0 :])
            return
        if self.bom and bom:
            yield BOM
        parts, sep = self.parts, self.separator
        if isinstance(parts, str):
            step = lines_per_chunk * 64
            for at in range(0, len(parts), step):
                yield parts[at : at + step].encode("utf-8")
            return
        n = len(parts)
        for at in range(0, n, lines_per_chunk):
            piece = sep.join(parts[at : at + lines_per_chunk])
            if at + lines_per_chunk < n:
                piece += sep
            yield piece.encode("utf-8")


def begin_save(doc: Document, path: str | os.PathLike[str] | None = None, *, rendered: bool = False) -> SaveJob:
    """Render the model and take that version's text for writing (on the
    thread that edits the model). `rendered`: the caller just rendered it
    (render_steps) and nothing changed since."""
    target = _save_target(doc, path)
    from pmtui.store.validate import over_limits

    # A text longer than its field may hold is refused, not written: the
    # file would not open again (the edit stays in the app and its journal,
    # to be shortened). ~10-20 ms at 100,000 events when every row is looked
    # at (at C speed); the render below looks only at the rows it changes.
    try:
        if rendered:
            too_long = over_limits(doc.pm)
            if too_long:
                raise OverLimits(too_long)
        else:
            doc.render(limits=True)
    except OverLimits as exc:
        raise StoreError(target, [Problem(0, 0, where, f"not saved: {message}")
                                  for where, message in exc.found[:20]]) from None
    return SaveJob(target, Path(os.path.realpath(target)), doc.version, [], "\n", doc._bom, doc.encoded())


def begin_save_steps(doc: Document, path: str | os.PathLike[str] | None = None,
                     ) -> Generator[None, None, SaveJob]:
    """begin_save() in steps of a few milliseconds, yielding between them
    (the app draws frames meanwhile): every row compared (render_steps),
    the limits checked, the text copied for the writer, each a slice at a
    time. The model must not change until it returns (the app starts again
    if it did: the job is then one state of the document, never a mix)."""
    target = _save_target(doc, path)
    from pmtui.store.validate import over_limits_steps

    yield from doc.render_steps()
    _refuse_too_long(target, (yield from over_limits_steps(doc.pm)))
    version = doc._limits_checked = doc.version  # every text of this version looked at
    encoded = yield from doc.encoded_steps()
    if encoded is None or doc.version != version:  # pragma: no cover - the caller restarts on any edit
        raise RuntimeError("the document changed while it was encoded for saving")
    return SaveJob(target, Path(os.path.realpath(target)), version, [], "\n", doc._bom, encoded)


def _save_target(doc: Document, path: str | os.PathLike[str] | None) -> Path:
    target = Path(path) if path is not None else doc.path
    if target is None:
        raise ValueError("save() needs a path for a document that has none")
    return target


def _refuse_too_long(target: Path, too_long: list[tuple[str, str]]) -> None:
    if too_long:
        raise StoreError(target, [Problem(0, 0, where, f"not saved: {message}") for where, message in too_long[:20]])


def write_save(job: SaveJob, *, lazy: bool = False) -> FileStamp:
    """Write a job atomically: a temporary file in the same folder, flushed
    and fsynced, renamed over the target, then the folder fsynced; the
    file's permission bits are kept. Safe on any thread. The stamp's
    sha256 is computed here, unless `lazy` (when first asked for; see
    FileStamp)."""
    refuse_read_only(job.real, job.target)
    buffers = job.buffers()
    write_atomic_buffers(job.real, buffers)
    st = job.real.stat()
    stamp = FileStamp.written(st.st_mtime_ns, st.st_size, buffers)
    if not lazy:
        stamp.sha256  # noqa: B018 - hashed now, on the caller's (the saver's) thread
    return stamp


def end_save(doc: Document, job: SaveJob, stamp: FileStamp) -> None:
    """The job's version is on disk now (unless a later one landed first)."""
    if job.version < doc.saved_version:
        return
    doc.path = job.target
    doc.stamp = stamp
    doc.saved_version = job.version


def save(doc: Document, path: str | os.PathLike[str] | None = None) -> Path:
    """Write atomically (write_save) the model as it is now."""
    job = begin_save(doc, path)
    stamp = write_save(job, lazy=True)
    end_save(doc, job, stamp)
    return job.target
