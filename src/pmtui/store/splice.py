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
from itertools import compress, count
from operator import attrgetter, is_, is_not, ne
from typing import cast

from pmtui.store.render import is_unset, render_key, render_value, row_lines
from pmtui.store.scan import ARRAY, ROOT, TABLE, Index, Segment
from pmtui.store.schema import ARRAYS, DICTS, RANK, ROOT_FIELDS, TABLES, frozen, get_attr

MISSING = object()


class Fallback(Exception):
    """The splice cannot be done safely on this layout."""


# -- snapshots -------------------------------------------------------------------


def flat_fields(pm: object) -> dict[tuple[str, ...], object]:
    out: dict[tuple[str, ...], object] = {}
    for key, _kind in ROOT_FIELDS:
        out[(key,)] = frozen(getattr(pm, key))
    for path, (attr, fields) in TABLES.items():
        obj = get_attr(pm, attr)
        if path in DICTS:
            out[path] = frozen(obj)
            continue
        for key, _kind in fields:
            out[path + (key,)] = frozen(getattr(obj, key))
    return out


def row_getter(name: str):
    getter = _GETTERS.get(name)
    if getter is not None:
        return getter
    keys = [k for k, _ in ARRAYS[name][1]]
    get = attrgetter(*keys)
    lists = [i for i, (_, kind) in enumerate(ARRAYS[name][1]) if kind == "strlist"]
    if not lists:
        _GETTERS[name] = get
        return get

    def getter(row: object) -> tuple:
        values = list(get(row))
        for i in lists:
            values[i] = frozen(values[i])
        return tuple(values)

    _GETTERS[name] = getter
    return getter


_GETTERS: dict[str, object] = {}


def snapshot_rows(pm: object) -> dict[str, tuple[list, list[tuple]]]:
    """Per array: the row objects as loaded and their values then, as two
    parallel lists (so a save can compare them with map, at C speed)."""
    out = {}
    for name in ARRAYS:
        rows = getattr(pm, name)
        out[name] = (list(rows), list(map(row_getter(name), rows)))
    return out


# -- planning ----------------------------------------------------------------------


class RowPlan:
    """The current rows of one array against the rows as loaded: `items`
    are (index of the loaded row or None for a new one, row, names of
    changed keys), one per current row; `changed` only those with changed
    keys. A plan that is not structural (same rows, same order) is built
    from `changed` alone, and `items` only when asked (the tomlkit path)."""

    def __init__(self, items: list[tuple[int | None, object, tuple[str, ...]]] | None, structural: bool,
                 changed: list[tuple[int, object, tuple[str, ...]]] | None = None, rows: list | None = None) -> None:
        self._items = items
        self.structural = structural
        self.rows = rows
        # For a structural change confined to a stretch of rows: (first row,
        # end in the current rows, end in the rows as loaded); rows before and
        # after it are the loaded ones, in place (maybe with values edited).
        self.window: tuple[int, int, int] | None = None
        self.changed = changed if changed is not None else [it for it in items or () if it[2]]

    @property
    def items(self) -> list[tuple[int | None, object, tuple[str, ...]]]:
        if self._items is None:
            items: list = [(j, row, ()) for j, row in enumerate(self.rows or ())]
            for j, row, keys in self.changed:
                items[j] = (j, row, keys)
            self._items = items
        return self._items


def plan_rows(name: str, old: tuple[list, list[tuple]], rows: list) -> RowPlan | None:
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
        changed = [(j, rows[j], tuple(k for k, a, b in zip(keys, now[j], snaps[j]) if a != b)) for j in moved]
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
    window = _plan_window(name, get, keys, rows, objs, snaps, first, tail)
    if window is not None:
        return window
    ids = {id(o): j for j, o in enumerate(objs)}
    used = [False] * len(objs)
    items: list[tuple[int | None, object, tuple[str, ...]]] = []
    unmatched = []
    for row in rows:
        j = ids.get(id(row))
        if j is not None and not used[j]:
            used[j] = True
            now_row = get(row)
            changed_keys = (
                tuple(k for k, a, b in zip(keys, now_row, snaps[j]) if a != b) if now_row != snaps[j] else ()
            )
            items.append((j, row, changed_keys))
        else:
            unmatched.append(len(items))
            items.append((None, row, ()))
    if unmatched:
        # A row replaced by an equal copy keeps its block (and its comments).
        by_value: dict[tuple, list[int]] = {}
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
        or any(a > b for a, b in zip(order, order[1:]))
    )
    if not structural and not any(c for _j, _r, c in items):
        return None  # equal copies in the same places: nothing to write
    return RowPlan(items, structural)


