"""Writing a changed model back into the text it was read from.

Only what changed is re-rendered: a field's value (its key spelling,
spacing and trailing comment kept), a timeline row's block, a new table.
Everything else is copied line for line, so a save after one edit in a
10,000-event file costs milliseconds and the diff shows only that edit.
When the file is laid out in a way the line index cannot splice safely
(inline tables holding known fields, rows interleaved with other tables and
reordered), the edit goes through tomlkit instead: slower, still
comment-preserving.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Generator, Iterable, Iterator, MutableMapping
from itertools import compress, count, pairwise, repeat
from operator import attrgetter, eq, is_, is_not, ne, sub
from typing import Any, cast

from pmtui import model as m
from pmtui.store.render import is_unset, render_key, render_value, row_lines
from pmtui.store.scan import ARRAY, ROOT, TABLE, Index, Segment
from pmtui.store.schema import ARRAYS, DICTS, RANK, ROOT_FIELDS, TABLES, frozen, get_attr

MISSING = object()

# A row of one of the model's arrays (TimelineEvent, Why, ...) is handled as
# a plain object: the schema's field names say what to read from it.
Values = tuple[object, ...]  # a row's values, in the order of its schema fields
Snapshot = tuple[list[object], list[Values]]  # the rows as loaded, and their values then
Item = tuple[int | None, object, tuple[str, ...]]  # (loaded row index or None: new, row, changed keys)
Changed = tuple[int, object, tuple[str, ...]]  # a loaded row with changed keys
Edit = tuple[int, int, list[str]]  # replace lines[start:end] with these lines
FieldChange = tuple[str, str, object]  # (key, kind, new value; None: delete the key)
Elem = tuple[Segment, int, int, int]  # an [[array]] element: (segment, start, core_end, end)
EditsFor = Callable[[int, object, tuple[str, ...]], list[Edit]]


class Fallback(Exception):
    """The splice cannot be done safely on this layout."""


# -- snapshots -------------------------------------------------------------------


def flat_fields(pm: m.PostMortem) -> dict[tuple[str, ...], object]:
    out: dict[tuple[str, ...], object] = {}
    for key, _kind in ROOT_FIELDS:
        out[(key,)] = frozen(getattr(pm, key))
    for path, (attr, fields) in TABLES.items():
        obj = get_attr(pm, attr)
        if path in DICTS:
            out[path] = frozen(obj)
            continue
        for key, _kind in fields:
            out[(*path, key)] = frozen(getattr(obj, key))
    return out


class RowValues:
    """A row's values as one comparable tuple, read at C speed: attrgetter
    for the plain fields, each list field (labels, evidence) copied to a
    tuple beside them, so a list changed in place compares unequal to its
    snapshot. `many(rows)` reads a whole array through map and zip, never
    a Python call per row (a function per row, to copy one list, took a
    quarter of a second per render at 100,000 rows)."""

    def __init__(self, name: str) -> None:
        fields = ARRAYS[name][1]
        scalars = [k for k, kind in fields if kind != "strlist"]
        self._lists = [attrgetter(k) for k, kind in fields if kind == "strlist"]
        # Every array has several plain fields, so attrgetter returns a tuple.
        self._scalars = attrgetter(*scalars)
        self.keys = scalars + [k for k, kind in fields if kind == "strlist"]  # in the order of flat()

    def one(self, row: object) -> Values:
        if not self._lists:
            return self._scalars(row)
        return (self._scalars(row), *(tuple(get(row)) for get in self._lists))

    def many(self, rows: Iterable[object]) -> Iterator[Values]:
        if not self._lists:
            return map(self._scalars, rows)
        rows = rows if isinstance(rows, list) else list(rows)
        return zip(map(self._scalars, rows), *(map(tuple, map(get, rows)) for get in self._lists), strict=True)

    def flat(self, values: Values) -> Values:
        if not self._lists:
            return values
        return cast(tuple, values[0]) + tuple(values[1:])

    def diff(self, now: Values, was: Values) -> tuple[str, ...]:
        """The keys whose values differ."""
        return tuple(k for k, a, b in zip(self.keys, self.flat(now), self.flat(was), strict=True) if a != b)


def row_getter(name: str) -> RowValues:
    cached = _GETTERS.get(name)
    if cached is None:
        cached = _GETTERS[name] = RowValues(name)
    return cached


_GETTERS: dict[str, RowValues] = {}


def snapshot_rows(pm: m.PostMortem) -> dict[str, Snapshot]:
    """Per array: the row objects as loaded and their values then, as two
    parallel lists (so a save can compare them with map, at C speed)."""
    out = {}
    for name in ARRAYS:
        rows = getattr(pm, name)
        out[name] = (list(rows), list(row_getter(name).many(rows)))
    return out


# -- planning ----------------------------------------------------------------------


# A stretch of rows where the current rows differ from the loaded ones by
# more than values: (first, end) in the current rows, (first, end) in the
# loaded rows, and an item for each current row in it.
Window = tuple[int, int, int, int, list[Item]]


class RowPlan:
    """The current rows of one array against the rows as loaded: `items`
    are (index of the loaded row or None for a new one, row, names of
    changed keys), one per current row; `changed` only those with changed
    keys. A plan that is not structural (same rows, same order) is built
    from `changed` alone, and `items` only when asked (the tomlkit path).

    A structural change confined to a few stretches of rows (rows added,
    deleted or moved: the usual edits) has `windows`; between them the rows
    are the loaded ones, in order (edited ones in `changed`), and nothing is
    built for them: a row added to a 100,000-row timeline costs that row."""

    def __init__(self, items: list[Item] | None, structural: bool,
                 changed: list[Changed] | None = None, rows: list[object] | None = None, n_old: int = 0) -> None:
        self._items = items
        self.structural = structural
        self.rows = rows
        self.n_old = n_old if items is None else sum(1 for j, _r, _c in items if j is not None)
        self.windows: list[Window] = []
        self.identity_only = False  # equal copies of the rows in their places: nothing to write
        # A new row has no changed keys, so every changed row is a loaded one.
        self.changed: list[Changed] = (
            changed if changed is not None
            else [(j, row, keys) for j, row, keys in items or () if keys and j is not None]
        )

    @property
    def items(self) -> list[Item]:
        if self._items is None:
            rows = self.rows or []
            changed = {j: keys for j, _row, keys in self.changed}
            items: list[Item] = []
            at_new = at_old = 0
            for lo_new, hi_new, _lo_old, hi_old, window in self.windows:
                items += [(at_old + k, rows[at_new + k], changed.get(at_old + k, ())) for k in range(lo_new - at_new)]
                items += window
                at_new, at_old = hi_new, hi_old
            items += [(at_old + k, rows[at_new + k], changed.get(at_old + k, ())) for k in range(len(rows) - at_new)]
            self._items = items
        return self._items


class Compared:
    """What `compare_in_slices` found: `first` rows are the loaded ones in
    place and so are the last `tail`; `changed` are the loaded rows among
    them (numbered as loaded) whose values changed. `distinct`: no loaded
    row between them is also one of those in place (looked at in slices
    too); None when not looked at (the plan looks)."""

    def __init__(self, first: int, tail: int, changed: list[int], distinct: bool | None = None) -> None:
        self.first, self.tail, self.changed, self.distinct = first, tail, changed, distinct


def _distinct_in_slices(rows: list[object], objs: list[object], first: int, tail: int,
                        step: int) -> Generator[None, None, bool]:
    """_plan_windows' check that no loaded row of the middle is also among
    the rows in place before or after it (the same object twice: the
    general plan), `step` rows at a time."""
    n, n_old = len(rows), len(objs)
    middle = set(map(id, objs[first : n_old - tail]))
    for lo, hi in ((0, first), (n - tail, n)):
        for a in range(lo, hi, step):
            if not middle.isdisjoint(map(id, rows[a : min(hi, a + step)])):
                return False
            yield
    return True


def _places(rows: list[object], obj: object, lo: int, hi: int, *, surely: bool = True) -> list[int]:
    """Where `obj` itself is in rows[lo:hi]. A timeline is kept in time
    order: its rows are found by bisection (the row's time), and looked for
    one by one when that finds nothing there, unless not `surely` (the row
    is known to be elsewhere: a second place would be the same object
    twice in the list, which no edit makes)."""
    when = getattr(obj, "time", None)
    if when is not None and lo < hi:
        time_of = attrgetter("time")
        try:
            k = bisect_left(rows, when, lo, hi, key=time_of)
            found = []
            while k < hi and time_of(rows[k]) == when:
                if rows[k] is obj:
                    found.append(k)
                k += 1
        except TypeError:  # times that do not compare (naive and aware): one by one
            found = []
        if found or not surely:
            return found
    return list(compress(count(lo), map(is_, rows[lo:hi], repeat(obj))))


def _kept_ends(rows: list[object], objs: list[object], step: int,
               kept: Callable[[int, int, int], None] | None = None) -> Generator[None, None, tuple[int, int]]:
    """(first, tail): how many rows from the start, then from the end, are
    the loaded objects in their places, found by identity at C speed,
    `step` rows at a time (yielding between slices). `kept(lo, hi, shift)`
    hears each stretch of rows[lo:hi] found kept (loaded at lo+shift...)."""
    n, n_old = len(rows), len(objs)
    span = min(n, n_old)
    first = span
    a = 0
    while a < span:
        b = min(span, a + step)
        f = next(compress(count(a), map(is_not, rows[a:b], objs[a:b])), b)
        if kept is not None:
            kept(a, f, 0)
        if f < b:
            first = f
            break
        a = b
        yield
    tail = 0
    shift = n_old - n
    if first < span or shift:
        limit = max(first, first - shift)  # the suffix never reaches back into the prefix
        b = n
        while b > limit:
            a = max(limit, b - step)
            k = next(compress(count(), map(is_not, reversed(rows[a:b]), reversed(objs[a + shift : b + shift]))), None)
            stop = a if k is None else b - k
            if kept is not None:
                kept(stop, b, shift)
            tail += b - stop
            if k is not None:
                break
            b = a
            yield
    return first, tail


def compare_in_slices(name: str, old: Snapshot, rows: list[object], step: int) -> Generator[None, None, Compared]:
    """plan_rows' comparison of every row with its snapshot, `step` rows
    at a time (yielding between slices, for a UI to draw a frame): from the
    start until the first row that is not the loaded one in its place, then
    from the end. The rows must not change until it returns."""
    get = row_getter(name)
    objs, snaps = old
    changed: list[int] = []

    def compare(lo: int, hi: int, shift: int) -> None:
        loaded = snaps[lo + shift : hi + shift]
        changed.extend(compress(range(lo + shift, hi + shift), map(ne, get.many(rows[lo:hi]), loaded)))

    first, tail = yield from _kept_ends(rows, objs, step, compare)
    distinct = yield from _distinct_in_slices(rows, objs, first, tail, step)
    return Compared(first, tail, changed, distinct)


def compare_touched(name: str, old: Snapshot, rows: list[object], touched: Iterable[object],
                    step: int) -> Generator[None, None, Compared]:
    """compare_in_slices when only the `touched` rows can have changed
    values (the edits since the last render said so): the rows are matched
    with the loaded ones by identity alone, at C speed, and only the
    touched ones among them are compared by value. 3 ms at 100,000 rows
    where comparing every row's values takes 25."""
    get = row_getter(name)
    objs, snaps = old
    n = len(rows)
    shift = len(objs) - n
    first, tail = yield from _kept_ends(rows, objs, step)
    changed: set[int] = set()
    middle = rows[first : n - tail]
    for obj in touched:
        # A row in the middle (moved, or new) is compared there by the plan.
        surely = not any(map(is_, middle, repeat(obj)))
        # Every place the object holds in the rows kept in place (numbered as loaded).
        for p in _places(rows, obj, 0, first, surely=surely) + _places(rows, obj, n - tail, n, surely=surely):
            j = p if p < first else p + shift
            if get.one(obj) != snaps[j]:
                changed.add(j)
    distinct = yield from _distinct_in_slices(rows, objs, first, tail, step)
    return Compared(first, tail, sorted(changed), distinct)


def plan_rows(name: str, old: Snapshot, rows: list[object], compared: Compared | None = None) -> RowPlan | None:
    """The plan for one array; `compared`: the comparison done already, in
    slices (compare_in_slices)."""
    get = row_getter(name)
    keys = [k for k, _ in ARRAYS[name][1]]
    objs, snaps = old
    n = len(rows)
    if compared is not None:
        return _plan_compared(get, keys, rows, objs, snaps, compared)
    if n == len(objs) and all(map(is_, rows, objs)):
        # The common edit: same rows in the same order, a few values
        # changed. Compared with map, so 100,000 rows cost milliseconds.
        moved = list(compress(range(n), map(ne, get.many(rows), snaps)))
        if not moved:
            return None
        changed = [(j, rows[j], get.diff(get.one(rows[j]), snaps[j])) for j in moved]
        return RowPlan(None, False, changed, rows, n_old=n)
    if n == len(objs) and all(map(eq, get.many(rows), snaps)):
        # Equal copies in the same places: nothing to write, but the
        # snapshot must hold the objects the model holds now.
        plan = RowPlan(None, False, [], rows, n_old=n)
        plan.identity_only = True
        return plan
    # A row moved, added or removed: rows before the first difference and
    # after the last are the loaded ones in place. Found at C speed, so only
    # the stretch between them is walked row by row (a re-sort of 10,000
    # events moves one row a few places).
    n_old = len(objs)
    span = min(n, n_old)
    first = next(compress(count(), map(is_not, rows, objs)), span)
    tail = next(compress(count(), map(is_not, reversed(rows), reversed(objs))), span)
    tail = min(tail, span - first)
    windowed = _plan_windows(get, keys, rows, objs, snaps, first, tail)
    if windowed is not None:
        return windowed
    return _plan_general(get, keys, rows, objs, snaps)


def _plan_compared(get: RowValues, keys: list[str], rows: list[object], objs: list[object], snaps: list[Values],
                   compared: Compared) -> RowPlan | None:
    n, n_old = len(rows), len(objs)
    if n == n_old and compared.first == n:  # every row in its place
        if not compared.changed:
            return None
        return RowPlan(None, False, [(j, rows[j], get.diff(get.one(rows[j]), snaps[j])) for j in compared.changed],
                       rows, n_old=n)
    windowed = _plan_windows(get, keys, rows, objs, snaps, compared.first, compared.tail, known=compared.changed,
                             distinct=compared.distinct)
    if windowed is not None:
        return windowed
    return _plan_general(get, keys, rows, objs, snaps)


def _plan_general(get: RowValues, keys: list[str], rows: list[object], objs: list[object],
                  snaps: list[Values]) -> RowPlan | None:
    """Rows matched to the loaded ones by identity, then by value (a row
    replaced by an equal copy keeps its block, and its comments)."""
    ids = {id(o): j for j, o in enumerate(objs)}
    used = [False] * len(objs)
    items: list[Item] = []
    unmatched: list[int] = []
    for row in rows:
        j = ids.get(id(row))
        if j is not None and not used[j]:
            used[j] = True
            now_row = get.one(row)
            changed_keys = get.diff(now_row, snaps[j]) if now_row != snaps[j] else ()
            items.append((j, row, changed_keys))
        else:
            unmatched.append(len(items))
            items.append((None, row, ()))
    if unmatched:
        by_value: dict[Values, list[int]] = {}
        for j, snap in enumerate(snaps):
            if not used[j]:
                by_value.setdefault(snap, []).append(j)
        for k in unmatched:
            row = items[k][1]
            free = by_value.get(get.one(row))
            if free:
                j = free.pop(0)
                used[j] = True
                items[k] = (j, row, ())
    order = [j for j, _r, _c in items if j is not None]
    structural = (
        any(j is None for j, _r, _c in items)
        or not all(used)
        or any(a > b for a, b in pairwise(order))
    )
    if not structural and not any(c for _j, _r, c in items):
        return None  # equal copies in the same places: nothing to write
    plan = RowPlan(items, structural)
    plan.n_old = len(objs)
    return plan


# Rows found in a run of at least this many, in the loaded order, are
# taken as in place: what lies between two such runs is a window.
ANCHOR = 8
_NOWHERE = -(10**12)  # the loaded position of a row that is not a loaded one


def _plan_windows(get: RowValues, keys: list[str], rows: list[object], objs: list[object], snaps: list[Values],
                  first: int, tail: int, known: list[int] | None = None,
                  distinct: bool | None = None) -> RowPlan | None:
    """The plan for a change confined to rows[first:len-tail], as windows
    between runs of rows still in their loaded order (found at C speed).
    In a window, rows are matched to the loaded ones by identity (wherever
    they were), then by value; the rest are new, and loaded ones left over
    were deleted. None: the same object twice, for the general plan."""
    n, n_old = len(rows), len(objs)
    lo, hi_new, hi_old = first, n - tail, n_old - tail
    mid_objs = objs[lo:hi_old]
    pos = dict(zip(map(id, mid_objs), range(lo, hi_old), strict=True))
    if len(pos) != len(mid_objs) or distinct is False:
        return None
    if distinct is None and (not pos.keys().isdisjoint(map(id, rows[:lo]))
                             or not pos.keys().isdisjoint(map(id, rows[hi_new:]))):
        return None
    js = list(map(pos.get, map(id, rows[lo:hi_new]), repeat(_NOWHERE)))
    spans = _anchor_runs(js, lo)
    # Windows are the stretches between the anchors, in both numberings.
    bounds: list[tuple[int, int, int, int]] = []
    at_new, at_old = lo, lo
    for k0, k1 in spans:
        if lo + k0 > at_new or js[k0] > at_old:
            bounds.append((at_new, lo + k0, at_old, js[k0]))
        at_new, at_old = lo + k1, js[k1 - 1] + 1
    if hi_new > at_new or hi_old > at_old:
        bounds.append((at_new, hi_new, at_old, hi_old))
    planned = _match_windows(get, keys, rows, snaps, js, lo, bounds)
    # Rows outside the windows are in place, maybe edited (numbered as loaded).
    aligned = [(lo + k0, lo + k1, js[k0] - lo - k0) for k0, k1 in spans]
    if known is None:
        aligned += [(0, lo, 0), (hi_new, n, n_old - n)]
    changed = _aligned_changes(get, keys, rows, snaps, aligned)
    if known is not None:  # the rows before and after the middle, compared already
        shift = n_old - n
        changed += [(j, rows[j if j < lo else j - shift], get.diff(get.one(rows[j if j < lo else j - shift]), snaps[j]))
                    for j in known]
    changed += [(j, row, c) for *_w, items in planned for j, row, c in items if j is not None and c]
    plan = RowPlan(None, True, changed, rows, n_old=n_old)
    plan.windows = planned
    return plan


def _match_windows(get: RowValues, keys: list[str], rows: list[object], snaps: list[Values], js: list[int], lo: int,
                   bounds: list[tuple[int, int, int, int]]) -> list[Window]:
    """Each window's items: a row matched by identity to a loaded row of
    any window (a row moved far keeps its block), else by value to one left
    over, else new."""
    used: set[int] = set()
    unmatched: list[tuple[list[Item], int]] = []
    planned: list[Window] = []
    for lo_new, hi_new, lo_old, hi_old in bounds:
        items: list[Item] = []
        for k in range(lo_new, hi_new):
            row, j = rows[k], js[k - lo]
            if j == _NOWHERE or j in used:
                unmatched.append((items, len(items)))
                items.append((None, row, ()))
                continue
            used.add(j)
            now, was = get.one(row), snaps[j]
            items.append((j, row, get.diff(now, was) if now != was else ()))
        planned.append((lo_new, hi_new, lo_old, hi_old, items))
    if unmatched:
        by_value: dict[Values, list[int]] = {}
        for _a, _b, lo_old, hi_old in bounds:
            for j in range(lo_old, hi_old):
                if j not in used:
                    by_value.setdefault(snaps[j], []).append(j)
        for items, k in unmatched:
            row = items[k][1]
            free = by_value.get(get.one(row))
            if free:
                j = free.pop(0)
                items[k] = (j, row, ())
    return planned


def _aligned_changes(get: RowValues, keys: list[str], rows: list[object], snaps: list[Values],
                     aligned: list[tuple[int, int, int]]) -> list[Changed]:
    """Rows in place (rows[a:b] are the loaded rows a+shift...) whose values
    changed, compared at C speed."""
    changed: list[Changed] = []
    for a, b, shift in aligned:
        if b <= a:
            continue
        now_rows = rows[a:b]
        for k in compress(range(b - a), map(ne, get.many(now_rows), snaps[a + shift : b + shift])):
            j = a + shift + k
            changed.append((j, now_rows[k], get.diff(get.one(now_rows[k]), snaps[j])))
    return changed


def _anchor_runs(js: list[int], lo: int) -> list[tuple[int, int]]:
    """Runs [k0, k1) of `js` stepping by one through loaded positions, at
    least ANCHOR long and in increasing order of those positions."""
    m = len(js)
    if m == 0:
        return []
    breaks = [0, *(k + 1 for k in compress(range(m - 1), map(ne, map(sub, js[1:], js[:-1]), repeat(1)))), m]
    out: list[tuple[int, int]] = []
    last_old = lo - 1
    for k0, k1 in pairwise(breaks):
        if k1 - k0 >= ANCHOR and js[k0] != _NOWHERE and js[k0] > last_old:
            out.append((k0, k1))
            last_old = js[k1 - 1]
    return out


# -- splicing ------------------------------------------------------------------------


class Splicer:
    def __init__(self, index: Index, newline: str) -> None:
        self.index = index
        self.lines = index.lines
        self.nl = newline
        self.edits: list[tuple[int, int, int, list[str]]] = []  # start, end, seq, lines
        self.seq = 0

    # helpers -----------------------------------------------------------------

    def _text_lines(self, text: str) -> list[str]:
        parts = text.split("\n")
        if self.nl == "\r\n":
            parts = [p + "\r" for p in parts]
        return parts

    def _blank(self) -> str:
        return "\r" if self.nl == "\r\n" else ""

    def add(self, start: int, end: int, new: list[str]) -> None:
        self.seq += 1
        self.edits.append((start, end, self.seq, new))

    def value_edit(self, entry: tuple[int, int, int, int], value: object, kind: str) -> list[str]:
        first, end, col, endcol = entry
        prefix = self.lines[first][:col]
        suffix = self.lines[end - 1][endcol:]
        rendered = render_value(value, kind)
        return (prefix + rendered + suffix).split("\n") if self.nl == "\n" else (
            prefix + rendered.replace("\n", "\r\n") + suffix
        ).split("\n")

    def field_edits(
        self, seg: Segment, order: list[str], changes: list[FieldChange], *, keep_empty: bool = False
    ) -> list[Edit]:
        """Edits for keys of one table/row: replace, delete, or insert after
        the nearest key that comes before it in `order`. An empty value is
        not written for a new key unless `keep_empty` (a named query may be
        empty; an empty title is just not set)."""
        out: list[Edit] = []
        for key, kind, value in changes:
            entry = seg.entries.get((key,))
            if entry is None and any(p[0] == key for p in seg.entries):
                raise Fallback  # held in dotted keys or a sub-table
            if entry is not None:
                if value is None:
                    out.append((entry[0], entry[1], []))
                else:
                    out.append((entry[0], entry[1], self.value_edit(entry, value, kind)))
                continue
            if is_unset(value) and not keep_empty:
                continue
            at = self._insert_point(seg, order, key)
            out.append((at, at, self._text_lines(f"{render_key(key)} = {render_value(value, kind)}")))
        return out

    def _insert_point(self, seg: Segment, order: list[str], key: str) -> int:
        pos = order.index(key) if key in order else len(order)
        for before in reversed(order[:pos]):
            e = seg.entries.get((before,))
            if e is not None:
                return e[1]
        for after in order[pos + 1 :]:
            e = seg.entries.get((after,))
            if e is not None:
                return e[0]
        if seg.kind == ROOT:
            return seg.core_end
        return max(seg.core_end, seg.header + 1)

    def section_point(self, name: tuple[str, ...], array: bool) -> int:
        """Where a missing table or array goes: after a commented example of
        it (`# [name]`) when the file has one, else before the first section
        ranked after it, else at the end."""
        rank = RANK.get(name, 99)
        segs = self.index.segments
        n = len(self.lines)
        higher = next((seg for seg in segs[1:] if _rank(seg.name) > rank), None)
        last_lower = segs[0].core_end
        for seg in segs[1:]:
            if seg is higher:
                break
            if _rank(seg.name):  # sections pmtui does not know stay where they are
                last_lower = seg.core_end
        stop = higher.start if higher is not None else n
        label = "[[" + ".".join(name) + "]]" if array else "[" + ".".join(name) + "]"
        marker = re.compile(r"[ \t]*#[ \t]*" + re.escape(label) + r"[ \t]*\r?")
        for i in range(last_lower, stop):
            if marker.fullmatch(self.lines[i]):
                j = i
                while j < stop and self.lines[j].lstrip(" \t").startswith("#"):
                    j += 1
                return j
        if higher is None:
            return last_lower
        return min(higher.start, next((s.start for s in segs[1:] if s.start >= last_lower), higher.start))

    def insert_section(self, at: int, block: list[str]) -> None:
        lines = self.lines
        out = list(block)
        if at > 0 and lines[at - 1].strip(" \t\r"):
            out.insert(0, self._blank())
        if at < len(lines) and lines[at].strip(" \t\r") and not (at == len(lines) - 1 and lines[at] == ""):
            out.append(self._blank())
        self.add(at, at, out)

    def result(self) -> list[Edit]:
        """The edits as (start, end, new lines) in file order, for
        Index.update: the new text is never built here (15 MB at 100,000
        rows, for a change of one line)."""
        edits = sorted(self.edits, key=lambda e: (e[0], e[1] != e[0], e[2]))
        done: list[Edit] = []
        pos = 0
        for start, end, _seq, new in edits:
            if start < pos:
                raise Fallback  # overlapping edits: never expected, never risked
            if done and done[-1][1] == start:
                # inserts and replacements at one place become one edit
                prev = done.pop()
                done.append((prev[0], end, prev[2] + new))
            else:
                done.append((start, end, new))
            pos = end
        return done


def _rank(name: tuple[str, ...]) -> int:
    while name:
        if name in RANK:
            return RANK[name]
        name = name[:-1]
    return 0


def apply_edits(lines: list[str], edits: list[Edit]) -> list[str]:
    """The lines with sorted, non-overlapping edits made (a new list)."""
    return apply_local(lines, 0, len(lines), edits)


def apply_local(lines: list[str], lo: int, hi: int, edits: list[Edit]) -> list[str]:
    out: list[str] = []
    pos = lo
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1] != e[0])):
        out.extend(lines[pos:start])
        out.extend(new)
        pos = end
    out.extend(lines[pos:hi])
    return out


