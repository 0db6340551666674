"""A line index of a TOML file, and a fast reader for [[timeline]] blocks.

The index says where every table header and every `key = value` sits
(line ranges, value columns), so `store` can point errors at a line and
rewrite one field by splicing text instead of re-parsing the whole file
with tomlkit. [[timeline]] blocks in the layout pmtui writes (bare keys,
one-line basic strings and offset datetimes, comments) are decoded here
directly, because tomllib alone takes most of the open-time budget on a
10,000-event file; any block that is unusual is left to tomllib.

Line numbers here are 0-based indexes into `text.split("\\n")`.
"""

from __future__ import annotations

import re
from json import loads as _json_string
from datetime import UTC, datetime

ROOT, TABLE, ARRAY = 0, 1, 2

# One line of a simple [[timeline]] block: blank, comment, or a bare key set
# to a one-line basic string or an offset datetime, with an optional comment.
_FAST_LINE = re.compile(
    r"[ \t]*(?:([A-Za-z0-9_-]+)[ \t]*=[ \t]*"
    r'(?:"((?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[btnfr"\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)"'
    r"|(\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)))[ \t]*)?"
    r"(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?\r?"
)
_ESCAPE = re.compile(r'\\(?:([btnfr"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))')
_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class Segment:
    """The root table, one [table], or one [[array]] element.

    entries: key path relative to the segment -> (first line, end line
    exclusive, value column 0-based on the first line, column after the
    value on the last line). `start` includes comment lines attached right
    above the header; `core_end` is after the last entry (and comments
    directly under it); `end` is where the next segment starts.
    """

    __slots__ = ("kind", "name", "start", "header", "core_end", "end", "_entries", "fast", "_lines")

    def __init__(self, kind: int, name: tuple[str, ...], header: int) -> None:
        self.kind = kind
        self.name = name
        self.header = header
        self.start = max(header, 0)
        self.core_end = header + 1
        self.end = header + 1
        self._entries: dict[tuple[str, ...], tuple[int, int, int, int]] | None = {}
        self.fast: dict | None = None  # decoded values when read by the fast path
        self._lines: list[str] | None = None

    @property
    def entries(self) -> dict[tuple[str, ...], tuple[int, int, int, int]]:
        # Fast-read blocks find their key positions only when asked (an
        # error to point at, a row to splice): 10,000 rows need none of it.
        if self._entries is None:
            entries: dict[tuple[str, ...], tuple[int, int, int, int]] = {}
            lines = self._lines or []
            for i in range(self.header + 1, self.core_end):
                m = _FAST_LINE.fullmatch(lines[i])
                if m is not None and m.group(1) is not None:
                    g = 2 if m.group(2) is not None else 3
                    q = 1 if g == 2 else 0
                    entries[(m.group(1),)] = (i, i + 1, m.start(g) - q, m.end(g) + q)
            self._entries = entries
        return self._entries

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Segment({self.kind}, {self.name}, {self.start}-{self.end})"


class Index:
    def __init__(self, lines: list[str], segments: list[Segment], ok: bool) -> None:
        self.lines = lines
        self.segments = segments
        self.ok = ok  # False: the lexer did not understand the file; no splicing

    def arrays(self, name: str) -> list[Segment]:
        return [s for s in self.segments if s.kind == ARRAY and s.name == (name,)]

    def table(self, name: tuple[str, ...]) -> Segment | None:
        if not name:
            return self.segments[0]
        for s in self.segments:
            if s.kind == TABLE and s.name == name:
                return s
        return None


class _Unusual(Exception):
    pass