def _plan_window(name, get, keys, rows, objs, snaps, first: int, tail: int) -> RowPlan | None:
    n, n_old = len(rows), len(objs)
    mid_rows = rows[first : n - tail]
    mid_objs = objs[first : n_old - tail]
    ids = {id(o): first + j for j, o in enumerate(mid_objs)}
    if len(ids) != len(mid_objs) or any(id(r) in ids for r in rows[:first]) or any(
            id(r) in ids for r in rows[n - tail :]):
        return None  # the same object twice: leave it to the general plan
    js = list(map(ids.get, map(id, mid_rows)))
    if None in js or len(set(js)) != len(js) or len(js) != len(mid_objs):
        return None  # a row added, removed or copied: the general plan matches copies by value
    now = list(map(get, mid_rows))
    was = list(map(snaps.__getitem__, js))
    items = list(zip(js, mid_rows, [()] * len(js)))
    for k in compress(range(len(js)), map(ne, now, was)):
        items[k] = (js[k], mid_rows[k], tuple(key for key, a, b in zip(keys, now[k], was[k]) if a != b))
    def edges(lo: int, hi: int, shift: int) -> list:
        now = list(map(get, rows[lo:hi]))
        old = snaps[lo - shift : hi - shift]
        out = [(lo - shift + k, rows[lo + k], ()) for k in range(hi - lo)]
        for k in compress(range(hi - lo), map(ne, now, old)):
            out[k] = (lo - shift + k, rows[lo + k],
                      tuple(key for key, a, b in zip(keys, now[k], old[k]) if a != b))
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
        self, seg: Segment, order: list[str], changes: list[tuple[str, str, object]], *, keep_empty: bool = False
    ) -> list[tuple[int, int, list[str]]]:
        """Edits for keys of one table/row: replace, delete, or insert after
        the nearest key that comes before it in `order`. An empty value is
        not written for a new key unless `keep_empty` (a named query may be
        empty; an empty title is just not set)."""
        out = []
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

    def result(self) -> tuple[str, list[tuple[int, int, list[str]]]]:
        """The new text, and the edits that made it as (start, end, new
        lines) in file order, for Index.update."""
        edits = sorted(self.edits, key=lambda e: (e[0], e[1] != e[0], e[2]))
        out: list[str] = []
        done: list[tuple[int, int, list[str]]] = []
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


