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
from collections.abc import Callable, MutableMapping
from itertools import compress, count, pairwise, repeat
from operator import attrgetter, is_, is_not, ne
from typing import Any

from pmtui import model as m
from pmtui.store.render import is_unset, render_key, render_value, row_lines
from pmtui.store.scan import ARRAY, ROOT, TABLE, Index, Segment
from pmtui.store.schema import ARRAYS, DICTS, RANK, ROOT_FIELDS, TABLES, frozen, get_attr

MISSING = object()

# A row of one of the model's arrays (TimelineEvent, Why, ...) is handled as
# a plain object: the schema's field names say what to read from it.
Values = tuple[object, ...]  # a row's values, in the order of its schema fields
Getter = Callable[[object], Values]
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


def row_getter(name: str) -> Getter:
    cached = _GETTERS.get(name)
    if cached is not None:
        return cached
    fields = ARRAYS[name][1]
    # Every array has several fields, so attrgetter returns a tuple.
    get = attrgetter(*(k for k, _ in fields))
    lists = [i for i, (_, kind) in enumerate(fields) if kind == "strlist"]
    getter: Getter = get
    if lists:

        def with_lists(row: object) -> Values:
            values = list(get(row))
            for i in lists:
                values[i] = frozen(values[i])
            return tuple(values)

        getter = with_lists
    _GETTERS[name] = getter
    return getter


_GETTERS: dict[str, Getter] = {}


def snapshot_rows(pm: m.PostMortem) -> dict[str, Snapshot]:
    """Per array: the row objects as loaded and their values then, as two
    parallel lists (so a save can compare them with map, at C speed)."""
    out = {}
    for name in ARRAYS:
        rows = getattr(pm, name)
        out[name] = (list(rows), list(map(row_getter(name), rows)))
    return out


def _diff_keys(keys: list[str], now: Values, was: Values) -> tuple[str, ...]:
    # A getter returns one value per key: lengths always match.
    return tuple(k for k, a, b in zip(keys, now, was, strict=True) if a != b)


# -- planning ----------------------------------------------------------------------


class RowPlan:
    """The current rows of one array against the rows as loaded: `items`
    are (index of the loaded row or None for a new one, row, names of
    changed keys), one per current row; `changed` only those with changed
    keys. A plan that is not structural (same rows, same order) is built
    from `changed` alone, and `items` only when asked (the tomlkit path)."""

    def __init__(self, items: list[Item] | None, structural: bool,
                 changed: list[Changed] | None = None, rows: list[object] | None = None) -> None:
        self._items = items
        self.structural = structural
        self.rows = rows
        # For a structural change confined to a stretch of rows: (first row,
        # end in the current rows, end in the rows as loaded); rows before and
        # after it are the loaded ones, in place (maybe with values edited).
        self.window: tuple[int, int, int] | None = None
        # A new row has no changed keys, so every changed row is a loaded one.
        self.changed: list[Changed] = (
            changed if changed is not None
            else [(j, row, keys) for j, row, keys in items or () if keys and j is not None]
        )

    @property
    def items(self) -> list[Item]:
        if self._items is None:
            items: list[Item] = [(j, row, ()) for j, row in enumerate(self.rows or ())]
            for j, row, keys in self.changed:
                items[j] = (j, row, keys)
            self._items = items
        return self._items


def plan_rows(name: str, old: Snapshot, rows: list[object]) -> RowPlan | None:
    get = row_getter(name)
    keys = [k for k, _ in ARRAYS[name][1]]
    objs, snaps = old
    n = len(rows)
    if n == len(objs) and all(map(is_, rows, objs)):
        # The common edit: same rows in the same order, a few values
        # changed. Compared with map, so 10,000 rows cost milliseconds.
        now = list(map(get, rows))
        moved = list(compress(range(n), map(ne, now, snaps)))
        if not moved:
            return None
        changed = [(j, rows[j], _diff_keys(keys, now[j], snaps[j])) for j in moved]
        return RowPlan(None, False, changed, rows)
    # A row moved, added or removed: rows before the first difference and
    # after the last are the loaded ones in place. Found at C speed, so only
    # the stretch between them is walked row by row (a re-sort of 10,000
    # events moves one row a few places).
    n_old = len(objs)
    span = min(n, n_old)
    first = next(compress(count(), map(is_not, rows, objs)), span)
    tail = next(compress(count(), map(is_not, reversed(rows), reversed(objs))), span)
    tail = min(tail, span - first)
    window = _plan_window(get, keys, rows, objs, snaps, first, tail)
    if window is not None:
        return window
    return _plan_general(get, keys, rows, objs, snaps)