def unescape(raw: str) -> str:
    """Decode the body of a TOML basic string (escapes already validated by
    the caller's regex, except that \\u must name a Unicode scalar value)."""
    if "\\" not in raw:
        return raw
    if "\\u" not in raw and "\\U" not in raw:
        # Without \u escapes TOML's basic-string escapes are JSON's, and the
        # C decoder is far quicker than a regex substitution.
        return _json_string('"' + raw + '"')

    def sub(m: re.Match) -> str:
        if m.group(1):
            return _SIMPLE_ESCAPES[m.group(1)]
        code = int(m.group(2) or m.group(3), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise _Unusual
        return chr(code)

    return _ESCAPE.sub(sub, raw)


def _datetime(raw: str) -> datetime:
    if raw[10] == "t" or raw[-1] == "z":
        raw = raw.upper()
    # fromisoformat (3.11) takes any fraction length and truncates to
    # microseconds, like tomllib; ValueError for 2025-02-30 and friends.
    value = datetime.fromisoformat(raw)
    return value if value.tzinfo is UTC else value.astimezone(UTC)


_STR = r'(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[btnfr"\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*'
_DT = r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)"
_COMMENT = r"(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?"
# A whole simple [[timeline]] block, header to the line before the next header.
_BLOCK = re.compile(
    r"\[\[timeline\]\][ \t]*" + _COMMENT + r"\r?\n"
    r"((?:[ \t]*(?:[A-Za-z0-9_-]+[ \t]*=[ \t]*(?:\"" + _STR + r"\"|" + _DT + r")[ \t]*)?" + _COMMENT + r"\r?\n)*)"
)
_KV = re.compile(r"^[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*(?:\"(" + _STR + r")\"|(" + _DT + r"))", re.M)
_NEXT_HEADER = re.compile(r"[ \t]*\[")


def _fast_run(text: str, pos: int, lines: list[str], i: int, segs: list) -> tuple[int, int]:
    """Read consecutive simple [[timeline]] blocks starting at offset `pos`
    (line i). Returns (offset, line) where reading stopped; blocks read are
    appended to segs."""
    match = _BLOCK.match
    findall = _KV.findall
    n_text = len(text)
    while True:
        m = match(text, pos)
        if m is None:
            return pos, i
        end = m.end()
        if end < n_text and not text.startswith("[", end) and _NEXT_HEADER.match(text, end) is None:
            return pos, i  # an unusual line follows: leave the block to the lexer
        body = m.group(1)
        found = findall(body)
        values: dict[str, object] = {}
        try:
            for key, raw, when in found:
                if when:
                    values[key] = _datetime(when)
                else:
                    values[key] = unescape(raw) if "\\" in raw else raw
        except (ValueError, _Unusual):
            return pos, i
        if len(values) != len(found):
            return pos, i  # a duplicate key: tomllib words the error
        seg = Segment(ARRAY, ("timeline",), i)
        seg.fast = values
        seg._entries = None
        seg._lines = lines
        j = i + 1 + body.count("\n")
        core = j
        while core > i + 1 and _is_trivia(lines[core - 1]):
            core -= 1
        seg.core_end = core
        segs.append(seg)
        pos, i = end, j
        if not text.startswith("[[timeline]]", pos):
            return pos, i


# -- the general lexer (small parts of the file, unusual blocks) ----------------


def _skip_ws(line: str, pos: int) -> int:
    n = len(line)
    while pos < n and line[pos] in " \t":
        pos += 1
    return pos


def _key(line: str, pos: int) -> tuple[tuple[str, ...], int] | None:
    parts: list[str] = []
    while True:
        pos = _skip_ws(line, pos)
        if pos >= len(line):
            return None
        c = line[pos]
        if c == '"':
            end = pos + 1
            while end < len(line) and line[end] != '"':
                end += 2 if line[end] == "\\" else 1
            if end >= len(line):
                return None
            try:
                parts.append(unescape(line[pos + 1 : end]))
            except _Unusual:
                return None
            pos = end + 1
        elif c == "'":
            end = line.find("'", pos + 1)
            if end < 0:
                return None
            parts.append(line[pos + 1 : end])
            pos = end + 1
        else:
            m = _BARE_KEY.match(line, pos)
            if m is None:
                return None
            parts.append(m.group())
            pos = m.end()
        pos = _skip_ws(line, pos)
        if pos < len(line) and line[pos] == ".":
            pos += 1
            continue
        return tuple(parts), pos