def apply_local(lines: list[str], lo: int, hi: int, edits: list[tuple[int, int, list[str]]]) -> list[str]:
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
    pm: object,
    changed_fields: list[tuple[str, ...]],
    plans: dict[str, RowPlan],
    old_dicts: dict[tuple[str, ...], dict] | None = None,
) -> tuple[str, list[tuple[int, int, list[str]]]]:
    """The text with the changes spliced in, and the line edits made.
    `old_dicts`: each of schema.DICTS as loaded, to write only changed keys."""
    if not index.ok:
        raise Fallback
    sp = Splicer(index, newline)
    segs = index.segments

    # fields of the root and of tables, grouped by table
    by_table: dict[tuple[str, ...], list[tuple[str, str, object]]] = {}
    for path in changed_fields:
        if path in DICTS:
            values = cast(dict, get_attr(pm, TABLES[path][0]))
            for change in _dict_changes(index, path, values, (old_dicts or {}).get(path, {})):
                by_table.setdefault(path, []).append(change)
            continue
        table, key = path[:-1], path[-1]
        kind = dict(TABLES[table][1] if table else ROOT_FIELDS)[key]
        value = getattr(get_attr(pm, TABLES[table][0]) if table else pm, key)
        by_table.setdefault(table, []).append((key, kind, value))
    new_tables: list[tuple[tuple[str, ...], list[str]]] = []
    for table, changes in by_table.items():
        seg = index.table(table)
        order = [k for k, _ in (TABLES[table][1] if table else ROOT_FIELDS)]
        if table in DICTS:
            order = [c[0] for c in changes]
        if seg is None:
            # Known data held outside a [table] header (dotted keys, inline
            # tables, a super-table's keys) is edited by tomlkit.
            for s in segs:
                if s.name and s.name[0] != table[0]:
                    continue  # cannot hold it (and 10,000 timeline rows need not be looked into)
                for p in s.entries:
                    full = s.name + p
                    if table[: len(full)] == full or (len(s.name) < len(table) and full[: len(table)] == table):
                        raise Fallback
            body = [
                f"{render_key(k)} = {render_value(v, kind)}"
                for k, kind, v in changes
                if v is not None and (table in DICTS or not is_unset(v))
            ]
            if body:
                new_tables.append((table, body))
            continue
        for start, end, new in sp.field_edits(seg, order, changes, keep_empty=table in DICTS):
            sp.add(start, end, new)
    for table, body in sorted(new_tables, key=lambda t: RANK[t[0]]):
        text = "\n".join(["[" + ".".join(render_key(p) for p in table) + "]"] + body)
        sp.insert_section(sp.section_point(table, False), sp._text_lines(text))

    for name, plan in plans.items():
        _splice_rows(sp, name, plan)
    return sp.result()


def dict_kind(path: tuple[str, ...], value: object) -> str:
    """The render kind of one value of a DICTS table."""
    kind = DICTS[path]
    if kind != "any":
        return kind
    return "strlist" if isinstance(value, list) else "prose"


def _dict_changes(index: Index, path: tuple[str, ...], now: dict, old: dict) -> list[tuple[str, str, object]]:
    seg = index.table(path)
    present = [p[0] for p in seg.entries if len(p) == 1] if seg else []
    out: list[tuple[str, str, object]] = [(k, dict_kind(path, v), v) for k, v in now.items() if old.get(k) != frozen(v)]
    out += [(k, "str", None) for k in present if k not in now]
    return out


def _elements(index: Index, name: str) -> list[tuple[Segment, int, int, int]]:
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
    index, lines = sp.index, sp.lines
    _cls, fields, _req, _always = ARRAYS[name]
    kinds = dict(fields)
    order = [k for k, _ in fields]
    if any(p[0] == name for p in index.segments[0].entries):
        raise Fallback  # rows held in an inline array or dotted keys
    key = (name,)
    mine = [s for s in index.segments if s.name[:1] == key]
    if not plan.structural and all(s.kind == ARRAY and len(s.name) == 1 for s in mine):
        # Rows edited in place, no sub-tables: each row is one segment, and
        # only the changed ones are looked at.
        if (plan.rows is not None and len(mine) < len(plan.rows)) or any(
            j >= len(mine) for j, _r, _c in plan.changed
        ):
            raise Fallback
        for j, row, changed in plan.changed:
            for start, end, new in sp.field_edits(mine[j], order, [(k, kinds[k], getattr(row, k)) for k in changed]):
                sp.add(start, end, new)
        return
    if all(s.kind == ARRAY and len(s.name) == 1 for s in mine):
        elems = [(s, s.start, s.core_end, s.end) for s in mine]  # no sub-tables: one segment a row
    else:
        elems = _elements(index, name)
    n_old = max((j for j, _r, _c in plan.items if j is not None), default=-1) + 1
    if len(elems) < n_old:
        raise Fallback  # rows held in an inline array
    if any(s.kind == TABLE and s.name == key for s in mine):
        raise Fallback

    def edits_for(j: int, row: object, changed: tuple[str, ...]) -> list[tuple[int, int, list[str]]]:
        if not changed:
            return []
        return sp.field_edits(elems[j][0], order, [(k, kinds[k], getattr(row, k)) for k in changed])

    if not plan.structural:
        for j, row, changed in plan.changed:
            for start, end, new in edits_for(j, row, changed):
                sp.add(start, end, new)
        return
    if plan.window is not None and _splice_window(sp, plan, elems, edits_for):
        return
    if any(elems[k][3] != elems[k + 1][1] for k in range(len(elems) - 1)):
        raise Fallback
    blank = [sp._blank()]
    if not elems:
        if not plan.items:
            return
        body: list[str] = []
        for k, (_j, row, _c) in enumerate(plan.items):
            if k:
                body += blank
            body += sp._text_lines("\n".join(row_lines(name, row)))
        sp.insert_section(sp.section_point((name,), True), body)
        return
    first, last = elems[0], elems[-1]
    trailer = lines[last[2] : last[3]]
    sep = lines[elems[0][2] : elems[0][3]] if len(elems) > 1 else blank
    if any(line.strip(" \t\r") for line in sep) or not sep:
        sep = blank
    out: list[str] = []
    m = len(plan.items)
    for k, (j, row, changed) in enumerate(plan.items):
        if j is not None:
            seg, start, core_end, end = elems[j]
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