def splice(
    index: Index,
    newline: str,
    pm: m.PostMortem,
    changed_fields: list[tuple[str, ...]],
    plans: dict[str, RowPlan],
    old_dicts: dict[tuple[str, ...], dict[str, object]] | None = None,
) -> list[Edit]:
    """The line edits that splice the changes into the index's text."""
    if not index.ok:
        raise Fallback
    sp = Splicer(index, newline)
    new_tables: list[tuple[tuple[str, ...], list[str]]] = []
    for table, changes in _changes_by_table(index, pm, changed_fields, old_dicts or {}).items():
        body = _splice_table(sp, table, changes)
        if body:
            new_tables.append((table, body))
    for table, body in sorted(new_tables, key=lambda t: RANK[t[0]]):
        text = "\n".join(["[" + ".".join(render_key(p) for p in table) + "]", *body])
        sp.insert_section(sp.section_point(table, False), sp._text_lines(text))
    for name, plan in plans.items():
        _splice_rows(sp, name, plan)
    return sp.result()


def _field_change(pm: m.PostMortem, path: tuple[str, ...]) -> tuple[tuple[str, ...], FieldChange]:
    """The table holding the field at `path`, and the field's change."""
    table, key = path[:-1], path[-1]
    kind = dict(TABLES[table][1] if table else ROOT_FIELDS)[key]
    value = getattr(get_attr(pm, TABLES[table][0]) if table else pm, key)
    return table, (key, kind, value)


