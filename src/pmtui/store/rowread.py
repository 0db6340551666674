"""The fast reader for [[timeline]] rows, in slices.

A big post-mortem is nearly all timeline: 100,000 rows are 15 MB of the
15.1. Rows in the layout pmtui writes (the header, `time`, `event`, then
`source`, `actor`, `kind` when present, blank lines) are read here by one
regular expression per slice of the file, straight into TimelineEvent
objects, about five times faster than tomllib and twice as fast as a line
by line reader. A slice holding anything else (a comment, another key
order, a multi-line string, a key pmtui does not know) is handed whole to
tomllib, so every layout reads exactly as tomllib reads it.

The reader works a slice at a time so the app can show its first screen
before the rest is read and keep its frames coming meanwhile; each slice
also yields the line index entries for its rows (store.scan's Segments),
built from what the regular expression matched instead of lexing the lines
again.

No Textual here.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pmtui.model import EVENT_KINDS, TimelineEvent
from pmtui.store.scan import ARRAY, TIMELINE, Segment, _Unusual, unescape

HEADER = "[[timeline]]"
# A TOML basic string's body (store.scan._STR), quotes included.
_PLAIN = r'[^"\\\x00-\x08\x0a-\x1f\x7f]*'
_QSTR = r'"' + _PLAIN + r'(?:\\(?:[btnfr"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})' + _PLAIN + r')*"'
# Years 1900 to 9998 (store.validate.YEARS); a time outside them goes to
# the general checks, which word the problem.
_YEAR = r"(?:19\d\d|[2-8]\d\d\d|9[0-8]\d\d|99[0-8]\d|999[0-8])"
_UTC = _YEAR + r"-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z"
_NL = r"\r?\n"
# One row as pmtui writes it. The optional keys keep their quotes so that
# "absent" ('') and "empty" ('""') differ. The match must end where the
# next row's header starts (or at the end of the slice): a row with any
# further line does not match at all, so nothing is skipped unseen.
_ROW = (
    r"^\[\[timeline\]\]" + _NL
    + r"time = (" + _UTC + r")" + _NL
    + r"event = (" + _QSTR + r")" + _NL
    + r"(?:source = (" + _QSTR + r")" + _NL + r")?"
    + r"(?:actor = (" + _QSTR + r")" + _NL + r")?"
    + r"(?:kind = (" + _QSTR + r")" + _NL + r")?"
    + r"(?:key = (true|false)" + _NL + r")?"
    + r"(?:evidence = (\[(?:" + _QSTR + r"(?:, " + _QSTR + r")*)?\])" + _NL + r")?"
    + r"((?:" + _NL + r")*)"
)
_BLOCK = re.compile(_ROW + r"(?=\[\[timeline\]\]|\Z)", re.M)
_LAST = re.compile(_ROW, re.M)
# The first line after the rows that opens another table.
_NEXT_TABLE = re.compile(r"^[ \t]*\[(?!\[timeline\]\][ \t]*\r?$)", re.M)
# What may follow the rows before the next table: blank lines and comments.
_TRIVIA_TO_TABLE = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*(?:[ \t]*\[|[ \t]*(?:#[^\n]*)?\Z)")
# An optional key's quoted value -> the model's text; absent: "".
_KINDS = {"": "other", **{f'"{k}"': k for k in EVENT_KINDS}}
SLICE = 1 << 18  # characters per slice: about 1,700 rows, a few milliseconds


class NotFast(Exception):
    """The rows cannot be read apart from the rest of the file: read the
    whole file the general way (which also words any error precisely)."""


@dataclass
class Run:
    """Where the [[timeline]] rows are: text[start:end], from line `line`."""

    start: int
    end: int
    line: int


def find_run(text: str) -> Run | None:
    """The stretch of the file made of [[timeline]] rows only, when the
    file has one that can be read apart from the rest; None: read the file
    whole. The reader checks later that the stretch holds rows only."""
    if text.startswith(HEADER):
        start = 0
    else:
        found = text.find("\n" + HEADER)
        if found < 0:
            return None
        start = found + 1
    last = text.rfind("\n" + HEADER) + 1 or start
    if not _header_line(text, start) or not _header_line(text, last):
        return None
    m = _LAST.match(text, last)
    end = m.end() if m is not None else -1
    if end < 0 or not _TRIVIA_TO_TABLE.match(text, end):
        # The last row is unusual: it runs to the next table.
        nxt = _NEXT_TABLE.search(text, last + 1)
        end = nxt.start() if nxt is not None else len(text)
    return Run(start, end, text.count("\n", 0, start))


def _header_line(text: str, at: int) -> bool:
    after = at + len(HEADER)
    return text.startswith("\n", after) or text.startswith("\r\n", after)


def outside(text: str, run: Run) -> str:
    """The file without its rows, for tomllib."""
    return text[: run.start] + text[run.end :]


@dataclass
class Slice:
    """One slice of rows: the decoded rows (TimelineEvent objects, or plain
    dicts for rows the general checks must look at), their index segments
    (when an index is being built), and the line after them."""

    rows: list[Any]
    line_end: int
    segments: list[Segment] = field(default_factory=list)
    general: bool = False  # read by tomllib and lexed line by line
    events_only: bool = False  # every row is a TimelineEvent already checked


# How many times a slice that does not read is widened (a cut that fell
# inside a multi-line string) before the file is read the general way.
_WIDEN = 6


class RowReader:
    """Reads text[run.start:run.end] slice by slice. With `lines` (the line
    index's list, holding every line before the rows) each slice also adds
    its lines and its rows' segments, for a document that will be saved;
    reading to check or report needs neither."""

    def __init__(self, text: str, run: Run, lines: list[str] | None = None, *, widen: int | None = _WIDEN) -> None:
        """`widen`: how many times a slice that does not read is widened
        before giving up (None: to the end of the rows)."""
        self.widen = widen
        self.text = text
        self.run = run
        self.pos = run.start
        self.line = run.line
        self.lines = lines
        if lines is not None and len(lines) != run.line:
            raise ValueError("the line index must hold the lines before the rows")

    @property
    def done(self) -> bool:
        return self.pos >= self.run.end

    def next_slice(self, size: int = SLICE) -> Slice:
        end = self.run.end
        pos = self.pos
        cut = self._cut(pos, pos + size)
        got = self._canonical(pos, cut)
        widen = 0
        while got is None:
            got = self._general(pos, cut)
            if got is None:
                # A cut inside a multi-line string, or a real error: widen
                # a few times, then leave it to the general reader.
                widen += 1
                if cut >= end or (self.widen is not None and widen > self.widen):
                    raise NotFast
                cut = self._cut(pos, pos + 2 * (cut - pos))
        self.pos = cut
        self.line = got.line_end
        return got

    def _cut(self, pos: int, at: int) -> int:
        """The start of the first row header at or after `at` (or the end)."""
        end = self.run.end
        if at >= end:
            return end
        found = self.text.find("\n" + HEADER, at, end)
        return end if found < 0 else found + 1

    # -- rows in pmtui's layout ------------------------------------------------

    def _canonical(self, pos: int, cut: int) -> Slice | None:
        text = self.text
        items = _BLOCK.findall(text, pos, cut)
        # Every match starts at a header and ends at the next one, so when
        # there are as many as headers, the matches cover the whole slice.
        if len(items) != text.count(HEADER, pos, cut):
            return None
        try:
            rows, events_only = _events(items, text.find("\\", pos, cut) >= 0)
        except (ValueError, _Unusual):
            return None  # a date that does not exist, a bad \u escape
        out = Slice(rows, self.line + text.count("\n", pos, cut), events_only=events_only)
        lines = self.lines
        if lines is not None:
            lines.extend(_split(text, pos, cut))
            header = self.line
            segs = out.segments
            crlf = text.find("\r", pos, cut) >= 0
            for _t, _e, s, a, k, key, ev, blank in items:
                raw_end = header + 3 + (s != "") + (a != "") + (k != "") + (key != "") + (ev != "")
                seg = Segment(ARRAY, TIMELINE, header, raw_end, lines)
                header = raw_end + (blank.count("\n") if crlf else len(blank))
                seg.end = header
                segs.append(seg)
        return out

    # -- anything else: scan's line reader, else tomllib ------------------------------

    def _general(self, pos: int, cut: int) -> Slice | None:
        """Rows in another layout (a comment, another key order, a value of
        another type): read by the line index's fast reader (store.scan,
        store.scalar: as tomllib reads them, at C speed) when it can read
        every row of the slice, else by tomllib. A slice of 20,000 rows
        with a number where the time belongs took tomllib and the general
        lexer 0.7 s before the validator could say so."""
        from pmtui.store.scan import _lex

        text = self.text
        chunk = text[pos:cut]
        lines = self.lines if self.lines is not None else []
        first = len(lines)
        lines.extend(_split(text, pos, cut))
        holder = [Segment(ARRAY, TIMELINE, first)]  # stands for "no table yet"
        ok, stop = _lex(lines, first, len(lines), holder, chunk, 0, True)
        lexed = ok and stop == len(lines) and not holder.pop(0).entries and bool(holder)
        lexed = lexed and holder[0].header == first and all(s.name[:1] == TIMELINE for s in holder)
        if lexed and all(s.kind == ARRAY and s.name == TIMELINE and s.fast is not None for s in holder):
            rows: list[Any] = [s.fast for s in holder]
            for seg in holder:
                seg.fast = None  # the index needs only places; the rows live on in the model
        else:
            try:
                data = tomllib.loads(chunk)
            except (tomllib.TOMLDecodeError, RecursionError):
                del lines[first:]  # the slice is widened and read again
                return None
            decoded = data.get("timeline")
            if len(data) != 1 or not isinstance(decoded, list) or not all(isinstance(r, dict) for r in decoded):
                raise NotFast  # another table among the rows
            rows = decoded
            if not lexed and self.lines is not None:
                raise NotFast
            for seg in holder:
                seg.fast = None
        out = Slice(rows, self.line + chunk.count("\n"), general=True)
        if self.lines is not None:
            out.segments = holder
        return out


def _split(text: str, pos: int, cut: int) -> list[str]:
    """text[pos:cut] as lines (it ends just after a newline, or at the end
    of the rows)."""
    parts = text[pos:cut].split("\n")
    if parts and parts[-1] == "" and cut > pos and text[cut - 1] == "\n":
        parts.pop()
    return parts


def _events(items: list[tuple[str, ...]], escapes: bool) -> tuple[list[Any], bool]:
    """TimelineEvents for matched rows; a row whose kind is not one of the
    kinds becomes a dict for the general checks to word the problem. One
    comprehension with the unescaping inlined: a function call per value
    was a third of the read."""
    fromiso = datetime.fromisoformat
    intern = sys.intern
    event = TimelineEvent
    kinds = _KINDS
    un = unescape
    refs = _evidence
    try:
        if not escapes:
            return [event(fromiso(t), e[1:-1], intern(s[1:-1]), intern(a[1:-1]), kinds[k], key == "true",
                          refs(ev) if ev else [])
                    for t, e, s, a, k, key, ev, _b in items], True
        return [event(fromiso(t), un(e[1:-1]) if "\\" in e else e[1:-1],
                      intern(un(s[1:-1]) if "\\" in s else s[1:-1]),
                      intern(un(a[1:-1]) if "\\" in a else a[1:-1]), kinds[k], key == "true",
                      refs(ev) if ev else [])
                for t, e, s, a, k, key, ev, _b in items], True
    except KeyError:
        pass  # an unknown kind: the long way below
    out: list[Any] = []
    for t, e, s, a, k, key, ev, _b in items:
        ev_text, src, act = _text(e), _text(s), _text(a)
        kind = kinds.get(k)
        if kind is None:
            row: dict[str, Any] = {"time": fromiso(t), "event": ev_text, "source": src, "actor": act,
                                   "kind": _text(k)}
            if key:
                row["key"] = key == "true"
            if ev:
                row["evidence"] = refs(ev)
            out.append(row)
        else:
            out.append(event(fromiso(t), ev_text, intern(src), intern(act), kind, key == "true",
                             refs(ev) if ev else []))
    return out, False


_STRING = re.compile(_QSTR)


def _evidence(array: str) -> list[str]:
    """The strings of a one-line array such as ["E1", "E2#L120"]."""
    return [_text(q) for q in _STRING.findall(array)]


def _text(quoted: str) -> str:
    body = quoted[1:-1]
    return unescape(body) if "\\" in body else body


def rows_only(data: dict[str, Any]) -> bool:
    """Whether tomllib's view of the file without its rows holds no
    timeline of its own (which would make the split unsound)."""
    return "timeline" not in data


__all__ = ["HEADER", "SLICE", "NotFast", "RowReader", "Run", "Slice", "find_run", "outside", "rows_only"]
