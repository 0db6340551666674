"""A line index of a TOML file, and a fast reader for [[timeline]] blocks.

The index says where every table header and every `key = value` sits
(line ranges, value columns), so `store` can point errors at a line and
rewrite one field by splicing text instead of re-parsing the whole file
with tomlkit. [[timeline]] blocks in the layout pmtui writes (bare keys,
one-line basic strings and offset datetimes, comments) are decoded here
directly, because tomllib alone takes most of the open-time budget on a
10,000-event file; any block that is unusual is left to tomllib.

After a save the index is not rebuilt: `Index.update` applies the
splice's edits to the line list in place and lexes again only the segments
an edit touched, so the tenth save of a 10,000-event file costs what the
first did. `counters` lets tests check that by counting rather than timing.

Line numbers here are 0-based indexes into `text.split("\\n")`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import UTC, datetime
from json.decoder import scanstring as _json_scanstring  # type: ignore[attr-defined]  # not in typeshed's stub

from pmtui.store.scalar import VALUE as _OTHER
from pmtui.store.scalar import decode as _decode_other

ROOT, TABLE, ARRAY = 0, 1, 2
TIMELINE = ("timeline",)


class Counters:
    """How much lexing the store has done (read by tests, never by logic)."""

    def __init__(self) -> None:
        self.full_scans = 0  # scan() of a whole text
        self.relexed_lines = 0  # lines lexed again by Index.update
        self.updates = 0  # Index.update calls that succeeded


counters = Counters()

# A TOML basic string's body, written so a run of plain characters is one
# regex step (an alternation per character is several times slower).
_STR = (
    r'[^"\\\x00-\x08\x0a-\x1f\x7f]*'
    r'(?:\\(?:[btnfr"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})[^"\\\x00-\x08\x0a-\x1f\x7f]*)*'
)
_DT = r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)"
_COMMENT = r"(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?"
_KEY = r"[A-Za-z0-9_-]+"

# One line of a simple [[timeline]] block: blank, comment, or a bare key set
# to a one-line basic string or an offset datetime, with an optional comment.
# A bare key set to a one-line basic string, an offset datetime, or (group
# 4) another simple value (store.scalar: true, 3, ["a"], { a = 1 }...).
_FAST_LINE = re.compile(
    r"[ \t]*(?:(" + _KEY + r")[ \t]*=[ \t]*(?:\"(" + _STR + r")\"|(" + _DT + r")|(" + _OTHER + r"))[ \t]*)?"
    + _COMMENT + r"\r?"
)
# Any line of a run of simple blocks: a header (group 1) or a block line.
# Every line of a simple run matches exactly once, so findall over the run
# both reads it and, by the count of matches, proves no line was unusual.
_RUN_LINE = re.compile(
    r"^(?:(\[)\[timeline\]\][ \t]*" + _COMMENT + r"|[ \t]*(?:(" + _KEY + r")[ \t]*=[ \t]*(?:\"(" + _STR + r")\"|("
    + _DT + r")|(" + _OTHER + r"))[ \t]*)?" + _COMMENT + r")\r?$",
    re.M,
)
# Where the [[timeline]] area ends: the next line opening another header.
_RUN_END = re.compile(r"^[ \t]*\[(?!\[timeline\]\])", re.M)
_ESCAPE = re.compile(r'\\(?:([btnfr"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))')
_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_BARE_KEY = re.compile(_KEY)
_NEXT_HEADER = re.compile(r"[ \t]*\[")


class Segment:
    """The root table, one [table], or one [[array]] element.

    entries: key path relative to the segment -> (first line, end line
    exclusive, value column 0-based on the first line, column after the
    value on the last line). `raw_end` is after the last entry (the
    lexer's view); `start` includes comment lines attached right above the
    header; `core_end` is `raw_end` plus comments directly under it; `end`
    is where the next segment starts.
    """

    __slots__ = ("_entries", "_lines", "core_end", "end", "fast", "header", "kind", "name", "raw_end", "start")

    def __init__(self, kind: int, name: tuple[str, ...], header: int, raw_end: int | None = None,
                 lines: list[str] | None = None, fast: dict | None = None) -> None:
        self.kind = kind
        self.name = name
        self.header = header
        self.start = header if header > 0 else 0
        self.raw_end = self.core_end = self.end = header + 1 if raw_end is None else raw_end
        # Fast-read blocks (lines given) find their key positions only when
        # asked (an error to point at, a row to splice): 10,000 rows need none.
        self._entries: dict[tuple[str, ...], tuple[int, int, int, int]] | None = None if lines is not None else {}
        self.fast = fast  # decoded values when read by the fast path
        self._lines = lines

    @property
    def entries(self) -> dict[tuple[str, ...], tuple[int, int, int, int]]:
        if self._entries is None:
            entries: dict[tuple[str, ...], tuple[int, int, int, int]] = {}
            lines = self._lines or []
            for i in range(self.header + 1, self.raw_end):
                m = _FAST_LINE.fullmatch(lines[i])
                if m is not None and m.group(1) is not None:
                    g = 2 if m.group(2) is not None else 3 if m.group(3) is not None else 4
                    q = 1 if g == 2 else 0
                    entries[(m.group(1),)] = (i, i + 1, m.start(g) - q, m.end(g) + q)
            self._entries = entries
        return self._entries

    def shift(self, delta: int) -> None:
        self.header += delta
        self.start += delta
        self.raw_end += delta
        self.core_end += delta
        self.end += delta
        if self._entries:
            self._entries = {k: (a + delta, b + delta, c, d) for k, (a, b, c, d) in self._entries.items()}

    def layout(self) -> tuple:
        """Everything the splicer relies on, for comparing two indexes."""
        return (self.kind, self.name, self.start, self.header, self.raw_end, self.core_end, self.end,
                dict(self.entries))

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

    def update(self, edits: list[tuple[int, int, list[str]]]) -> bool:
        """Apply line edits (start, end, new lines), sorted and not
        overlapping, to this index in place: the segments an edit touches
        are lexed again, the ones after it are moved. False when the result
        needs a whole scan (the index is then unusable)."""
        if not self.ok:
            return False
        lines = self.lines
        segs = self.segments
        trimmed = []
        for start, end, new in edits:
            # A structural row splice rewrites every row of an array; only
            # the lines that really differ need lexing again.
            m = len(new)
            k = _same_run(lines, start, end, new, 0, m, 1)
            lo = start + k
            tail = _same_run(lines, lo, end, new, k, m, -1)
            hi, m2 = end - tail, m - tail
            if hi > lo or m2 > k:
                trimmed.append((lo, hi, new[k:m2]))
        if not trimmed:
            return True
        header = _header_of
        clusters: list[list] = []  # [k0, k1, edits]
        for start, end, new in trimmed:
            k0 = bisect_right(segs, start if end > start else start - 1, key=header) - 1
            k1 = bisect_right(segs, end - 1, key=header) - 1 if end > start else k0
            k0, k1 = max(k0, 0), max(k1, 0)
            if clusters and k0 <= clusters[-1][1]:
                clusters[-1][1] = max(clusters[-1][1], k1)
                clusters[-1][2].append((start, end, new))
            else:
                clusters.append([k0, k1, [(start, end, new)]])
        for k0, k1, group in reversed(clusters):
            if not self._relex(k0, k1, group):
                self.ok = False
                return False
        counters.updates += 1
        return True

    def _relex(self, k0: int, k1: int, group: list[tuple[int, int, list[str]]]) -> bool:
        lines = self.lines
        segs = self.segments
        first = 0 if k0 == 0 else segs[k0].header
        stop = segs[k1 + 1].header if k1 + 1 < len(segs) else len(lines)
        region: list[str] = []
        pos = first
        for start, end, new in group:
            region.extend(lines[pos:start])
            region.extend(new)
            pos = end
        region.extend(lines[pos:stop])
        lines[first:stop] = region
        new_stop = first + len(region)
        counters.relexed_lines += len(region)
        if k0 == 0:
            root = Segment(ROOT, (), -1)
            root.start = 0
            fresh = [root]
        else:
            fresh = [Segment(TABLE, (), first)]  # placeholder for lines before the first header
        text = "\n".join(region)
        if new_stop < len(lines):
            text += "\n"
        ok, end = _lex(lines, first, new_stop, fresh, text, 0, True)
        if not ok or end != new_stop:
            return False
        if k0 != 0 and fresh.pop(0).entries:
            return False  # keys would join the table above: let a whole scan judge
        for seg in fresh:
            seg.fast = None  # only places are needed after a save
        delta = new_stop - stop
        if delta:
            for seg in segs[k1 + 1 :]:
                seg.shift(delta)
        segs[k0 : k1 + 1] = fresh
        _bounds(lines, segs, max(k0 - 1, 0), min(k0 + len(fresh) + 1, len(segs)))
        return True


def _same_run(a: list[str], alo: int, ahi: int, b: list[str], blo: int, bhi: int, step: int) -> int:
    """How many lines a[alo:ahi] and b[blo:bhi] share at their start (step
    1) or end (step -1). Compared a chunk at a time: list equality runs in
    C, so 100,000 equal lines cost a few milliseconds."""
    n = min(ahi - alo, bhi - blo)
    done = 0
    chunk = 256
    while done < n:
        size = min(chunk, n - done)
        if step > 0:
            same = a[alo + done : alo + done + size] == b[blo + done : blo + done + size]
        else:
            same = a[ahi - done - size : ahi - done] == b[bhi - done - size : bhi - done]
        if not same:
            if size == 1:
                return done
            chunk = max(size // 8, 1)
            continue
        done += size
        chunk *= 2
    return done


def _header_of(seg: Segment) -> int:
    return seg.header


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
        return _json_scanstring(raw + '"', 0)[0]

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
    if value.tzinfo is UTC:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00: left for the validator to word
        return value


_FAST_MISSES = 2


def _fast_run(text: str, pos: int, lines: list[str], i: int, segs: list) -> tuple[int, int]:
    """Read consecutive simple [[timeline]] blocks starting at offset `pos`
    (line i). Returns (offset, line) where reading stopped; blocks read are
    appended to segs."""
    found = _RUN_END.search(text, pos + 1)
    stop_pos = found.start() if found is not None else len(text)
    n_lines = text.count("\n", pos, stop_pos)
    if text.endswith("\n", 0, stop_pos):
        stop_pos -= 1  # else `$` at the end would also match the empty line after it
    else:
        n_lines += 1
    items = _RUN_LINE.findall(text, pos, stop_pos)
    whole = len(items) == n_lines
    if not whole:
        items = items[: _first_unusual(text, pos, stop_pos)]
    rows: list[dict] = []
    heads: list[int] = []
    ends: list[int] = []
    fromiso = datetime.fromisoformat
    values: dict = {}
    n_keys = 0
    line = i - 1
    last = i
    try:
        for hdr, key, raw, when, other in items:
            line += 1
            if hdr:
                if heads:
                    ends.append(last + 1)
                    if len(values) != n_keys:
                        raise _Unusual  # a duplicate key: tomllib words the error
                values = {}
                rows.append(values)
                heads.append(line)
                last = line
                n_keys = 0
                continue
            if not key:
                continue
            last = line
            n_keys += 1
            if when:
                values[key] = fromiso(when) if when[10] == "T" and when[-1] == "Z" else _datetime(when)
            elif other:
                values[key] = _decode_other(other, unescape)
            else:
                values[key] = unescape(raw) if "\\" in raw else raw
        ends.append(last + 1)
        if len(values) != n_keys:
            raise _Unusual
        # The block holding an unusual line is left to the lexer.
        usable = len(rows) if whole else len(rows) - 1
    except (ValueError, _Unusual):
        whole = False
        usable = len(rows) - 1  # as is the block that failed to decode
    if usable <= 0:
        return pos, i
    for b in range(usable):
        segs.append(Segment(ARRAY, TIMELINE, heads[b], ends[b], lines, rows[b]))
    if whole:
        return stop_pos + 1, i + n_lines
    stop = heads[usable]
    return pos + sum(len(lines[k]) + 1 for k in range(i, stop)), stop


def _first_unusual(text: str, pos: int, stop_pos: int) -> int:
    """Number of lines from `pos` before the first one no simple block has."""
    n = 0
    expect = pos
    for m in _RUN_LINE.finditer(text, pos, stop_pos):
        if m.start() != expect:
            break
        n += 1
        expect = m.end() + 1
    return n


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
                after = _string_end(lines, i, pos, c)
                if after is None:
                    return None
                i, pos = after
                line = lines[i]
                ln = len(line)
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


def _string_end(lines: list[str], i: int, pos: int, quote: str) -> tuple[int, int] | None:
    """(line, column) just after the string whose opening `quote` is at
    lines[i][pos]; None if it never closes."""
    line = lines[i]
    if line.startswith(quote * 3, pos):
        return _multiline_end(lines, i, pos + 3, quote)
    k = pos + 1
    ln = len(line)
    while k < ln and line[k] != quote:
        k += 2 if (quote == '"' and line[k] == "\\") else 1
    if k >= ln:
        return None
    return i, k + 1


def _multiline_end(lines: list[str], i: int, pos: int, quote: str) -> tuple[int, int] | None:
    """After a multi-line string whose body starts at lines[i][pos]: up to
    two more quotes right after the closing three belong to the string."""
    n = len(lines)
    line = lines[i]
    while True:
        found = _closing_basic(line, pos) if quote == '"' else line.find("'''", pos)
        if found >= 0:
            pos = found + 3
            extra = 0
            while extra < 2 and pos < len(line) and line[pos] == quote:
                pos += 1
                extra += 1
            return i, pos
        i += 1
        if i >= n:
            return None
        line, pos = lines[i], 0


def _closing_basic(line: str, pos: int) -> int:
    """Where the three closing double quotes of a multi-line basic string
    are on this line (-1: not on it): a backslash escapes the next char,
    even a quote."""
    k = pos
    while k < len(line):
        if line[k] == "\\":
            k += 2
            continue
        if line.startswith('"""', k):
            return k
        k += 1
    return -1


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
    counters.full_scans += 1
    lines = text.split("\n")
    root = Segment(ROOT, (), -1)
    root.start = 0
    segs = [root]
    ok, _end = _lex(lines, 0, len(lines), segs, text, 0, fast)
    _bounds(lines, segs, 0, len(segs))
    return Index(lines, segs, ok)


def _lex(lines: list[str], i: int, stop: int, segs: list[Segment], text: str, offset: int,
         fast: bool) -> tuple[bool, int]:
    """Lex lines[i:stop] into segments appended to segs (the last one is
    the current table). `text` holds lines[i:] from offset `offset` on, for
    the fast reader. Returns (understood, line where lexing stopped)."""
    cur = segs[-1]
    # Each fast attempt scans to the end of its run of blocks: after a few
    # blocks it could not read (inline tables, odd values), the rest of the
    # run takes the general path, or 3,000 odd rows cost 17 s (quadratic).
    misses, slow_until = 0, -1
    while i < stop:
        line = lines[i]
        s = line.lstrip(" \t")
        if not s or s[0] == "#" or s == "\r":
            offset += len(line) + 1
            i += 1
            continue
        if s[0] == "[":
            if fast and offset >= slow_until and line.startswith("[[timeline]]"):
                pos, j = _fast_run(text, offset, lines, i, segs)
                if j != i:
                    cur = segs[-1]
                    offset, i = pos, j
                    continue
                misses += 1
                if misses >= _FAST_MISSES:
                    found = _RUN_END.search(text, offset + 1)
                    slow_until = found.start() if found is not None else len(text)
            hdr = _header(line)
            if hdr is None:
                return False, i
            is_array, name = hdr
            cur = Segment(ARRAY if is_array else TABLE, name, i)
            segs.append(cur)
            offset += len(line) + 1
            i += 1
            continue
        r = _key(line, 0)
        if r is None:
            return False, i
        path, pos = r
        if not line.startswith("=", pos):
            return False, i
        col = _skip_ws(line, pos + 1)
        end = _value_end(lines, i, col)
        if end is None or path in cur.entries:
            return False, i
        cur.entries[path] = (i, end[0], col, end[1])
        if end[0] > cur.raw_end:
            cur.raw_end = end[0]
        while i < end[0]:
            offset += len(lines[i]) + 1
            i += 1
    return True, i


def _bounds(lines: list[str], segs: list[Segment], lo: int, hi: int) -> None:
    """For segs[lo:hi]: give comments right above a header to that header's
    segment, comments right under the last key to its segment, and blank
    lines and detached comments in between to the segment before."""
    n = len(lines)
    count = len(segs)
    for k in range(lo, hi):
        seg = segs[k]
        core = seg.raw_end
        if k + 1 < count:
            nxt = segs[k + 1]
            start = nxt.header
            while start > core:
                s = lines[start - 1].strip(" \t\r")
                if not s or s[0] != "#":
                    break
                start -= 1
            nxt.start = limit = start
        else:
            limit = n
        while core < limit and lines[core].lstrip(" \t\r")[:1] == "#":
            core += 1
        seg.core_end = core
        seg.end = limit