def _changes_by_table(index: Index, pm: m.PostMortem, changed_fields: list[tuple[str, ...]],
                      old_dicts: dict[tuple[str, ...], dict[str, object]]) -> dict[tuple[str, ...], list[FieldChange]]:
    """The changed fields of the root and of tables, grouped by table."""
    by_table: dict[tuple[str, ...], list[FieldChange]] = {}
    for path in changed_fields:
        if path in DICTS:
            by_table.setdefault(path, []).extend(_dict_changes(index, pm, path, old_dicts.get(path, {})))
            continue
        table, change = _field_change(pm, path)
        by_table.setdefault(table, []).append(change)
    return by_table


def _splice_table(sp: Splicer, table: tuple[str, ...], changes: list[FieldChange]) -> list[str]:
    """Edits for the changed keys of one table; when the file has no such
    table, the body of a new one (empty: nothing worth writing)."""
    index = sp.index
    seg = index.table(table)
    order = [k for k, _ in (TABLES[table][1] if table else ROOT_FIELDS)]
    if table in DICTS:
        order = [c[0] for c in changes]
    if seg is not None:
        for start, end, new in sp.field_edits(seg, order, changes, keep_empty=table in DICTS):
            sp.add(start, end, new)
        return []
    # Known data held outside a [table] header (dotted keys, inline
    # tables, a super-table's keys) is edited by tomlkit.
    for s in index.segments:
        if s.name and s.name[0] != table[0]:
            continue  # cannot hold it (and 10,000 timeline rows need not be looked into)
        for p in s.entries:
            full = s.name + p
            if table[: len(full)] == full or (len(s.name) < len(table) and full[: len(table)] == table):
                raise Fallback
    return [
        f"{render_key(k)} = {render_value(v, kind)}"
        for k, kind, v in changes
        if v is not None and (table in DICTS or not is_unset(v))
    ]