def _plan_general(get: Getter, keys: list[str], rows: list[object], objs: list[object],
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
            now_row = get(row)
            changed_keys = _diff_keys(keys, now_row, snaps[j]) if now_row != snaps[j] else ()
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
            free = by_value.get(get(row))
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
    return RowPlan(items, structural)


def _plan_window(get: Getter, keys: list[str], rows: list[object], objs: list[object], snaps: list[Values],
                 first: int, tail: int) -> RowPlan | None:
    n, n_old = len(rows), len(objs)
    mid_rows = rows[first : n - tail]
    mid_objs = objs[first : n_old - tail]
    ids = {id(o): first + j for j, o in enumerate(mid_objs)}
    if len(ids) != len(mid_objs) or any(id(r) in ids for r in rows[:first]) or any(
            id(r) in ids for r in rows[n - tail :]):
        return None  # the same object twice: leave it to the general plan
    js = list(map(ids.get, map(id, mid_rows), repeat(-1)))
    if -1 in js or len(set(js)) != len(js) or len(js) != len(mid_objs):
        return None  # a row added, removed or copied: the general plan matches copies by value
    now = list(map(get, mid_rows))
    was = list(map(snaps.__getitem__, js))
    items: list[Item] = list(zip(js, mid_rows, [()] * len(js), strict=True))
    for k in compress(range(len(js)), map(ne, now, was)):
        items[k] = (js[k], mid_rows[k], _diff_keys(keys, now[k], was[k]))

    def edges(lo: int, hi: int, shift: int) -> list[Item]:
        now = list(map(get, rows[lo:hi]))
        old = snaps[lo - shift : hi - shift]
        out: list[Item] = [(lo - shift + k, rows[lo + k], ()) for k in range(hi - lo)]
        for k in compress(range(hi - lo), map(ne, now, old)):
            out[k] = (lo - shift + k, rows[lo + k], _diff_keys(keys, now[k], old[k]))
        return out

    full = edges(0, first, 0) + items + edges(n - tail, n, n - n_old)
    plan = RowPlan(full, True)
    plan.window = (first, n - tail, n_old - tail)
    return plan


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

    def result(self) -> tuple[str, list[Edit]]:
        """The new text, and the edits that made it as (start, end, new
        lines) in file order, for Index.update."""
        edits = sorted(self.edits, key=lambda e: (e[0], e[1] != e[0], e[2]))
        out: list[str] = []
        done: list[Edit] = []
        pos = 0
        lines = self.lines
        for start, end, _seq, new in edits:
            if start < pos:
                raise Fallback  # overlapping edits: never expected, never risked
            out.extend(lines[pos:start])
            out.extend(new)
            if done and done[-1][1] == start:
                # inserts and replacements at one place become one edit
                prev = done.pop()
                done.append((prev[0], end, prev[2] + new))
            else:
                done.append((start, end, new))
            pos = end
        out.extend(lines[pos:])
        return "\n".join(out), done


def _rank(name: tuple[str, ...]) -> int:
    while name:
        if name in RANK:
            return RANK[name]
        name = name[:-1]
    return 0


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
) -> tuple[str, list[Edit]]:
    """The text with the changes spliced in, and the line edits made."""
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


