"""Reading many files fast, for the library: bytes -> PostMortem with the
same validation as `read.load`, at a fraction of its cost.

The library reads thousands of files, and `load` (tomllib plus the line
scanner) costs ~2.5 ms for a file of 275 events: 25 s for 10,000. Here
the run of [[timeline]] blocks in pmtui's own layout is read with one
regular expression (C speed), the rest of the file with rtoml (Rust; ~10x
tomllib), and the model is built by the store's own `validate.build`.
Anything outside that layout (hand-edited rows, comments or unknown keys
inside the timeline, CRLF, escapes other than TOML's) and every file with
a problem go through `read.loads`, so errors read exactly as the editor's
and nothing is accepted that the editor would refuse. Measured in
benchmarks/bench_library.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from pmtui import model as m
from pmtui.store.read import decode, loads
from pmtui.store.scan import Index, scan
from pmtui.store.validate import build

_STR = r'"([^"\\\n]*(?:\\.[^"\\\n]*)*)"'  # unrolled: C speed over plain text
_KINDS = "|".join(m.EVENT_KINDS)
# One [[timeline]] block exactly as store.render writes it, and the blank
# line after it; group 1 is the whole block, to check that the blocks tile
# the run with nothing between them.
_BLOCK = re.compile(
    r"(\[\[timeline\]\]\n"
    r"time = (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d))\n"
    rf"event = {_STR}\n"
    rf"(?:source = {_STR}\n)?"
    rf"(?:actor = {_STR}\n)?"
    rf"kind = \"({_KINDS})\"\n"
    r"\n?)"
)
# Where a run of blocks ends: a line starting a comment or another table.
_RUN_END = re.compile(r"\n(?:#|\[(?!\[timeline\]\]\n))")
_RUN_END_BYTES = re.compile(rb"\n(?:#|\[(?!\[timeline\]\]\n))")
_ESCAPE = re.compile(r"\\(?:([btnfr\"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_EMPTY_INDEX = scan("")


class _Unusual(Exception):
    """The file is not in the layout read here: the full reader decides."""


def _unescape_one(match: re.Match[str]) -> str:
    simple, u4, u8, other = match.groups()
    if simple is not None:
        return _SIMPLE[simple]
    if other is not None:
        raise _Unusual
    code = int(u4 or u8, 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise _Unusual
    return chr(code)


def _text(raw: str) -> str:
    return _ESCAPE.sub(_unescape_one, raw) if "\\" in raw else raw


def _utc(when: datetime) -> datetime:
    return when if when.tzinfo is UTC else when.astimezone(UTC)


def _split(text: str) -> tuple[str, list[m.TimelineEvent]]:
    """The text without its first run of timeline blocks, and their events.
    One findall over the run and one comprehension: ~0.7 us an event."""
    if text.startswith("[[timeline]]\n"):
        start = 0
    else:
        at = text.find("\n[[timeline]]\n")
        if at < 0:
            return text, []  # rows in another layout, if any, make the rest's parse go the long way
        start = at + 1
    found = _RUN_END.search(text, start)
    end = found.start() + 1 if found else len(text)
    rows = _BLOCK.findall(text, start, end)
    if sum(len(r[0]) for r in rows) != end - start:
        raise _Unusual  # something between or inside the blocks that is not pmtui's layout
    parse, cls = datetime.fromisoformat, m.TimelineEvent
    events = [cls(_utc(parse(t)), _text(e), _text(s), _text(a), k) for _b, t, e, s, a, k in rows]
    return text[:start] + text[end:], events


def read_quick(data: bytes, path: str = "<bytes>") -> m.PostMortem:
    """The post-mortem in `data`, or StoreError (NewerSchemaError) worded
    exactly as `load` words it."""
    return read_quick_layout(data, path)[0]


def read_quick_layout(data: bytes, path: str = "<bytes>") -> tuple[m.PostMortem, bool]:
    """`read_quick`, and whether the file is in pmtui's own layout (its
    rows, if any, one run of [[timeline]] blocks as store.render writes
    them): in such a file a row's fields can be found from the bytes alone
    (library.search does)."""
    import rtoml

    try:
        if b"\r" in data or b"\x00" in data:
            raise _Unusual
        text = data.decode("utf-8")
        if text.startswith("\ufeff"):
            raise _Unusual
        rest, events = _split(text)
        try:
            decoded = rtoml.loads(rest)
        except Exception:  # rtoml's own error type; the full reader words it
            raise _Unusual from None
        pm, problems = build(decoded, _EMPTY_INDEX)
        if problems or "timeline" in decoded:
            # A problem is worded by the full reader, with its line; a
            # timeline row left in the rest is not in pmtui's layout.
            raise _Unusual
        pm.timeline = events
        return pm, True
    except (_Unusual, UnicodeDecodeError, ValueError, OverflowError):
        pass
    return loads(decode(data, path), path=path).pm, False


def _first_row(data: bytes) -> int:
    """Where the first [[timeline]] header line starts, or -1."""
    if data.startswith(b"[[timeline]]\n"):
        return 0
    at = data.find(b"\n[[timeline]]\n")
    return at + 1 if at >= 0 else -1


def read_outline(data: bytes) -> tuple[m.PostMortem, int] | None:
    """The post-mortem in `data` without its timeline, and how many rows
    the timeline has: everything a library's row shows but the checklist.
    The run of [[timeline]] blocks is cut out of the bytes and never
    decoded, so a file of 500 events costs a tenth of `read_quick`. None
    when the file is not in pmtui's layout, has no timeline run or has a
    problem in the rest; the rows themselves are not validated here, so
    the result stands only until the file is read whole (`read_quick`)."""

    start = _first_row(data)
    if start < 0:
        return None
    found = _RUN_END_BYTES.search(data, start)
    end = found.start() + 1 if found else len(data)
    rest = data[:start] + data[end:]
    pm = _outline_of(rest)
    return None if pm is None else (pm, data.count(b"[[timeline]]\n", start, end))


OUTLINE_WINDOW = 8192  # bytes read at each end of a big file for its outline


def read_outline_ends(head: bytes, tail: bytes) -> m.PostMortem | None:
    """The outline of a big file from its first and last OUTLINE_WINDOW
    bytes (`head`, `tail`; apart in the file), the rows between them never
    read: reading and scanning the middle of a file of 500 events was half
    of a cold listing's cost (benchmarks/bench_library.py). The row count
    is then unknown. None, for the whole file to be read, when the first
    row is not in `head`, the last not in `tail`, or either window shows a
    table or comment among the rows (rows added after other tables, say);
    what lies deeper in the middle is checked by the whole read, which
    replaces this."""

    start = _first_row(head)
    if start < 0:
        return None
    # Nothing but rows from the first one to the end of the window (whose
    # last line may be cut short: a match in its last 14 bytes is not
    # judged). No endpos: it would hide the lookahead's bytes.
    found = _RUN_END_BYTES.search(head, start)
    if found is not None and found.start() < len(head) - 14:
        return None
    last = tail.rfind(b"\n[[timeline]]\n")
    if last < 0:
        return None
    first_line = tail.find(b"\n")
    found = _RUN_END_BYTES.search(tail, first_line)
    if found is not None and found.start() < last:
        return None  # a table or comment before the last row
    found = _RUN_END_BYTES.search(tail, last + 1)
    end = found.start() + 1 if found else len(tail)
    rest = head[:start] + tail[end:]
    return _outline_of(rest)


def _outline_of(rest: bytes) -> m.PostMortem | None:
    """The post-mortem in `rest` (a file with its [[timeline]] run cut
    out); None when it is not plain enough for the outline, for the whole
    file to be read (the full reader words any problem)."""
    import rtoml

    if b"\r" in rest or b"\x00" in rest or rest.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        decoded = rtoml.loads(rest.decode("utf-8"))
    except Exception:  # UnicodeDecodeError, rtoml's own error type: read whole, the full reader words it
        return None
    try:
        pm, problems = build(decoded, _EMPTY_INDEX)
    except (ValueError, OverflowError):
        return None
    if problems or "timeline" in decoded:
        return None
    return pm


# -- finding words in the bytes of a file in pmtui's layout (library.search) ------

_ROW = b"[[timeline]]\n"
# A row's text field as store.render writes it (one line of _BLOCK).
_ROW_FIELD = re.compile(rb'(event|source|actor) = "([^"\\\n]*(?:\\.[^"\\\n]*)*)"')


@dataclass
class RowsHolding:
    start: int  # the run of [[timeline]] blocks: data[start:end]
    end: int
    rows: list[tuple[int, str, int, str]]  # (row, key, 1-based line, text) of each field line holding the word
    outside: bool  # the word is also outside the rows, on a line that is not a comment


def rows_holding(data: bytes, lowered: bytes, word: bytes) -> RowsHolding | None:
    """Where `word` (lowercase bytes, as in `lowered`, data.lower()) lies
    in a file that `read_quick_layout` found valid and in pmtui's layout:
    in the run of rows every line is a header, a time, a kind, or a text
    field (`key = "..."`), so a field is found from its line alone, its
    row by counting the headers before it. None when a line is not what
    that read left (the file changed since)."""
    if data.startswith(_ROW):
        start = 0
    else:
        at = data.find(b"\n" + _ROW)
        start = at + 1 if at >= 0 else len(data)
    found_end = _RUN_END_BYTES.search(data, start) if start < len(data) else None
    end = found_end.start() + 1 if found_end else len(data)
    out = RowsHolding(start, end, [], False)
    row, row_at = -1, start  # the row of row_at
    line, line_at = 1, 0  # the line of line_at
    last_line = -1
    # Without multi-line strings outside the rows, a line that starts
    # with "#" is a comment (the template's name many words): no field.
    plain = not any(q in data[:start] or q in data[end:] for q in (b'"""', b"'''"))
    pos = lowered.find(word)
    while pos >= 0:
        ls = data.rfind(b"\n", 0, pos) + 1
        le = data.find(b"\n", pos)
        if le < 0:
            le = len(data)
        nxt = lowered.find(word, le)
        if not start <= pos < end:
            if not (plain and data[ls:pos].lstrip(b" \t").startswith(b"#")):
                out.outside = True
            pos = nxt
            continue
        pos = nxt
        if ls == last_line:
            continue
        last_line = ls
        m = _ROW_FIELD.fullmatch(data, ls, le)
        if m is None:
            continue  # a header, a time, a kind: no text field
        row += data.count(_ROW, row_at, ls)
        row_at = ls
        line += data.count(b"\n", line_at, ls)
        line_at = ls
        try:
            text = _text(m.group(2).decode("utf-8"))
        except (_Unusual, UnicodeDecodeError):
            return None
        out.rows.append((row, m.group(1).decode(), line, text))
    return out