def _dict_of(pm: m.PostMortem, path: tuple[str, ...]) -> dict[str, Any]:
    values = get_attr(pm, TABLES[path][0])
    return values if isinstance(values, dict) else {}


def dict_kind(path: tuple[str, ...], value: object) -> str:
    """The render kind of one value of a user-keyed table (schema.DICTS)."""
    kind = DICTS[path]
    if kind != "any":
        return kind
    return "strlist" if isinstance(value, list) else "prose"


def _dict_changes(index: Index, pm: m.PostMortem, path: tuple[str, ...], old: dict[str, object]) -> list[FieldChange]:
    now = _dict_of(pm, path)
    seg = index.table(path)
    present = [p[0] for p in seg.entries if len(p) == 1] if seg else []
    out: list[FieldChange] = [(k, dict_kind(path, v), v) for k, v in now.items() if old.get(k) != frozen(v)]
    out += [(k, "str", None) for k in present if k not in now]
    return out


def _elements(index: Index, name: str) -> list[Elem]:
    """Each [[name]] element with its sub-tables: (segment, start, core_end, end)."""
    out = []
    segs = index.segments
    k = 0
    while k < len(segs):
        seg = segs[k]
        if seg.kind == ARRAY and seg.name == (name,):
            last = seg
            while k + 1 < len(segs) and len(segs[k + 1].name) > 1 and segs[k + 1].name[0] == name:
                k += 1
                last = segs[k]
            out.append((seg, seg.start, last.core_end, last.end))
        elif seg.kind in (TABLE, ARRAY) and seg.name and seg.name[0] == name and seg.name != (name,):
            raise Fallback  # sub-table before any element: unusual
        k += 1
    return out