def _splice_window(sp: Splicer, plan: RowPlan, elems: list, edits_for) -> bool:
    """Rows reordered inside plan.window: rewrite only the lines of that
    stretch, each row keeping its own block and the separator after it.
    False when the window touches the array's last row (whose trailing
    lines belong to what follows) or the blocks do not tile."""
    lo, hi_new, hi_old = plan.window
    if hi_old >= len(elems) or lo >= hi_old or hi_new - lo != hi_old - lo:
        return False
    if any(elems[k][3] != elems[k + 1][1] for k in range(lo, hi_old)):
        return False
    lines = sp.lines
    items = plan.items
    for j, row, changed in plan.changed:
        if j < lo or j >= hi_old:  # a value edited in a row that did not move
            for start, end, new in edits_for(j, row, changed):
                sp.add(start, end, new)
    out: list[str] = []
    for j, row, changed in items[lo:hi_new]:
        _seg, start, core_end, end = elems[j]
        if changed:
            out += apply_local(lines, start, core_end, edits_for(j, row, changed))
            out += lines[core_end:end]
        else:
            out += lines[start:end]
    sp.add(elems[lo][1], elems[hi_old - 1][3], out)
    return True


# -- the tomlkit path ------------------------------------------------------------------


def via_tomlkit(text: str, pm: object, changed_fields: list[tuple[str, ...]], plans: dict[str, RowPlan]) -> str:
    import tomlkit

    doc = tomlkit.parse(text)

    def put(container, key: str, value: object, kind: str, keep_empty: bool = False) -> None:
        if value is None:
            if key in container:
                del container[key]
        elif key in container or keep_empty or not is_unset(value):
            container[key] = tomlkit.value(render_value(value, kind))

    def table_at(path: tuple[str, ...]):
        container = doc
        for part in path:
            if part not in container:
                container[part] = tomlkit.table(is_super_table=False)
            container = container[part]
        return container

    for path in changed_fields:
        if path in DICTS:
            values = cast(dict, get_attr(pm, TABLES[path][0]))
            container = table_at(path)
            for k in [k for k in container if k not in values]:
                del container[k]
            for k, v in values.items():
                put(container, k, v, dict_kind(path, v), keep_empty=True)
            continue
        table, key = path[:-1], path[-1]
        kind = dict(TABLES[table][1] if table else ROOT_FIELDS)[key]
        value = getattr(get_attr(pm, TABLES[table][0]) if table else pm, key)
        put(table_at(table) if table else doc, key, value, kind)

    for name, plan in plans.items():
        kinds = dict(ARRAYS[name][1])
        old = doc.get(name)
        new = tomlkit.aot()
        for j, row, changed in plan.items:
            if j is not None and old is not None and j < len(old):
                item = old[j]
                if not isinstance(item, tomlkit.items.Table):
                    fresh = tomlkit.table()
                    for k, v in item.items():
                        fresh[k] = v
                    item = fresh
                for k in changed:
                    put(item, k, getattr(row, k), kinds[k])
            else:
                item = tomlkit.parse("\n".join(row_lines(name, row)[1:]) + "\n")
                table = tomlkit.table()
                for k, v in item.items():
                    table[k] = v
                item = table
            new.append(item)
        if name in doc:
            del doc[name]
        if plan.items:
            doc[name] = new
    return tomlkit.dumps(doc)
