"""A multi-line string longer than its field may hold, refused before
tomllib reads it.

tomllib reads a multi-line string a few characters at a time in Python: a
20 MB log pasted into the summary between triple quotes took it 1.5-3 s,
only for the validator to refuse the value afterwards. One-line values that
long are refused by store.read (`_refuse_long_lines`); this is the same for
values that span lines.

The pre-scan refuses only what it is sure of, and leaves everything else to
the normal reader (which reads it as it always did):

- a string opens on a line `KEY = \"\"\"` (or `'''`), and the text before
  that line reads as TOML on its own (tomllib, with the [[timeline]] rows
  left out when they hold no triple quote), so the line lies outside any
  string or comment, whatever the file holds before it;
- the key's place is found by tomllib itself (the text before, with that
  line given a short value), and its field has a length limit
  (store.validate: MAX_LINE, MAX_PROSE; a key pmtui does not know has
  none and is never refused here);
- the string ends where TOML ends it (the first closing triple quote not
  escaped), and its decoded length is over the limit: exact when it holds
  no backslash (a CRLF counted as one, as tomllib reads it), else a lower bound (an escape
  yields at least one character for every ten it takes; a backslash at a
  line's end may swallow the whitespace after it).

A long string among the [[timeline]] rows of a file over SKIP_ROWS is not
looked for (the rows are skipped: they are nearly all of such a file) and
is refused by the normal reader, as before.

No Textual here.
"""

from __future__ import annotations

import os
import re
import tomllib
from typing import Any

from pmtui.store.errors import Problem, StoreError
from pmtui.store.rowread import HEADER, find_run
from pmtui.store.schema import ARRAYS, DICTS, ROOT_FIELDS, TABLES
from pmtui.store.validate import MAX_LINE, MAX_PROSE, FieldPath, _Checker, _field_name

# The text before a string is read by tomllib to be sure of where the string
# opens: only up to this many characters of it (rows apart), else unsure.
MAX_HEAD = 2_000_000
# The [[timeline]] rows of a file longer than this are not looked through
# (1.9 ms of a 10,000-event file's 50 ms load; 0.1 ms once skipped).
SKIP_ROWS = 1 << 18
_ONE_KEY = r"(?:[A-Za-z0-9_-]+|\"[^\"\n\\]*\"|'[^'\n]*')"
_KEY_LINE = re.compile(r"[ \t]*" + _ONE_KEY + r"(?:[ \t]*\.[ \t]*" + _ONE_KEY + r")*[ \t]*=[ \t]*")
_INDENTED = re.compile(r"\n[ \t]+\[")
_SENTINEL = "pmtui\u0000longtext"
_KINDS = {"str": MAX_LINE, "prose": MAX_PROSE}


def refuse_long_strings(text: str, path: str | os.PathLike) -> None:
    """StoreError naming the field, line and limit of the first multi-line
    string the pre-scan is sure is over its field's limit; otherwise
    nothing (the normal reader decides)."""
    if len(text) <= MAX_LINE:
        return  # no string in it can be over any limit
    quotes = _Quotes(text)
    pos = 0
    while True:
        opening = quotes.opening(pos)
        if opening is None:
            return
        at, quote = opening
        close, extra = _close(text, at + 3, quote)
        if close < 0:
            return  # unterminated: the normal reader words it
        body_start = at + 3
        if text.startswith("\n", body_start):
            body_start += 1
        elif text.startswith("\r\n", body_start):
            body_start += 2
        if close - body_start + extra > MAX_LINE:
            _refuse_if_sure(text, path, at, quote, body_start, close, extra)
        pos = close + 3 + extra