def _splice_rows(sp: Splicer, name: str, plan: RowPlan) -> None:
    index = sp.index
    fields = ARRAYS[name][1]
    kinds = dict(fields)
    order = [k for k, _ in fields]
    if any(p[0] == name for p in index.segments[0].entries):
        raise Fallback  # rows held in an inline array or dotted keys
    key = (name,)
    mine = [s for s in index.segments if s.name[:1] == key]
    one_segment_a_row = all(s.kind == ARRAY and len(s.name) == 1 for s in mine)  # no sub-tables
    if not plan.structural and one_segment_a_row:
        _edit_in_place(sp, plan, mine, order, kinds)
        return
    elems = [(s, s.start, s.core_end, s.end) for s in mine] if one_segment_a_row else _elements(index, name)
    n_old = max((j for j, _r, _c in plan.items if j is not None), default=-1) + 1
    if len(elems) < n_old:
        raise Fallback  # rows held in an inline array
    if any(s.kind == TABLE and s.name == key for s in mine):
        raise Fallback

    def edits_for(j: int, row: object, changed: tuple[str, ...]) -> list[Edit]:
        if not changed:
            return []
        return sp.field_edits(elems[j][0], order, [(k, kinds[k], getattr(row, k)) for k in changed])

    if not plan.structural:
        for j, row, changed in plan.changed:
            for start, end, new in edits_for(j, row, changed):
                sp.add(start, end, new)
        return
    if plan.window is not None and _splice_window(sp, plan, plan.window, elems, edits_for):
        return
    if any(elems[k][3] != elems[k + 1][1] for k in range(len(elems) - 1)):
        raise Fallback
    if elems:
        _rewrite_rows(sp, name, plan, elems, edits_for)
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


def _rewrite_rows(sp: Splicer, name: str, plan: RowPlan, elems: list[Elem], edits_for: EditsFor) -> None:
    """All of the array's lines rewritten in the plan's order: each loaded
    row keeps its block (comments and all) and the separator after it, a
    new row gets a fresh block; the lines after the last row stay last."""
    lines = sp.lines
    blank = [sp._blank()]
    first, last = elems[0], elems[-1]
    trailer = lines[last[2] : last[3]]
    sep = lines[elems[0][2] : elems[0][3]] if len(elems) > 1 else blank
    if any(line.strip(" \t\r") for line in sep) or not sep:
        sep = blank
    out: list[str] = []
    m = len(plan.items)
    for k, (j, row, changed) in enumerate(plan.items):
        if j is not None:
            _seg, start, core_end, end = elems[j]
            out += apply_local(lines, start, core_end, edits_for(j, row, changed))
            own = lines[core_end:end] if j != len(elems) - 1 else sep
        else:
            out += sp._text_lines("\n".join(row_lines(name, row)))
            own = sep
        out += own if k < m - 1 else trailer
    if m == 0:
        at_eof = last[3] == len(lines)
        out = [line for line in trailer if line.strip(" \t\r")]
        if at_eof and trailer and trailer[-1] == "":
            out.append("")
    sp.add(first[1], last[3], out)


def _splice_window(sp: Splicer, plan: RowPlan, window: tuple[int, int, int], elems: list[Elem],
                   edits_for: EditsFor) -> bool:
    """Rows reordered inside the plan's window: rewrite only the lines of
    that stretch, each row keeping its own block and the separator after it.
    False when the window touches the array's last row (whose trailing
    lines belong to what follows) or the blocks do not tile."""
    lo, hi_new, hi_old = window
    if hi_old >= len(elems) or lo >= hi_old or hi_new - lo != hi_old - lo:
        return False
    if any(elems[k][3] != elems[k + 1][1] for k in range(lo, hi_old)):
        return False
    # A window holds loaded rows only (a new one makes the plan general).
    moved = [(j, row, changed) for j, row, changed in plan.items[lo:hi_new] if j is not None]
    if len(moved) != hi_new - lo:
        return False
    lines = sp.lines
    for j, row, changed in plan.changed:
        if j < lo or j >= hi_old:  # a value edited in a row that did not move
            for start, end, new in edits_for(j, row, changed):
                sp.add(start, end, new)
    out: list[str] = []
    for j, row, changed in moved:
        _seg, start, core_end, end = elems[j]
        if changed:
            out += apply_local(lines, start, core_end, edits_for(j, row, changed))
            out += lines[core_end:end]
        else:
            out += lines[start:end]
    sp.add(elems[lo][1], elems[hi_old - 1][3], out)
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