class _Elems:
    """The [[name]] elements of an array without sub-tables, as Elem
    tuples made when asked: a window rewrite at row 50,000 of 100,000 looks
    at a few of them, never builds them all."""

    def __init__(self, segs: list[Segment]) -> None:
        self._segs = segs

    def __len__(self) -> int:
        return len(self._segs)

    def __getitem__(self, k: int) -> Elem:
        seg = self._segs[k]
        return (seg, seg.start, seg.core_end, seg.end)


Elements = _Elems | list[Elem]


def _splice_rows(sp: Splicer, name: str, plan: RowPlan) -> None:
    index = sp.index
    fields = ARRAYS[name][1]
    kinds = dict(fields)
    order = [k for k, _ in fields]
    if any(p[0] == name for p in index.segments[0].entries):
        raise Fallback  # rows held in an inline array or dotted keys
    key = (name,)
    if index.table(key) is not None:
        raise Fallback  # a [name] table, not an array of tables
    rows = index.arrays(name)
    nested = index.nested(name)
    if not plan.structural and not nested:
        _edit_in_place(sp, plan, rows, order, kinds)
        return
    elems: Elements = _elements(index, name) if nested else _Elems(rows)
    if len(elems) != plan.n_old:
        raise Fallback  # rows held in an inline array

    def edits_for(j: int, row: object, changed: tuple[str, ...]) -> list[Edit]:
        if not changed:
            return []
        return sp.field_edits(elems[j][0], order, [(k, kinds[k], getattr(row, k)) for k in changed])

    if not plan.structural:
        for j, row, changed in plan.changed:
            for start, end, new in edits_for(j, row, changed):
                sp.add(start, end, new)
        return
    if plan.windows and _splice_windows(sp, name, plan, elems, edits_for):
        return
    if any(elems[k][3] != elems[k + 1][1] for k in range(len(elems) - 1)):
        raise Fallback
    if len(elems):
        items = plan.items
        if items:
            _rewrite_range(sp, name, items, elems, 0, len(elems), edits_for)
        else:
            _remove_all(sp, elems)
    elif plan.items:
        _insert_rows(sp, name, plan)