def _value_end(lines: list[str], i: int, pos: int) -> tuple[int, int] | None:
    """Where the value starting at lines[i][pos] ends: (line index after it,
    column after the value on its last line). None if it never ends."""
    depth = 0
    n = len(lines)
    line = lines[i]
    value_end = pos
    while True:
        ln = len(line)
        while pos < ln:
            c = line[pos]
            if c == "#":
                break
            if c == '"' or c == "'":
                triple = line.startswith(c * 3, pos)
                if triple:
                    pos += 3
                    while True:
                        found = line.find(c * 3, pos)
                        if c == '"':
                            # a backslash escapes the next char, even a quote
                            k = pos
                            found = -1
                            while k < len(line):
                                ch = line[k]
                                if ch == "\\":
                                    k += 2
                                    continue
                                if line.startswith('"""', k):
                                    found = k
                                    break
                                k += 1
                        if found >= 0:
                            pos = found + 3
                            extra = 0
                            while extra < 2 and pos < len(line) and line[pos] == c:
                                pos += 1
                                extra += 1
                            break
                        i += 1
                        if i >= n:
                            return None
                        line, pos = lines[i], 0
                    ln = len(line)
                else:
                    k = pos + 1
                    while k < ln and line[k] != c:
                        k += 2 if (c == '"' and line[k] == "\\") else 1
                    if k >= ln:
                        return None
                    pos = k + 1
                value_end = pos
                continue
            if c in "[{":
                depth += 1
            elif c in "]}":
                depth -= 1
            if c not in " \t\r":
                value_end = pos + 1
            pos += 1
        if depth <= 0:
            return i + 1, value_end
        i += 1
        if i >= n:
            return None
        line, pos = lines[i], 0


def _header(line: str) -> tuple[bool, tuple[str, ...]] | None:
    pos = _skip_ws(line, 0)
    is_array = line.startswith("[[", pos)
    r = _key(line, pos + (2 if is_array else 1))
    if r is None:
        return None
    name, pos = r
    close = "]]" if is_array else "]"
    if not line.startswith(close, pos):
        return None
    rest = line[pos + len(close) :].strip(" \t\r")
    if rest and not rest.startswith("#"):
        return None
    return is_array, name


def _is_trivia(line: str) -> bool:
    s = line.strip(" \t\r")
    return not s or s[0] == "#"


def scan(text: str, *, fast: bool = True) -> Index:
    lines = text.split("\n")
    n = len(lines)
    root = Segment(ROOT, (), -1)
    root.start = 0
    segs = [root]
    cur = root
    ok = True
    i = 0
    offset = 0  # of line i in text, kept only while it is cheap to know
    while i < n:
        line = lines[i]
        s = line.lstrip(" \t")
        if not s or s[0] == "#" or s == "\r":
            offset += len(line) + 1
            i += 1
            continue
        if s[0] == "[":
            if fast and line.startswith("[[timeline]]"):
                pos, j = _fast_run(text, offset, lines, i, segs)
                if j != i:
                    cur = segs[-1]
                    offset, i = pos, j
                    continue
            hdr = _header(line)
            if hdr is None:
                ok = False
                break
            is_array, name = hdr
            cur = Segment(ARRAY if is_array else TABLE, name, i)
            segs.append(cur)
            offset += len(line) + 1
            i += 1
            continue
        r = _key(line, 0)
        if r is None:
            ok = False
            break
        path, pos = r
        if not line.startswith("=", pos):
            ok = False
            break
        col = _skip_ws(line, pos + 1)
        end = _value_end(lines, i, col)
        if end is None or path in cur.entries:
            ok = False
            break
        cur.entries[path] = (i, end[0], col, end[1])
        if end[0] > cur.core_end:
            cur.core_end = end[0]
        while i < end[0]:
            offset += len(lines[i]) + 1
            i += 1
    _bounds(lines, segs, n)
    return Index(lines, segs, ok)


def _bounds(lines: list[str], segs: list[Segment], n: int) -> None:
    """Give comments right above a header to that header's segment, comments
    right under the last key to its segment, and blank lines and detached
    comments in between to the segment before."""
    root = segs[0]
    root.core_end = max(root.core_end, 0)
    for k, seg in enumerate(segs):
        if k + 1 < len(segs):
            nxt = segs[k + 1]
            limit = nxt.header
            start = limit
            floor = max(seg.core_end, seg.header + 1)
            while start - 1 >= floor and _is_trivia(lines[start - 1]) and lines[start - 1].strip(" \t\r"):
                start -= 1
            nxt.start = start
        else:
            limit = n
        core = max(seg.core_end, seg.header + 1)
        if seg.kind == ROOT and not seg.entries:
            core = 0
        limit_start = segs[k + 1].start if k + 1 < len(segs) else n
        while core < limit_start and lines[core].strip(" \t\r").startswith("#"):
            core += 1
        seg.core_end = core
        seg.end = limit_start