class _Quotes:
    """The triple quotes of a text in order, each kind looked for once per
    occurrence (not again from every place the walk reaches), the
    [[timeline]] rows of a big file skipped: 99% of it, and in pmtui's
    layout they hold no triple quote (a string among them that does is left
    to the normal reader: a find over 15 MB of rows cost 12 ms a kind)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.next = {'"': -2, "'": -2}  # -2: not looked for yet
        run = find_run(text) if len(text) > SKIP_ROWS else None
        self.skip = (run.start, run.end) if run is not None else (len(text), len(text))

    def _find(self, needle: str, pos: int) -> int:
        lo, hi = self.skip
        if pos < lo:
            found = self.text.find(needle, pos, lo)
            if found >= 0:
                return found
        return self.text.find(needle, max(pos, hi))

    def _at(self, quote: str, pos: int) -> int:
        found = self.next[quote]
        if found == -1 or pos <= found:
            return found
        found = self.next[quote] = self._find(quote * 3, pos)
        return found

    def opening(self, pos: int) -> tuple[int, str] | None:
        """The next triple quote at or after `pos` that stands where a line
        `KEY = ` puts a value, and which quote it is."""
        text = self.text
        while True:
            d, s = self._at('"', pos), self._at("'", pos)
            if d < 0 and s < 0:
                return None
            at, quote = (d, '"') if s < 0 or 0 <= d < s else (s, "'")
            line = text.rfind("\n", 0, at) + 1
            m = _KEY_LINE.match(text, line, at)
            if m is not None and m.end() == at:
                return at, quote
            pos = at + 3


def _close(text: str, pos: int, quote: str) -> tuple[int, int]:
    """Where the string whose body starts at `pos` closes (-1: it does not)
    and how many of the quotes there belong to the body (0-2: TOML lets a
    body end with one or two quotes before the closing three)."""
    delim = quote * 3
    while True:
        end = text.find(delim, pos)
        if end < 0:
            return -1, 0
        if quote == '"':
            k = end
            while k > pos and text[k - 1] == "\\":
                k -= 1
            if (end - k) % 2:  # an escaped quote: not the end
                pos = end + 1
                continue
        extra = 0
        while extra < 2 and text.startswith(quote, end + 3 + extra):
            extra += 1
        return end, extra


def _decoded_at_least(text: str, start: int, end: int, extra: int, quote: str) -> tuple[int, bool]:
    """(a lower bound of the body's decoded length, whether it is exact).
    tomllib reads every CRLF as LF (a lone CR is an error)."""
    raw = end - start + extra - text.count("\r\n", start, end)
    slashes = text.count("\\", start, end) if quote == '"' else 0
    if not slashes:
        return raw, True
    blank = sum(text.count(c, start, end) for c in " \t\n")
    return raw - blank - 9 * slashes, False


def _refuse_if_sure(text: str, path: str | os.PathLike, at: int, quote: str, start: int, end: int,
                    extra: int) -> None:
    size, exact = _decoded_at_least(text, start, end, extra, quote)
    if size <= MAX_LINE:
        return  # within every limit (the field is looked for only when it could matter)
    line_start = text.rfind("\n", 0, at) + 1
    field = _field_at(text, line_start, at)
    limit = None if field is None else _limit(field)
    if field is None or limit is None or size <= limit:
        return
    ck = _Checker()
    ck.too_long(field, size, limit)
    message = ck.problems[0][1]
    if not exact:
        message = "at least " + message
    line = text.count("\n", 0, line_start) + 1
    raise StoreError(path, [Problem(line, at - line_start + 1, _field_name(field), message)])


def _field_at(text: str, line_start: int, at: int) -> FieldPath | None:
    """The path of the key on the line at `line_start` (its value opening
    at `at`), when the text before that line certainly ends outside any
    string; None when unsure."""
    head, rows = _head(text, line_start)
    if head is None:
        return None
    try:
        data = tomllib.loads(head + text[line_start:at] + '"' + _SENTINEL.replace("\u0000", "\\u0000") + '"\n')
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    found = _find(data, ())
    if found is not None and rows and found[:1] == ("timeline",):
        if found[1] != 0:
            return None  # rows after the ones left out: not pmtui's layout, unsure
        found = ("timeline", rows - 1, *found[2:])  # the last of the rows left out
    return found


def _head(text: str, line_start: int) -> tuple[str | None, int]:
    """The text before `line_start` for tomllib, with the [[timeline]] rows
    left out (but for one empty row, so a key after them still lands in a
    row) when they hold no triple quote, and how many rows were left out;
    None when it is too long to read quickly."""
    before = text[:line_start]
    if len(before) <= MAX_HEAD:
        return before, 0
    run = find_run(before)
    if run is None or run.end > line_start:
        return None, 0
    rows = before.count("\n" + HEADER, run.start - 1 if run.start else 0, run.end) + (run.start == 0)
    if before.find('"""', run.start, run.end) >= 0 or before.find("'''", run.start, run.end) >= 0:
        return None, 0
    first = run.start - 1 if run.start else 0
    if before.count("\n[", first, run.end) != rows - (run.start == 0) or _INDENTED.search(before, run.start, run.end):
        return None, 0  # another table among the rows (even in a string): unsure
    # Without triple quotes every line of the rows is whole on its own, so
    # the text after them starts outside any string as the rows' start does
    # (which tomllib below is sure of, the head before them included).
    head = before[: run.start] + HEADER + "\n" + before[run.end :]
    if len(head) > MAX_HEAD:
        return None, 0
    return head, rows


def _find(data: Any, path: FieldPath) -> FieldPath | None:
    if isinstance(data, dict):
        for key, value in data.items():
            if value == _SENTINEL:
                return (*path, key)
            if isinstance(value, dict | list):
                got = _find(value, (*path, key))
                if got is not None:
                    return got
    elif isinstance(data, list) and data:
        # a key line can only add to the last table of an array of tables
        return _find(data[-1], (*path, len(data) - 1))
    return None


def _limit(field: FieldPath) -> int | None:
    """The length limit of the string at `field`, None when none applies
    (a key pmtui does not know, a list's field given as one string)."""
    names = tuple(p for p in field if isinstance(p, str))
    if len(field) >= 3 and isinstance(field[1], int) and len(field) == 3 and field[0] in ARRAYS:
        kind = dict(ARRAYS[field[0]][1]).get(str(field[2]))
        return _KINDS.get(kind or "")
    if len(names) != len(field):
        return None
    if len(names) == 1:
        return _KINDS.get(dict(ROOT_FIELDS).get(names[0], ""))
    table, key = names[:-1], names[-1]
    if table in DICTS:
        kind = DICTS[table]
        return MAX_PROSE if kind in ("prose", "any") else MAX_LINE if kind == "str" else None
    if table in TABLES:
        return _KINDS.get(dict(TABLES[table][1]).get(key, ""))
    return None


__all__ = ["MAX_HEAD", "refuse_long_strings"]