def _edit_in_place(sp: Splicer, plan: RowPlan, mine: list[Segment], order: list[str], kinds: dict[str, str]) -> None:
    """Rows edited in place, no sub-tables: each row is one segment, and
    only the changed ones are looked at."""
    if (plan.rows is not None and len(mine) < len(plan.rows)) or any(j >= len(mine) for j, _r, _c in plan.changed):
        raise Fallback
    for j, row, changed in plan.changed:
        for start, end, new in sp.field_edits(mine[j], order, [(k, kinds[k], getattr(row, k)) for k in changed]):
            sp.add(start, end, new)


def _insert_rows(sp: Splicer, name: str, plan: RowPlan) -> None:
    """The array's first rows, where its section belongs."""
    blank = [sp._blank()]
    body: list[str] = []
    for k, (_j, row, _c) in enumerate(plan.items):
        if k:
            body += blank
        body += sp._text_lines("\n".join(row_lines(name, row)))
    sp.insert_section(sp.section_point((name,), True), body)


def _rewrite_range(sp: Splicer, name: str, items: list[Item], elems: Elements, a: int, b: int,
                   edits_for: EditsFor) -> None:
    """The lines of elements [a, b) rewritten as `items`: each loaded row
    keeps its block (comments and all) and the separator after it, a new
    row gets a fresh block; when the range ends the array, the lines after
    its last row stay last. Rewriting the whole array gives the same text
    as rewriting any range that holds every change, since a row in place
    is copied as it was."""
    lines = sp.lines
    blank = [sp._blank()]
    n = len(elems)
    at_end = b == n
    last = elems[b - 1]
    trailer = lines[last[2] : last[3]]
    sep = lines[elems[0][2] : elems[0][3]] if n > 1 else blank
    if any(line.strip(" \t\r") for line in sep) or not sep:
        sep = blank
    out: list[str] = []
    m = len(items)
    for k, (j, row, changed) in enumerate(items):
        if j is not None:
            _seg, start, core_end, end = elems[j]
            out += apply_local(lines, start, core_end, edits_for(j, row, changed))
            own = lines[core_end:end] if j != n - 1 else sep
        else:
            out += sp._text_lines("\n".join(row_lines(name, row)))
            own = sep
        out += trailer if at_end and k == m - 1 else own
    sp.add(elems[a][1], last[3], out)


