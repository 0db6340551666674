"""The post-mortem file: TOML text <-> PostMortem.

Reading is tomllib plus a fast reader for [[timeline]] blocks
(store_scan); it never touches tomlkit, so opening a 10,000-event file
stays well under half a second. Every problem in a file is reported at
once, each with its line, column, field path and what was expected.

Writing splices: a Document remembers the text it was read from, where
each field sits, and the model's values as loaded; a save re-renders only
what changed (store_splice), so comments, key order, blank lines and keys
pmtui does not know survive byte for byte. Saves are atomic.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from pmtui import model as m
from pmtui.filesafety.atomic import refuse_read_only, write_atomic
from pmtui.store.scan import ARRAY, Index, scan
from pmtui.store.schema import ARRAYS, QUERIES, ROOT_FIELDS, TABLES, get_attr

__all__ = [
    "Document",
    "FileStamp",
    "NewerSchemaError",
    "Problem",
    "StoreError",
    "dumps",
    "load",
    "loads",
    "new_document",
    "save",
]

EXAMPLE_DATETIME = "2025-02-09T10:05:23Z"
EXAMPLE_DATE = "2025-02-16"
AUTH_MODES = ("none", "bearer", "basic")


# -- errors ------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based; 0 when the problem has no place in the text
    column: int  # 1-based; 0 when unknown
    field: str  # "timeline[3].time", "" for the file as a whole
    message: str

    def format(self, path: str) -> str:
        where = f"{path}:{self.line}:{self.column}" if self.line else path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class StoreError(Exception):
    """The file cannot be read as a post-mortem; `problems` lists why."""

    def __init__(self, path: str | os.PathLike, problems: list[Problem]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(p.format(self.path) for p in problems))


class NewerSchemaError(StoreError):
    """Written by a newer pmtui; refused rather than half-read."""


# -- the document ------------------------------------------------------------------


@dataclass(frozen=True)
class FileStamp:
    """The file as last read or written, to notice changes made by others."""

    mtime_ns: int
    size: int
    sha256: str


class Document:
    """One post-mortem file: `pm` to edit, plus what a minimal save needs."""

    def __init__(self, path: str | os.PathLike | None, pm: m.PostMortem, text: str, *, bom: bool = False,
                 index: Index | None = None, stamp: FileStamp | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.pm = pm
        self.stamp = stamp
        self._text = text
        self._bom = bom
        self._newline = "\r\n" if "\r\n" in text[: text.find("\n") + 1 or None] else "\n"
        self._index = index  # None: rebuilt from _text when a save needs it
        self._remember()

    def _remember(self) -> None:
        from pmtui.store.splice import flat_fields, snapshot_rows

        self._flat = flat_fields(self.pm)
        self._rows = snapshot_rows(self.pm)

    def _current_index(self) -> Index:
        if self._index is None:
            self._index = scan(self._text)
        return self._index

    @property
    def text(self) -> str:
        """The text as last read or written (without a byte-order mark)."""
        return self._text

    def dirty(self) -> bool:
        """Whether the model differs from the file as last read or written."""
        return dumps(self) != ("\ufeff" if self._bom else "") + self._text


# -- reading -----------------------------------------------------------------------


def load(path: str | os.PathLike) -> Document:
    p = Path(path)
    try:
        data = p.read_bytes()
        st = p.stat()
    except OSError as exc:
        raise StoreError(p, [Problem(0, 0, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    stamp = FileStamp(st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())
    if b"\x00" in data:
        at = data.index(b"\x00")
        line, col = _byte_place(data, at)
        raise StoreError(p, [Problem(line, col, "", "this is a binary file (it contains NUL bytes), not a TOML post-mortem")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_place(data, exc.start)
        raise StoreError(
            p,
            [Problem(line, col, "", f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be read); save it as UTF-8")],
        ) from None
    doc = loads(text, path=p)
    doc.stamp = stamp
    return doc


def _byte_place(data: bytes, at: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, at) + 1
    start = data.rfind(b"\n", 0, at) + 1
    return line, len(data[start:at].decode("utf-8", "replace")) + 1


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$|\s*\(at end of document\)\s*$")


def loads(text: str, path: str | os.PathLike = "<string>") -> Document:
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    index = scan(text)
    data = None
    if index.ok:
        data = _parse_with_index(index)
    if data is None:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise StoreError(path, _syntax_problems(text, str(exc))) from None
        if not index.ok:
            index = scan(text, fast=False)
    pm, problems = _build(data, index)
    _drop_fast(index)  # the decoded rows live on in the model; the index needs only places
    if problems:
        cls = NewerSchemaError if problems[0].message.startswith("file uses schema") else StoreError
        raise cls(path, problems)
    file_path = None if str(path) == "<string>" else path
    return Document(file_path, pm, text, bom=bom, index=index)


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


def _syntax_problem(text: str, message: str, first_line: int = 0) -> Problem:
    mt = _TOML_WHERE.search(message)
    what = message[: mt.start()] if mt else message
    if mt and mt.group(1):
        line, col = int(mt.group(1)) + first_line, int(mt.group(2))
    else:
        lines = text.split("\n")
        line, col = len(lines) + first_line, len(lines[-1]) + 1
    return Problem(line, col, "", f"not valid TOML: {what[:1].lower()}{what[1:]}")


MAX_SYNTAX_ERRORS = 10
# Characters tomllib may read looking for errors after the first; a huge
# broken file reports what this finds rather than keep the user waiting.
_MORE_ERRORS_BUDGET = 2_000_000


def _syntax_problems(text: str, message: str) -> list[Problem]:
    """The first syntax error, then further independent ones.

    tomllib stops at the first error. When the bad line is a statement of
    its own (everything before it parses, and nothing on it can continue
    onto the next line), it is replaced by a header of a table nobody uses
    and the rest is parsed again: its keys cannot clash with anything, so
    any error found next is a real one, not an echo of the first. Whenever
    that cannot be shown, only the errors found so far are reported."""
    problems = [_syntax_problem(text, message)]
    lines = text.split("\n")
    budget = _MORE_ERRORS_BUDGET
    start = -1  # the bad line the part being parsed starts at (-1: the file's start)
    while len(problems) < MAX_SYNTAX_ERRORS:
        bad = problems[-1].line - 1
        if not (start <= bad < len(lines)) or "(at end of document)" in message:
            break
        head = ([_resync_header(start)] + lines[start + 1 : bad]) if start >= 0 else lines[:bad]
        head_text = "\n".join(head)
        rest = [_resync_header(bad)] + lines[bad + 1 :]
        rest_text = "\n".join(rest)
        budget -= len(head_text) + len(rest_text)
        if budget < 0 or not _one_line_statement(lines[bad]):
            break
        try:
            tomllib.loads(head_text)
        except (tomllib.TOMLDecodeError, RecursionError):
            break  # the bad line may sit inside a value that started above it
        try:
            tomllib.loads(rest_text)
            break
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
        except RecursionError:
            break
        found = _syntax_problem(rest_text, message, bad)
        if found.line - 1 <= bad:
            break
        problems.append(found)
        start = bad
    return problems


def _resync_header(line: int) -> str:
    return f"[pmtui-unreadable-line-{line + 1}]"


def _one_line_statement(line: str) -> bool:
    """Whether a statement starting on `line` cannot go on to the next
    line, whatever its error: a header, or a key whose value opens no
    bracket it does not close and no multi-line string."""
    if line.lstrip(" \t").startswith("["):
        return True
    depth = 0
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c == "#":
            break
        if c == '"' or c == "'":
            if line.startswith(c * 3, i):
                return False  # a multi-line string may open here
            i += 1
            while i < n and line[i] != c:
                i += 2 if c == '"' and line[i] == "\\" else 1
            i += 1  # an unclosed one-line string still ends with its line
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        i += 1
    return depth <= 0


# -- checking and building the model ---------------------------------------------


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


class _Checker:
    def __init__(self) -> None:
        self.problems: list[tuple[tuple, str]] = []

    def bad(self, path: tuple, message: str) -> None:
        self.problems.append((path, message))

    def value(self, path: tuple, value: object, kind: str) -> tuple[bool, object]:
        if kind in ("str", "prose"):
            if isinstance(value, str):
                return True, value
            self.bad(path, f"expected a string in quotes, got {_describe(value)}")
        elif kind in ("strlist", "proselist"):
            if isinstance(value, list):
                ok = True
                for i, item in enumerate(value):
                    if not isinstance(item, str):
                        self.bad(path + (i,), f"expected a string in quotes, got {_describe(item)}")
                        ok = False
                return ok, list(value)
            self.bad(path, f'expected an array of strings such as ["a", "b"], got {_describe(value)}')
        elif kind == "datetime":
            if isinstance(value, datetime) and value.tzinfo is not None:
                return True, value.astimezone(UTC)
            hint = ""
            if isinstance(value, str):
                try:
                    datetime.fromisoformat(value.replace("z", "Z"))
                    hint = " (write it without quotes)"
                except ValueError:
                    pass
            self.bad(path, f"expected an offset datetime in UTC such as {EXAMPLE_DATETIME}, got {_describe(value)}{hint}")
        elif kind == "date":
            if isinstance(value, date) and not isinstance(value, datetime):
                return True, value
            hint = " (write it without quotes)" if isinstance(value, str) and _is_iso_date(value) else ""
            self.bad(path, f"expected a date such as {EXAMPLE_DATE}, got {_describe(value)}{hint}")
        elif kind == "int":
            if isinstance(value, int) and not isinstance(value, bool):
                if value >= 0 or path == ("schema",):
                    return True, value
                self.bad(path, f"expected a whole number of 0 or more, got {value}")
            else:
                self.bad(path, f"expected a whole number such as 1200, got {_describe(value)}")
        elif kind == "bool":
            if isinstance(value, bool):
                return True, value
            self.bad(path, f"expected true or false, got {_describe(value)}")
        return False, None

    def choice(self, path: tuple, value: str, allowed: tuple[str, ...], *, empty_ok: bool = False) -> None:
        if not isinstance(value, str) or value in allowed or (empty_ok and value == ""):
            return
        shown = ", ".join(f'"{a}"' for a in allowed)
        extra = ' (or "" for not set yet)' if empty_ok else ""
        self.bad(path, f"unknown value {value!r}; expected one of {shown}{extra}")

    def table(self, data: dict, path: tuple[str, ...]) -> dict | None:
        value: object = data
        for part in path:
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        if isinstance(value, dict):
            return value
        self.bad(path, f"expected a table [{'.'.join(path)}], got {_describe(value)}")
        return None

    def fill(self, obj: object, table: dict, path: tuple, fields: tuple[tuple[str, str], ...]) -> None:
        for key, kind in fields:
            if key in table:
                ok, value = self.value(path + (key,), table[key], kind)
                if ok:
                    setattr(obj, key, value)


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return True
    except ValueError:
        return False


def _build(data: dict, index: Index) -> tuple[m.PostMortem, list[Problem]]:
    ck = _Checker()
    schema = data.get("schema", 1)
    if isinstance(schema, int) and not isinstance(schema, bool):
        if schema > m.SCHEMA_VERSION:
            msg = f"file uses schema {schema}; this pmtui reads schema {m.SCHEMA_VERSION} — upgrade pmtui"
            return m.PostMortem(), _locate_all(index, [(("schema",), msg)])
        if schema < 1:
            ck.bad(("schema",), f"unknown schema {schema}; expected {m.SCHEMA_VERSION}")
    else:
        ck.bad(("schema",), f"expected the schema version as a whole number such as {m.SCHEMA_VERSION}, got {_describe(schema)}")

    pm = m.PostMortem()
    ck.fill(pm, data, (), tuple(f for f in ROOT_FIELDS if f[0] != "schema"))
    if isinstance(pm.status, str) and "status" in data:
        ck.choice(("status",), pm.status, m.STATUSES)
    for path, (attr, fields) in TABLES.items():
        table = ck.table(data, path)
        if table is None:
            continue
        obj = get_attr(pm, attr)
        if path == QUERIES:
            for name, promql in table.items():
                if isinstance(promql, str):
                    obj[name] = promql
                else:
                    ck.bad(path + (name,), f"expected a PromQL query in quotes, got {_describe(promql)}")
            continue
        ck.fill(obj, table, path, fields)
    if "auth" in (ck.table(data, ("sources", "prometheus")) or {}):
        ck.choice(("sources", "prometheus", "auth"), pm.sources.prometheus.auth, AUTH_MODES)

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
    _cross_checks(ck, pm)
    return pm, _locate_all(index, ck.problems)


def _row(ck: _Checker, name: str, i: int, row: dict, cls: type, fields, required) -> object:
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


def _timeline(ck: _Checker, rows: list[dict], out: list) -> None:
    event_cls = m.TimelineEvent
    kinds = set(m.EVENT_KINDS)
    fields, required = ARRAYS["timeline"][1], ARRAYS["timeline"][2]
    for i, row in enumerate(rows):
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
            and type(e) is str
            and type(s) is str
            and type(a) is str
            and k in kinds
        ):
            out.append(event_cls(t, e, s, a, k))
            continue
        item = _row(ck, "timeline", i, row, event_cls, fields, required)
        if "kind" in row and isinstance(row["kind"], str):
            ck.choice(("timeline", i, "kind"), item.kind, m.EVENT_KINDS)
        out.append(item)


def _cross_checks(ck: _Checker, pm: m.PostMortem) -> None:
    def unique(name: str, items: list, what: str) -> dict[str, int]:
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
            ck.bad(("whys", i, "parent"), f"parent {why.parent!r} is not the id of any why (use \"\" for an answer to the problem)")
        elif why.parent == why.id and why.id:
            ck.bad(("whys", i, "parent"), "a why cannot be its own parent")
    _why_cycles(ck, pm)
    factors = unique("factors", pm.factors, "factor")
    for i, factor in enumerate(pm.factors):
        if isinstance(factor.category, str) and not factor.category.strip():
            ck.bad(("factors", i, "category"), f"category must not be empty; use one of {', '.join(m.FACTOR_CATEGORIES)} or your own")
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
    parent = {w.id: w.parent for w in pm.whys if w.id}
    index = {w.id: i for i, w in enumerate(pm.whys)}
    reported: set[str] = set()
    for start in parent:
        seen = []
        node = start
        while node and node in parent and node not in seen:
            seen.append(node)
            node = parent[node]
        if node and node in seen and node == start and start != parent[start] and not reported & set(seen):
            reported.update(seen)
            ck.bad(("whys", index[start], "parent"), f"whys {' -> '.join(seen + [start])} form a loop; one of them must answer the problem (parent = \"\")")


def _field_name(path: tuple) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _locate_all(index: Index, problems: list[tuple[tuple, str]]) -> list[Problem]:
    out = [Problem(*_locate(index, path), _field_name(path), msg) for path, msg in problems]
    return sorted(out, key=lambda p: (p.line, p.column))


def _locate(index: Index, path: tuple) -> tuple[int, int]:
    """1-based line and column of the value at `path`, or of the nearest
    thing that holds it."""
    if len(path) >= 2 and isinstance(path[1], int) and path[0] in ARRAYS:
        segs = index.arrays(path[0])
        if path[1] < len(segs):
            seg = segs[path[1]]
            if len(path) >= 3:
                entry = seg.entries.get((path[2],))
                if entry:
                    return entry[0] + 1, entry[2] + 1
            return seg.header + 1, 1
    names = []
    for part in path:
        if isinstance(part, int):
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
                return entry[0] + 1, entry[2] + 1
        if k:
            return seg.header + 1, 1
    return 0, 0


# -- writing -------------------------------------------------------------------------


def new_document(pm: m.PostMortem, path: str | os.PathLike | None) -> Document:
    """A Document for `pm` with a fresh, commented layout (not yet saved)."""
    from pmtui.store.render import fresh_text

    return Document(path, pm, fresh_text(pm))


def dumps(doc: Document) -> str:
    """The file's text for the model as it is now."""
    text, _edits = _render(doc)
    return ("\ufeff" if doc._bom else "") + text


