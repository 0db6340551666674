"""Checking decoded TOML and building the model from it: every problem in
the file is collected (with its field path) and then placed on its line
and column, so a user sees them all at once."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Sequence
from datetime import UTC, date, datetime, time
from itertools import chain
from operator import attrgetter
from typing import Any, TypeVar

from pmtui import model as m
from pmtui.store.errors import Problem
from pmtui.store.scan import Index
from pmtui.store.schema import ARRAYS, DICTS, ROOT_FIELDS, TABLES, get_attr

EXAMPLE_DATETIME = "2025-02-09T10:05:23Z"
EXAMPLE_DATE = "2025-02-16"
AUTH_MODES = ("none", "bearer", "basic")
YEARS = (1900, 9998)  # the datetimes a post-mortem may hold
# The longest text a field may hold, in characters: far past any real
# post-mortem, and short enough that every check, the report and the
# screen stay quick (a 20 MB log pasted into the title took `pmtui check`
# 12.7 s and went through). One-line values (a title, an id, a name, an
# event's text, its source and actor, a URL, a query) and prose (a summary,
# a why, a lesson) differ. docs/file-format.md lists them. Set high enough
# that no file that opened before the limits were set is refused (a stack
# trace pasted into one event runs to some 10,000 characters).
MAX_LINE = 100_000
MAX_PROSE = 1_000_000
# Settings that hold regular expressions (a source's log rules): checked
# here, so a bad pattern is an error on load with its place, not a gap
# found at collection time. Sources compile them with Python's `re`.
REGEX_LISTS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("sources", "kubernetes"): ("errors", "warnings", "ignore"),
    ("sources", "loki"): ("errors", "warnings", "ignore"),
    ("sources", "files"): ("errors", "warnings", "ignore"),
}


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, datetime):
        return "a local datetime (no offset)" if value.tzinfo is None else "a datetime"
    if isinstance(value, date):
        return "a date (no time)"
    if isinstance(value, time):
        return "a time of day (no date)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


# Where a value sits in the decoded TOML: ("timeline", 3, "time").
FieldPath = tuple[str | int, ...]
T = TypeVar("T")


# Problems kept (and placed on their lines) per file; past these only a
# count: placing each of 20,000 costs more than the user can read.
MAX_KEPT = 200


class _Checker:
    def __init__(self) -> None:
        self.problems: list[tuple[FieldPath, str]] = []
        self.more = 0  # problems found past MAX_KEPT

    def bad(self, path: FieldPath, message: str) -> None:
        if len(self.problems) < MAX_KEPT:
            self.problems.append((path, message))
        else:
            self.more += 1

    def value(self, path: FieldPath, value: object, kind: str) -> tuple[bool, object]:
        """(True, the value for the model) when `value` is of `kind`, else
        (False, None) with the problem recorded."""
        check = _KINDS.get(kind)
        if check is None:
            return False, None
        return check(self, path, value)

    def _text(self, path: FieldPath, value: object, limit: int = MAX_LINE) -> tuple[bool, object]:
        if isinstance(value, str):
            if len(value) > limit:
                self.too_long(path, len(value), limit)
                return False, None
            return True, value
        self.bad(path, f"expected a string in quotes, got {_describe(value)}")
        return False, None

    def _prose(self, path: FieldPath, value: object) -> tuple[bool, object]:
        return self._text(path, value, MAX_PROSE)

    def too_long(self, path: FieldPath, size: int, limit: int) -> None:
        what = "one-line field" if limit == MAX_LINE else "text"
        where = ("keep a line here and the log itself in evidence (pmtui collect --log FILE)"
                 if limit == MAX_LINE else "keep long logs and dumps in evidence files and link them")
        self.bad(path, f"{size:,} characters, more than the {limit:,} a {what} may hold; {where}")

    def _texts(self, path: FieldPath, value: object, limit: int = MAX_LINE) -> tuple[bool, object]:
        if isinstance(value, list):
            ok = True
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    self.bad((*path, i), f"expected a string in quotes, got {_describe(item)}")
                    ok = False
                elif len(item) > limit:
                    self.too_long((*path, i), len(item), limit)
                    ok = False
            return ok, list(value)
        self.bad(path, f'expected an array of strings such as ["a", "b"], got {_describe(value)}')
        return False, None

    def _proses(self, path: FieldPath, value: object) -> tuple[bool, object]:
        return self._texts(path, value, MAX_PROSE)

    def _datetime(self, path: FieldPath, value: object) -> tuple[bool, object]:
        if isinstance(value, datetime) and value.tzinfo is not None:
            try:
                utc = value.astimezone(UTC)
            except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
                utc = None
            if utc is not None and YEARS[0] <= utc.year <= YEARS[1]:
                return True, utc
            # Derived times (the window, the follow-up date) add weeks to
            # these: 9999-12-31 would overflow there instead.
            self.bad(path, f"{value.isoformat()} is out of range (years {YEARS[0]} to {YEARS[1]} in UTC); "
                           f"write a time such as {EXAMPLE_DATETIME}")
            return False, None
        hint = ""
        if isinstance(value, str):
            try:
                datetime.fromisoformat(value.replace("z", "Z"))
                hint = " (write it without quotes)"
            except ValueError:
                pass
        self.bad(path, f"expected an offset datetime in UTC such as {EXAMPLE_DATETIME}, "
                       f"got {_describe(value)}{hint}")
        return False, None

    def _date(self, path: FieldPath, value: object) -> tuple[bool, object]:
        if isinstance(value, date) and not isinstance(value, datetime):
            return True, value
        hint = " (write it without quotes)" if isinstance(value, str) and _is_iso_date(value) else ""
        self.bad(path, f"expected a date such as {EXAMPLE_DATE}, got {_describe(value)}{hint}")
        return False, None

    def _int(self, path: FieldPath, value: object) -> tuple[bool, object]:
        if isinstance(value, int) and not isinstance(value, bool):
            if value >= 0 or path == ("schema",):
                return True, value
            self.bad(path, f"expected a whole number of 0 or more, got {value}")
        else:
            self.bad(path, f"expected a whole number such as 1200, got {_describe(value)}")
        return False, None

    def _bool(self, path: FieldPath, value: object) -> tuple[bool, object]:
        if isinstance(value, bool):
            return True, value
        self.bad(path, f"expected true or false, got {_describe(value)}")
        return False, None

    def choice(self, path: FieldPath, value: str, allowed: tuple[str, ...], *, empty_ok: bool = False) -> None:
        if not isinstance(value, str) or value in allowed or (empty_ok and value == ""):
            return
        shown = ", ".join(f'"{a}"' for a in allowed)
        extra = ' (or "" for not set yet)' if empty_ok else ""
        self.bad(path, f"unknown value {value!r}; expected one of {shown}{extra}")

    def table(self, data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
        value: object = data
        for part in path:
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        if isinstance(value, dict):
            return value
        self.bad(path, f"expected a table [{'.'.join(path)}], got {_describe(value)}")
        return None

    def fill(self, obj: object, table: dict[str, Any], path: tuple[str, ...],
             fields: tuple[tuple[str, str], ...]) -> None:
        for key, kind in fields:
            if key in table:
                ok, value = self.value((*path, key), table[key], kind)
                if ok:
                    setattr(obj, key, value)


# kind (schema.py) -> the check of a value of that kind
_KINDS: dict[str, Callable[[_Checker, FieldPath, object], tuple[bool, object]]] = {
    "str": _Checker._text,
    "prose": _Checker._prose,
    "strlist": _Checker._texts,
    "proselist": _Checker._proses,
    "datetime": _Checker._datetime,
    "date": _Checker._date,
    "int": _Checker._int,
    "bool": _Checker._bool,
}


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return True
    except ValueError:
        return False


def build(data: dict[str, Any], index: Index, counted: list[int] | None = None) -> tuple[m.PostMortem, list[Problem]]:
    """The model from the decoded file, and the problems in it placed on
    their lines (none: the model is the file's); past MAX_KEPT problems
    only their number, added to `counted[0]`."""
    builder = ModelBuilder(data)
    if counted is not None:
        counted[0] += builder.more
    return builder.pm, builder.problems(index)


class ModelBuilder:
    """The model built in steps: the file without its [[timeline]] rows
    first, then the rows a slice at a time (rows already read as
    TimelineEvents by store.rowread are taken as they are), then the
    problems placed on their lines. The app shows its first screen of a
    100,000-event file between the first slice and the last."""

    def __init__(self, data: dict[str, Any]) -> None:
        ck = self.ck = _Checker()
        self.pm = pm = m.PostMortem()
        self.newer = _check_schema(ck, data.get("schema", 1))
        if self.newer is not None:
            return
        ck.fill(pm, data, (), tuple(f for f in ROOT_FIELDS if f[0] != "schema"))
        if isinstance(pm.status, str) and "status" in data:
            ck.choice(("status",), pm.status, m.STATUSES)
        _tables(ck, data, pm)
        _arrays(ck, data, pm)
        _cross_checks(ck, pm)

    def rows(self, rows: list[Any], events_only: bool = False) -> None:
        """Add [[timeline]] rows (decoded tables, or TimelineEvents) after
        the ones added so far."""
        out = self.pm.timeline
        if events_only:
            _long_texts(self.ck, rows, len(out))
            out.extend(rows)
        else:
            _timeline(self.ck, rows, out, len(out))

    @property
    def more(self) -> int:
        """Problems found past MAX_KEPT (counted, not placed)."""
        return self.ck.more

    @property
    def has_problems(self) -> bool:
        return self.newer is not None or bool(self.ck.problems)

    def problems(self, index: Index) -> list[Problem]:
        if self.newer is not None:
            return _locate_all(index, [(("schema",), self.newer)])
        return _locate_all(index, self.ck.problems)


def _check_schema(ck: _Checker, schema: object) -> str | None:
    """The refusal when a newer pmtui wrote the file (nothing else is then
    worth reporting); an unusable schema value is a problem like any other."""
    if not isinstance(schema, int) or isinstance(schema, bool):
        ck.bad(("schema",), f"expected the schema version as a whole number such as {m.SCHEMA_VERSION}, "
                            f"got {_describe(schema)}")
        return None
    if schema > m.SCHEMA_VERSION:
        return f"file uses schema {schema}; this pmtui reads schema {m.SCHEMA_VERSION} — upgrade pmtui"
    if schema < 1:
        ck.bad(("schema",), f"unknown schema {schema}; expected {m.SCHEMA_VERSION}")
    return None


def _tables(ck: _Checker, data: dict[str, Any], pm: m.PostMortem) -> None:
    for path, (attr, fields) in TABLES.items():
        table = ck.table(data, path)
        if table is None:
            continue
        if path in DICTS:
            target = get_attr(pm, attr)
            if isinstance(target, dict):
                _dict_table(ck, path, table, target)
            continue
        ck.fill(get_attr(pm, attr), table, path, fields)
    if "auth" in (ck.table(data, ("sources", "prometheus")) or {}):
        ck.choice(("sources", "prometheus", "auth"), pm.sources.prometheus.auth, AUTH_MODES)
    if "auth" in (ck.table(data, ("sources", "loki")) or {}):
        ck.choice(("sources", "loki", "auth"), pm.sources.loki.auth, AUTH_MODES)
    if "timeline" in (ck.table(data, ("report",)) or {}):
        ck.choice(("report", "timeline"), pm.report.timeline, m.REPORT_TIMELINES)
    for path, names in REGEX_LISTS.items():
        table = ck.table(data, path) or {}
        for name in names:
            patterns = table.get(name)
            if isinstance(patterns, list):
                for i, pattern in enumerate(patterns):
                    if isinstance(pattern, str):
                        _regex(ck, (*path, name, i), pattern)


def _regex(ck: _Checker, path: FieldPath, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        at = f" at character {exc.pos + 1}" if exc.pos is not None else ""
        ck.bad(path, f"{pattern!r} is not a regular expression ({exc.msg}{at}); expected a Python regular "
                     "expression such as '\\bOOM\\b' (in a \"string\" write a backslash as \\\\, or use a "
                     "'literal string')")


_DICT_EXPECTED = {
    "str": "a PromQL query in quotes",
    "prose": "the section's text in quotes",
    "strlist": 'the people in the role, such as ["@alice"]',
}
_CUSTOM_SCALARS = (str, int, float, date, time)


def _dict_table(ck: _Checker, path: tuple[str, ...], table: dict[str, Any], out: dict[str, Any]) -> None:
    """A table whose keys are the user's: every value of one kind (a role
    may name one person as a plain string), a custom field's any value but
    a table or a mixed array (its type is the team's to check)."""
    kind = DICTS[path]
    for name, value in table.items():
        where = (*path, name)
        if kind == "any":
            names = isinstance(value, list) and all(isinstance(v, str) for v in value)
            if isinstance(value, str) and len(value) > MAX_PROSE:
                ck.too_long(where, len(value), MAX_PROSE)
            elif isinstance(value, _CUSTOM_SCALARS) or names:
                out[name] = list(value) if isinstance(value, list) else value
            else:
                ck.bad(where, f"expected text, a number, a date or a list of names, got {_describe(value)}")
        elif kind == "strlist" and isinstance(value, str):
            out[name] = [value]
        elif kind == "strlist":
            ok, got = ck.value(where, value, "strlist")
            if ok:
                out[name] = got
        elif isinstance(value, str):
            limit = MAX_PROSE if kind == "prose" else MAX_LINE
            if len(value) > limit:
                ck.too_long(where, len(value), limit)
            else:
                out[name] = value
        else:
            ck.bad(where, f"expected {_DICT_EXPECTED[kind]}, got {_describe(value)}")


def _arrays(ck: _Checker, data: dict[str, Any], pm: m.PostMortem) -> None:
    for name, (cls, fields, required, _always) in ARRAYS.items():
        rows = data.get(name)
        if rows is None:
            continue
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            ck.bad((name,), f"expected [[{name}]] tables, got {_describe(rows)}")
            continue
        out = getattr(pm, name)
        if name == "timeline":
            _timeline(ck, rows, out)
            continue
        for i, row in enumerate(rows):
            out.append(_row(ck, name, i, row, cls, fields, required))


def _row(ck: _Checker, name: str, i: int, row: dict[str, Any], cls: type[T], fields: tuple[tuple[str, str], ...],
         required: frozenset[str]) -> T:
    """The row with every good value; bad or missing ones are reported and
    left at their defaults (None for a required key) so the row's other
    fields are still checked."""
    kwargs: dict[str, object] = {}
    for key, kind in fields:
        if key in row:
            good, value = ck.value((name, i, key), row[key], kind)
            if good:
                kwargs[key] = value
        if key in required and key not in kwargs:
            if key not in row:
                needed = ", ".join(k for k, _ in fields if k in required)
                ck.bad((name, i), f"missing `{key}` (every [[{name}]] needs {needed})")
            kwargs[key] = None
    return cls(**kwargs)


def _timeline(ck: _Checker, rows: list[Any], out: list[m.TimelineEvent], start: int = 0) -> None:
    event_cls = m.TimelineEvent
    kinds = set(m.EVENT_KINDS)
    fields, required = ARRAYS["timeline"][1], ARRAYS["timeline"][2]
    for i, row in enumerate(rows, start):
        if type(row) is event_cls:  # read by store.rowread, checked but for length
            _long_texts(ck, [row], i)
            out.append(row)
            continue
        t = row.get("time")
        e = row.get("event")
        k = row.get("kind", "other")
        s = row.get("source", "")
        a = row.get("actor", "")
        # The common row, already typed by the fast reader, skips the
        # general checks; anything else takes the long way with messages.
        if (
            type(t) is datetime
            and t.tzinfo is UTC
            and YEARS[0] <= t.year <= YEARS[1]
            and type(e) is str
            and type(s) is str
            and type(a) is str
            and type(k) is str  # before `in`: a list or table is not hashable
            and k in kinds
            and len(e) <= MAX_LINE
            and len(s) <= MAX_LINE
            and len(a) <= MAX_LINE
            and "key" not in row
            and "evidence" not in row
        ):
            out.append(event_cls(t, e, s, a, k))
            continue
        item = _row(ck, "timeline", i, row, event_cls, fields, required)
        if "kind" in row and isinstance(row["kind"], str):
            ck.choice(("timeline", i, "kind"), item.kind, m.EVENT_KINDS)
        out.append(item)


_TEXTS = (("event", attrgetter("event")), ("source", attrgetter("source")), ("actor", attrgetter("actor")))


def _long_texts(ck: _Checker, rows: list[m.TimelineEvent], start: int) -> None:
    """Rows read as TimelineEvents whose text is over MAX_LINE: looked for
    at C speed (the longest of each field), then placed one by one."""
    for name, get in _TEXTS:
        if rows and max(map(len, map(get, rows))) > MAX_LINE:
            for i, row in enumerate(rows, start):
                if len(get(row)) > MAX_LINE:
                    ck.too_long(("timeline", i, name), len(get(row)), MAX_LINE)


_LIMITS = {"str": MAX_LINE, "strlist": MAX_LINE, "prose": MAX_PROSE, "proselist": MAX_PROSE}


def over_limits(pm: m.PostMortem, *, timeline: bool = True) -> list[tuple[str, str]]:
    """(field, message) for each text in the model longer than its field
    may hold (MAX_LINE, MAX_PROSE): what the reader would refuse, so a save
    never writes a file pmtui will not open (an edit that pasted a log into
    the title). Arrays are looked at a field at a time at C speed (~10-20 ms
    for 100,000 events; `timeline=False` skips those rows); only a field
    over its limit is walked row by row. store.begin_save asks it."""
    found: list[tuple[str, str]] = []
    value = _collect_into(found)
    _flat_over(pm, value)
    for name, (_cls, fields, _required, _always) in ARRAYS.items():
        rows = getattr(pm, name)
        if rows and (timeline or name != "timeline"):
            _rows_over(name, rows, fields, value)
    return found


def over_limits_steps(pm: m.PostMortem, step: int = 12_500) -> Generator[None, None, list[tuple[str, str]]]:
    """over_limits() with the timeline's rows looked at `step` rows at a
    time, yielding between slices (a few milliseconds each at 100,000
    events, where the whole check holds a frame for 10-25 ms). The model
    must not change until it returns."""
    found = over_limits(pm, timeline=False)
    value = _collect_into(found)
    rows = pm.timeline
    fields = ARRAYS["timeline"][1]
    for at in range(0, len(rows), step):
        yield
        _rows_over("timeline", rows[at : at + step], fields, value, offset=at)
    return found


def _collect_into(found: list[tuple[str, str]]) -> Callable[[str, object, int], None]:
    """What over_limits calls for each text: notes it in `found` when longer than `limit`."""

    def value(where: str, text: object, limit: int) -> None:
        if isinstance(text, str) and len(text) > limit:
            found.append((where, _long_message(len(text), limit)))
        elif isinstance(text, list):
            for i, item in enumerate(text):
                value(f"{where}[{i}]", item, limit)

    return value


def rows_over_limits(name: str, rows: list[Any]) -> bool:
    """Whether any text of `rows` (of the array `name`) is longer than its
    field may hold: over_limits for a few rows (those a save changes)."""
    found: list[tuple[str, str]] = []
    if rows:
        _rows_over(name, rows, ARRAYS[name][1], _collect_into(found))
    return bool(found)


def _flat_over(pm: m.PostMortem, value: Callable[[str, object, int], None]) -> None:
    for key, kind in ROOT_FIELDS:
        if kind in _LIMITS:
            value(key, getattr(pm, key), _LIMITS[kind])
    for path, (attr, fields) in TABLES.items():
        obj = get_attr(pm, attr)
        if path in DICTS:
            if isinstance(obj, dict):
                for name, item in obj.items():
                    value(".".join((*path, name)), item, MAX_PROSE if DICTS[path] in ("prose", "any") else MAX_LINE)
            continue
        for key, kind in fields:
            if kind in _LIMITS:
                value(".".join((*path, key)), getattr(obj, key), _LIMITS[kind])


def _rows_over(name: str, rows: list[Any], fields: tuple[tuple[str, str], ...],
               value: Callable[[str, object, int], None], *, offset: int = 0) -> None:
    for key, kind in fields:
        limit = _LIMITS.get(kind)
        if limit is None:
            continue
        get = attrgetter(key)
        try:
            items = map(get, rows) if kind in ("str", "prose") else chain.from_iterable(map(get, rows))
            longest = max(map(len, items), default=0)
        except TypeError:  # a None among them (an optional field): row by row
            longest = limit + 1
        if longest > limit:
            for i, row in enumerate(rows, offset):
                value(f"{name}[{i}].{key}", get(row), limit)


def _long_message(size: int, limit: int) -> str:
    ck = _Checker()
    ck.too_long((), size, limit)
    return ck.problems[0][1]


def _cross_checks(ck: _Checker, pm: m.PostMortem) -> None:
    def unique(name: str, items: Sequence[m.Why | m.Factor | m.ActionItem | m.Evidence], what: str) -> dict[str, int]:
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if not isinstance(item.id, str):
                continue
            if item.id == "":
                ck.bad((name, i, "id"), f"{what} id must not be empty")
            elif item.id in seen:
                ck.bad((name, i, "id"), f"duplicate {what} id {item.id!r} (also {name}[{seen[item.id]}])")
            else:
                seen[item.id] = i
        return seen

    whys = unique("whys", pm.whys, "why")
    for i, why in enumerate(pm.whys):
        if why.parent and why.parent not in whys:
            ck.bad(("whys", i, "parent"),
                   f"parent {why.parent!r} is not the id of any why (use \"\" for an answer to the problem)")
        elif why.parent == why.id and why.id:
            ck.bad(("whys", i, "parent"), "a why cannot be its own parent")
    _why_cycles(ck, pm)
    factors = unique("factors", pm.factors, "factor")
    for i, factor in enumerate(pm.factors):
        if isinstance(factor.category, str) and not factor.category.strip():
            ck.bad(("factors", i, "category"),
                   f"category must not be empty; use one of {', '.join(m.FACTOR_CATEGORIES)} or your own")
        if factor.why and factor.why not in whys:
            ck.bad(("factors", i, "why"), f"why {factor.why!r} is not the id of any why")
    unique("actions", pm.actions, "action")
    for i, item in enumerate(pm.actions):
        if item.id and not m.ACTION_ID_RE.match(item.id):
            ck.bad(("actions", i, "id"), f"expected an action id such as AI-001, got {item.id!r}")
        ck.choice(("actions", i, "priority"), item.priority, m.PRIORITIES, empty_ok=True)
        ck.choice(("actions", i, "type"), item.type, m.ACTION_TYPES)
        ck.choice(("actions", i, "status"), item.status, m.ACTION_STATUSES)
        if item.factor and item.factor not in factors:
            ck.bad(("actions", i, "factor"), f"factor {item.factor!r} is not the id of any factor")
    unique("evidence", pm.evidence, "evidence")


def _why_cycles(ck: _Checker, pm: m.PostMortem) -> None:
    """Each loop of parents reported once, at the why it is first reached
    from in file order. Linear: each why is walked once (the walk per start
    with a list of seen ids took 12 s for a chain of 1,500)."""
    parent = {w.id: w.parent for w in pm.whys if w.id}
    index = {w.id: i for i, w in enumerate(pm.whys)}
    state: dict[str, int] = {}  # 1 on the current walk, 2 done
    for start in parent:
        walk: list[str] = []
        node = start
        while node and node in parent and node not in state:
            state[node] = 1
            walk.append(node)
            node = parent[node]
        if node and state.get(node) == 1 and node != parent.get(node):
            loop = walk[walk.index(node):]
            shown = [*loop, loop[0]] if len(loop) <= 8 else [*loop[:4], f"... ({len(loop) - 6} more)", *loop[-2:],
                                                             loop[0]]
            ck.bad(("whys", index[loop[0]], "parent"),
                   f"whys {' -> '.join(shown)} form a loop; one of them must answer the problem "
                   '(parent = "")')
        for seen in walk:
            state[seen] = 2


def _field_name(path: FieldPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _locate_all(index: Index, problems: list[tuple[FieldPath, str]]) -> list[Problem]:
    # The rows of each array are listed once, not once per problem: 20,000
    # bad rows took 65 s when each problem scanned the whole index.
    arrays: dict[str, list[Any]] = {}
    out = [Problem(*_locate(index, path, arrays), _field_name(path), msg) for path, msg in problems]
    return sorted(out, key=lambda p: (p.line, p.column))


def _locate(index: Index, path: FieldPath, arrays: dict[str, list[Any]] | None = None) -> tuple[int, int]:
    """1-based line and column of the value at `path`, or of the nearest
    thing that holds it."""
    if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], int) and path[0] in ARRAYS:
        if arrays is None:
            arrays = {}
        rows = arrays.get(path[0])
        if rows is None:
            rows = arrays[path[0]] = index.arrays(path[0])
        if path[1] < len(rows):
            row = rows[path[1]]
            if len(path) >= 3 and isinstance(path[2], str):
                entry = row.entries.get((path[2],))
                if entry:
                    return entry[0] + 1, entry[2] + 1
            return row.header + 1, 1
    return _locate_in_tables(index, path)