def _remove_all(sp: Splicer, elems: Elements) -> None:
    """Every row deleted: what follows the last one stays."""
    lines = sp.lines
    first, last = elems[0], elems[len(elems) - 1]
    trailer = lines[last[2] : last[3]]
    out = [line for line in trailer if line.strip(" \t\r")]
    if last[3] == len(lines) and trailer and trailer[-1] == "":
        out.append("")
    sp.add(first[1], last[3], out)


def _splice_windows(sp: Splicer, name: str, plan: RowPlan, elems: Elements, edits_for: EditsFor) -> bool:
    """A change confined to the plan's windows: only the lines of those
    stretches are rewritten (each with a neighbouring row when it holds no
    loaded row, or ends the array with none). False when the blocks there
    do not tile, for the whole rewrite to decide (nothing added then)."""
    n = len(elems)
    if not plan.windows or n == 0:
        return False
    rows = plan.rows or []
    edited = {j: keys for j, _row, keys in plan.changed}
    regions: list[tuple[int, int, list[Item]]] = []
    for lo_new, hi_new, lo_old, hi_old, window in plan.windows:
        a, b, items = lo_old, hi_old, list(window)
        if a == b or (b == n and not items):
            # Nothing loaded in the window, or the last rows deleted: take
            # the neighbouring row in with it (copied as it is, edits and all).
            if b < n and a == b:
                items.append((b, rows[hi_new], edited.get(b, ())))
                b += 1
            elif a > 0:
                items.insert(0, (a - 1, rows[lo_new - 1], edited.get(a - 1, ())))
                a -= 1
            else:
                return False
        if regions and a < regions[-1][1]:
            return False
        if any(elems[k][3] != elems[k + 1][1] for k in range(max(a - 1, 0), min(b, n - 1))):
            return False
        regions.append((a, b, items))
    starts = [a for a, _b, _i in regions]
    for j, row, changed in plan.changed:
        k = bisect_right(starts, j) - 1
        if k < 0 or j >= regions[k][1]:  # a value edited in a row outside the windows
            for start, end, new in edits_for(j, row, changed):
                sp.add(start, end, new)
    for a, b, items in regions:
        _rewrite_range(sp, name, items, elems, a, b, edits_for)
    return True