@dataclass
class Rest:
    pm: m.PostMortem  # without its timeline
    text: str  # the file without the run of rows
    index: Index
    cut_at: int  # the first line of the run (1-based) ...
    cut: int  # ... and how many lines it had

    def place(self, path: tuple) -> tuple[int, int]:
        """store.Document.place, in `text`'s lines."""
        from pmtui.store.validate import _locate

        return _locate(self.index, path)

    def line_of(self, line: int) -> int:
        """The file's line for a line of `text`."""
        return line + self.cut if line >= self.cut_at else line


def read_rest(data: bytes, start: int, end: int) -> Rest | None:
    """The file without its rows data[start:end], parsed with its places
    (rtoml and the line scanner: a third of store.loads on the same text);
    None when it does not read cleanly (the caller reads the file whole)."""
    import rtoml

    try:
        text = (data[:start] + data[end:]).decode("utf-8")
        decoded = rtoml.loads(text)
        pm, problems = build(decoded, _EMPTY_INDEX)
    except Exception:  # UnicodeDecodeError, rtoml's own error type, a value out of range
        return None
    if problems or "timeline" in decoded:
        return None
    index = scan(text)
    if not index.ok:
        index = scan(text, fast=False)
    return Rest(pm, text, index, data.count(b"\n", 0, start) + 1, data.count(b"\n", start, end))