def _locate_in_tables(index: Index, path: FieldPath) -> tuple[int, int]:
    """_locate for a value in a table (an item of an array value too)."""
    names: list[str] = []
    item: int | None = None
    for part in path:
        if isinstance(part, int):
            item = part
            break
        names.append(part)
    names_t = tuple(names)
    for k in range(len(names_t), -1, -1):
        seg = index.table(names_t[:k])
        if seg is None:
            continue
        rest = names_t[k:]
        for j in range(len(rest), 0, -1):
            entry = seg.entries.get(rest[:j])
            if entry:
                if item is not None and j == len(rest):
                    found = _array_item(index.lines, entry[0], entry[1], entry[2], item)
                    if found is not None:
                        return found[0] + 1, found[1] + 1
                return entry[0] + 1, entry[2] + 1
        if k:
            return seg.header + 1, 1
    return 0, 0


def _array_item(lines: list[str], first: int, end: int, col: int, item: int) -> tuple[int, int] | None:
    """0-based (line, column) of element `item` of the inline array whose
    value starts at lines[first][col:]; None when it cannot be told."""
    count, depth = -1, 0
    for i in range(first, min(end, len(lines))):
        line = lines[i]
        pos = col if i == first else 0
        while pos < len(line):
            ch = line[pos]
            if ch == "#":
                break
            if ch in "[{":
                depth += 1
                if depth == 2 or (ch == "{" and depth == 1):
                    count += 1
                    if count == item:
                        return i, pos
            elif ch in "]}":
                depth -= 1
            elif ch in "\"'" and depth >= 1:
                if depth == 1:
                    count += 1
                    if count == item:
                        return i, pos
                close = _string_close(line, pos)
                if close < 0:
                    return None  # a multi-line string: leave it to the key's place
                pos = close
            elif depth == 1 and not ch.isspace() and ch != "," and line[pos - 1] in " ,[\t":
                count += 1  # a bare value (number, true, a date)
                if count == item:
                    return i, pos
            pos += 1
    return None


def _string_close(line: str, pos: int) -> int:
    """Index of the quote closing the one-line string opening at `pos`, or -1."""
    quote = line[pos]
    if line.startswith(quote * 3, pos):
        return -1
    i = pos + 1
    while i < len(line):
        if quote == '"' and line[i] == "\\":
            i += 2
            continue
        if line[i] == quote:
            return i
        i += 1
    return -1