# -- the tomlkit path ------------------------------------------------------------------


def via_tomlkit(text: str, pm: m.PostMortem, changed_fields: list[tuple[str, ...]], plans: dict[str, RowPlan]) -> str:
    import tomlkit

    doc = tomlkit.parse(text)
    for path in changed_fields:
        if path in DICTS:
            _tomlkit_dict(doc, pm, path)
            continue
        table, (key, kind, value) = _field_change(pm, path)
        _put(_table_at(doc, table) if table else doc, key, value, kind)
    for name, plan in plans.items():
        _tomlkit_rows(doc, name, plan)
    return tomlkit.dumps(doc)


# tomlkit's documents and tables are mappings of keys to its items.
_Container = MutableMapping[str, Any]


def _put(container: _Container, key: str, value: object, kind: str, keep_empty: bool = False) -> None:
    import tomlkit

    if value is None:
        if key in container:
            del container[key]
    elif key in container or keep_empty or not is_unset(value):
        container[key] = tomlkit.value(render_value(value, kind))


def _table_at(doc: _Container, path: tuple[str, ...]) -> _Container:
    import tomlkit

    container = doc
    for part in path:
        if part not in container:
            container[part] = tomlkit.table(is_super_table=False)
        container = container[part]
    return container


def _tomlkit_dict(doc: _Container, pm: m.PostMortem, path: tuple[str, ...]) -> None:
    values = _dict_of(pm, path)
    container = _table_at(doc, path)
    for k in [k for k in container if k not in values]:
        del container[k]
    for k, v in values.items():
        _put(container, k, v, dict_kind(path, v), keep_empty=True)


def _tomlkit_rows(doc: _Container, name: str, plan: RowPlan) -> None:
    """The array rebuilt in the plan's order: loaded rows keep their tables
    (edited key by key), new rows are parsed from a fresh block."""
    import tomlkit

    kinds = dict(ARRAYS[name][1])
    old = doc.get(name)
    new = tomlkit.aot()
    for j, row, changed in plan.items:
        item: _Container
        if j is not None and old is not None and j < len(old):
            item = old[j]
            if not isinstance(item, tomlkit.items.Table):
                fresh = tomlkit.table()
                for k, v in item.items():
                    fresh[k] = v
                item = fresh
            for k in changed:
                _put(item, k, getattr(row, k), kinds[k])
        else:
            parsed = tomlkit.parse("\n".join(row_lines(name, row)[1:]) + "\n")
            item = tomlkit.table()
            for k, v in parsed.items():
                item[k] = v
        new.append(item)
    if name in doc:
        del doc[name]
    if plan.items:
        doc[name] = new