def _render(doc: Document) -> tuple[str, list[tuple[int, int, list[str]]] | None]:
    """The text (without a byte-order mark) for the model now, and the line
    edits that turn doc.text into it (None when tomlkit wrote it)."""
    from pmtui.store.splice import Fallback, flat_fields, plan_rows, splice, via_tomlkit

    pm = doc.pm
    now = flat_fields(pm)
    changed = [p for p, v in now.items() if doc._flat.get(p) != v]
    plans = {}
    for name in ARRAYS:
        plan = plan_rows(name, doc._rows[name], getattr(pm, name))
        if plan is not None:
            plans[name] = plan
    if not changed and not plans:
        return doc._text, []
    try:
        return splice(doc._current_index(), doc._newline, pm, changed, plans, dict(doc._flat[QUERIES]))
    except Fallback:
        return via_tomlkit(doc._text, pm, changed, plans), None


def _advance(doc: Document, body: str, edits: list[tuple[int, int, list[str]]] | None) -> None:
    """The document now stands for `body`, which `edits` made from its
    text: the line index follows the edits instead of being built again."""
    if body == doc._text:
        # Rows replaced by equal copies wrote nothing, but the next save
        # must match rows by the objects the model holds now.
        doc._remember()
        return
    index = doc._index
    if index is not None and (edits is None or not index.update(edits) or len(index.lines) != body.count("\n") + 1):
        index = None  # the next save scans the text afresh
    doc._text = body
    doc._index = index
    doc._remember()


def save(doc: Document, path: str | os.PathLike | None = None) -> Path:
    """Write atomically: a temporary file in the same folder, flushed and
    fsynced, renamed over the target, then the folder fsynced. The file's
    permission bits are kept."""
    target = Path(path) if path is not None else doc.path
    if target is None:
        raise ValueError("save() needs a path for a document that has none")
    body, edits = _render(doc)
    text = ("\ufeff" if doc._bom else "") + body
    data = text.encode("utf-8")
    real = Path(os.path.realpath(target))
    refuse_read_only(real, target)
    write_atomic(real, data)
    st = real.stat()
    doc.path = target
    doc.stamp = FileStamp(st.st_mtime_ns, st.st_size, hashlib.sha256(data).hexdigest())
    _advance(doc, body, edits)
    return target
